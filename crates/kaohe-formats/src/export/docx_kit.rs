//! The few pieces every .docx here is made of: A4 pages, runs in 宋体/仿宋 (the East
//! Asian font set on every run, which is what Word and WPS use for Chinese), table cells
//! of fixed widths, a page-number footer.

use docx_rs::{
    AlignmentType, Docx, Footer, LineSpacing, NumPages, PageMargin, PageNum, Paragraph, Run,
    RunFonts, Shading, Table, TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType,
    WidthType,
};

use std::io::{Cursor, Read, Write};

use super::ExportError;

pub const SONG: &str = "宋体";
pub const FANG: &str = "仿宋";
/// For digits and Latin letters, as Chinese official documents set them.
const LATIN: &str = "Times New Roman";

/// A4 in twentieths of a point.
pub const A4_SHORT: u32 = 11906;
pub const A4_LONG: u32 = 16838;
/// Page margins: 2 cm left and right, 2.2 cm top and bottom.
pub const MARGIN_SIDE: u32 = 1134;
const MARGIN_TOP: u32 = 1247;

/// Font sizes in half points, by their Chinese names.
pub mod size {
    /// 二号, for a document's title.
    pub const ER: usize = 44;
    /// 小二.
    pub const XIAO_ER: usize = 36;
    /// 三号, the body of an official letter.
    pub const SAN: usize = 32;
    /// 小四.
    pub const XIAO_SI: usize = 24;
    /// 五号, table text.
    pub const WU: usize = 21;
    /// 小五.
    pub const XIAO_WU: usize = 18;
}

pub fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN)
        .hi_ansi(LATIN)
        .cs(LATIN)
}

/// A run of text in the given East Asian font and size (half points).
pub fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

/// A paragraph of one run.
pub fn para(text: &str, font: &str, size: usize, align: AlignmentType) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, font, size))
        .align(align)
        .fonts(fonts(font))
        .size(size)
}

/// A paragraph of one bold run.
pub fn bold(text: &str, font: &str, size: usize, align: AlignmentType) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, font, size).bold())
        .align(align)
        .fonts(fonts(font))
        .size(size)
}

/// An empty paragraph of the given size, for vertical space.
pub fn gap(font: &str, size: usize) -> Paragraph {
    Paragraph::new().fonts(fonts(font)).size(size)
}

/// Single line spacing with no space before or after: table text stays compact.
pub fn tight(p: Paragraph) -> Paragraph {
    p.line_spacing(LineSpacing::new().before(0).after(0).line(240))
}

/// A table cell `width` twips wide holding `text` (a paragraph per line), vertically
/// centred.
pub fn cell(text: &str, width: usize, size: usize, align: AlignmentType) -> TableCell {
    let mut c = TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center);
    for line in text.split('\n') {
        c = c.add_paragraph(tight(para(line, SONG, size, align)));
    }
    c
}

/// A cell with bold text, for totals.
pub fn bold_cell(text: &str, width: usize, size: usize, align: AlignmentType) -> TableCell {
    TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
        .add_paragraph(tight(bold(text, SONG, size, align)))
}

/// A header cell: bold, centred, lightly shaded.
pub fn header_cell(text: &str, width: usize, size: usize) -> TableCell {
    bold_cell(text, width, size, AlignmentType::Center).shading(Shading::new().fill("F2F2F2"))
}

/// A bordered table of fixed column widths (twips) with room around each cell's text.
pub fn table(rows: Vec<TableRow>, widths: &[usize]) -> Table {
    Table::new(rows)
        .set_grid(widths.to_vec())
        .layout(TableLayoutType::Fixed)
        .width(widths.iter().sum(), WidthType::Dxa)
        .margins(TableCellMargins::new().margin(45, 80, 45, 80))
}

/// A document on A4 (landscape when asked), 宋体 by default, with a centred
/// “第 N 页 共 M 页” footer.
pub fn document(landscape: bool) -> Docx {
    let (w, h) = if landscape {
        (A4_LONG, A4_SHORT)
    } else {
        (A4_SHORT, A4_LONG)
    };
    let mut docx = Docx::new()
        .page_size(w, h)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP as i32)
                .bottom(MARGIN_TOP as i32)
                .left(MARGIN_SIDE as i32)
                .right(MARGIN_SIDE as i32)
                .header(720)
                .footer(624),
        )
        .default_fonts(fonts(SONG))
        .default_size(size::WU);
    if landscape {
        docx = docx.page_orient(docx_rs::PageOrientationType::Landscape);
    }
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run("第 ", SONG, size::XIAO_WU))
            .add_page_num(PageNum::new())
            .add_run(run(" 页 共 ", SONG, size::XIAO_WU))
            .add_num_pages(NumPages::new())
            .add_run(run(" 页", SONG, size::XIAO_WU)),
    );
    docx.footer(footer)
}

/// The usable width of a page, in twips.
pub fn text_width(landscape: bool) -> usize {
    let w = if landscape { A4_LONG } else { A4_SHORT };
    (w - 2 * MARGIN_SIDE) as usize
}

/// The finished file's bytes. The first row of every table is marked as a header row
/// (`w:tblHeader`), so that Word, WPS and LibreOffice repeat it on each page: docx-rs
/// has no setting for it, so the mark is added to its output.
pub fn pack(docx: Docx) -> Result<Vec<u8>, ExportError> {
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).map_err(docx_error)?;
    repeat_header_rows(&out.into_inner())
}

fn docx_error(e: impl std::fmt::Display) -> ExportError {
    ExportError::Docx(e.to_string())
}

/// The row properties docx-rs writes for a table's first row (built with `cant_split`).
const FIRST_ROW: &str = "</w:tblGrid><w:tr><w:trPr><w:cantSplit />";
const FIRST_ROW_HEADER: &str = "</w:tblGrid><w:tr><w:trPr><w:cantSplit /><w:tblHeader />";

fn repeat_header_rows(bytes: &[u8]) -> Result<Vec<u8>, ExportError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(docx_error)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(docx_error)?;
        if file.name().map_err(docx_error)? != "word/document.xml" {
            out.raw_copy_file(file).map_err(docx_error)?;
            continue;
        }
        let mut xml = String::new();
        file.read_to_string(&mut xml).map_err(docx_error)?;
        let xml = xml.replace(FIRST_ROW, FIRST_ROW_HEADER);
        out.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .map_err(docx_error)?;
        out.write_all(xml.as_bytes()).map_err(docx_error)?;
    }
    Ok(out.finish().map_err(docx_error)?.into_inner())
}
