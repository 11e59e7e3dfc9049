//! The results as documents, print views and charts: what the results pages link to,
//! who may download what (the results pages' rules), that every download is audited,
//! and that the documents hold the stored results' numbers.

use std::io::Read;

use crate::common::*;
use kaohe_storage::{Id, testing};
use serde_json::Value;

/// Computes the demo's results as the admin; returns the campaign, 新碶街道's id and
/// another unit's id.
async fn computed(db: &testing::TestDb, app: &axum::Router) -> (Id, Id, Id) {
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get(&format!("/c/{cid}/results")).await;
    let r = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    (cid, id("新碶街道"), id("大碶街道"))
}

fn header(r: &Resp, name: &str) -> String {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

pub fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// An HTML attribute's text.
fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn float(s: &Value) -> f64 {
    s.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_leader_downloads_the_documents_the_results_pages_offer_and_each_download_is_audited() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let (cid, xinqi, _) = computed(&db, &app).await;
    let mut leader = Client::new(app.clone());
    leader.login("lingdao", PW).await;

    // The ranking page links to the print view and the campaign's documents, and
    // carries its charts' numbers.
    let page = leader.get(&format!("/c/{cid}/results")).await;
    assert_eq!(page.status, 200);
    for link in [
        format!("/c/{cid}/results/print"),
        format!("/c/{cid}/results/summary.xlsx"),
        format!("/c/{cid}/results/bulletin.docx"),
        "/assets/echarts.min.js".to_string(),
        "data-chart=\"ranking\"".to_string(),
        "data-chart=\"self\"".to_string(),
    ] {
        assert!(page.body.contains(&link), "{link}");
    }
    let charts = between(&page.body, "data-charts=\"", "\"").unwrap();
    let charts: Value = serde_json::from_str(&unescape(&charts)).unwrap();
    let unit_page = leader.get(&format!("/c/{cid}/results/u/{xinqi}")).await;
    for link in [
        "table.docx",
        "table.xlsx",
        "/print",
        "data-chart=\"profile\"",
    ] {
        assert!(unit_page.body.contains(link), "{link}");
    }

    let snapshot = db.store.results(cid).await.unwrap().pop().unwrap().data;
    let unit = snapshot["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"].as_i64() == Some(xinqi))
        .unwrap()
        .clone();
    // The charts show the stored totals in ranked order.
    let totals: Vec<&str> = snapshot["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["total"].as_str().unwrap())
        .collect();
    let shown: Vec<&str> = charts["total"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(shown, totals);

    // The unit's table as Word: category cells merged, East Asian fonts.
    let docx = leader
        .get(&format!("/c/{cid}/results/u/{xinqi}/table.docx"))
        .await;
    assert_eq!(docx.status, 200, "{}", docx.body);
    assert!(header(&docx, "content-type").contains("wordprocessingml"));
    assert!(header(&docx, "content-disposition").starts_with("attachment"));
    assert!(header(&docx, "content-disposition").contains(".docx"));
    let doc = zip_part(&docx.bytes, "word/document.xml");
    assert!(doc.contains("w:vMerge") && doc.contains("w:eastAsia=\"宋体\""));
    assert!(doc.contains("新碶街道"));

    // As Excel: every item's two columns are the stored numbers.
    let xlsx = leader
        .get(&format!("/c/{cid}/results/u/{xinqi}/table.xlsx"))
        .await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.body);
    assert!(header(&xlsx, "content-type").contains("spreadsheetml"));
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let sheet = book.worksheet_range("新碶街道").unwrap();
    let items = unit["items"].as_array().unwrap();
    assert_eq!(items.len(), 18);
    for (n, item) in items.iter().enumerate() {
        let row = 3 + n as u32;
        assert_eq!(
            sheet.get_value((row, 4)),
            Some(&Data::Float(float(&item["self"])))
        );
        assert_eq!(
            sheet.get_value((row, 5)),
            Some(&Data::Float(float(&item["score"])))
        );
    }

    // The summary workbook ranks every unit with the stored totals.
    let summary = leader.get(&format!("/c/{cid}/results/summary.xlsx")).await;
    assert_eq!(summary.status, 200, "{}", summary.body);
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(summary.bytes.clone())).unwrap();
    assert_eq!(book.sheet_names()[0], "排名");
    assert_eq!(book.sheet_names().last().unwrap(), "理由");
    let ranking = book.worksheet_range("排名").unwrap();
    let categories = snapshot["categories"].as_array().unwrap().len() as u32;
    for (k, u) in snapshot["units"].as_array().unwrap().iter().enumerate() {
        let row = 3 + k as u32;
        assert_eq!(
            ranking.get_value((row, 1)),
            Some(&Data::String(u["unit"].as_str().unwrap().into()))
        );
        assert_eq!(
            ranking.get_value((row, 4 + categories)),
            Some(&Data::Float(float(&u["total"])))
        );
    }

    let bulletin = leader.get(&format!("/c/{cid}/results/bulletin.docx")).await;
    assert_eq!(bulletin.status, 200, "{}", bulletin.body);
    assert!(zip_part(&bulletin.bytes, "word/document.xml").contains("通报"));

    // Each download is a row of the audit log, by whom and of what.
    let org = db.store.organisers().await.unwrap()[0].id;
    let rows: Vec<_> = db
        .store
        .audit_rows(org, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "results.export")
        .collect();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .all(|r| r.entry.username.as_deref() == Some("lingdao"))
    );
    assert!(rows.iter().any(|r| {
        r.entry.target.ends_with(&format!("/unit:{xinqi}"))
            && r.entry.changes.to_string().contains("考核表.xlsx")
    }));

    // The command line reads the same stored results.
    let stored = kaohe_web::stored_results(&db.store, cid).await.unwrap();
    assert_eq!(stored.results.units.len(), totals.len());
    assert_eq!(
        stored
            .results
            .unit("新碶街道")
            .unwrap()
            .total
            .score
            .to_string(),
        unit["total"].as_str().unwrap()
    );
    db.finish().await;
}

