//! The admin pages through HTTP, as the district office uses them: units, accounts,
//! rubric versions and campaigns; every change is checked on the server, kept on the
//! page when refused, and written to the audit log when made.

use crate::common::*;
use kaohe_storage::testing::{self, TestDb};
use kaohe_storage::{Id, Organiser, Role, Unit};
use kaohe_web::setup::BEILUN_RUBRIC;

async fn beilun(db: &TestDb) -> Organiser {
    db.store.organisers().await.unwrap()[0].clone()
}

async fn unit_named(db: &TestDb, name: &str) -> Unit {
    let org = beilun(db).await;
    db.store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == name)
        .unwrap_or_else(|| panic!("a unit named {name}"))
}

async fn admin(db: &TestDb) -> Client {
    let mut c = Client::new(demo_app(db).await);
    let r = c.login("admin", PW).await;
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

/// The actions of the organiser's audit log other than logins, newest first, with
/// their changes.
async fn audit(db: &TestDb) -> Vec<(String, String, String)> {
    let org = beilun(db).await;
    db.store
        .audit_rows(org.id, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action != "login")
        .map(|r| (r.entry.action, r.entry.target, r.entry.changes.to_string()))
        .collect()
}

// ── departments ───────────────────────────────────────────────────────────────

/// Departments are a list the admin keeps: added once, chosen for assessors and items,
/// renamed without losing either, deleted only when nothing uses them.
#[tokio::test]
async fn an_admin_keeps_the_list_of_departments_and_a_rename_keeps_assessors_and_items() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let page = c.get("/admin/departments").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for name in [
        "区考核办",
        "本单位考核办",
        "区公安分局",
        "区人社局",
        "区公安分局考核员",
    ] {
        assert!(page.body.contains(name), "{name}: {}", page.body);
    }
    let csrf = page.csrf();

    // Added once; the same name again, or an empty one, is refused with the reason.
    let r = c
        .post(
            "/admin/departments",
            &[("csrf", &csrf), ("name", "区民政局")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(r.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已添加部门“区民政局”"), "{}", page.body);
    for (name, message) in [
        ("区民政局", "已有名为“区民政局”的部门"),
        ("", "请填写部门名称"),
    ] {
        let r = c
            .post("/admin/departments", &[("csrf", &csrf), ("name", name)])
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains(message), "{}", r.body);
    }
    let find = |name: &'static str| {
        let store = db.store.clone();
        async move {
            store
                .departments(org.id)
                .await
                .unwrap()
                .into_iter()
                .find(|d| d.name == name)
                .unwrap_or_else(|| panic!("a department named {name}"))
        }
    };
    let civil = find("区民政局").await;
    let police = find("区公安分局").await;

    // Renamed, the police keeps its assessor and its items.
    let r = c
        .post(
            &format!("/admin/departments/{}", police.id),
            &[("csrf", &csrf), ("name", "区人社局")],
        )
        .await;
    assert!(r.body.contains("已有名为“区人社局”的部门"), "{}", r.body);
    let r = c
        .post(
            &format!("/admin/departments/{}", police.id),
            &[("csrf", &csrf), ("name", "宁波市公安局北仑分局")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let gongan = db.store.user_by_username("gongan").await.unwrap().unwrap();
    assert_eq!(gongan.department.as_deref(), Some("宁波市公安局北仑分局"));
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let assignment = db.store.assignment(org.id, cid).await.unwrap();
    assert_eq!(assignment.of("management.1").name, "宁波市公安局北仑分局");
    let mut as_police = Client::new(demo_app(&db).await);
    as_police.login("gongan", PW).await;
    let queue = as_police.get(&format!("/c/{cid}/review")).await;
    assert!(
        queue.body.contains("宁波市公安局北仑分局"),
        "{}",
        queue.body
    );

    // Used, it cannot be deleted, and the page says what uses it; the office never.
    let r = c
        .post(
            &format!("/admin/departments/{}/delete", police.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("还有 1 名考核员属于它"), "{}", r.body);
    let office = find("区考核办").await;
    let r = c
        .post(
            &format!("/admin/departments/{}/delete", office.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert!(r.body.contains("不能删除"), "{}", r.body);
    let r = c
        .post(
            &format!("/admin/departments/{}/delete", civil.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(db.store.departments(org.id).await.unwrap().len(), 3);

    // Each change is in the audit log, in words.
    let log = audit(&db).await;
    let actions: Vec<&str> = log.iter().take(3).map(|l| l.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "department.delete",
            "department.rename",
            "department.create"
        ]
    );
    assert!(log[1].2.contains("区公安分局") && log[1].2.contains("宁波市公安局北仑分局"));
    let page = c.get("/audit").await;
    assert!(page.body.contains("修改了责任部门的名称"), "{}", page.body);
    db.finish().await;
}

// ── units ─────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn an_admin_adds_a_unit_under_another_and_renames_it_with_an_audit_row_each() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let xinqi = unit_named(&db, "新碶街道").await;
    let page = c.get("/admin/units").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("新碶街道"));
    let csrf = page.csrf();

    let parent = xinqi.id.to_string();
    let r = c
        .post(
            "/admin/units",
            &[
                ("csrf", &csrf),
                ("name", "  长江社区 "),
                ("code", "0101"),
                ("parent", &parent),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(r.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已添加单位“长江社区”"), "{}", page.body);
    let added = unit_named(&db, "长江社区").await;
    assert_eq!(added.parent_id, Some(xinqi.id));
    assert_eq!(added.code.as_deref(), Some("0101"));

    // A name taken and a code taken are refused beside their fields; what was typed stays.
    let r = c
        .post(
            "/admin/units",
            &[("csrf", &csrf), ("name", "新碶街道"), ("code", "0101")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("已有名为“新碶街道”的单位"), "{}", r.body);
    assert!(
        r.body.contains("代码 0101 已被“长江社区”使用"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"新碶街道\""), "{}", r.body);

    let url = format!("/admin/units/{}", added.id);
    let page = c.get(&url).await;
    assert!(page.body.contains("上级单位：新碶街道"), "{}", page.body);
    let r = c
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("name", "长江社区居委会"),
                ("code", "0101"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(unit_named(&db, "长江社区居委会").await.id, added.id);
    let r = c
        .post(&url, &[("csrf", &csrf), ("name", ""), ("code", "")])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("请填写单位名称"), "{}", r.body);

    let log = audit(&db).await;
    assert_eq!(log[0].0, "unit.update");
    assert!(log[0].2.contains("\"old\":\"长江社区\""), "{:?}", log[0]);
    assert!(
        log[0].2.contains("\"new\":\"长江社区居委会\""),
        "{:?}",
        log[0]
    );
    assert!(
        !log[0].2.contains("\"code\""),
        "only changed fields: {:?}",
        log[0]
    );
    assert_eq!(log[1].0, "unit.create");
    assert!(
        log[1].2.contains("新碶街道"),
        "the parent is recorded: {:?}",
        log[1]
    );
    db.finish().await;
}

#[tokio::test]
async fn an_import_with_bad_rows_names_each_row_and_saves_nothing() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let before = db.store.units(org.id).await.unwrap().len();
    let csrf = c.get("/admin/units").await.csrf();
    let text =
        "名称,代码,上级\n甲社区,0101,新碶街道\n乙社区,0102,无此街道\n新碶街道,,\n丙社区,0101,\n";
    let r = c
        .post("/admin/units/import", &[("csrf", &csrf), ("text", text)])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("一个单位也没有保存"), "{}", r.body);
    assert!(
        r.body.contains("第 3 行：上级单位“无此街道”不存在"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("第 4 行：单位“新碶街道”已存在"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("第 5 行：代码 0101 与第 2 行重复"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("第 2 行："), "row 2 is good: {}", r.body);
    assert!(
        r.body.contains("乙社区,0102,无此街道"),
        "the text stays to fix"
    );
    assert_eq!(db.store.units(org.id).await.unwrap().len(), before);
    assert!(audit(&db).await.iter().all(|a| a.0 != "unit.import"));

    let r = c
        .post("/admin/units/import", &[("csrf", &csrf), ("text", "")])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("请选择 CSV 文件"), "{}", r.body);
    db.finish().await;
}

/// `名称,代码,上级` / `甲社区,0101,新碶街道` / `甲社区第一网格,,甲社区`, as Chinese
/// Excel saves a CSV: in GBK.
const GBK_CSV: &[u8] = b"\xc3\xfb\xb3\xc6\x2c\xb4\xfa\xc2\xeb\x2c\xc9\xcf\xbc\xb6\x0d\x0a\xbc\xd7\xc9\xe7\xc7\xf8\x2c\x30\x31\x30\x31\x2c\xd0\xc2\xb4\x5c\xbd\xd6\xb5\xc0\x0d\x0a\xbc\xd7\xc9\xe7\xc7\xf8\xb5\xda\xd2\xbb\xcd\xf8\xb8\xf1\x2c\x2c\xbc\xd7\xc9\xe7\xc7\xf8\x0d\x0a";

#[tokio::test]
async fn a_gbk_csv_file_imports_units_below_units_in_one_audit_row() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let csrf = c.get("/admin/units").await.csrf();
    let r = c
        .post_multipart(
            "/admin/units/import",
            &[("csrf", &csrf)],
            ("file", "单位.csv", GBK_CSV),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(r.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已导入 2 个单位"), "{}", page.body);
    let xinqi = unit_named(&db, "新碶街道").await;
    let community = unit_named(&db, "甲社区").await;
    let grid = unit_named(&db, "甲社区第一网格").await;
    assert_eq!(community.parent_id, Some(xinqi.id));
    assert_eq!(community.code.as_deref(), Some("0101"));
    assert_eq!(grid.parent_id, Some(community.id));
    let log = audit(&db).await;
    assert_eq!(log[0].0, "unit.import");
    assert!(log[0].2.contains("甲社区第一网格"), "{:?}", log[0]);

    // The same file again: every row is now a duplicate.
    let r = c
        .post_multipart(
            "/admin/units/import",
            &[("csrf", &csrf)],
            ("file", "单位.csv", GBK_CSV),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("第 2 行：单位“甲社区”已存在"), "{}", r.body);
    assert!(
        r.body.contains("第 3 行：单位“甲社区第一网格”已存在"),
        "{}",
        r.body
    );
    db.finish().await;
}

// ── users ─────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_new_user_gets_a_temporary_password_shown_once_and_must_change_it_at_first_login() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let daqi = unit_named(&db, "大碶街道").await;
    let page = c.get("/admin/users").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("区公安分局"),
        "assessors' departments listed"
    );
    let csrf = page.csrf();
    let unit = daqi.id.to_string();
    let r = c
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("username", "daqi2"),
                ("display_name", "王五"),
                ("role", "reporter"),
                ("unit", &unit),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body.matches("id=\"temporary-password\"").count(),
        1,
        "{}",
        r.body
    );
    let password = between(&r.body, "id=\"temporary-password\">", "<").unwrap();
    assert!(kaohe_web::password_problem(&password, "daqi2").is_none());
    let user = db.store.user_by_username("daqi2").await.unwrap().unwrap();
    assert!(user.must_change_password);
    assert_eq!(user.role, Role::Reporter);
    assert_eq!(user.unit_id, Some(daqi.id));

    // Shown once: not on the list afterwards, and never in the audit log.
    let list = c.get("/admin/users").await;
    assert!(!list.body.contains(&password));
    assert!(list.body.contains("daqi2") && list.body.contains("待改密码"));
    let log = audit(&db).await;
    assert_eq!(log[0].0, "user.create");
    assert!(!log[0].2.contains(&password));
    assert!(log[0].2.contains("大碶街道"), "{:?}", log[0]);

    // The new user logs in with it and is sent to change it before anything else.
    let mut u = Client::new(demo_app(&db).await);
    let r = u.login("daqi2", &password).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let home = u.get("/").await;
    assert_eq!(home.location.as_deref(), Some("/account/password"));
    let csrf = u.get("/account/password").await.csrf();
    let r = u
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", &password),
                ("new", "Daqi#Report2026"),
                ("confirm", "Daqi#Report2026"),
            ],
        )
        .await;
    assert!(r.body.contains("密码已修改"), "{}", r.body);
    assert_eq!(u.get("/").await.status, 200);
    db.finish().await;
}

#[tokio::test]
async fn a_new_account_is_refused_with_every_reason_beside_its_field() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let csrf = c.get("/admin/users").await.csrf();
    // A name already used (by another organiser's account too), an assessor without a
    // department.
    let r = c
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("username", "gongan"),
                ("display_name", "赵六"),
                ("role", "assessor"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("用户名 gongan 已被使用"), "{}", r.body);
    assert!(r.body.contains("考核员须选择责任部门"), "{}", r.body);
    assert!(r.body.contains("value=\"赵六\""), "what was typed stays");
    assert!(!r.body.contains("temporary-password"));

    let r = c
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("username", "xiaogang2"),
                ("display_name", "钱七"),
                ("role", "reporter"),
            ],
        )
        .await;
    assert!(r.body.contains("填报员须选择所属单位"), "{}", r.body);
    assert!(
        db.store
            .user_by_username("xiaogang2")
            .await
            .unwrap()
            .is_none()
    );

    // An assessor needs a department of the list; one added on the departments page
    // is offered.
    let assessor = |department: &'static str| -> [(&'static str, &'static str); 4] {
        [
            ("username", "weijian"),
            ("display_name", "区卫健局考核员"),
            ("role", "assessor"),
            ("department", department),
        ]
    };
    for (department, message) in [("", "考核员须选择责任部门"), ("999999", "所选部门不存在")]
    {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(assessor(department));
        let r = c.post("/admin/users", &form).await;
        assert!(r.body.contains(message), "{}", r.body);
    }
    let r = c
        .post(
            "/admin/departments",
            &[("csrf", &csrf), ("name", " 区卫健局 ")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let org = beilun(&db).await;
    let health = db
        .store
        .departments(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.name == "区卫健局")
        .expect("the department is added, its name trimmed");
    let page = c.get("/admin/users").await;
    assert!(
        page.body.contains(&format!(
            "<option value=\"{}\">区卫健局</option>",
            health.id
        )),
        "{}",
        page.body
    );
    let id = health.id.to_string();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend(assessor(""));
    form[4].1 = &id;
    let r = c.post("/admin/users", &form).await;
    assert!(r.body.contains("temporary-password"), "{}", r.body);
    let u = db.store.user_by_username("weijian").await.unwrap().unwrap();
    assert_eq!(u.department_id, Some(health.id));
    assert_eq!(u.department.as_deref(), Some("区卫健局"));
    db.finish().await;
}

#[tokio::test]
async fn a_reporter_for_another_organisers_unit_is_refused() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    kaohe_web::setup::add_organiser(&db.store, "海曙区", "haishu-admin", "Yinzhou#Reg2026")
        .await
        .unwrap();
    let haishu = db.store.organisers().await.unwrap()[1].clone();
    let gulou = kaohe_storage::change!(
        db.store,
        create_unit(haishu.id, None, "鼓楼街道", None, false)
    )
    .unwrap();
    let csrf = c.get("/admin/users").await.csrf();
    let unit = gulou.id.to_string();
    let r = c
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("username", "spy"),
                ("display_name", "某人"),
                ("role", "reporter"),
                ("unit", &unit),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("所选单位不存在或不属于本区"), "{}", r.body);
    assert!(db.store.user_by_username("spy").await.unwrap().is_none());

    // Nor can this admin touch the other organiser's accounts or units.
    let other = db
        .store
        .user_by_username("haishu-admin")
        .await
        .unwrap()
        .unwrap();
    let r = c
        .post(
            &format!("/admin/users/{}/password", other.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 404);
    let r = c
        .post(
            &format!("/admin/users/{}/active", other.id),
            &[("csrf", &csrf), ("active", "0")],
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(db.store.user(other.id).await.unwrap().active);
    assert_eq!(
        c.get(&format!("/admin/units/{}", gulou.id)).await.status,
        404
    );
    db.finish().await;
}

#[tokio::test]
async fn a_reset_password_must_be_changed_and_a_deactivated_account_is_out_at_once() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let csrf = c.get("/admin/users").await.csrf();
    let mut xiaogang = Client::new(demo_app(&db).await);
    xiaogang.login("xiaogang", PW).await;
    assert_eq!(xiaogang.get("/").await.status, 200);
    let id = db
        .store
        .user_by_username("xiaogang")
        .await
        .unwrap()
        .unwrap()
        .id;

    let r = c
        .post(&format!("/admin/users/{id}/password"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("密码已重置"), "{}", r.body);
    let password = between(&r.body, "id=\"temporary-password\">", "<").unwrap();
    let mut again = Client::new(demo_app(&db).await);
    let old = again.login("xiaogang", PW).await;
    assert_eq!(old.status, 200, "the old password no longer works");
    let new = again.login("xiaogang", &password).await;
    assert_eq!(new.status, 303);
    assert_eq!(
        again.get("/").await.location.as_deref(),
        Some("/account/password")
    );

    let r = c
        .post(
            &format!("/admin/users/{id}/active"),
            &[("csrf", &csrf), ("active", "0")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(r.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已停用"), "{}", page.body);
    let out = xiaogang.get("/").await;
    assert!(
        out.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login")),
        "a deactivated user's session ends: {:?}",
        out.location
    );
    let log = audit(&db).await;
    assert_eq!(log[0].0, "user.deactivate");
    assert!(log[0].2.contains("\"old\":true") && log[0].2.contains("\"new\":false"));
    assert_eq!(log[1].0, "user.password.reset");
    assert!(!log[1].2.contains(&password));

    let r = c
        .post(
            &format!("/admin/users/{id}/active"),
            &[("csrf", &csrf), ("active", "1")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(db.store.user(id).await.unwrap().active);

    // The auditor sees these account changes on the audit page (三员分立), in words,
    // the temporary password nowhere.
    let mut auditor = Client::new(demo_app(&db).await);
    auditor.login("shenji", PW).await;
    let page = auditor.get("/audit").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let accounts = between(&page.body, "id=\"accounts\"", "</section>").unwrap();
    for want in ["重置了用户的密码", "停用了用户", "恢复了用户"] {
        assert!(accounts.contains(want), "{want}: {accounts}");
    }
    assert!(!accounts.contains(&password));
    assert!(
        !accounts.contains("user.password.reset"),
        "words, not codes"
    );
    assert!(
        accounts.contains("账号 xiaogang"),
        "whose account: {accounts}"
    );
    assert!(accounts.contains("启用：否 → 是"), "{accounts}");
    assert!(!accounts.contains("must_change_password"), "{accounts}");

    // Not oneself.
    let me = db.store.user_by_username("admin").await.unwrap().unwrap();
    let r = c
        .post(
            &format!("/admin/users/{}/active", me.id),
            &[("csrf", &csrf), ("active", "0")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("不能停用自己的账号"), "{}", r.body);
    assert!(db.store.user(me.id).await.unwrap().active);
    db.finish().await;
}

// ── rubrics ───────────────────────────────────────────────────────────────────

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[tokio::test]
async fn a_rubric_with_errors_shows_each_line_with_its_source_and_saves_nothing() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let page = c.get("/admin/rubrics").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("beilun-2026"), "{}", page.body);
    let csrf = page.csrf();
    let bad = BEILUN_RUBRIC
        .replacen("points = 30", "points = \"三十\"", 1)
        .replacen("kind = \"per_count\"", "kind = \"per_cuont\"", 1);
    let r = c
        .post_multipart(
            "/admin/rubrics",
            &[("csrf", &csrf)],
            ("file", "beilun-2027.toml", bad.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("未保存"), "{}", r.body);
    for needle in ["points = \"三十\"", "per_cuont"] {
        let line = line_of(&bad, needle);
        assert!(
            r.body.contains(&format!("第 {line} 行")),
            "line {line}: {}",
            r.body
        );
        assert!(
            r.body.contains(&format!(
                "<span class=\"hit\"><span class=\"ln\">{line}</span>"
            )),
            "the source line {line} is marked: {}",
            r.body
        );
    }
    assert!(r.body.contains("per_cuont"), "the text is kept to fix");
    assert_eq!(
        db.store
            .rubrics(org.id)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.code == "beilun-2026")
            .count(),
        1
    );
    db.finish().await;
}

/// The demo rubric with one threshold lowered: 信息登记率 95% → 90%.
fn lowered() -> String {
    let text = BEILUN_RUBRIC.replacen(
        "{ input = \"registration_rate\", at_least = 95 }",
        "{ input = \"registration_rate\", at_least = 90 }",
        1,
    );
    assert_ne!(text, BEILUN_RUBRIC);
    text
}

#[tokio::test]
async fn a_valid_upload_is_version_2_and_version_1_stays_as_it_was() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let v1 = db
        .store
        .rubrics(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.code == "beilun-2026")
        .unwrap()
        .clone();
    let csrf = c.get("/admin/rubrics").await.csrf();
    let r = c
        .post_multipart(
            "/admin/rubrics",
            &[("csrf", &csrf)],
            ("file", "beilun-2026.toml", lowered().as_bytes()),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let versions: Vec<_> = db
        .store
        .rubrics(org.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.code == "beilun-2026")
        .collect();
    assert_eq!(versions.len(), 2);
    let v2 = versions.iter().find(|v| v.version == 2).unwrap();
    assert_eq!(v2.code, "beilun-2026");
    assert_eq!(
        r.location,
        Some(format!("/admin/rubrics/{}?uploaded=1", v2.id))
    );
    assert_eq!(db.store.rubric(org.id, v1.id).await.unwrap(), v1);
    assert_eq!(v1.source, BEILUN_RUBRIC);
    let campaign = db.store.campaigns(org.id).await.unwrap()[0].clone();
    assert_eq!(campaign.rubric_id, v1.id, "the campaign keeps its version");
    let log = audit(&db).await;
    assert_eq!(log[0].0, "rubric.upload");
    assert!(log[0].2.contains("\"old\":1,\"new\":2") || log[0].2.contains("\"new\":2"));

    let page = c.get(r.location.as_deref().unwrap()).await;
    assert!(
        page.body
            .contains("已保存为北仑区街道流动人口服务管理考核评分细则（2026 年度，第 2 版）"),
        "{}",
        page.body
    );
    assert!(page.body.contains("信息登记率"), "{}", page.body);
    let list = c.get("/admin/rubrics").await;
    assert!(list.body.contains("第 2 版") && list.body.contains(&v2.hash[..12]));
    assert!(
        list.body.contains(&campaign.title),
        "which campaign uses v1"
    );

    // The same text once more is not a third version; pasted text works like a file.
    let r = c
        .post("/admin/rubrics", &[("csrf", &csrf), ("text", &lowered())])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("完全相同"), "{}", r.body);
    assert_eq!(
        db.store
            .rubrics(org.id)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.code == "beilun-2026")
            .count(),
        2
    );
    db.finish().await;
}

#[tokio::test]
async fn the_diff_of_two_versions_shows_the_changed_threshold_in_words() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let csrf = c.get("/admin/rubrics").await.csrf();
    let r = c
        .post("/admin/rubrics", &[("csrf", &csrf), ("text", &lowered())])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let versions: Vec<_> = db
        .store
        .rubrics(org.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.code == "beilun-2026")
        .collect();
    let (v1, v2) = (&versions[0], &versions[1]);
    let diff = c.get(&format!("/admin/rubrics/{}/diff", v2.id)).await;
    assert_eq!(diff.status, 200, "{}", diff.body);
    assert!(diff.body.contains("修改的项目（1）"), "{}", diff.body);
    let changed = between(&diff.body, "id=\"changed\"", "</section>").unwrap();
    assert!(changed.contains("信息登记率 ≥ 95%"), "{changed}");
    assert!(changed.contains("信息登记率 ≥ 90%"), "{changed}");
    assert!(!diff.body.contains("新增的项目") && !diff.body.contains("删除的项目"));
    assert!(diff.body.contains("at_least = 90"), "the raw lines too");

    // The first version has nothing before it; another organiser's version is not found.
    let first = c.get(&format!("/admin/rubrics/{}/diff", v1.id)).await;
    assert!(first.body.contains("第一版"), "{}", first.body);
    let back = c
        .get(&format!("/admin/rubrics/{}/diff?from={}", v1.id, v2.id))
        .await;
    assert!(back.body.contains("修改的项目（1）"), "{}", back.body);
    assert_eq!(
        c.get(&format!("/admin/rubrics/{}/diff?from=99999", v2.id))
            .await
            .status,
        404
    );
    db.finish().await;
}

#[tokio::test]
async fn a_rubric_version_reads_as_a_table_of_items_rules_inputs_and_criteria() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let v1 = db
        .store
        .rubrics(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.code == "beilun-2026")
        .unwrap()
        .clone();
    let page = c.get(&format!("/admin/rubrics/{}", v1.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let rubric = kaohe_core::Rubric::from_toml(BEILUN_RUBRIC, "beilun").unwrap();
    for item in rubric.items() {
        assert!(page.body.contains(&item.id), "{}", item.id);
        assert!(page.body.contains(&item.criteria), "{} criteria", item.id);
    }
    let rule = kaohe_core::explain::describe_rule(&rubric, 0, 0);
    assert!(page.body.contains(&rule), "rules in words: {rule}");
    assert!(
        page.body.contains("floating_population"),
        "unit-level facts"
    );
    assert!(page.body.contains(rubric.hash()));
    db.finish().await;
}

// ── campaigns ─────────────────────────────────────────────────────────────────

async fn create_campaign(c: &mut Client, db: &TestDb, units: &[&str]) -> Id {
    let org = beilun(db).await;
    let rubric = db
        .store
        .rubrics(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.code == "beilun-2026")
        .unwrap()
        .id
        .to_string();
    let page = c.get("/admin/campaigns/new").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();
    let mut ids = Vec::new();
    for name in units {
        ids.push(unit_named(db, name).await.id.to_string());
    }
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("year", "2027"),
        ("title", "2027年度考核"),
        ("rubric", &rubric),
        ("deadline", "2099-12-31"),
        // The 2026 rubric for a 2027 campaign: asked, and confirmed.
        ("confirm_rubric", "1"),
    ];
    for id in &ids {
        fields.push(("unit", id));
    }
    let r = c.post("/admin/campaigns", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.location.unwrap();
    let id = to
        .trim_start_matches("/admin/c/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = c.get(&to).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("考核任务已创建"), "{}", page.body);
    id
}

/// The new-campaign form offers the newest year's rubric first (the demo uploaded last
/// year's after this year's), says each version's year, and asks before a campaign uses
/// a rubric of another year or an older version.
#[tokio::test]
async fn a_new_campaign_defaults_to_the_newest_rubric_and_asks_about_another_year() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let versions = db.store.rubrics(org.id).await.unwrap();
    let id_of = |code: &str| {
        versions
            .iter()
            .find(|v| v.code == code)
            .unwrap()
            .id
            .to_string()
    };
    let (this_year, last_year) = (id_of("beilun-2026"), id_of("beilun-2025"));
    // The demo also holds next year's draft: the newest year is the default.
    let newest = id_of("beilun-2027");
    let page = c.get("/admin/campaigns/new").await;
    assert!(
        page.body
            .contains(&format!("<option value=\"{newest}\" selected>")),
        "{}",
        page.body
    );
    assert!(page.body.contains("2025 年度") && page.body.contains("2026 年度"));
    let csrf = page.csrf();
    let unit = unit_named(&db, "小港街道").await.id.to_string();
    let post = |rubric: &str, confirm: bool| {
        let mut f = vec![
            ("csrf", csrf.clone()),
            ("year", "2026".to_string()),
            ("title", "2026年度考核（补）".to_string()),
            ("rubric", rubric.to_string()),
            ("deadline", "2099-12-31".to_string()),
            ("unit", unit.clone()),
        ];
        if confirm {
            f.push(("confirm_rubric", "1".to_string()));
        }
        f
    };
    let before = db.store.campaigns(org.id).await.unwrap().len();
    let form = post(&last_year, false);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post("/admin/campaigns", &pairs).await;
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("所选细则是 2025 年度的，而任务是 2026 年度的")
            && r.body.contains("有更新的版本")
            && r.body.contains("confirm_rubric"),
        "{}",
        r.body
    );
    assert_eq!(db.store.campaigns(org.id).await.unwrap().len(), before);
    // This year's rubric for this year's campaign: asked only because a newer version
    // (next year's draft) exists; confirmed, created.
    let form = post(&this_year, false);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post("/admin/campaigns", &pairs).await;
    assert!(
        r.body.contains("有更新的版本") && !r.body.contains("而任务是"),
        "{}",
        r.body
    );
    let form = post(&this_year, true);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post("/admin/campaigns", &pairs).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Last year's, confirmed: created.
    let form = post(&last_year, true);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post("/admin/campaigns", &pairs).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(db.store.campaigns(org.id).await.unwrap().len(), before + 2);
    db.finish().await;
}

/// Copying last year's campaign: the next year, the title and deadline moved on a year,
/// the same units, each item's department; the copy is a draft that remembers its
/// predecessor; base data is the new year's own.
#[tokio::test]
async fn last_years_campaign_is_copied_with_its_units_and_departments() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let last = db
        .store
        .campaigns(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.year == 2026 && c.state == kaohe_storage::CampaignState::Open)
        .unwrap();
    let page = c.get(&format!("/admin/c/{}", last.id)).await;
    assert!(
        page.body
            .contains(&format!("/admin/campaigns/new?from={}", last.id))
    );
    let form = c
        .get(&format!("/admin/campaigns/new?from={}", last.id))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("value=\"2027\""), "{}", form.body);
    assert!(form.body.contains("2027年度街道流动人口服务管理考核"));
    let next_deadline = {
        let y: i32 = last.deadline[..4].parse().unwrap();
        format!("{}{}", y + 1, &last.deadline[4..])
    };
    assert!(form.body.contains(&next_deadline), "{}", form.body);
    assert_eq!(form.body.matches(" checked>").count(), 11, "the same units");

    let units: Vec<String> = db
        .store
        .campaign_units(last.id)
        .await
        .unwrap()
        .iter()
        .map(|u| u.unit_id.to_string())
        .collect();
    let rubric = last.rubric_id.to_string();
    let from = last.id.to_string();
    let csrf = form.csrf();
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("from", &from),
        ("year", "2027"),
        ("title", "2027年度街道流动人口服务管理考核"),
        ("rubric", &rubric),
        ("deadline", &next_deadline),
        ("confirm_rubric", "1"),
    ];
    for u in &units {
        fields.push(("unit", u));
    }
    let r = c.post("/admin/campaigns", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let copy = db
        .store
        .campaigns(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.year == 2027)
        .unwrap();
    assert_eq!(copy.predecessor_id, Some(last.id));
    assert!(copy.issued_at.is_none(), "a draft");
    let assignment = db.store.assignment(org.id, copy.id).await.unwrap();
    assert_eq!(assignment.of("management.1").name, "区公安分局");
    assert_eq!(assignment.of("service.1").name, "区人社局");
    assert!(assignment.of("basic.1").is_office);
    let cus = db.store.campaign_units(copy.id).await.unwrap();
    assert_eq!(cus.len(), 11);
    assert!(
        cus.iter()
            .all(|cu| cu.unit_facts.is_empty() && cu.deadline.is_none())
    );
    let log = audit(&db).await;
    assert!(log[0].2.contains("copied_from"), "{:?}", log[0]);

    // Another district's campaign cannot be copied from.
    kaohe_web::setup::add_organiser(&db.store, "海曙区", "haishu-admin", "Yinzhou#Reg2026")
        .await
        .unwrap();
    let mut other = Client::new(demo_app(&db).await);
    other.login("haishu-admin", "Yinzhou#Reg2026").await;
    let r = other
        .get(&format!("/admin/campaigns/new?from={}", last.id))
        .await;
    assert_eq!(r.status, 404);
    db.finish().await;
}

/// Every unit's base data at once, pasted from a spreadsheet: checked whole, saved in
/// one change with its audit row, or not at all with each problem by row.
#[tokio::test]
async fn base_data_for_every_unit_is_pasted_at_once_or_not_at_all() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let page = c.get(&format!("/admin/c/{cid}")).await;
    assert!(
        page.body.contains("单位,区域流动人口数"),
        "the header to use is shown"
    );
    let csrf = page.csrf();
    let facts = |name: &str| {
        let store = db.store.clone();
        let name = name.to_string();
        async move {
            let units = store.units(org.id).await.unwrap();
            let uid = units.iter().find(|u| u.name == name).unwrap().id;
            store
                .campaign_units(cid)
                .await
                .unwrap()
                .into_iter()
                .find(|cu| cu.unit_id == uid)
                .unwrap()
                .unit_facts
        }
    };
    let before = facts("大碶街道").await;
    let bad = "单位\t区域流动人口数\n新碶街道\t120000\n大碶街道\t很多\n不存在街道\t5";
    let r = c
        .post(
            &format!("/admin/c/{cid}/facts"),
            &[("csrf", &csrf), ("text", bad)],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("第 3 行“大碶街道”的区域流动人口数") && r.body.contains("不存在街道"),
        "{}",
        r.body
    );
    assert_eq!(facts("大碶街道").await, before, "nothing saved");
    assert!(
        r.body.contains("不存在街道\t5"),
        "the table stays to be corrected"
    );

    let good = "单位\t区域流动人口数\n新碶街道\t120000\n大碶街道\t86000";
    let r = c
        .post(
            &format!("/admin/c/{cid}/facts"),
            &[("csrf", &csrf), ("text", good)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(facts("新碶街道").await["floating_population"], "120000");
    assert_eq!(facts("大碶街道").await["floating_population"], "86000");
    let log = audit(&db).await;
    assert_eq!(log[0].0, "campaign.unit");
    assert!(
        log[0].2.contains("大碶街道") && log[0].2.contains("86000"),
        "{:?}",
        log[0]
    );

    // The same from an Excel workbook chosen as a file.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write(0, 0, "单位").unwrap();
    ws.write(0, 1, "区域流动人口数").unwrap();
    ws.write(1, 0, "大碶街道").unwrap();
    ws.write(1, 1, 91000).unwrap();
    let xlsx = wb.save_to_buffer().unwrap();
    let r = c
        .post_multipart(
            &format!("/admin/c/{cid}/facts"),
            &[("csrf", &csrf), ("text", "")],
            ("file", "基础数据.xlsx", &xlsx),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(facts("大碶街道").await["floating_population"], "91000");
    // A file that is not a table is refused by name.
    let r = c
        .post_multipart(
            &format!("/admin/c/{cid}/facts"),
            &[("csrf", &csrf)],
            ("file", "坏的.xlsx", b"PK\x03\x04broken"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("坏的.xlsx：Excel 文件打不开"), "{}", r.body);
    db.finish().await;
}

/// A campaign created and issued (下发) to its units.
async fn create_and_issue(c: &mut Client, db: &TestDb, units: &[&str]) -> Id {
    let id = create_campaign(c, db, units).await;
    let csrf = c.get(&format!("/admin/c/{id}")).await.csrf();
    let r = c
        .post(&format!("/admin/c/{id}/issue"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    id
}

/// A new campaign is a draft that only the admin sees; the page lists what is still
/// missing; issued, its units see it and the audit log says so; it is issued once.
#[tokio::test]
async fn a_new_campaign_is_a_draft_only_the_admin_sees_until_it_is_issued() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let cid = create_campaign(&mut c, &db, &["小港街道", "大碶街道"]).await;
    let xiaogang = unit_named(&db, "小港街道").await;
    let page = c.get(&format!("/admin/c/{cid}")).await;
    assert!(page.body.contains("草稿：尚未下发"), "{}", page.body);
    assert!(
        page.body
            .contains("2 个单位的基础数据未填写：小港街道、大碶街道"),
        "{}",
        page.body
    );
    let overview = c.get("/admin").await;
    assert!(
        overview.body.contains("草稿，尚未下发"),
        "{}",
        overview.body
    );

    let mut reporter = Client::new(demo_app(&db).await);
    reporter.login("xiaogang", PW).await;
    let mut assessor = Client::new(demo_app(&db).await);
    assessor.login("gongan", PW).await;
    let mut leader = Client::new(demo_app(&db).await);
    leader.login("lingdao", PW).await;
    let report = format!("/c/{cid}/u/{}", xiaogang.id);
    let results = format!("/c/{cid}/results");
    for (who, client, url) in [
        ("reporter", &mut reporter, &report),
        ("assessor", &mut assessor, &format!("/c/{cid}/review")),
        ("leader", &mut leader, &results),
    ] {
        let home = client.get("/").await;
        // Units and departments keep a draft's records (台账) before it is issued;
        // nothing else of it shows.
        assert!(
            !home.body.contains("2027年度考核") || home.body.contains("本年度的台账记录已可填报"),
            "{who}: {}",
            home.body
        );
        assert!(
            !home.body.contains(&format!("href=\"/c/{cid}/u/"))
                && !home.body.contains(&format!("href=\"/c/{cid}/review")),
            "{who}: {}",
            home.body
        );
        assert_eq!(client.get(url).await.status, 404, "{who} {url}");
        assert_eq!(client.get(&results).await.status, 404, "{who} {results}");
    }
    // Computing results or locking a draft makes no sense; the page says why.
    let csrf = page.csrf();
    let r = c
        .post(&format!("/admin/c/{cid}/results"), &[("csrf", &csrf)])
        .await;
    assert!(r.body.contains("尚未下发"), "{}", r.body);

    let r = c
        .post(&format!("/admin/c/{cid}/issue"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(r.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已下发"), "{}", page.body);
    assert!(!page.body.contains("草稿：尚未下发"));
    let home = reporter.get("/").await;
    assert!(home.body.contains("2027年度考核"), "{}", home.body);
    assert_eq!(reporter.get(&report).await.status, 200);
    let log = audit(&db).await;
    assert_eq!(log[0].0, "campaign.issue");
    assert!(c.get("/audit").await.body.contains("下发了考核任务"));

    // Issued once: a second issue is refused in words; so is deleting it now.
    let r = c
        .post(&format!("/admin/c/{cid}/issue"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("本任务已经下发"), "{}", r.body);
    let r = c
        .post(&format!("/admin/c/{cid}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("未删除：本任务已经下发"), "{}", r.body);

    // A draft is deleted with what was set up for it, and the log says so.
    let draft = create_campaign(&mut c, &db, &["小港街道"]).await;
    let page = c.get(&format!("/admin/c/{draft}")).await;
    assert!(page.body.contains("删除此草稿"));
    let r = c
        .post(&format!("/admin/c/{draft}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(c.get(&format!("/admin/c/{draft}")).await.status, 404);
    assert_eq!(audit(&db).await[0].0, "campaign.delete");
    db.finish().await;
}

/// A unit added to a running campaign takes part from then on, its report empty.
#[tokio::test]
async fn a_unit_is_added_to_a_running_campaign_and_its_reporter_sees_it() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let cid = create_and_issue(&mut c, &db, &["小港街道"]).await;
    let daqi = unit_named(&db, "大碶街道").await;
    let mut reporter = Client::new(demo_app(&db).await);
    reporter.login("daqi", PW).await;
    assert!(!reporter.get("/").await.body.contains("2027年度考核"));
    let page = c.get(&format!("/admin/c/{cid}")).await;
    assert!(page.body.contains("添加参加单位"), "{}", page.body);
    let r = c
        .post(
            &format!("/admin/c/{cid}/units"),
            &[("csrf", &page.csrf()), ("unit", &daqi.id.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(db.store.campaign_units(cid).await.unwrap().len(), 2);
    assert!(reporter.get("/").await.body.contains("2027年度考核"));
    let report = reporter.get(&format!("/c/{cid}/u/{}", daqi.id)).await;
    assert_eq!(report.status, 200, "{}", report.body);
    // A unit already taking part is not added twice.
    let r = c
        .post(
            &format!("/admin/c/{cid}/units"),
            &[("csrf", &page.csrf()), ("unit", &daqi.id.to_string())],
        )
        .await;
    assert!(r.body.contains("尚未参加本任务的单位"), "{}", r.body);
    db.finish().await;
}

#[tokio::test]
async fn a_campaign_made_from_the_demo_rubric_opens_for_a_reporter_of_a_taking_part_unit() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let page = c.get("/admin/campaigns/new").await;
    // Every unit is ticked at first.
    assert_eq!(page.body.matches("name=\"unit\"").count(), 11);
    assert_eq!(page.body.matches(" checked>").count(), 11);
    let cid = create_and_issue(&mut c, &db, &["小港街道", "大碶街道"]).await;
    let campaign = db.store.campaign(org.id, cid).await.unwrap();
    assert_eq!(campaign.deadline, "2099-12-31");
    assert_eq!(db.store.campaign_units(cid).await.unwrap().len(), 2);
    let log = audit(&db).await;
    assert_eq!(
        (log[0].0.as_str(), log[1].0.as_str()),
        ("campaign.issue", "campaign.create")
    );
    assert!(log[1].2.contains("小港街道、大碶街道"), "{:?}", log[1]);

    let overview = c.get("/admin").await;
    assert!(overview.body.contains(&format!("href=\"/admin/c/{cid}\"")));
    assert!(overview.body.contains("新建考核任务"));

    let xiaogang = unit_named(&db, "小港街道").await;
    let mut r = Client::new(demo_app(&db).await);
    r.login("xiaogang", PW).await;
    let home = r.get("/").await;
    assert!(home.body.contains("2027年度考核"), "{}", home.body);
    let report = r.get(&format!("/c/{cid}/u/{}", xiaogang.id)).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(report.body.contains("小港街道 · 自查"));
    // A unit not taking part does not have it.
    let xinqi = unit_named(&db, "新碶街道").await;
    let mut other = Client::new(demo_app(&db).await);
    other.login("xinqi", PW).await;
    assert_eq!(
        other.get(&format!("/c/{cid}/u/{}", xinqi.id)).await.status,
        404
    );
    db.finish().await;
}

#[tokio::test]
async fn a_campaign_is_refused_with_its_reasons_and_nothing_is_created() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let csrf = c.get("/admin/campaigns/new").await.csrf();
    let r = c
        .post(
            "/admin/campaigns",
            &[
                ("csrf", &csrf),
                ("year", "二〇二七"),
                ("title", "草稿任务"),
                ("rubric", "99999"),
                ("deadline", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("请填写年度"), "{}", r.body);
    assert!(
        r.body.contains("请选择本区的一个评分细则版本"),
        "{}",
        r.body
    );
    assert!(r.body.contains("截止日期 2001-01-01 已过"), "{}", r.body);
    assert!(
        r.body.contains("请至少选择一个参加考核的单位"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"草稿任务\""),
        "what was typed stays"
    );
    assert_eq!(
        db.store.campaigns(org.id).await.unwrap().len(),
        2,
        "the demo's two, and no new one"
    );
    db.finish().await;
}

#[tokio::test]
async fn a_unit_level_fact_of_zero_or_empty_is_refused_beside_the_field() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let cid = create_and_issue(&mut c, &db, &["小港街道"]).await;
    let unit = unit_named(&db, "小港街道").await;
    let page = c.get(&format!("/admin/c/{cid}")).await;
    assert!(page.body.contains("区域流动人口数"), "{}", page.body);
    assert!(page.body.contains("还有 1 个单位未填写"), "{}", page.body);
    let csrf = page.csrf();
    let url = format!("/admin/c/{cid}/u/{}", unit.id);
    for (value, message) in [("0", "不小于 1"), ("", "必填"), ("三万", "应为 0 或正整数")]
    {
        let r = c
            .post(&url, &[("csrf", &csrf), ("f.floating_population", value)])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains(message), "{value:?}: {}", r.body);
        assert!(r.body.contains("小港街道：未保存"), "{}", r.body);
        assert!(
            r.body
                .contains(&format!("name=\"f.floating_population\" value=\"{value}\"")),
            "the value typed stays beside its message"
        );
    }
    let cu = &db.store.campaign_units(cid).await.unwrap()[0];
    assert!(cu.unit_facts.is_empty(), "nothing saved: {cu:?}");

    let r = c
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("f.floating_population", "52000"),
                ("deadline", "2000-01-01"),
            ],
        )
        .await;
    assert!(
        r.body.contains("延期后的截止日期应不早于统一截止日期"),
        "{}",
        r.body
    );
    let r = c
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("f.floating_population", "52000"),
                ("deadline", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let cu = &db.store.campaign_units(cid).await.unwrap()[0];
    assert_eq!(
        cu.unit_facts.get("floating_population").map(String::as_str),
        Some("52000")
    );
    let log = audit(&db).await;
    assert_eq!(log[0].0, "campaign.unit");
    assert!(
        log[0].2.contains("\"field\":\"floating_population\"") && log[0].2.contains("52000"),
        "{:?}",
        log[0]
    );

    // The unit sees it, read-only, on the item that uses it.
    let rubric = kaohe_core::Rubric::from_toml(BEILUN_RUBRIC, "beilun").unwrap();
    let slot = rubric.slot("floating_population").unwrap();
    let item = rubric
        .items()
        .iter()
        .find(|i| i.uses.contains(&slot))
        .unwrap();
    let mut r = Client::new(demo_app(&db).await);
    r.login("xiaogang", PW).await;
    let page = r
        .get(&format!("/c/{cid}/u/{}/i/{}", unit.id, item.id))
        .await;
    assert!(page.body.contains("52000"), "{}", page.body);
    assert!(!page.body.contains("name=\"floating_population\""));
    db.finish().await;
}

#[tokio::test]
async fn campaign_settings_extensions_and_departments_are_saved_and_audited() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let cid = create_and_issue(&mut c, &db, &["小港街道"]).await;
    let org = beilun(&db).await;
    let unit = unit_named(&db, "小港街道").await;
    let csrf = c.get(&format!("/admin/c/{cid}")).await.csrf();

    let r = c
        .post(
            &format!("/admin/c/{cid}/settings"),
            &[("csrf", &csrf), ("title", ""), ("deadline", "2099-02-30")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("请填写任务名称") && r.body.contains("格式如"));
    let r = c
        .post(
            &format!("/admin/c/{cid}/settings"),
            &[
                ("csrf", &csrf),
                ("title", "2027年度考核（修订）"),
                ("deadline", "2099-11-30"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let campaign = db.store.campaign(org.id, cid).await.unwrap();
    assert_eq!(campaign.title, "2027年度考核（修订）");
    assert_eq!(campaign.deadline, "2099-11-30");
    let log = audit(&db).await;
    assert_eq!(log[0].0, "campaign.update");
    assert!(log[0].2.contains("2099-12-31") && log[0].2.contains("2099-11-30"));

    let r = c
        .post(
            &format!("/admin/c/{cid}/u/{}", unit.id),
            &[
                ("csrf", &csrf),
                ("f.floating_population", "40000"),
                ("deadline", "2099-12-15"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let cu = &db.store.campaign_units(cid).await.unwrap()[0];
    assert_eq!(cu.deadline.as_deref(), Some("2099-12-15"));

    // basic.1 goes to the police; the police assessor may now open it, the office's not.
    let mut gongan = Client::new(demo_app(&db).await);
    gongan.login("gongan", PW).await;
    let item = format!("/c/{cid}/u/{}/i/basic.1", unit.id);
    assert_eq!(gongan.get(&item).await.status, 403);
    let police = db
        .store
        .user_by_username("gongan")
        .await
        .unwrap()
        .unwrap()
        .department_id
        .unwrap()
        .to_string();
    let r = c
        .post(
            &format!("/admin/c/{cid}/departments"),
            &[("csrf", &csrf), ("d.basic.1", "424242")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("所选部门不存在"), "{}", r.body);
    let r = c
        .post(
            &format!("/admin/c/{cid}/departments"),
            &[("csrf", &csrf), ("d.basic.1", &police), ("d.basic.2", "")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(gongan.get(&item).await.status, 200);
    let mut office = Client::new(demo_app(&db).await);
    office.login("kaoheban", PW).await;
    assert_eq!(office.get(&item).await.status, 403);
    let log = audit(&db).await;
    assert_eq!(log[0].0, "campaign.departments");
    assert!(log[0].2.contains("\"field\":\"basic.1\""), "{:?}", log[0]);
    assert!(
        !log[0].2.contains("basic.2"),
        "unchanged items are not listed"
    );
    let page = c.get(&format!("/admin/c/{cid}")).await;
    let select = &page.body[page.body.find("name=\"d.basic.1\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    assert!(
        select.contains(&format!(
            "<option value=\"{police}\" selected>区公安分局</option>"
        )),
        "{select}"
    );

    // An empty department hands the item back to the organiser's own office.
    let r = c
        .post(
            &format!("/admin/c/{cid}/departments"),
            &[("csrf", &csrf), ("d.basic.1", "")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(office.get(&item).await.status, 200);
    db.finish().await;
}

/// A unit withdrawn from a running campaign (退出考核) with a reason leaves the lists,
/// the review queue and the results; its reporter is told why; what it reported is kept
/// and comes back with it.
#[tokio::test]
async fn a_unit_is_withdrawn_with_a_reason_and_brought_back_with_its_report() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let xiaogang = units.iter().find(|u| u.name == "小港街道").unwrap().id;
    let items_before = db.store.report_items(cid, xiaogang).await.unwrap().len();
    assert!(items_before > 0, "小港街道 has reported");
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    assert!(
        page.body
            .contains(&format!("/admin/c/{cid}/u/{xiaogang}/withdraw"))
    );
    let url = format!("/admin/c/{cid}/u/{xiaogang}/withdraw");
    let refused = admin
        .post(&url, &[("csrf", &page.csrf()), ("reason", " ")])
        .await;
    assert_eq!(refused.status, 200);
    assert!(
        refused.body.contains("请写明退出的理由"),
        "{}",
        refused.body
    );
    let done = admin
        .post(
            &url,
            &[("csrf", &page.csrf()), ("reason", "已撤并入大碶街道")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    let withdrawn = between(&page.body, "id=\"withdrawn\"", "</ul>").unwrap();
    assert!(
        withdrawn.contains("小港街道") && withdrawn.contains("已撤并入大碶街道"),
        "{withdrawn}"
    );
    assert!(
        !db.store
            .campaign_units(cid)
            .await
            .unwrap()
            .iter()
            .any(|c| c.unit_id == xiaogang)
    );
    // Not in the review queue, the results or the ranking.
    let mut assessor = Client::new(app.clone());
    assessor.login("kaoheban", PW).await;
    assert!(
        !assessor
            .get(&format!("/c/{cid}/review"))
            .await
            .body
            .contains("小港街道")
    );
    let r = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(
        !admin
            .get(&format!("/c/{cid}/results"))
            .await
            .body
            .contains("小港街道")
    );
    // Its reporter is told, with the reason.
    let mut reporter = Client::new(app.clone());
    reporter.login("xiaogang", PW).await;
    let home = reporter.get("/").await;
    assert!(
        home.body
            .contains("本单位已退出本次考核（已撤并入大碶街道）"),
        "{}",
        home.body
    );
    // The audit row carries the reason.
    let rows = db.store.audit_rows(org.id, 50).await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.entry.action == "campaign.unit.withdraw")
        .unwrap();
    assert_eq!(row.entry.reason.as_deref(), Some("已撤并入大碶街道"));
    // Brought back: its report as it was.
    let back = admin
        .post(
            &format!("/admin/c/{cid}/u/{xiaogang}/reinstate"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(back.status, 303, "{}", back.body);
    assert!(
        db.store
            .campaign_units(cid)
            .await
            .unwrap()
            .iter()
            .any(|c| c.unit_id == xiaogang)
    );
    assert_eq!(
        db.store.report_items(cid, xiaogang).await.unwrap().len(),
        items_before
    );
    db.finish().await;
}

/// A rubric file that is not text (neither UTF-8 nor GBK) is refused by name with what
/// to do; no version is added.
#[tokio::test]
async fn a_rubric_file_that_is_not_text_is_refused() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = db.store.organisers().await.unwrap()[0].id;
    let before = db.store.rubrics(org).await.unwrap().len();
    let csrf = c.get("/admin/rubrics").await.csrf();
    let r = c
        .post_multipart(
            "/admin/rubrics",
            &[("csrf", &csrf)],
            (
                "file",
                "细则.toml",
                &[0xff, 0xff, 0xfe, 0x81, 0x20, 0xff][..],
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("未保存：细则.toml 不是 UTF-8 或 GBK 编码的文本文件"),
        "{}",
        r.body
    );
    assert_eq!(db.store.rubrics(org).await.unwrap().len(), before);
    db.finish().await;
}

/// 三员分立: an account change by the admin raises an alert on the auditor's page until
/// the auditor marks the changes reviewed (an audit row of its own); only the auditor
/// may, and a later change raises it again.
#[tokio::test]
async fn an_account_change_alerts_the_auditor_until_reviewed() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let mut auditor = Client::new(demo_app(&db).await);
    auditor.login("shenji", PW).await;
    let unreviewed = |body: &str| {
        between(body, "<strong>有 ", " 次账号变动尚未审阅")
            .map(|n| n.parse::<i64>().unwrap())
            .unwrap_or(0)
    };
    // Whatever the demo's seeding left: reviewed now, the alert gone.
    let page = auditor.get("/audit").await;
    if unreviewed(&page.body) > 0 {
        let r = auditor
            .post("/audit/accounts/reviewed", &[("csrf", &page.csrf())])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let page = auditor.get("/audit").await;
    assert_eq!(unreviewed(&page.body), 0, "{}", page.body);
    assert!(!page.body.contains("id=\"accounts-alert\""));

    // The admin resets a password: one change to review, on the auditor's page and the
    // admin's (who cannot mark it).
    let csrf = c.get("/admin/users").await.csrf();
    let id = db
        .store
        .user_by_username("xiaogang")
        .await
        .unwrap()
        .unwrap()
        .id;
    let r = c
        .post(&format!("/admin/users/{id}/password"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 200);
    let page = auditor.get("/audit").await;
    assert_eq!(unreviewed(&page.body), 1, "{}", page.body);
    assert!(page.body.contains("已逐条核对，标记为已审阅"));
    let admin_page = c.get("/audit").await;
    assert_eq!(unreviewed(&admin_page.body), 1);
    assert!(!admin_page.body.contains("已逐条核对，标记为已审阅"));
    let r = c
        .post("/audit/accounts/reviewed", &[("csrf", &admin_page.csrf())])
        .await;
    assert_eq!(r.status, 403, "only the auditor marks them reviewed");

    // Marked: the alert goes, the marking is in the log, and says when and by whom.
    let r = auditor
        .post("/audit/accounts/reviewed", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(r.status, 303);
    let page = auditor.get("/audit").await;
    assert_eq!(unreviewed(&page.body), 0);
    assert!(page.body.contains("审阅了账号变动"), "{}", page.body);
    db.finish().await;
}
