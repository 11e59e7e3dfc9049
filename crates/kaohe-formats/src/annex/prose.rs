//! An annex written as numbered prose rather than a table, as it appears in a notice's
//! body or a WPS document:
//!
//! ```text
//! 一、组织领导（20分）
//! 1. 落实领导责任（12分）。成立领导小组、建立工作制度，未落实的每项扣2分……
//! 2.（8分）综治中心实体化运行……
//! 四、加分项（累计加分不超过5分）
//! ```
//!
//! Headings are `一、…`, `第一部分 …` or `第一章 …`; when a document has none of these,
//! `（一）…` lines are its headings. Items are numbered `1.`, `（1）`, `1）`, or `（一）`
//! under `一、` headings. An item's points stand in parentheses after its title
//! (`…责任（12分）。`), before its text (`（12分）…`), or at its end (`本项15分。`); a
//! paragraph without a number continues the item above (criteria running over several
//! lines or paragraphs). Sections 加分项 are bonus categories; 扣分项 (deducted from the
//! total) and 一票否决 are kept as categories of their own for the draft to place. Lines
//! after the last item that score nothing (本细则由…负责解释) are left out, noted.

use std::sync::LazyLock;

use kaohe_core::Decimal;
use regex_lite::Regex;

use super::{Annex, AnnexCategory, AnnexItem};

fn re(p: &str) -> Regex {
    Regex::new(p).expect("valid regex")
}

const CN: &str = "[一二三四五六七八九十]+";

static LEVEL1: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^(?:{CN}[、.．]|第{CN}(?:部分|章|节|项)[、：:\s　]*)\s*(.*)$"
    ))
});
static LEVEL2: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"^[（(]{CN}[）)]\s*(.*)$")));
static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:[0-9]+[.．、]|[（(][0-9]+[）)]|[0-9]+[）)])\s*"));
/// `（12分）` at the start of an item.
static POINTS_FIRST: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[（(](?:本项|满分)?\s*([0-9]+(?:\.[0-9]+)?)\s*分[）)][。：:，,\s]*"));
/// `落实领导责任（12分）。` / `桶边督导（本项10分）：`: a title, its points, the text.
static TITLE_POINTS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^([^。；;（(]{1,60}?)[（(](?:本项|满分)?\s*([0-9]+(?:\.[0-9]+)?)\s*分[）)][。：:，,\s]*")
});
/// `水污染防治，满分13分。` / `噪声治理。分值：12分。`: a short title, then its points said.
static TITLE_SAID: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^([^。；;，,（(：:]{2,30}?)[，,。]\s*(?:满分|本项|分值[：:])\s*([0-9]+(?:\.[0-9]+)?)\s*分[。：:，,]\s*",
    )
});
/// `……。本项15分。` at the end.
static POINTS_LAST: LazyLock<Regex> =
    LazyLock::new(|| re(r"[（(]?(?:本项|满分)\s*([0-9]+(?:\.[0-9]+)?)\s*分[）)]?[。.]?$"));
/// A heading's points: `（20分）`, `20分`.
static HEADING_POINTS: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(.*?)\s*[（(]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[）)]\s*$"));
/// What a heading says in parentheses after its name: `（最高加5分）`, `（…累计最多扣10分）`.
static HEADING_NOTE: LazyLock<Regex> = LazyLock::new(|| re(r"^(.*?)\s*[（(](.*)[）)]\s*$"));
static MOST: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:最多|最高|至多|不超过|累计)[^0-9]{0,6}([0-9]+(?:\.[0-9]+)?)\s*分"));
/// A line on how a section scores, before its items: 以下扣分直接从考核总分中扣除.
static LEAD: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:以下|下列|本部分|本节|本类)"));
/// Words that score: a paragraph with one belongs to the item above.
static SCORES: LazyLock<Regex> = LazyLock::new(|| {
    re(r"[扣加得计][0-9一二两三四五六七八九十半.]+分|扣分|加分|不得分|否决|降一?档|按完成比例")
});
/// An amount scored in a sentence (not a heading's own points or bound).
static AMOUNT: LazyLock<Regex> =
    LazyLock::new(|| re(r"[扣加得计][0-9一二两三四五六七八九十半.]+分|不得分|[，。；]"));

/// The end of an item's number at the start of `line` (`1.` but not `1.5分`).
fn numbered(line: &str) -> Option<usize> {
    let m = NUMBERED.find(line)?;
    let next = line[m.end()..].chars().next();
    let decimal =
        m.as_str().trim_end().ends_with(['.', '．']) && next.is_some_and(|c| c.is_ascii_digit());
    (!decimal).then_some(m.end())
}

