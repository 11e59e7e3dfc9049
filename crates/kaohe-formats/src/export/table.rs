//! One unit's official table, laid out like the annex it was scored by: 考核内容 (the
//! category, merged over its rows) | 分值 (category, item) | 评分标准 | 自查分 | 考核分;
//! then each category's subtotal, the base total, the bonus, the total, the grade and the
//! rank; then the lines a stamped copy is signed on.

use docx_rs::{AlignmentType, LineSpacing, Paragraph, Tab, TabValueType, TableRow, VMergeType};
use kaohe_core::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

use super::docx_kit::{self as dk, SONG, size};
use super::xlsx_kit as xk;
use super::{ExportError, Pair, Results, UnitResult, num};

/// Column widths of the docx table, in twips; they add up to the text width of an A4
/// page in portrait (17 cm).
const DOCX_COLS: [usize; 6] = [1134, 850, 680, 5274, 850, 850];
/// Column widths of the xlsx table, in Excel's character units.
const XLSX_COLS: [f64; 6] = [10.0, 7.0, 6.0, 58.0, 8.0, 8.0];
/// The criteria column.
const CRITERIA: usize = 3;

/// The signature lines a stamped copy needs.
pub const SIGNATURES: [&str; 3] = ["填报单位（盖章）：", "考核组：", "日期："];

/// The subtitle under a table's title: unit, campaign, when computed.
fn subtitle(r: &Results, u: &UnitResult) -> String {
    let mut parts = vec![format!("单位：{}", u.name)];
    if !r.title.is_empty() {
        parts.push(format!("考核任务：{}", r.title));
    }
    if !r.computed.is_empty() {
        parts.push(format!("结果计算于 {}", r.computed));
    }
    parts.join("　　")
}

/// A row under the items of a unit table: a subtotal or total with a note and both
/// columns, or (the grade, the rank) a text across the note and score columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRow {
    pub label: String,
    pub note: String,
    /// Both columns; `None` for a row of text.
    pub scores: Option<Pair>,
}

/// The rows under a unit table's items, as the .docx, the .xlsx and the print view show
/// them: each category's subtotal, the base total, the bonus, the total, grade and rank.
pub fn total_rows(r: &Results, u: &UnitResult) -> Vec<TotalRow> {
    let row = |label: String, note: String, scores: Option<Pair>| TotalRow {
        label,
        note,
        scores,
    };
    let mut rows = Vec::new();
    for (ci, c) in r.categories.iter().enumerate() {
        let note = match c.points {
            Some(p) => format!("满分 {} 分", num(p)),
            None => "加分项".to_string(),
        };
        rows.push(row(
            format!("{} 小计", c.name),
            note,
            Some(u.categories[ci]),
        ));
    }
    rows.push(row(
        "基础分合计".into(),
        format!("满分 {} 分", num(r.base_points())),
        Some(u.base),
    ));
    if r.categories.iter().any(|c| c.points.is_none()) {
        rows.push(row("加分".into(), "加分项合计".into(), Some(u.bonus)));
    }
    rows.push(row("总分".into(), "基础分 + 加分".into(), Some(u.total)));
    rows.push(row(
        "等次".into(),
        if u.grade.is_empty() {
            "—（细则未设等次）".into()
        } else {
            u.grade.clone()
        },
        None,
    ));
    rows.push(row(
        "排名".into(),
        format!("第 {} 名（共 {} 个单位）", u.rank_text(), r.units.len()),
        None,
    ));
    rows
}

/// What a category's points cell says: `30`, or `加分项` for a bonus category.
pub fn category_points_text(points: Option<Decimal>) -> String {
    points.map(num).unwrap_or_else(|| "加分项".to_string())
}

