//! Importing a rubric from its annex (附件：考核评分细则) in the admin pages: the Word,
//! Excel or text file is read into a draft (`kaohe_formats::annex`), and the draft is
//! shown item by item beside its criteria, the words each rule came from marked and what
//! the reader is unsure of flagged. Below, the draft as a rubric file is editable, and is
//! saved as a new rubric version only when it loads — through the same path as an
//! upload ([`save_version`]).
//!
//! Nothing is stored until then: the review page carries the draft in its form (the
//! rubric file in the text area, the review itself as JSON in a hidden field, so that it
//! is shown again beside the problems when a save is refused).

use std::ops::Range;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::{Decimal, fmt_decimal as f};
use kaohe_formats::annex::{
    self, Confidence, Draft, DraftCheck, DraftItem, DraftKind, DraftRule, Flag, FlagKind,
    InputKind, Threshold,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::AppState;
use crate::admin::rubrics::{
    NotSaved, ProblemView, first_problems, render_import_error, save_version,
};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::layout::Layout;
use crate::http::upload::Upload;

// ── the review, as shown and as carried in the form ──────────────────────────

/// A flag as shown: its word (必须处理, 请核对, …), a colour class and the message.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FlagView {
    word: String,
    class: String,
    message: String,
}

/// A run of an item's criteria: plain, or marked as the source of rules or of a flag.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Segment {
    text: String,
    /// Empty for plain text; else the classes of its `<mark>`.
    class: String,
    /// What the mark is, for a tooltip: `规则 1`, `⚠ 请核对`.
    title: String,
    /// The numbers of the rules whose source ends here.
    ends: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RuleView {
    no: usize,
    /// The rule in words.
    words: String,
    /// The words it came from.
    source: String,
    /// How sure the reader is, in words, and its colour class.
    confidence: String,
    class: String,
    flags: Vec<FlagView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ItemView {
    id: String,
    name: String,
    points: String,
    /// `red` when something must be settled, `amber` when something is to check.
    class: String,
    segments: Vec<Segment>,
    rules: Vec<RuleView>,
    inputs: Vec<String>,
    flags: Vec<FlagView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CategoryView {
    title: String,
    items: Vec<ItemView>,
}

/// The draft as reviewed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Review {
    title: String,
    categories: usize,
    items: usize,
    rules: usize,
    blocking: usize,
    to_check: usize,
    manual: usize,
    /// Flags of the document as a whole (a repeated header skipped, no title found).
    flags: Vec<FlagView>,
    unit_facts: Vec<String>,
    sections: Vec<CategoryView>,
}

fn class_of(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::Unsettled | FlagKind::Unread => "red",
        FlagKind::Review => "amber",
        FlagKind::Discretionary => "manual",
        FlagKind::Note => "note",
    }
}

fn flag_view(flag: &Flag) -> FlagView {
    FlagView {
        word: flag.kind.word().to_string(),
        class: class_of(flag.kind).to_string(),
        message: flag.message.clone(),
    }
}

fn kind_text(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Count => "整数",
        InputKind::Percent => "百分比",
        InputKind::Decimal => "小数",
        InputKind::Bool => "是/否",
    }
}

/// How the draft names an input: its label, else its key.
fn label_of(draft: &Draft, item: &DraftItem, key: &str) -> String {
    item.inputs
        .iter()
        .chain(draft.unit_facts.iter())
        .find(|i| i.key == key)
        .map(|i| i.label.clone())
        .unwrap_or_else(|| key.to_string())
}

fn is_percent(item: &DraftItem, key: &str) -> bool {
    item.inputs
        .iter()
        .any(|i| i.key == key && i.kind == InputKind::Percent)
}

fn check_text(draft: &Draft, item: &DraftItem, c: &DraftCheck) -> String {
    let (what, percent) = match (&c.ratio, &c.input) {
        (Some((a, b)), _) => (
            format!(
                "{} 占 {} 的比例",
                label_of(draft, item, a),
                label_of(draft, item, b)
            ),
            true,
        ),
        (None, Some(i)) => (label_of(draft, item, i), is_percent(item, i)),
        (None, None) => (
            c.label.clone().unwrap_or_else(|| c.source_text.clone()),
            false,
        ),
    };
    let what = match (&c.label, &c.ratio) {
        (Some(l), Some(_)) => format!("{l}（{what}）"),
        _ => what,
    };
    let pct = if percent { "%" } else { "" };
    match c.threshold {
        Some(Threshold::AtLeast(n)) => format!("{what} 不低于 {}{pct}", f(n)),
        Some(Threshold::AtMost(n)) => format!("{what} 不高于 {}{pct}", f(n)),
        None => what,
    }
}

