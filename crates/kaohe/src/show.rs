//! What the command line prints: rubric tables, rankings, details, JSON.

use std::fmt::Write;

use comfy_table::{CellAlignment, ContentArrangement, LineStyle, Table, TableStyle, presets};
use kaohe_core::explain::{describe_rule, explain_item, grade_text, missing_keys};
use kaohe_core::rubric::{CategoryKind, InputType};
use kaohe_core::{Facts, Rubric, UnitScore, fmt_decimal as f, rank, score};
use kaohe_formats::UnitFacts;
use serde_json::{Value, json};

pub struct Scored {
    pub unit: String,
    pub facts: Facts,
    pub score: UnitScore,
    pub rank: usize,
}

/// Scores every unit and returns them in ranked order (ties keep file order).
pub fn score_all(rubric: &Rubric, units: Vec<UnitFacts>) -> Vec<Scored> {
    let scores: Vec<UnitScore> = units.iter().map(|u| score(rubric, &u.facts)).collect();
    let totals: Vec<_> = scores.iter().map(|s| s.total).collect();
    let ranks = rank(&totals);
    let mut out: Vec<Scored> = units
        .into_iter()
        .zip(scores)
        .zip(ranks)
        .map(|((u, score), rank)| Scored {
            unit: u.unit,
            facts: u.facts,
            score,
            rank,
        })
        .collect();
    out.sort_by_key(|s| s.rank);
    out
}

/// The unit name a mistyped `--detail` most likely meant: one that contains it (or is
/// contained in it), else the closest by edit distance.
pub fn closest_name<'a>(name: &str, names: &[&'a str]) -> Option<&'a str> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    names
        .iter()
        .find(|n| n.contains(name) || name.contains(**n))
        .copied()
        .or_else(|| kaohe_core::rubric::closest(name, names.iter().copied()))
}

/// A table with lines above and below and under the header only: a ranking reads
/// best without a rule between every row.
fn table() -> Table {
    let line = LineStyle::none().fill('─').junction('─');
    let mut t = Table::new();
    t.load_style(
        TableStyle::new()
            .top_border(line)
            .header_separator(LineStyle::none().fill('═').junction('═'))
            .bottom_border(line),
    );
    t
}

pub fn ranking_text(rubric: &Rubric, results: &[Scored]) -> String {
    let mut t = table();
    let mut header = vec!["排名".to_string(), "单位".to_string()];
    for c in rubric.categories() {
        match c.kind {
            CategoryKind::Base => {
                header.push(format!("{}({})", c.name, f(c.points.unwrap_or_default())))
            }
            CategoryKind::Bonus => header.push(format!("{}(加分)", c.name)),
        }
    }
    header.extend(["基础分", "加分", "总分"].map(String::from));
    let show_grade = !rubric.grades().is_empty()
        || results
            .iter()
            .any(|r| r.score.vetoed || r.score.downgrades > 0);
    if show_grade {
        header.push("等次".into());
    }
    header.push("缺项".into());
    t.set_header(header.clone());
    let tied = ties(results);
    for (r, tied) in results.iter().zip(tied) {
        let mut row = vec![rank_text(r.rank, tied), r.unit.clone()];
        row.extend(r.score.categories.iter().map(|c| f(c.score)));
        row.extend([f(r.score.base), f(r.score.bonus), f(r.score.total)]);
        if show_grade {
            row.push(grade_text(rubric, &r.score));
        }
        let missing = r.score.all_missing().len();
        row.push(if missing == 0 {
            String::new()
        } else {
            missing.to_string()
        });
        t.add_row(row);
    }
    for i in 0..header.len() {
        if i != 1
            && let Some(col) = t.column_mut(i)
        {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = format!("{}（{}）\n{t}\n", rubric.title(), rubric.id());
    let incomplete = results
        .iter()
        .filter(|r| !r.score.all_missing().is_empty())
        .count();
    if incomplete > 0 {
        let _ = writeln!(
            out,
            "缺项：{incomplete} 个单位有未填的必填数据，已按最不利计分；用 --detail 单位名称 查看"
        );
    }
    let flagged: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.score
                .items
                .iter()
                .enumerate()
                .filter(|(_, i)| i.flagged)
                .map(move |(i, _)| format!("{} {}", r.unit, rubric.items()[i].id))
        })
        .collect();
    if !flagged.is_empty() {
        let _ = writeln!(
            out,
            "指标未达目标（不计分，请关注）：{}",
            flagged.join("、")
        );
    }
    let _ = writeln!(
        out,
        "每一分的理由：kaohe score --rubric … --detail 单位名称"
    );
    out
}

