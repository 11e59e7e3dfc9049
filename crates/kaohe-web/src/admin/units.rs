//! Units (被考核单位): the list, adding one, renaming one, and importing many from a
//! CSV file or a table pasted from Excel. Units can have units below them (社区/村).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{Id, StorageError, Unit, Work};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::audit::{change, record};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::AppResult;
use crate::http::form::Form;
use crate::http::form::{FieldView, Opt};
use crate::http::layout::Layout;
use crate::http::upload::{MAX_TABLE_BYTES, Upload, field, too_big};
use crate::year::Action;

const MAX_NAME: usize = 100;
const MAX_CODE: usize = 50;
/// Problems listed for one import; more are counted, not listed.
const MAX_PROBLEMS: usize = 50;

struct UnitRow {
    id: Id,
    name: String,
    code: String,
    parent: String,
    depth: usize,
    /// Shown before the name to draw the tree.
    prefix: String,
}

#[derive(Default)]
struct AddForm {
    name: FieldView,
    code: FieldView,
    parent: FieldView,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/units.html")]
struct UnitsPage {
    layout: Layout,
    units: Vec<UnitRow>,
    add: AddForm,
    parents: Vec<Opt>,
    import_text: String,
    import_problems: Vec<String>,
    message: Option<String>,
    error: Option<String>,
}

/// Units in tree order: each followed by the units below it, with its depth.
fn tree(units: &[Unit]) -> Vec<(usize, &Unit)> {
    let mut out = Vec::new();
    fn walk<'u>(
        units: &'u [Unit],
        parent: Option<Id>,
        depth: usize,
        out: &mut Vec<(usize, &'u Unit)>,
    ) {
        for u in units.iter().filter(|u| u.parent_id == parent) {
            out.push((depth, u));
            if depth < 20 {
                walk(units, Some(u.id), depth + 1, out);
            }
        }
    }
    walk(units, None, 0, &mut out);
    // A unit whose parent is missing (it cannot be, but never hide one).
    for u in units {
        if !out.iter().any(|(_, o)| o.id == u.id) {
            out.push((0, u));
        }
    }
    out
}

fn name_of(units: &[Unit], id: Option<Id>) -> String {
    id.and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

struct Extra {
    add: AddForm,
    import_text: String,
    import_problems: Vec<String>,
    message: Option<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    x: Extra,
) -> AppResult<Response> {
    let units = state.store.units(me.org()).await?;
    let rows = tree(&units)
        .into_iter()
        .map(|(depth, u)| UnitRow {
            id: u.id,
            name: u.name.clone(),
            code: u.code.clone().unwrap_or_default(),
            parent: name_of(&units, u.parent_id),
            depth,
            prefix: if depth == 0 {
                String::new()
            } else {
                format!("{}└ ", "　".repeat(depth - 1))
            },
        })
        .collect::<Vec<_>>();
    let parents = rows
        .iter()
        .map(|r| Opt {
            value: r.id.to_string(),
            label: format!("{}{}", "　".repeat(r.depth), r.name),
            selected: x.add.parent.value == r.id.to_string(),
        })
        .collect();
    Ok(UnitsPage {
        layout: Layout::new(state, session, me, "单位").await?,
        units: rows,
        add: x.add,
        parents,
        import_text: x.import_text,
        import_problems: x.import_problems,
        message: x.message,
        error: x.error,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnitsQuery {
    added: Option<Id>,
    updated: Option<Id>,
    imported: Option<usize>,
    unchanged: Option<Id>,
}

pub async fn units_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Query(q): Query<UnitsQuery>,
) -> AppResult<Response> {
    let name = |id: Id| {
        let state = state.clone();
        let org = me.org();
        async move {
            state
                .store
                .unit(org, id)
                .await
                .map(|u| u.name)
                .unwrap_or_default()
        }
    };
    let message = if let Some(id) = q.added {
        Some(format!("已添加单位“{}”。", name(id).await))
    } else if let Some(id) = q.updated {
        Some(format!("已保存单位“{}”的修改。", name(id).await))
    } else if let Some(id) = q.unchanged {
        Some(format!("单位“{}”没有改动。", name(id).await))
    } else {
        q.imported.map(|n| format!("已导入 {n} 个单位。"))
    };
    render(
        &state,
        &session,
        &me,
        Extra {
            add: AddForm::default(),
            import_text: String::new(),
            import_problems: Vec::new(),
            message,
            error: None,
        },
    )
    .await
}

/// What is wrong with a unit's name, if anything.
fn name_problem(name: &str, others: &[&Unit]) -> Option<String> {
    if name.is_empty() {
        Some("请填写单位名称".into())
    } else if name.chars().count() > MAX_NAME {
        Some(format!("单位名称太长（最多 {MAX_NAME} 个字）"))
    } else if others.iter().any(|u| u.name == name) {
        Some(format!("已有名为“{name}”的单位；单位名称不能重复"))
    } else {
        None
    }
}

fn code_problem(code: &str, others: &[&Unit]) -> Option<String> {
    if code.chars().count() > MAX_CODE {
        return Some(format!("代码太长（最多 {MAX_CODE} 个字符）"));
    }
    others
        .iter()
        .find(|u| !code.is_empty() && u.code.as_deref() == Some(code))
        .map(|u| format!("代码 {code} 已被“{}”使用；代码不能重复", u.name))
}

pub async fn unit_add(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let units = state.store.units(me.org()).await?;
    let all: Vec<&Unit> = units.iter().collect();
    let mut add = AddForm {
        name: FieldView::new(field(&pairs, "name").trim()),
        code: FieldView::new(field(&pairs, "code").trim()),
        parent: FieldView::new(field(&pairs, "parent").trim()),
    };
    add.name.error = name_problem(&add.name.value, &all);
    add.code.error = code_problem(&add.code.value, &all);
    let parent: Option<&Unit> = if add.parent.value.is_empty() {
        None
    } else {
        let found = add
            .parent
            .value
            .parse::<Id>()
            .ok()
            .and_then(|id| units.iter().find(|u| u.id == id));
        if found.is_none() {
            add.parent.error = Some("所选上级单位不存在；请重新选择".into());
        }
        found
    };
    let again = |add: AddForm, error: &str| Extra {
        add,
        import_text: String::new(),
        import_problems: Vec::new(),
        message: None,
        error: Some(error.to_string()),
    };
    if add.name.error.is_some() || add.code.error.is_some() || add.parent.error.is_some() {
        return render(&state, &session, &me, again(add, "未添加：请按提示改正。")).await;
    }
    let code = (!add.code.value.is_empty()).then_some(add.code.value.as_str());
    let mut work = state.store.begin().await?;
    let unit = match work
        .create_unit(me.org(), parent.map(|p| p.id), &add.name.value, code, false)
        .await
    {
        Ok(u) => u,
        Err(StorageError::Duplicate(_)) => {
            // The change did not happen: end its unit of work before rendering.
            drop(work);
            add.name.error = Some(format!(
                "已有名为“{}”的单位；单位名称不能重复",
                add.name.value
            ));
            return render(&state, &session, &me, again(add, "未添加：请按提示改正。")).await;
        }
        Err(e) => return Err(e.into()),
    };
    record(
        work,
        &me,
        Action::UnitCreate,
        format!("unit:{}", unit.id),
        vec![
            change("name", serde_json::Value::Null, unit.name.clone()),
            change("code", serde_json::Value::Null, unit.code.clone()),
            change(
                "parent",
                serde_json::Value::Null,
                parent.map(|p| p.name.clone()),
            ),
        ],
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/units?added={}", unit.id)).into_response())
}

// ── one unit ──────────────────────────────────────────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "admin/unit.html")]
struct UnitPage {
    layout: Layout,
    unit: Unit,
    parent: String,
    children: Vec<String>,
    name: FieldView,
    code: FieldView,
    error: Option<String>,
}

pub async fn unit_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(uid): Path<Id>,
) -> AppResult<Response> {
    let unit = state.store.unit(me.org(), uid).await?;
    let name = FieldView::new(unit.name.clone());
    let code = FieldView::new(unit.code.clone().unwrap_or_default());
    render_unit(&state, &session, &me, unit, name, code, None).await
}

async fn render_unit(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    unit: Unit,
    name: FieldView,
    code: FieldView,
    error: Option<String>,
) -> AppResult<Response> {
    let units = state.store.units(me.org()).await?;
    Ok(UnitPage {
        layout: Layout::new(state, session, me, &unit.name).await?,
        parent: name_of(&units, unit.parent_id),
        children: units
            .iter()
            .filter(|u| u.parent_id == Some(unit.id))
            .map(|u| u.name.clone())
            .collect(),
        unit,
        name,
        code,
        error,
    }
    .into_response())
}

pub async fn unit_save(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(uid): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let unit = state.store.unit(me.org(), uid).await?;
    let units = state.store.units(me.org()).await?;
    let others: Vec<&Unit> = units.iter().filter(|u| u.id != uid).collect();
    let mut name = FieldView::new(field(&pairs, "name").trim());
    let mut code = FieldView::new(field(&pairs, "code").trim());
    name.error = name_problem(&name.value, &others);
    code.error = code_problem(&code.value, &others);
    if name.error.is_some() || code.error.is_some() {
        let error = Some("未保存：请按提示改正。".to_string());
        return render_unit(&state, &session, &me, unit, name, code, error).await;
    }
    let new_code = (!code.value.is_empty()).then(|| code.value.clone());
    if name.value == unit.name && new_code == unit.code {
        return Ok(Redirect::to(&format!("/admin/units?unchanged={uid}")).into_response());
    }
    let mut work = state.store.begin().await?;
    match work
        .update_unit(me.org(), uid, &name.value, new_code.as_deref())
        .await
    {
        Ok(()) => {}
        Err(StorageError::Duplicate(_)) => {
            // The change did not happen: end its unit of work before rendering.
            drop(work);
            name.error = Some(format!("已有名为“{}”的单位；单位名称不能重复", name.value));
            let error = Some("未保存：请按提示改正。".to_string());
            return render_unit(&state, &session, &me, unit, name, code, error).await;
        }
        Err(e) => return Err(e.into()),
    }
    let mut changes = Vec::new();
    if name.value != unit.name {
        changes.push(change("name", unit.name.clone(), name.value.clone()));
    }
    if new_code != unit.code {
        changes.push(change("code", unit.code.clone(), new_code));
    }
    record(
        work,
        &me,
        Action::UnitUpdate,
        format!("unit:{uid}"),
        changes,
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/units?updated={uid}")).into_response())
}

// ── import ────────────────────────────────────────────────────────────────────

/// One row of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    /// The line of the file the row starts on (the header is line 1).
    line: usize,
    name: String,
    code: String,
    parent: String,
}

/// Where an imported unit hangs: nowhere, under an existing unit, or under another row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parent {
    None,
    Existing(Id),
    Row(usize),
}

/// Splits CSV text (comma-, tab- or full-width-comma-separated, with `"` quotes) into
/// records, each with the line it starts on. Blank records are left out.
pub(crate) fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delim = if first.contains('\t') {
        '\t'
    } else if !first.contains(',') && first.contains('，') {
        '，'
    } else {
        ','
    };
    let mut out = Vec::new();
    let (mut line, mut start) = (1, 1);
    let mut record: Vec<String> = Vec::new();
    let mut cell = String::new();
    let (mut quoted, mut at_cell_start) = (false, true);
    let mut chars = text.chars().peekable();
    let finish = |record: &mut Vec<String>, out: &mut Vec<(usize, Vec<String>)>, start: usize| {
        let cells = std::mem::take(record);
        if cells.iter().any(|c| !c.trim().is_empty()) {
            out.push((start, cells));
        }
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push('\n');
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if at_cell_start => {
                quoted = true;
                at_cell_start = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut cell));
                finish(&mut record, &mut out, start);
                line += 1;
                start = line;
                at_cell_start = true;
            }
            c if c == delim => {
                record.push(std::mem::take(&mut cell));
                at_cell_start = true;
            }
            _ => {
                cell.push(c);
                at_cell_start = false;
            }
        }
    }
    if quoted {
        return Err(format!(
            "第 {start} 行：引号没有闭合；请检查这一行的英文双引号是否成对"
        ));
    }
    record.push(cell);
    finish(&mut record, &mut out, start);
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Code,
    Parent,
}

