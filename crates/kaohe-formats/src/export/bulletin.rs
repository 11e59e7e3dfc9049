//! The 通报 draft: the note a district sends round after an assessment, laid out as
//! GB/T 9704 asks of an official document (公文): 2号 小标宋 title, 3号 仿宋_GB2312 body,
//! 黑体 and 楷体 headings, its margins and 22 × 28 grid, `— N —` page numbers. It gives
//! the ranking (with last year's rank where known, grades where the rubric has them,
//! the converted score where the assessment counts toward the overall one), each
//! category's score rate (得分率) and the items where most points were lost with the
//! units that lost them. Ready to be edited in Word or WPS; what a person still has to
//! write is marked 【】; demo data is marked in the page header, not in the text.

use docx_rs::TableRow;
use docx_rs::{AlignmentType, LineSpacing, LineSpacingType, Paragraph, SpecialIndentType, Table};
use kaohe_core::Decimal;

use super::docx_kit::{self as dk, FANG_GB, HEI, XIAOBIAOSONG, size};
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
    let kind = r.unit_kind();
    let marking = r.demo.then_some(dk::DEMO_MARK);
    let mut docx = dk::gongwen(marking)
        .add_paragraph(title(&format!("关于{heading}结果的通报")))
        .add_paragraph(dk::para(
            "（草稿）",
            FANG_GB,
            size::SAN,
            AlignmentType::Center,
        ))
        .add_paragraph(body_plain(""))
        .add_paragraph(body_plain(&format!("各{kind}：")));
    docx = docx.add_paragraph(body(&format!(
        "根据《{}》，{organiser}对 {} 个{kind}的工作进行了考核。现将考核结果通报如下：",
        r.rubric_title,
        r.units.len()
    )));

    // 一、the ranking.
    docx = docx.add_paragraph(section("一、考核结果"));
    if let Some(text) = ranking_summary(r) {
        docx = docx.add_paragraph(body(&text));
    }
    if let Some(text) = movers_summary(r) {
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

    // 三、where most points were lost, and by whom.
    docx = docx.add_paragraph(section("三、失分较多的项目"));
    let lost = r.points_lost();
    match lost.first() {
        Some(top) => {
            let item = &r.items[top.item];
            docx = docx.add_paragraph(body(&format!(
                "失分最多的是“{}”（{}），{} 个{kind}在此失分，合计失 {} 分。失分较多的 {} 项及失分的{kind}如下：",
                item.name,
                item.reference,
                top.units,
                num(top.lost),
                lost.len().min(MOST_LOST)
            )));
            docx = docx.add_table(lost_table(r, &lost[..lost.len().min(MOST_LOST)]));
            if !r.causes.is_empty() {
                let parts: Vec<String> = r
                    .causes
                    .iter()
                    .map(|c| {
                        format!(
                            "{}（{}，{} 个{kind}，各自改进后合计可挽回 {} 分）",
                            c.what,
                            c.item,
                            c.units,
                            num(c.gain)
                        )
                    })
                    .collect();
                docx = docx.add_paragraph(body(&format!("主要失分原因：{}。", parts.join("；"))));
            }
        }
        None => {
            docx = docx.add_paragraph(body(&format!("各{kind}在有分值的项目上均未失分。")));
        }
    }

    // 四、what the district asks next: for a person to write.
    docx = docx
        .add_paragraph(section("四、下一步工作要求"))
        .add_paragraph(body("【此处填写下一步工作要求。】"))
        .add_paragraph(body_plain(""))
        .add_paragraph(right(&organiser))
        .add_paragraph(right("【　　年　　月　　日】"));
    dk::pack(docx)
}

/// A line on the 公文 grid: 28.95 pt, exactly.
fn on_grid(p: Paragraph) -> Paragraph {
    p.line_spacing(
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(dk::GONGWEN_LINE as i32)
            .before(0)
            .after(0),
    )
}

/// The title: 2号 小标宋, centred.
pub(super) fn title(text: &str) -> Paragraph {
    // One line of the grid each (2号 fits in it), as Word's 公文 template sets it.
    on_grid(dk::para(
        text,
        XIAOBIAOSONG,
        size::ER,
        AlignmentType::Center,
    ))
}

/// Body text: 仿宋_GB2312 三号, first line indented two characters.
pub(super) fn body(text: &str) -> Paragraph {
    body_plain(text).indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
}

pub(super) fn body_plain(text: &str) -> Paragraph {
    on_grid(line(text, FANG_GB, AlignmentType::Both))
}

/// A paragraph in 三号 of the 公文 grid: 28 characters a line.
fn line(text: &str, font: &str, align: AlignmentType) -> Paragraph {
    Paragraph::new()
        .add_run(dk::run(text, font, size::SAN).character_spacing(dk::GONGWEN_CHAR_SPACING))
        .align(align)
        .fonts(dk::fonts(font))
        .size(size::SAN)
}

