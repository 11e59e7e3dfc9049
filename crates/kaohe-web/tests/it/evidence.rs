//! Evidence files: the type is judged from the content, size is limited on the server,
//! only those allowed can download, and every download is in the audit log.

use crate::common::*;
use kaohe_storage::testing;
use kaohe_web::{AppState, Config, app};

async fn report_url(c: &mut Client) -> String {
    let home = c.get("/").await;
    format!("/c/{}", between(&home.body, "href=\"/c/", "\"").unwrap())
}

#[tokio::test]
async fn a_reporter_uploads_a_pdf_and_the_admin_downloads_it_with_an_audit_row() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut reporter = Client::new(app.clone());
    reporter.login("xinqi", PW).await;
    let report = report_url(&mut reporter).await;
    let item = format!("{report}/i/basic.1");
    let page = reporter.get(&item).await;
    let pdf = b"%PDF-1.4\n% 2026 quarterly summary\n".to_vec();
    let r = reporter
        .post_multipart(
            &format!("{item}/evidence"),
            &[("csrf", &page.csrf())],
            ("file", "第三季度总结.pdf", &pdf),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = reporter.get(&item).await;
    assert!(page.body.contains("第三季度总结.pdf"), "{}", page.body);
    // The report's overview counts each item's evidence.
    let overview = reporter.get(&report).await;
    assert!(overview.body.contains("附件 1"), "{}", overview.body);
    let href = between(&page.body, "href=\"", "\">第三季度总结.pdf").unwrap();
    let href = href.rsplit("href=\"").next().unwrap().to_string();

    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let got = admin.get(&href).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body.as_bytes(), &pdf[..]);
    let log = admin.get("/audit").await;
    assert!(log.body.contains("evidence.download"), "{}", log.body);
    assert!(log.body.contains("evidence.upload"));

    // A reporter of another unit, and an assessor of another department, may not.
    let mut other = Client::new(app.clone());
    other.login("xiaogang", PW).await;
    assert_eq!(other.get(&href).await.status, 403);
    let mut gongan = Client::new(app);
    gongan.login("gongan", PW).await;
    assert_eq!(
        gongan.get(&href).await.status,
        403,
        "basic.1 is not the police department's item"
    );
    db.finish().await;
}

#[tokio::test]
async fn a_file_of_another_type_is_refused_whatever_its_name() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    c.login("xinqi", PW).await;
    let report = report_url(&mut c).await;
    let item = format!("{report}/i/basic.1");
    for (name, data) in [
        ("总结.pdf", b"MZ\x90\x00 this is a program".to_vec()),
        ("notes.txt", b"plain text".to_vec()),
    ] {
        let page = c.get(&item).await;
        let r = c
            .post_multipart(
                &format!("{item}/evidence"),
                &[("csrf", &page.csrf())],
                ("file", name, &data),
            )
            .await;
        assert_eq!(r.status, 400, "{name}");
        assert!(r.body.contains("类型不支持"), "{}", r.body);
    }
    // Office, WPS, OFD and images are accepted by their content.
    for (name, data) in [
        (
            "旧表.xls",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
        ),
        ("电子公文.ofd", b"PK\x03\x04....OFD.xml....".to_vec()),
        ("照片.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
    ] {
        let page = c.get(&item).await;
        let r = c
            .post_multipart(
                &format!("{item}/evidence"),
                &[("csrf", &page.csrf())],
                ("file", name, &data),
            )
            .await;
        assert_eq!(r.status, 303, "{name}: {}", r.body);
    }
    db.finish().await;
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_refused_on_the_server() {
    let db = testing::sqlite().await;
    kaohe_web::setup::seed_demo_if_empty(&db.store)
        .await
        .unwrap();
    let config = Config {
        max_upload: 1000,
        ..Default::default()
    };
    let mut c = Client::new(app(AppState::new(db.store.clone(), config)));
    c.login("xinqi", PW).await;
    let report = report_url(&mut c).await;
    let item = format!("{report}/i/basic.1");
    let page = c.get(&item).await;
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(5000, b'x');
    let r = c
        .post_multipart(
            &format!("{item}/evidence"),
            &[("csrf", &page.csrf())],
            ("file", "big.pdf", &big),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("文件太大"), "{}", r.body);
    db.finish().await;
}

#[tokio::test]
async fn a_file_is_stored_and_served_under_the_extension_of_what_it_is() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut reporter = Client::new(app);
    reporter.login("xinqi", PW).await;
    let report = report_url(&mut reporter).await;
    let item = format!("{report}/i/basic.1");
    let pdf = b"%PDF-1.4\n% a real pdf\n".to_vec();
    for (sent, stored) in [
        ("评分材料.pdf.bat", "评分材料.pdf"),
        ("report.hta", "report.pdf"),
        ("索引.html", "索引.pdf"),
        // A right-to-left override would show `\u{202E}fdp.exe` as `exe.pdf`.
        ("总结\u{202E}fdp.exe", "总结fdp.pdf"),
        ("2026.第三季度", "2026.第三季度.pdf"),
        ("签到表.PDF", "签到表.PDF"),
    ] {
        let page = reporter.get(&item).await;
        let r = reporter
            .post_multipart(
                &format!("{item}/evidence"),
                &[("csrf", &page.csrf())],
                ("file", sent, &pdf),
            )
            .await;
        assert_eq!(r.status, 303, "{sent}: {}", r.body);
        let org = db.store.organisers().await.unwrap()[0].id;
        let cid = db.store.campaigns(org).await.unwrap()[0].id;
        let uid = reporter_unit(&db).await;
        let list = db.store.evidence_list(cid, uid).await.unwrap();
        let newest = list.iter().max_by_key(|e| e.id).unwrap();
        assert_eq!(newest.filename, stored, "sent as {sent:?}");
        // Served as an attachment the browser must not second-guess.
        let got = reporter
            .get(&format!("{report}/evidence/{}", newest.id))
            .await;
        let header = |n: &str| got.headers.get(n).unwrap().to_str().unwrap().to_string();
        assert!(header("content-disposition").starts_with("attachment;"));
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("content-type"), "application/pdf");
    }
    db.finish().await;
}

