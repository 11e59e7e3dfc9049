//! Results: computed by the admin (listing what is unconfirmed), ranked with ties,
//! both columns, visible to leaders at once and to units only once published.

use crate::common::*;
use kaohe_storage::testing;

#[tokio::test]
async fn the_admin_computes_results_and_a_leader_reads_the_ranking_and_a_unit_table() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get(&format!("/c/{cid}/results")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("结果尚未计算"));

    // Nothing is confirmed yet: the admin sees the list and may compute anyway.
    let r = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("未确认") && r.body.contains("新碶街道 基础工作第1项"),
        "{}",
        r.body
    );
    let r = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let mut leader = Client::new(app.clone());
    leader.login("lingdao", PW).await;
    // A leader starts at the latest results.
    let home = leader.get("/").await;
    assert_eq!(
        home.location.as_deref(),
        Some(format!("/c/{cid}/results").as_str())
    );
    let ranking = leader.get(&format!("/c/{cid}/results")).await;
    assert_eq!(ranking.status, 200, "{}", ranking.body);
    // Beside last year (the demo's imported 2025): each unit's rank then and its move,
    // the biggest movers, and where the district lost most points.
    assert!(
        ranking
            .body
            .contains("<th class=\"num\">上年</th><th class=\"num\">升降</th>")
    );
    assert!(
        ranking.body.contains("名次变化较大的单位"),
        "{}",
        ranking.body
    );
    assert!(ranking.body.contains("↑") && ranking.body.contains("↓"));
    let losses = between(&ranking.body, "id=\"losses\"", "</section>").unwrap();
    assert!(losses.contains("基础工作第3项 宣传和信息报送"), "{losses}");
    // The demo's 戚家山街道 and 梅山街道 tie at 91.5 (no review has changed anything).
    assert!(ranking.body.contains("（并列）"), "{}", ranking.body);
    assert!(ranking.body.contains("项未经确认"));
    let first = between(&ranking.body, "/results/u/", "\"").unwrap();
    let table = leader.get(&format!("/c/{cid}/results/u/{first}")).await;
    assert_eq!(table.status, 200);
    assert!(table.body.contains("考核内容") && table.body.contains("评分标准"));
    assert!(
        table.body.contains("培训人数达到区域流动人口数30%以上"),
        "the full criteria text"
    );
    assert!(table.body.contains("→"), "every score explains itself");

    // Units see nothing before publication.
    let mut unit = Client::new(app);
    unit.login("xiaogang", PW).await;
    let r = unit.get(&format!("/c/{cid}/results")).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("尚未公示"));
    db.finish().await;
}

/// Where the points went: a unit's best improvements on its self-check page (its own
/// facts) and on its results page (the verified facts), and the district's view of
/// points lost per unit and item with the rules that cost most.
#[tokio::test]
async fn units_and_the_district_see_where_the_points_went() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let units = db.store.units(org.id).await.unwrap();
    let chunxiao = units.iter().find(|u| u.name == "春晓街道").unwrap().id;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    // The self-check page, read by the admin: 春晓街道's best improvement in words.
    let report = admin.get(&format!("/c/{cid}/u/{chunxiao}")).await;
    let best = between(&report.body, "id=\"best\"", "</section>").unwrap();
    assert!(
        best.contains("最能提分的 5 项") && best.contains("→ +"),
        "{best}"
    );
    assert!(
        best.contains("信息登记率从 94.9%提高到 95% → +4 分"),
        "{best}"
    );
    // Results computed: the unit's page and the district's view.
    let page = admin.get(&format!("/c/{cid}/results")).await;
    admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    let unit = admin.get(&format!("/c/{cid}/results/u/{chunxiao}")).await;
    let best = between(&unit.body, "id=\"best\"", "</section>").unwrap();
    assert!(best.contains("→ +"), "{best}");
    // Its bars: each improvement's gain, as the chart draws them.
    assert!(
        best.contains("data-chart=\"gaps\"") && best.contains("gains"),
        "{best}"
    );
    let ranking = admin.get(&format!("/c/{cid}/results")).await;
    assert!(ranking.body.contains(&format!("href=\"/c/{cid}/gaps\"")));
    let district = admin.get(&format!("/c/{cid}/gaps")).await;
    assert_eq!(district.status, 200, "{}", district.body);
    let causes = between(&district.body, "id=\"causes\"", "</section>").unwrap();
    assert!(causes.contains("基础工作第3项 宣传和信息报送"), "{causes}");
    // A unit counts once per rule, however many remedies the rule has.
    for row in causes.split("<tr><td>").skip(1) {
        let cells: Vec<&str> = row.split("<td class=\"num\">").skip(1).collect();
        let units: usize = cells[0].split('<').next().unwrap().parse().unwrap();
        assert!(units <= 11, "{row}");
    }
    let heat = between(&district.body, "id=\"heat\"", "</section>").unwrap();
    assert_eq!(
        heat.matches("<td class=\"unit\">").count(),
        11,
        "a row per unit"
    );
    assert!(heat.contains("shade4"), "some item lost in full");
    // A unit before publication does not see the district's view.
    let mut reporter = Client::new(app);
    reporter.login("xiaogang", PW).await;
    assert_ne!(reporter.get(&format!("/c/{cid}/gaps")).await.status, 200);
    db.finish().await;
}