#[tokio::test]
async fn the_print_views_hold_the_official_table_and_the_ranking_for_a4() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let (cid, xinqi, _) = computed(&db, &app).await;
    let mut leader = Client::new(app.clone());
    leader.login("lingdao", PW).await;

    let page = leader
        .get(&format!("/c/{cid}/results/u/{xinqi}/print"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let rubric = kaohe_core::Rubric::from_toml(
        include_str!("../../../../rubrics/beilun-2026.toml"),
        "beilun-2026.toml",
    )
    .unwrap();
    for item in rubric.items() {
        // Criteria in full, quotes escaped as HTML does.
        let criteria = item.criteria.replace('"', "&quot;");
        assert!(page.body.contains(&criteria), "{}", item.id);
    }
    for must in [
        "/assets/print.css",
        "data-print",
        "rowspan=\"4\"",
        "填报单位（盖章）",
        "考核组",
        "日期",
        "基础分合计",
    ] {
        assert!(page.body.contains(must), "{must}");
    }

    let ranking = leader.get(&format!("/c/{cid}/results/print")).await;
    assert_eq!(ranking.status, 200, "{}", ranking.body);
    assert!(ranking.body.contains("（并列）"), "the demo has a tie");
    assert!(ranking.body.contains("class=\"sheet wide\""));

    // The stylesheet prints the table on A4 portrait and the ranking on A4 landscape.
    let css = leader.get("/assets/print.css").await;
    assert!(css.body.contains("size: A4 portrait") && css.body.contains("size: A4 landscape"));
    // ECharts comes from the binary, its licence header kept.
    let js = leader.get("/assets/echarts.min.js").await;
    assert_eq!(js.status, 200);
    assert!(header(&js, "content-type").starts_with("text/javascript"));
    assert!(js.body[..800].contains("Licensed to the Apache Software Foundation"));
    assert!(leader.get("/assets/charts.js").await.status == 200);
    db.finish().await;
}

#[tokio::test]
async fn a_unit_downloads_only_its_own_table_and_only_once_results_are_published() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let (cid, xinqi, other) = computed(&db, &app).await;
    let mut unit = Client::new(app.clone());
    unit.login("xinqi", PW).await;
    let own = format!("/c/{cid}/results/u/{xinqi}/table.xlsx");
    let r = unit.get(&own).await;
    assert_eq!(r.status, 400, "not published yet");
    assert!(r.body.contains("尚未公示"));

    kaohe_storage::change!(db.store, publish(cid, "2026-01-01", "2099-12-31", false)).unwrap();
    assert_eq!(unit.get(&own).await.status, 200);
    assert_eq!(
        unit.get(&format!("/c/{cid}/results/u/{xinqi}/table.docx"))
            .await
            .status,
        200
    );
    assert_eq!(
        unit.get(&format!("/c/{cid}/results/u/{xinqi}/print"))
            .await
            .status,
        200
    );
    assert_eq!(
        unit.get(&format!("/c/{cid}/results/print")).await.status,
        200
    );
    for path in [
        format!("/c/{cid}/results/u/{other}/table.xlsx"),
        format!("/c/{cid}/results/u/{other}/table.docx"),
        format!("/c/{cid}/results/u/{other}/print"),
        format!("/c/{cid}/results/summary.xlsx"),
        format!("/c/{cid}/results/bulletin.docx"),
    ] {
        assert_eq!(unit.get(&path).await.status, 403, "{path}");
    }
    // The unit's page does not offer what it may not download.
    let page = unit.get(&format!("/c/{cid}/results")).await;
    assert!(!page.body.contains("summary.xlsx") && !page.body.contains("bulletin.docx"));
    db.finish().await;
}