/// A draft rule in words, as the rubric page says a loaded one.
fn rule_words(draft: &Draft, item: &DraftItem, rule: &DraftRule) -> String {
    let label = |key: &str| label_of(draft, item, key);
    let list = |checks: &[DraftCheck]| {
        checks
            .iter()
            .map(|c| check_text(draft, item, c))
            .collect::<Vec<_>>()
            .join("；")
    };
    match &rule.kind {
        DraftKind::PerCount { input, each, max } => {
            let cap = max
                .map(|m| format!("，最多扣 {} 分", f(m)))
                .unwrap_or_default();
            format!("按次扣分：{} 每次扣 {} 分{cap}", label(input), f(*each))
        }
        DraftKind::Checks {
            checks,
            each,
            once: false,
        } => format!("逐项检查，每项未做到扣 {} 分：{}", f(*each), list(checks)),
        DraftKind::Checks {
            checks,
            each,
            once: true,
        } => format!(
            "检查，有任一项未做到扣 {} 分（只扣一次）：{}",
            f(*each),
            list(checks)
        ),
        DraftKind::Shortfall {
            input,
            required,
            each,
            step,
            round,
            max,
        } => match required {
            Some(n) => {
                let per = if *step == Decimal::ONE {
                    "每少一个".to_string()
                } else {
                    format!("每少 {}", f(*step))
                };
                let part = match *round {
                    "up" => "（不足一档的按一档计）",
                    "exact" => "（按比例）",
                    _ => "",
                };
                let cap = max
                    .map(|m| format!("，最多扣 {} 分", f(m)))
                    .unwrap_or_default();
                format!(
                    "{} 要求 {} 以上，{per}扣 {} 分{part}{cap}",
                    label(input),
                    f(*n),
                    f(*each)
                )
            }
            None => format!(
                "{} 每少一次扣 {} 分；要求的次数原文没有写明，须填上 required",
                label(input),
                f(*each)
            ),
        },
        DraftKind::Below {
            input,
            reference,
            deduct,
        } => format!(
            "{} 少于 {} 扣 {} 分",
            label(input),
            label(reference),
            f(*deduct)
        ),
        DraftKind::Award { terms, cap } | DraftKind::Tiered { levels: terms, cap } => {
            let word = if matches!(rule.kind, DraftKind::Tiered { .. }) {
                "分级加分"
            } else {
                "加分"
            };
            let parts: Vec<String> = terms
                .iter()
                .map(|t| format!("{} 每个加 {} 分", label(&t.input), f(t.each)))
                .collect();
            let cap = cap
                .or(item.cap)
                .map(|c| format!("，最高得 {} 分", f(c)))
                .unwrap_or_else(|| "，不封顶".to_string());
            format!("{word}：{}{cap}", parts.join("；"))
        }
        DraftKind::Discretionary { add: true, max, .. } => match max {
            Some(m) => format!("适当加分，0 至 {} 分，由考核人员打分并写理由", f(*m)),
            None => {
                "适当加分，由考核人员打分并写理由；最多加几分原文没有写明，须填上 max".to_string()
            }
        },
        DraftKind::Discretionary {
            add: false, max, ..
        } => match max.or(item.points) {
            Some(m) => format!("酌情扣分，0 至 {} 分，由考核人员打分并写理由", f(m)),
            None => "酌情扣分，由考核人员打分并写理由".to_string(),
        },
        DraftKind::Indicator { checks } => {
            format!("指标，不计分，未达目标时标注：{}", list(checks))
        }
        DraftKind::Proportional {
            input,
            ratio,
            target,
            max,
        } => {
            let what = match (input, ratio) {
                (Some(i), _) => label(i),
                (None, Some((n, d))) => format!("{}/{}", label(n), label(d)),
                (None, None) => String::new(),
            };
            let target = target
                .map(|t| format!(" 达到 {}", f(t)))
                .unwrap_or_default();
            let max = max
                .or(item.points)
                .map(|m| format!(" {} 分", f(m)))
                .unwrap_or_default();
            format!("按完成比例得分：{what}{target} 得满分{max}，不足的按比例得分")
        }
        DraftKind::Tiers {
            input,
            above,
            tiers,
        } => {
            let word = if *above { "高于" } else { "低于" };
            let bands: Vec<String> = tiers
                .iter()
                .map(|(b, d)| format!("{word} {} 扣 {} 分", f(*b), f(*d)))
                .collect();
            format!(
                "分档扣分：{} {}（按扣分最多的一档扣一次）",
                label(input),
                bands.join("；")
            )
        }
        DraftKind::Veto {
            checks,
            downgrade: false,
        } => format!("一票否决：{}", list(checks)),
        DraftKind::Veto {
            checks,
            downgrade: true,
        } => format!("未达到则降一档：{}", list(checks)),
    }
}

