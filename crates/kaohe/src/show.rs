//! What the command line prints: rubric tables, rankings, details, JSON.

use std::fmt::Write;

use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle, presets};
use kaohe_core::explain::{describe_rule, explain_item, grade_text, missing_keys};
use kaohe_core::rubric::{CategoryKind, InputType};
use kaohe_core::{Decimal, Facts, Rubric, UnitScore, fmt_decimal as f, rank, score};
use kaohe_formats::{FactsFileError, FactsTable, UnitFacts};
use serde_json::{Value, json};

pub struct Scored {
    pub unit: String,
    pub facts: Facts,
    pub score: UnitScore,
    pub rank: usize,
}

/// What the first reading of a facts file keeps for writing the ranking: each unit's
/// total (for the ranks) and, for the terminal table, each column's width and the notes
/// under it; never a unit's facts or explanations, so memory grows by a few dozen bytes
/// a unit.
pub struct Tally {
    totals: Vec<Decimal>,
    /// The table's cells or the CSV's line of each unit (after its rank), written on the
    /// first reading, so that the ranked output is written without reading and scoring
    /// every unit again.
    kept: Kept,
    /// Display width of each table column (empty when no table is written).
    widths: Vec<usize>,
    show_grade: bool,
    incomplete: usize,
    /// The first flagged items (unit and item), and how many there are in all.
    flagged: Vec<String>,
    flagged_count: usize,
}

/// How many flagged items the table's note names before it says “等”.
const FLAGGED_SHOWN: usize = 20;

/// What the first reading writes for each unit: nothing (JSON, detail: read again), the
/// table's cells, or the CSV's line; all units' text in one buffer, a few dozen bytes a
/// unit.
#[derive(Default)]
struct Kept {
    form: Form,
    text: String,
    ends: Vec<usize>,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    #[default]
    Nothing,
    Table,
    Csv,
}

/// Between the kept cells of a table row (a unit's name never holds it).
const SEP: char = '\u{1f}';

impl Kept {
    fn push_end(&mut self) {
        self.ends.push(self.text.len());
    }

