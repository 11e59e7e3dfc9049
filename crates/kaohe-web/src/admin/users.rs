//! Accounts: the list, adding one with a temporary password, resetting a password,
//! deactivating and reactivating. A temporary password is made here, shown to the admin
//! once (in the answer to the form, never stored or logged in clear), and must be
//! changed at the first login.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{Department, Id, NewUser, Role, StorageError, Unit, User, now_ms};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::audit::{change, record};
use crate::auth::{CurrentUser, hash_password, password_problem};
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::Form;
use crate::http::form::{FieldView, Opt};
use crate::http::layout::{Layout, Pager, china_time};
use crate::http::upload::field;
use crate::year::Action;

const MAX_USERNAME: usize = 64;
const MAX_NAME: usize = 64;

struct UserRow {
    id: Id,
    username: String,
    name: String,
    role: &'static str,
    place: String,
    active: bool,
    must_change: bool,
    is_me: bool,
    /// Until when a login lock (from some address, or of the account) holds.
    locked_until: Option<String>,
}

#[derive(Default)]
struct AddForm {
    username: FieldView,
    display_name: FieldView,
    role: FieldView,
    department: FieldView,
    unit: FieldView,
}

/// A temporary password, shown once.
struct Issued {
    username: String,
    name: String,
    password: String,
    new_account: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    /// A page of the accounts the search found.
    users: Vec<UserRow>,
    pager: Pager,
    find: String,
    add: AddForm,
    roles: Vec<Opt>,
    units: Vec<Opt>,
    departments: Vec<Opt>,
    issued: Option<Issued>,
    message: Option<String>,
    error: Option<String>,
}

/// A temporary password: three groups of four letters and digits (no look-alikes such
/// as 0/O, 1/l/I), about 70 bits from the operating system's random source, strong by
/// `password_problem`.
pub fn temporary_password(username: &str) -> String {
    use rand::RngExt;
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    let all: Vec<u8> = [UPPER, LOWER, DIGITS].concat();
    let mut rng = rand::rng();
    loop {
        let chars: Vec<char> = (0..12)
            .map(|_| all[rng.random_range(0..all.len())] as char)
            .collect();
        let has = |set: &[u8]| chars.iter().any(|c| set.contains(&(*c as u8)));
        if !(has(UPPER) && has(LOWER) && has(DIGITS)) {
            continue;
        }
        let password = chars
            .chunks(4)
            .map(|g| g.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-");
        if password_problem(&password, username).is_none() {
            return password;
        }
    }
}

fn role_hint(r: Role) -> &'static str {
    match r {
        Role::Admin => "管理员：单位、用户、评分细则、考核任务",
        Role::Assessor => "考核员：审核本部门负责的考核项目",
        Role::Reporter => "填报员：填报本单位的自查",
        Role::Viewer => "查看：阅读考核结果",
        Role::Auditor => "审计：只读审计日志",
    }
}

struct Extra {
    add: AddForm,
    issued: Option<Issued>,
    message: Option<String>,
    error: Option<String>,
    /// The list's page and search (`查找`), as asked; the first page of all otherwise.
    page: usize,
    find: String,
}

impl Extra {
    fn message(m: String) -> Extra {
        Extra {
            add: AddForm::default(),
            issued: None,
            message: Some(m),
            error: None,
            page: 1,
            find: String::new(),
        }
    }
    fn error(e: String) -> Extra {
        Extra {
            add: AddForm::default(),
            issued: None,
            message: None,
            error: Some(e),
            page: 1,
            find: String::new(),
        }
    }
}

/// The department an assessor is given from the posted value (its id): `Err` with the
/// message to show when none is chosen or it is not one of the organiser's.
fn chosen_department<'d>(
    departments: &'d [Department],
    raw: &str,
) -> Result<&'d Department, String> {
    if raw.is_empty() {
        return Err("考核员须选择责任部门；列表里没有的，请先在“部门”页添加".into());
    }
    departments
        .iter()
        .find(|d| d.id.to_string() == raw)
        .ok_or_else(|| "所选部门不存在（可能刚被删除）；请重新选择".into())
}