async fn reporter_unit(db: &testing::TestDb) -> i64 {
    let org = db.store.organisers().await.unwrap()[0].id;
    db.store
        .units(org)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "新碶街道")
        .unwrap()
        .id
}

/// Values typed on an item's form and files chosen on it are saved by one press, in one
/// unit of work with one audit row; a refused file keeps what was typed and saves nothing.
#[tokio::test]
async fn files_chosen_on_the_items_form_are_saved_with_what_was_typed() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut reporter = Client::new(app);
    reporter.login("xinqi", PW).await;
    let report = report_url(&mut reporter).await;
    let item = format!("{report}/i/basic.4");
    let page = reporter.get(&item).await;
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csrf = page.csrf();
    let version = between(&page.body, "name=\"version\" value=\"", "\"").unwrap();
    let pdf = b"%PDF-1.4\n% plan\n".to_vec();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0".to_vec();
    let bat = b"@echo off\r\n".to_vec();

    // A file of a type not accepted: nothing saved, the typed value is still on the page.
    let refused = reporter
        .post_files(
            &item,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "done"),
                ("basic.4.sessions", "3"),
            ],
            &[("file", "计划.pdf", &pdf), ("file", "run.bat", &bat)],
        )
        .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert!(refused.body.contains("run.bat"), "{}", refused.body);
    assert!(
        refused.body.contains("本次什么都没有保存"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"3\""),
        "the typed value is kept: {}",
        refused.body
    );
    let org = db.store.organisers().await.unwrap()[0].id;
    let ids: Vec<i64> = report.split('/').filter_map(|p| p.parse().ok()).collect();
    let (cid, uid) = (ids[0], ids[1]);
    assert!(db.store.evidence_list(cid, uid).await.unwrap().is_empty());
    assert!(
        db.store
            .report_items(cid, uid)
            .await
            .unwrap()
            .iter()
            .all(|r| r.item_id != "basic.4")
    );

    // Two good files with the value: saved together.
    let saved = reporter
        .post_files(
            &item,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "done"),
                ("basic.4.sessions", "3"),
            ],
            &[("file", "计划.pdf", &pdf), ("file", "照片.png", &png)],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("{item}?saved=done&files=2").as_str())
    );
    let page = reporter.get(saved.location.as_deref().unwrap()).await;
    assert!(
        page.body
            .contains("已保存，此项标记为已完成；2 个佐证材料已上传"),
        "{}",
        page.body
    );
    assert_eq!(db.store.evidence_list(cid, uid).await.unwrap().len(), 2);
    let rows = db.store.audit_rows(org, 50).await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.entry.action == "report.item.done")
        .expect("audited");
    let text = row.entry.changes.to_string();
    assert!(
        text.contains("basic.4.sessions") && text.contains("计划.pdf") && text.contains("照片.png"),
        "{text}"
    );
    assert!(
        rows.iter().all(|r| r.entry.action != "evidence.upload"),
        "one row for the one press"
    );

    // Uploading alone keeps the item as it is (done), unless its values were changed.
    let page = reporter.get(&item).await;
    let version = between(&page.body, "name=\"version\" value=\"", "\"").unwrap();
    let only = reporter
        .post_files(
            &item,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "upload"),
                ("basic.4.sessions", "3"),
            ],
            &[("file", "补充.pdf", &pdf)],
        )
        .await;
    assert_eq!(
        only.location.as_deref(),
        Some(format!("{item}?saved=evidence&files=1").as_str())
    );
    let items = db.store.report_items(cid, uid).await.unwrap();
    let b1 = items.iter().find(|r| r.item_id == "basic.4").unwrap();
    assert_eq!(b1.state, kaohe_storage::ItemState::Done);
    assert_eq!(
        b1.version.to_string(),
        version,
        "the item was not saved again"
    );
    db.finish().await;
}