/// Whether each unit (in ranked order) shares its rank with another: its neighbours
/// are the only ones that can, so this is one pass.
fn ties(results: &[Scored]) -> Vec<bool> {
    (0..results.len())
        .map(|i| {
            let same = |j: Option<usize>| {
                j.and_then(|j| results.get(j))
                    .is_some_and(|o| o.rank == results[i].rank)
            };
            same(i.checked_sub(1)) || same(Some(i + 1))
        })
        .collect()
}

fn rank_text(rank: usize, tied: bool) -> String {
    if tied {
        format!("{rank}(并列)")
    } else {
        rank.to_string()
    }
}

pub fn detail_text(rubric: &Rubric, r: &Scored, units: usize) -> String {
    let s = &r.score;
    let mut out = String::new();
    let grade = grade_text(rubric, s);
    let _ = writeln!(
        out,
        "{}　第 {} 名（共 {units} 个单位）　总分 {} = 基础分 {} + 加分 {}{}",
        r.unit,
        r.rank,
        f(s.total),
        f(s.base),
        f(s.bonus),
        if grade.is_empty() {
            String::new()
        } else {
            format!("　等次 {grade}")
        }
    );
    if let Some(uncapped) = s.bonus_uncapped {
        let _ = writeln!(out, "加分合计 {}，加分上限 {}", f(uncapped), f(s.bonus));
    }
    for (slot, input) in rubric.unit_inputs() {
        let v = match r.facts.get(slot) {
            Some(kaohe_core::Value::Number(n)) => f(*n),
            Some(kaohe_core::Value::Bool(b)) => if *b { "是" } else { "否" }.to_string(),
            Some(kaohe_core::Value::Text(t)) => t.to_string(),
            None => "未填".to_string(),
        };
        let _ = writeln!(
            out,
            "{}：{v}{}",
            input.label,
            input.unit.as_deref().unwrap_or("")
        );
    }
    for (ci, c) in rubric.categories().iter().enumerate() {
        let cs = &s.categories[ci];
        let _ = writeln!(out);
        match c.points {
            Some(p) => {
                let _ = writeln!(out, "【{}】{} / {}", c.name, f(cs.score), f(p));
            }
            None => {
                let _ = writeln!(out, "【{}】加分 {}", c.name, f(cs.score));
            }
        }
        if cs.raw != cs.score {
            let _ = writeln!(
                out,
                "  （项目合计 {}，类别上下限后按 {} 计）",
                f(cs.raw),
                f(cs.score)
            );
        }
        for ii in c.items.clone() {
            let item = &rubric.items()[ii];
            let is = &s.items[ii];
            let points = item
                .points
                .map(|p| format!("{} 分", f(p)))
                .unwrap_or_else(|| "加分".into());
            let name = item.name.as_deref().unwrap_or("");
            let flag = if is.flagged {
                "　⚑ 指标未达目标"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {}  {name}（{points}）　得分 {}{flag}",
                item.id,
                f(is.score)
            );
            for line in explain_item(rubric, &r.facts, s, ii) {
                let _ = writeln!(out, "      {line}");
            }
            let missing = missing_keys(rubric, s, ii);
            if !missing.is_empty() {
                let _ = writeln!(out, "      缺项（按最不利计）：{}", missing.join(", "));
            }
        }
    }
    out
}

/// Writes the results as JSON, one unit at a time (never the whole document in memory):
/// `{"rubric": {id, title, hash}, "units": [...]}` in ranked order. `explain` adds each
/// item's explanation and missing facts (about 7.6 KB a unit); without it each unit has
/// its item scores, totals and rank.
pub fn write_json(
    out: &mut impl std::io::Write,
    rubric: &Rubric,
    results: &[Scored],
    explain: bool,
) -> std::io::Result<()> {
    let head = json!({"id": rubric.id(), "title": rubric.title(), "hash": rubric.hash()});
    write!(out, "{{\"rubric\": {head},\n\"units\": [")?;
    for (n, r) in results.iter().enumerate() {
        out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &unit_json(rubric, r, explain))?;
    }
    out.write_all(b"\n]}\n")
}