async fn render(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    x: Extra,
) -> AppResult<Response> {
    let units = state.store.units(me.org()).await?;
    let departments = state.store.departments(me.org()).await?;
    let now = now_ms();
    let locked = state.store.locked_accounts(now).await?;
    let users: Vec<UserRow> = state
        .store
        .users(me.org())
        .await?
        .into_iter()
        .map(|u| UserRow {
            place: match u.role {
                Role::Assessor => u.department.clone().unwrap_or_default(),
                Role::Reporter => u
                    .unit_id
                    .and_then(|id| units.iter().find(|x| x.id == id))
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            },
            id: u.id,
            name: u.display_name,
            role: u.role.label(),
            active: u.active,
            must_change: u.must_change_password,
            is_me: u.id == me.user.id,
            locked_until: locked
                .get(&u.username.to_lowercase())
                .map(|until| china_time(*until)),
            username: u.username,
        })
        .filter(|r| {
            x.find.is_empty()
                || [&r.username, &r.name, &r.place]
                    .iter()
                    .any(|t| t.to_lowercase().contains(&x.find.to_lowercase()))
        })
        .collect();
    let pager = Pager::new(
        x.page,
        users.len(),
        USERS_PER_PAGE,
        "个账号",
        &crate::http::form::query_of(&[("find", &x.find)]),
    );
    let shown = pager.page;
    let users: Vec<UserRow> = users
        .into_iter()
        .skip((shown - 1) * USERS_PER_PAGE)
        .take(USERS_PER_PAGE)
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| Opt {
            value: r.as_str().into(),
            label: role_hint(*r).into(),
            selected: x.add.role.value == r.as_str(),
        })
        .collect();
    let unit_opts = units
        .iter()
        .map(|u| Opt {
            value: u.id.to_string(),
            label: u.name.clone(),
            selected: x.add.unit.value == u.id.to_string(),
        })
        .collect();
    let department_opts = departments
        .iter()
        .map(|d| Opt {
            value: d.id.to_string(),
            label: d.name.clone(),
            selected: x.add.department.value == d.id.to_string(),
        })
        .collect();
    let secret = x.issued.is_some();
    let mut res = UsersPage {
        layout: Layout::new(state, session, me, "用户").await?,
        users,
        pager,
        find: x.find,
        add: x.add,
        roles,
        units: unit_opts,
        departments: department_opts,
        issued: x.issued,
        message: x.message,
        error: x.error,
    }
    .into_response();
    if secret {
        // A page with a password in it is kept by no cache and no history.
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UsersQuery {
    deactivated: Option<Id>,
    reactivated: Option<Id>,
    /// The page of accounts shown, from 1.
    page: usize,
    /// Part of a user name, a name or a unit or department.
    find: String,
}

/// Accounts on a page of the list: a province has one for each of its 1,400 units.
const USERS_PER_PAGE: usize = 50;

pub async fn users_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Query(q): Query<UsersQuery>,
) -> AppResult<Response> {
    let (id, done) = match (q.deactivated, q.reactivated) {
        (Some(id), _) => (
            Some(id),
            "已停用 {}；该账号不能再登录，已登录的也立即失效。",
        ),
        (None, Some(id)) => (Some(id), "已重新启用 {}。"),
        (None, None) => (None, ""),
    };
    let mut message = None;
    if let Some(id) = id
        && let Ok(u) = state.store.user(id).await
        && u.organiser_id == me.org()
    {
        message = Some(done.replace("{}", &format!("{}（{}）", u.display_name, u.username)));
    }
    let x = Extra {
        add: AddForm::default(),
        issued: None,
        message,
        error: None,
        page: q.page,
        find: q.find.trim().to_string(),
    };
    render(&state, &session, &me, x).await
}

