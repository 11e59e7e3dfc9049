//! A staff change: the admin moves a reporter to another unit and an assessor to another
//! department; the change applies at the next request and is in the audit log.

use crate::common::*;
use kaohe_storage::testing;

#[tokio::test]
async fn the_admin_moves_a_reporter_to_another_unit_and_it_applies_at_once() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let xinqi = units.iter().find(|u| u.name == "新碶街道").unwrap().id;
    let xiaogang = units.iter().find(|u| u.name == "小港街道").unwrap().id;
    let user = db.store.user_by_username("xinqi").await.unwrap().unwrap();

    let mut reporter = Client::new(app.clone());
    reporter.login("xinqi", PW).await;
    assert_eq!(
        reporter.get(&format!("/c/{cid}/u/{xinqi}")).await.status,
        200
    );
    assert_eq!(
        reporter.get(&format!("/c/{cid}/u/{xiaogang}")).await.status,
        403
    );

    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    let page = admin.get("/admin/users").await;
    assert!(
        page.body
            .contains(&format!("/admin/users/{}/edit", user.id))
    );
    let url = format!("/admin/users/{}/edit", user.id);
    // The list links to a page of its own for the change: the user's role and unit
    // chosen, every unit offered.
    let form = admin.get(&url).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body
            .contains(&format!("<option value=\"{xinqi}\" selected>"))
            && form
                .body
                .contains(&format!("<option value=\"{xiaogang}\">"))
            && form.body.contains("<option value=\"reporter\" selected>")
            && form.body.contains(&format!("action=\"{url}\"")),
        "{}",
        form.body
    );
    let uid = xiaogang.to_string();
    // A reporter needs a unit; an assessor a department.
    let r = admin
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("display_name", "张三"),
                ("role", "reporter"),
                ("unit", ""),
            ],
        )
        .await;
    assert!(r.body.contains("须选择所属单位"), "{}", r.body);
    let r = admin
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("display_name", "张三"),
                ("role", "assessor"),
                ("department", ""),
            ],
        )
        .await;
    assert!(r.body.contains("须选择责任部门"), "{}", r.body);
    let r = admin
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("display_name", "张三"),
                ("role", "reporter"),
                ("unit", &uid),
            ],
        )
        .await;
    assert!(r.body.contains("已修改"), "{}", r.body);

    assert_eq!(
        reporter.get(&format!("/c/{cid}/u/{xiaogang}")).await.status,
        200,
        "the new unit at once"
    );
    assert_eq!(
        reporter.get(&format!("/c/{cid}/u/{xinqi}")).await.status,
        403,
        "not the old one"
    );
    let log = db.store.audit_rows(org.id, 5).await.unwrap();
    assert_eq!(log[0].entry.action, "user.edit");
    let fields: Vec<&str> = log[0]
        .entry
        .changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["display_name", "unit_id"]);

    // An admin cannot take away their own admin role.
    let me = db.store.user_by_username("admin").await.unwrap().unwrap();
    let r = admin
        .post(
            &format!("/admin/users/{}/edit", me.id),
            &[
                ("csrf", &page.csrf()),
                ("display_name", "管理员"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert!(r.body.contains("不能取消自己的管理员角色"), "{}", r.body);
    db.finish().await;
}