fn confidence(c: Confidence) -> (&'static str, &'static str) {
    match c {
        Confidence::Sure => ("读出", "ok"),
        Confidence::Review => ("请核对", "amber"),
        Confidence::Unsettled => ("必须处理", "red"),
    }
}

/// What a stretch of the criteria is marked as.
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// The words rule `n` came from.
    Rule(usize),
    /// Words rule `n` read a check or a term from.
    Part(usize),
    /// The words a flag concerns.
    Flag(FlagKind),
}

/// Where `needle` is in `text`: the first place at or after `from`, else the first.
fn place(text: &str, needle: &str, from: usize) -> Option<Range<usize>> {
    if needle.is_empty() {
        return None;
    }
    let at = text
        .get(from..)
        .and_then(|rest| rest.find(needle).map(|i| i + from))
        .or_else(|| text.find(needle))?;
    Some(at..at + needle.len())
}

/// The criteria cut where marks begin and end, each run with the marks over it.
fn segments(text: &str, marks: &[(Range<usize>, Mark)]) -> Vec<Segment> {
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (r, _) in marks {
        cuts.push(r.start);
        cuts.push(r.end);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Segment> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let over: Vec<Mark> = marks
            .iter()
            .filter(|(r, _)| r.start <= a && b <= r.end)
            .map(|(_, m)| *m)
            .collect();
        let mut rules: Vec<usize> = over
            .iter()
            .filter_map(|m| match m {
                Mark::Rule(n) | Mark::Part(n) => Some(*n),
                Mark::Flag(_) => None,
            })
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let flag = over
            .iter()
            .filter_map(|m| match m {
                Mark::Flag(k) => Some(*k),
                _ => None,
            })
            .min_by_key(|k| match k {
                FlagKind::Unsettled | FlagKind::Unread => 0,
                FlagKind::Review => 1,
                FlagKind::Discretionary => 2,
                FlagKind::Note => 3,
            });
        let mut classes = Vec::new();
        if over.iter().any(|m| matches!(m, Mark::Rule(_))) {
            classes.push("imp-src".to_string());
        } else if !rules.is_empty() {
            classes.push("imp-part".to_string());
        }
        let mut title: Vec<String> = rules.iter().map(|n| format!("规则 {n}")).collect();
        if let Some(k) = flag.filter(|k| *k != FlagKind::Note) {
            classes.push(format!("imp-{}", class_of(k)));
            title.push(format!("⚠ {}", k.word()));
        }
        let ends: Vec<usize> = marks
            .iter()
            .filter_map(|(r, m)| match m {
                Mark::Rule(n) if r.end == b => Some(*n),
                _ => None,
            })
            .collect();
        let seg = Segment {
            text: text[a..b].to_string(),
            class: classes.join(" "),
            title: title.join("、"),
            ends,
        };
        match out.last_mut() {
            Some(last)
                if last.class == seg.class && last.title == seg.title && last.ends.is_empty() =>
            {
                last.text.push_str(&seg.text);
                last.ends = seg.ends;
            }
            _ => out.push(seg),
        }
    }
    out
}

