//! Facts for many units from one spreadsheet, as a responsible department keeps them
//! (the public-security bureau's registration rates, one row per subdistrict): a header
//! row naming the unit column and one column per fact (by the fact's key, or by its
//! column title as kaohe's template writes it, `基础工作第3项 信息登记率（%）`), an
//! optional reason column, and title lines above the header. Read all or nothing: every
//! refused header or cell is named as Excel names it (`D5`) with why, and a file with any
//! problem gives no rows.

use std::collections::HashMap;

use kaohe_core::rubric::{InputType, Slot};
use kaohe_core::{Rubric, Value};

use crate::sheet::{Cells, column_name};

/// The most problems listed: a file with more is wrong in one way many times.
const MAX_PROBLEMS: usize = 50;

/// One unit's row.
#[derive(Debug, Clone)]
pub struct UnitRow {
    /// The row as Excel numbers it (from 1).
    pub line: usize,
    pub unit: String,
    /// The row's own reason (the 理由 column), when it gives one.
    pub reason: Option<String>,
    /// Each fact the row gives (empty cells give none).
    pub values: Vec<CellValue>,
}

/// A fact given in a cell.
#[derive(Debug, Clone)]
pub struct CellValue {
    pub slot: Slot,
    /// As typed (trimmed): what the preview shows and what is stored.
    pub typed: String,
    pub value: Value,
    /// The cell as Excel names it (`D5`).
    pub cell: String,
}

/// How a column is headed in kaohe's templates: the item as people refer to it and the
/// fact's label, with its unit (`基础工作第3项 信息登记率（%）`); a unit-level fact by its
/// label.
pub fn column_title(rubric: &Rubric, slot: Slot) -> String {
    let input = rubric.input(slot);
    let unit = match input.ty {
        InputType::Percent => "%".to_string(),
        InputType::Bool => "是/否".to_string(),
        _ => input.unit.clone().unwrap_or_default(),
    };
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!("（{unit}）")
    };
    match input.item {
        Some(ii) => format!("{} {}{unit}", rubric.item_ref(ii), input.label),
        None => format!("{}{unit}", input.label),
    }
}

/// A header or title without spaces and without a unit in brackets at its end.
fn plain(text: &str) -> String {
    let mut t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect();
    if t.ends_with(')')
        && let Some(open) = t.rfind('(')
        && open > 0
    {
        t.truncate(open);
    }
    t
}

const UNIT_HEADERS: [&str; 3] = ["单位", "单位名称", "unit"];
const REASON_HEADERS: [&str; 4] = ["理由", "核定理由", "修改理由", "reason"];
const IGNORED_HEADERS: [&str; 3] = ["序号", "编号", "备注"];

/// What each column of the header row holds.
enum Column {
    Unit,
    Reason,
    Fact(Slot),
    Ignored,
    /// Refused (the problem is already said).
    Refused,
}