/// The unit table as a Word document.
pub fn unit_table_docx(r: &Results, unit: &str) -> Result<Vec<u8>, ExportError> {
    let u = r.unit(unit)?;
    let w = DOCX_COLS;
    let c = AlignmentType::Center;
    let mut rows = vec![
        TableRow::new(vec![
            dk::header_cell("考核内容", w[0], size::WU),
            dk::header_cell("分值", w[1] + w[2], size::WU).grid_span(2),
            dk::header_cell("评分标准", w[3], size::WU),
            dk::header_cell("自查分", w[4], size::WU),
            dk::header_cell("考核分", w[5], size::WU),
        ])
        .cant_split(),
    ];
    for (ci, cat) in r.categories.iter().enumerate() {
        for (n, ii) in r.category_items(ci).enumerate() {
            let item = &r.items[ii];
            let s = u.items[ii].score;
            // The category's two cells start a vertical merge on its first row and
            // continue it below, as the annex has them.
            let (name, points) = if n == 0 {
                (
                    dk::cell(&cat.name, w[0], size::WU, c).vertical_merge(VMergeType::Restart),
                    dk::cell(&category_points_text(cat.points), w[1], size::WU, c)
                        .vertical_merge(VMergeType::Restart),
                )
            } else {
                (
                    dk::cell("", w[0], size::WU, c).vertical_merge(VMergeType::Continue),
                    dk::cell("", w[1], size::WU, c).vertical_merge(VMergeType::Continue),
                )
            };
            rows.push(
                TableRow::new(vec![
                    name,
                    points,
                    dk::cell(&item.points.map(num).unwrap_or_default(), w[2], size::WU, c),
                    dk::cell(&item.criteria, w[3], size::WU, AlignmentType::Both),
                    dk::cell(&num(s.self_score), w[4], size::WU, c),
                    dk::cell(&num(s.score), w[5], size::WU, c),
                ])
                // A row stays on one page, so that criteria and scores are read together.
                .cant_split(),
            );
        }
    }
    for t in total_rows(r, u) {
        let label = dk::bold_cell(&t.label, w[0] + w[1] + w[2], size::WU, c).grid_span(3);
        let row = match t.scores {
            Some(p) => vec![
                label,
                dk::cell(&t.note, w[3], size::WU, c),
                dk::bold_cell(&num(p.self_score), w[4], size::WU, c),
                dk::bold_cell(&num(p.score), w[5], size::WU, c),
            ],
            None => vec![
                label,
                dk::bold_cell(&t.note, w[3] + w[4] + w[5], size::WU, c).grid_span(3),
            ],
        };
        rows.push(TableRow::new(row).cant_split());
    }
    let table = dk::table(rows, &w);

    let mut docx = dk::mark_demo(dk::document(false), r.demo).add_paragraph(dk::bold(
        &r.rubric_title,
        SONG,
        size::XIAO_ER,
        AlignmentType::Center,
    ));
    if !r.title.is_empty() {
        docx = docx.add_paragraph(dk::para(&r.title, SONG, size::XIAO_SI, c));
    }
    // The unit on the left, when the results were computed on the right.
    let mut line = Paragraph::new()
        .add_tab(
            Tab::new()
                .val(TabValueType::Right)
                .pos(dk::text_width(false)),
        )
        .add_run(dk::run(&format!("单位：{}", u.name), SONG, size::XIAO_SI).bold());
    if !r.computed.is_empty() {
        line = line
            .add_run(dk::run("", SONG, size::WU).add_tab())
            .add_run(dk::run(
                &format!("结果计算于 {}", r.computed),
                SONG,
                size::WU,
            ));
    }
    docx = docx
        .add_paragraph(line.line_spacing(LineSpacing::new().before(120).after(60)))
        .add_table(table)
        .add_paragraph(dk::gap(SONG, size::XIAO_SI));
    docx = docx.add_paragraph(signature_line(&SIGNATURES[..2]));
    docx = docx.add_paragraph(dk::gap(SONG, size::XIAO_SI));
    docx = docx.add_paragraph(
        Paragraph::new()
            .add_run(dk::run(SIGNATURES[2], SONG, size::XIAO_SI))
            .add_run(blank(6))
            .add_run(dk::run("年", SONG, size::XIAO_SI))
            .add_run(blank(3))
            .add_run(dk::run("月", SONG, size::XIAO_SI))
            .add_run(blank(3))
            .add_run(dk::run("日", SONG, size::XIAO_SI)),
    );
    dk::pack(docx)
}

/// An underlined blank `n` full-width spaces long, to be written on.
fn blank(n: usize) -> docx_rs::Run {
    dk::run(&"\u{3000}".repeat(n), SONG, size::XIAO_SI).underline("single")
}

fn signature_line(labels: &[&str]) -> Paragraph {
    let mut p = Paragraph::new();
    for (n, label) in labels.iter().enumerate() {
        if n > 0 {
            p = p.add_run(dk::run("\u{3000}\u{3000}", SONG, size::XIAO_SI));
        }
        p = p
            .add_run(dk::run(label, SONG, size::XIAO_SI))
            .add_run(blank(10));
    }
    p
}