/// The 通报 a leader can sign: demo data marked in the header and not in the text, last
/// year's rank beside this year's, the units called 街道, and where the assessment counts
/// toward the overall one (a weight set per campaign, a bad one refused), the converted
/// score in the ranking and the document.
#[tokio::test]
async fn the_bulletin_marks_the_demo_compares_with_last_year_and_converts_for_the_overall_assessment()
 {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let (cid, _, _) = computed(&db, &app).await;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    let campaign = db
        .store
        .campaign(db.store.organisers().await.unwrap()[0].id, cid)
        .await
        .unwrap();
    let settings = |weight: &'static str| {
        vec![
            ("title", campaign.title.clone()),
            ("deadline", campaign.deadline.clone()),
            ("overall_weight", weight.to_string()),
        ]
    };
    let send = |w: &'static str| {
        let mut fields = settings(w);
        fields.push(("csrf", page.csrf()));
        fields
    };
    let fields = send("五分");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = admin
        .post(&format!("/admin/c/{cid}/settings"), &pairs)
        .await;
    assert_eq!(refused.status, 200);
    assert!(
        refused.body.contains("请填写 0 到 100 之间的数"),
        "{}",
        refused.body
    );
    let fields = send("5");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = admin
        .post(&format!("/admin/c/{cid}/settings"), &pairs)
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let ranking = admin.get(&format!("/c/{cid}/results")).await;
    assert!(ranking.body.contains("折算分（5 分）"), "{}", ranking.body);
    // 大榭街道's 101 (unreviewed, as reported) converts to 5.05.
    let row = between(&ranking.body, ">大榭街道</a>", "</tr>").unwrap();
    assert!(row.contains("<td class=\"num\">5.05</td>"), "{row}");

    let bulletin = admin.get(&format!("/c/{cid}/results/bulletin.docx")).await;
    assert_eq!(bulletin.status, 200);
    let doc = zip_part(&bulletin.bytes, "word/document.xml");
    let header = zip_part(&bulletin.bytes, "word/header1.xml");
    assert!(header.contains("演示数据"), "{header}");
    assert!(
        !doc.contains("演示") && !doc.contains("计算于"),
        "no demo mark or computation time in the text"
    );
    for words in [
        "各街道：",
        "折算分",
        "上年名次",
        "升降",
        "与 2025 年度相比",
        "5.05",
        "主要失分原因：",
    ] {
        assert!(doc.contains(words), "{words} in the bulletin");
    }
    db.finish().await;
}