fn item_view(draft: &Draft, item: &DraftItem, bonus: bool) -> ItemView {
    let text = item.criteria.as_str();
    let mut marks: Vec<(Range<usize>, Mark)> = Vec::new();
    let mut from = 0;
    for (i, rule) in item.rules.iter().enumerate() {
        let n = i + 1;
        if let Some(r) = place(text, &rule.source_text, from) {
            from = r.end;
            marks.push((r, Mark::Rule(n)));
        }
        let parts: Vec<&str> = match &rule.kind {
            DraftKind::Checks { checks, .. }
            | DraftKind::Indicator { checks }
            | DraftKind::Veto { checks, .. } => {
                checks.iter().map(|c| c.source_text.as_str()).collect()
            }
            DraftKind::Award { terms, .. } | DraftKind::Tiered { levels: terms, .. } => {
                terms.iter().map(|t| t.source_text.as_str()).collect()
            }
            _ => Vec::new(),
        };
        for p in parts {
            if let Some(r) = place(text, p, 0) {
                marks.push((r, Mark::Part(n)));
            }
        }
        for flag in &rule.flags {
            if let Some(r) = flag.source_text.as_deref().and_then(|s| place(text, s, 0)) {
                marks.push((r, Mark::Flag(flag.kind)));
            }
        }
    }
    for flag in &item.flags {
        if let Some(r) = flag.source_text.as_deref().and_then(|s| place(text, s, 0)) {
            marks.push((r, Mark::Flag(flag.kind)));
        }
    }
    let every_flag = item
        .flags
        .iter()
        .chain(item.rules.iter().flat_map(|r| r.flags.iter()));
    let class = every_flag.fold("", |worst, flag| match (worst, class_of(flag.kind)) {
        ("red", _) | (_, "red") => "red",
        ("amber", _) | (_, "amber") => "amber",
        _ => worst,
    });
    let class = if item
        .rules
        .iter()
        .any(|r| r.confidence == Confidence::Unsettled)
    {
        "red"
    } else {
        class
    };
    let points = match (bonus, item.points, item.cap) {
        (true, _, Some(cap)) => format!("加分项，最高 {} 分", f(cap)),
        (true, _, None) => "加分项".to_string(),
        (false, Some(p), _) if item.award => format!("{} 分（从 0 加起）", f(p)),
        (false, Some(p), _) => format!("{} 分", f(p)),
        (false, None, _) => "表中没有分值".to_string(),
    };
    ItemView {
        id: item.id.clone(),
        name: item.name.clone().unwrap_or_default(),
        points,
        class: class.to_string(),
        segments: segments(text, &marks),
        rules: item
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let (word, class) = confidence(rule.confidence);
                RuleView {
                    no: i + 1,
                    words: rule_words(draft, item, rule),
                    source: rule.source_text.clone(),
                    confidence: word.to_string(),
                    class: class.to_string(),
                    flags: rule.flags.iter().map(flag_view).collect(),
                }
            })
            .collect(),
        inputs: item
            .inputs
            .iter()
            .map(|i| {
                let unit = i
                    .unit
                    .as_deref()
                    .map(|u| format!("，单位 {u}"))
                    .unwrap_or_default();
                format!("{}（{}；{}{unit}）", i.label, i.key, kind_text(i.kind))
            })
            .collect(),
        flags: item.flags.iter().map(flag_view).collect(),
    }
}

fn review_of(draft: &Draft) -> Review {
    let blocking = draft.count(FlagKind::Unsettled) + draft.count(FlagKind::Unread);
    Review {
        title: draft.title.clone(),
        categories: draft.categories.len(),
        items: draft.items().count(),
        rules: draft.items().map(|i| i.rules.len()).sum(),
        blocking,
        to_check: draft.count(FlagKind::Review),
        manual: draft.count(FlagKind::Discretionary),
        flags: draft.flags.iter().map(flag_view).collect(),
        unit_facts: draft
            .unit_facts
            .iter()
            .map(|u| format!("{}（{}；{}）", u.label, u.key, kind_text(u.kind)))
            .collect(),
        sections: draft
            .categories
            .iter()
            .map(|c| CategoryView {
                title: match (c.bonus, c.points) {
                    (true, _) => format!("{}（加分项）", c.name),
                    (false, Some(p)) => format!("{}（{} 分）", c.name, f(p)),
                    (false, None) => format!("{}（表中没有分值）", c.name),
                },
                items: c
                    .items
                    .iter()
                    .map(|i| item_view(draft, i, c.bonus))
                    .collect(),
            })
            .collect(),
    }
}

// ── the pages ─────────────────────────────────────────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "admin/rubric_import.html")]
struct ImportPage {
    layout: Layout,
    /// The annex's file name.
    file: String,
    review: Option<Review>,
    /// The review as carried in the form.
    review_json: String,
    /// The draft as a rubric file, as edited.
    text: String,
    /// The codes of the organiser's rubrics, to save the draft as a version of one.
    codes: Vec<String>,
    problems: Vec<ProblemView>,
    more_problems: usize,
    error: Option<String>,
}

async fn render_review(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    file: String,
    review: Option<Review>,
    text: String,
    not_saved: Option<NotSaved>,
) -> AppResult<Response> {
    let mut codes: Vec<String> = state
        .store
        .rubrics(me.org())
        .await?
        .into_iter()
        .map(|v| v.code)
        .collect();
    codes.sort();
    codes.dedup();
    let (error, problems) = match not_saved {
        Some(n) => (Some(n.message), n.problems),
        None => (None, Vec::new()),
    };
    let (problems, more_problems) = first_problems(problems);
    let review_json = review
        .as_ref()
        .and_then(|r| serde_json::to_string(r).ok())
        .unwrap_or_default();
    Ok(ImportPage {
        layout: Layout::new(state, session, me, "从附件导入细则").await?,
        file,
        review,
        review_json,
        text,
        codes,
        problems,
        more_problems,
        error,
    }
    .into_response())
}

