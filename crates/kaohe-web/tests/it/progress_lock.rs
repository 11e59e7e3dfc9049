//! The admin's end of a campaign, through HTTP: progress (who has submitted, who is
//! overdue), publication (公示) once results exist, lock (定稿) and an audited unlock
//! with the audit chain's head kept as an anchor, and the audit log page with its
//! filters, CSV export and chain check — each organiser seeing only its own rows.

use crate::common::*;
use kaohe_storage::testing::{self, TestDb};
use kaohe_storage::{
    AuditFilter, Campaign, CampaignState, CampaignUnit, Id, Organiser, Overrides, ReviewState, Role,
};

async fn beilun(db: &TestDb) -> Organiser {
    db.store.organisers().await.unwrap()[0].clone()
}

async fn campaign(db: &TestDb) -> Campaign {
    let org = beilun(db).await;
    db.store.campaigns(org.id).await.unwrap()[0].clone()
}

async fn unit_id(db: &TestDb, name: &str) -> Id {
    let org = beilun(db).await;
    db.store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == name)
        .unwrap_or_else(|| panic!("a unit named {name}"))
        .id
}

async fn login(app: &axum::Router, name: &str) -> Client {
    let mut c = Client::new(app.clone());
    let r = c.login(name, PW).await;
    assert_eq!(r.status, 303, "{name} logs in: {}", r.body);
    c
}

