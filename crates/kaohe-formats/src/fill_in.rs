//! A unit's self-check as a workbook to fill in (自查填报表), for the clerk who would rather
//! work in Excel or WPS: one row per fact the unit reports, its current value in the one
//! column open to typing (填写), everything else protected; 是/否 cells offer the two
//! words. Read back from the workbook (re-saved by Excel, WPS or LibreOffice, or saved
//! as CSV) by the hidden code column, or by the item and the fact's name when that
//! column is gone.

use kaohe_core::rubric::{InputType, Slot};
use kaohe_core::{Rubric, Value};
use rust_xlsxwriter::{DataValidation, Workbook};

use crate::export::ExportError;
use crate::export::xlsx_kit::{cell, header, number_format, plain, to_f64};
use crate::sheet::{Cells, column_name};

/// The column a person types in.
pub const FILL: &str = "填写";
/// The hidden column with each fact's key.
const CODE: &str = "代码";

/// A fact as read from a filled-in table.
#[derive(Debug, Clone)]
pub struct Filled {
    pub slot: Slot,
    /// `None`: the cell is empty (the fact is not given).
    pub value: Option<Value>,
    pub typed: String,
    /// The cell (`E7`).
    pub cell: String,
}

fn unit_of(rubric: &Rubric, slot: Slot) -> String {
    let input = rubric.input(slot);
    match input.ty {
        InputType::Percent => "%".into(),
        InputType::Bool => "是/否".into(),
        _ => input.unit.clone().unwrap_or_default(),
    }
}

/// The workbook: a title, a note, and a row per fact of `facts` (each with its value now).
pub fn fill_in_xlsx(
    rubric: &Rubric,
    title: &str,
    facts: &[(Slot, Option<Value>)],
) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("自查填报")?;
    ws.write_with_format(0, 0, title, &plain(14.0).set_bold())?;
    ws.write_with_format(
        1,
        0,
        "只在“填写”列填写（百分比写 95 或 95%，是否项选 是/否）；其他列已保护。填好后在 kaohe 本单位自查页“从 Excel 导入”，先预览再确认。",
        &plain(10.5),
    )?;
    let head = 2;
    let widths = [16.0, 26.0, 30.0, 8.0, 14.0, 10.0];
    for (c, (name, w)) in ["项目", "项目名称", "数据", "单位", FILL, CODE]
        .iter()
        .zip(widths)
        .enumerate()
    {
        ws.write_with_format(head, c as u16, *name, &header())?;
        ws.set_column_width(c as u16, w)?;
    }
    ws.set_column_hidden(5)?;
    let open = cell().set_unlocked().set_background_color("#FFF9DB");
    let yes_no = DataValidation::new()
        .allow_list_strings(&["是", "否"])?
        .set_error_message("请选择 是 或 否")?;
    for (r, (slot, value)) in facts.iter().enumerate() {
        let row = head + 1 + r as u32;
        let input = rubric.input(*slot);
        let ii = input.item.unwrap_or_default();
        ws.write_with_format(row, 0, rubric.item_ref(ii), &cell())?;
        let name = rubric.items()[ii].name.clone().unwrap_or_default();
        ws.write_with_format(row, 1, name, &cell())?;
        ws.write_with_format(row, 2, &input.label, &cell())?;
        ws.write_with_format(row, 3, unit_of(rubric, *slot), &cell())?;
        match value {
            Some(Value::Number(n)) => {
                let f = open.clone().set_num_format(number_format(*n));
                ws.write_number_with_format(row, 4, to_f64(*n), &f)?;
            }
            Some(Value::Bool(b)) => {
                ws.write_with_format(row, 4, if *b { "是" } else { "否" }, &open)?;
            }
            Some(Value::Text(t)) => {
                ws.write_with_format(row, 4, t.as_ref(), &open)?;
            }
            None => {
                ws.write_blank(row, 4, &open)?;
            }
        }
        if input.ty == InputType::Bool {
            ws.add_data_validation(row, 4, row, 4, &yes_no)?;
        }
        ws.write_with_format(row, 5, &input.key, &cell())?;
    }
    ws.set_freeze_panes(head + 1, 0)?;
    ws.protect();
    Ok(book.save_to_buffer()?)
}

/// Reads a filled-in table: every fact row's value (empty cells too, as not given).
/// `may` says why a fact may not be filled here. All or nothing, each problem naming its
/// cell.
pub fn read_fill_in(
    rubric: &Rubric,
    cells: &Cells,
    may: &dyn Fn(Slot) -> Result<(), String>,
) -> Result<Vec<Filled>, Vec<String>> {
    let Some(h) = cells
        .iter()
        .position(|row| row.iter().any(|c| c.trim() == FILL))
    else {
        return Err(vec![
            "没有找到“填写”列：请用本单位自查页下载的“自查填报表”填写后再导入".into(),
        ]);
    };
    let col = |name: &str| cells[h].iter().position(|c| c.trim() == name);
    let fill = col(FILL).unwrap_or_default();
    let (code, item, label) = (col(CODE), col("项目"), col("数据"));
    if code.is_none() && (item.is_none() || label.is_none()) {
        return Err(vec![
            "表头缺少“项目”“数据”列（或隐藏的“代码”列），无法知道每一行是哪项数据；请重新下载自查填报表".into(),
        ]);
    }
    let mut problems = Vec::new();
    let mut out: Vec<Filled> = Vec::new();
    for (r, row) in cells.iter().enumerate().skip(h + 1) {
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(|s| s.trim()).unwrap_or("");
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = r + 1;
        let at = format!("{}{line}", column_name(fill));
        let slot = match (get(code), get(item), get(label)) {
            (key, _, _) if !key.is_empty() => rubric.slot(key),
            (_, i, l) => (0..rubric.inputs().len()).find(|&s| {
                let input = rubric.input(s);
                input.label == l && input.item.is_some_and(|ii| rubric.item_ref(ii) == i)
            }),
        };
        let Some(slot) = slot else {
            problems.push(format!(
                "第 {line} 行（{} {}）：细则里没有这项数据；请重新下载自查填报表",
                get(item),
                get(label)
            ));
            continue;
        };
        let name = format!(
            "{} {}",
            rubric.item_ref(rubric.input(slot).item.unwrap_or_default()),
            rubric.input(slot).label
        );
        if let Err(why) = may(slot) {
            problems.push(format!("第 {line} 行（{name}）：{why}"));
            continue;
        }
        if out.iter().any(|f| f.slot == slot) {
            problems.push(format!("第 {line} 行（{name}）：这项数据在表中出现了两次"));
            continue;
        }
        let typed = get(Some(fill)).to_string();
        match rubric.parse_value(slot, &typed) {
            Ok(value) => out.push(Filled {
                slot,
                value,
                typed,
                cell: at,
            }),
            Err(e) => problems.push(format!("{at} 单元格（{name}）的值“{typed}”：{e}")),
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push("“填写”列下面没有任何数据行".into());
    }
    problems.truncate(50);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
