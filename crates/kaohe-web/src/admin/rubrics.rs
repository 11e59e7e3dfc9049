//! Rubrics (评分细则): the versions, uploading a new one (a file or pasted text; every
//! problem shown at its line, nothing saved), one version as a table, and what changed
//! between two versions, item by item. A stored version is never changed: an upload is
//! always a new version, and campaigns keep the version they were opened with.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::explain::describe_rule;
use kaohe_core::rubric::{Category, CategoryKind, Input, InputType, Item, ItemMode};
use kaohe_core::{Rubric, fmt_decimal as f};
use kaohe_storage::{Id, RubricVersion};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::audit::{change, record};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::Opt;
use crate::http::layout::{Layout, china_time};
use crate::http::upload::{MAX_RUBRIC_BYTES, Upload, too_big};
use crate::year::Action;
use crate::year::scoring;

/// Lines shown before and after a line with a problem.
const CONTEXT: usize = 2;
const MAX_PROBLEMS: usize = 100;

struct VersionRow {
    id: Id,
    code: String,
    version: i64,
    title: String,
    hash: String,
    created: String,
    campaigns: Vec<(Id, String)>,
}

/// A line of the uploaded text, numbered; `hit` marks the line a problem is on.
pub(crate) struct SourceLine {
    pub(crate) no: usize,
    pub(crate) text: String,
    pub(crate) hit: bool,
}

pub(crate) struct ProblemView {
    pub(crate) line: usize,
    pub(crate) message: String,
    pub(crate) source: Vec<SourceLine>,
}

/// The upload forms of the list page as sent back: the text to fix, the file it came
/// from, its problems, and what went wrong with either form.
#[derive(Default)]
struct UploadForm {
    text: String,
    file: String,
    problems: Vec<ProblemView>,
    error: Option<String>,
    /// What went wrong importing an annex (the second form).
    import_error: Option<String>,
}