/// A China date `offset` days from today.
fn day(offset: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(kaohe_storage::now_ms() / 1000 + offset * 86_400)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

/// Computes results through the results route, unconfirmed items and all.
async fn compute(admin: &mut Client, cid: Id) {
    let csrf = admin.token().await;
    let r = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &csrf), ("force", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// The organiser's audit rows with this action, newest first.
async fn rows_of(db: &TestDb, action: &str) -> Vec<kaohe_storage::AuditRow> {
    let org = beilun(db).await;
    let f = AuditFilter {
        action: Some(action.into()),
        ..AuditFilter::default()
    };
    db.store
        .audit_search(org.id, &f, 100, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.row)
        .collect()
}

#[tokio::test]
async fn the_progress_page_shows_who_submitted_and_who_is_overdue_with_the_way_to_extend() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let c = campaign(&db).await;
    let cid = c.id;
    let mut admin = login(&app, "admin").await;

    let page = admin.get(&format!("/admin/c/{cid}/progress")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // The demo: five units submitted, five filling in, one not started, none late.
    for count in [
        "共 11 个单位",
        "已提交 <strong>5</strong>",
        "填报中 <strong>5</strong>",
        "未开始 <strong>1</strong>",
        "逾期未交 <strong>0</strong>",
    ] {
        assert!(page.body.contains(count), "{count}: {}", page.body);
    }
    // Per department: nothing reviewed yet, the three departments as columns.
    assert!(page.body.contains("区公安分局") && page.body.contains("区人社局"));
    assert!(page.body.contains("0 / "), "{}", page.body);
    // Reached from the campaign page and the overview.
    let link = format!("/admin/c/{cid}/progress");
    assert!(
        admin
            .get(&format!("/admin/c/{cid}"))
            .await
            .body
            .contains(&link)
    );
    assert!(admin.get("/admin").await.body.contains(&link));

    // An assessor confirms one item of 小港街道: it counts as reviewed.
    let xiaogang = unit_id(&db, "小港街道").await;
    let kaoheban = db
        .store
        .user_by_username("kaoheban")
        .await
        .unwrap()
        .unwrap();
    kaohe_storage::change!(
        db.store,
        save_review(
            cid,
            xiaogang,
            "basic.1",
            &Overrides::new(),
            None,
            ReviewState::Confirmed,
            None,
            kaoheban.id,
            0,
        )
    )
    .unwrap();
    let page = admin.get(&format!("/admin/c/{cid}/progress")).await;
    let row = between(&page.body, &format!("id=\"p{xiaogang}\""), "</tr>").unwrap();
    assert!(row.contains("1 / "), "{row}");

    // The deadline passes (yesterday, China time): the six that have not submitted are
    // overdue, highlighted, with the way to give them more time.
    kaohe_storage::change!(
        db.store,
        update_campaign(c.organiser_id, cid, &c.title, &day(-1), CampaignState::Open)
    )
    .unwrap();
    let page = admin.get(&format!("/admin/c/{cid}/progress")).await;
    assert!(
        page.body
            .contains("逾期未交 <strong class=\"error-text\">6</strong>")
    );
    let chunxiao = unit_id(&db, "春晓街道").await;
    let row = between(&page.body, &format!("id=\"p{chunxiao}\""), "</tr>").unwrap();
    assert!(row.contains("逾期未交") && row.contains(&format!("/admin/c/{cid}#u{chunxiao}")));
    assert!(page.body.contains("class=\"overdue\" id=\"p"));
    // The deadline day itself is not overdue: it includes its whole day.
    kaohe_storage::change!(
        db.store,
        update_campaign(c.organiser_id, cid, &c.title, &day(0), CampaignState::Open)
    )
    .unwrap();
    let page = admin.get(&format!("/admin/c/{cid}/progress")).await;
    assert!(page.body.contains("逾期未交 <strong>0</strong>"));
    kaohe_storage::change!(
        db.store,
        update_campaign(c.organiser_id, cid, &c.title, &day(-1), CampaignState::Open)
    )
    .unwrap();

    // The late unit's reporter is reminded on their home page.
    let mut reporter = login(&app, "chunxiao").await;
    let home = reporter.get("/").await;
    assert!(
        home.body.contains("已过，本单位的自查尚未提交"),
        "{}",
        home.body
    );
    // A unit that has submitted is not.
    let mut done = login(&app, "xiaogang").await;
    assert!(!done.get("/").await.body.contains("尚未提交"));

    // One unit is given more time: five are overdue, and that one shows its extension.
    let cu = db
        .store
        .campaign_units(cid)
        .await
        .unwrap()
        .into_iter()
        .find(|cu| cu.unit_id == chunxiao)
        .unwrap();
    kaohe_storage::change!(
        db.store,
        set_campaign_unit(&CampaignUnit {
            deadline: Some(day(3)),
            ..cu
        })
    )
    .unwrap();
    let page = admin.get(&format!("/admin/c/{cid}/progress")).await;
    assert!(
        page.body
            .contains("逾期未交 <strong class=\"error-text\">5</strong>")
    );
    let row = between(&page.body, &format!("id=\"p{chunxiao}\""), "</tr>").unwrap();
    assert!(row.contains("已延期") && row.contains("填报中"), "{row}");
    assert!(!reporter.get("/").await.body.contains("尚未提交"));
    db.finish().await;
}

#[tokio::test]
async fn publication_is_refused_without_results_and_accepted_with_them() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let cid = campaign(&db).await.id;
    let mut admin = login(&app, "admin").await;
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    assert!(page.body.contains("结果尚未计算，不能公示"));
    assert!(!page.body.contains(&format!("/admin/c/{cid}/publish")));
    let csrf = page.csrf();
    // Same session, another handle.
    let publisher = admin.clone();
    let publish = |start: String, end: String, details: &'static str| {
        let csrf = csrf.clone();
        let mut admin = publisher.clone();
        async move {
            admin
                .post(
                    &format!("/admin/c/{cid}/publish"),
                    &[
                        ("csrf", &csrf),
                        ("start", &start),
                        ("end", &end),
                        ("show_details", details),
                    ],
                )
                .await
        }
    };

    let r = publish(day(0), day(6), "").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("未公示：结果尚未计算"), "{}", r.body);
    assert!(campaign(&db).await.published_at.is_none());
    // A form missing its fields is a page, not a bare error.
    let r = admin
        .post(&format!("/admin/c/{cid}/publish"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    compute(&mut admin, cid).await;
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    assert!(page.body.contains(&format!("/admin/c/{cid}/publish")));
    assert!(
        page.body.contains(&format!("value=\"{}\"", day(0))),
        "today"
    );
    assert!(
        page.body.contains(&format!("value=\"{}\"", day(6))),
        "and a week"
    );
    // The window cannot end before it starts.
    let r = publish(day(6), day(0), "").await;
    assert!(
        r.body.contains("公示结束日期不能早于开始日期"),
        "{}",
        r.body
    );
    let r = publish(day(0), "下周".into(), "").await;
    assert!(r.body.contains("请填写日期"));
    assert!(campaign(&db).await.published_at.is_none());

    let r = publish(day(0), day(6), "yes").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let c = campaign(&db).await;
    assert!(c.published_at.is_some());
    assert_eq!(c.window_start, Some(day(0)));
    assert_eq!(c.window_end, Some(day(6)));
    assert!(c.show_details);
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    assert!(
        page.body
            .contains(&format!("公示中：{} 至 {}", day(0), day(6)))
    );
    let rows = rows_of(&db, "campaign.publish").await;
    assert_eq!(rows.len(), 1);
    let changes = rows[0].changes_text();
    assert!(
        changes.contains("window_end") && changes.contains(&day(6)),
        "{changes}"
    );

    // Changing the window is one more row with old → new; the same again is kaohe_storage::change!(none, publish(day(0), day(9), "yes"));
    publish(day(0), day(9), "yes").await;
    let rows = rows_of(&db, "campaign.publish").await;
    assert_eq!(rows.len(), 2);
    assert!(rows[0].changes_text().contains(&day(6)) && rows[0].changes_text().contains(&day(9)));

    // The units now see the ranking.
    let mut unit = login(&app, "xiaogang").await;
    assert_eq!(unit.get(&format!("/c/{cid}/results")).await.status, 200);
    db.finish().await;
}

trait ChangesText {
    fn changes_text(&self) -> String;
}

impl ChangesText for kaohe_storage::AuditRow {
    fn changes_text(&self) -> String {
        self.entry.changes.to_string()
    }
}

#[tokio::test]
async fn a_locked_campaign_refuses_every_admin_change_until_an_unlock_with_a_reason() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let c = campaign(&db).await;
    let cid = c.id;
    let xinqi = unit_id(&db, "新碶街道").await;
    let mut admin = login(&app, "admin").await;
    compute(&mut admin, cid).await;
    kaohe_storage::change!(db.store, publish(cid, &day(0), &day(6), false)).unwrap();
    let csrf = admin.token().await;

    // Inside the window a lock needs a reason.
    let r = admin
        .post(&format!("/admin/c/{cid}/lock"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("提前定稿须写明理由"), "{}", r.body);
    assert!(!campaign(&db).await.locked);

    let head = db.store.audit_head().await.unwrap();
    let r = admin
        .post(
            &format!("/admin/c/{cid}/lock"),
            &[("csrf", &csrf), ("reason", "区领导要求提前定稿")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(campaign(&db).await.locked);
    // The lock kept the chain's head of that moment as its anchor, and the audit row
    // says so: what `kaohe audit verify --expect SEQ:HASH` checks.
    let events = db.store.lock_events(cid).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].audit_seq, events[0].audit_hash.clone()),
        (head.seq, head.hash.clone())
    );
    let anchor = format!("{}:{}", head.seq, head.hash);
    assert_eq!(
        db.store.audit_verify_at(head.seq).await.unwrap(),
        Some(head.hash.clone())
    );
    let locks = rows_of(&db, "campaign.lock").await;
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].entry.reason.as_deref(), Some("区领导要求提前定稿"));
    assert!(locks[0].changes_text().contains(&anchor));
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    assert!(page.body.contains("已定稿"));
    assert!(page.body.contains(&anchor), "the page shows the anchor");

    // Every admin change to the campaign is refused, and nothing is written.
    let rows_before = db.store.audit_head().await.unwrap().seq;
    let attempts: Vec<(String, Vec<(&str, String)>)> = vec![
        (
            format!("/admin/c/{cid}/settings"),
            vec![("title", "新名称".into()), ("deadline", day(20))],
        ),
        (
            format!("/admin/c/{cid}/u/{xinqi}"),
            vec![
                ("f.floating_population", "1000".into()),
                ("deadline", day(40)),
            ],
        ),
        (
            format!("/admin/c/{cid}/departments"),
            vec![("d.basic.1", "区民政局".into())],
        ),
        (
            format!("/admin/c/{cid}/publish"),
            vec![("start", day(0)), ("end", day(30))],
        ),
        (
            format!("/admin/c/{cid}/results"),
            vec![("force", "yes".into())],
        ),
        (
            format!("/admin/c/{cid}/lock"),
            vec![("reason", "再锁一次".into())],
        ),
    ];
    for (url, fields) in &attempts {
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let r = admin.post(url, &form).await;
        assert_ne!(r.status, 303, "{url} was accepted");
        assert!(r.body.contains("已定稿"), "{url}: {}", r.body);
    }
    assert_eq!(
        db.store.audit_head().await.unwrap().seq,
        rows_before,
        "no change was recorded"
    );
    let after = campaign(&db).await;
    assert_eq!(
        (after.title, after.window_end),
        (c.title.clone(), Some(day(6)))
    );

    // An unlock needs a reason.
    let r = admin
        .post(
            &format!("/admin/c/{cid}/unlock"),
            &[("csrf", &csrf), ("reason", "  ")],
        )
        .await;
    assert!(r.body.contains("请写明解除定稿的理由"), "{}", r.body);
    assert!(campaign(&db).await.locked);
    let head = db.store.audit_head().await.unwrap();
    let r = admin
        .post(
            &format!("/admin/c/{cid}/unlock"),
            &[("csrf", &csrf), ("reason", "申诉复核发现计分错误")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!campaign(&db).await.locked);
    let events = db.store.lock_events(cid).await.unwrap();
    assert_eq!(events.len(), 2);
    assert!(!events[1].lock);
    assert_eq!(events[1].reason.as_deref(), Some("申诉复核发现计分错误"));
    assert_eq!(events[1].audit_seq, head.seq);
    let unlocks = rows_of(&db, "campaign.unlock").await;
    assert_eq!(unlocks.len(), 1);
    assert_eq!(
        unlocks[0].entry.reason.as_deref(),
        Some("申诉复核发现计分错误")
    );
    assert!(
        unlocks[0]
            .changes_text()
            .contains(&format!("{}:{}", head.seq, head.hash))
    );
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    assert!(page.body.contains("解除定稿") && page.body.contains("申诉复核发现计分错误"));

    // Changes are accepted again.
    let r = admin
        .post(
            &format!("/admin/c/{cid}/settings"),
            &[
                ("csrf", &csrf),
                ("title", "新名称"),
                ("deadline", &c.deadline),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // After the window a lock needs no reason.
    kaohe_storage::change!(db.store, publish(cid, &day(-10), &day(-1), false)).unwrap();
    let r = admin
        .post(&format!("/admin/c/{cid}/lock"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(campaign(&db).await.locked);
    assert_eq!(
        rows_of(&db, "campaign.lock").await[0]
            .entry
            .reason
            .as_deref(),
        Some("公示期已结束，定稿")
    );
    let check = db.store.audit_verify().await.unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    db.finish().await;
}

#[tokio::test]
async fn the_audit_page_filters_by_action_and_exports_the_filtered_rows_as_csv_with_a_bom() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let cid = campaign(&db).await.id;
    let mut admin = login(&app, "admin").await;
    compute(&mut admin, cid).await;
    let csrf = admin.token().await;
    for end in [day(6), day(7)] {
        let r = admin
            .post(
                &format!("/admin/c/{cid}/publish"),
                &[("csrf", &csrf), ("start", &day(0)), ("end", &end)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }

    let mut auditor = login(&app, "shenji").await;
    let all = auditor.get("/audit").await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert!(all.body.contains("campaign.publish") && all.body.contains("results.compute"));
    assert!(all.body.contains("审计链完整"), "{}", all.body);
    // Each change old → new.
    assert!(
        all.body
            .contains(&format!("window_end：{} → {}", day(6), day(7))),
        "{}",
        all.body
    );

    let page = auditor.get("/audit?action=campaign.publish").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("符合条件的记录 <strong>2</strong> 条"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<td>results.compute</td>"));
    assert!(!page.body.contains("<td>login</td>"));
    // A group of actions, a user, a date range in China time.
    let page = auditor.get("/audit?action=campaign&user=admin").await;
    assert!(page.body.contains("符合条件的记录 <strong>2</strong> 条"));
    let page = auditor
        .get(&format!(
            "/audit?action=campaign.publish&from={}&to={}",
            day(0),
            day(0)
        ))
        .await;
    assert!(
        page.body.contains("符合条件的记录 <strong>2</strong> 条"),
        "the whole of today"
    );
    let page = auditor
        .get(&format!("/audit?action=campaign.publish&to={}", day(-1)))
        .await;
    assert!(page.body.contains("符合条件的记录 <strong>0</strong> 条"));
    let page = auditor
        .get(&format!("/audit?from={}&to={}", day(0), day(-1)))
        .await;
    assert!(page.body.contains("结束日期早于起始日期"));

    // The export holds the same filtered rows, with a BOM for Excel.
    let csv = auditor
        .get("/audit/export.csv?action=campaign.publish")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'), "a BOM");
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "a header and two rows: {}", csv.body);
    assert!(lines[0].contains("时间（北京时间）"));
    assert!(lines[1..].iter().all(|l| l.contains("campaign.publish")));
    // The newest first.
    assert!(lines[1].contains(&day(7)));
    // The export itself is recorded.
    assert_eq!(rows_of(&db, "audit.export").await.len(), 1);

    // Paging: a hundred rows a page.
    let org = beilun(&db).await;
    for i in 0..120 {
        db.store
            .audit(&kaohe_storage::AuditEntry {
                organiser_id: Some(org.id),
                user_id: None,
                username: Some("tester".into()),
                action: "test.row".into(),
                target: format!("thing:{i}"),
                reason: None,
                changes: serde_json::json!([]),
            })
            .await
            .unwrap();
    }
    let page = auditor.get("/audit?action=test.row").await;
    assert!(page.body.contains("第 1 / 2 页"));
    assert!(page.body.contains("thing:119") && !page.body.contains("thing:19<"));
    // The link to the next page keeps the filter (`&` escaped in the HTML).
    let html = page.body.replace("&#38;", "&").replace("&amp;", "&");
    assert!(
        html.contains("href=\"/audit?action=test.row&page=2\""),
        "{html}"
    );
    let page = auditor.get("/audit?action=test.row&page=2").await;
    assert!(page.body.contains("thing:19<") && !page.body.contains("thing:20<"));

    // A row altered behind the application's back: the page rereads only the rows
    // added since its last whole verification, so an old row's change shows once the
    // whole chain is recomputed (the button; or a day on) — and from then on, on every
    // load. A row added since is reread on every load.
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&db.url)
        .await
        .unwrap();
    let last: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE audit_log SET target = 'campaign:998' WHERE seq = {last}"
    )))
    .execute(&pool)
    .await
    .unwrap();
    let page = auditor.get("/audit").await;
    assert!(
        page.body.contains(&format!("第 {last} 条")) && page.body.contains("审计日志被改动过"),
        "the newest row, checked since the last whole verification: {}",
        page.body
    );
    sqlx::query("UPDATE audit_log SET target = 'campaign:999' WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let page = auditor.get("/audit").await;
    let r = auditor
        .post("/audit/verify", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for _ in 0..2 {
        let page = auditor.get("/audit").await;
        assert!(page.body.contains("审计日志被改动过"));
        assert!(
            page.body.contains("第 2 条记录的内容被改动过"),
            "{}",
            page.body
        );
    }
    db.finish().await;
}

#[tokio::test]
async fn an_auditor_of_another_organiser_sees_none_of_these_rows() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let cid = campaign(&db).await.id;
    let mut admin = login(&app, "admin").await;
    compute(&mut admin, cid).await;
    let csrf = admin.token().await;
    admin
        .post(
            &format!("/admin/c/{cid}/lock"),
            &[("csrf", &csrf), ("reason", "测试")],
        )
        .await;
    assert!(campaign(&db).await.locked);

    kaohe_web::setup::add_organiser(&db.store, "海曙区", "haishu-admin", "Yinzhou#Reg2026")
        .await
        .unwrap();
    let haishu = db
        .store
        .organisers()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "海曙区")
        .unwrap();
    kaohe_storage::change!(
        db.store,
        create_user(&kaohe_storage::NewUser {
            organiser_id: haishu.id,
            username: "haishu-shenji".into(),
            display_name: "海曙审计员".into(),
            role: Role::Auditor,
            department_id: None,
            unit_id: None,
            password_hash: kaohe_web::hash_password(PW).unwrap(),
            must_change_password: false,
            is_demo: false,
        })
    )
    .unwrap();
    let mut other = login(&app, "haishu-shenji").await;
    let page = other.get("/audit").await;
    assert_eq!(page.status, 200);
    // The log reads as sentences; the codes are only the filter's values.
    for (theirs, words) in [
        ("campaign.lock", "定稿了考核任务"),
        ("results.compute", "计算了考核结果"),
        ("demo.seed", "创建了演示数据"),
    ] {
        assert!(!page.body.contains(words), "{theirs} is not theirs");
        assert!(
            !page.body.contains(&format!("<option value=\"{theirs}\"")),
            "nor a filter of theirs"
        );
    }
    assert!(!page.body.contains("测试"));
    assert!(
        page.body.contains(" 创建了组织单位和管理员"),
        "their own rows"
    );
    assert!(
        !page.body.contains("<td>organiser.create</td>"),
        "no code in front of people"
    );
    let page = other.get("/audit?action=campaign.lock").await;
    assert!(page.body.contains("符合条件的记录 <strong>0</strong> 条"));
    let csv = other.get("/audit/export.csv").await;
    assert!(!csv.body.contains("campaign.lock") && !csv.body.contains("北仑"));
    // Nor can they choose the other organiser's units.
    let xinqi = unit_id(&db, "新碶街道").await;
    let page = other.get(&format!("/audit?unit={xinqi}")).await;
    assert!(page.body.contains("所选单位不存在"));
    db.finish().await;
}
