//! Findings of an access-control review, each shown over HTTP: what an attacker could
//! do before the fix, and that they cannot now.

use crate::common::*;
use axum::http::header;
use kaohe_storage::testing;

/// The login page's `next` may only lead to a page of this site. A tab (or line break)
/// is removed by browsers when they read a `Location`, so `/<TAB>/evil.example` would
/// become `//evil.example`: another site.
#[tokio::test]
async fn login_next_with_a_control_character_is_not_followed_off_site() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut c = Client::new(app);
    let page = c.get("/login?next=/%09/evil.example/").await;
    let r = c
        .post(
            "/login",
            &[
                ("csrf", &page.csrf()),
                ("username", "admin"),
                ("password", PW),
                ("next", "/\t/evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r
        .headers
        .get(header::LOCATION)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    assert_eq!(
        location,
        b"/".to_vec(),
        "redirected to {:?}",
        String::from_utf8_lossy(&location)
    );
    db.finish().await;
}

/// A reporter reads their unit's results only once published; the year-over-year table
/// of a published (past) campaign must not show a later campaign's results that are
/// computed but not yet published.
#[tokio::test]
async fn year_over_year_shows_a_reporter_no_unpublished_results() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let campaigns = db.store.campaigns(org.id).await.unwrap();
    let (current, past) = (&campaigns[0], &campaigns[1]);
    assert!(past.published_at.is_some() && current.published_at.is_none());
    let xinqi = db
        .store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "新碶街道")
        .unwrap();

    // The admin computes this year's results and does not publish them.
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get(&format!("/c/{}/results", current.id)).await;
    let r = admin
        .post(
            &format!("/admin/c/{}/results", current.id),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let mut reporter = Client::new(app);
    reporter.login("xinqi", PW).await;
    // This year's results are not for the unit yet…
    let now = reporter
        .get(&format!("/c/{}/results/u/{}", current.id, xinqi.id))
        .await;
    assert_eq!(now.status, 400, "{}", now.body);
    // …nor through last year's page.
    let last = reporter
        .get(&format!("/c/{}/results/u/{}", past.id, xinqi.id))
        .await;
    assert_eq!(last.status, 200, "{}", last.body);
    assert!(
        !last.body.contains("2026 年度"),
        "an unpublished year is shown to the unit: {}",
        last.body
    );
    db.finish().await;
}

/// An assessor sees only their department's items of a unit's report: not the comments
/// with which another department returned its items, nor which of those items' facts
/// are missing.
#[tokio::test]
async fn an_assessor_does_not_see_another_departments_returns_on_the_report_page() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let uid = db
        .store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "小港街道")
        .unwrap()
        .id;

    // The organiser's own office returns basic.4 (its item) with a comment.
    let mut office = Client::new(app.clone());
    office.login("kaoheban", PW).await;
    let url = format!("/c/{cid}/u/{uid}/r/basic.4");
    let page = office.get(&url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let r = office
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", "0"),
                ("action", "return"),
                ("comment", "机密退回意见-只给本单位"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The police assessor (management.* items) opens the unit's report.
    let mut police = Client::new(app);
    police.login("gongan", PW).await;
    let report = police.get(&format!("/c/{cid}/u/{uid}")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(report.body.contains("management."), "{}", report.body);
    assert!(
        !report.body.contains("机密退回意见") && !report.body.contains("basic.4"),
        "another department's return is shown: {}",
        report.body
    );
    // The item itself stays forbidden, as before.
    let item = police.get(&format!("/c/{cid}/u/{uid}/i/basic.4")).await;
    assert_eq!(item.status, 403);
    db.finish().await;
}
