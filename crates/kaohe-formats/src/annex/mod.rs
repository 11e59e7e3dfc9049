//! Importing a rubric from its official annex (附件：考核评分细则), the table a district
//! sends out as Word, Excel or text.
//!
//! Two steps, each usable on its own:
//!
//! 1. [`read_annex`] reads the table — `.docx` (its XML, so that merged cells are seen:
//!    `w:vMerge` for the category column, `w:gridSpan`), `.xlsx` (calamine, with its merged
//!    regions), plain text like the seed (a Word table flattened to text, or tab-separated
//!    rows), and old `.doc`/`.wps`/`.xls` through LibreOffice when it is installed — into an
//!    [`Annex`]: categories (name, points or 加分项) and items (points, criteria verbatim).
//!    A header row repeated across pages is skipped; a repeated category row with the same
//!    name continues the same category.
//! 2. [`Draft::from_annex`] reads each item's criteria into draft rules
//!    ([`draft`]), each citing the words it came from, with everything it could not read
//!    or had to propose flagged; [`Draft::to_toml`] writes the draft in the rubric format
//!    with the flags as `# ⚠ …` comments.
//!
//! Nothing here panics on a bad file: every failure is an [`AnnexError`] whose message
//! (Chinese) says what is wrong and what to do.

mod docx;
pub mod draft;
mod grid;
mod keys;
mod legacy;
mod phrases;
mod prose;
mod render;
mod text;
mod xlsx;

use std::io::{Cursor, Read};

use kaohe_core::Decimal;

pub use draft::{
    Confidence, Draft, DraftCategory, DraftCheck, DraftInput, DraftItem, DraftKind, DraftRule,
    DraftTerm, Flag, FlagKind, InputKind, Threshold,
};
pub use keys::suggest_key;

/// The largest annex file read: a rubric's annex is a few pages (the seed's .docx is 9 KB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The largest XML part read out of a .docx/.xlsx, uncompressed (a guard against zip bombs).
pub const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;
/// The most table rows read; a rubric has tens.
pub const MAX_ROWS: usize = 5_000;

/// Why an annex could not be read; `message` says what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct AnnexError {
    pub file: String,
    pub message: String,
}

/// The annex table as read: categories in order, each with its items in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annex {
    /// The document's title (e.g. 北仑区街道流动人口服务管理考核评分细则), if found.
    pub title: Option<String>,
    /// Lines before the table (附件1：, the title), verbatim.
    pub preamble: Vec<String>,
    pub categories: Vec<AnnexCategory>,
    /// How the table was read where a person may want to know: repeated headers skipped,
    /// a category continued across a page, a category's points taken from its items.
    pub notes: Vec<String>,
    /// Which reader read it: "docx", "xlsx", "text", or "doc→docx" after a conversion.
    pub format: String,
}

/// A category row (考核内容) such as 基础工作 30, or 创新工作 加分项.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnexCategory {
    pub name: String,
    /// The category's points, where the table gives them; for a bonus category, its cap
    /// (加分项（最高加5分）), where one is stated.
    pub points: Option<Decimal>,
    /// 加分项: a bonus category on top of the base total.
    pub bonus: bool,
    /// At most this much can be lost in the category (a 扣分项 section whose items have no
    /// limit of their own, only the section's 最多扣N分).
    pub max_deduction: Option<Decimal>,
    pub items: Vec<AnnexItem>,
}

/// One scored line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnexItem {
    /// A short name, where the table has a column for one (考核项目).
    pub name: Option<String>,
    /// The item's points (分值); bonus items usually have none.
    pub points: Option<Decimal>,
    /// The criteria (评分标准), verbatim.
    pub criteria: String,
}

impl Annex {
    /// Every item with the index of its category.
    pub fn items(&self) -> impl Iterator<Item = (usize, &AnnexItem)> {
        self.categories
            .iter()
            .enumerate()
            .flat_map(|(c, cat)| cat.items.iter().map(move |i| (c, i)))
    }
}