/// Reads the units' rows of `cells`. `may` says whether a fact may be imported here,
/// and why not (another department's item, a count of records).
pub fn unit_rows(
    rubric: &Rubric,
    cells: &Cells,
    may: &dyn Fn(Slot) -> Result<(), String>,
) -> Result<Vec<UnitRow>, Vec<String>> {
    let mut problems = Vec::new();
    let Some(h) = cells.iter().position(|row| {
        row.iter()
            .any(|c| UNIT_HEADERS.contains(&c.trim().to_lowercase().as_str()))
    }) else {
        return Err(vec![
            "没有找到表头：表头行应有“单位”一列（单位名称），其余各列为要导入的数据；可下载模板对照"
                .to_string(),
        ]);
    };
    let line = |r: usize| r + 1;
    let by_title = titles(rubric);
    let mut columns = Vec::new();
    let mut seen: HashMap<Slot, usize> = HashMap::new();
    for (c, text) in cells[h].iter().enumerate() {
        let text = text.trim();
        let at = format!("{}{}", column_name(c), line(h));
        let column = if text.is_empty() {
            Column::Ignored
        } else if UNIT_HEADERS.contains(&text.to_lowercase().as_str()) {
            Column::Unit
        } else if REASON_HEADERS.contains(&text.to_lowercase().as_str()) {
            Column::Reason
        } else if IGNORED_HEADERS.contains(&text) {
            Column::Ignored
        } else {
            match header_slot(rubric, &by_title, text) {
                Err(why) => {
                    problems.push(format!("表头 {at}“{text}”：{why}"));
                    Column::Refused
                }
                Ok(slot) => match (may(slot), seen.insert(slot, c)) {
                    (Err(why), _) => {
                        problems.push(format!("表头 {at}“{text}”：{why}"));
                        Column::Refused
                    }
                    (Ok(()), Some(first)) => {
                        problems.push(format!(
                            "表头 {at}“{text}”与 {} 列是同一项数据；请只保留一列",
                            column_name(first)
                        ));
                        Column::Refused
                    }
                    (Ok(()), None) => Column::Fact(slot),
                },
            }
        };
        columns.push(column);
    }
    if columns.iter().filter(|c| matches!(c, Column::Unit)).count() > 1 {
        problems.push(format!("第 {} 行有两列“单位”；请只保留一列", line(h)));
    }
    if !columns.iter().any(|c| matches!(c, Column::Fact(_))) && problems.is_empty() {
        problems.push("表头里没有要导入的数据列；可下载模板对照".to_string());
    }
    let unit_col = columns
        .iter()
        .position(|c| matches!(c, Column::Unit))
        .unwrap_or(0);
    let mut rows = Vec::new();
    let mut units: HashMap<String, usize> = HashMap::new();
    for (r, row) in cells.iter().enumerate().skip(h + 1) {
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let unit = row.get(unit_col).map(|u| u.trim()).unwrap_or("");
        if unit.is_empty() {
            problems.push(format!(
                "第 {} 行：{} 列（单位）是空的；请填写单位名称，或删除这一行",
                line(r),
                column_name(unit_col)
            ));
            continue;
        }
        if let Some(first) = units.insert(unit.to_string(), line(r)) {
            problems.push(format!(
                "第 {} 行：单位“{unit}”在第 {first} 行已有；每个单位只能有一行",
                line(r)
            ));
            continue;
        }
        let mut out = UnitRow {
            line: line(r),
            unit: unit.to_string(),
            reason: None,
            values: Vec::new(),
        };
        for (c, text) in row.iter().enumerate() {
            let typed = text.trim();
            let cell = format!("{}{}", column_name(c), line(r));
            match columns.get(c) {
                Some(Column::Fact(slot)) => match rubric.parse_value(*slot, typed) {
                    Ok(Some(value)) => out.values.push(CellValue {
                        slot: *slot,
                        typed: typed.to_string(),
                        value,
                        cell,
                    }),
                    Ok(None) => {}
                    Err(e) => problems.push(format!(
                        "{cell} 单元格（{unit}，“{}”）的值“{typed}”：{e}",
                        rubric.input(*slot).label
                    )),
                },
                Some(Column::Reason) if !typed.is_empty() => out.reason = Some(typed.to_string()),
                None if !typed.is_empty() => problems.push(format!(
                    "{cell} 单元格在表头之外（该列没有表头）；请补上表头或删除这些内容"
                )),
                _ => {}
            }
        }
        rows.push(out);
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("表头下面没有任何单位的数据".to_string());
    }
    problems.truncate(MAX_PROBLEMS);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// Every fact's plain title and plain label, for reading headers; a label two facts
/// share reads as neither.
fn titles(rubric: &Rubric) -> HashMap<String, Option<Slot>> {
    let mut by = HashMap::new();
    for slot in 0..rubric.inputs().len() {
        by.insert(plain(&column_title(rubric, slot)), Some(slot));
    }
    let mut labels: HashMap<String, Option<Slot>> = HashMap::new();
    for (slot, input) in rubric.inputs().iter().enumerate() {
        labels
            .entry(plain(&input.label))
            .and_modify(|s| *s = None)
            .or_insert(Some(slot));
    }
    for (label, slot) in labels {
        by.entry(label).or_insert(slot);
    }
    by
}

fn header_slot(
    rubric: &Rubric,
    by_title: &HashMap<String, Option<Slot>>,
    text: &str,
) -> Result<Slot, String> {
    if let Some(slot) = rubric.slot(text) {
        return Ok(slot);
    }
    match by_title.get(&plain(text)) {
        Some(Some(slot)) => Ok(*slot),
        Some(None) => Err("细则里有几项数据都叫这个名字；请用模板里的列名（带项目序号）".into()),
        None => {
            Err("细则里没有这项数据；请用模板里的列名（如“基础工作第3项 信息登记率（%）”）".into())
        }
    }
}

/// A record of a list (a month's adopted articles from the information office): its
/// unit, its day (`YYYY-MM-DD`) and its fields as the kind reads them.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub line: usize,
    pub unit: String,
    pub day: String,
    pub fields: kaohe_core::records::RecordFields,
}

