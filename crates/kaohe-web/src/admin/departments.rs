//! Departments (责任部门): the list the admin keeps (adding, renaming, deleting an unused
//! one), and which items of a campaign an assessor's department reviews. Assessors and
//! item assignments refer to a department by id, so a renamed department keeps both.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::rubric::Rubric;
use kaohe_storage::{Campaign, Department, Id, StorageError};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::audit::{change, record};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::AppResult;
use crate::http::form::FieldView;
use crate::http::form::Form;
use crate::http::layout::Layout;
use crate::http::upload::field;
use crate::year::Action;

/// The longest department name accepted.
pub const MAX_NAME: usize = 100;

/// The indexes (in rubric order) of the items the assessor's department reviews in the
/// campaign: the items assigned to it, and every unassigned item if it is the office.
pub async fn items_of(
    state: &AppState,
    me: &CurrentUser,
    campaign: &Campaign,
    rubric: &Rubric,
) -> AppResult<Vec<usize>> {
    let assignment = state.store.assignment(me.org(), campaign.id).await?;
    Ok(rubric
        .items()
        .iter()
        .enumerate()
        .filter(|(_, i)| assignment.reviews(me.user.department_id, &i.id))
        .map(|(n, _)| n)
        .collect())
}

/// What is wrong with a department's name, if anything.
fn name_problem(name: &str, taken: impl Fn(&str) -> bool) -> Option<String> {
    if name.is_empty() {
        Some("请填写部门名称".into())
    } else if name.chars().count() > MAX_NAME {
        Some(format!("部门名称太长（最多 {MAX_NAME} 个字）"))
    } else if taken(name) {
        Some(format!("已有名为“{name}”的部门；部门名称不能重复"))
    } else {
        None
    }
}

struct Row {
    id: Id,
    name: String,
    is_office: bool,
    assessors: Vec<String>,
    items: i64,
    campaigns: i64,
    /// A department no one belongs to and no item is assigned to can be deleted.
    deletable: bool,
    rename: FieldView,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/departments.html")]
struct DepartmentsPage {
    layout: Layout,
    rows: Vec<Row>,
    add: FieldView,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Default)]
