//! The scale data of the benchmarks (`kaohe demo --units N`): what it makes, that the same
//! seed makes the same data, that its years read as kaohe's own, and that it never writes
//! into a database that holds anything.

use kaohe_storage::{ReportState, testing};
use kaohe_web::setup::scale::{self, Scale};

use crate::common::*;

fn small(seed: u64) -> Scale {
    Scale {
        organisers: 2,
        units: 16,
        years: 2,
        evidence_kib: 2,
        seed,
    }
}

#[tokio::test]
async fn scale_data_is_a_city_of_districts_with_finished_years_and_one_reporting() {
    let db = testing::sqlite().await;
    let mut lines = Vec::new();
    let made = scale::generate(&db.store, &small(7), &mut |l| lines.push(l.to_string()))
        .await
        .unwrap();
    assert_eq!(
        (made.organisers, made.units, made.campaigns, made.users),
        (2, 32, 4, 2 * (6 + 16))
    );
    assert_eq!((made.evidence_files, made.evidence_bytes), (64, 64 * 2048));
    assert!(made.records > 0 && made.commits > 100, "{made:?}");
    assert_eq!(lines.len(), 4, "one line a year and organiser: {lines:?}");
    let orgs = db.store.organisers().await.unwrap();
    assert_eq!(orgs.len(), 2);
    let mut records = 0;
    for o in &orgs {
        records += db
            .store
            .records_between(o.id, "0000-01-01", "9999-12-31")
            .await
            .unwrap()
            .len();
    }
    assert_eq!(made.records, records, "the records it says it made");
    // Subdistricts in districts of 14: 16 subdistricts under 2 districts.
    let units = db.store.units(orgs[0].id).await.unwrap();
    let districts: Vec<_> = units.iter().filter(|u| u.parent_id.is_none()).collect();
    assert_eq!((units.len(), districts.len()), (18, 2));
    let campaigns = db.store.campaigns(orgs[0].id).await.unwrap();
    let (past, current) = (
        campaigns.iter().find(|c| c.year == 2025).unwrap(),
        campaigns.iter().find(|c| c.year == 2026).unwrap(),
    );
    // Last year: computed, published and locked, with problems to rectify.
    assert!(db.store.has_results(past.id).await.unwrap());
    assert!(past.published_at.is_some());
    assert!(!db.store.problems(past.id).await.unwrap().is_empty());
    // This year: two units in three submitted, the rest still filling in.
    let reports = db.store.reports(current.id).await.unwrap();
    let submitted = reports
        .iter()
        .filter(|r| r.state == ReportState::Submitted)
        .count();
    assert_eq!(submitted, 11, "{reports:?}");
    assert!(!db.store.has_results(current.id).await.unwrap());
    // The pages read it as any year: the admin's overview, last year's ranking, the
    // office's queue, a reporter still filling in.
    let app = app_on(db.store.clone());
    let mut admin = Client::new(app.clone());
    assert_eq!(admin.login("s1-admin", scale::PASSWORD).await.status, 303);
    let overview = admin.get("/admin").await;
    assert!(overview.body.contains("第1区第1街道"), "{}", overview.body);
    let ranking = admin.get(&format!("/c/{}/results", past.id)).await;
    assert_eq!(ranking.status, 200);
    assert!(ranking.body.contains("第2区第2街道"));
    let mut office = Client::new(app.clone());
    office.login("s1-office", scale::PASSWORD).await;
    assert_eq!(
        office
            .get(&format!("/c/{}/review", current.id))
            .await
            .status,
        200
    );
    let mut reporter = Client::new(app);
    reporter.login("s1-u0003", scale::PASSWORD).await;
    let home = reporter.get("/").await;
    assert!(
        home.status == 200 || home.status == 303,
        "{} {}",
        home.status,
        home.body
    );
    // Never into a database that holds anything.
    let again = scale::generate(&db.store, &small(7), &mut |_| {}).await;
    assert!(again.unwrap_err().to_string().contains("已有数据"));
    db.finish().await;
}

