//! The annex as an Excel workbook (.xlsx), read with calamine. Merged regions (the
//! category column merged down its items, 加分项 across two points columns) leave their
//! covered cells marked as merged, as in a Word table.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::Annex;
use super::grid::{Cell, Grid, interpret};

pub(crate) fn read(bytes: &[u8]) -> Result<Annex, String> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| {
        "Excel 文件打不开（文件已损坏、已加密，或不是 .xlsx 格式）；请在 Excel/WPS 中打开后重新另存为 .xlsx 再导入"
            .to_string()
    })?;
    let names = book.sheet_names();
    if names.is_empty() {
        return Err("Excel 文件里没有工作表；请确认选对了文件".to_string());
    }
    let mut first_error = None;
    for name in &names {
        let range = match book.worksheet_range(name) {
            Ok(r) => r,
            Err(_) => {
                first_error.get_or_insert(format!(
                    "工作表“{name}”读不出（内容已损坏）；请在 Excel/WPS 中打开后重新另存为 .xlsx 再导入"
                ));
                continue;
            }
        };
        let (height, width) = range.get_size();
        if height == 0 || width == 0 {
            continue;
        }
        if height > super::MAX_ROWS || width > 200 {
            first_error.get_or_insert(format!(
                "工作表“{name}”有 {height} 行 {width} 列，太大，不像评分细则；请确认选对了文件"
            ));
            continue;
        }
        let merges = book.merge_cells_by_sheet_name(name).unwrap_or_default();
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut grid = Grid {
            aligned: true,
            ..Grid::default()
        };
        for r in 0..height {
            let mut row = Vec::with_capacity(width);
            for c in 0..width {
                let (ar, ac) = (top + r as u32, left + c as u32);
                let covered = merges.iter().any(|m| {
                    m.start.0 <= ar
                        && ar <= m.end.0
                        && m.start.1 <= ac
                        && ac <= m.end.1
                        && (ar, ac) != m.start
                });
                if covered {
                    row.push(Cell::merged());
                    continue;
                }
                let text = match range.get((r, c)) {
                    None | Some(Data::Empty) | Some(Data::Error(_)) => String::new(),
                    Some(d) => d.to_string(),
                };
                row.push(Cell::new(text));
            }
            grid.rows.push(row);
        }
        match interpret(grid, "xlsx") {
            Ok(annex) => return Ok(annex),
            Err(e) => {
                first_error.get_or_insert(if names.len() > 1 {
                    format!("（各工作表都没有评分表）{e}")
                } else {
                    e
                });
            }
        }
    }
    Err(first_error.unwrap_or_else(|| "Excel 文件的工作表都是空的；请确认选对了文件".to_string()))
}