fn column(header: &str) -> Option<Column> {
    match header.trim().to_lowercase().as_str() {
        "名称" | "单位名称" | "单位" | "name" => Some(Column::Name),
        "代码" | "编码" | "单位代码" | "code" => Some(Column::Code),
        "上级" | "上级单位" | "parent" => Some(Column::Parent),
        _ => None,
    }
}

/// Reads an import file: a header (名称, 代码, 上级 or name, code, parent; only the
/// name is required) and one unit a row.
fn read_rows(text: &str) -> Result<Vec<Row>, Vec<String>> {
    let records = records(text).map_err(|e| vec![e])?;
    let Some(((hline, header), rows)) = records.split_first() else {
        return Err(vec!["内容是空的；第一行应为表头：名称,代码,上级".into()]);
    };
    let mut columns = Vec::new();
    let mut problems = Vec::new();
    for h in header {
        match column(h) {
            Some(c) if columns.contains(&Some(c)) => {
                problems.push(format!("第 {hline} 行（表头）：列“{}”出现了两次", h.trim()))
            }
            Some(c) => columns.push(Some(c)),
            None if h.trim().is_empty() => columns.push(None),
            None => problems.push(format!(
                "第 {hline} 行（表头）：不认识的列“{}”；表头应为 名称,代码,上级（或 name,code,parent），只有名称必填",
                h.trim()
            )),
        }
    }
    if problems.is_empty() && !columns.contains(&Some(Column::Name)) {
        problems.push(format!(
            "第 {hline} 行（表头）：没有“名称”列；第一行应为表头：名称,代码,上级"
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::new();
    for (line, cells) in rows {
        let mut row = Row {
            line: *line,
            name: String::new(),
            code: String::new(),
            parent: String::new(),
        };
        for (i, cell) in cells.iter().enumerate() {
            let value = cell.trim().to_string();
            match columns.get(i).copied().flatten() {
                Some(Column::Name) => row.name = value,
                Some(Column::Code) => row.code = value,
                Some(Column::Parent) => row.parent = value,
                None if value.is_empty() => {}
                None => {
                    problems.push(format!(
                        "第 {line} 行：第 {} 列“{value}”没有表头；若名称里有逗号，请用英文双引号把名称括起来",
                        i + 1
                    ));
                    break;
                }
            }
        }
        out.push(row);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Checks the rows against each other and the units there are; returns each row's
/// parent, or every problem with its line. Nothing is saved unless every row is good.
fn plan(rows: &[Row], existing: &[Unit]) -> Result<Vec<Parent>, Vec<String>> {
    // Each problem with its line, to list them in the file's order.
    let mut problems: Vec<(usize, String)> = Vec::new();
    let mut say = |line: usize, message: String| problems.push((line, message));
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut codes: HashMap<&str, usize> = HashMap::new();
    if rows.is_empty() {
        say(
            0,
            "只有表头，没有单位；请在表头下面每行写一个单位".to_string(),
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let at = format!("第 {} 行", r.line);
        if r.name.is_empty() {
            say(r.line, format!("{at}：名称为空"));
        } else if r.name.chars().count() > MAX_NAME {
            say(r.line, format!("{at}：名称太长（最多 {MAX_NAME} 个字）"));
        } else if existing.iter().any(|u| u.name == r.name) {
            say(
                r.line,
                format!(
                    "{at}：单位“{}”已存在；导入只添加新单位，不修改已有单位",
                    r.name
                ),
            );
        } else if let Some(first) = names.get(r.name.as_str()) {
            say(
                r.line,
                format!(
                    "{at}：单位“{}”与第 {} 行重复；每个单位只能有一行",
                    r.name, rows[*first].line
                ),
            );
        }
        if !r.name.is_empty() {
            names.entry(&r.name).or_insert(i);
        }
        if r.code.chars().count() > MAX_CODE {
            say(r.line, format!("{at}：代码太长（最多 {MAX_CODE} 个字符）"));
        } else if !r.code.is_empty() {
            if let Some(u) = existing.iter().find(|u| u.code.as_deref() == Some(&r.code)) {
                say(
                    r.line,
                    format!("{at}：代码 {} 已被“{}”使用；代码不能重复", r.code, u.name),
                );
            } else if let Some(first) = codes.get(r.code.as_str()) {
                say(
                    r.line,
                    format!(
                        "{at}：代码 {} 与第 {} 行重复；代码不能重复",
                        r.code, rows[*first].line
                    ),
                );
            }
            codes.entry(&r.code).or_insert(i);
        }
    }
    let mut parents = Vec::with_capacity(rows.len());
    for r in rows {
        let p = &r.parent;
        let parent = if p.is_empty() {
            Parent::None
        } else if p == &r.name || (!r.code.is_empty() && p == &r.code) {
            say(r.line, format!("第 {} 行：上级单位不能是它自己", r.line));
            Parent::None
        } else if let Some(u) = existing.iter().find(|u| &u.name == p) {
            Parent::Existing(u.id)
        } else if let Some(j) = rows.iter().position(|o| &o.name == p) {
            Parent::Row(j)
        } else if let Some(u) = existing.iter().find(|u| u.code.as_deref() == Some(p)) {
            Parent::Existing(u.id)
        } else if let Some(j) = rows.iter().position(|o| !o.code.is_empty() && &o.code == p) {
            Parent::Row(j)
        } else {
            say(
                r.line,
                format!(
                    "第 {} 行：上级单位“{p}”不存在（既不是已有单位，也不在本次导入的内容中）",
                    r.line
                ),
            );
            Parent::None
        };
        parents.push(parent);
    }
    // Rows that are each other's parents would hang in the air.
    for (i, r) in rows.iter().enumerate() {
        let mut at = i;
        let mut chain = vec![r.name.clone()];
        for _ in 0..=rows.len() {
            match parents[at] {
                Parent::Row(j) => {
                    chain.push(rows[j].name.clone());
                    if j == i {
                        say(
                            r.line,
                            format!(
                                "第 {} 行：上级关系形成了循环（{}）",
                                r.line,
                                chain.join(" → ")
                            ),
                        );
                        break;
                    }
                    at = j;
                }
                _ => break,
            }
        }
    }
    if problems.is_empty() {
        return Ok(parents);
    }
    problems.sort_by_key(|(line, _)| *line);
    Err(problems.into_iter().map(|(_, m)| m).collect())
}

fn limited(mut problems: Vec<String>) -> Vec<String> {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("……另有 {more} 个问题未列出"));
    }
    problems
}

pub async fn units_import(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    upload: Upload,
) -> AppResult<Response> {
    check_csrf(&session, upload.field("csrf")).await?;
    let refuse = |text: String, problems: Vec<String>, error: String| Extra {
        add: AddForm::default(),
        import_text: text,
        import_problems: limited(problems),
        message: None,
        error: Some(error),
    };
    let size = upload
        .file("file")
        .map_or(upload.field("text").len(), |f| f.data.len());
    let hint = "请分几次导入";
    if let Some(e) = too_big("单位表格", size, MAX_TABLE_BYTES, hint) {
        let x = refuse(String::new(), Vec::new(), format!("未导入：{e}。"));
        return render(&state, &session, &me, x).await;
    }
    let text = match upload.file("file") {
        Some(f) => match kaohe_formats::facts_file::table_text(&f.data) {
            Ok(t) => t,
            Err(e) => {
                let x = refuse(
                    String::new(),
                    vec![format!("{}：{e}", f.filename)],
                    "未导入。".into(),
                );
                return render(&state, &session, &me, x).await;
            }
        },
        None => upload.field("text").to_string(),
    };
    if text.trim().is_empty() {
        let x = refuse(
            String::new(),
            Vec::new(),
            "未导入：请选择 CSV 文件，或把表格内容粘贴到文本框里。".into(),
        );
        return render(&state, &session, &me, x).await;
    }
    let existing = state.store.units(me.org()).await?;
    let planned = read_rows(&text).and_then(|rows| plan(&rows, &existing).map(|p| (rows, p)));
    let (rows, parents) = match planned {
        Ok(p) => p,
        Err(problems) => {
            let n = problems.len();
            let x = refuse(
                text,
                problems,
                format!(
                    "未导入：有 {n} 处问题，一个单位也没有保存。请改正后重新导入（内容已放在下面的文本框里，可直接修改）。"
                ),
            );
            return render(&state, &session, &me, x).await;
        }
    };
    let mut work = state.store.begin().await?;
    let (created, changes) =
        match create_all(&mut work, me.org(), &rows, &parents, &existing).await? {
            Ok(done) => done,
            Err(problem) => {
                // Someone added the same unit at this moment: the import is one change, so
                // nothing of it is kept, and the admin can simply send it again.
                drop(work);
                let x = refuse(
                    text.clone(),
                    vec![problem],
                    "未导入：导入期间单位名单有变，本次导入的单位都未保存；请刷新后重新导入。"
                        .to_string(),
                );
                return render(&state, &session, &me, x).await;
            }
        };
    let n = created;
    record(work, &me, Action::UnitImport, "units".into(), changes).await?;
    Ok(Redirect::to(&format!("/admin/units?imported={n}")).into_response())
}

/// Creates the planned rows, parents first (a row once the row it hangs under exists),
/// with a change for the audit row each. Returns how many were created, or the problem
/// of the row that could not be (its name taken meanwhile); a storage failure is an error.
async fn create_all(
    work: &mut Work,
    organiser: Id,
    rows: &[Row],
    parents: &[Parent],
    existing: &[Unit],
) -> AppResult<Result<(usize, Vec<serde_json::Value>), String>> {
    let mut created: Vec<Option<Unit>> = vec![None; rows.len()];
    let mut changes = Vec::new();
    while created.iter().any(Option::is_none) {
        let mut progressed = false;
        for i in 0..rows.len() {
            if created[i].is_some() {
                continue;
            }
            let parent_id = match parents[i] {
                Parent::None => None,
                Parent::Existing(id) => Some(id),
                Parent::Row(j) => match &created[j] {
                    Some(u) => Some(u.id),
                    None => continue,
                },
            };
            let r = &rows[i];
            let code = (!r.code.is_empty()).then_some(r.code.as_str());
            let unit = match work
                .create_unit(organiser, parent_id, &r.name, code, false)
                .await
            {
                Ok(u) => u,
                Err(StorageError::Duplicate(_)) => {
                    return Ok(Err(format!(
                        "第 {} 行：单位“{}”刚刚已被添加",
                        r.line, r.name
                    )));
                }
                Err(other) => return Err(other.into()),
            };
            let parent_name = match parents[i] {
                Parent::None => None,
                Parent::Existing(id) => Some(name_of(existing, Some(id))),
                Parent::Row(j) => Some(rows[j].name.clone()),
            };
            changes.push(change(
                &format!("unit:{}", unit.id),
                serde_json::Value::Null,
                format!(
                    "{}；代码 {}；上级 {}",
                    unit.name,
                    unit.code.as_deref().unwrap_or("（无）"),
                    parent_name.as_deref().unwrap_or("（无）")
                ),
            ));
            created[i] = Some(unit);
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    Ok(Ok((created.iter().flatten().count(), changes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: Id, name: &str, code: Option<&str>) -> Unit {
        Unit {
            id,
            organiser_id: 1,
            parent_id: None,
            name: name.into(),
            code: code.map(String::from),
            is_demo: false,
        }
    }

    #[test]
    fn quoted_cells_may_hold_commas_quotes_and_line_breaks() {
        let r = records("名称,代码\n\"甲,乙\",1\n\"说\"\"明\",\"a\nb\"\n丙,3\n").unwrap();
        assert_eq!(r[1], (2, vec!["甲,乙".to_string(), "1".to_string()]));
        assert_eq!(r[2], (3, vec!["说\"明".to_string(), "a\nb".to_string()]));
        assert_eq!(r[3], (5, vec!["丙".to_string(), "3".to_string()]));
        assert!(records("名称\n\"甲\n").unwrap_err().contains("第 2 行"));
    }

    #[test]
    fn a_table_pasted_from_excel_is_tab_separated() {
        let rows = read_rows("名称\t代码\t上级\r\n新碶街道\t01\t\r\n").unwrap();
        assert_eq!(rows[0].name, "新碶街道");
        assert_eq!(rows[0].code, "01");
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn english_headers_in_any_order_are_understood() {
        let rows = read_rows("parent,name\n,甲\n甲,乙\n").unwrap();
        assert_eq!(rows[1].name, "乙");
        assert_eq!(rows[1].parent, "甲");
    }

    #[test]
    fn an_unknown_header_is_named() {
        let e = read_rows("单位名,代码\n甲,1\n").unwrap_err();
        assert!(e[0].contains("单位名"), "{e:?}");
    }

    #[test]
    fn parents_may_be_existing_units_or_other_rows_by_name_or_code() {
        let existing = [unit(7, "新碶街道", Some("01"))];
        let rows =
            read_rows("名称,代码,上级\n甲社区,,新碶街道\n乙社区,,01\n丙村,,甲社区\n").unwrap();
        let p = plan(&rows, &existing).unwrap();
        assert_eq!(
            p,
            vec![Parent::Existing(7), Parent::Existing(7), Parent::Row(0)]
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let existing = [unit(7, "新碶街道", Some("01"))];
        let rows = read_rows(
            "名称,代码,上级\n新碶街道,,\n甲,01,\n乙,,无此单位\n甲,,\n,,\n丁,,丁\n戊,,己\n己,,戊\n",
        )
        .unwrap();
        let e = plan(&rows, &existing).unwrap_err();
        let all = e.join("\n");
        assert!(all.contains("第 2 行：单位“新碶街道”已存在"), "{all}");
        assert!(all.contains("第 3 行：代码 01 已被“新碶街道”使用"), "{all}");
        assert!(all.contains("第 4 行：上级单位“无此单位”不存在"), "{all}");
        assert!(all.contains("第 5 行：单位“甲”与第 3 行重复"), "{all}");
        assert!(all.contains("第 7 行：上级单位不能是它自己"), "{all}");
        assert!(
            all.contains("第 8 行：上级关系形成了循环（戊 → 己 → 戊）"),
            "{all}"
        );
    }
}