#[tokio::test]
async fn the_same_seed_makes_the_same_results() {
    let mut totals = Vec::new();
    for seed in [7, 7, 8] {
        let db = testing::sqlite().await;
        scale::generate(&db.store, &small(seed), &mut |_| {})
            .await
            .unwrap();
        let org = db.store.organisers().await.unwrap()[0].id;
        let campaigns = db.store.campaigns(org).await.unwrap();
        let past = campaigns.iter().find(|c| c.year == 2025).unwrap().id;
        let run = db.store.latest_result(past).await.unwrap().unwrap();
        let units: Vec<(String, String)> = run.data["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["unit"].as_str().unwrap().to_string(),
                    u["total"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        totals.push(units);
        db.finish().await;
    }
    assert_eq!(totals[0], totals[1], "the same seed, the same totals");
    assert_ne!(totals[0], totals[2], "another seed, other totals");
    // The units' totals differ from one another, as a real year's do.
    let mut distinct: Vec<&String> = totals[0].iter().map(|(_, t)| t).collect();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() > 5, "{:?}", totals[0]);
}

/// A province's queue, progress and overview are read a page of units at a time: counted
/// whole, scored and written a page.
#[tokio::test]
async fn lists_of_many_units_are_read_a_page_of_units_at_a_time() {
    let db = testing::sqlite().await;
    let scale = Scale {
        organisers: 1,
        units: 110,
        years: 1,
        evidence_kib: 0,
        seed: 3,
    };
    scale::generate(&db.store, &scale, &mut |_| {})
        .await
        .unwrap();
    let org = db.store.organisers().await.unwrap()[0].id;
    let cid = db.store.campaigns(org).await.unwrap()[0].id;
    let mut office = Client::new(app_on(db.store.clone()));
    office.login("s1-office", scale::PASSWORD).await;
    let first = office.get(&format!("/c/{cid}/review")).await;
    assert_eq!(first.status, 200);
    assert!(
        first.body.contains("共 110 个单位") && first.body.contains("第 1 / 3 页"),
        "{}",
        first.body
    );
    // Units are named 第N区第M街道 in districts of 14: the 51st is 第4区第9街道. (Every
    // unit is in the filter's list; a unit's rows are its heading and its cells.)
    let row = |name: &str| format!("<td>{name}</td>");
    assert!(
        first.body.contains(&row("第1区第1街道")) && !first.body.contains(&row("第4区第9街道"))
    );
    let second = office.get(&format!("/c/{cid}/review?page=2")).await;
    assert!(second.body.contains("第 2 / 3 页") && second.body.contains(&row("第4区第9街道")));
    assert!(!second.body.contains(&row("第1区第1街道")));
    // Filters count over every unit, then page: the units still filling in (every third).
    let unsubmitted = office
        .get(&format!("/c/{cid}/review?state=unsubmitted"))
        .await;
    assert!(
        unsubmitted.body.contains(&row("第1区第3街道"))
            && !unsubmitted.body.contains(&row("第1区第1街道"))
            && !unsubmitted.body.contains("第 1 / 3 页"),
        "{}",
        unsubmitted.body
    );
    // Scores are shown for the page's units (a submitted unit's item has both columns).
    assert!(second.body.contains("class=\"num\">") && second.body.contains("待审核"));
    // The progress table: 100 units a page, the counts over all 110.
    let mut admin = Client::new(app_on(db.store.clone()));
    admin.login("s1-admin", scale::PASSWORD).await;
    let progress = admin.get(&format!("/admin/c/{cid}/progress")).await;
    assert!(
        progress.body.contains("共 110 个单位") && progress.body.contains("第 1 / 2 页"),
        "{}",
        progress.body
    );
    assert!(!progress.body.contains(">第8区第3街道<"));
    // The accounts: 50 a page, found by part of a name, each changed on a page of its
    // own (no row carries every unit as a choice).
    let users = admin.get("/admin/users").await;
    assert!(
        users
            .body
            .contains("共 116 个账号，每页 50 个账号；第 1 / 3 页"),
        "{}",
        users.body
    );
    // The add form's choices only (110 units, roles, departments): every row's own
    // edit form made it thousands.
    let options = users.body.matches("<option").count();
    assert!(options < 300, "{options} choices on the page");
    let found = admin.get("/admin/users?find=s1-u0100").await;
    assert!(found.body.contains("全部账号（1）") && found.body.contains("s1-u0100"));
    let third = admin.get("/admin/users?page=3").await;
    assert!(third.body.contains("第 3 / 3 页") && third.body.contains("s1-u0110"));
    let last = admin.get(&format!("/admin/c/{cid}/progress?page=2")).await;
    assert!(last.body.contains(">第8区第3街道<") && !last.body.contains(">第1区第1街道<"));
    // The overview lists the units behind (36 still filling in), a screen of them.
    let overview = admin.get("/admin").await;
    assert!(
        overview.body.contains("已提交 74 / 110")
            && overview.body.contains("另有 80 个单位未列出")
            && overview.body.contains(">第1区第3街道<")
            && !overview.body.contains(">第1区第1街道<"),
        "{}",
        overview.body
    );
    db.finish().await;
}

/// A province's year of records and of problems to rectify is read a page at a time:
/// counted whole, written 100 rows a page; a unit reads its own alone.
#[tokio::test]
async fn records_and_problems_are_listed_a_page_at_a_time() {
    let db = testing::sqlite().await;
    let scale = Scale {
        organisers: 1,
        units: 60,
        years: 2,
        evidence_kib: 0,
        seed: 5,
    };
    scale::generate(&db.store, &scale, &mut |_| {})
        .await
        .unwrap();
    let org = db.store.organisers().await.unwrap()[0].id;
    let campaigns = db.store.campaigns(org).await.unwrap();
    let past = campaigns.iter().find(|c| c.year == 2025).unwrap();
    let current = campaigns.iter().find(|c| c.year == 2026).unwrap();
    let (start, end) = current.period();
    let records: Vec<_> = db
        .store
        .records_between(org, &start, &end)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.state != kaohe_storage::RecordState::Withdrawn)
        .collect();
    assert!(records.len() > 200, "{} records", records.len());
    let pages = records.len().div_ceil(100);
    let mut admin = Client::new(app_on(db.store.clone()));
    admin.login("s1-admin", scale::PASSWORD).await;
    let cid = current.id;
    let first = admin.get(&format!("/c/{cid}/records")).await;
    assert!(
        first.body.contains(&format!(
            "共 {} 条，每页 100 条；第 1 / {pages} 页",
            records.len()
        )),
        "{}",
        first.body
    );
    let shown = |body: &str| body.matches(&format!("href=\"/c/{cid}/records/")).count();
    assert_eq!(shown(&first.body), 100);
    let last = admin.get(&format!("/c/{cid}/records?page={pages}")).await;
    assert_eq!(shown(&last.body), records.len() - 100 * (pages - 1));
    // One unit's records, and the filter kept on the way to the next page.
    let uid = records[0].unit_id;
    let mine = records.iter().filter(|r| r.unit_id == uid).count();
    let one = admin.get(&format!("/c/{cid}/records?unit={uid}")).await;
    assert_eq!(shown(&one.body), mine.min(100));
    let declared = admin.get(&format!("/c/{cid}/records?state=declared")).await;
    if declared.body.contains("下一页") {
        assert!(declared.body.contains("?state=declared&#38;page=2"));
    }
    // A unit's reporter sees its own records only.
    let reporter_unit = db.store.units(org).await.unwrap();
    let u1 = reporter_unit
        .iter()
        .find(|u| u.name == "第1区第1街道")
        .unwrap();
    let own = records.iter().filter(|r| r.unit_id == u1.id).count();
    let mut reporter = Client::new(app_on(db.store.clone()));
    reporter.login("s1-u0001", scale::PASSWORD).await;
    let list = reporter.get(&format!("/c/{cid}/records")).await;
    assert_eq!(list.status, 200);
    assert_eq!(shown(&list.body), own.min(100));

    // Last year's problems: 100 a page for the district, a unit's own for the unit.
    let problems = db.store.problems(past.id).await.unwrap();
    assert!(problems.len() > 100, "{} problems", problems.len());
    let pid = past.id;
    let pages = problems.len().div_ceil(100);
    let listed = |body: &str| body.matches(&format!("href=\"/c/{pid}/rectify/")).count();
    let first = admin.get(&format!("/c/{pid}/rectify")).await;
    assert!(
        first.body.contains(&format!(
            "共 {} 个，每页 100 个；第 1 / {pages} 页",
            problems.len()
        )),
        "{}",
        first.body
    );
    assert_eq!(listed(&first.body), 100);
    let last = admin.get(&format!("/c/{pid}/rectify?page={pages}")).await;
    assert_eq!(listed(&last.body), problems.len() - 100 * (pages - 1));
    let own = problems.iter().filter(|p| p.unit_id == u1.id).count();
    let list = reporter.get(&format!("/c/{pid}/rectify")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(listed(&list.body), own);

    // The district's open and overdue problems are counted in SQL; a unit's in Rust:
    // with a past deadline for the campaign and later ones for some problems, the two
    // agree.
    let mut work = db.store.begin().await.unwrap();
    work.set_rectify_deadline(pid, "2020-01-01").await.unwrap();
    for p in problems.iter().step_by(3) {
        work.set_problem_deadline(p.id, Some("2999-12-31"))
            .await
            .unwrap();
    }
    work.commit(&kaohe_storage::AuditEntry {
        organiser_id: Some(org),
        user_id: None,
        username: None,
        action: "test".into(),
        target: format!("campaign:{pid}"),
        reason: None,
        changes: serde_json::json!([]),
    })
    .await
    .unwrap();
    let state = kaohe_web::AppState::new(db.store.clone(), kaohe_web::Config::default());
    let all = kaohe_web::year::rectify::open_counts(&state, pid, None)
        .await
        .unwrap();
    let mut units: Vec<_> = problems.iter().map(|p| p.unit_id).collect();
    units.dedup();
    let mut sum = (0, 0);
    for u in units {
        let (open, late) = kaohe_web::year::rectify::open_counts(&state, pid, Some(u))
            .await
            .unwrap();
        sum = (sum.0 + open, sum.1 + late);
    }
    assert_eq!(all, sum);
    assert!(all.1 > 0 && all.1 < all.0, "{all:?}");
    db.finish().await;
}
