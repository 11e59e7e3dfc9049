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
/// The fonts of GB/T 9704 公文: the title in 小标宋, the body in 仿宋_GB2312, first-level
/// headings in 黑体, second-level in 楷体_GB2312. The font table names a fallback for
/// each (`altName`) that Word and WPS use where the font is not installed.
pub const XIAOBIAOSONG: &str = "方正小标宋简体";
pub const FANG_GB: &str = "仿宋_GB2312";
pub const HEI: &str = "黑体";
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
    /// 四号, the page numbers of an official document.
    pub const SI: usize = 28;
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

/// Single line spacing with no space before or after, off the page's character grid:
/// table text stays compact (on a 公文 page it would otherwise take 三号's width).
pub fn tight(p: Paragraph) -> Paragraph {
    p.line_spacing(LineSpacing::new().before(0).after(0).line(240))
        .snap_to_grid(false)
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

/// Millimetres in twips (1 mm = 1440 / 25.4 twips), rounded.
const fn mm(n: u32) -> u32 {
    (n * 14400 + 127) / 254
}

/// GB/T 9704-2012: top 37 mm, bottom 35 mm, binding side 28 mm, outer side 26 mm, which
/// leaves the 156 × 225 mm type area of 22 lines of 28 characters in 三号.
pub const GONGWEN_MARGINS: [u32; 4] = [mm(37), mm(35), mm(28), mm(26)];
/// The line pitch of 22 lines in 225 mm, in twips (Word's and WPS's own 公文 template
/// value).
pub const GONGWEN_LINE: usize = 579;
/// Character spacing, in twentieths of a point, that fits 28 三号 characters in 156 mm
/// (15.8 pt each). Set on the runs, not as a character grid: a grid is drawn differently
/// by Word, WPS and LibreOffice, and pushes digits apart.
pub const GONGWEN_CHAR_SPACING: i32 = -4;

/// A 公文 page number: `— 7 —` in 四号 宋体, on odd pages at the right and on even pages
/// at the left, one character in from the edge of the type area.
fn gongwen_page_number(odd: bool) -> Footer {
    let p = Paragraph::new()
        .add_run(run("— ", SONG, size::SI))
        .add_page_num(PageNum::new())
        .add_run(run(" —", SONG, size::SI))
        .fonts(fonts(SONG))
        .size(size::SI);
    let p = if odd {
        p.align(AlignmentType::Right)
            .indent(None, None, Some(320), None)
    } else {
        p.align(AlignmentType::Left)
            .indent(Some(320), None, None, None)
    };
    Footer::new().add_paragraph(p)
}

/// A document laid out as GB/T 9704 asks of an official document (公文): A4, its
/// margins and 22 lines (28 characters a line come from [`GONGWEN_CHAR_SPACING`]), page numbers `— N —` alternating sides, 仿宋_GB2312 三号 by
/// default. `marking`, when given, is put in the header of every page (for demo data).
pub fn gongwen(marking: Option<&str>) -> Docx {
    let [top, bottom, left, right] = GONGWEN_MARGINS;
    let mut docx = Docx::new()
        .page_size(A4_SHORT, A4_LONG)
        .page_margin(
            PageMargin::new()
                .top(top as i32)
                .bottom(bottom as i32)
                .left(left as i32)
                .right(right as i32)
                .header(mm(15) as i32)
                .footer(mm(28) as i32),
        )
        .default_fonts(fonts(FANG_GB))
        .default_size(size::SAN)
        .footer(gongwen_page_number(true))
        .even_footer(gongwen_page_number(false));
    docx.document.section_property = docx.document.section_property.clone().doc_grid(
        docx_rs::DocGrid::new()
            .grid_type(docx_rs::DocGridType::Lines)
            .line_pitch(GONGWEN_LINE),
    );
    if marking.is_some() {
        docx = mark_demo(docx, true);
    }
    docx
}

/// What every page of a document of demo data says in its header.
pub const DEMO_MARK: &str = "演示数据　仅供体验";

/// Marks every page of a document as demo data, in its header (odd and even pages), when
/// `demo`: the mark belongs there, not in the names or the text.
pub fn mark_demo(docx: Docx, demo: bool) -> Docx {
    if !demo {
        return docx;
    }
    let mark = Paragraph::new()
        .add_run(run(DEMO_MARK, HEI, size::XIAO_SI).color("C00000"))
        .align(AlignmentType::Right);
    docx.header(docx_rs::Header::new().add_paragraph(mark.clone()))
        .even_header(docx_rs::Header::new().add_paragraph(mark))
}

/// The type area's width of a 公文 page, in twips.
pub fn gongwen_text_width() -> usize {
    (A4_SHORT - GONGWEN_MARGINS[2] - GONGWEN_MARGINS[3]) as usize
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

/// The Chinese fonts the documents use, each with the font Word and WPS fall back to
/// where it is not installed, and the GB2312 character set.
const CJK_FONTS: &str = concat!(
    r#"<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>"#,
    r#"<w:font w:name="仿宋"><w:altName w:val="FangSong"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="楷体_GB2312"><w:altName w:val="楷体"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/><w:charset w:val="86"/><w:family w:val="script"/><w:pitch w:val="variable"/></w:font>"#,
);

fn repeat_header_rows(bytes: &[u8]) -> Result<Vec<u8>, ExportError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(docx_error)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(docx_error)?;
        let name = file.name().map_err(docx_error)?.to_string();
        if name != "word/document.xml" && name != "word/fontTable.xml" {
            out.raw_copy_file(file).map_err(docx_error)?;
            continue;
        }
        let mut xml = String::new();
        file.read_to_string(&mut xml).map_err(docx_error)?;
        let xml = if name == "word/fontTable.xml" {
            xml.replace("</w:fonts>", &format!("{CJK_FONTS}</w:fonts>"))
        } else {
            xml.replace(FIRST_ROW, FIRST_ROW_HEADER)
        };
        out.start_file(
            &name,
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .map_err(docx_error)?;
        out.write_all(xml.as_bytes()).map_err(docx_error)?;
    }
    Ok(out.finish().map_err(docx_error)?.into_inner())
}
