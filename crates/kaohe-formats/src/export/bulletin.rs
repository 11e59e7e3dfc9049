//! The 通报 draft: the note a district sends round after an assessment, with the
//! ranking, each category's score rate (得分率) across units and the items where most
//! points were lost, in 仿宋 三号 like an official letter, ready to be edited in Word or
//! WPS. Everything a person still has to write is marked 【】.

use docx_rs::TableRow;
use docx_rs::{AlignmentType, LineSpacing, LineSpacingType, Paragraph, SpecialIndentType, Table};
use kaohe_core::Decimal;

use super::docx_kit::{self as dk, FANG, SONG, size};
use super::{ExportError, Results, num, percent};

/// How many items the list of most points lost shows.
const MOST_LOST: usize = 5;

/// The 通报 draft as a Word document.
pub fn bulletin_docx(r: &Results) -> Result<Vec<u8>, ExportError> {
    let heading = if r.title.is_empty() {
        r.rubric_title.clone()
    } else {
        r.title.clone()
    };
    let organiser = if r.organiser.is_empty() {
        "【发文单位】".to_string()
    } else {
        r.organiser.clone()
    };
    let mut docx = dk::document(false)
        .add_paragraph(dk::bold(
            &format!("关于{heading}结果的通报"),
            SONG,
            size::ER,
            AlignmentType::Center,
        ))
        .add_paragraph(dk::para("（草稿）", FANG, size::SAN, AlignmentType::Center))
        .add_paragraph(dk::gap(FANG, size::SAN))
        .add_paragraph(body_plain("各单位："));
    let computed = if r.computed.is_empty() {
        String::new()
    } else {
        format!("（结果计算于 {}）", r.computed)
    };
    docx = docx.add_paragraph(body(&format!(
        "根据《{}》，{organiser}对 {} 个单位的工作进行了考核{computed}。现将考核结果通报如下：",
        r.rubric_title,
        r.units.len()
    )));

    // 一、the ranking.
    docx = docx.add_paragraph(section("一、考核结果"));
    if let Some(text) = ranking_summary(r) {
        docx = docx.add_paragraph(body(&text));
    }
    docx = docx.add_table(ranking_table(r));

    // 二、each category's score rate.
    docx = docx.add_paragraph(section("二、各类工作得分情况"));
    let rates = r.category_rates();
    let mut rated: Vec<_> = rates.iter().filter(|c| c.rate.is_some()).collect();
    rated.sort_by(|a, b| b.rate.cmp(&a.rate).then(a.category.cmp(&b.category)));
    if let (Some(best), Some(worst)) = (rated.first(), rated.last())
        && rated.len() > 1
    {
        docx = docx.add_paragraph(body(&format!(
            "各类工作中，得分率最高的是{}（{}），最低的是{}（{}）。",
            r.categories[best.category].name,
            percent(best.rate.unwrap_or_default()),
            r.categories[worst.category].name,
            percent(worst.rate.unwrap_or_default()),
        )));
    }
    docx = docx.add_table(rates_table(r, &rates));

    // 三、where most points were lost.
    docx = docx.add_paragraph(section("三、失分较多的项目"));
    let lost = r.points_lost();
    match lost.first() {
        Some(top) => {
            let item = &r.items[top.item];
            docx = docx.add_paragraph(body(&format!(
                "失分最多的是“{}”（{}），{} 个单位在此失分，合计失 {} 分。失分较多的 {} 项如下：",
                item.name,
                item.reference,
                top.units,
                num(top.lost),
                lost.len().min(MOST_LOST)
            )));
            docx = docx.add_table(lost_table(r, &lost[..lost.len().min(MOST_LOST)]));
        }
        None => {
            docx = docx.add_paragraph(body("各单位在有分值的项目上均未失分。"));
        }
    }

    // 四、what the district asks next: for a person to write.
    docx = docx
        .add_paragraph(section("四、下一步工作要求"))
        .add_paragraph(body("【此处填写下一步工作要求。】"))
        .add_paragraph(dk::gap(FANG, size::SAN))
        .add_paragraph(right(&organiser))
        .add_paragraph(right("【　　年　　月　　日】"));
    dk::pack(docx)
}

/// Body text: 仿宋 三号, first line indented two characters, 28 pt lines.
fn body(text: &str) -> Paragraph {
    body_plain(text).indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
}

fn body_plain(text: &str) -> Paragraph {
    dk::para(text, FANG, size::SAN, AlignmentType::Both).line_spacing(
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(560),
    )
}

fn section(text: &str) -> Paragraph {
    dk::bold(text, SONG, size::SAN, AlignmentType::Left)
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(LineSpacing::new().before(120).after(60))
}