fn unit_json(rubric: &Rubric, r: &Scored, explain: bool) -> Value {
    let s = &r.score;
    let items: Vec<Value> = rubric
        .items()
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut v = json!({
                "id": item.id,
                "category": rubric.categories()[item.category].id,
                "points": item.points.map(f),
                "score": f(s.items[i].score),
                "flagged": s.items[i].flagged,
            });
            if explain {
                v["explanation"] = json!(explain_item(rubric, &r.facts, s, i));
                v["missing"] = json!(missing_keys(rubric, s, i));
            }
            v
        })
        .collect();
    let categories: Vec<Value> = rubric
        .categories()
        .iter()
        .zip(&s.categories)
        .map(|(c, cs)| json!({"id": c.id, "name": c.name, "bonus": c.kind == CategoryKind::Bonus, "points": c.points.map(f), "score": f(cs.score)}))
        .collect();
    let grade = grade_text(rubric, s);
    json!({
        "unit": r.unit,
        "rank": r.rank,
        "base": f(s.base),
        "bonus": f(s.bonus),
        "total": f(s.total),
        "grade": if grade.is_empty() { Value::Null } else { Value::String(grade) },
        "vetoed": s.vetoed,
        "downgrades": s.downgrades,
        "categories": categories,
        "items": items,
    })
}

/// Writes the ranking as CSV for a spreadsheet (UTF-8 with a byte-order mark, which Excel
/// and WPS need to read Chinese): rank, unit, each category, base, bonus, total, grade,
/// missing facts, then each item's score under its number and name; one row at a time.
pub fn write_csv(
    out: &mut impl std::io::Write,
    rubric: &Rubric,
    results: &[Scored],
) -> std::io::Result<()> {
    let cell = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) || s.starts_with(['=', '+', '-', '@']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut header = vec!["排名".to_string(), "单位".to_string()];
    header.extend(rubric.categories().iter().map(|c| c.name.clone()));
    header.extend(["基础分", "加分", "总分", "等次", "缺项"].map(String::from));
    header.extend(rubric.items().iter().map(|i| match &i.name {
        Some(name) => format!("{} {name}", i.id),
        None => i.id.clone(),
    }));
    out.write_all("\u{feff}".as_bytes())?;
    writeln!(
        out,
        "{}",
        header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(",")
    )?;
    for (r, tied) in results.iter().zip(ties(results)) {
        let s = &r.score;
        let mut row = vec![rank_text(r.rank, tied), r.unit.clone()];
        row.extend(s.categories.iter().map(|c| f(c.score)));
        row.extend([f(s.base), f(s.bonus), f(s.total), grade_text(rubric, s)]);
        row.push(s.all_missing().len().to_string());
        row.extend(s.items.iter().map(|i| f(i.score)));
        writeln!(
            out,
            "{}",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",")
        )?;
    }
    Ok(())
}

