//! A department imports its verified facts for many units from its own spreadsheet
//! (导入核定数据): read as people typed it (a percentage cell, GBK CSV), previewed old →
//! new with the units held back, applied all at once as one audited action with its file
//! kept; it never confirms an item, and a bad cell refuses the whole file, named.

use crate::common::*;
use kaohe_storage::{ImportKind, testing};

const RATE: &str = "management.5.registration_rate";

#[tokio::test]
async fn a_department_imports_verified_facts_with_a_preview_all_or_nothing() {
    for db in testing::all().await {
        department_import(db).await;
    }
}

async fn department_import(db: testing::TestDb) {
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let id_of = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
    let (xiaogang, xinqi) = (id_of("小港街道"), id_of("新碶街道"));
    let mut police = Client::new(app.clone());
    police.login("gongan", PW).await;
    let mut hr = Client::new(app.clone());
    hr.login("renshe", PW).await;

    // The page, reached from the queue, offers the department's own facts.
    let queue = police.get(&format!("/c/{cid}/review")).await;
    assert!(queue.body.contains(&format!("/c/{cid}/review/import")));
    let page = police.get(&format!("/c/{cid}/review/import")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("管理工作第5项 信息登记率（%）"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("基础工作第2项"),
        "not the office's items"
    );

    // The template: the department's facts as columns, each unit's values as now.
    let t = police
        .get(&format!("/c/{cid}/review/import/template.xlsx"))
        .await;
    assert_eq!(t.status, 200);
    let cells = kaohe_formats::sheet::read(&t.bytes).unwrap();
    let header = cells.iter().position(|r| r[0] == "单位").unwrap();
    let col = cells[header]
        .iter()
        .position(|c| c == "管理工作第5项 信息登记率（%）")
        .unwrap();
    let row = cells.iter().find(|r| r[0] == "小港街道").unwrap();
    assert_eq!(row[col], "96.1", "{:?} {:?}", cells[header], row);

    let log = db.store.audit_rows(org.id, 1).await.unwrap();
    assert_eq!(
        log[0].entry.action, "import.template",
        "the download says what it was"
    );

    // A GBK CSV with one bad cell is refused whole, the cell named; nothing changes.
    let csv =
        format!("单位,{RATE},management.5.accuracy_rate\n小港街道,93,92\n大碶街道,\"9,5\",91\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let token = police.token().await;
    let r = police
        .post_multipart(
            &format!("/c/{cid}/review/import"),
            &[("csrf", &token), ("reason", "以公安系统数据为准")],
            ("file", "登记率.csv", &gbk),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("这个文件不能导入"), "{}", r.body);
    assert!(
        r.body.contains("B3 单元格（大碶街道，“信息登记率”）"),
        "{}",
        r.body
    );
    assert!(r.body.contains("是否指 9.5"), "{}", r.body);
    assert!(!r.body.contains("确认导入"), "{}", r.body);
    assert!(
        db.store
            .imported_facts(cid, xiaogang)
            .await
            .unwrap()
            .is_empty()
    );

    // Another department's item is not this department's to import.
    let csv = "单位,basic.4.sessions\n小港街道,5\n";
    let r = police
        .post_multipart(
            &format!("/c/{cid}/review/import"),
            &[("csrf", &token), ("reason", "x")],
            ("file", "a.csv", csv.as_bytes()),
        )
        .await;
    assert!(r.body.contains("不是本部门负责的项目"), "{}", r.body);

    // An Excel file with a percentage cell: 0.93 is 93%. 新碶 has not submitted.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let pct = rust_xlsxwriter::Format::new().set_num_format("0%");
    ws.write(0, 0, "区公安分局 流动人口信息登记率").unwrap();
    ws.write(1, 0, "单位").unwrap();
    ws.write(1, 1, "信息登记率").unwrap();
    ws.write(1, 2, "理由").unwrap();
    ws.write(2, 0, "新碶街道").unwrap();
    ws.write_with_format(2, 1, 0.99, &pct).unwrap();
    ws.write(3, 0, "小港街道").unwrap();
    ws.write_with_format(3, 1, 0.93, &pct).unwrap();
    ws.write(4, 0, "大碶街道").unwrap();
    ws.write(4, 1, 95).unwrap();
    ws.write(5, 0, "霞浦街道").unwrap();
    ws.write_with_format(5, 1, 0.95, &pct).unwrap();
    ws.write(5, 2, "系统抽查复核").unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let before = assessed(&mut police, cid, xiaogang).await;
    let r = police
        .post_multipart(
            &format!("/c/{cid}/review/import"),
            &[("csrf", &token), ("reason", "以公安系统 11 月数据为准")],
            ("file", "登记率.xlsx", &xlsx),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("将改动 <strong>2</strong> 个数据"),
        "{}",
        r.body
    );
    assert!(r.body.contains("另有 1 个与现在相同"), "{}", r.body);
    assert!(
        r.body
            .contains("<td class=\"num\">96.1%</td><td class=\"num\"><strong>93%</strong>"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("系统抽查复核"),
        "a row's own reason: {}",
        r.body
    );
    assert!(
        r.body.contains("新碶街道（第 3 行）"),
        "held back: {}",
        r.body
    );
    // Nothing has changed yet.
    assert!(
        db.store
            .imported_facts(cid, xiaogang)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(assessed(&mut police, cid, xiaogang).await, before);

    // Confirmed: all at once, one audit row, the file kept.
    let action = between(&r.body, "action=\"/c/", "\"").unwrap();
    let digest = between(&r.body, "name=\"digest\" value=\"", "\"").unwrap();
    let r = police
        .post(
            &format!("/c/{action}"),
            &[("csrf", &token), ("digest", &digest)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let imported = db.store.imported_facts(cid, xiaogang).await.unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(
        (imported[0].key.as_str(), imported[0].value.as_str()),
        (RATE, "93")
    );
    assert_eq!(imported[0].reason, "以公安系统 11 月数据为准");
    assert!(
        db.store
            .imported_facts(cid, xinqi)
            .await
            .unwrap()
            .is_empty()
    );
    // Below 95%: the assessed column loses the check's 4 points; the self-check keeps them.
    let after = assessed(&mut police, cid, xiaogang).await;
    assert_eq!(after.0, before.0, "the unit's own score does not move");
    assert_eq!(after.1, before.1 - 4, "{after:?} {before:?}");
    let item = police
        .get(&format!("/c/{cid}/u/{xiaogang}/r/management.5"))
        .await;
    assert!(
        item.body
            .contains("部门导入：93（以公安系统 11 月数据为准）"),
        "{}",
        item.body
    );
    // Not confirmed by the import: still waiting in the queue.
    let queue = police
        .get(&format!("/c/{cid}/review?unit={xiaogang}&state=waiting"))
        .await;
    assert!(queue.body.contains("/r/management.5\""), "{}", queue.body);
    // Confirmed on the review page with the imported value: no correction of the
    // assessor's own, no reason for it, only the reason the score differs.
    let r = police
        .post(
            &format!("/c/{cid}/u/{xiaogang}/r/management.5"),
            &[
                ("csrf", &token),
                ("version", "0"),
                ("action", "confirm"),
                (&format!("v:{RATE}"), "93"),
                (&format!("why:{RATE}"), ""),
                ("score_reason", "登记率以公安系统数据为准"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let reviews = db.store.reviews(cid, xiaogang).await.unwrap();
    let review = reviews
        .iter()
        .find(|r| r.item_id == "management.5")
        .unwrap();
    assert!(review.overrides.is_empty(), "{:?}", review.overrides);
    assert_eq!(assessed(&mut police, cid, xiaogang).await, after);
    let log = db.store.audit_rows(org.id, 5).await.unwrap();
    let row = log
        .iter()
        .find(|r| r.entry.action == "facts.import")
        .unwrap();
    let changes = row.entry.changes.to_string();
    assert!(
        changes.contains("小港街道 管理工作第5项 信息登记率"),
        "{changes}"
    );
    assert!(changes.contains("新碶街道（第 3 行）"), "{changes}");
    assert_eq!(
        row.entry.reason.as_deref(),
        Some("以公安系统 11 月数据为准")
    );
    // Applying twice (a second click) changes nothing more.
    let again = police
        .post(
            &format!("/c/{action}"),
            &[("csrf", &token), ("digest", &digest)],
        )
        .await;
    assert_eq!(again.status, 303);
    let n = db.store.audit_rows(org.id, 50).await.unwrap();
    assert_eq!(
        n.iter()
            .filter(|r| r.entry.action == "facts.import")
            .count(),
        1
    );

    // The kept file, for its department and the admin; not another department's.
    let imports = db.store.imports(cid, ImportKind::Verified).await.unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].changed, 2);
    let file = format!("/c/{cid}/imports/{}/file", imports[0].id);
    let got = police.get(&file).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, xlsx);
    assert_eq!(hr.get(&file).await.status, 404);
    let page = police.get(&format!("/c/{cid}/review/import")).await;
    assert!(page.body.contains("登记率.xlsx"), "{}", page.body);
}

/// The unit's (self-check, assessed) totals as the review of management.5 computes them,
/// as whole points: read from the results-independent unit assessment.
async fn assessed(c: &mut Client, cid: i64, uid: i64) -> (i64, i64) {
    let page = c.get(&format!("/c/{cid}/u/{uid}/r/management.5")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let num = |s: String| s.trim().parse::<f64>().unwrap() as i64;
    let score = |label: &str| {
        let s = between(&page.body, &format!("{label} <strong"), "</strong>")
            .unwrap_or_else(|| panic!("{}", page.body));
        num(s.rsplit('>').next().unwrap().to_string())
    };
    (score("自查分"), score("考核分"))
}

/// The district brings the information office's list of adopted articles for several
/// units: previewed, added all at once as records it entered (both columns count them),
/// the same list again adds nothing, a bad date refuses the whole list.
#[tokio::test]
async fn the_district_imports_records_from_a_list() {
    for db in testing::all().await {
        records_from_a_list(db).await;
    }
}

async fn records_from_a_list(db: testing::TestDb) {
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let xiaogang = units.iter().find(|u| u.name == "小港街道").unwrap().id;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get(&format!("/c/{cid}/records")).await;
    assert!(page.body.contains("从表格导入记录"), "{}", page.body);
    let token = admin.token().await;
    let before = db.store.unit_records(org.id, xiaogang).await.unwrap().len();

    // A bad date refuses the whole list, the cell named.
    let list = "单位,日期,信息标题,录用载体,典型经验综合类信息\n\
                小港街道,2026/3/3,小港街道推行出租房屋积分管理,宁波信息,否\n\
                大碶街道,2026年13月1日,大碶街道流动人口服务站建设,北仑信息,是\n";
    let r = admin
        .post_multipart(
            &format!("/admin/c/{cid}/records/import"),
            &[("csrf", &token), ("kind", "info")],
            ("file", "录用通报.csv", list.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("B3 单元格（大碶街道）的日期“2026年13月1日”看不懂"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("确认导入"), "{}", r.body);

    // A unit that is not in the campaign, and a column the kind does not have: each
    // named, the whole list refused.
    for (list, said) in [
        (
            "单位,日期,信息标题,录用载体,典型经验综合类信息\n火星街道,2026-03-03,某某,宁波信息,否\n",
            "火星街道",
        ),
        (
            "单位,日期,信息标题,录用载体,阅读量\n小港街道,2026-03-03,某某,宁波信息,300\n",
            "阅读量",
        ),
    ] {
        let r = admin
            .post_multipart(
                &format!("/admin/c/{cid}/records/import"),
                &[("csrf", &token), ("kind", "info")],
                ("file", "录用通报.csv", list.as_bytes()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let problems = between(&r.body, "<main", "</main>").unwrap_or_default();
        assert!(problems.contains(said), "{said}: {problems}");
        assert!(!r.body.contains("确认导入"), "{said}: {}", r.body);
    }
    // Not a table at all (a broken workbook).
    let r = admin
        .post_multipart(
            &format!("/admin/c/{cid}/records/import"),
            &[("csrf", &token), ("kind", "info")],
            ("file", "录用通报.xlsx", b"PK\x03\x04broken"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("确认导入"), "{}", r.body);
    assert!(
        r.body
            .contains("Excel 文件打不开（文件已损坏，或不是 .xlsx 格式）"),
        "{}",
        r.body
    );

    // Right: a preview, then all of it.
    let list = list.replace("2026年13月1日", "2026年3月1日");
    let r = admin
        .post_multipart(
            &format!("/admin/c/{cid}/records/import"),
            &[("csrf", &token), ("kind", "info")],
            ("file", "录用通报.csv", list.as_bytes()),
        )
        .await;
    assert!(
        r.body.contains("将导入 <strong>2</strong> 条记录"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("小港街道推行出租房屋积分管理"),
        "{}",
        r.body
    );
    assert_eq!(
        db.store.unit_records(org.id, xiaogang).await.unwrap().len(),
        before
    );
    let action = between(&r.body, "action=\"/admin/c/", "\"").unwrap();
    let action = format!("/admin/c/{action}");
    let digest = between(&r.body, "name=\"digest\" value=\"", "\"").unwrap();
    let r = admin
        .post(
            &action,
            &[("csrf", &token), ("kind", "info"), ("digest", &digest)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let records = db.store.unit_records(org.id, xiaogang).await.unwrap();
    assert_eq!(records.len(), before + 1);
    let added = records.iter().find(|r| r.day == "2026-03-03").unwrap();
    assert!(added.by_district);
    assert_eq!(added.state, kaohe_storage::RecordState::Confirmed);
    let page = admin.get(r.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已从表格导入 2 条记录"), "{}", page.body);
    let log = db.store.audit_rows(org.id, 3).await.unwrap();
    assert!(log.iter().any(|r| r.entry.action == "record.import"));

    // The same list again: both already kept, nothing to add.
    let r = admin
        .post_multipart(
            &format!("/admin/c/{cid}/records/import"),
            &[("csrf", &token), ("kind", "info")],
            ("file", "录用通报.csv", list.as_bytes()),
        )
        .await;
    assert!(
        r.body
            .contains("将导入 <strong>0</strong> 条记录；另有 2 条已有"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("确认导入"), "{}", r.body);
}