/// The unit table as an Excel workbook of one sheet, set up to print on A4.
pub fn unit_table_xlsx(r: &Results, unit: &str) -> Result<Vec<u8>, ExportError> {
    let u = r.unit(unit)?;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(xk::sheet_name(&u.name))?;
    xk::mark_demo(ws, r.demo);
    for (col, width) in XLSX_COLS.iter().enumerate() {
        ws.set_column_width(col as u16, *width)?;
    }
    let title = xk::plain(16.0).set_bold().set_align(FormatAlign::Center);
    let info = xk::plain(xk::TEXT_PT);
    let header = xk::header();
    let centred = xk::centred();
    let left = xk::cell().set_align(FormatAlign::Left);
    let bold = centred.clone().set_bold();

    ws.merge_range(0, 0, 0, 5, &r.rubric_title, &title)?;
    ws.set_row_height(0, 30)?;
    ws.merge_range(1, 0, 1, 5, &subtitle(r, u), &info)?;
    ws.set_row_height(1, 20)?;
    let head = 2;
    ws.write_string_with_format(head, 0, "考核内容", &header)?;
    ws.merge_range(head, 1, head, 2, "分值", &header)?;
    ws.write_string_with_format(head, 3, "评分标准", &header)?;
    ws.write_string_with_format(head, 4, "自查分", &header)?;
    ws.write_string_with_format(head, 5, "考核分", &header)?;
    ws.set_row_height(head, 22)?;

    let mut row = head + 1;
    for (ci, cat) in r.categories.iter().enumerate() {
        let items = r.category_items(ci);
        if items.is_empty() {
            continue;
        }
        let first = row;
        for ii in items {
            let item = &r.items[ii];
            let s = u.items[ii].score;
            match item.points {
                Some(p) => xk::write_score(ws, row, 2, p, &centred)?,
                None => {
                    ws.write_blank(row, 2, &centred)?;
                }
            }
            ws.write_string_with_format(row, 3, &item.criteria, &left)?;
            xk::write_score(ws, row, 4, s.self_score, &centred)?;
            xk::write_score(ws, row, 5, s.score, &centred)?;
            let lines = xk::lines_in(&item.criteria, XLSX_COLS[CRITERIA]);
            ws.set_row_height(row, xk::height_for(lines))?;
            row += 1;
        }
        let last = row - 1;
        merge_or_write(ws, first, last, 0, &cat.name, &centred)?;
        match cat.points {
            Some(p) => {
                merge_or_write(ws, first, last, 1, "", &centred)?;
                xk::write_score(ws, first, 1, p, &centred)?;
            }
            None => merge_or_write(ws, first, last, 1, "加分项", &centred)?,
        }
    }
    for t in total_rows(r, u) {
        ws.merge_range(row, 0, row, 2, &t.label, &bold)?;
        match t.scores {
            Some(p) => {
                ws.write_string_with_format(row, 3, &t.note, &centred)?;
                xk::write_score(ws, row, 4, p.self_score, &bold)?;
                xk::write_score(ws, row, 5, p.score, &bold)?;
            }
            None => {
                ws.merge_range(row, 3, row, 5, &t.note, &bold)?;
            }
        }
        ws.set_row_height(row, 20)?;
        row += 1;
    }
    // The signature lines, without borders, under the table.
    let sign = xk::plain(12.0);
    row += 1;
    ws.merge_range(
        row,
        0,
        row,
        5,
        &format!(
            "{}{}　　{}{}",
            SIGNATURES[0],
            "＿".repeat(12),
            SIGNATURES[1],
            "＿".repeat(12)
        ),
        &sign,
    )?;
    ws.set_row_height(row, 28)?;
    row += 1;
    ws.merge_range(
        row,
        0,
        row,
        5,
        &format!("{}＿＿＿＿年＿＿月＿＿日", SIGNATURES[2]),
        &sign,
    )?;
    ws.set_row_height(row, 28)?;

    xk::page_setup(ws, false, (head, head))?;
    ws.set_freeze_panes(head + 1, 0)?;
    Ok(wb.save_to_buffer()?)
}

/// Merges rows `first..=last` of a column, or writes the one cell when there is one row.
fn merge_or_write(
    ws: &mut rust_xlsxwriter::Worksheet,
    first: u32,
    last: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), ExportError> {
    if first == last {
        ws.write_string_with_format(first, col, text, format)?;
    } else {
        ws.merge_range(first, col, last, col, text, format)?;
    }
    Ok(())
}
