//! Rectification (整改) documents: a unit's 整改通知 (.docx, laid out as a 公文 like the
//! 通报: the problems found, the deadline, what the unit must report) and the district's
//! 整改台账 (.xlsx: every problem, its state, dates and who signed it off). Both A4 and
//! printable; built from plain [`Rectification`] data the web application fills in.

use docx_rs::{AlignmentType, TableRow};
use kaohe_core::Decimal;
use rust_xlsxwriter::{FormatAlign, Workbook};

use super::bulletin::{body, body_plain, right, section, title, widths};
use super::docx_kit::{self as dk, size};
use super::xlsx_kit as xk;
use super::{ExportError, num};

/// One problem as the documents show it: every field already in words.
#[derive(Debug, Clone, Default)]
pub struct RectifyProblem {
    pub unit: String,
    /// `基础工作第1项 组织领导`.
    pub item: String,
    /// What was found.
    pub found: String,
    /// Points lost; `None` for a problem found at an inspection.
    pub points: Option<Decimal>,
    /// What would put it right.
    pub remedy: String,
    pub department: String,
    /// `YYYY-MM-DD`, or empty when none is set.
    pub deadline: String,
    pub measures: String,
    pub responsible: String,
    pub planned_date: String,
    /// `已销号`, `待销号`…
    pub state: String,
    /// When the unit reported it done (`YYYY-MM-DD HH:MM`), or empty.
    pub reported: String,
    pub report: String,
    /// The department's remark, the reason it was returned, or why it was dropped.
    pub answer: String,
    pub answered_by: String,
    pub answered_at: String,
    pub overdue: bool,
}

/// A campaign's rectification.
#[derive(Debug, Clone, Default)]
pub struct Rectification {
    /// Who runs the assessment (the district), for the notice's signature.
    pub organiser: String,
    /// The campaign, e.g. 2026年度流动人口服务管理考核.
    pub title: String,
    /// The campaign's deadline for rectification, or empty.
    pub deadline: String,
    /// Today (`YYYY-MM-DD`), as the ledger is dated.
    pub today: String,
    pub problems: Vec<RectifyProblem>,
    pub demo: bool,
}

/// A unit's 整改通知: its problems still to be rectified or done (not the dropped ones),
/// the deadline, and what to report.
pub fn notice_docx(r: &Rectification, unit: &str) -> Result<Vec<u8>, ExportError> {
    let mine: Vec<&RectifyProblem> = r
        .problems
        .iter()
        .filter(|p| p.unit == unit && p.state != "已撤销")
        .collect();
    let organiser = if r.organiser.is_empty() {
        "【发文单位】".to_string()
    } else {
        r.organiser.clone()
    };
    let lost: Decimal = mine.iter().filter_map(|p| p.points).sum();
    let mut docx = dk::gongwen(r.demo.then_some(dk::DEMO_MARK))
        .add_paragraph(title(&format!("关于{unit}{}问题整改的通知", r.title)))
        .add_paragraph(body_plain(""))
        .add_paragraph(body_plain(&format!("{unit}：")));
    let intro = if mine.is_empty() {
        format!("根据{}结果，你单位没有需要整改的问题。", r.title)
    } else if lost > Decimal::ZERO {
        format!(
            "根据{}结果，你单位在以下 {} 个方面存在问题，共失 {} 分。现将问题清单通知如下，请认真抓好整改。",
            r.title,
            mine.len(),
            num(lost)
        )
    } else {
        format!(
            "根据{}结果，你单位在以下 {} 个方面存在问题。现将问题清单通知如下，请认真抓好整改。",
            r.title,
            mine.len()
        )
    };
    docx = docx.add_paragraph(body(&intro));
    if !mine.is_empty() {
        docx = docx
            .add_paragraph(section("一、问题清单"))
            .add_table(problem_table(&mine));
        let deadline = if r.deadline.is_empty() {
            "【　　年　　月　　日】".to_string()
        } else {
            date_words(&r.deadline)
        };
        let own: Vec<String> = mine
            .iter()
            .filter(|p| !p.deadline.is_empty() && p.deadline != r.deadline)
            .map(|p| format!("{}（{}）", p.item, date_words(&p.deadline)))
            .collect();
        docx = docx.add_paragraph(section("二、整改要求")).add_paragraph(body(&format!(
            "（一）请于{deadline}前完成全部问题的整改{}。对每个问题制定整改措施，明确责任人和完成时间。",
            if own.is_empty() {
                String::new()
            } else {
                format!("，其中{}按所列时间完成", own.join("、"))
            }
        )));
        docx = docx
            .add_paragraph(body(
                "（二）整改完成后，请在考核系统中逐项报送整改情况，上传佐证材料，由责任部门审核销号；审核未通过的，按退回意见继续整改后重新报送。",
            ))
            .add_paragraph(body(
                "（三）整改落实情况将作为下一年度考核的重要内容，整改不到位的，按下一年度考核细则予以扣分。",
            ));
    }
    docx = docx
        .add_paragraph(body_plain(""))
        .add_paragraph(right(&organiser))
        .add_paragraph(right("【　　年　　月　　日】"));
    dk::pack(docx)
}

/// `2027-03-31` as a document writes a date: `2027年3月31日`.
fn date_words(date: &str) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => date.to_string(),
    }
}