/// What a file's bytes are, judged from its content first and its name second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    Ole,
    Rtf,
    Pdf,
    Text,
}

fn kind_of(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Kind::Ole
    } else if bytes.starts_with(b"{\\rtf") {
        Kind::Rtf
    } else if bytes.starts_with(b"%PDF") {
        Kind::Pdf
    } else {
        Kind::Text
    }
}

fn extension(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((_, ext)) => ext.to_lowercase(),
        None => String::new(),
    }
}

/// Reads an annex table from a file's bytes; `name` (the file name) names it in messages
/// and helps tell formats apart, but the content decides.
pub fn read_annex(name: &str, bytes: &[u8]) -> Result<Annex, AnnexError> {
    let fail = |message: String| AnnexError {
        file: name.to_string(),
        message,
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "文件有 {:.1} MB，超过导入上限 {} MB；评分细则附件通常不足 1 MB，请确认选对了文件（若表格里有大图片，请删去图片后另存再导入）",
            bytes.len() as f64 / 1_048_576.0,
            MAX_FILE_BYTES / 1_048_576
        )));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail(
            "文件是空的；请导入含评分表（考核内容、分值、评分标准）的 Word、Excel 或文本文件"
                .to_string(),
        ));
    }
    let ext = extension(name);
    let annex = match kind_of(bytes) {
        Kind::Zip => read_zip(bytes, &ext),
        Kind::Ole => read_ole(bytes, &ext),
        Kind::Rtf => legacy::convert(bytes, legacy::Target::Docx, "rtf")
            .and_then(|docx| docx::read(&docx).map(|a| with_format(a, "rtf→docx"))),
        Kind::Pdf => Err(
            "这是 PDF 文件，读不出其中的表格；请向发文单位要 Word 或 Excel 原件，或在 WPS/Word 中把 PDF 转为 .docx 并核对后再导入"
                .to_string(),
        ),
        Kind::Text => {
            if matches!(ext.as_str(), "docx" | "xlsx" | "doc" | "xls" | "wps" | "et") {
                Err(format!(
                    "文件名是 .{ext}，但内容不是 Word/Excel 文件（可能已损坏，或只是改了扩展名）；请在 Word、WPS 或 Excel 中打开它，另存为 .docx 或 .xlsx 后再导入"
                ))
            } else {
                read_text_bytes(bytes)
            }
        }
    };
    annex.map_err(fail)
}

fn with_format(mut annex: Annex, format: &str) -> Annex {
    annex.format = format.to_string();
    annex
}

fn read_text_bytes(bytes: &[u8]) -> Result<Annex, String> {
    let has_utf16_bom = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if !has_utf16_bom && bytes.contains(&0) {
        return Err(
            "这不是文本文件，也不是 Word (.docx) 或 Excel (.xlsx) 文件；请导入评分细则的 Word、Excel 文件，或把表格另存为文本".to_string(),
        );
    }
    let text = crate::facts_file::decode(bytes).map_err(|_| {
        "文本的编码无法识别（不是 UTF-8、GBK，也不是带 BOM 的 UTF-16）；请另存为 UTF-8 编码的文本后再导入"
            .to_string()
    })?;
    text::read(&text)
}

/// The names of the parts in a zip, and a check that it opens at all.
fn open_zip(bytes: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>, String> {
    zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        "文件已损坏，打不开（不是完整的 .docx/.xlsx 压缩包）；请在 Word、WPS 或 Excel 中打开它，重新另存为 .docx 或 .xlsx 后再导入"
            .to_string()
    })
}