/// A first-level heading (`一、`): 黑体 三号, indented two characters.
pub(super) fn section(text: &str) -> Paragraph {
    on_grid(line(text, HEI, AlignmentType::Left)).indent(
        None,
        Some(SpecialIndentType::FirstLine(640)),
        None,
        None,
    )
}

pub(super) fn right(text: &str) -> Paragraph {
    on_grid(line(text, FANG_GB, AlignmentType::Right)).indent(None, None, Some(1280), None)
}

/// The biggest moves since last year, in a sentence.
fn movers_summary(r: &Results) -> Option<String> {
    let year = r.last_year?;
    let mut moves: Vec<(i64, &str)> = r
        .units
        .iter()
        .filter_map(|u| {
            let before = r.last_rank(&u.name)?;
            Some((before as i64 - u.rank as i64, u.name.as_str()))
        })
        .filter(|(d, _)| *d != 0)
        .collect();
    if moves.is_empty() {
        return Some(format!(
            "与 {year} 年度相比，各{}名次没有变化。",
            r.unit_kind()
        ));
    }
    moves.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
    let up: Vec<String> = moves
        .iter()
        .filter(|(d, _)| *d > 0)
        .take(3)
        .map(|(d, n)| format!("{n}上升 {d} 位"))
        .collect();
    let down: Vec<String> = moves
        .iter()
        .rev()
        .filter(|(d, _)| *d < 0)
        .take(3)
        .map(|(d, n)| format!("{n}下降 {} 位", -d))
        .collect();
    let mut parts = Vec::new();
    if !up.is_empty() {
        parts.push(format!("名次上升较多的是{}", up.join("、")));
    }
    if !down.is_empty() {
        parts.push(format!("下降较多的是{}", down.join("、")));
    }
    Some(format!("与 {year} 年度相比，{}。", parts.join("；")))
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

pub(super) fn table_of(widths: &[usize], header: &[&str], rows: Vec<Vec<String>>) -> Table {
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
pub(super) fn widths(parts: &[usize]) -> Vec<usize> {
    let total: usize = parts.iter().sum();
    let width = dk::gongwen_text_width();
    let mut out: Vec<usize> = parts.iter().map(|p| width * p / total).collect();
    let used: usize = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += width - used;
    }
    out
}

fn ranking_table(r: &Results) -> Table {
    let graded = r.units.iter().any(|u| !u.grade.is_empty());
    let yearly = r.last_year.is_some();
    let mut header = vec!["排名", "单位", "基础分", "加分", "总分"];
    let mut parts = vec![4, 5, 3, 3, 3];
    if graded {
        header.push("等次");
        parts.push(3);
    }
    if r.overall_weight.is_some() {
        header.push("折算分");
        parts.push(3);
    }
    if yearly {
        header.extend(["上年名次", "升降"]);
        parts.extend([3, 2]);
    }
    let rows = r
        .units
        .iter()
        .map(|u| {
            let mut row = vec![
                u.rank_text(),
                u.name.clone(),
                num(u.base.score),
                num(u.bonus.score),
                num(u.total.score),
            ];
            if graded {
                row.push(if u.grade.is_empty() {
                    "—".into()
                } else {
                    u.grade.clone()
                });
            }
            if let Some(c) = r.converted(u) {
                row.push(num(c));
            }
            if yearly {
                let before = r.last_rank(&u.name);
                row.push(before.map(|b| b.to_string()).unwrap_or_else(|| "—".into()));
                row.push(match before {
                    Some(b) if b > u.rank => format!("↑{}", b - u.rank),
                    Some(b) if b < u.rank => format!("↓{}", u.rank - b),
                    Some(_) => "—".into(),
                    None => String::new(),
                });
            }
            row
        })
        .collect();
    table_of(&widths(&parts), &header, rows)
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
            // Who lost points here, most first.
            let mut losers: Vec<(Decimal, &str)> = r
                .units
                .iter()
                .map(|u| (points - u.items[l.item].score.score, u.name.as_str()))
                .filter(|(lost, _)| *lost > Decimal::ZERO)
                .collect();
            losers.sort_by_key(|l| std::cmp::Reverse(l.0));
            let who: Vec<String> = losers
                .iter()
                .map(|(lost, name)| format!("{name}（{}）", num(*lost)))
                .collect();
            vec![
                format!("{} {}", item.reference, item.name),
                num(points),
                num(l.lost),
                rate,
                who.join("、"),
            ]
        })
        .collect();
    table_of(
        &widths(&[6, 2, 3, 3, 9]),
        &["项目", "分值", "合计失分", "得分率", "失分单位（失分）"],
        rows,
    )
}