struct Extra {
    add: FieldView,
    /// A rename refused, with the department it was for.
    rename: Option<(Id, FieldView)>,
    message: Option<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    x: Extra,
) -> AppResult<Response> {
    let uses = state.store.department_uses(me.org()).await?;
    let users = state.store.users(me.org()).await?;
    let rows = state
        .store
        .departments(me.org())
        .await?
        .into_iter()
        .map(|d| {
            let used = uses.get(&d.id).copied().unwrap_or_default();
            let rename = match &x.rename {
                Some((id, view)) if *id == d.id => view.clone(),
                _ => FieldView::new(d.name.clone()),
            };
            Row {
                assessors: users
                    .iter()
                    .filter(|u| u.department_id == Some(d.id))
                    .map(|u| {
                        if u.active {
                            u.display_name.clone()
                        } else {
                            format!("{}（已停用）", u.display_name)
                        }
                    })
                    .collect(),
                items: used.items,
                campaigns: used.campaigns,
                deletable: !d.is_office && used.users == 0 && used.items == 0,
                id: d.id,
                name: d.name,
                is_office: d.is_office,
                rename,
            }
        })
        .collect();
    Ok(DepartmentsPage {
        layout: Layout::new(state, session, me, "责任部门").await?,
        rows,
        add: x.add,
        message: x.message,
        error: x.error,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DepartmentsQuery {
    added: Option<Id>,
    renamed: Option<Id>,
    deleted: Option<u8>,
}

pub async fn departments_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Query(q): Query<DepartmentsQuery>,
) -> AppResult<Response> {
    let name = |id: Id| {
        let state = state.clone();
        let org = me.org();
        async move {
            state
                .store
                .department(org, id)
                .await
                .map(|d| d.name)
                .unwrap_or_default()
        }
    };
    let message = if let Some(id) = q.added {
        Some(format!("已添加部门“{}”。", name(id).await))
    } else if let Some(id) = q.renamed {
        Some(format!(
            "已改名为“{}”；它的考核员和负责的项目不变。",
            name(id).await
        ))
    } else {
        q.deleted.map(|_| "已删除该部门。".to_string())
    };
    let x = Extra {
        message,
        ..Extra::default()
    };
    render(&state, &session, &me, x).await
}

fn back(key: &str, id: Id) -> Response {
    Redirect::to(&format!("/admin/departments?{key}={id}")).into_response()
}

pub async fn department_add(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let existing = state.store.departments(me.org()).await?;
    let mut add = FieldView::new(field(&pairs, "name").trim());
    add.error = name_problem(&add.value, |n| existing.iter().any(|d| d.name == n));
    let refused = |add: FieldView| Extra {
        add,
        error: Some(format!(
            "{}：请按提示改正。",
            Action::DepartmentCreate.refused()
        )),
        ..Extra::default()
    };
    if add.error.is_some() {
        return render(&state, &session, &me, refused(add)).await;
    }
    let mut work = state.store.begin().await?;
    let d = match work.create_department(me.org(), &add.value).await {
        Ok(d) => d,
        Err(StorageError::Duplicate(_)) => {
            drop(work);
            add.error = name_problem(&add.value, |_| true);
            return render(&state, &session, &me, refused(add)).await;
        }
        Err(e) => return Err(e.into()),
    };
    record(
        work,
        &me,
        Action::DepartmentCreate,
        format!("department:{}", d.id),
        vec![change("name", serde_json::Value::Null, d.name.clone())],
    )
    .await?;
    Ok(back("added", d.id))
}

pub async fn department_rename(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(did): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let department = state.store.department(me.org(), did).await?;
    let existing = state.store.departments(me.org()).await?;
    let mut view = FieldView::new(field(&pairs, "name").trim());
    if view.value == department.name {
        return Ok(Redirect::to("/admin/departments").into_response());
    }
    view.error = name_problem(&view.value, |n| {
        existing.iter().any(|d| d.name == n && d.id != did)
    });
    let refused = |view: FieldView| Extra {
        rename: Some((did, view)),
        error: Some(format!(
            "{}：部门“{}”的新名称有问题，请按提示改正。",
            Action::DepartmentRename.refused(),
            department.name
        )),
        ..Extra::default()
    };
    if view.error.is_some() {
        return render(&state, &session, &me, refused(view)).await;
    }
    let mut work = state.store.begin().await?;
    match work.rename_department(me.org(), did, &view.value).await {
        Ok(()) => {}
        Err(StorageError::Duplicate(_)) => {
            drop(work);
            view.error = name_problem(&view.value, |_| true);
            return render(&state, &session, &me, refused(view)).await;
        }
        Err(e) => return Err(e.into()),
    }
    record(
        work,
        &me,
        Action::DepartmentRename,
        format!("department:{did}"),
        vec![change("name", department.name.clone(), view.value.clone())],
    )
    .await?;
    Ok(back("renamed", did))
}

pub async fn department_delete(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(did): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let department: Department = state.store.department(me.org(), did).await?;
    let mut work = state.store.begin().await?;
    match work.delete_department(me.org(), did).await {
        Ok(()) => {}
        Err(StorageError::InUse(_)) => {
            drop(work);
            let why = if department.is_office {
                "它是本单位考核办，负责所有未指定部门的项目，不能删除".to_string()
            } else {
                let used = state
                    .store
                    .department_uses(me.org())
                    .await?
                    .get(&did)
                    .copied()
                    .unwrap_or_default();
                format!(
                    "还有 {} 名考核员属于它、{} 个考核任务的 {} 个项目由它负责；请先把这些考核员和项目改到其他部门",
                    used.users, used.campaigns, used.items
                )
            };
            let x = Extra {
                error: Some(format!(
                    "{}部门“{}”：{why}。",
                    Action::DepartmentDelete.refused(),
                    department.name
                )),
                ..Extra::default()
            };
            return render(&state, &session, &me, x).await;
        }
        Err(e) => return Err(e.into()),
    }
    record(
        work,
        &me,
        Action::DepartmentDelete,
        format!("department:{did}"),
        vec![change(
            "name",
            department.name.clone(),
            serde_json::Value::Null,
        )],
    )
    .await?;
    Ok(back("deleted", 1))
}
