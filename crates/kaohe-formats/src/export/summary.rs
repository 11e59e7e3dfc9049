//! The campaign's summary workbook: the ranking (排名), a sheet per category with every
//! unit's item scores, and the explanations (理由) of every score. Header rows are
//! frozen and print on every page; pages are A4, landscape where the sheet is wide.

use kaohe_core::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet};

use super::xlsx_kit as xk;
use super::{ExportError, Results, num};

/// Rows above the header: the title and a line saying what the sheet is.
const HEAD: u32 = 2;

/// The summary workbook.
pub fn summary_xlsx(r: &Results) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let mut names = Vec::new();
    ranking_sheet(r, wb.add_worksheet(), &mut names)?;
    for ci in 0..r.categories.len() {
        category_sheet(r, ci, wb.add_worksheet(), &mut names)?;
    }
    // A row per unit and item, written in order: straight to a temporary file, not
    // held in memory (tens of megabytes at a province's 1,400 units).
    explanations_sheet(r, wb.add_worksheet_with_constant_memory()?, &mut names)?;
    for ws in wb.worksheets_mut() {
        xk::mark_demo(ws, r.demo);
    }
    Ok(wb.save_to_buffer()?)
}

/// Names a sheet, never twice the same.
fn name_sheet(
    ws: &mut Worksheet,
    wanted: &str,
    names: &mut Vec<String>,
) -> Result<(), ExportError> {
    let base = xk::sheet_name(wanted);
    let mut name = base.clone();
    let mut n = 2;
    while names.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
        name = xk::sheet_name(&format!("{base}{n}"));
        n += 1;
    }
    ws.set_name(&name)?;
    names.push(name);
    Ok(())
}

/// The title and the line under it, over `cols` columns.
fn title(ws: &mut Worksheet, cols: u16, title: &str, note: &str) -> Result<(), ExportError> {
    let t = xk::plain(16.0).set_bold().set_align(FormatAlign::Center);
    ws.merge_range(0, 0, 0, cols - 1, title, &t)?;
    ws.set_row_height(0, 30)?;
    ws.merge_range(1, 0, 1, cols - 1, note, &xk::plain(xk::TEXT_PT))?;
    ws.set_row_height(1, 20)?;
    Ok(())
}

fn note(r: &Results, what: &str) -> String {
    let mut parts = vec![what.to_string()];
    if !r.rubric_title.is_empty() {
        parts.push(format!("细则：{}", r.rubric_title));
    }
    if !r.computed.is_empty() {
        parts.push(format!("计算于 {}", r.computed));
    }
    parts.join("　　")
}

fn header_row(ws: &mut Worksheet, cells: &[String], height: f64) -> Result<(), ExportError> {
    let h = xk::header();
    for (c, text) in cells.iter().enumerate() {
        ws.write_string_with_format(HEAD, c as u16, text, &h)?;
    }
    ws.set_row_height(HEAD, height)?;
    Ok(())
}

fn ranking_sheet(
    r: &Results,
    ws: &mut Worksheet,
    names: &mut Vec<String>,
) -> Result<(), ExportError> {
    name_sheet(ws, "排名", names)?;
    let mut cols: Vec<String> = vec!["排名".into(), "单位".into()];
    for c in &r.categories {
        cols.push(match c.points {
            Some(p) => format!("{}\n（{}分）", c.name, num(p)),
            None => format!("{}\n（加分项）", c.name),
        });
    }
    cols.extend(
        [
            "基础分",
            "加分",
            "总分",
            "等次",
            "自查总分",
            "差距\n（考核−自查）",
        ]
        .map(String::from),
    );
    let n = cols.len() as u16;
    title(
        ws,
        n,
        &format!("{} 考核结果排名", heading(r)),
        &note(r, "排名按考核总分；总分相同者并列"),
    )?;
    header_row(ws, &cols, 36.0)?;
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 14)?;
    for c in 2..n {
        ws.set_column_width(c, 10)?;
    }
    let centred = xk::centred();
    let bold = centred.clone().set_bold();
    for (k, u) in r.units.iter().enumerate() {
        let row = HEAD + 1 + k as u32;
        // The rank stays a number (it sorts); a tie is shown by its format.
        let rank_format = if u.tie {
            centred.clone().set_num_format("0\"（并列）\"")
        } else {
            centred.clone().set_num_format("0")
        };
        ws.write_number_with_format(row, 0, u.rank as f64, &rank_format)?;
        ws.write_string_with_format(row, 1, &u.name, &centred)?;
        let mut col = 2;
        for p in &u.categories {
            xk::write_score(ws, row, col, p.score, &centred)?;
            col += 1;
        }
        xk::write_score(ws, row, col, u.base.score, &centred)?;
        xk::write_score(ws, row, col + 1, u.bonus.score, &centred)?;
        xk::write_score(ws, row, col + 2, u.total.score, &bold)?;
        ws.write_string_with_format(row, col + 3, &u.grade, &centred)?;
        xk::write_score(ws, row, col + 4, u.total.self_score, &centred)?;
        let gap = u.gap();
        let f = centred.clone().set_num_format(xk::delta_format(gap));
        ws.write_number_with_format(row, col + 5, xk::to_f64(gap), &f)?;
        ws.set_row_height(row, 20)?;
    }
    xk::page_setup(ws, n > 8, (HEAD, HEAD))?;
    ws.set_freeze_panes(HEAD + 1, 2)?;
    ws.set_active(true);
    Ok(())
}