/// A day as people write it (`2026-03-05`, `2026/3/5`, `2026.3.5`, `2026年3月5日`), as
/// `YYYY-MM-DD`; `None` when it is not one.
pub fn day_text(text: &str) -> Option<String> {
    let t = text.trim().trim_end_matches('日');
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (u16, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    ((1000..=9999).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Reads a list of records of `kind`: a header row with 单位, 日期 and the kind's fields
/// (by their names), one record per row. All or nothing, each problem naming its row or
/// cell.
pub fn record_rows(
    kind: &kaohe_core::records::RecordKind,
    cells: &Cells,
) -> Result<Vec<RecordRow>, Vec<String>> {
    let is = |c: &String, names: &[&str]| names.contains(&c.trim());
    let Some(h) = cells.iter().position(|row| {
        row.iter().any(|c| is(c, &UNIT_HEADERS)) && row.iter().any(|c| is(c, &["日期", "时间"]))
    }) else {
        let names: Vec<&str> = kind.fields.iter().map(|f| f.label.as_str()).collect();
        return Err(vec![format!(
            "没有找到表头：表头行应有“单位”“日期”两列，以及“{}”的各栏（{}）",
            kind.name,
            names.join("、")
        )]);
    };
    let mut problems = Vec::new();
    // Each column: None (ignored), or Some(None) for the unit, or the field's key.
    let mut unit_col = 0;
    let mut day_col = 0;
    let mut fields: Vec<(usize, String)> = Vec::new();
    for (c, text) in cells[h].iter().enumerate() {
        let t = text.trim();
        if t.is_empty() || IGNORED_HEADERS.contains(&t) {
            continue;
        }
        if UNIT_HEADERS.contains(&t) {
            unit_col = c;
        } else if t == "日期" || t == "时间" {
            day_col = c;
        } else if let Some(f) = kind
            .fields
            .iter()
            .find(|f| plain(&f.label) == plain(t) || f.key == t)
        {
            fields.push((c, f.key.clone()));
        } else {
            let names: Vec<&str> = kind.fields.iter().map(|f| f.label.as_str()).collect();
            problems.push(format!(
                "表头 {}{}“{t}”：“{}”没有这一栏；可用的栏目：{}",
                column_name(c),
                h + 1,
                kind.name,
                names.join("、")
            ));
        }
    }
    let mut rows = Vec::new();
    for (r, row) in cells.iter().enumerate().skip(h + 1) {
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = r + 1;
        let get = |c: usize| row.get(c).map(|s| s.trim()).unwrap_or("");
        let unit = get(unit_col);
        if unit.is_empty() {
            problems.push(format!(
                "第 {line} 行：单位是空的；请填写单位名称，或删除这一行"
            ));
            continue;
        }
        let Some(day) = day_text(get(day_col)) else {
            problems.push(format!(
                "{}{line} 单元格（{unit}）的日期“{}”看不懂；请写成 2026-03-05",
                column_name(day_col),
                get(day_col)
            ));
            continue;
        };
        let typed = fields
            .iter()
            .map(|(c, key)| (key.clone(), get(*c).to_string()))
            .collect();
        match kind.parse(&typed) {
            Ok(parsed) => rows.push(RecordRow {
                line,
                unit: unit.to_string(),
                day,
                fields: parsed,
            }),
            Err(e) => problems.push(format!("第 {line} 行（{unit}）：{e}")),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("表头下面没有任何记录".to_string());
    }
    problems.truncate(MAX_PROBLEMS);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// A department's template to fill in: a title line, a note, the header row (单位, each
/// fact's [`column_title`], 理由) and a row per unit with its current values (an empty
/// cell changes nothing when imported). Numbers are numbers, 是/否 and text are text.
pub fn template_xlsx(
    title: &str,
    note: &str,
    slots: &[Slot],
    rubric: &Rubric,
    rows: &[(String, Vec<Option<Value>>)],
) -> Result<Vec<u8>, crate::export::ExportError> {
    use crate::export::xlsx_kit::{cell, header, number_format, plain, to_f64};
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("导入数据")?;
    ws.write_with_format(0, 0, title, &plain(14.0).set_bold())?;
    ws.write_with_format(1, 0, note, &plain(10.5))?;
    let head = 2;
    ws.write_with_format(head, 0, "单位", &header())?;
    ws.set_column_width(0, 16)?;
    for (c, &slot) in slots.iter().enumerate() {
        let col = c as u16 + 1;
        ws.write_with_format(head, col, column_title(rubric, slot), &header())?;
        ws.set_column_width(col, 18)?;
    }
    let reason_col = slots.len() as u16 + 1;
    ws.write_with_format(head, reason_col, "理由", &header())?;
    ws.set_column_width(reason_col, 24)?;
    ws.set_row_height(head, 45)?;
    for (r, (unit, values)) in rows.iter().enumerate() {
        let row = head + 1 + r as u32;
        ws.write_with_format(row, 0, unit, &cell())?;
        for (c, v) in values.iter().enumerate() {
            let col = c as u16 + 1;
            match v {
                Some(Value::Number(n)) => {
                    let f = cell().set_num_format(number_format(*n));
                    ws.write_number_with_format(row, col, to_f64(*n), &f)?
                }
                Some(Value::Bool(b)) => {
                    ws.write_with_format(row, col, if *b { "是" } else { "否" }, &cell())?
                }
                Some(Value::Text(t)) => ws.write_with_format(row, col, t.as_ref(), &cell())?,
                None => ws.write_blank(row, col, &cell())?,
            };
        }
        ws.write_blank(row, reason_col, &cell())?;
    }
    ws.set_freeze_panes(head + 1, 1)?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_as_people_write_them() {
        assert_eq!(day_text("2026-03-05").as_deref(), Some("2026-03-05"));
        assert_eq!(day_text("2026/3/5").as_deref(), Some("2026-03-05"));
        assert_eq!(day_text("2026.3.5").as_deref(), Some("2026-03-05"));
        assert_eq!(day_text("2026年3月5日").as_deref(), Some("2026-03-05"));
        assert_eq!(day_text("2026-02-30"), None);
        assert_eq!(day_text("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(day_text("3月5日"), None);
        assert_eq!(day_text(""), None);
    }

    #[test]
    fn a_unit_in_brackets_is_not_part_of_the_name() {
        assert_eq!(
            plain("基础工作第3项 信息登记率（%）"),
            "基础工作第3项信息登记率"
        );
        assert_eq!(plain("信息登记率 (%)"), "信息登记率");
        assert_eq!(plain("(一)"), "(一)");
    }
}