impl UploadForm {
    fn error(message: String) -> UploadForm {
        UploadForm {
            error: Some(message),
            ..UploadForm::default()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/rubrics.html")]
struct RubricsPage {
    layout: Layout,
    versions: Vec<VersionRow>,
    text: String,
    file: String,
    problems: Vec<ProblemView>,
    more_problems: usize,
    error: Option<String>,
    import_error: Option<String>,
}

/// Campaign titles by the rubric version they use.
async fn campaigns_by_rubric(
    state: &AppState,
    me: &CurrentUser,
) -> AppResult<HashMap<Id, Vec<(Id, String)>>> {
    let mut map: HashMap<Id, Vec<(Id, String)>> = HashMap::new();
    for c in state.store.campaigns(me.org()).await? {
        map.entry(c.rubric_id).or_default().push((c.id, c.title));
    }
    Ok(map)
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// How a version is named to people: `北仑区…细则（beilun-2026 第 2 版）`.
/// A version as people name it: its title, the year it is for and its number
/// (`…评分细则（2026 年度，第 1 版）`); versions of different years share a title, and its
/// code is for files.
pub fn version_label(v: &RubricVersion) -> String {
    match Rubric::from_toml(&v.source, &v.code)
        .ok()
        .and_then(|r| r.year())
    {
        Some(y) => format!("{}（{y} 年度，第 {} 版）", v.title, v.version),
        None => format!("{}（第 {} 版）", v.title, v.version),
    }
}

/// At most [`MAX_PROBLEMS`] problems, and how many more there were.
pub(crate) fn first_problems(mut problems: Vec<ProblemView>) -> (Vec<ProblemView>, usize) {
    let more = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    (problems, more)
}

async fn render_list(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    form: UploadForm,
) -> AppResult<Response> {
    let uses = campaigns_by_rubric(state, me).await?;
    let mut versions: Vec<VersionRow> = state
        .store
        .rubrics(me.org())
        .await?
        .into_iter()
        .map(|v| VersionRow {
            campaigns: uses.get(&v.id).cloned().unwrap_or_default(),
            id: v.id,
            hash: short(&v.hash),
            created: china_time(v.created_at),
            code: v.code,
            version: v.version,
            title: v.title,
        })
        .collect();
    // Newest version of each rubric first.
    versions.sort_by(|a, b| a.code.cmp(&b.code).then(b.version.cmp(&a.version)));
    let (problems, more_problems) = first_problems(form.problems);
    Ok(RubricsPage {
        layout: Layout::new(state, session, me, "评分细则").await?,
        versions,
        text: form.text,
        file: form.file,
        problems,
        more_problems,
        error: form.error,
        import_error: form.import_error,
    }
    .into_response())
}

/// The list page with what went wrong importing an annex; nothing was saved.
pub(crate) async fn render_import_error(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    message: String,
) -> AppResult<Response> {
    let form = UploadForm {
        import_error: Some(message),
        ..UploadForm::default()
    };
    render_list(state, session, me, form).await
}

pub async fn rubrics_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<Response> {
    render_list(&state, &session, &me, UploadForm::default()).await
}

/// Each problem with the lines around it, the problem's own line marked.
pub(crate) fn problem_views(
    text: &str,
    problems: &[kaohe_core::rubric::Problem],
) -> Vec<ProblemView> {
    let lines: Vec<&str> = text.lines().collect();
    problems
        .iter()
        .map(|p| {
            let at = p.line.clamp(1, lines.len().max(1));
            let from = at.saturating_sub(CONTEXT).max(1);
            let to = (at + CONTEXT).min(lines.len());
            ProblemView {
                line: p.line,
                message: p.message.clone(),
                source: (from..=to)
                    .map(|no| SourceLine {
                        no,
                        text: lines[no - 1].to_string(),
                        hit: no == p.line,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Why a rubric text was not saved: what to do, and each problem at its line.
pub(crate) struct NotSaved {
    pub(crate) message: String,
    pub(crate) problems: Vec<ProblemView>,
}

impl NotSaved {
    fn say(message: String) -> NotSaved {
        NotSaved {
            message,
            problems: Vec::new(),
        }
    }
}

/// Checks a rubric's text and stores it as a new version (the next version of the rubric
/// with the same code, or the first of a new one), with an audit row; the one way a
/// version is stored, whether uploaded, pasted or imported from an annex. `name` names
/// the text in messages and the audit row; `imported_from` is the annex it was drafted
/// from. Nothing is stored when the text has a problem or is the same as the latest
/// version.
pub(crate) async fn save_version(
    state: &AppState,
    me: &CurrentUser,
    text: &str,
    name: &str,
    imported_from: Option<&str>,
) -> AppResult<Result<RubricVersion, NotSaved>> {
    if text.trim().is_empty() {
        return Ok(Err(NotSaved::say(
            "未保存：请选择细则文件（.toml），或把细则内容粘贴到文本框里。".to_string(),
        )));
    }
    let rubric = match Rubric::from_toml(text, name) {
        Ok(r) => r,
        Err(errs) => {
            return Ok(Err(NotSaved {
                message: format!(
                    "细则有 {} 处问题，未保存。请按下面的行号改正（内容已放在文本框里，可直接修改后重新提交）。",
                    errs.problems.len()
                ),
                problems: problem_views(text, &errs.problems),
            }));
        }
    };
    let previous = state
        .store
        .rubrics(me.org())
        .await?
        .into_iter()
        .filter(|v| v.code == rubric.id())
        .max_by_key(|v| v.version);
    if let Some(p) = previous.as_ref().filter(|p| p.hash == rubric.hash()) {
        return Ok(Err(NotSaved::say(format!(
            "未保存：内容与已有的{}完全相同，不必再存一版。",
            version_label(p)
        ))));
    }
    let mut work = state.store.begin().await?;
    let v = work
        .add_rubric_version(
            me.org(),
            rubric.id(),
            rubric.title(),
            text,
            rubric.hash(),
            Some(me.user.id),
        )
        .await?;
    let mut changes = vec![
        change("version", previous.as_ref().map(|p| p.version), v.version),
        change(
            "title",
            previous.as_ref().map(|p| p.title.clone()),
            v.title.clone(),
        ),
        change(
            "hash",
            previous.as_ref().map(|p| p.hash.clone()),
            v.hash.clone(),
        ),
        change("file", serde_json::Value::Null, name),
    ];
    if let Some(annex) = imported_from {
        changes.push(change("imported_from", serde_json::Value::Null, annex));
    }
    let action = match imported_from {
        Some(_) => Action::RubricImport,
        None => Action::RubricUpload,
    };
    record(
        work,
        me,
        action,
        format!("rubric:{} v{}", v.code, v.version),
        changes,
    )
    .await?;
    Ok(Ok(v))
}

pub async fn rubric_upload(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    upload: Upload,
) -> AppResult<Response> {
    check_csrf(&session, upload.field("csrf")).await?;
    let size = upload
        .file("file")
        .map_or(upload.field("text").len(), |f| f.data.len());
    let hint = "评分细则通常只有几十 KB，请确认选对了文件（Word 或 Excel 附件请用“从附件导入”）";
    if let Some(e) = too_big("评分细则", size, MAX_RUBRIC_BYTES, hint) {
        let e = format!("未保存：{e}。");
        return render_list(&state, &session, &me, UploadForm::error(e)).await;
    }
    let (text, file) = match upload.file("file") {
        Some(f) => match kaohe_formats::facts_file::decode(&f.data) {
            Ok(t) => (t, f.filename.clone()),
            Err(_) => {
                let e = format!(
                    "未保存：{} 不是 UTF-8 或 GBK 编码的文本文件。细则应为 .toml 文本文件；请用文本编辑器另存为 UTF-8 后再上传。",
                    f.filename
                );
                return render_list(&state, &session, &me, UploadForm::error(e)).await;
            }
        },
        // A text area sends CRLF line ends; the text as typed has LF.
        None => (upload.field("text").replace("\r\n", "\n"), String::new()),
    };
    let name = if file.is_empty() {
        "粘贴的细则".to_string()
    } else {
        file.clone()
    };
    match save_version(&state, &me, &text, &name, None).await? {
        Ok(v) => Ok(Redirect::to(&format!("/admin/rubrics/{}?uploaded=1", v.id)).into_response()),
        Err(not) => {
            let form = UploadForm {
                text,
                file,
                problems: not.problems,
                error: Some(not.message),
                import_error: None,
            };
            render_list(&state, &session, &me, form).await
        }
    }
}

// ── one version ───────────────────────────────────────────────────────────────

pub(crate) struct ItemView {
    pub(crate) id: String,
    /// Its place under the category's heading (`第1项`).
    pub(crate) place: String,
    pub(crate) name: String,
    pub(crate) points: String,
    /// Its rules in plain words.
    pub(crate) rules: Vec<String>,
    /// The facts reported for it, in words.
    pub(crate) inputs: Vec<String>,
    pub(crate) criteria: String,
}

pub(crate) struct CategoryView {
    pub(crate) title: String,
    pub(crate) notes: String,
    pub(crate) items: Vec<ItemView>,
}

/// A rubric in words, category by category: each item's place, points, criteria, rules
/// and the facts reported for it (the rubric page, and "how the score is computed").
pub(crate) fn rubric_in_words(rubric: &Rubric) -> Vec<CategoryView> {
    rubric
        .categories()
        .iter()
        .enumerate()
        .map(|(ci, c)| CategoryView {
            title: format!(
                "{}、{}",
                kaohe_core::rubric::chinese_number(ci + 1),
                category_title(c)
            ),
            notes: category_notes(c),
            items: c
                .items
                .clone()
                .map(|ii| {
                    let item = &rubric.items()[ii];
                    ItemView {
                        id: item.id.clone(),
                        place: rubric.item_place(ii),
                        name: item.name.clone().unwrap_or_default(),
                        points: points_text(item),
                        rules: rules_of(rubric, ii),
                        inputs: item
                            .inputs
                            .clone()
                            .map(|s| input_text(rubric.input(s)))
                            .collect(),
                        criteria: item.criteria.clone(),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/rubric.html")]
struct RubricPage {
    layout: Layout,
    v: RubricVersion,
    created: String,
    facts: Vec<(String, String)>,
    unit_facts: Vec<String>,
    categories: Vec<CategoryView>,
    campaigns: Vec<(Id, String)>,
    others: Vec<Opt>,
    previous: Option<Id>,
    message: Option<String>,
}

/// An input in words: `区域流动人口数（整数，必填，不小于 1，单位 人）`.
pub(crate) fn input_text(i: &Input) -> String {
    let mut parts = vec![match (i.ty, i.max) {
        (InputType::Count, _) => "整数".to_string(),
        (InputType::Percent, _) => "百分比".to_string(),
        (InputType::Decimal, Some(max)) => format!("0 至 {} 分", f(max)),
        (InputType::Decimal, None) => "小数".to_string(),
        (InputType::Bool, _) => "是/否".to_string(),
        (InputType::Text, _) => "文字".to_string(),
    }];
    if i.required {
        parts.push("必填".into());
    }
    if let Some(min) = i
        .min
        .filter(|_| i.ty != InputType::Decimal || i.max.is_none())
    {
        parts.push(format!("不小于 {}", f(min)));
    }
    if let Some(max) = i.max.filter(|_| i.ty != InputType::Decimal) {
        parts.push(format!("不大于 {}", f(max)));
    }
    if let Some(u) = &i.unit {
        parts.push(format!("单位 {u}"));
    }
    format!("{}（{}）", i.label, parts.join("，"))
}

fn points_text(item: &Item) -> String {
    item.points.map(f).unwrap_or_else(|| "加分项".into())
}

fn rules_of(rubric: &Rubric, ii: usize) -> Vec<String> {
    (0..rubric.items()[ii].rules.len())
        .map(|ri| describe_rule(rubric, ii, ri))
        .collect()
}

fn category_title(c: &Category) -> String {
    match (c.kind, c.points) {
        (CategoryKind::Base, Some(p)) => format!("{}（{} 分）", c.name, f(p)),
        _ => format!("{}（加分项）", c.name),
    }
}

fn category_notes(c: &Category) -> String {
    let mut notes = Vec::new();
    if let Some(m) = c.max_deduction {
        notes.push(format!("本类最多扣 {} 分", f(m)));
    }
    if let Some(m) = c.cap {
        notes.push(format!("本类加分最多 {} 分", f(m)));
    }
    notes.join("；")
}

fn grades_text(r: &Rubric) -> String {
    r.grades()
        .iter()
        .map(|g| format!("{} ≥ {}", g.name, f(g.min)))
        .collect::<Vec<_>>()
        .join("；")
}

/// The rubric's settings as (what, value) pairs, for showing and comparing.
fn facts_of(r: &Rubric) -> Vec<(String, String)> {
    let base: Vec<String> = r
        .categories()
        .iter()
        .filter_map(|c| c.points.map(|p| format!("{} {}", c.name, f(p))))
        .collect();
    vec![
        ("标题".into(), r.title().to_string()),
        ("代码".into(), r.id().to_string()),
        (
            "年度".into(),
            r.year().map(|y| y.to_string()).unwrap_or_default(),
        ),
        (
            "基础分".into(),
            format!(
                "{}{}",
                base.join(" + "),
                r.total()
                    .map(|t| format!(" = {}", f(t)))
                    .unwrap_or_default()
            ),
        ),
        (
            "加分上限".into(),
            r.max_bonus().map(f).unwrap_or_else(|| "不限".into()),
        ),
        ("等次".into(), {
            let g = grades_text(r);
            if g.is_empty() {
                "未设等次".into()
            } else {
                g
            }
        }),
        ("内容哈希".into(), r.hash().to_string()),
    ]
}

/// Another version of this organiser's rubrics to compare with, the same code first.
fn compare_options(all: &[RubricVersion], this: &RubricVersion, selected: Option<Id>) -> Vec<Opt> {
    let mut others: Vec<&RubricVersion> = all.iter().filter(|o| o.id != this.id).collect();
    others.sort_by_key(|o| (o.code != this.code, o.code.clone(), -o.version));
    others
        .into_iter()
        .map(|o| Opt {
            value: o.id.to_string(),
            label: version_label(o),
            selected: Some(o.id) == selected,
        })
        .collect()
}

/// The version before this one, of the same rubric.
fn previous_of(all: &[RubricVersion], this: &RubricVersion) -> Option<Id> {
    all.iter()
        .filter(|o| o.code == this.code && o.version < this.version)
        .max_by_key(|o| o.version)
        .map(|o| o.id)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RubricQuery {
    uploaded: Option<String>,
}

pub async fn rubric_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(rid): Path<Id>,
    Query(q): Query<RubricQuery>,
) -> AppResult<Response> {
    let v = state.store.rubric(me.org(), rid).await?;
    let rubric = scoring::rubric(&state, me.org(), rid).await?;
    let all = state.store.rubrics(me.org()).await?;
    let categories = rubric_in_words(&rubric);
    let message = q.uploaded.map(|_| {
        format!(
            "已保存为{}。旧版本保持不变；已开的考核任务仍用它们开始时的版本。",
            version_label(&v)
        )
    });
    Ok(RubricPage {
        layout: Layout::new(&state, &session, &me, &v.title).await?,
        created: china_time(v.created_at),
        facts: facts_of(&rubric),
        unit_facts: rubric.unit_inputs().map(|(_, i)| input_text(i)).collect(),
        categories,
        campaigns: campaigns_by_rubric(&state, &me)
            .await?
            .remove(&rid)
            .unwrap_or_default(),
        others: compare_options(&all, &v, previous_of(&all, &v)),
        previous: previous_of(&all, &v),
        message,
        v,
    }
    .into_response())
}

// ── what changed between two versions ────────────────────────────────────────

/// One difference: what, the old text and the new (either may be empty: added or
/// removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub what: String,
    pub old: Vec<String>,
    pub new: Vec<String>,
}

fn ch(what: impl Into<String>, old: Vec<String>, new: Vec<String>) -> Change {
    Change {
        what: what.into(),
        old,
        new,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemBrief {
    pub id: String,
    pub name: String,
    pub category: String,
    pub points: String,
    pub rules: Vec<String>,
    pub criteria: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChanges {
    pub id: String,
    pub name: String,
    pub changes: Vec<Change>,
}

/// What changed from rubric `a` to rubric `b`, computed from the two parsed rubrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RubricDiff {
    pub settings: Vec<Change>,
    pub unit_facts: Vec<Change>,
    pub categories: Vec<Change>,
    pub added: Vec<ItemBrief>,
    pub removed: Vec<ItemBrief>,
    pub changed: Vec<ItemChanges>,
}

impl RubricDiff {
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
            && self.unit_facts.is_empty()
            && self.categories.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }
}

fn brief(r: &Rubric, ii: usize) -> ItemBrief {
    let it = &r.items()[ii];
    ItemBrief {
        id: it.id.clone(),
        name: it.name.clone().unwrap_or_default(),
        category: r.categories()[it.category].name.clone(),
        points: points_text(it),
        rules: rules_of(r, ii),
        criteria: it.criteria.clone(),
    }
}

/// Differences between two lists of inputs, by key.
fn input_changes(a: &[&Input], b: &[&Input], word: &str) -> Vec<Change> {
    let mut out = Vec::new();
    for x in a {
        match b.iter().find(|y| y.key == x.key) {
            None => out.push(ch(
                format!("删除{word} {}", x.key),
                vec![input_text(x)],
                vec![],
            )),
            Some(y) if input_text(x) != input_text(y) => out.push(ch(
                format!("{word} {}", x.key),
                vec![input_text(x)],
                vec![input_text(y)],
            )),
            Some(_) => {}
        }
    }
    for y in b {
        if !a.iter().any(|x| x.key == y.key) {
            out.push(ch(
                format!("新增{word} {}", y.key),
                vec![],
                vec![input_text(y)],
            ));
        }
    }
    out
}

fn one(s: String) -> Vec<String> {
    if s.is_empty() { vec![] } else { vec![s] }
}

pub fn rubric_diff(a: &Rubric, b: &Rubric) -> RubricDiff {
    let mut d = RubricDiff::default();
    for ((what, x), (_, y)) in facts_of(a).into_iter().zip(facts_of(b)) {
        if x != y {
            d.settings.push(ch(what, one(x), one(y)));
        }
    }
    let unit_a: Vec<&Input> = a.unit_inputs().map(|(_, i)| i).collect();
    let unit_b: Vec<&Input> = b.unit_inputs().map(|(_, i)| i).collect();
    d.unit_facts = input_changes(&unit_a, &unit_b, "单位数据");
    let cat = |c: &Category| {
        let notes = category_notes(c);
        if notes.is_empty() {
            category_title(c)
        } else {
            format!("{}；{notes}", category_title(c))
        }
    };
    for x in a.categories() {
        match b.categories().iter().find(|y| y.id == x.id) {
            None => d
                .categories
                .push(ch(format!("删除类别 {}", x.id), vec![cat(x)], vec![])),
            Some(y) if cat(x) != cat(y) => {
                d.categories
                    .push(ch(format!("类别 {}", x.id), vec![cat(x)], vec![cat(y)]))
            }
            Some(_) => {}
        }
    }
    for y in b.categories() {
        if !a.categories().iter().any(|x| x.id == y.id) {
            d.categories
                .push(ch(format!("新增类别 {}", y.id), vec![], vec![cat(y)]));
        }
    }
    for (ia, x) in a.items().iter().enumerate() {
        let Some(ib) = b.items().iter().position(|y| y.id == x.id) else {
            d.removed.push(brief(a, ia));
            continue;
        };
        let y = &b.items()[ib];
        let mut changes = Vec::new();
        let mut field = |what: &str, old: String, new: String| {
            if old != new {
                changes.push(ch(what, one(old), one(new)));
            }
        };
        field(
            "名称",
            x.name.clone().unwrap_or_default(),
            y.name.clone().unwrap_or_default(),
        );
        field(
            "类别",
            a.categories()[x.category].name.clone(),
            b.categories()[y.category].name.clone(),
        );
        field("分值", points_text(x), points_text(y));
        let mode = |m: ItemMode| match m {
            ItemMode::Deduct => "从分值扣起".to_string(),
            ItemMode::Award => "从 0 加起".to_string(),
        };
        field("计分方式", mode(x.mode), mode(y.mode));
        field(
            "最高得分",
            x.cap.map(f).unwrap_or_default(),
            y.cap.map(f).unwrap_or_default(),
        );
        field("评分标准", x.criteria.clone(), y.criteria.clone());
        let (ra, rb) = (rules_of(a, ia), rules_of(b, ib));
        if ra != rb {
            let gone: Vec<String> = ra.iter().filter(|r| !rb.contains(r)).cloned().collect();
            let came: Vec<String> = rb.iter().filter(|r| !ra.contains(r)).cloned().collect();
            if gone.is_empty() && came.is_empty() {
                changes.push(ch("规则顺序", ra, rb));
            } else {
                changes.push(ch("规则", gone, came));
            }
        }
        let ins_a: Vec<&Input> = x.inputs.clone().map(|s| a.input(s)).collect();
        let ins_b: Vec<&Input> = y.inputs.clone().map(|s| b.input(s)).collect();
        changes.extend(input_changes(&ins_a, &ins_b, "输入"));
        if !changes.is_empty() {
            d.changed.push(ItemChanges {
                id: y.id.clone(),
                name: y.name.clone().unwrap_or_default(),
                changes,
            });
        }
    }
    for (ib, y) in b.items().iter().enumerate() {
        if !a.items().iter().any(|x| x.id == y.id) {
            d.added.push(brief(b, ib));
        }
    }
    d
}

/// One line of a line-by-line comparison of the two files.
pub struct RawLine {
    /// ' ' same, '-' only in the old, '+' only in the new, '…' lines left out.
    pub kind: char,
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub text: String,
}

/// The largest comparison worth doing line by line (old lines × new lines).
const MAX_RAW_CELLS: usize = 2_000_000;

/// A line diff of two texts (longest common subsequence), with `context` unchanged
/// lines around each change; `None` if the texts are too long to compare this way.
pub fn raw_diff(a: &str, b: &str, context: usize) -> Option<Vec<RawLine>> {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let (n, m) = (a.len(), b.len());
    if (n + 1).saturating_mul(m + 1) > MAX_RAW_CELLS {
        return None;
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let mut all = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            all.push((' ', Some(i + 1), Some(j + 1), a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
            // What was removed shows before what replaced it.
            all.push(('-', Some(i + 1), None, a[i]));
            i += 1;
        } else {
            all.push(('+', None, Some(j + 1), b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..all.len()).filter(|k| all[*k].0 != ' ').collect();
    let near = |k: usize| {
        changed
            .iter()
            .any(|c| k + context >= *c && k <= c + context)
    };
    let mut out: Vec<RawLine> = Vec::new();
    let mut skipped = false;
    for (k, (kind, old, new, text)) in all.into_iter().enumerate() {
        if near(k) {
            if skipped && !out.is_empty() {
                out.push(RawLine {
                    kind: '…',
                    old: None,
                    new: None,
                    text: String::new(),
                });
            }
            skipped = false;
            out.push(RawLine {
                kind,
                old,
                new,
                text: text.to_string(),
            });
        } else {
            skipped = true;
        }
    }
    Some(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/rubric_diff.html")]
struct DiffPage {
    layout: Layout,
    new: RubricVersion,
    new_label: String,
    old: Option<RubricVersion>,
    old_label: String,
    same_code: bool,
    diff: RubricDiff,
    raw: Option<Vec<RawLine>>,
    others: Vec<Opt>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DiffQuery {
    from: Option<String>,
}

pub async fn rubric_diff_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(rid): Path<Id>,
    Query(q): Query<DiffQuery>,
) -> AppResult<Response> {
    let new = state.store.rubric(me.org(), rid).await?;
    let all = state.store.rubrics(me.org()).await?;
    let from = match q.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<Id>().map_err(|_| AppError::NotFound)?),
        None => previous_of(&all, &new),
    };
    let old = match from {
        Some(id) => Some(state.store.rubric(me.org(), id).await?),
        None => None,
    };
    let (diff, raw) = match &old {
        Some(o) => {
            let a = scoring::rubric(&state, me.org(), o.id).await?;
            let b = scoring::rubric(&state, me.org(), new.id).await?;
            (rubric_diff(&a, &b), raw_diff(&o.source, &new.source, 2))
        }
        None => (RubricDiff::default(), None),
    };
    Ok(DiffPage {
        layout: Layout::new(&state, &session, &me, "细则版本比较").await?,
        new_label: version_label(&new),
        old_label: old.as_ref().map(version_label).unwrap_or_default(),
        same_code: old.as_ref().is_none_or(|o| o.code == new.code),
        others: compare_options(&all, &new, from),
        diff,
        raw,
        old,
        new,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEILUN: &str = crate::setup::BEILUN_RUBRIC;

    fn parse(text: &str) -> Rubric {
        Rubric::from_toml(text, "test").unwrap()
    }

    #[test]
    fn the_same_rubric_has_no_differences() {
        let r = parse(BEILUN);
        assert!(rubric_diff(&r, &r).is_empty());
    }

    #[test]
    fn a_changed_threshold_shows_as_the_rule_in_words_before_and_after() {
        let a = parse(BEILUN);
        let b = parse(&BEILUN.replacen(
            "{ input = \"registration_rate\", at_least = 95 }",
            "{ input = \"registration_rate\", at_least = 90 }",
            1,
        ));
        let d = rubric_diff(&a, &b);
        assert_eq!(d.changed.len(), 1, "{d:?}");
        let c = &d.changed[0].changes[0];
        assert_eq!(c.what, "规则");
        assert!(c.old[0].contains("95%"), "{c:?}");
        assert!(c.new[0].contains("90%"), "{c:?}");
        assert!(d.settings.iter().any(|s| s.what == "内容哈希"));
    }

    #[test]
    fn added_and_removed_items_and_inputs_are_listed() {
        let a = parse(BEILUN);
        let b = parse(
            &BEILUN
                .replacen("label = \"区域流动人口数\"", "label = \"流动人口总数\"", 1)
                .replacen("id = \"management.3\"", "id = \"management.9\"", 1),
        );
        let d = rubric_diff(&a, &b);
        assert_eq!(d.removed[0].id, "management.3");
        assert_eq!(d.added[0].id, "management.9");
        assert!(d.unit_facts[0].new[0].starts_with("流动人口总数"), "{d:?}");
    }

    #[test]
    fn the_line_diff_marks_changed_lines_with_context() {
        let a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        let d = raw_diff(a, b, 1).unwrap();
        let shown: Vec<String> = d.iter().map(|l| format!("{}{}", l.kind, l.text)).collect();
        assert_eq!(shown, [" 4", "-5", "+five", " 6"]);
    }
}
