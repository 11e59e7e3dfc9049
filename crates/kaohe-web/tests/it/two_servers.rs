//! Two app servers on one database, as behind a load balancer: nothing either needs
//! lives only in the other's memory. Runs on SQLite and, where configured (CI), on
//! PostgreSQL.

use crate::common::*;
use kaohe_storage::testing;

#[tokio::test]
async fn a_login_failed_logins_and_evidence_cross_between_two_servers() {
    for db in testing::all().await {
        let label = db.label;
        kaohe_web::setup::seed_demo_if_empty(&db.store)
            .await
            .unwrap();
        let one = app_on(db.store.clone());
        let two = app_on(db.open_again().await.unwrap());

        // A session made on one server works on the other: same cookies, other app.
        let mut on_one = Client::new(one.clone());
        let r = on_one.login("xinqi", PW).await;
        assert_eq!(r.status, 303, "{label}");
        let mut on_two = on_one.clone();
        on_two.switch_app(two.clone());
        let home = on_two.get("/").await;
        assert_eq!(
            home.status, 200,
            "{label}: the session is known to the second server"
        );
        assert!(home.body.contains("新碶街道填报员"), "{label}");

        // Evidence uploaded through one downloads through the other.
        let report = format!("/c/{}", between(&home.body, "href=\"/c/", "\"").unwrap());
        let item = format!("{report}/i/basic.1");
        let page = on_one.get(&item).await;
        let pdf = b"%PDF-1.4 two servers".to_vec();
        let r = on_one
            .post_multipart(
                &format!("{item}/evidence"),
                &[("csrf", &page.csrf())],
                ("file", "会议纪要.pdf", &pdf),
            )
            .await;
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        let page = on_two.get(&item).await;
        let href = between(&page.body, "href=\"", "\">会议纪要.pdf").unwrap();
        let href = href.rsplit("href=\"").next().unwrap().to_string();
        let got = on_two.get(&href).await;
        assert_eq!(got.body.as_bytes(), &pdf[..], "{label}");

        // Failed logins on one count on the other: five wrong passwords split across the
        // two servers lock the account on both.
        for i in 0..5 {
            let app = if i % 2 == 0 { one.clone() } else { two.clone() };
            let mut c = Client::new(app);
            let r = c.login("xiaogang", "wrong-password-1").await;
            assert_eq!(r.status, 200, "{label}");
        }
        for app in [one.clone(), two.clone()] {
            let mut c = Client::new(app);
            let r = c.login("xiaogang", PW).await;
            assert_eq!(
                r.status, 200,
                "{label}: locked, even with the right password"
            );
            assert!(r.body.contains("暂时锁定"), "{label}: {}", r.body);
        }
        db.finish().await;
    }
}