pub async fn user_add(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let mut add = AddForm {
        username: FieldView::new(field(&pairs, "username").trim()),
        display_name: FieldView::new(field(&pairs, "display_name").trim()),
        role: FieldView::new(field(&pairs, "role").trim()),
        department: FieldView::new(field(&pairs, "department").trim()),
        unit: FieldView::new(field(&pairs, "unit").trim()),
    };
    let username = add.username.value.clone();
    add.username.error = username_problem(&state, &username).await?;
    add.display_name.error = name_problem(&add.display_name.value);
    let role = Role::parse(&add.role.value);
    if role.is_none() {
        add.role.error = Some("请选择角色".into());
    }
    let departments = state.store.departments(me.org()).await?;
    let department = match role {
        Some(Role::Assessor) => match chosen_department(&departments, &add.department.value) {
            Ok(d) => Some(d),
            Err(e) => {
                add.department.error = Some(e);
                None
            }
        },
        _ => None,
    };
    let unit = match role {
        Some(Role::Reporter) => match chosen_unit(&state, &me, &add.unit.value).await? {
            Ok(u) => Some(u),
            Err(e) => {
                add.unit.error = Some(e);
                None
            }
        },
        _ => None,
    };
    let bad = [
        &add.username,
        &add.display_name,
        &add.role,
        &add.department,
        &add.unit,
    ]
    .iter()
    .any(|f| f.error.is_some());
    let refuse = |add: AddForm| Extra {
        add,
        issued: None,
        message: None,
        error: Some("未添加：请按提示改正。".into()),
        page: 1,
        find: String::new(),
    };
    let Some(role) = role.filter(|_| !bad) else {
        return render(&state, &session, &me, refuse(add)).await;
    };
    let password = temporary_password(&username);
    let password_hash = hash_password(&password)?;
    let mut work = state.store.begin().await?;
    let created = work
        .create_user(&NewUser {
            organiser_id: me.org(),
            username: username.clone(),
            display_name: add.display_name.value.clone(),
            role,
            department_id: department.map(|d| d.id),
            unit_id: unit.as_ref().map(|u| u.id),
            password_hash,
            must_change_password: true,
            is_demo: false,
        })
        .await;
    let user = match created {
        Ok(u) => u,
        Err(StorageError::Duplicate(_)) => {
            // The change did not happen: end its unit of work before rendering.
            drop(work);
            add.username.error = Some(taken(&username));
            return render(&state, &session, &me, refuse(add)).await;
        }
        Err(e) => return Err(e.into()),
    };
    let null = serde_json::Value::Null;
    record(
        work,
        &me,
        Action::UserCreate,
        format!("user:{}", user.username),
        vec![
            change("username", null.clone(), user.username.clone()),
            change("display_name", null.clone(), user.display_name.clone()),
            change("role", null.clone(), role.as_str()),
            change(
                "department",
                null.clone(),
                department.map(|d| d.name.clone()),
            ),
            change("unit", null.clone(), unit.map(|u| u.name)),
            change("password", null.clone(), "（临时密码，首次登录须修改）"),
            change("active", null, true),
        ],
    )
    .await?;
    let x = Extra {
        add: AddForm::default(),
        issued: Some(Issued {
            username: user.username,
            name: user.display_name,
            password,
            new_account: true,
        }),
        message: None,
        error: None,
        page: 1,
        find: String::new(),
    };
    render(&state, &session, &me, x).await
}

/// What is wrong with a new user name, if anything (names are unique in the system).
async fn username_problem(state: &AppState, username: &str) -> AppResult<Option<String>> {
    Ok(if username.is_empty() {
        Some("请填写用户名（登录时用）".into())
    } else if username.chars().count() > MAX_USERNAME {
        Some(format!("用户名太长（最多 {MAX_USERNAME} 个字符）"))
    } else if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        Some("用户名不能含空格".into())
    } else if state.store.user_by_username(username).await?.is_some() {
        Some(taken(username))
    } else {
        None
    })
}

/// What is wrong with a person's name, if anything.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("请填写姓名".into())
    } else if name.chars().count() > MAX_NAME {
        Some(format!("姓名太长（最多 {MAX_NAME} 个字）"))
    } else {
        None
    }
}

