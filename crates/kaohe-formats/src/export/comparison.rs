//! A what-if (新旧细则对比) as a workbook: each unit's total and rank under the current
//! rubric and the tried one, the changes, and the items whose points moved.

use kaohe_core::Decimal;
use rust_xlsxwriter::{FormatAlign, Workbook};

use super::ExportError;
use super::xlsx_kit as xk;

/// One unit under both rubrics.
#[derive(Debug, Clone)]
pub struct CompareRow {
    pub unit: String,
    pub before: Decimal,
    pub rank_before: usize,
    pub after: Decimal,
    pub rank_after: usize,
    /// `良好 → 合格`, empty when the grade did not change.
    pub grade: String,
}

/// The what-if to write: which rubrics, the units in the tried rubric's ranked order, the
/// items that moved (name, change summed over units), the facts the data lacks.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub old: String,
    pub new: String,
    pub rows: Vec<CompareRow>,
    pub moves: Vec<(String, Decimal)>,
    pub lacking: Vec<String>,
    pub demo: bool,
}

pub fn comparison_xlsx(c: &Comparison) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let title = xk::plain(14.0).set_bold();
    let info = xk::plain(xk::TEXT_PT);
    let header = xk::header();
    let centred = xk::centred();
    let left = xk::cell().set_align(FormatAlign::Left);
    let ws = wb.add_worksheet();
    ws.set_name("各单位")?;
    ws.write_with_format(0, 0, "新旧细则对比", &title)?;
    ws.write_with_format(1, 0, format!("现行：{}；试算：{}", c.old, c.new), &info)?;
    let heads = [
        "单位",
        "现行总分",
        "现行名次",
        "试算总分",
        "试算名次",
        "分数变化",
        "名次变化",
        "等次变化",
    ];
    for (col, h) in heads.iter().enumerate() {
        ws.write_with_format(3, col as u16, *h, &header)?;
        ws.set_column_width(col as u16, if col == 0 || col == 7 { 16.0 } else { 10.0 })?;
    }
    for (k, r) in c.rows.iter().enumerate() {
        let row = 4 + k as u32;
        ws.write_with_format(row, 0, &r.unit, &left)?;
        xk::write_score(ws, row, 1, r.before, &centred)?;
        ws.write_number_with_format(row, 2, r.rank_before as f64, &centred)?;
        xk::write_score(ws, row, 3, r.after, &centred)?;
        ws.write_number_with_format(row, 4, r.rank_after as f64, &centred)?;
        let delta = r.after - r.before;
        let f = centred.clone().set_num_format(xk::delta_format(delta));
        ws.write_number_with_format(row, 5, xk::to_f64(delta), &f)?;
        let moved = r.rank_before as i64 - r.rank_after as i64;
        let moved = match moved {
            0 => "—".to_string(),
            m if m > 0 => format!("↑{m}"),
            m => format!("↓{}", -m),
        };
        ws.write_with_format(row, 6, moved, &centred)?;
        ws.write_with_format(row, 7, &r.grade, &centred)?;
    }
    xk::page_setup(ws, true, (3, 3))?;
    xk::mark_demo(ws, c.demo);

    let ws = wb.add_worksheet();
    ws.set_name("项目变化")?;
    ws.write_with_format(0, 0, "得分变化的项目（各单位合计）", &title)?;
    ws.write_with_format(2, 0, "项目", &header)?;
    ws.write_with_format(2, 1, "变化", &header)?;
    ws.set_column_width(0, 48.0)?;
    ws.set_column_width(1, 10.0)?;
    for (k, (name, d)) in c.moves.iter().enumerate() {
        let row = 3 + k as u32;
        ws.write_with_format(row, 0, name, &left)?;
        let f = centred.clone().set_num_format(xk::delta_format(*d));
        ws.write_number_with_format(row, 1, xk::to_f64(*d), &f)?;
    }
    let after = 4 + c.moves.len() as u32;
    if !c.lacking.is_empty() {
        ws.write_with_format(after, 0, "试算细则需要、数据里没有的（按未填计）：", &info)?;
        for (k, l) in c.lacking.iter().enumerate() {
            ws.write_with_format(after + 1 + k as u32, 0, l, &left)?;
        }
    }
    xk::page_setup(ws, false, (2, 2))?;
    xk::mark_demo(ws, c.demo);
    Ok(wb.save_to_buffer()?)
}