pub fn rubric_text(rubric: &Rubric) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}（{}）", rubric.title(), rubric.id());
    let base: Vec<String> = rubric
        .categories()
        .iter()
        .filter_map(|c| c.points.map(|p| format!("{} {}", c.name, f(p))))
        .collect();
    let _ = writeln!(
        out,
        "基础分：{}{}",
        base.join(" + "),
        rubric
            .total()
            .map(|t| format!(" = {}", f(t)))
            .unwrap_or_default()
    );
    if let Some(m) = rubric.max_bonus() {
        let _ = writeln!(out, "加分上限：{}", f(m));
    }
    if !rubric.grades().is_empty() {
        let g: Vec<String> = rubric
            .grades()
            .iter()
            .map(|g| format!("{} ≥ {}", g.name, f(g.min)))
            .collect();
        let _ = writeln!(out, "等次：{}", g.join("；"));
    }
    let _ = writeln!(out, "内容哈希：{}", rubric.hash());
    let unit_facts: Vec<String> = rubric
        .unit_inputs()
        .map(|(_, i)| format!("{}（{}）", i.key, i.label))
        .collect();
    if !unit_facts.is_empty() {
        let _ = writeln!(out, "单位基础数据（由区里填写）：{}", unit_facts.join("、"));
    }
    for c in rubric.categories() {
        let mut t = Table::new();
        t.load_style(presets::UTF8_HORIZONTAL_ONLY);
        t.set_content_arrangement(ContentArrangement::Dynamic);
        let title = match (c.kind, c.points) {
            (CategoryKind::Base, Some(p)) => format!("{}（{} 分）", c.name, f(p)),
            _ => format!("{}（加分项）", c.name),
        };
        let mut notes = Vec::new();
        if let Some(m) = c.max_deduction {
            notes.push(format!("本类最多扣 {} 分", f(m)));
        }
        if let Some(m) = c.cap {
            notes.push(format!("本类加分最多 {} 分", f(m)));
        }
        let _ = writeln!(
            out,
            "\n{title}{}",
            if notes.is_empty() {
                String::new()
            } else {
                format!("　{}", notes.join("；"))
            }
        );
        t.set_header(vec![
            "项目",
            "分值",
            "规则",
            "输入（key：含义）",
            "评分标准",
        ]);
        t.set_width(160);
        for ii in c.items.clone() {
            let item = &rubric.items()[ii];
            let rules: Vec<String> = (0..item.rules.len())
                .map(|ri| describe_rule(rubric, ii, ri))
                .collect();
            let inputs: Vec<String> = item
                .inputs
                .clone()
                .map(|s| {
                    let i = rubric.input(s);
                    let ty = match (i.ty, i.max) {
                        (InputType::Count, _) => "整数".to_string(),
                        (InputType::Percent, _) => "百分比".to_string(),
                        (InputType::Decimal, Some(max)) => format!("0 至 {} 分", f(max)),
                        (InputType::Decimal, None) => "小数".to_string(),
                        (InputType::Bool, _) => "是/否".to_string(),
                        (InputType::Text, _) => "文字".to_string(),
                    };
                    let req = if i.required { "，必填" } else { "" };
                    format!("{}：{}（{ty}{req}）", i.key, i.label)
                })
                .collect();
            let points = item.points.map(f).unwrap_or_else(|| "加分".into());
            t.add_row(vec![
                format!("{}\n{}", item.id, item.name.as_deref().unwrap_or("")),
                points,
                rules.join("\n"),
                inputs.join("\n"),
                item.criteria.clone(),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    out
}

/// `kaohe score --gaps UNIT`: what would raise the unit's total, best first, each gain
/// computed alone; the facts to provide; the points no change of facts gives back.
pub fn gaps_text(rubric: &Rubric, r: &Scored, units: usize) -> String {
    use kaohe_core::gaps::{Remedy, gaps, headline};
    let found = gaps(rubric, &r.facts, &r.score);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}　第 {} 名（共 {units} 个单位）　总分 {}",
        r.unit,
        r.rank,
        f(r.score.total)
    );
    let gains: Vec<_> = found
        .iter()
        .filter(|g| matches!(g.remedy, Remedy::Change(_)))
        .collect();
    let provide: Vec<_> = found
        .iter()
        .filter(|g| matches!(g.remedy, Remedy::Provide(_)))
        .collect();
    let none: Vec<_> = found
        .iter()
        .filter(|g| matches!(g.remedy, Remedy::Not(_)))
        .collect();
    if found.is_empty() {
        let _ = writeln!(out, "没有失分的规则。");
        return out;
    }
    if !gains.is_empty() {
        let _ = writeln!(out, "\n最能提分的改进（每条单独计算，不能相加）：");
        for (n, g) in gains.iter().enumerate() {
            let _ = writeln!(out, "{:>3}. {}", n + 1, headline(rubric, g));
        }
    }
    if !provide.is_empty() {
        let _ = writeln!(out, "\n需要补填的数据：");
        for g in provide {
            let _ = writeln!(out, "  - {}", headline(rubric, g));
        }
    }
    if !none.is_empty() {
        let _ = writeln!(out, "\n改填数据不能挽回的：");
        for g in none {
            let _ = writeln!(out, "  - {}", headline(rubric, g));
        }
    }
    out
}

/// `kaohe score --rubric NEW --compare OLD FACTS`: the same facts (read for the old
/// rubric) scored under both, side by side: totals, ranks and their changes, grades
/// where either rubric has them, the items whose points moved most, and the facts the
/// new rubric needs that the data does not have.
pub fn compare_text(old: &Rubric, new: &Rubric, units: Vec<UnitFacts>) -> String {
    let names: Vec<String> = units.iter().map(|u| u.unit.clone()).collect();
    let facts: Vec<Facts> = units.into_iter().map(|u| u.facts).collect();
    let (compared, moves) = kaohe_core::compare::compare(old, new, &facts);
    let carried: Vec<&kaohe_core::compare::Carried> = compared.iter().map(|c| &c.carried).collect();
    let graded = !old.grades().is_empty() || !new.grades().is_empty();
    let mut out = String::new();
    let named = |r: &Rubric| match r.year() {
        Some(y) => format!("《{}》（{y} 年度）", r.title()),
        None => format!("《{}》", r.title()),
    };
    let _ = writeln!(
        out,
        "同一份数据按两份细则计分：现行{}与新{}（{} 个单位）",
        named(old),
        named(new),
        compared.len()
    );
    let mut t = table();
    let mut header: Vec<String> = [
        "单位",
        "现行总分",
        "现行名次",
        "新总分",
        "新名次",
        "分数变化",
        "名次变化",
    ]
    .map(String::from)
    .to_vec();
    if graded {
        header.push("等次变化".into());
    }
    t.set_header(header);
    let mut order: Vec<usize> = (0..compared.len()).collect();
    order.sort_by_key(|&k| (compared[k].rank_after, compared[k].rank_before));
    for k in order {
        let c = &compared[k];
        let moved = c.rank_before as i64 - c.rank_after as i64;
        let mut row = vec![
            names[k].clone(),
            f(c.before.total),
            c.rank_before.to_string(),
            f(c.after.total),
            c.rank_after.to_string(),
            kaohe_core::fmt_delta(c.after.total - c.before.total),
            match moved {
                0 => "—".to_string(),
                m if m > 0 => format!("↑{m}"),
                m => format!("↓{}", -m),
            },
        ];
        if graded {
            let (g0, g1) = (grade_text(old, &c.before), grade_text(new, &c.after));
            row.push(if g0 == g1 {
                "—".to_string()
            } else {
                format!("{g0} → {g1}")
            });
        }
        t.add_row(row);
    }
    let _ = writeln!(out, "{t}");
    if moves.is_empty() {
        let _ = writeln!(out, "\n各项目的得分没有变化。");
    } else {
        let _ = writeln!(out, "\n得分变化最大的项目（各单位合计）：");
        for m in moves.iter().take(5) {
            let _ = writeln!(
                out,
                "  {}：{}",
                m.name(old, new),
                kaohe_core::fmt_delta(m.delta)
            );
        }
    }

    // Facts the new rubric needs that the data lacks, and facts it no longer reads.
    let mut lacking: Vec<String> = Vec::new();
    for (slot, why) in carried.iter().flat_map(|c| c.missing.iter()) {
        let input = new.input(*slot);
        let line = match why {
            None => format!("{}（数据里没有）", input.label),
            Some(w) => format!("{}：{w}", input.label),
        };
        if !lacking.contains(&line) {
            lacking.push(line);
        }
    }
    if !lacking.is_empty() {
        let _ = writeln!(
            out,
            "\n新细则需要、按现有数据无法计分的事实（按未填计，即最不利）：\n  {}",
            lacking.join("\n  ")
        );
    }
    if let Some(c) = carried.first()
        && !c.dropped.is_empty()
    {
        let labels: Vec<&str> = c
            .dropped
            .iter()
            .map(|s| old.input(*s).label.as_str())
            .collect();
        let _ = writeln!(out, "\n新细则不再使用的事实：{}", labels.join("、"));
    }
    out
}