/// How a numbered line is numbered: 1. (0), （1） (1), 1） (2), （一） under 一、 (3).
fn style_of(line: &str) -> u8 {
    if line.starts_with(['（', '(']) {
        if line.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
            1
        } else {
            3
        }
    } else if line
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .starts_with(['）', ')'])
    {
        2
    } else {
        0
    }
}

/// A line's text without what it says in parentheses at its end.
fn outside_parentheses(text: &str) -> &str {
    match HEADING_NOTE.captures(text) {
        Some(c) => c.get(1).map(|m| m.as_str()).unwrap_or(text),
        None => text,
    }
}

/// Closing lines of a notice: who explains it, when it takes effect.
static TRAILER: LazyLock<Regex> =
    LazyLock::new(|| re(r"负责解释|解释权|自印发之日|起施行|施行之日|此前.*废止"));

/// Whether `lines` read as a prose annex: some headings with points and numbered items.
pub(crate) fn looks_like_prose(lines: &[String]) -> bool {
    let lines: Vec<String> = lines.iter().map(|l| clean(l)).collect();
    let headings = lines
        .iter()
        .filter(|l| LEVEL1.is_match(l) || LEVEL2.is_match(l))
        .count();
    let numbered = lines
        .iter()
        .filter(|l| numbered(l).is_some() || LEVEL2.is_match(l))
        .count();
    headings >= 1 && numbered >= 2 && lines.iter().any(|l| SCORES.is_match(l))
}

fn num(s: &str) -> Option<Decimal> {
    s.parse().ok()
}

fn clean(line: &str) -> String {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .to_string()
}

/// A section heading as read: its name, points (base) or cap, and what kind of section.
struct Heading {
    name: String,
    points: Option<Decimal>,
    bonus: bool,
    /// 扣分项: deductions from the total, at most `points`.
    penalty: bool,
}

fn heading(text: &str) -> Heading {
    let (name, points, note) = if let Some(c) = HEADING_POINTS.captures(text) {
        (c[1].trim().to_string(), num(&c[2]), String::new())
    } else if let Some(c) = HEADING_NOTE.captures(text) {
        (c[1].trim().to_string(), None, c[2].to_string())
    } else {
        (text.trim().to_string(), None, String::new())
    };
    let name = name.trim_end_matches(['：', ':', '。']).trim().to_string();
    let penalty = name.contains("扣分");
    let bonus = !penalty && name.contains("加分");
    let most = MOST.captures(&note).and_then(|c| num(&c[1]));
    Heading {
        name,
        // A bonus section's points are its cap (加分项（最高加5分）).
        points: if bonus {
            points.or(most)
        } else {
            points.or(most.filter(|_| penalty))
        },
        bonus,
        penalty,
    }
}

/// An item's text: (title, points, criteria).
fn item(text: &str) -> (Option<String>, Option<Decimal>, String) {
    // 水污染防治，满分13分。… / 噪声和餐饮油烟污染治理。分值：12分。…
    if let Some(c) = TITLE_SAID.captures(text)
        && !SCORES.is_match(&c[1])
    {
        let rest = &text[c.get(0).expect("match").end()..];
        let title = c[1].trim().to_string();
        return (Some(title), num(&c[2]), rest.trim().to_string());
    }
    if let Some(c) = POINTS_FIRST.captures(text) {
        let rest = &text[c.get(0).expect("match").end()..];
        return (None, num(&c[1]), rest.trim().to_string());
    }
    if let Some(c) = TITLE_POINTS.captures(text) {
        let rest = &text[c.get(0).expect("match").end()..];
        let title = c[1].trim().trim_end_matches(['：', ':']).to_string();
        return (Some(title), num(&c[2]), rest.trim().to_string());
    }
    if let Some(c) = POINTS_LAST.captures(text) {
        let at = c.get(0).expect("match").start();
        return (None, num(&c[1]), text[..at].trim().to_string());
    }
    (None, None, text.trim().to_string())
}

struct Section {
    heading: Heading,
    items: Vec<AnnexItem>,
    /// Text under the heading before its first item (以下扣分直接从考核总分中扣除).
    lead: Vec<String>,
}