    fn line(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// A cell of the CSV output, quoted when it must be, and never read as a formula.
fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(['=', '+', '-', '@']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

impl Tally {
    /// `form`: what will be written in ranked order (the table's widths are measured).
    pub fn new(rubric: &Rubric, form: Form) -> Tally {
        let table = form == Form::Table;
        let widths = if table {
            table_header(rubric, true)
                .iter()
                .map(|h| width(h))
                .collect()
        } else {
            Vec::new()
        };
        Tally {
            totals: Vec::new(),
            kept: Kept {
                form,
                ..Kept::default()
            },
            widths,
            show_grade: !rubric.grades().is_empty(),
            incomplete: 0,
            flagged: Vec::new(),
            flagged_count: 0,
        }
    }

    /// Scores one unit and keeps what the ranking needs.
    pub fn add(&mut self, rubric: &Rubric, unit: &UnitFacts) {
        let s = score(rubric, &unit.facts);
        self.totals.push(s.total);
        self.show_grade |= s.vetoed || s.downgrades > 0;
        if !s.all_missing().is_empty() {
            self.incomplete += 1;
        }
        for (i, _) in s.items.iter().enumerate().filter(|(_, i)| i.flagged) {
            self.flagged_count += 1;
            if self.flagged.len() < FLAGGED_SHOWN {
                self.flagged
                    .push(format!("{} {}", unit.unit, rubric.item_ref(i)));
            }
        }
        match self.kept.form {
            Form::Nothing => {}
            Form::Table => {
                let name = unit.unit.replace(SEP, " ");
                // The rank column is measured when the ranks are known.
                for (k, (w, cell)) in self
                    .widths
                    .iter_mut()
                    .skip(1)
                    .zip(table_row(rubric, &name, &s, true))
                    .enumerate()
                {
                    *w = (*w).max(width(&cell));
                    if k > 0 {
                        self.kept.text.push(SEP);
                    }
                    self.kept.text.push_str(&cell);
                }
                self.kept.push_end();
            }
            Form::Csv => {
                let t = &mut self.kept.text;
                let _ = write!(t, "{}", csv_cell(&unit.unit));
                for c in &s.categories {
                    let _ = write!(t, ",{}", f(c.score));
                }
                let _ = write!(
                    t,
                    ",{},{},{},{},{}",
                    f(s.base),
                    f(s.bonus),
                    f(s.total),
                    csv_cell(&grade_text(rubric, &s)),
                    s.all_missing().len()
                );
                for i in &s.items {
                    let _ = write!(t, ",{}", f(i.score));
                }
                self.kept.push_end();
            }
        }
    }

    /// The ranks, once every unit is in.
    pub fn ranking(&self) -> Ranking {
        let ranks = rank(&self.totals);
        let mut order: Vec<usize> = (0..ranks.len()).collect();
        order.sort_by_key(|&i| ranks[i]);
        Ranking { ranks, order }
    }
}

/// Each unit's rank (by file order) and the file order read in ranked order (ties keep
/// file order).
pub struct Ranking {
    ranks: Vec<usize>,
    order: Vec<usize>,
}

impl Ranking {
    /// The units in ranked order: (index in the file, rank, shares its rank). A unit
    /// can only share its rank with its neighbours in this order, so this is one pass.
    pub fn ranked(&self) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
        let rank_at = |k: Option<usize>| k.and_then(|k| self.order.get(k)).map(|&i| self.ranks[i]);
        self.order.iter().enumerate().map(move |(k, &i)| {
            let r = self.ranks[i];
            let tied = rank_at(k.checked_sub(1)) == Some(r) || rank_at(Some(k + 1)) == Some(r);
            (i, r, tied)
        })
    }

    /// The rank of the unit at `index` in the file.
    pub fn rank_of(&self, index: usize) -> usize {
        self.ranks[index]
    }
}

/// The units of the file in ranked order, each read again and scored, with whether it
/// shares its rank.
pub fn scored<'a>(
    rubric: &'a Rubric,
    file: &'a FactsTable<'a>,
    ranking: &'a Ranking,
) -> impl Iterator<Item = Result<(Scored, bool), FactsFileError>> + 'a {
    let mut rows = file.rows();
    ranking.ranked().map(move |(i, rank, tied)| {
        let u = rows.unit(i)?;
        let score = score(rubric, &u.facts);
        Ok((
            Scored {
                unit: u.unit,
                facts: u.facts,
                score,
                rank,
            },
            tied,
        ))
    })
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

/// Display width in a terminal: a Chinese character takes two columns.
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn table_header(rubric: &Rubric, show_grade: bool) -> Vec<String> {
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
    if show_grade {
        header.push("等次".into());
    }
    header.push("缺项".into());
    header
}

/// A unit's cells after its rank: name, categories, base, bonus, total, grade, missing.
fn table_row(rubric: &Rubric, unit: &str, s: &UnitScore, show_grade: bool) -> Vec<String> {
    let mut row = vec![unit.to_string()];
    row.extend(s.categories.iter().map(|c| f(c.score)));
    row.extend([f(s.base), f(s.bonus), f(s.total)]);
    if show_grade {
        row.push(grade_text(rubric, s));
    }
    let missing = s.all_missing().len();
    row.push(if missing == 0 {
        String::new()
    } else {
        missing.to_string()
    });
    row
}

/// The ranking as a terminal table, a row at a time: the widths were measured on the
/// first reading (`tally`), so no row is held.
pub fn write_ranking(
    out: &mut impl std::io::Write,
    rubric: &Rubric,
    tally: &Tally,
) -> anyhow::Result<()> {
    let ranking = tally.ranking();
    let header = table_header(rubric, tally.show_grade);
    let mut widths = tally.widths.clone();
    if !tally.show_grade {
        // Measured with a grade column; there is none.
        widths.remove(widths.len() - 2);
    }
    for (_, rank, tied) in ranking.ranked() {
        widths[0] = widths[0].max(width(&rank_text(rank, tied)));
    }
    let line_width: usize = widths.iter().map(|w| w + 2).sum();
    let line = |out: &mut dyn std::io::Write, c: &str| writeln!(out, "{}", c.repeat(line_width));
    let cells = |out: &mut dyn std::io::Write, cells: &[String]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(width(cell)));
            // The unit's name reads from the left, figures from the right.
            if i == 1 {
                let _ = write!(text, " {cell}{pad} ");
            } else {
                let _ = write!(text, " {pad}{cell} ");
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    writeln!(out, "{}（{}）", rubric.title(), rubric.id())?;
    line(out, "─")?;
    cells(out, &header)?;
    line(out, "═")?;
    // The grade's cell, kept for every unit (after the name, the categories, base, bonus
    // and total), is left out when no unit has a grade.
    let grade_at = rubric.categories().len() + 4;
    for (i, rank, tied) in ranking.ranked() {
        let mut row = vec![rank_text(rank, tied)];
        row.extend(
            tally
                .kept
                .line(i)
                .split(SEP)
                .map(str::to_string)
                .enumerate()
                .filter(|(k, _)| tally.show_grade || *k != grade_at)
                .map(|(_, c)| c),
        );
        cells(out, &row)?;
    }
    line(out, "─")?;
    if tally.incomplete > 0 {
        writeln!(
            out,
            "缺项：{} 个单位有未填的必填数据，已按最不利计分；用 --detail 单位名称 查看",
            tally.incomplete
        )?;
    }
    if tally.flagged_count > 0 {
        let more = if tally.flagged_count > tally.flagged.len() {
            format!(" 等 {} 处", tally.flagged_count)
        } else {
            String::new()
        };
        writeln!(
            out,
            "指标未达目标（不计分，请关注）：{}{more}",
            tally.flagged.join("、")
        )?;
    }
    writeln!(
        out,
        "每一分的理由：kaohe score --rubric … --detail 单位名称"
    )?;
    Ok(())
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
    file: &FactsTable,
    ranking: &Ranking,
    explain: bool,
) -> anyhow::Result<()> {
    let head = json!({"id": rubric.id(), "title": rubric.title(), "hash": rubric.hash()});
    write!(out, "{{\"rubric\": {head},\n\"units\": [")?;
    for (n, row) in scored(rubric, file, ranking).enumerate() {
        let (r, _) = row?;
        out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &unit_json(rubric, &r, explain))?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
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
/// The ranking as CSV for Excel: rank, unit, categories, totals, grade, missing, and
/// every item's score. Each unit's line was written on the first reading (`tally`); here
/// they are put in ranked order.
pub fn write_csv(
    out: &mut impl std::io::Write,
    rubric: &Rubric,
    tally: &Tally,
) -> anyhow::Result<()> {
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
        header
            .iter()
            .map(|h| csv_cell(h))
            .collect::<Vec<_>>()
            .join(",")
    )?;
    for (i, rank, tied) in tally.ranking().ranked() {
        writeln!(out, "{},{}", rank_text(rank, tied), tally.kept.line(i))?;
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
pub fn compare_text(
    old: &Rubric,
    new: &Rubric,
    mapping: &kaohe_core::compare::Mapping,
    units: Vec<UnitFacts>,
) -> String {
    let names: Vec<String> = units.iter().map(|u| u.unit.clone()).collect();
    let facts: Vec<Facts> = units.into_iter().map(|u| u.facts).collect();
    let (compared, moves) = kaohe_core::compare::compare_with(old, new, mapping, &facts);
    let suggested = kaohe_core::compare::suggest(old, new, mapping);
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
            None if mapping.none_by_hand[*slot] => format!("{}（新增数据，往年没有）", input.label),
            None => match suggested.iter().find(|(s, _)| s == slot) {
                Some((_, from)) => format!(
                    "{}（数据里没有；可能对应现行细则的“{}”）",
                    input.label,
                    old.input(*from).label
                ),
                None => format!("{}（数据里没有）", input.label),
            },
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
    if !suggested.is_empty() {
        let _ = writeln!(
            out,
            "\n新细则有 {} 项数据可能对应现行细则的数据。核对后可存为数据对应文件，用 --map 指定（每行：新细则的数据代码,现行细则的数据代码；往年没有的留空）：",
            suggested.len()
        );
        for (to, from) in &suggested {
            let _ = writeln!(out, "{},{}", new.input(*to).key, old.input(*from).key);
        }
    }
    out
}