/// What-if of next year's draft on this year's facts: each unit side by side, who moves,
/// the item that moved most, the new fact the data lacks; only the admin.
#[tokio::test]
async fn the_admin_tries_the_draft_rubric_on_this_years_facts() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let draft = db
        .store
        .rubrics(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == "beilun-2027")
        .unwrap()
        .id;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    assert!(
        admin
            .get("/admin/rubrics")
            .await
            .body
            .contains("href=\"/admin/whatif\"")
    );
    let page = admin
        .get(&format!("/admin/whatif?rubric={draft}&campaign={cid}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let table = between(&page.body, "id=\"compare\"", "</section>").unwrap();
    assert_eq!(table.matches("<td class=\"unit\">").count(), 11, "{table}");
    assert!(table.contains("（2027 年度）"), "{table}");
    // 大榭街道's 信息登记率 is below the draft's 97%.
    let daxie = between(&table, "<td class=\"unit\">大榭街道</td>", "</tr>").unwrap();
    assert!(daxie.contains("<td class=\"num\">−4</td>"), "{daxie}");
    assert!(table.contains("change down"), "a unit moves down: {table}");
    let moves = between(&page.body, "id=\"moves\"", "</section>").unwrap();
    assert!(
        moves.contains("管理工作第5项 网格化管理和信息登记"),
        "{moves}"
    );
    assert!(
        moves.contains("创新工作第3项 e乡北仑平台推广（新增项目）"),
        "{moves}"
    );
    assert!(page.body.contains("平台推广活动（往年数据里没有）"));
    assert!(page.body.contains("data-chart=\"slope\""));
    // The comparison as a workbook, on request: the same numbers.
    let xlsx = admin
        .get(&format!("/admin/whatif.xlsx?rubric={draft}&campaign={cid}"))
        .await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.body);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range("各单位").unwrap();
    let daxie = sheet
        .rows()
        .find(|r| r[0] == "大榭街道")
        .expect("大榭街道 in the workbook");
    assert_eq!(
        (daxie[1].to_string(), daxie[3].to_string()),
        ("101".into(), "97".into())
    );
    // Nothing stored: the draft is still used by no campaign.
    assert!(
        db.store
            .campaigns(org.id)
            .await
            .unwrap()
            .iter()
            .all(|c| c.rubric_id != draft)
    );
    let mut leader = Client::new(app);
    leader.login("lingdao", PW).await;
    assert_eq!(leader.get("/admin/whatif").await.status, 403);
    db.finish().await;
}

/// Each select's chosen value on a page: (name, value).
fn chosen(body: &str) -> Vec<(String, String)> {
    body.split("<select ")
        .skip(1)
        .filter_map(|s| {
            let name = between(s, "name=\"", "\"")?;
            let head = s.split("</select>").next()?;
            let value = head
                .split("<option ")
                .find(|o| o.contains(" selected>"))
                .and_then(|o| between(o, "value=\"", "\""))
                .unwrap_or_default();
            Some((name, value))
        })
        .collect()
}

