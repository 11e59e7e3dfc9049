//! Appeals: inside the publication window a unit appeals an item once, with a reason
//! and evidence; the assessor corrects the verified facts and accepts; the results are
//! recomputed and say that they changed and why; the unit sees the answer.

use crate::common::*;
use kaohe_storage::testing;

#[tokio::test]
async fn a_unit_appeals_an_item_and_an_accepted_appeal_changes_the_published_result() {
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

    // Two articles the unit declared were not confirmed by the office.
    let reporter = db
        .store
        .user_by_username("xiaogang")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut rejected = Vec::new();
    for (day, title) in [
        ("2026-06-03", "小港街道新居民夜校开班"),
        ("2026-07-15", "小港街道出租房屋旅馆式管理试点"),
    ] {
        let r = kaohe_storage::change!(
            db.store,
            add_record(
                org.id,
                &kaohe_storage::NewRecord {
                    unit_id: uid,
                    kind: "info".into(),
                    day: day.into(),
                    fields: [
                        ("title".to_string(), title.to_string()),
                        ("outlet".to_string(), "宁波日报".to_string()),
                        ("typical".to_string(), "否".to_string()),
                    ]
                    .into_iter()
                    .collect(),
                    by_district: false,
                },
                None,
                reporter
            )
        )
        .unwrap();
        kaohe_storage::change!(
            db.store,
            answer_record(
                r.id,
                kaohe_storage::RecordState::Rejected,
                Some("未见录用通知"),
                reporter
            )
        )
        .unwrap();
        rejected.push(r.id);
    }

    // The admin computes and publishes (window: today for a week).
    compute_and_publish(&app, &db, cid).await;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;

    // The unit sees its table and appeals basic.3.
    let mut unit = Client::new(app.clone());
    unit.login("xiaogang", PW).await;
    let table = unit.get(&format!("/c/{cid}/results/u/{uid}")).await;
    assert_eq!(table.status, 200, "{}", table.body);
    assert!(table.body.contains("对此项申诉"));
    let other = db
        .store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "大碶街道")
        .unwrap()
        .id;
    assert_eq!(
        unit.get(&format!("/c/{cid}/results/u/{other}"))
            .await
            .status,
        403,
        "others' details stay hidden"
    );
    let form_url = format!("/c/{cid}/u/{uid}/appeal/basic.3");
    let form = unit.get(&form_url).await;
    assert!(form.body.contains("提交申诉"), "{}", form.body);
    let r = unit
        .post_multipart(
            &form_url,
            &[("csrf", &form.csrf()), ("reason", "")],
            ("file", "", b""),
        )
        .await;
    assert!(r.body.contains("请写明申诉理由"));
    // A file that is not what it may be (a program named as a PDF) files nothing, and
    // the reason typed is kept in the form to send again with another file.
    let r = unit
        .post_multipart(
            &form_url,
            &[("csrf", &form.csrf()), ("reason", "见附件的录用通知")],
            ("file", "录用通知.pdf", b"MZ\x90\x00\x03 not a pdf"),
        )
        .await;
    assert!(
        r.body
            .contains("的类型不支持（按文件内容判断，而不是文件名）"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("见附件的录用通知"),
        "the reason is kept: {}",
        r.body
    );
    assert!(
        db.store.appeals(cid).await.unwrap().is_empty(),
        "nothing filed"
    );
    let r = unit
        .post_multipart(
            &form_url,
            &[
                ("csrf", &form.csrf()),
                ("reason", "另有 2 篇信息被市里录用，见附件"),
            ],
            ("file", "录用通知.pdf", b"%PDF-1.4 notice"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let again = unit
        .post_multipart(
            &form_url,
            &[("csrf", &form.csrf()), ("reason", "再申诉一次")],
            ("file", "", b""),
        )
        .await;
    assert!(
        again.body.contains("已申诉"),
        "one appeal per item: {}",
        again.body
    );

    // The assessor corrects the verified facts, then accepts.
    let mut a = Client::new(app.clone());
    a.login("kaoheban", PW).await;
    let list = a.get(&format!("/c/{cid}/appeals")).await;
    assert!(
        list.body.contains("另有 2 篇信息") && list.body.contains("录用通知.pdf"),
        "{}",
        list.body
    );
    // basic.3 counts records: the office confirms the two on appeal (its answer changes,
    // with the reason), not by overriding the count.
    let review_url = format!("/c/{cid}/u/{uid}/r/basic.3");
    let page = a.get(&review_url).await;
    assert!(
        !page.body.contains("name=\"v:basic.3.articles\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("台账记录"), "{}", page.body);
    for id in &rejected {
        let rec = a.get(&format!("/c/{cid}/records/{id}")).await;
        assert!(rec.body.contains("改为确认"), "{}", rec.body);
        let r = a
            .post(
                &format!("/c/{cid}/records/{id}/answer"),
                &[
                    ("csrf", &rec.csrf()),
                    ("action", "confirm"),
                    ("reason", "申诉核实：市级录用通知属实"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = a
        .post(
            &review_url,
            &[
                ("csrf", &page.csrf()),
                ("version", "0"),
                ("action", "confirm"),
                ("score_reason", "申诉核实后加 1 分"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let aid = db.store.appeals(cid).await.unwrap()[0].id;
    let r = a
        .post(
            &format!("/c/{cid}/appeals/{aid}"),
            &[
                ("csrf", &page.csrf()),
                ("decision", "accept"),
                ("answer", "经核实采纳，加 1 分"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The published results show that they changed and why; the unit sees the answer.
    let results = unit.get(&format!("/c/{cid}/results")).await;
    assert!(
        results.body.contains("结果有更新")
            && results.body.contains("申诉采纳：小港街道 基础工作第3项"),
        "{}",
        results.body
    );
    let table = unit.get(&format!("/c/{cid}/results/u/{uid}")).await;
    assert!(table.body.contains("经核实采纳，加 1 分"), "{}", table.body);
    db.finish().await;
}

/// An appeal's file over the server's bound is refused with its size and the bound;
/// nothing is filed and the reason typed stays.
#[tokio::test]
async fn an_appeal_file_over_the_bound_files_nothing() {
    let db = testing::sqlite().await;
    kaohe_web::setup::seed_demo_if_empty(&db.store)
        .await
        .unwrap();
    let app = kaohe_web::app(kaohe_web::AppState::new(
        db.store.clone(),
        kaohe_web::Config {
            max_upload: 10_000,
            ..Default::default()
        },
    ));
    let (_, cid, uid) = demo_unit(&db, "小港街道").await;
    compute_and_publish(&app, &db, cid).await;
    let mut unit = Client::new(app);
    unit.login("xiaogang", PW).await;
    let form_url = format!("/c/{cid}/u/{uid}/appeal/basic.3");
    let form = unit.get(&form_url).await;
    let mut big = b"%PDF-1.4 ".to_vec();
    big.resize(20_000, b'x');
    let r = unit
        .post_multipart(
            &form_url,
            &[("csrf", &form.csrf()), ("reason", "另有录用通知，见附件")],
            ("file", "录用通知.pdf", &big),
        )
        .await;
    assert!(r.body.contains("录用通知.pdf"), "{}", r.body);
    assert!(r.body.contains("太大"), "{}", r.body);
    assert!(
        r.body.contains("另有录用通知，见附件"),
        "the reason is kept: {}",
        r.body
    );
    assert!(
        db.store.appeals(cid).await.unwrap().is_empty(),
        "nothing filed"
    );
    db.finish().await;
}