/// The unit a reporter is given from the posted value (its id), or the message to show.
async fn chosen_unit(
    state: &AppState,
    me: &CurrentUser,
    raw: &str,
) -> AppResult<Result<Unit, String>> {
    if raw.is_empty() {
        return Ok(Err("填报员须选择所属单位".into()));
    }
    let found = match raw.parse::<Id>() {
        Ok(id) => match state.store.unit(me.org(), id).await {
            Ok(u) => Some(u),
            Err(StorageError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    Ok(found.ok_or_else(|| "所选单位不存在或不属于本区；请重新选择".to_string()))
}

fn taken(username: &str) -> String {
    format!("用户名 {username} 已被使用（用户名在整个系统中唯一，包括其他区）；请换一个")
}

/// A user of this organiser; another organiser's user does not exist here.
async fn own_user(state: &AppState, me: &CurrentUser, id: Id) -> AppResult<User> {
    let u = state.store.user(id).await?;
    if u.organiser_id != me.org() {
        return Err(AppError::NotFound);
    }
    Ok(u)
}

pub async fn user_reset_password(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(id): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let user = own_user(&state, &me, id).await?;
    if user.id == me.user.id {
        let e = "不能在这里重置自己的密码；请用页面右上角的“修改密码”。".to_string();
        return render(&state, &session, &me, Extra::error(e)).await;
    }
    let password = temporary_password(&user.username);
    let hash = hash_password(&password)?;
    let mut work = state.store.begin().await?;
    work.set_password(user.id, &hash, true).await?;
    record(
        work,
        &me,
        Action::UserPasswordReset,
        format!("user:{}", user.username),
        vec![
            change("password", "…", "（临时密码，首次登录须修改）"),
            change("must_change_password", user.must_change_password, true),
        ],
    )
    .await?;
    // A locked-out person is usually why a password is reset.
    state
        .store
        .clear_account_throttle(&user.username.to_lowercase())
        .await?;
    let x = Extra {
        add: AddForm::default(),
        issued: Some(Issued {
            username: user.username,
            name: user.display_name,
            password,
            new_account: false,
        }),
        message: None,
        error: None,
        page: 1,
        find: String::new(),
    };
    render(&state, &session, &me, x).await
}

/// Lifts every login lock of the user (from any address, and of the account itself).
pub async fn user_unlock(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(id): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let user = own_user(&state, &me, id).await?;
    let account = user.username.to_lowercase();
    let Some(until) = state.store.login_locked_until(&account, now_ms()).await? else {
        let m = format!("{}（{}）没有被锁定。", user.display_name, user.username);
        return render(&state, &session, &me, Extra::message(m)).await;
    };
    let mut work = state.store.begin().await?;
    work.unlock_login(&account).await?;
    record(
        work,
        &me,
        Action::UserUnlock,
        format!("user:{}", user.username),
        vec![change(
            "locked_until",
            china_time(until),
            serde_json::Value::Null,
        )],
    )
    .await?;
    let m = format!(
        "已解除 {}（{}）的登录锁定；本人现在可以登录。",
        user.display_name, user.username
    );
    render(&state, &session, &me, Extra::message(m)).await
}

pub async fn user_set_active(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(id): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let user = own_user(&state, &me, id).await?;
    let active = match field(&pairs, "active") {
        "1" => true,
        "0" => false,
        _ => {
            let e = "未修改：请用账号旁的“停用”或“启用”按钮。".to_string();
            return render(&state, &session, &me, Extra::error(e)).await;
        }
    };
    if user.id == me.user.id && !active {
        let e = "不能停用自己的账号。如确需停用，请由另一位管理员操作。".to_string();
        return render(&state, &session, &me, Extra::error(e)).await;
    }
    if user.active == active {
        let m = format!(
            "{}（{}）本来就是{}状态，没有改动。",
            user.display_name,
            user.username,
            if active { "启用" } else { "停用" }
        );
        return render(&state, &session, &me, Extra::message(m)).await;
    }
    let mut work = state.store.begin().await?;
    work.set_user_active(me.org(), user.id, active).await?;
    record(
        work,
        &me,
        if active {
            Action::UserReactivate
        } else {
            Action::UserDeactivate
        },
        format!("user:{}", user.username),
        vec![change("active", user.active, active)],
    )
    .await?;
    let to = if active { "reactivated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/admin/users?{to}={}", user.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_edit.html")]
struct EditPage {
    layout: Layout,
    id: Id,
    username: String,
    name: String,
    roles: Vec<Opt>,
    departments: Vec<Opt>,
    units: Vec<Opt>,
}

/// The form that changes one user (the list links to it): a province's list would
/// otherwise carry every unit as a choice in every row.
pub async fn user_edit_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(id): Path<Id>,
) -> AppResult<Response> {
    let user = own_user(&state, &me, id).await?;
    let opt = |value: String, label: &str, selected: bool| Opt {
        value,
        label: label.to_string(),
        selected,
    };
    let roles = Role::ALL
        .iter()
        .map(|r| opt(r.as_str().into(), r.label(), *r == user.role))
        .collect();
    let departments = state
        .store
        .departments(me.org())
        .await?
        .iter()
        .map(|d| opt(d.id.to_string(), &d.name, user.department_id == Some(d.id)))
        .collect();
    let units = state
        .store
        .units(me.org())
        .await?
        .iter()
        .map(|u| opt(u.id.to_string(), &u.name, user.unit_id == Some(u.id)))
        .collect();
    Ok(EditPage {
        layout: Layout::new(
            &state,
            &session,
            &me,
            &format!("修改用户 {}", user.username),
        )
        .await?,
        id: user.id,
        username: user.username,
        name: user.display_name,
        roles,
        departments,
        units,
    }
    .into_response())
}

/// Changes a user's name, role, department or unit (a staff change: a reporter moves to
/// another unit, an assessor to another department). The guard reads the user on every
/// request, so the new role applies at once.
pub async fn user_edit(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(id): Path<Id>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let user = own_user(&state, &me, id).await?;
    let name = field(&pairs, "display_name").trim().to_string();
    let refuse = |e: String| {
        render(
            &state,
            &session,
            &me,
            Extra::error(format!("未修改 {}：{e}", user.username)),
        )
    };
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return refuse(format!("姓名不能为空，最多 {MAX_NAME} 个字。")).await;
    }
    let Some(role) = Role::parse(field(&pairs, "role").trim()) else {
        return refuse("请选择角色。".into()).await;
    };
    if user.id == me.user.id && role != Role::Admin {
        return refuse("不能取消自己的管理员角色；如确需更改，请由另一位管理员操作。".into()).await;
    }
    let departments = state.store.departments(me.org()).await?;
    let department = match role {
        Role::Assessor => match chosen_department(&departments, field(&pairs, "department").trim())
        {
            Ok(d) => Some(d),
            Err(e) => return refuse(format!("{e}。")).await,
        },
        _ => None,
    };
    let unit = match role {
        Role::Reporter => match field(&pairs, "unit").trim().parse::<Id>() {
            Ok(uid) => match state.store.unit(me.org(), uid).await {
                Ok(u) => Some(u.id),
                Err(StorageError::NotFound) => {
                    return refuse("所选单位不存在或不属于本区。".into()).await;
                }
                Err(e) => return Err(e.into()),
            },
            Err(_) => return refuse("填报员须选择所属单位。".into()).await,
        },
        _ => None,
    };
    let mut changes = Vec::new();
    if user.display_name != name {
        changes.push(change(
            "display_name",
            user.display_name.clone(),
            name.clone(),
        ));
    }
    if user.role != role {
        changes.push(change("role", user.role.as_str(), role.as_str()));
    }
    if user.department_id != department.map(|d| d.id) {
        changes.push(change(
            "department",
            user.department.clone(),
            department.map(|d| d.name.clone()),
        ));
    }
    if user.unit_id != unit {
        changes.push(change("unit_id", user.unit_id, unit));
    }
    if changes.is_empty() {
        let m = format!("{}（{}）没有改动。", user.display_name, user.username);
        return render(&state, &session, &me, Extra::message(m)).await;
    }
    let mut work = state.store.begin().await?;
    work.update_user(
        me.org(),
        user.id,
        &name,
        role,
        department.map(|d| d.id),
        unit,
    )
    .await?;
    record(
        work,
        &me,
        Action::UserEdit,
        format!("user:{}", user.username),
        changes,
    )
    .await?;
    let m = format!("已修改 {}（{}）。", name, user.username);
    render(&state, &session, &me, Extra::message(m)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_passwords_are_strong_and_differ() {
        let a = temporary_password("zhangsan");
        let b = temporary_password("zhangsan");
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 14);
        assert!(password_problem(&a, "zhangsan").is_none(), "{a}");
    }

    #[test]
    fn every_role_has_a_hint_that_starts_with_its_label() {
        for r in Role::ALL {
            assert!(role_hint(r).starts_with(r.label()));
        }
    }
}
