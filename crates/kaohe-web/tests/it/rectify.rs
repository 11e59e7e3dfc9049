//! Rectification (整改): publishing turns every lost point into a problem; a unit plans
//! and reports, the item's department returns and then signs off; an overdue problem
//! shows in red; the district adds, drops and merges until the lock, and the loop goes
//! on after it; each role sees what it should; every step is in the audit log.

use crate::common::*;
use kaohe_storage::{ProblemState, testing};

const UNIT: &str = "春晓街道";

/// On each backend (SQLite, and PostgreSQL where one is configured).
#[tokio::test]
async fn a_lost_point_is_followed_from_publication_to_its_sign_off() {
    for db in testing::all().await {
        follow_a_lost_point(db).await;
    }
}

async fn follow_a_lost_point(db: testing::TestDb) {
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let uid = units.iter().find(|u| u.name == UNIT).unwrap().id;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;

    // Before publication there is nothing to rectify.
    let page = admin.get(&format!("/c/{cid}/rectify")).await;
    assert!(page.body.contains("结果公示后才有整改"), "{}", page.body);

    // The admin computes and publishes through the pages: the problems appear, one per
    // rule that took points, with the points and what would put it right.
    let page = admin.get(&format!("/c/{cid}/results")).await;
    let r = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin
        .post(
            &format!("/admin/c/{cid}/publish"),
            &[
                ("csrf", &page.csrf()),
                ("start", &china_day(0)),
                ("end", &china_day(6)),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let all = db.store.problems(cid).await.unwrap();
    let mine: Vec<_> = all.iter().filter(|p| p.unit_id == uid).collect();
    assert!(
        mine.len() >= 3,
        "{UNIT} lost points on several rules: {mine:?}"
    );
    for p in &all {
        assert_eq!(p.state, ProblemState::Open);
        assert!(p.points.as_deref().is_some_and(|x| x != "0") || p.remedy.is_some());
        assert!(!p.found.is_empty());
    }
    let audit = db.store.audit_rows(org.id, 1000).await.unwrap();
    assert!(
        audit.iter().any(|r| r.entry.action == "campaign.publish"
            && r.entry.changes.to_string().contains("新增")),
        "the publication's audit row says the problems were made"
    );

    // The admin sets the deadline (a month from now).
    let list = admin.get(&format!("/c/{cid}/rectify")).await;
    assert!(list.body.contains("尚未设定"), "{}", list.body);
    let deadline = china_day(30);
    let r = admin
        .post(
            &format!("/admin/c/{cid}/rectify/deadline"),
            &[("csrf", &list.csrf()), ("deadline", &deadline)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The unit sees its own problems only, with the notice to download.
    let mut unit = Client::new(app.clone());
    unit.login("chunxiao", PW).await;
    let list = unit.get(&format!("/c/{cid}/rectify")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&deadline), "{}", list.body);
    assert!(
        list.body
            .contains(&format!("/c/{cid}/u/{uid}/rectify.docx"))
    );
    assert!(!list.body.contains("新碶街道") && !list.body.contains("小港街道"));
    assert!(
        !list.body.contains("rectify.xlsx"),
        "the ledger is the district's"
    );
    let other = all.iter().find(|p| p.unit_id != uid).unwrap();
    assert_eq!(
        unit.get(&format!("/c/{cid}/rectify/{}", other.id))
            .await
            .status,
        403,
        "another unit's problem stays hidden"
    );

    // The problem the office's assessor answers for.
    let assignment = db.store.assignment(org.id, cid).await.unwrap();
    let office = assignment.office().id;
    let p = mine
        .iter()
        .find(|p| assignment.of(&p.item_id).id == office)
        .expect("a problem of an office item");
    let url = format!("/c/{cid}/rectify/{}", p.id);
    let page = unit.get(&url).await;
    assert!(page.body.contains("填写整改计划"), "{}", page.body);

    // A plan dated after the deadline is refused and keeps what was typed.
    let r = unit
        .post(
            &format!("{url}/plan"),
            &[
                ("csrf", &page.csrf()),
                ("measures", "补齐台账，每月核查"),
                ("responsible", "王五"),
                ("planned_date", &china_day(40)),
            ],
        )
        .await;
    assert!(r.body.contains("晚于整改期限"), "{}", r.body);
    assert!(r.body.contains("补齐台账，每月核查"));
    // Reporting before a plan is refused.
    let r = unit
        .post_multipart(
            &format!("{url}/report"),
            &[("csrf", &page.csrf()), ("report", "已完成")],
            ("file", "", b""),
        )
        .await;
    assert!(r.body.contains("请先填写整改计划"), "{}", r.body);
    let r = unit
        .post(
            &format!("{url}/plan"),
            &[
                ("csrf", &page.csrf()),
                ("measures", "补齐台账，每月核查"),
                ("responsible", "王五"),
                ("planned_date", &china_day(20)),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        db.store.problem(p.id).await.unwrap().state,
        ProblemState::Planned
    );

    // It reports with a file; a file that is not what it says saves nothing.
    let r = unit
        .post_multipart(
            &format!("{url}/report"),
            &[("csrf", &page.csrf()), ("report", "台账已补齐")],
            ("file", "台账.pdf", b"MZ not a pdf"),
        )
        .await;
    assert!(r.body.contains("本次什么都没有保存"), "{}", r.body);
    assert_eq!(
        db.store.problem(p.id).await.unwrap().state,
        ProblemState::Planned
    );
    let r = unit
        .post_multipart(
            &format!("{url}/report"),
            &[("csrf", &page.csrf()), ("report", "台账已补齐")],
            ("file", "台账.pdf", b"%PDF-1.4 ledger"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let reported = db.store.problem(p.id).await.unwrap();
    assert_eq!(reported.state, ProblemState::Reported);
    assert!(reported.reported_at.is_some());

    // Another department's assessor may not answer it; the office's returns it, which
    // needs a reason.
    let mut police = Client::new(app.clone());
    police.login("gongan", PW).await;
    let t = police.token().await;
    let r = police
        .post(
            &format!("{url}/answer"),
            &[("csrf", &t), ("decision", "signoff")],
        )
        .await;
    assert_eq!(r.status, 403);
    let mut office_assessor = Client::new(app.clone());
    office_assessor.login("kaoheban", PW).await;
    let home = office_assessor.get("/").await;
    assert!(home.body.contains("整改待销号 1 个"), "{}", home.body);
    let page = office_assessor.get(&url).await;
    assert!(page.body.contains("台账已补齐") && page.body.contains("台账.pdf"));
    let r = office_assessor
        .post(
            &format!("{url}/answer"),
            &[
                ("csrf", &page.csrf()),
                ("decision", "return"),
                ("answer", ""),
            ],
        )
        .await;
    assert!(r.body.contains("退回时请写明理由"), "{}", r.body);
    let r = office_assessor
        .post(
            &format!("{url}/answer"),
            &[
                ("csrf", &page.csrf()),
                ("decision", "return"),
                ("answer", "请补充核查记录"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        db.store.problem(p.id).await.unwrap().state,
        ProblemState::Returned
    );
    // Answering twice at once: the second finds it moved.
    let r = office_assessor
        .post(
            &format!("{url}/answer"),
            &[("csrf", &page.csrf()), ("decision", "signoff")],
        )
        .await;
    assert!(r.body.contains("状态刚刚已有变化"), "{}", r.body);

    // The unit sees the reason and reports again; the department signs it off.
    let page = unit.get(&url).await;
    assert!(page.body.contains("请补充核查记录") && page.body.contains("已退回"));
    let r = unit
        .post_multipart(
            &format!("{url}/report"),
            &[("csrf", &page.csrf()), ("report", "已补充核查记录")],
            ("file", "核查记录.pdf", b"%PDF-1.4 checks"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = office_assessor.get(&url).await;
    assert!(page.body.contains("已补充核查记录") && page.body.contains("核查记录.pdf"));
    let r = office_assessor
        .post(
            &format!("{url}/answer"),
            &[
                ("csrf", &page.csrf()),
                ("decision", "signoff"),
                ("answer", "整改到位"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let done = db.store.problem(p.id).await.unwrap();
    assert_eq!(done.state, ProblemState::SignedOff);
    assert!(done.answered_by.is_some() && done.answered_at.is_some());
    // A leader reads it, the files named but not linked (they are the unit's papers).
    let mut reader = Client::new(app.clone());
    reader.login("lingdao", PW).await;
    let seen = reader.get(&url).await;
    assert!(seen.body.contains("核查记录.pdf") && !seen.body.contains("/evidence/"));
    // Signed off, nothing more can be done to it.
    let page = unit.get(&url).await;
    assert!(page.body.contains("已销号") && !page.body.contains("报送整改完成情况"));

    // An overdue problem: its own deadline was yesterday and no plan came.
    let late = mine.iter().find(|q| q.id != p.id).unwrap();
    let late_url = format!("/c/{cid}/rectify/{}", late.id);
    let page = admin.get(&late_url).await;
    let r = admin
        .post(
            &format!("{late_url}/deadline"),
            &[("csrf", &page.csrf()), ("deadline", &china_day(-1))],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = admin.get(&format!("/c/{cid}/rectify?state=overdue")).await;
    assert!(list.body.contains("class=\"overdue\""), "{}", list.body);
    assert_eq!(list.body.matches("class=\"overdue\"").count(), 1);
    // The notices: on the unit's home and the admin's overview.
    let home = unit.get(&format!("/c/{cid}/u/{uid}")).await;
    assert!(
        home.body.contains("整改") && home.body.contains("逾期"),
        "{}",
        home.body
    );
    let overview = admin.get("/admin").await;
    assert!(overview.body.contains("整改") && overview.body.contains("逾期"));
    // And on the progress page, per unit, the overdue in red.
    let progress = admin.get(&format!("/admin/c/{cid}/progress")).await;
    let section = between(&progress.body, "id=\"rectify\"", "</section>").unwrap();
    let row = section
        .split("<tr")
        .find(|r| r.contains(UNIT))
        .unwrap_or_default();
    assert!(
        row.contains("class=\"overdue\"") && row.contains("tag late"),
        "{section}"
    );

    // The district merges one problem into another and adds one found at an inspection.
    let third = mine
        .iter()
        .find(|q| q.id != p.id && q.id != late.id)
        .unwrap();
    let third_url = format!("/c/{cid}/rectify/{}", third.id);
    let page = admin.get(&third_url).await;
    let r = admin
        .post(
            &format!("{third_url}/drop"),
            &[("csrf", &page.csrf()), ("reason", ""), ("into", "")],
        )
        .await;
    assert!(r.body.contains("请写明理由"), "{}", r.body);
    let r = admin
        .post(
            &format!("{third_url}/drop"),
            &[
                ("csrf", &page.csrf()),
                ("reason", "同一原因，合并整改"),
                ("into", &late.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let merged = db.store.problem(third.id).await.unwrap();
    assert_eq!(merged.state, ProblemState::Dropped);
    assert_eq!(merged.merged_into, Some(late.id));
    let item = &mine[0].item_id;
    let r = admin
        .post(
            &format!("/admin/c/{cid}/rectify/problems"),
            &[
                ("csrf", &page.csrf()),
                ("unit", &uid.to_string()),
                ("item", item),
                ("found", "检查中发现宣传栏未更新"),
                ("deadline", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        db.store
            .problems(cid)
            .await
            .unwrap()
            .iter()
            .any(|q| q.found == "检查中发现宣传栏未更新" && q.rule_index.is_none())
    );

    // The documents: the unit's notice, the district's ledger; a leader reads both.
    let notice = unit.get(&format!("/c/{cid}/u/{uid}/rectify.docx")).await;
    assert_eq!(notice.status, 200);
    let ledger = admin.get(&format!("/c/{cid}/rectify.xlsx")).await;
    assert_eq!(ledger.status, 200);
    let mut leader = Client::new(app.clone());
    leader.login("lingdao", PW).await;
    assert_eq!(
        leader.get(&format!("/c/{cid}/rectify.xlsx")).await.status,
        200
    );
    let other_unit = units.iter().find(|u| u.name == "新碶街道").unwrap().id;
    assert_eq!(
        unit.get(&format!("/c/{cid}/u/{other_unit}/rectify.docx"))
            .await
            .status,
        403
    );
    assert_eq!(
        unit.get(&format!("/c/{cid}/rectify.xlsx")).await.status,
        403
    );

    // After the lock the list is final, and the loop goes on.
    kaohe_storage::change!(db.store, set_locked(cid, true, Some("定稿"), None)).unwrap();
    let page = admin.get(&format!("/c/{cid}/rectify")).await;
    assert!(!page.body.contains("添加检查中发现的问题"));
    let r = admin
        .post(
            &format!("/admin/c/{cid}/rectify/problems"),
            &[
                ("csrf", &page.csrf()),
                ("unit", &uid.to_string()),
                ("item", item),
                ("found", "定稿后不能再加"),
            ],
        )
        .await;
    assert!(r.body.contains("问题清单已定"), "{} {}", r.status, r.body);
    let page = unit.get(&late_url).await;
    let r = unit
        .post(
            &format!("{late_url}/plan"),
            &[
                ("csrf", &page.csrf()),
                ("measures", "定稿后继续整改"),
                ("responsible", "王五"),
                ("planned_date", &china_day(-1)),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "the loop goes on after the lock: {}", r.body);

    // Next year (a copy of this campaign): beside each item, the unit's problems of last
    // year and whether they were signed off; on the report page, a tag per item.
    // Its rubric adds the common clause 上年度整改未到位的，每个问题扣1分 to basic.1, fed
    // by kaohe from this year's rectification.
    let campaign = db.store.campaign(org.id, cid).await.unwrap();
    let this_year = db.store.rubric(org.id, campaign.rubric_id).await.unwrap();
    let source = this_year
        .source
        .replacen(
            "# ───────────────────────────── 基础工作 30",
            "[[unit_facts]]\nkey = \"unrectified\"\nlabel = \"上年度整改未到位的问题数\"\ntype = \"count\"\nunit = \"个\"\nfrom = \"last_year_unrectified\"\n\n# ───────────────────────────── 基础工作 30",
            1,
        )
        .replacen(
            "{ kind = \"per_count\", input = \"misses\", each = 1, label = \"未落实\" },",
            "{ kind = \"per_count\", input = \"misses\", each = 1, label = \"未落实\" },\n  { kind = \"per_count\", input = \"unrectified\", each = 1, label = \"上年度整改未到位\" },",
            1,
        );
    let rubric = kaohe_core::Rubric::from_toml(&source, "next.toml").unwrap();
    let next_rubric = kaohe_storage::change!(
        db.store,
        add_rubric_version(org.id, "next", "下一年度细则", &source, rubric.hash(), None)
    )
    .unwrap();
    let next = kaohe_storage::change!(
        db.store,
        create_campaign(
            org.id,
            campaign.year + 1,
            "下一年度考核",
            next_rubric.id,
            &china_day(300),
            false
        )
    )
    .unwrap();
    kaohe_storage::change!(db.store, continue_campaign(org.id, cid, next.id, &[])).unwrap();
    kaohe_storage::change!(
        db.store,
        set_campaign_unit(&kaohe_storage::CampaignUnit {
            campaign_id: next.id,
            unit_id: uid,
            unit_facts: Default::default(),
            deadline: None,
        })
    )
    .unwrap();
    let item_page = admin
        .get(&format!("/c/{}/u/{uid}/i/{}", next.id, p.item_id))
        .await;
    assert_eq!(item_page.status, 200, "{}", item_page.body);
    let year = campaign.year;
    assert!(
        item_page
            .body
            .contains(&format!("{year} 年度本项的整改问题"))
            && item_page.body.contains("已销号"),
        "{}",
        item_page.body
    );
    let late_page = admin
        .get(&format!("/c/{}/u/{uid}/i/{}", next.id, late.item_id))
        .await;
    assert!(late_page.body.contains("未整改到位"), "{}", late_page.body);
    let report = admin.get(&format!("/c/{}/u/{uid}", next.id)).await;
    assert!(report.body.contains("上年度整改未到位"), "{}", report.body);
    // The clause reads the problems not signed off (dropped ones aside) as a fact the
    // district does not type, and deducts for each.
    let open_last_year = db
        .store
        .unit_problems(cid, uid)
        .await
        .unwrap()
        .iter()
        .filter(|q| !q.state.closed())
        .count();
    assert!(open_last_year >= 2, "{open_last_year}");
    let b1 = admin
        .get(&format!("/c/{}/u/{uid}/i/basic.1", next.id))
        .await;
    assert!(
        b1.body.contains(&format!(
            "上年度整改未到位的问题数：<strong>{open_last_year}</strong>（由上年度整改情况自动计算）"
        )),
        "{}",
        b1.body
    );
    let preview = admin
        .post(
            &format!("/c/{}/u/{uid}/i/basic.1/preview", next.id),
            &[("csrf", &b1.csrf()), ("v:basic.1.misses", "0")],
        )
        .await;
    assert!(
        preview
            .body
            .contains(&format!("上年度整改未到位 {open_last_year} 个")),
        "{}",
        preview.body
    );
    // The district's base-data form does not offer it: nobody types it.
    let settings = admin.get(&format!("/admin/c/{}", next.id)).await;
    assert!(
        !settings.body.contains("f.unrectified"),
        "{}",
        settings.body
    );

    // Every step is in the audit log, and the auditor reads it there, not here.
    let actions: Vec<String> = db
        .store
        .audit_rows(org.id, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.action)
        .collect();
    for a in [
        "rectify.deadline",
        "rectify.plan",
        "rectify.report",
        "rectify.return",
        "rectify.signoff",
        "rectify.problem.deadline",
        "rectify.problem.merge",
        "rectify.problem.add",
        "rectify.export",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} is audited");
    }
    let mut auditor = Client::new(app.clone());
    auditor.login("shenji", PW).await;
    assert_eq!(auditor.get(&format!("/c/{cid}/rectify")).await.status, 403);
    db.finish().await;
}

/// The demo's last year is a whole campaign (reported, reviewed, published, locked) whose
/// rectification is under way (signed off, waiting, unfinished); this year's self-check
/// shows it beside each item. Finishing the demo again changes nothing.
#[tokio::test]
async fn the_demo_carries_last_years_rectification_into_this_year() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let campaigns = db.store.campaigns(org.id).await.unwrap();
    let (this, last) = (&campaigns[0], &campaigns[1]);
    assert_eq!((this.year, last.year), (2026, 2025));
    assert!(last.locked && last.published_at.is_some());
    assert_eq!(db.store.results(last.id).await.unwrap().len(), 1);
    let problems = db.store.problems(last.id).await.unwrap();
    for s in [
        ProblemState::SignedOff,
        ProblemState::Reported,
        ProblemState::Planned,
    ] {
        assert!(
            problems.iter().any(|p| p.state == s),
            "{s:?} in {problems:?}"
        );
    }
    let open = problems
        .iter()
        .find(|p| p.state == ProblemState::Planned)
        .unwrap();
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin
        .get(&format!(
            "/c/{}/u/{}/i/{}",
            this.id, open.unit_id, open.item_id
        ))
        .await;
    assert!(
        page.body.contains("2025 年度本项的整改问题") && page.body.contains("未整改到位"),
        "{}",
        page.body
    );
    let list = admin.get(&format!("/c/{}/rectify", last.id)).await;
    assert!(list.body.contains("已销号") && list.body.contains("待销号"));

    // The admin names last year's campaign on the settings form (it falls back to the
    // latest earlier year); this year's own campaign is not one.
    let page = admin.get(&format!("/admin/c/{}", this.id)).await;
    assert!(page.body.contains("上一年度任务"), "{}", page.body);
    let settings = |predecessor: String| {
        vec![
            ("csrf".to_string(), page.csrf()),
            ("title".to_string(), this.title.clone()),
            ("deadline".to_string(), this.deadline.clone()),
            (
                "overall_weight".to_string(),
                this.overall_weight.clone().unwrap_or_default(),
            ),
            ("predecessor".to_string(), predecessor),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let mut admin = admin.clone();
        let url = format!("/admin/c/{}/settings", this.id);
        async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            admin.post(&url, &pairs).await
        }
    };
    let r = post(settings(this.id.to_string())).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("请从列表中选择上一年度任务"), "{}", r.body);
    let r = post(settings(last.id.to_string())).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let now = db.store.campaign(org.id, this.id).await.unwrap();
    assert_eq!(now.predecessor_id, Some(last.id));

    kaohe_web::setup::finish_demo_previous_year(&db.store)
        .await
        .unwrap();
    assert_eq!(db.store.results(last.id).await.unwrap().len(), 1);
    assert_eq!(
        db.store.problems(last.id).await.unwrap().len(),
        problems.len()
    );
    db.finish().await;
}