fn category_sheet(
    r: &Results,
    ci: usize,
    ws: &mut Worksheet,
    names: &mut Vec<String>,
) -> Result<(), ExportError> {
    let cat = &r.categories[ci];
    name_sheet(ws, &cat.name, names)?;
    let items = r.category_items(ci);
    let mut cols: Vec<String> = vec!["排名".into(), "单位".into()];
    for ii in items.clone() {
        let item = &r.items[ii];
        let points = item
            .points
            .map(|p| format!("{}分", num(p)))
            .unwrap_or_else(|| "加分".into());
        cols.push(format!("{}\n{}\n（{points}）", item.reference, item.name));
    }
    cols.push(match cat.points {
        Some(p) => format!("小计\n（{}分）", num(p)),
        None => "小计".into(),
    });
    let n = cols.len() as u16;
    title(
        ws,
        n,
        &format!("{} · {}", heading(r), cat.name),
        &note(r, "各单位各项考核分"),
    )?;
    let longest = cols
        .iter()
        .map(|c| xk::lines_in(c, 12.0))
        .max()
        .unwrap_or(1);
    header_row(ws, &cols, xk::height_for(longest))?;
    ws.set_column_width(0, 8)?;
    ws.set_column_width(1, 14)?;
    for c in 2..n {
        ws.set_column_width(c, 12)?;
    }
    let centred = xk::centred();
    let bold = centred.clone().set_bold();
    let mut row = HEAD + 1;
    for u in &r.units {
        ws.write_string_with_format(row, 0, u.rank_text(), &centred)?;
        ws.write_string_with_format(row, 1, &u.name, &centred)?;
        for (k, ii) in items.clone().enumerate() {
            xk::write_score(ws, row, 2 + k as u16, u.items[ii].score.score, &centred)?;
        }
        xk::write_score(ws, row, n - 1, u.categories[ci].score, &bold)?;
        ws.set_row_height(row, 20)?;
        row += 1;
    }
    // The average of each column over the units, to two places.
    if !r.units.is_empty() {
        let units = Decimal::from(r.units.len());
        let avg = |sum: Decimal| (sum / units).round_dp(2);
        let fmt: Format = centred.clone().set_background_color("#F2F2F2");
        ws.merge_range(row, 0, row, 1, "平均", &fmt.clone().set_bold())?;
        for (k, ii) in items.clone().enumerate() {
            let sum: Decimal = r.units.iter().map(|u| u.items[ii].score.score).sum();
            xk::write_score(ws, row, 2 + k as u16, avg(sum), &fmt)?;
        }
        let sum: Decimal = r.units.iter().map(|u| u.categories[ci].score).sum();
        xk::write_score(ws, row, n - 1, avg(sum), &fmt.clone().set_bold())?;
        ws.set_row_height(row, 20)?;
    }
    xk::page_setup(ws, n > 8, (HEAD, HEAD))?;
    ws.set_freeze_panes(HEAD + 1, 2)?;
    Ok(())
}

/// Column widths of the explanations sheet.
const EXPLAIN_COLS: [(&str, f64); 8] = [
    ("单位", 12.0),
    ("项目", 20.0),
    ("分值", 6.0),
    ("自查分", 7.0),
    ("考核分", 7.0),
    ("考核分的理由", 52.0),
    ("自查分的理由", 44.0),
    ("考核分与自查分不同的说明", 24.0),
];

fn explanations_sheet(
    r: &Results,
    ws: &mut Worksheet,
    names: &mut Vec<String>,
) -> Result<(), ExportError> {
    name_sheet(ws, "理由", names)?;
    let cols: Vec<String> = EXPLAIN_COLS.iter().map(|(c, _)| c.to_string()).collect();
    let n = cols.len() as u16;
    title(
        ws,
        n,
        &format!("{} · 每一分的理由", heading(r)),
        &note(r, "每个单位每一项的得分及其理由"),
    )?;
    header_row(ws, &cols, 22.0)?;
    for (c, (_, w)) in EXPLAIN_COLS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let centred = xk::centred();
    let left = xk::cell().set_align(FormatAlign::Left);
    let mut row = HEAD + 1;
    for u in &r.units {
        for (ii, item) in r.items.iter().enumerate() {
            let res = &u.items[ii];
            let item_text = format!("{} {}", item.reference, item.name);
            let explanation = res.explanation.join("\n");
            let self_explanation = res.self_explanation.join("\n");
            let reason = res.reason.clone().unwrap_or_default();
            ws.write_string_with_format(row, 0, &u.name, &centred)?;
            ws.write_string_with_format(row, 1, &item_text, &left)?;
            match item.points {
                Some(p) => xk::write_score(ws, row, 2, p, &centred)?,
                None => {
                    ws.write_string_with_format(row, 2, "加分", &centred)?;
                }
            }
            xk::write_score(ws, row, 3, res.score.self_score, &centred)?;
            xk::write_score(ws, row, 4, res.score.score, &centred)?;
            ws.write_string_with_format(row, 5, &explanation, &left)?;
            ws.write_string_with_format(row, 6, &self_explanation, &left)?;
            ws.write_string_with_format(row, 7, &reason, &left)?;
            let lines = [
                xk::lines_in(&item_text, EXPLAIN_COLS[1].1),
                xk::lines_in(&explanation, EXPLAIN_COLS[5].1),
                xk::lines_in(&self_explanation, EXPLAIN_COLS[6].1),
                xk::lines_in(&reason, EXPLAIN_COLS[7].1),
            ]
            .into_iter()
            .max()
            .unwrap_or(1);
            ws.set_row_height(row, xk::height_for(lines))?;
            row += 1;
        }
    }
    xk::page_setup(ws, true, (HEAD, HEAD))?;
    ws.set_freeze_panes(HEAD + 1, 2)?;
    Ok(())
}

/// What a sheet's title starts with: the campaign, else the rubric.
fn heading(r: &Results) -> &str {
    if r.title.is_empty() {
        &r.rubric_title
    } else {
        &r.title
    }
}