/// Reads a prose annex from its paragraphs (or lines), in order.
pub(crate) fn read(lines: &[String], format: &str) -> Result<Annex, String> {
    let lines: Vec<String> = lines
        .iter()
        .map(|l| clean(l))
        .filter(|l| !l.is_empty())
        .collect();
    let level1 = lines.iter().any(|l| {
        LEVEL1
            .captures(l)
            .is_some_and(|c| c[1].chars().count() <= 40)
    });
    let mut preamble = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut notes = Vec::new();
    // How the first item is numbered (1. / （1） / 1）): a line numbered otherwise under an
    // open item is a part of it (1. 大气污染防治（本项15分）。 then （1）… （2）…).
    let mut item_style: Option<u8> = None;
    for line in &lines {
        let is_heading = if level1 {
            LEVEL1
                .captures(line)
                .filter(|c| c[1].chars().count() <= 40)
                .map(|c| c[1].to_string())
        } else {
            LEVEL2
                .captures(line)
                .filter(|c| {
                    c[1].chars().count() <= 40 && !AMOUNT.is_match(outside_parentheses(&c[1]))
                })
                .map(|c| c[1].to_string())
        };
        if let Some(text) = is_heading {
            sections.push(Section {
                heading: heading(&text),
                items: Vec::new(),
                lead: Vec::new(),
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            preamble.push(line.clone());
            continue;
        };
        let numbered = numbered(line).or_else(|| {
            level1
                .then(|| LEVEL2.captures(line))
                .flatten()
                .map(|c| c.get(1).expect("group").start())
        });
        let style = numbered.map(|_| style_of(line));
        let part_of_item = style.is_some()
            && item_style.is_some()
            && style != item_style
            && !section.items.is_empty();
        if part_of_item {
            let it = section.items.last_mut().expect("checked");
            it.criteria.push_str(line);
            continue;
        }
        if item_style.is_none() {
            item_style = style;
        }
        match numbered {
            Some(end) => {
                let (name, points, criteria) = item(&line[end..]);
                section.items.push(AnnexItem {
                    name,
                    points,
                    criteria,
                });
            }
            None if TRAILER.is_match(line) && !SCORES.is_match(line) => {
                notes.push(format!("“{line}”不是评分条目，已略去"));
            }
            None => match section.items.last_mut() {
                // A further paragraph of the item above.
                // Only 本项N分 at its end is read: （满分100分） inside it is a measure's.
                Some(it) if SCORES.is_match(line) => {
                    let (points, text) = match POINTS_LAST.captures(line) {
                        Some(c) => {
                            let at = c.get(0).expect("match").start();
                            (num(&c[1]), line[..at].trim())
                        }
                        None => (None, line.as_str()),
                    };
                    it.criteria.push_str(text);
                    if it.points.is_none() {
                        it.points = points;
                    }
                }
                // An unnumbered paragraph that scores, under a heading: an item of its
                // own (the one line of a 一票否决 section).
                None if SCORES.is_match(line) && !LEAD.is_match(line) => {
                    let (name, points, criteria) = item(line);
                    section.items.push(AnnexItem {
                        name,
                        points,
                        criteria,
                    });
                }
                Some(it) if !line.ends_with(['。', '；', ';']) || !it.criteria.ends_with('。') =>
                {
                    // A sentence broken over two lines.
                    it.criteria.push_str(line);
                }
                _ => section.lead.push(line.clone()),
            },
        }
    }
    let mut categories = Vec::new();
    for s in sections {
        if s.items.is_empty()
            || s.items
                .iter()
                .all(|i| i.points.is_none() && !SCORES.is_match(&i.criteria))
        {
            if !s.items.is_empty() || !s.lead.is_empty() {
                notes.push(format!("“{}”一节没有评分条目，已略去", s.heading.name));
            }
            continue;
        }
        let mut items = s.items;
        let mut points = s.heading.points;
        let mut max_deduction = None;
        if s.heading.penalty {
            // The section's limit: in its heading, or in a line under it (以下事项…，扣分项
            // 最多扣10分).
            let most = points.or_else(|| {
                s.lead
                    .iter()
                    .find_map(|l| MOST.captures(l).and_then(|c| num(&c[1])))
            });
            for it in &mut items {
                if it.points.is_none() {
                    it.points = MOST.captures(&it.criteria).and_then(|c| num(&c[1]));
                }
            }
            // Items with no limit of their own may each take the section's whole limit:
            // each is worth it, and the category, worth their sum, loses at most the limit.
            if let Some(m) = most
                && items.iter().any(|i| i.points.is_none())
            {
                for it in items.iter_mut().filter(|i| i.points.is_none()) {
                    it.points = Some(m);
                }
                let sum: Decimal = items.iter().filter_map(|i| i.points).sum();
                if sum > m {
                    max_deduction = Some(m);
                }
                points = Some(sum.max(m));
            } else {
                points = most;
            }
            notes.push(format!(
                "“{}”一节从总分中扣除；评分格式没有扣分类别，已读作一个基础类别（满分为可扣的分数，每项满分为其最多扣分；各项没有自己的上限时，每项满分为本节上限、本类别最多扣本节上限），总分因此多出这一节的分数，请核对",
                s.heading.name
            ));
        }
        categories.push(AnnexCategory {
            name: s.heading.name,
            points,
            bonus: s.heading.bonus,
            max_deduction,
            items,
        });
    }
    if categories.is_empty() {
        return Err(
            "没有读出评分条目：正文里应有带分值的标题（如“一、组织领导（20分）”）和编号的评分条目（如“1. ……（5分）。未落实的扣2分”）；若细则是一张表格，请导入表格本身".to_string(),
        );
    }
    Ok(Annex {
        title: super::grid::title(&preamble),
        preamble,
        categories,
        notes,
        format: format.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn headings_items_and_their_points_are_read_in_every_placement() {
        let text = "附件1\n\n某区2026年度考核细则\n\n一、组织领导（20分）\n\
            1. 落实领导责任（12分）。成立领导小组，未落实的扣2分。\n\
            2.（8分）综治中心实体化运行，未落实的扣4分；视频监控\n联网率达到95%以上，未达到的扣2分。\n\
            二、工作成效（10分）\n（1）宣传（满分10分）：未开展的扣4分。\n\
            三、加分项（最高加5分）\n3. 获省级表彰的加2分。\n\
            本细则由区平安办负责解释。";
        let annex = read(&lines(text), "text").unwrap();
        assert_eq!(annex.title.as_deref(), Some("某区2026年度考核细则"));
        let cats: Vec<(&str, Option<String>, bool)> = annex
            .categories
            .iter()
            .map(|c| (c.name.as_str(), c.points.map(|p| p.to_string()), c.bonus))
            .collect();
        assert_eq!(
            cats,
            [
                ("组织领导", Some("20".into()), false),
                ("工作成效", Some("10".into()), false),
                ("加分项", Some("5".into()), true)
            ]
        );
        let first = &annex.categories[0].items;
        assert_eq!(first[0].name.as_deref(), Some("落实领导责任"));
        assert_eq!(first[0].points.map(|p| p.to_string()), Some("12".into()));
        assert_eq!(first[0].criteria, "成立领导小组，未落实的扣2分。");
        assert_eq!(
            first[1].criteria,
            "综治中心实体化运行，未落实的扣4分；视频监控联网率达到95%以上，未达到的扣2分。"
        );
        assert_eq!(annex.categories[1].items[0].name.as_deref(), Some("宣传"));
        assert!(annex.notes.iter().any(|n| n.contains("负责解释")));
    }

    #[test]
    fn without_level_one_headings_the_parenthesised_ones_are_categories() {
        let text = "（一）监管责任（30分）\n1. 未落实的每项扣2分。本项15分。\n\
            2. 每发现一起扣1分，最多扣9分。本项15分。\n（二）一票否决\n发生重大事故的，实行一票否决。";
        let annex = read(&lines(text), "text").unwrap();
        assert_eq!(annex.categories.len(), 2);
        assert_eq!(
            annex.categories[0].items[0].points.map(|p| p.to_string()),
            Some("15".into())
        );
        assert_eq!(annex.categories[0].items[0].criteria, "未落实的每项扣2分。");
        assert_eq!(annex.categories[1].name, "一票否决");
        assert_eq!(annex.categories[1].items.len(), 1);
    }

    #[test]
    fn items_numbered_with_parenthesised_chinese_under_level_one_headings() {
        let text = "一、体系建设（25分）\n（一）（12分）成立委员会，未落实的每项扣2分。\n\
            （二）（13分）全年演练不少于4次，每少一次扣1分。\n\
            二、扣分项（从考核总分中扣除，累计最多扣10分）\n（一）迟报的，每次扣2分，最多扣6分。\n\
            （二）被通报的，每次扣1分，最多扣4分。";
        let annex = read(&lines(text), "text").unwrap();
        assert_eq!(annex.categories[0].items.len(), 2);
        assert_eq!(
            annex.categories[0].items[1].points.map(|p| p.to_string()),
            Some("13".into())
        );
        let penalty = &annex.categories[1];
        assert_eq!(penalty.name, "扣分项");
        assert_eq!(penalty.points.map(|p| p.to_string()), Some("10".into()));
        let points: Vec<String> = penalty
            .items
            .iter()
            .map(|i| i.points.unwrap().to_string())
            .collect();
        assert_eq!(points, ["6", "4"]);
    }
}
