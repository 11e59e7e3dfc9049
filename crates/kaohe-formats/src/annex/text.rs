//! The annex as plain text. Two shapes are read:
//!
//! - a Word table flattened to text, as the seed is: every cell on a line of its own
//!   starting with a tab (a cell's further paragraphs continue on lines without one),
//!   rows separated by an empty line, and a page break (a line starting with a space or
//!   form feed before its tab) also ending a row;
//! - tab-separated rows, one table row a line, as a table copied out of Excel or Word.

use super::Annex;
use super::grid::{Cell, Grid, interpret};

pub(crate) fn read(text: &str) -> Result<Annex, String> {
    let lines: Vec<&str> = text.lines().collect();
    // A flattened cell is one tab and its text; a tab-separated row has tabs between its
    // cells, and one led by a tab has an empty first cell (a category continued).
    let tab_led = lines
        .iter()
        .filter(|l| l.starts_with('\t') && !l[1..].trim_end().contains('\t'))
        .count();
    let tab_inside = lines
        .iter()
        .filter(|l| l.trim_start_matches('\t').trim_end().contains('\t'))
        .count();
    let grid = if tab_led >= 3 && tab_led >= tab_inside {
        flattened(&lines)
    } else if tab_inside >= 2 {
        tab_separated(&lines)
    } else {
        let owned: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        if super::prose::looks_like_prose(&owned) {
            return super::prose::read(&owned, "text");
        }
        return Err(
            "文本里没有找到评分表，也没有带分值的标题和编号条目：评分细则文本应是 Word 表格复制出的文字（每格一行、以制表符开头，行与行之间空一行），或每行一个表格行、各格以制表符分隔，或是正文形式（“一、组织领导（20分）”下列“1. ……（5分）。未落实的扣2分”）；请从 Word/WPS/Excel 中复制整张表格，或直接导入 .docx/.xlsx 文件".to_string(),
        );
    };
    interpret(grid, "text")
}

fn flattened(lines: &[&str]) -> Grid {
    let mut grid = Grid::default();
    let mut row: Vec<Cell> = Vec::new();
    let mut cell: Option<String> = None;
    let flush_cell = |row: &mut Vec<Cell>, cell: &mut Option<String>| {
        if let Some(text) = cell.take() {
            row.push(Cell::new(text.trim().to_string()));
        }
    };
    for line in lines {
        let lead_len = line.len() - line.trim_start().len();
        let lead = &line[..lead_len];
        if line.trim().is_empty() && !lead.contains('\t') {
            flush_cell(&mut row, &mut cell);
            if !row.is_empty() {
                grid.rows.push(std::mem::take(&mut row));
            }
            continue;
        }
        if let Some(tab) = lead.find('\t') {
            if tab > 0 {
                // A page break before the cell: the row above has ended.
                flush_cell(&mut row, &mut cell);
                if !row.is_empty() {
                    grid.rows.push(std::mem::take(&mut row));
                }
            }
            flush_cell(&mut row, &mut cell);
            cell = Some(line[tab + 1..].trim_end().to_string());
            continue;
        }
        match cell.as_mut() {
            Some(text) => {
                // A cell's next paragraph.
                text.push('\n');
                text.push_str(line.trim());
            }
            None if grid.rows.is_empty() && row.is_empty() => {
                grid.preamble.push(line.trim().to_string())
            }
            None => {
                // A line of its own between rows: a heading row such as 一、基础工作（30分）.
                flush_cell(&mut row, &mut cell);
                if !row.is_empty() {
                    grid.rows.push(std::mem::take(&mut row));
                }
                grid.rows.push(vec![Cell::new(line.trim().to_string())]);
            }
        }
    }
    flush_cell(&mut row, &mut cell);
    if !row.is_empty() {
        grid.rows.push(row);
    }
    grid
}

fn tab_separated(lines: &[&str]) -> Grid {
    let mut grid = Grid {
        aligned: true,
        ..Grid::default()
    };
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        if !line.contains('\t') && grid.rows.is_empty() {
            grid.preamble.push(line.trim().to_string());
            continue;
        }
        grid.rows.push(
            line.split('\t')
                .map(|c| Cell::new(c.trim().trim_matches('"').to_string()))
                .collect(),
        );
    }
    grid
}
