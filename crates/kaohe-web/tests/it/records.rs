//! Records kept during the year (台账): a unit declares one with its file, the item's
//! department confirms or rejects it, the district enters its own; both score columns
//! follow. A record declared twice is flagged and counted once until a person decides;
//! a record edited after confirmation waits again; the year's rules hold: a draft
//! campaign's records are open to its units, a submitted report's unit cannot declare,
//! a locked period changes no more; each person sees only their own.

use crate::common::*;
use kaohe_storage::{RecordState, testing};

const UNIT: &str = "新碶街道";

/// On each backend (SQLite, and PostgreSQL where one is configured).
#[tokio::test]
async fn records_feed_both_columns_through_declaration_confirmation_and_rejection() {
    for db in testing::all().await {
        records_feed_both_columns(db).await;
    }
}

/// The counts of one fact on the unit's records page: (self-check, assessed).
fn counts(page: &str, label: &str) -> (usize, usize) {
    let row = between(page, &format!("<td>{label}</td>"), "</tr>")
        .unwrap_or_else(|| panic!("no row for {label}: {page}"));
    let nums: Vec<usize> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().trim().parse().unwrap())
        .collect();
    (nums[0], nums[1])
}

/// The unit's score of an item as its self-check item page shows it.
async fn item_score(c: &mut Client, cid: i64, uid: i64, item: &str) -> String {
    let page = c.get(&format!("/c/{cid}/u/{uid}/i/{item}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    between(&page.body, "本项得分 <strong>", "<").unwrap_or_else(|| panic!("{}", page.body))
}

async fn records_feed_both_columns(db: testing::TestDb) {
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let uid = units.iter().find(|u| u.name == UNIT).unwrap().id;
    let mut unit = Client::new(app.clone());
    unit.login("xinqi", PW).await;
    let mut office = Client::new(app.clone());
    office.login("kaoheban", PW).await;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;

    // The unit sees what it may declare: articles, media, instructions; not the
    // district's misses.
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("申报一篇信息录用"), "{}", page.body);
    assert!(!page.body.contains("申报一次未落实记录"), "{}", page.body);
    // The demo kept its articles during the year: two still wait for the office.
    let (s0, a0) = counts(&page.body, "录用信息");
    assert_eq!(s0, a0 + 2, "declared ones count in the self-check only");
    let mine = |db: &testing::TestDb| {
        let store = db.store.clone();
        async move {
            store
                .records_between(org.id, "2026-01-01", "2026-12-31")
                .await
                .unwrap()
                .into_iter()
                .filter(|r| {
                    r.unit_id == uid
                        && r.fields
                            .get("title")
                            .is_some_and(|t| t.contains("推行积分制管理"))
                })
                .collect::<Vec<_>>()
        }
    };

    // A day outside the campaign's period is refused with what to do; nothing is kept.
    let declare = |title: &'static str, day: &'static str| {
        vec![
            ("kind", "info"),
            ("day", day),
            ("f:title", title),
            ("f:outlet", "北仑区流动人口工作简报"),
            ("f:typical", "否"),
        ]
    };
    let post = format!("/c/{cid}/u/{uid}/records");
    let mut fields = declare("新碶街道推行积分制管理", "2025-12-31");
    let csrf = page.csrf();
    fields.push(("csrf", &csrf));
    let r = unit
        .post_multipart(
            &post,
            &fields,
            ("file", "录用通知.pdf", b"%PDF-1.4 adopted"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("不在本次考核的记录期间"), "{}", r.body);
    assert!(
        r.body.contains("新碶街道推行积分制管理"),
        "what was typed stays: {}",
        r.body
    );
    assert!(mine(&db).await.is_empty());

    // Declared with its file: the self-check counts it, the assessed column does not yet.
    let mut fields = declare("新碶街道推行积分制管理", "2026-03-01");
    fields.push(("csrf", &csrf));
    let r = unit
        .post_multipart(
            &post,
            &fields,
            ("file", "录用通知.pdf", b"%PDF-1.4 adopted"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(counts(&page.body, "录用信息"), (s0 + 1, a0));
    let first = mine(&db).await[0].clone();
    assert_eq!(db.store.record_evidence(first.id).await.unwrap().len(), 1);

    // The same article declared again (《》 and spaces aside): flagged, counted once.
    let mut fields = declare("《新碶街道 推行积分制管理》", "2026-03-01");
    fields.push(("csrf", &csrf));
    let r = unit.post_files(&post, &fields, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(
        counts(&page.body, "录用信息"),
        (s0 + 1, a0),
        "a flagged record waits"
    );
    assert!(page.body.contains("疑似重复申报"), "{}", page.body);
    let second = mine(&db).await[1].clone();
    assert_eq!(second.like_of, Some(first.id));

    // The office's assessor (basic.3 is the office's item) confirms the first from the
    // list and decides the second is the same article: both columns count one.
    let home = office.get("/").await;
    assert!(home.body.contains("台账记录待确认 3 条"), "{}", home.body);
    let list = office.get(&format!("/c/{cid}/records?unit={uid}")).await;
    assert!(list.body.contains("待您确认"), "{}", list.body);
    let r = office
        .post(
            &format!("/c/{cid}/records/{}/answer", first.id),
            &[
                ("csrf", &list.csrf()),
                ("action", "confirm"),
                ("back", "list"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = office
        .post(
            &format!("/c/{cid}/records/{}/like", second.id),
            &[("csrf", &list.csrf()), ("decision", "same")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(counts(&page.body, "录用信息"), (s0 + 1, a0 + 1));

    // The two articles the demo left waiting are confirmed at once, with their own audit
    // rows; one that changed meanwhile would be left and said.
    let list = office
        .get(&format!("/c/{cid}/records?unit={uid}&state=declared"))
        .await;
    assert!(list.body.contains("确认所选记录"), "{}", list.body);
    let waiting: Vec<String> = db
        .store
        .records_between(org.id, "2026-01-01", "2026-12-31")
        .await
        .unwrap()
        .iter()
        .filter(|r| r.unit_id == uid && r.state == RecordState::Declared && r.like_of.is_none())
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    let mut fields = vec![("csrf", list.csrf())];
    fields.extend(waiting.iter().map(|id| ("id", id.clone())));
    fields.push(("id", first.id.to_string()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = office
        .post(&format!("/c/{cid}/records/confirm"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = office.get(r.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("已确认 2 条；1 条刚刚已有变化"),
        "the first one was confirmed already: {}",
        page.body
    );
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(counts(&page.body, "录用信息"), (s0 + 1, a0 + 3));
    let a0 = a0 + 2;

    // Another department's assessor neither sees the record nor answers it.
    let mut police = Client::new(app.clone());
    police.login("gongan", PW).await;
    let r = police.get(&format!("/c/{cid}/records/{}", first.id)).await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = police
        .post(
            &format!("/c/{cid}/records/{}/answer", first.id),
            &[
                ("csrf", &list.csrf()),
                ("action", "reject"),
                ("reason", "x"),
            ],
        )
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.body);
    // Nor does another unit.
    let mut other = Client::new(app.clone());
    other.login("chunxiao", PW).await;
    assert_eq!(
        other
            .get(&format!("/c/{cid}/records/{}", first.id))
            .await
            .status,
        404
    );

    // Edited after confirmation, the record waits again: assessed back to 0.
    let rec = unit.get(&format!("/c/{cid}/records/{}", first.id)).await;
    assert_eq!(rec.status, 200, "{}", rec.body);
    let version = between(&rec.body, "name=\"version\" value=\"", "\"").unwrap();
    let r = unit
        .post_files(
            &format!("/c/{cid}/u/{uid}/records/{}", first.id),
            &[
                ("csrf", &rec.csrf()),
                ("version", &version),
                ("action", "save"),
                ("day", "2026-03-02"),
                ("f:title", "新碶街道推行积分制管理见成效"),
                ("f:outlet", "北仑区流动人口工作简报"),
                ("f:typical", "否"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let now = db.store.record(org.id, first.id).await.unwrap();
    assert_eq!(now.state, RecordState::Declared);
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(counts(&page.body, "录用信息"), (s0 + 1, a0));

    // Rejected: a reason is required, then neither column counts it.
    let r = office
        .post(
            &format!("/c/{cid}/records/{}/answer", first.id),
            &[
                ("csrf", &list.csrf()),
                ("action", "reject"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("请写明不予确认的理由"), "{}", r.body);
    let r = office
        .post(
            &format!("/c/{cid}/records/{}/answer", first.id),
            &[
                ("csrf", &list.csrf()),
                ("action", "reject"),
                ("reason", "简报未见此文"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(counts(&page.body, "录用信息"), (s0, a0));
    assert!(page.body.contains("未予确认"), "{}", page.body);

    // The district enters a miss found at an inspection: it costs a point in both
    // columns at once; a unit cannot declare one.
    let b1 = item_score(&mut unit, cid, uid, "basic.1").await;
    let page = admin.get(&format!("/c/{cid}/records")).await;
    assert!(page.body.contains("录入一次未落实记录"), "{}", page.body);
    let uid_text = uid.to_string();
    let r = admin
        .post_files(
            &format!("/admin/c/{cid}/records"),
            &[
                ("csrf", &page.csrf()),
                ("kind", "miss"),
                ("unit", &uid_text),
                ("day", "2026-04-10"),
                ("f:what", "第一季度工作总结未按时报送"),
                ("f:found_by", "区考核办季度检查"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = item_score(&mut unit, cid, uid, "basic.1").await;
    assert_ne!(after, b1, "a miss costs a point");
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(counts(&page.body, "未落实次数"), (1, 1));
    let r = unit
        .post_files(
            &post,
            &[
                ("csrf", &csrf),
                ("kind", "miss"),
                ("day", "2026-04-10"),
                ("f:what", "x"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);

    // A unit that has submitted cannot declare: its self-check would change.
    let mut submitted = Client::new(app.clone());
    submitted.login("xiaogang", PW).await;
    let xiaogang = units.iter().find(|u| u.name == "小港街道").unwrap().id;
    let page = submitted.get(&format!("/c/{cid}/records")).await;
    assert!(page.body.contains("自查报告已提交"), "{}", page.body);
    let r = submitted
        .post_files(
            &format!("/c/{cid}/u/{xiaogang}/records"),
            &[
                ("csrf", &page.csrf()),
                ("kind", "info"),
                ("day", "2026-05-01"),
                ("f:title", "t"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("自查报告已提交"), "{}", r.body);

    // The audit log has every step, in words.
    let log = admin.get("/audit?q=").await;
    for words in [
        "申报了台账记录",
        "确认了台账记录",
        "对台账记录不予确认",
        "判定了疑似重复的台账记录",
        "录入了台账记录",
    ] {
        assert!(log.body.contains(words), "{words}: {}", log.body);
    }

    // Computing results keeps, for each fact that counts records, the records counted.
    let page = admin.get(&format!("/c/{cid}/results")).await;
    let r = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let run = db.store.latest_result(cid).await.unwrap().unwrap();
    let text = run.data.to_string();
    assert!(text.contains("\"kind\":\"records\""), "{text}");
    // The unit's result names the records each count used, each reachable.
    let table = admin.get(&format!("/c/{cid}/results/u/{uid}")).await;
    assert_eq!(table.status, 200, "{}", table.body);
    assert!(table.body.contains("计入的台账记录"), "{}", table.body);
    assert!(
        table.body.contains(&format!("/c/{cid}/records/")),
        "{}",
        table.body
    );
    assert!(
        table.body.contains("第一季度工作总结未按时报送"),
        "the district's miss: {}",
        table.body
    );
    // And so does the summary workbook's sheet of reasons.
    let summary = admin.get(&format!("/c/{cid}/results/summary.xlsx")).await;
    assert_eq!(summary.status, 200);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(summary.bytes.clone())).unwrap();
    let reasons = book.worksheet_range("理由").unwrap();
    let strings: String = reasons.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(strings.contains("计入的台账记录："), "{strings}");
    assert!(strings.contains("第一季度工作总结未按时报送"), "{strings}");

    // Locked: nothing dated in its period changes, for anyone.
    kaohe_storage::change!(db.store, set_locked(cid, true, Some("定稿"), None)).unwrap();
    let page = admin.get(&format!("/c/{cid}/records")).await;
    let r = admin
        .post_files(
            &format!("/admin/c/{cid}/records"),
            &[
                ("csrf", &page.csrf()),
                ("kind", "miss"),
                ("unit", &uid_text),
                ("day", "2026-04-11"),
                ("f:what", "第二季度例会未参加"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("定稿"), "{}", r.body);
    db.finish().await;
}

/// A draft campaign's records are open to its units and departments (records are kept
/// before the campaign is issued), while the rest of the draft is not.
#[tokio::test]
async fn a_draft_campaigns_records_are_kept_before_it_is_issued() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let current = db.store.campaigns(org.id).await.unwrap()[0].clone();
    let units = db.store.units(org.id).await.unwrap();
    let uid = units.iter().find(|u| u.name == UNIT).unwrap().id;
    let draft = kaohe_storage::change!(
        db.store,
        create_campaign(
            org.id,
            2027,
            "2027年度考核",
            current.rubric_id,
            "2027-12-31",
            false
        )
    )
    .unwrap();
    kaohe_storage::change!(
        db.store,
        set_campaign_unit(&kaohe_storage::CampaignUnit {
            campaign_id: draft.id,
            unit_id: uid,
            unit_facts: Default::default(),
            deadline: None,
        })
    )
    .unwrap();
    let mut unit = Client::new(app.clone());
    unit.login("xinqi", PW).await;
    let home = unit.get("/").await;
    assert!(
        home.body.contains(&format!("/c/{}/records", draft.id)),
        "{}",
        home.body
    );
    assert_eq!(
        unit.get(&format!("/c/{}/records", draft.id)).await.status,
        200
    );
    assert_eq!(
        unit.get(&format!("/c/{}/u/{uid}", draft.id)).await.status,
        404
    );
    db.finish().await;
}

/// The admin sets the period whose records a campaign counts: records outside it count
/// no more; a period that ends before it starts is refused with what to do.
#[tokio::test]
async fn a_campaigns_period_selects_the_records_it_counts() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let campaign = db.store.campaigns(org.id).await.unwrap()[0].clone();
    let cid = campaign.id;
    let mut unit = Client::new(app.clone());
    unit.login("xiaogang", PW).await;
    let page = unit.get(&format!("/c/{cid}/records")).await;
    let (whole_year, _) = counts(&page.body, "录用信息");
    assert!(whole_year > 2, "{whole_year}");

    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let settings = admin.get(&format!("/admin/c/{cid}")).await;
    assert!(settings.body.contains("台账记录期间"), "{}", settings.body);
    let post = |start: &'static str, end: &'static str| {
        let csrf = settings.csrf();
        let title = campaign.title.clone();
        let deadline = campaign.deadline.clone();
        let mut admin = admin.clone();
        async move {
            admin
                .post(
                    &format!("/admin/c/{cid}/settings"),
                    &[
                        ("csrf", &csrf),
                        ("title", &title),
                        ("deadline", &deadline),
                        ("overall_weight", ""),
                        ("period_start", start),
                        ("period_end", end),
                    ],
                )
                .await
        }
    };
    let r = post("2026-06-30", "2026-01-01").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("结束日期不能早于开始日期"), "{}", r.body);
    let r = post("2026-01-01", "2026-03-31").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = unit.get(&format!("/c/{cid}/records")).await;
    let (first_quarter, _) = counts(&page.body, "录用信息");
    assert!(first_quarter < whole_year, "{first_quarter} < {whole_year}");
    assert!(
        page.body.contains("记录期间 2026-01-01 至 2026-03-31"),
        "{}",
        page.body
    );
    // Back to the whole year.
    let r = post("", "").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = unit.get(&format!("/c/{cid}/records")).await;
    assert_eq!(counts(&page.body, "录用信息").0, whole_year);
    db.finish().await;
}

/// A file attached to a record that is not what a record may carry (a program named
/// `.pdf`, a web page) is refused by its content, with what may be uploaded; nothing is
/// kept and what was typed stays on the page.
#[tokio::test]
async fn a_bad_file_attached_to_a_record_is_refused_and_nothing_is_kept() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let uid = units.iter().find(|u| u.name == UNIT).unwrap().id;
    let mut unit = Client::new(app);
    unit.login("xinqi", PW).await;
    let page = unit.get(&format!("/c/{cid}/records")).await;
    let csrf = page.csrf();
    let before = db
        .store
        .records_between(org.id, "2026-01-01", "2026-12-31")
        .await
        .unwrap()
        .len();
    let head = db.store.audit_head().await.unwrap();
    let post = format!("/c/{cid}/u/{uid}/records");
    for (name, bytes) in [
        (
            "录用通知.pdf",
            &b"MZ\x90\x00\x03\x00\x00\x00 this program"[..],
        ),
        (
            "录用通知.html",
            &b"<html><script>alert(1)</script></html>"[..],
        ),
    ] {
        let r = unit
            .post_multipart(
                &post,
                &[
                    ("csrf", &csrf),
                    ("kind", "info"),
                    ("day", "2026-03-02"),
                    ("f:title", "新碶街道网格化服务经验"),
                    ("f:outlet", "北仑区流动人口工作简报"),
                    ("f:typical", "否"),
                ],
                ("file", name, bytes),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert!(r.body.contains("的类型不支持"), "{name}: {}", r.body);
        assert!(r.body.contains("本次什么都没有保存"), "{name}: {}", r.body);
        assert!(
            r.body.contains("新碶街道网格化服务经验"),
            "what was typed stays: {}",
            r.body
        );
    }
    let after = db
        .store
        .records_between(org.id, "2026-01-01", "2026-12-31")
        .await
        .unwrap()
        .len();
    assert_eq!(after, before);
    assert_eq!(db.store.audit_head().await.unwrap(), head);
    db.finish().await;
}
