//! Year over year: the demo includes the previous year (a whole campaign on the previous
//! rubric version, published and locked); a unit's results page compares the years by
//! category; past results from before kaohe are imported from a spreadsheet, each bad
//! row named, nothing saved on error, and read as results.

use crate::common::*;
use kaohe_storage::testing;

#[tokio::test]
async fn a_units_results_compare_with_the_previous_year_by_category() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let campaigns = db.store.campaigns(org.id).await.unwrap();
    assert_eq!(
        campaigns.iter().map(|c| c.year).collect::<Vec<_>>(),
        vec![2026, 2025]
    );
    let past = &campaigns[1];
    assert!(past.locked, "last year is locked");
    assert!(past.published_at.is_some(), "and was published");
    let rubrics = db.store.rubrics(org.id).await.unwrap();
    assert_eq!(
        rubrics.len(),
        4,
        "four rubric versions: 2025, 2026 and the 2027 draft, as imported from its annex and as written"
    );
    assert_ne!(past.rubric_id, campaigns[0].rubric_id);

    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let cid = campaigns[0].id;
    let page = admin.get(&format!("/c/{cid}/results")).await;
    admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    let xinqi = db
        .store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "新碶街道")
        .unwrap();
    let table = admin.get(&format!("/c/{cid}/results/u/{}", xinqi.id)).await;
    assert!(table.body.contains("历年对比"), "{}", table.body);
    assert!(table.body.contains("2025 年度") && table.body.contains("2026 年度"));
    assert!(
        table.body.contains("data-chart=\"years\""),
        "a year-over-year chart"
    );
    assert!(
        table
            .body
            .contains("&quot;years&quot;:[&quot;2025 年度&quot;,&quot;2026 年度&quot;]")
            || table.body.contains("&#34;years&#34;"),
        "{}",
        table.body
    );
    // 新碶街道's 2025 total, as last year's results have it.
    let run = db.store.latest_result(past.id).await.unwrap().unwrap();
    let total = run.data["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "新碶街道")
        .unwrap()["total"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        table.body.contains(&format!(">{total}<")),
        "{total}: {}",
        table.body
    );

    // The leader reads the past year's ranking.
    let mut leader = Client::new(app);
    leader.login("lingdao", PW).await;
    let past_page = leader.get(&format!("/c/{}/results", past.id)).await;
    assert!(past_page.body.contains("春晓街道"), "{}", past_page.body);
    db.finish().await;
}

#[tokio::test]
async fn past_results_are_imported_from_a_spreadsheet_and_bad_rows_save_nothing() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let rubric = db.store.rubrics(org.id).await.unwrap()[0].id.to_string();
    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    let page = admin.get("/admin/history").await;
    assert_eq!(page.status, 200);
    let bad = "单位,基础工作,总分\n新碶街道,25,80\n不存在街道,20,70\n小港街道,abc,60\n";
    let r = admin
        .post(
            "/admin/history",
            &[
                ("csrf", &page.csrf()),
                ("year", "2024"),
                ("title", "2024年度考核"),
                ("rubric", &rubric),
                ("text", bad),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("第 3 行") && r.body.contains("不存在街道"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("第 4 行") && r.body.contains("abc"),
        "{}",
        r.body
    );
    assert_eq!(
        db.store.campaigns(org.id).await.unwrap().len(),
        2,
        "nothing saved"
    );
    let good = "单位,基础工作,总分\n新碶街道,25,80\n小港街道,20,80\n大碶街道,28,90\n";
    let r = admin
        .post(
            "/admin/history",
            &[
                ("csrf", &page.csrf()),
                ("year", "2024"),
                ("title", "2024年度考核"),
                ("rubric", &rubric),
                ("text", good),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let c = db
        .store
        .campaigns(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.year == 2024)
        .unwrap();
    assert!(c.locked);
    let run = db.store.results(c.id).await.unwrap().pop().unwrap();
    let ranks: Vec<(String, u64)> = run.data["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().unwrap().to_string(),
                u["rank"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranks[0], ("大碶街道".to_string(), 1));
    assert_eq!(ranks[1].1, 2);
    assert_eq!(ranks[2].1, 2, "80 and 80 tie (并列)");

    // The same from an Excel workbook.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in [
        ["单位", "基础工作", "总分"],
        ["新碶街道", "24", "79"],
        ["小港街道", "26", "88.5"],
    ]
    .iter()
    .enumerate()
    {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(n) => ws.write(r as u32, c as u16, n).unwrap(),
                Err(_) => ws.write(r as u32, c as u16, *cell).unwrap(),
            };
        }
    }
    let xlsx = wb.save_to_buffer().unwrap();
    let page = admin.get("/admin/history").await;
    let r = admin
        .post_multipart(
            "/admin/history",
            &[
                ("csrf", &page.csrf()),
                ("year", "2023"),
                ("title", "2023年度考核"),
                ("rubric", &rubric),
            ],
            ("file", "2023年度结果.xlsx", &xlsx),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let c = db
        .store
        .campaigns(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.year == 2023)
        .unwrap();
    let run = db.store.results(c.id).await.unwrap().pop().unwrap();
    assert_eq!(run.data["units"][0]["unit"], "小港街道");
    assert_eq!(run.data["units"][0]["total"], "88.5");
    db.finish().await;
}

/// An imported past year looks like results, not like an overdue campaign: no 逾期未交
/// or 自查 on the overview, no empty columns or self-check chart, no progress page, and
/// the import page is reached from the overview.
#[tokio::test]
async fn an_imported_past_year_reads_as_results_not_as_an_overdue_campaign() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let rubric = db.store.rubrics(org.id).await.unwrap()[0].id.to_string();
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get("/admin/history").await;
    let sheet = "单位,基础工作,总分\n新碶街道,25,80\n小港街道,20,80\n春晓街道,28,90\n";
    let r = admin
        .post(
            "/admin/history",
            &[
                ("csrf", &page.csrf()),
                ("year", "2024"),
                ("title", "2024年度考核"),
                ("rubric", &rubric),
                ("text", sheet),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let past = db
        .store
        .campaigns(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.year == 2024)
        .unwrap();
    let overview = admin.get("/admin").await;
    assert!(
        overview.body.contains("href=\"/admin/history\""),
        "the import page is linked"
    );
    let section = overview.body.split(&past.title).nth(1).unwrap();
    assert!(section.contains("往年结果"), "{section}");
    assert!(
        !section.contains("逾期未交") && !section.contains("暂计"),
        "{section}"
    );
    assert!(section.contains("春晓街道"), "its ranking: {section}");

    let results = admin.get(&format!("/c/{}/results", past.id)).await;
    assert!(results.body.contains("往年结果，于"), "{}", results.body);
    for empty in [
        "自查总分",
        "基础分",
        "等次",
        "data-chart=\"self\"",
        "重新计算结果",
        "打印排名",
    ] {
        assert!(
            !results.body.contains(empty),
            "{empty} on a past year's results"
        );
    }
    let progress = admin.get(&format!("/admin/c/{}/progress", past.id)).await;
    assert_eq!(progress.status, 303);
    assert_eq!(
        progress.location.as_deref(),
        Some(format!("/c/{}/results", past.id).as_str())
    );

    let mut unit = Client::new(app);
    unit.login("xinqi", PW).await;
    let home = unit.get("/").await;
    let card = home.body.split(&past.title).nth(1).unwrap();
    let card = card.split("</li>").next().unwrap();
    assert!(
        card.contains("往年结果") && !card.contains("截止"),
        "{card}"
    );
    db.finish().await;
}
