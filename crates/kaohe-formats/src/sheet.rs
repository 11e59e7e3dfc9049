//! A table as people typed it: an Excel or WPS workbook (.xlsx, its first sheet with
//! anything in it) or a CSV/TSV file in any encoding [`decode`] reads, as rows of cell
//! texts. A workbook's numbers are read through their shortest decimal text (never
//! through f64 arithmetic) and by the cell's number format: a cell formatted as a
//! percentage holding 0.95 reads `95%`, a date cell `2026-03-05`.

use kaohe_core::Decimal;

use crate::facts_file::decode;

/// The most rows a table file may have (a district's units, a province's at most).
pub const MAX_ROWS: usize = 100_000;
/// The most columns a table file may have.
pub const MAX_COLUMNS: usize = 200;

/// Rows of cell texts, the first row first; rows may differ in length.
pub type Cells = Vec<Vec<String>>;

/// Whether `bytes` are a workbook (a zip, as .xlsx is) rather than text.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads a table file whole; every problem is a sentence saying what to do.
pub fn read(bytes: &[u8]) -> Result<Cells, String> {
    if is_workbook(bytes) {
        return workbook(bytes);
    }
    let text = decode(bytes)?;
    text_cells(&text)
}

/// Cells of a CSV or tab-separated text (as Excel's copy gives): the delimiter is the
/// one the first line uses.
pub fn text_cells(text: &str) -> Result<Cells, String> {
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in rdr.records().enumerate() {
        let record = record.map_err(|_| {
            format!(
                "第 {} 行无法读取；请检查引号是否成对，或在 Excel 中另存为 CSV",
                i + 1
            )
        })?;
        if rows.len() >= MAX_ROWS || record.len() > MAX_COLUMNS {
            return Err(format!(
                "表格超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列，太大；请分几次导入"
            ));
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn workbook(bytes: &[u8]) -> Result<Cells, String> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| {
            // The reader's own words (a zip error, in English) say nothing to a person.
            "Excel 文件打不开（文件已损坏，或不是 .xlsx 格式）；请在 Excel/WPS 中打开后重新另存为 .xlsx，或另存为 CSV"
                .to_string()
        })?;
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        let (height, width) = range.get_size();
        if height == 0 || width == 0 {
            continue;
        }
        if height > MAX_ROWS || width > MAX_COLUMNS {
            return Err(format!(
                "工作表“{name}”有 {height} 行 {width} 列，太大；请分几次导入"
            ));
        }
        // A sheet whose styles cannot be read is read by its values alone.
        let styles = book.worksheet_style(&name).ok();
        let (top, left) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .map(|(c, d)| {
                        let at = (top + r as u32, left + c as u32);
                        let format = styles
                            .as_ref()
                            .and_then(|s| s.get(at))
                            .and_then(|s| s.number_format.as_ref())
                            .map(|f| f.format_code.as_str());
                        cell_text(d, format)
                    })
                    .collect()
            })
            .collect();
        // Rows above the range's first (empty ones) are not rows of the table.
        return Ok(rows);
    }
    Err("Excel 文件里没有内容；请确认选对了文件".to_string())
}

/// A workbook cell as the person typed it.
fn cell_text(d: &calamine::Data, format: Option<&str>) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::Float(x) => number_text(*x, format.is_some_and(is_percent)),
        Data::Int(i) => {
            if format.is_some_and(is_percent) {
                format!("{}%", Decimal::from(*i) * Decimal::ONE_HUNDRED)
            } else {
                i.to_string()
            }
        }
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, day, h, min, s, _) = dt.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => number_text(dt.as_f64(), false),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A stored number as its shortest decimal text (what Excel shows at full precision),
/// times a hundred with `%` when the cell is formatted as a percentage.
fn number_text(x: f64, percent: bool) -> String {
    // Rust prints an f64 as the shortest text that reads back as the same number.
    let text = x.to_string();
    if !percent {
        return text;
    }
    match text.parse::<Decimal>() {
        Ok(d) => format!("{}%", (d * Decimal::ONE_HUNDRED).normalize()),
        Err(_) => format!("{text}（百分比格式）"),
    }
}

/// Whether an Excel number format shows its number as a percentage: a `%` outside
/// quoted text and escapes, in the format's first (positive) section.
fn is_percent(code: &str) -> bool {
    let (mut quoted, mut escaped) = (false, false);
    for c in code.chars() {
        match (c, quoted, escaped) {
            (_, _, true) => escaped = false,
            ('"', _, _) => quoted = !quoted,
            (_, true, _) => {}
            ('\\' | '_' | '*', _, _) => escaped = true,
            (';', _, _) => return false,
            ('%', _, _) => return true,
            _ => {}
        }
    }
    false
}

/// The name Excel gives a column (`A`, `Z`, `AA`), from 0.
pub fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats_are_told_from_text_that_holds_a_percent_sign() {
        assert!(is_percent("0%"));
        assert!(is_percent("0.00%"));
        assert!(is_percent("#,##0.0%;[Red]-#,##0.0%"));
        assert!(!is_percent("General"));
        assert!(!is_percent("0.00\"%\""));
        assert!(!is_percent("0\\%"));
        assert!(!is_percent("0;0%"));
    }

    #[test]
    fn numbers_read_through_their_shortest_text() {
        assert_eq!(number_text(0.95, true), "95%");
        assert_eq!(number_text(0.932, true), "93.2%");
        // 0.1 + 0.2 is stored as 0.30000000000000004: read as stored, not rounded.
        assert_eq!(number_text(0.1 + 0.2, false), "0.30000000000000004");
        assert_eq!(number_text(95.0, false), "95");
        assert_eq!(number_text(1.5, false), "1.5");
        assert_eq!(number_text(1.0, true), "100%");
    }

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn text_tables_split_on_the_first_lines_delimiter() {
        let cells = text_cells("单位\t信息登记率\n新碶街道\t95%\n").unwrap();
        assert_eq!(cells[1], vec!["新碶街道", "95%"]);
        let cells = text_cells("单位,a\n\"x, y\",1\n").unwrap();
        assert_eq!(cells[1], vec!["x, y", "1"]);
    }
}
