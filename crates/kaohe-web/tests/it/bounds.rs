//! Every upload path is bounded in size, with a message that names what was too big,
//! its size and the bound; nothing is saved, and a refused table is not echoed back.

use crate::common::*;
use kaohe_storage::testing;

/// A rubric, a table of units and a table of past results, each over its bound.
#[tokio::test]
async fn a_rubric_or_a_table_over_its_bound_is_refused_by_name_and_size() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let rubrics = db.store.rubrics(org.id).await.unwrap().len();
    let units = db.store.units(org.id).await.unwrap().len();

    let csrf = admin.get("/admin/rubrics").await.csrf();
    let big = format!("title = \"{}\"\n", "细".repeat(400_000));
    let r = admin
        .post_multipart(
            "/admin/rubrics",
            &[("csrf", &csrf)],
            ("file", "大.toml", big.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("评分细则太大（1.1 MB），最多 1.0 MB"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("细细细细细细"),
        "the text is not echoed back"
    );
    assert_eq!(db.store.rubrics(org.id).await.unwrap().len(), rubrics);

    // The tables' bound is 5 MB, pasted or sent as a file.
    let table = format!("名称\n{}", "某某社区\n".repeat(500_000));
    let r = admin
        .post("/admin/units/import", &[("csrf", &csrf), ("text", &table)])
        .await;
    assert!(
        r.body.contains("单位表格太大"),
        "{}",
        &r.body[..2000.min(r.body.len())]
    );
    assert_eq!(db.store.units(org.id).await.unwrap().len(), units);
    let r = admin
        .post_multipart(
            "/admin/history",
            &[("csrf", &csrf), ("year", "2024"), ("title", "2024年度")],
            ("file", "往年.csv", table.as_bytes()),
        )
        .await;
    assert!(
        r.body.contains("往年结果表格太大"),
        "{}",
        &r.body[..2000.min(r.body.len())]
    );
    db.finish().await;
}

/// A request body over the server's bound (the largest file plus room for the form) is
/// refused before it is read whole, with a message, not a bare 413.
#[tokio::test]
async fn a_body_over_the_servers_bound_is_refused_with_a_message() {
    let db = testing::sqlite().await;
    kaohe_web::setup::seed_demo_if_empty(&db.store)
        .await
        .unwrap();
    let config = kaohe_web::Config {
        max_upload: 100_000,
        ..Default::default()
    };
    let mut admin = Client::new(kaohe_web::app(kaohe_web::AppState::new(
        db.store.clone(),
        config,
    )));
    admin.login("admin", PW).await;
    let csrf = admin.get("/admin/rubrics").await.csrf();
    let big = vec![b'x'; 300_000];
    for url in [
        "/admin/rubrics/import",
        "/admin/units/import",
        "/admin/history",
    ] {
        let r = admin
            .post_multipart(url, &[("csrf", &csrf)], ("file", "x.docx", &big))
            .await;
        assert!(
            r.status == 400 || r.status == 200,
            "{url}: {} {}",
            r.status,
            r.body
        );
        assert!(
            r.body.contains("太大") || r.body.contains("超过导入上限"),
            "{url}: {}",
            r.body
        );
    }
    db.finish().await;
}

/// No form field is longer than the bound; a rubric's texts are held to theirs.
#[tokio::test]
async fn an_overlong_field_or_rubric_text_is_refused_and_nothing_changes() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let campaign = db.store.campaigns(org.id).await.unwrap()[0].clone();
    let chunxiao = db
        .store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "春晓街道")
        .unwrap();
    let mut reporter = Client::new(app.clone());
    reporter.login("chunxiao", PW).await;
    let report = format!("/c/{}/u/{}", campaign.id, chunxiao.id);
    let csrf = reporter.get(&report).await.csrf();
    let long = "长".repeat(10_001);
    let r = reporter
        .post(
            &format!("{report}/submit"),
            &[
                ("csrf", &csrf),
                ("filler_name", &long),
                ("filler_phone", "0574-86780000"),
                ("approver", "李四"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", &r.body[..r.body.len().min(3000)]);
    assert!(
        r.body.contains("太长（10001 个字，最多 10000 个字）"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains(&long[..300]),
        "the text is not echoed back"
    );
    let after = db.store.report(campaign.id, chunxiao.id).await.unwrap();
    assert_eq!(after.state, kaohe_storage::ReportState::Draft);

    // A rubric whose title is over 200 characters is refused by the loader's bound.
    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    let csrf = admin.get("/admin/rubrics").await.csrf();
    let rubric = kaohe_web::setup::BEILUN_RUBRIC.replacen(
        "title = \"",
        &format!("title = \"{}", "题".repeat(200)),
        1,
    );
    let before = db.store.rubrics(org.id).await.unwrap().len();
    let r = admin
        .post("/admin/rubrics", &[("csrf", &csrf), ("text", &rubric)])
        .await;
    assert!(r.body.contains("rubric.title太长"), "{}", r.body);
    assert_eq!(db.store.rubrics(org.id).await.unwrap().len(), before);
    db.finish().await;
}

/// A campaign's three spreadsheet imports (a department's verified facts, a unit's
/// fill-in workbook, the district's list of records) refuse a table over the tables'
/// bound by name and size, before reading it: no preview, nothing staged or changed.
#[tokio::test]
async fn the_campaigns_imports_refuse_a_table_over_its_bound() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let (_, cid, xinqi) = demo_unit(&db, "新碶街道").await;
    let table = format!(
        "单位,日期,信息标题\n{}",
        "新碶街道,2026-03-01,某某\n".repeat(200_000)
    );
    assert!(table.len() > 5 * 1024 * 1024);
    for (user, url, fields) in [
        (
            "gongan",
            format!("/c/{cid}/review/import"),
            vec![("reason", "以公安系统数据为准")],
        ),
        ("xinqi", format!("/c/{cid}/u/{xinqi}/fill"), vec![]),
        (
            "admin",
            format!("/admin/c/{cid}/records/import"),
            vec![("kind", "info")],
        ),
    ] {
        let mut client = Client::new(app.clone());
        client.login(user, PW).await;
        let token = client.token().await;
        let mut form = vec![("csrf", token.as_str())];
        form.extend(fields);
        let r = client
            .post_multipart(&url, &form, ("file", "大表.csv", table.as_bytes()))
            .await;
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        assert!(r.body.contains("导入的表格太大"), "{url}: {}", r.body);
        assert!(r.body.contains("最多 5.0 MB"), "{url}: {}", r.body);
        assert!(!r.body.contains("导入预览"), "{url}: no preview");
    }
    assert!(
        db.store
            .imported_facts(cid, xinqi)
            .await
            .unwrap()
            .is_empty()
    );
    for what in [
        kaohe_storage::ImportKind::Verified,
        kaohe_storage::ImportKind::SelfCheck,
        kaohe_storage::ImportKind::Records,
    ] {
        assert!(db.store.imports(cid, what).await.unwrap().is_empty());
    }
    db.finish().await;
}

/// The campaign's base data (区域流动人口数 and the like, per unit), pasted or sent as a
/// file, is held to the tables' bound: refused by name and size before it is read, not
/// shown back, nothing changed.
#[tokio::test]
async fn the_base_data_table_over_its_bound_is_refused_before_it_is_read() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let (_, cid, _) = demo_unit(&db, "新碶街道").await;
    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    let before = db.store.campaign_units(cid).await.unwrap();
    let token = admin.token().await;
    let table = format!(
        "单位,floating_population\n{}",
        "某某社区,12345\n".repeat(400_000)
    );
    assert!(table.len() > 5 * 1024 * 1024);
    let url = format!("/admin/c/{cid}/facts");
    for r in [
        admin
            .post(&url, &[("csrf", &token), ("text", &table)])
            .await,
        admin
            .post_multipart(
                &url,
                &[("csrf", &token)],
                ("file", "基础数据.csv", table.as_bytes()),
            )
            .await,
    ] {
        assert!(
            r.body.contains("基础数据表格太大"),
            "{}",
            &r.body[..2000.min(r.body.len())]
        );
        assert!(
            r.body.contains("最多 5.0 MB"),
            "{}",
            &r.body[..2000.min(r.body.len())]
        );
        assert!(
            !r.body.contains("某某社区,12345\n某某社区"),
            "not shown back"
        );
        assert!(
            r.body.len() < 1024 * 1024,
            "the page stays small: {}",
            r.body.len()
        );
    }
    assert_eq!(db.store.campaign_units(cid).await.unwrap(), before);
    db.finish().await;
}

/// A body that does not parse — a multipart form cut off or with no parts, a form sent
/// as some other type — gets a page that says nothing was saved (400), never a fault, and
/// changes nothing.
#[tokio::test]
async fn a_form_body_that_does_not_parse_gets_a_message_and_changes_nothing() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let (_, cid, uid) = demo_unit(&db, "新碶街道").await;
    let mut unit = Client::new(app);
    unit.login("xinqi", PW).await;
    let head = db.store.audit_head().await.unwrap();
    let url = format!("/c/{cid}/u/{uid}/records");
    let boundary = "multipart/form-data; boundary=----x";
    for (kind, body, said) in [
        (
            boundary,
            b"------x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc".to_vec(),
            "上传的内容不完整",
        ),
        (
            boundary,
            b"not a multipart body at all".to_vec(),
            "上传的内容不完整",
        ),
        (
            "multipart/form-data",
            b"------x--".to_vec(),
            "上传的内容不完整",
        ),
        (
            "text/plain",
            b"csrf=abc&title=x".to_vec(),
            "提交的表单内容不完整或格式不对",
        ),
        (
            "application/json",
            b"{\"csrf\": 1}".to_vec(),
            "提交的表单内容不完整或格式不对",
        ),
    ] {
        let r = unit.post_raw(&url, kind, &body).await;
        assert_eq!(r.status, 400, "{kind}: {}", r.body);
        assert!(r.body.contains(said), "{kind}: {}", r.body);
        assert!(r.body.contains("未保存"), "{kind}: {}", r.body);
    }
    assert_eq!(
        db.store.audit_head().await.unwrap(),
        head,
        "nothing written"
    );
    db.finish().await;
}
