//! What the workbooks here share: 宋体 cells with thin borders, numbers written as
//! numbers but shown exactly as the application shows them, A4 page setup, and row
//! heights that fit wrapped Chinese text.

use kaohe_core::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

pub const SONG: &str = "宋体";
/// GB2312, the character set Excel records for 宋体 on a Chinese desktop.
const GB2312: u8 = 134;
/// Table text, in points (五号).
pub const TEXT_PT: f64 = 10.5;
/// The paper size code of A4 in a workbook's page setup.
const A4: u8 = 9;

/// A bordered 宋体 cell, wrapped and vertically centred.
pub fn cell() -> Format {
    Format::new()
        .set_font_name(SONG)
        .set_font_charset(GB2312)
        .set_font_size(TEXT_PT)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
}

pub fn centred() -> Format {
    cell().set_align(FormatAlign::Center)
}

pub fn header() -> Format {
    centred().set_bold().set_background_color("#F2F2F2")
}

/// Text without borders (titles, notes, the signature lines).
pub fn plain(size: f64) -> Format {
    Format::new()
        .set_font_name(SONG)
        .set_font_charset(GB2312)
        .set_font_size(size)
        .set_align(FormatAlign::VerticalCenter)
}

/// The number format that shows `d` as the application does: `6`, `5.5`, `93.25`.
pub fn number_format(d: Decimal) -> String {
    match d.normalize().scale() {
        0 => "0".to_string(),
        n => format!("0.{}", "0".repeat(n as usize)),
    }
}

/// A signed change shown as the application shows it: `+2`, `−1.5`, `0`.
pub fn delta_format(d: Decimal) -> String {
    let n = number_format(d);
    format!("+{n};\"−\"{n};0")
}

/// A score as a spreadsheet number. Spreadsheets hold binary floating point; the
/// decimal's shortest text parses to the double nearest to it, which is the number a
/// person typing it would get.
pub fn to_f64(d: Decimal) -> f64 {
    d.normalize().to_string().parse().unwrap_or(0.0)
}

/// Writes a score as a number, shown as the application shows it.
pub fn write_score(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: Decimal,
    format: &Format,
) -> Result<(), XlsxError> {
    let f = format.clone().set_num_format(number_format(d));
    ws.write_number_with_format(row, col, to_f64(d), &f)?;
    Ok(())
}

/// How many lines `text` takes in a column `width` characters wide (Excel's unit: the
/// width of a digit), at table size: a Chinese character is about two digits wide.
pub fn lines_in(text: &str, width: f64) -> usize {
    // Cell padding and the slightly larger glyphs of fallback fonts.
    let capacity = (width - 1.5).max(2.0);
    text.split('\n')
        .map(|line| {
            let w: f64 = line
                .chars()
                .map(|c| if (c as u32) < 0x2E80 { 1.1 } else { 2.1 })
                .sum();
            (w / capacity).ceil().max(1.0) as usize
        })
        .sum()
}

/// A row height (points) that shows `lines` lines of table text without cutting any,
/// within the 409 points a spreadsheet row can have.
pub fn height_for(lines: usize) -> f64 {
    (lines as f64 * 15.0 + 5.0).clamp(20.0, 409.0)
}

/// A4, fitted to one page wide, centred, with page numbers; `repeat` rows print on
/// every page.
pub fn page_setup(
    ws: &mut Worksheet,
    landscape: bool,
    repeat: (u32, u32),
) -> Result<(), XlsxError> {
    ws.set_paper_size(A4);
    if landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_margins(0.6, 0.6, 0.7, 0.7, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_footer("&C第 &P 页 共 &N 页");
    ws.set_repeat_rows(repeat.0, repeat.1)?;
    Ok(())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
/// Marks a sheet's printed pages as demo data, in the header's right part, when `demo`.
pub fn mark_demo(ws: &mut Worksheet, demo: bool) {
    if demo {
        ws.set_header(format!("&R{}", super::docx_kit::DEMO_MARK));
    }
}

pub fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c => c,
        })
        .take(31)
        .collect();
    let trimmed = cleaned.trim_matches('\'').to_string();
    if trimmed.is_empty() {
        "Sheet".to_string()
    } else {
        trimmed
    }
}