/// A file name as a browser may send it, cut to its last part, without control
/// characters.
fn clean_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

/// `POST /admin/rubrics/import`: reads the annex and shows the draft to review; a file
/// that cannot be read is refused on the list page with what to do. Nothing is stored.
pub async fn import_upload(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    upload: Result<Upload, AppError>,
) -> AppResult<Response> {
    let upload = match upload {
        Ok(u) => u,
        // A body over the size limit cannot be read, nor its token checked: say so on
        // the list page, which changes nothing.
        Err(AppError::BadRequest(_)) => {
            let e = format!(
                "未导入：文件没有传完整，或超过导入上限 {} MB。评分细则附件通常不足 1 MB；请确认选对了文件（表格里有大图片时，删去图片另存后再导入）。",
                annex::MAX_FILE_BYTES / 1_048_576
            );
            return render_import_error(&state, &session, &me, e).await;
        }
        Err(e) => return Err(e),
    };
    check_csrf(&session, upload.field("csrf")).await?;
    let Some(file) = upload.file("file") else {
        let e =
            "未导入：请先选择评分细则附件（Word .docx/.doc/.wps、Excel .xlsx，或文本 .txt/.csv）。"
                .to_string();
        return render_import_error(&state, &session, &me, e).await;
    };
    let name = match clean_name(&file.filename) {
        n if n.is_empty() => "附件".to_string(),
        n => n,
    };
    let data = file.data.clone();
    let read_name = name.clone();
    // Reading may start LibreOffice for an old .doc/.wps: off the async threads.
    let read = tokio::task::spawn_blocking(move || annex::import_annex(&read_name, &data))
        .await
        .map_err(|e| AppError::Internal(format!("annex import: {e}")))?;
    let draft = match read {
        Ok(d) => d,
        Err(e) => {
            let m = format!("未导入，未保存任何内容。{}：{}", e.file, e.message);
            return render_import_error(&state, &session, &me, m).await;
        }
    };
    let review = review_of(&draft);
    render_review(
        &state,
        &session,
        &me,
        name,
        Some(review),
        draft.to_toml(),
        None,
    )
    .await
}

/// `POST /admin/rubrics/import/save`: the draft as edited, checked and saved as a new
/// rubric version; refused with each problem at its line, the text kept to fix.
pub async fn import_save(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    upload: Upload,
) -> AppResult<Response> {
    check_csrf(&session, upload.field("csrf")).await?;
    let file = match clean_name(upload.field("file")) {
        n if n.is_empty() => "附件".to_string(),
        n => n,
    };
    let review: Option<Review> = serde_json::from_str(upload.field("review")).ok();
    // A text area sends CRLF line ends; the text as typed has LF.
    let text = upload.field("text").replace("\r\n", "\n");
    if text.trim().is_empty() {
        let not = NotSaved {
            message: "未保存：文本框是空的。请从评分细则页重新导入附件，或把细则内容填回文本框。"
                .to_string(),
            problems: Vec::new(),
        };
        return render_review(&state, &session, &me, file, review, text, Some(not)).await;
    }
    match save_version(&state, &me, &text, &file, Some(&file)).await? {
        Ok(v) => Ok(Redirect::to(&format!("/admin/rubrics/{}?uploaded=1", v.id)).into_response()),
        Err(not) => render_review(&state, &session, &me, file, review, text, Some(not)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_split_the_text_where_they_begin_and_end() {
        let text = "甲乙丙丁戊";
        let b = |i: usize| i * "甲".len();
        let segs = segments(
            text,
            &[
                (b(1)..b(4), Mark::Rule(1)),
                (b(2)..b(3), Mark::Flag(FlagKind::Unread)),
            ],
        );
        let shown: Vec<(String, String, Vec<usize>)> = segs
            .into_iter()
            .map(|s| (s.text, s.class, s.ends))
            .collect();
        assert_eq!(
            shown,
            [
                ("甲".into(), "".into(), vec![]),
                ("乙".into(), "imp-src".into(), vec![]),
                ("丙".into(), "imp-src imp-red".into(), vec![]),
                ("丁".into(), "imp-src".into(), vec![1]),
                ("戊".into(), "".into(), vec![]),
            ]
        );
    }

    #[test]
    fn a_phrase_found_again_after_the_last_one_is_the_later_place() {
        assert_eq!(place("扣1分，扣1分", "扣1分", 7), Some(10..17));
        assert_eq!(place("扣1分", "扣2分", 0), None);
    }
}