/// A file marked as holding personal data (a list of pregnant women, of the mentally
/// ill) opens only for the unit and the item's assessors, each opening logged and the
/// download named with who took it and when; not for the office's admin or a leader.
/// Once the campaign is locked and its retention has run, its bytes are deleted, its
/// row kept, and it opens for no one.
#[tokio::test]
async fn a_file_with_personal_data_opens_only_for_those_entitled_and_is_deleted_after_the_lock() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut reporter = Client::new(app.clone());
    reporter.login("xinqi", PW).await;
    let report = report_url(&mut reporter).await;
    let item = format!("{report}/i/basic.1");
    let page = reporter.get(&item).await;
    assert!(page.body.contains("所选文件含个人信息"), "{}", page.body);
    let xlsx_like = "%PDF-1.4\n% 孕产妇名单\n".as_bytes().to_vec();
    let r = reporter
        .post_multipart(
            &format!("{item}/evidence"),
            &[("csrf", &page.csrf()), ("personal", "1")],
            ("file", "孕产妇名单.pdf", &xlsx_like),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = reporter.get(&item).await;
    assert!(page.body.contains("含个人信息</span>"), "{}", page.body);
    let href = between(&page.body, "href=\"", "\">孕产妇名单.pdf").unwrap();
    let href = href.rsplit("href=\"").next().unwrap().to_string();

    // The unit itself, and the assessor of the item's department: marked downloads.
    for user in ["xinqi", "kaoheban"] {
        let mut c = Client::new(app.clone());
        c.login(user, PW).await;
        let got = c.get(&href).await;
        assert_eq!(got.status, 200, "{user}: {}", got.body);
        assert_eq!(got.bytes, xlsx_like);
        let disposition = got
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap();
        let name = percent_decode(disposition.rsplit("''").next().unwrap());
        assert!(
            name.starts_with(&format!("孕产妇名单（个人信息·{user}·2"))
                && name.ends_with("下载）.pdf"),
            "{user}: {name} ({disposition})"
        );
    }
    // The admin and a leader read results, not lists of people.
    for user in ["admin", "lingdao"] {
        let mut c = Client::new(app.clone());
        c.login(user, PW).await;
        let got = c.get(&href).await;
        assert_ne!(got.status, 200, "{user}");
        assert!(
            got.body.contains("只有本单位和负责本项目的考核人员能打开") || got.status == 403,
            "{user}: {}",
            got.body
        );
    }
    // Each opening is an audit row saying it held personal data.
    let org = db.store.organisers().await.unwrap()[0].clone();
    let opened = db
        .store
        .audit_rows(org.id, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.entry.action == "evidence.download"
                && r.entry.changes.to_string().contains("\"personal\"")
        })
        .count();
    assert_eq!(opened, 2, "xinqi's and kaoheban's openings");

    // After the lock, its retention run: the bytes go, the row stays, no one opens it.
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let mut w = db.store.begin().await.unwrap();
    assert!(matches!(
        w.purge_personal_evidence(cid).await,
        Err(kaohe_storage::StorageError::Conflict)
    ));
    drop(w);
    let mut w = db.store.begin().await.unwrap();
    w.set_locked(cid, true, Some("定稿"), None).await.unwrap();
    w.commit(&kaohe_storage::AuditEntry {
        organiser_id: Some(org.id),
        user_id: None,
        username: Some("test".into()),
        action: "campaign.lock".into(),
        target: format!("campaign:{cid}"),
        reason: None,
        changes: serde_json::json!([]),
    })
    .await
    .unwrap();
    let mut w = db.store.begin().await.unwrap();
    let gone = w.purge_personal_evidence(cid).await.unwrap();
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].filename, "孕产妇名单.pdf");
    w.commit(&kaohe_storage::AuditEntry {
        organiser_id: Some(org.id),
        user_id: None,
        username: Some("test".into()),
        action: "evidence.purge_personal".into(),
        target: format!("campaign:{cid}"),
        reason: None,
        changes: serde_json::json!([]),
    })
    .await
    .unwrap();
    let e = db.store.evidence(gone[0].id).await.unwrap();
    assert!(e.purged_at.is_some());
    assert_eq!(e.sha256, gone[0].sha256, "its SHA-256 stays");
    assert!(db.store.evidence_data(e.id).await.unwrap().is_empty());
    let mut c = Client::new(app.clone());
    c.login("xinqi", PW).await;
    let got = c.get(&href).await;
    assert_ne!(got.status, 200);
    assert!(got.body.contains("按保存期限删除"), "{}", got.body);
    let page = c.get(&item).await;
    assert!(
        page.body.contains("含个人信息，已按保存期限删除"),
        "{}",
        page.body
    );
    db.finish().await;
}

/// `%E5%AD%95…` as the text it encodes.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