/// Reads one part of a zip, refusing parts larger than [`MAX_XML_BYTES`] uncompressed.
fn zip_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, path: &str) -> Result<Vec<u8>, String> {
    let mut part = zip
        .by_name(path)
        .map_err(|_| format!("文件缺少 {path}；文件可能已损坏，请重新另存后再导入"))?;
    if part.size() > MAX_XML_BYTES {
        return Err(too_big_part(path));
    }
    let mut out = Vec::new();
    (&mut part)
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|_| {
            format!("文件已损坏，{path} 解压失败；请在 Word/WPS 中打开后重新另存为 .docx 再导入")
        })?;
    if out.len() as u64 > MAX_XML_BYTES {
        return Err(too_big_part(path));
    }
    Ok(out)
}

fn too_big_part(path: &str) -> String {
    format!(
        "文件里的 {path} 解压后超过 {} MB，不像评分细则（可能是损坏或恶意的文件）；请确认选对了文件",
        MAX_XML_BYTES / 1_048_576
    )
}

fn read_zip(bytes: &[u8], ext: &str) -> Result<Annex, String> {
    let mut zip = open_zip(bytes)?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let declared: u64 = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
        .sum();
    if declared > MAX_XML_BYTES * 4 {
        return Err(format!(
            "文件解压后超过 {} MB，不像评分细则（可能是损坏或恶意的文件）；请确认选对了文件",
            MAX_XML_BYTES * 4 / 1_048_576
        ));
    }
    if names.iter().any(|n| n == "word/document.xml") {
        let xml = zip_part(&mut zip, "word/document.xml")?;
        docx::read(&xml)
    } else if names.iter().any(|n| n == "xl/workbook.xml") {
        xlsx::read(bytes)
    } else if names.iter().any(|n| n == "EncryptedPackage") {
        Err(encrypted())
    } else {
        let what = match ext {
            "docx" => "文件名是 .docx，但压缩包里没有 Word 正文（word/document.xml）",
            "xlsx" => "文件名是 .xlsx，但压缩包里没有 Excel 工作簿（xl/workbook.xml）",
            _ => "这是一个压缩包，但不是 Word (.docx) 或 Excel (.xlsx) 文件",
        };
        Err(format!(
            "{what}；若是 WPS 或 OpenOffice 格式（.wps、.odt、.ods 等），请另存为 .docx 或 .xlsx 后再导入"
        ))
    }
}

fn encrypted() -> String {
    "文件已加密（设置了打开密码），读不出内容；请在 Word、WPS 或 Excel 中输入密码打开，取消密码（文件→信息→保护文档/用密码进行加密，清空密码）后另存，再导入".to_string()
}

/// True when `bytes` contain `name` as UTF-16LE, as the directory of an OLE file names
/// its streams.
fn has_stream(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn read_ole(bytes: &[u8], ext: &str) -> Result<Annex, String> {
    if has_stream(bytes, "EncryptedPackage") || has_stream(bytes, "EncryptionInfo") {
        return Err(encrypted());
    }
    let excel = has_stream(bytes, "Workbook") || has_stream(bytes, "Book");
    let word = has_stream(bytes, "WordDocument");
    let spreadsheet = !word && (excel || matches!(ext, "xls" | "et"));
    if spreadsheet {
        let xlsx = legacy::convert(bytes, legacy::Target::Xlsx, "xls")?;
        xlsx::read(&xlsx).map(|a| with_format(a, "xls→xlsx"))
    } else {
        let from = if ext == "wps" { "wps" } else { "doc" };
        let docx = legacy::convert(bytes, legacy::Target::Docx, from)?;
        let mut zip = open_zip(&docx)?;
        let xml = zip_part(&mut zip, "word/document.xml")?;
        docx::read(&xml).map(|a| with_format(a, &format!("{from}→docx")))
    }
}

/// Reads an annex and drafts its rules: [`read_annex`], then [`Draft::from_annex`].
pub fn import_annex(name: &str, bytes: &[u8]) -> Result<Draft, AnnexError> {
    let annex = read_annex(name, bytes)?;
    Ok(Draft::from_annex(&annex, name))
}