fn right(text: &str) -> Paragraph {
    dk::para(text, FANG, size::SAN, AlignmentType::Right)
}

fn ranking_summary(r: &Results) -> Option<String> {
    let first = r.units.first()?;
    let n = Decimal::from(r.units.len());
    let totals: Vec<Decimal> = r.units.iter().map(|u| u.total.score).collect();
    let average = totals.iter().copied().sum::<Decimal>() / n;
    let leaders: Vec<&str> = r
        .units
        .iter()
        .filter(|u| u.rank == 1)
        .map(|u| u.name.as_str())
        .collect();
    let mut text = format!(
        "{}以 {} 分位列第一{}；各单位考核总分平均 {} 分，最高 {} 分，最低 {} 分。",
        leaders.join("、"),
        num(first.total.score),
        if leaders.len() > 1 {
            "（并列）"
        } else {
            ""
        },
        num(average.round_dp(2)),
        num(totals.iter().copied().max().unwrap_or_default()),
        num(totals.iter().copied().min().unwrap_or_default()),
    );
    let mut grades: Vec<(&str, usize)> = Vec::new();
    for u in &r.units {
        if u.grade.is_empty() {
            continue;
        }
        match grades.iter_mut().find(|(g, _)| *g == u.grade) {
            Some((_, n)) => *n += 1,
            None => grades.push((&u.grade, 1)),
        }
    }
    if !grades.is_empty() {
        let parts: Vec<String> = grades.iter().map(|(g, n)| format!("{g} {n} 个")).collect();
        text.push_str(&format!("等次：{}。", parts.join("，")));
    }
    Some(text)
}

fn table_of(widths: &[usize], header: &[&str], rows: Vec<Vec<String>>) -> Table {
    let c = AlignmentType::Center;
    let mut out = vec![
        TableRow::new(
            header
                .iter()
                .zip(widths)
                .map(|(h, w)| dk::header_cell(h, *w, size::WU))
                .collect(),
        )
        .cant_split(),
    ];
    for row in rows {
        out.push(
            TableRow::new(
                row.iter()
                    .zip(widths)
                    .map(|(t, w)| dk::cell(t, *w, size::WU, c))
                    .collect(),
            )
            .cant_split(),
        );
    }
    dk::table(out, widths)
}

/// Splits the text width in proportion to `parts`.
fn widths(parts: &[usize]) -> Vec<usize> {
    let total: usize = parts.iter().sum();
    let width = dk::text_width(false);
    let mut out: Vec<usize> = parts.iter().map(|p| width * p / total).collect();
    let used: usize = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += width - used;
    }
    out
}

fn ranking_table(r: &Results) -> Table {
    let rows = r
        .units
        .iter()
        .map(|u| {
            vec![
                u.rank_text(),
                u.name.clone(),
                num(u.base.score),
                num(u.bonus.score),
                num(u.total.score),
                if u.grade.is_empty() {
                    "—".into()
                } else {
                    u.grade.clone()
                },
            ]
        })
        .collect();
    table_of(
        &widths(&[3, 5, 3, 3, 3, 3]),
        &["排名", "单位", "基础分", "加分", "总分", "等次"],
        rows,
    )
}

fn rates_table(r: &Results, rates: &[super::CategoryRate]) -> Table {
    let rows = rates
        .iter()
        .map(|c| {
            let cat = &r.categories[c.category];
            vec![
                cat.name.clone(),
                cat.points.map(num).unwrap_or_else(|| "加分项".into()),
                num(c.average.round_dp(2)),
                num(c.max),
                num(c.min),
                c.rate.map(percent).unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    table_of(
        &widths(&[5, 3, 3, 3, 3, 3]),
        &["类别", "满分", "平均得分", "最高", "最低", "得分率"],
        rows,
    )
}

fn lost_table(r: &Results, lost: &[super::ItemLoss]) -> Table {
    let units = Decimal::from(r.units.len().max(1));
    let rows = lost
        .iter()
        .map(|l| {
            let item = &r.items[l.item];
            let points = item.points.unwrap_or_default();
            let rate = if points.is_zero() {
                "—".to_string()
            } else {
                percent((points * units - l.lost) * Decimal::ONE_HUNDRED / (points * units))
            };
            vec![
                format!("{} {}", item.reference, item.name),
                num(points),
                l.units.to_string(),
                num(l.lost),
                rate,
            ]
        })
        .collect();
    table_of(
        &widths(&[8, 2, 3, 3, 3]),
        &["项目", "分值", "失分单位数", "合计失分", "得分率"],
        rows,
    )
}