/// The draft imported from next year's annex has keys of its own: the what-if says how
/// many facts are not mapped, the mapping page suggests last year's facts, a wrong
/// choice is refused with nothing kept, and the saved mapping is remembered, audited
/// and used by the what-if.
#[tokio::test]
async fn the_admin_maps_an_imported_drafts_facts_to_last_years_by_hand() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let campaign = db.store.campaigns(org.id).await.unwrap()[0].clone();
    let cid = campaign.id;
    let draft = db
        .store
        .rubrics(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == "annex-2027")
        .expect("the demo has the draft imported from the annex")
        .id;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let query = format!("rubric={draft}&campaign={cid}");
    let page = admin.get(&format!("/admin/whatif?{query}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let notice = between(&page.body, "id=\"unmapped\"", "</p>").expect("the unmapped notice");
    assert!(notice.contains("项有建议的对应"), "{notice}");
    assert!(
        notice.contains(&format!("/admin/whatif/map?rubric={draft}")),
        "{notice}"
    );

    let map = admin.get(&format!("/admin/whatif/map?{query}")).await;
    assert_eq!(map.status, 200, "{}", map.body);
    assert!(
        map.body
            .contains("<span class=\"state draft\">建议，请核对</span>")
    );
    assert!(
        map.body.contains(">名称相同</span>"),
        "the unit-level fact of the same name"
    );
    // A fact found by its label is undone only by saying last year had none.
    let found = between(&map.body, "name=\"m.qyldrks\"", "</select>").unwrap();
    assert!(!found.contains("<option value=\"\""), "{found}");
    assert!(found.contains("往年没有这项数据"));
    let summary = between(&map.body, "id=\"map-summary\">", "</p>").unwrap();
    assert!(
        summary.starts_with("已对应 1 项，有建议待核对 "),
        "{summary}"
    );
    let mut form = chosen(&map.body);
    let value = |form: &[(String, String)], name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} on the page"))
    };
    assert_eq!(
        value(&form, "m.glgz.5.xxdjl"),
        "management.5.registration_rate"
    );
    assert_eq!(
        value(&form, "m.cxgz.3.kztghd"),
        "",
        "the new item's fact is open"
    );
    // No machine code is shown: the options name the item and the fact.
    assert!(map.body.contains("管理工作第5项 · 信息登记率（百分比）"));

    // A count chosen for a percentage is refused, the form kept, nothing stored.
    let csrf = map.csrf();
    let (rubric_s, campaign_s) = (draft.to_string(), cid.to_string());
    let send = |form: &[(String, String)]| -> Vec<(String, String)> {
        [
            ("csrf", &csrf),
            ("rubric", &rubric_s),
            ("campaign", &campaign_s),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .chain(form.iter().cloned())
        .collect()
    };
    let mut bad = form.clone();
    bad.iter_mut()
        .find(|(n, _)| n == "m.glgz.5.xxdjl")
        .unwrap()
        .1 = "basic.1.misses".into();
    let r = admin
        .post("/admin/whatif/map", &borrowed(&send(&bad)))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("类型不同，不能对应"), "{}", r.body);
    // (Only a forged form can send it: the page offers facts of the same type.)
    assert!(
        r.body
            .contains("name=\"m.glgz.5.xxdjl\" aria-invalid=\"true\"")
    );
    assert_eq!(
        value(&chosen(&r.body), "m.glgz.1.hfhgdczfwgyl"),
        value(&form, "m.glgz.1.hfhgdczfwgyl"),
        "the other choices are kept"
    );
    let kept = db
        .store
        .fact_mappings(org.id, campaign.rubric_id, draft)
        .await
        .unwrap();
    assert!(kept.is_empty());

    // The suggestions confirmed, the new item's fact said to be new.
    form.iter_mut()
        .find(|(n, _)| n == "m.cxgz.3.kztghd")
        .unwrap()
        .1 = "~none".into();
    let suggested = form.iter().filter(|(_, v)| !v.is_empty()).count();
    let r = admin
        .post("/admin/whatif/map", &borrowed(&send(&form)))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/admin/whatif?{query}&saved=map").as_str())
    );
    let kept = db
        .store
        .fact_mappings(org.id, campaign.rubric_id, draft)
        .await
        .unwrap();
    // The automatic ones (the unit-level fact of the same label) need no row.
    assert_eq!(kept.len(), suggested - 1, "{kept:?}");
    assert!(
        kept.iter()
            .any(|m| m.new_key == "cxgz.3.kztghd" && m.old_key.is_none())
    );
    let log = db.store.audit_rows(org.id, 5).await.unwrap();
    let row = log
        .iter()
        .find(|r| r.entry.action == "whatif.mapping")
        .expect("an audit row");
    assert!(
        row.entry
            .changes
            .to_string()
            .contains("管理工作第5项 · 信息登记率（百分比）"),
        "{}",
        row.entry.changes
    );

    // Only what still needs a person: the facts neither mapped nor ruled on; saving
    // that shorter form keeps every mapping it does not show.
    let open = admin
        .get(&format!("/admin/whatif/map?{query}&only=open"))
        .await;
    assert!(open.body.contains("显示全部数据"));
    let shown = chosen(&open.body);
    assert!(
        !shown.is_empty() && shown.len() < form.len(),
        "{}",
        shown.len()
    );
    assert!(
        shown.iter().all(|(_, v)| v.is_empty()),
        "only open facts: {shown:?}"
    );
    assert!(!open.body.contains("name=\"m.qyldrks\""));
    let r = admin
        .post("/admin/whatif/map", &borrowed(&send(&shown)))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let again_kept = db
        .store
        .fact_mappings(org.id, campaign.rubric_id, draft)
        .await
        .unwrap();
    assert_eq!(again_kept, kept, "nothing not shown was changed");

    // The what-if uses it: the rate moves with the draft's 97%, the new fact is new.
    let page = admin.get(&format!("/admin/whatif?{query}&saved=map")).await;
    assert!(page.body.contains("已保存数据对应"));
    // Which units move under the imported draft, once its facts are carried.
    let table = between(&page.body, "id=\"compare\"", "</section>").unwrap();
    assert!(
        table.contains("change down") && table.contains("change up"),
        "units move: {table}"
    );
    assert!(
        page.body.contains("开展推广活动（新增数据，往年没有）"),
        "{}",
        page.body
    );
    let again = admin.get(&format!("/admin/whatif/map?{query}")).await;
    assert_eq!(value(&chosen(&again.body), "m.cxgz.3.kztghd"), "~none");
    assert!(again.body.contains("人工对应"));
    assert!(
        !again
            .body
            .contains("<span class=\"state draft\">建议，请核对</span>"),
        "every suggestion was confirmed"
    );
    db.finish().await;
}

fn borrowed(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}