fn problem_table(problems: &[&RectifyProblem]) -> docx_rs::Table {
    let w = widths(&[2, 6, 10, 2, 8, 4]);
    let header = [
        "序号",
        "考核项目",
        "存在问题",
        "失分",
        "整改建议",
        "责任部门",
    ];
    let mut rows = vec![
        TableRow::new(
            header
                .iter()
                .zip(&w)
                .map(|(h, w)| dk::header_cell(h, *w, size::WU))
                .collect(),
        )
        .cant_split(),
    ];
    for (n, p) in problems.iter().enumerate() {
        let cells = [
            ((n + 1).to_string(), AlignmentType::Center),
            (p.item.clone(), AlignmentType::Left),
            (p.found.clone(), AlignmentType::Left),
            (
                p.points.map(num).unwrap_or_else(|| "—".into()),
                AlignmentType::Center,
            ),
            (p.remedy.clone(), AlignmentType::Left),
            (p.department.clone(), AlignmentType::Center),
        ];
        rows.push(TableRow::new(
            cells
                .iter()
                .zip(&w)
                .map(|((t, a), w)| dk::cell(t, *w, size::WU, *a))
                .collect(),
        ));
    }
    dk::table(rows, &w)
}

/// The district's 整改台账: one row per problem, all units, every state.
pub fn ledger_xlsx(r: &Rectification) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let heading = xk::plain(14.0).set_bold();
    let info = xk::plain(xk::TEXT_PT);
    let header = xk::header();
    let centred = xk::centred();
    let left = xk::cell().set_align(FormatAlign::Left);
    let late = centred
        .clone()
        .set_font_color(rust_xlsxwriter::Color::RGB(0xC0_0000))
        .set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("整改台账")?;
    ws.write_with_format(0, 0, format!("{}整改台账", r.title), &heading)?;
    let open = r
        .problems
        .iter()
        .filter(|p| p.state != "已销号" && p.state != "已撤销")
        .count();
    let overdue = r.problems.iter().filter(|p| p.overdue).count();
    ws.write_with_format(
        1,
        0,
        format!(
            "整改期限：{}；问题 {} 个，未完成 {} 个，逾期 {} 个；截至 {}",
            if r.deadline.is_empty() {
                "未设定"
            } else {
                &r.deadline
            },
            r.problems.len(),
            open,
            overdue,
            r.today
        ),
        &info,
    )?;
    let heads: [(&str, f64); 17] = [
        ("序号", 5.0),
        ("单位", 12.0),
        ("考核项目", 18.0),
        ("存在问题", 30.0),
        ("失分", 6.0),
        ("整改建议", 24.0),
        ("责任部门", 12.0),
        ("整改期限", 11.0),
        ("整改措施", 24.0),
        ("责任人", 8.0),
        ("计划完成", 11.0),
        ("状态", 8.0),
        ("是否逾期", 8.0),
        ("报送时间", 16.0),
        ("整改情况", 24.0),
        ("审核意见", 20.0),
        ("审核人及时间", 18.0),
    ];
    for (col, (h, width)) in heads.iter().enumerate() {
        ws.write_with_format(3, col as u16, *h, &header)?;
        ws.set_column_width(col as u16, *width)?;
    }
    for (k, p) in r.problems.iter().enumerate() {
        let row = 4 + k as u32;
        ws.write_number_with_format(row, 0, (k + 1) as f64, &centred)?;
        ws.write_with_format(row, 1, &p.unit, &centred)?;
        ws.write_with_format(row, 2, &p.item, &left)?;
        ws.write_with_format(row, 3, &p.found, &left)?;
        match p.points {
            Some(d) => xk::write_score(ws, row, 4, d, &centred)?,
            None => {
                ws.write_with_format(row, 4, "—", &centred)?;
            }
        }
        ws.write_with_format(row, 5, &p.remedy, &left)?;
        ws.write_with_format(row, 6, &p.department, &centred)?;
        ws.write_with_format(row, 7, &p.deadline, &centred)?;
        ws.write_with_format(row, 8, &p.measures, &left)?;
        ws.write_with_format(row, 9, &p.responsible, &centred)?;
        ws.write_with_format(row, 10, &p.planned_date, &centred)?;
        ws.write_with_format(row, 11, &p.state, &centred)?;
        if p.overdue {
            ws.write_with_format(row, 12, "逾期", &late)?;
        } else {
            ws.write_with_format(row, 12, "", &centred)?;
        }
        ws.write_with_format(row, 13, &p.reported, &centred)?;
        ws.write_with_format(row, 14, &p.report, &left)?;
        ws.write_with_format(row, 15, &p.answer, &left)?;
        let who = [p.answered_by.as_str(), p.answered_at.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        ws.write_with_format(row, 16, who, &centred)?;
        let tallest = [&p.found, &p.remedy, &p.measures, &p.report, &p.answer]
            .iter()
            .zip([30.0, 24.0, 24.0, 24.0, 20.0])
            .map(|(t, w)| xk::lines_in(t, w))
            .max()
            .unwrap_or(1);
        ws.set_row_height(row, xk::height_for(tallest))?;
    }
    ws.set_freeze_panes(4, 2)?;
    xk::page_setup(ws, true, (3, 3))?;
    xk::mark_demo(ws, r.demo);
    Ok(wb.save_to_buffer()?)
}
