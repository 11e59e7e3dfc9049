//! Review (考核) through HTTP: an assessor confirms, corrects a fact with a reason, and
//! returns an item; the unit corrects only that item and resubmits; both versions stay.

use crate::common::*;
use kaohe_storage::testing;

/// The demo's 小港街道 has submitted; kaoheban reviews the organiser office's items
/// (basic.*, innovation.*).
async fn setup(db: &testing::TestDb) -> (axum::Router, i64, i64) {
    let app = demo_app(db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let c = db.store.campaigns(org.id).await.unwrap()[0].clone();
    let unit = db
        .store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "小港街道")
        .unwrap();
    (app, c.id, unit.id)
}

#[tokio::test]
async fn an_assessor_confirms_corrects_with_a_reason_and_returns_an_item() {
    let db = testing::sqlite().await;
    let (app, cid, uid) = setup(&db).await;
    let mut a = Client::new(app.clone());
    a.login("kaoheban", PW).await;

    let queue = a.get(&format!("/c/{cid}/review")).await;
    assert_eq!(queue.status, 200);
    assert!(
        queue.body.contains("小港街道") && queue.body.contains("basic.1"),
        "{}",
        queue.body
    );
    assert!(
        !queue.body.contains("management.1"),
        "another department's item is not in the queue"
    );

    // Confirm basic.1 unchanged: one click.
    let url = format!("/c/{cid}/u/{uid}/r/basic.1");
    let page = a.get(&url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // Its count of misses follows the district's records: shown, not a field to change.
    assert!(
        !page.body.contains("name=\"v:basic.1.misses\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("未落实次数"), "{}", page.body);
    let r = a
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", "0"),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let queue = a.get(&format!("/c/{cid}/review")).await;
    assert!(queue.body.contains("已确认"));

    // Correct basic.2: a changed value needs a reason, and a changed score another.
    let url = format!("/c/{cid}/u/{uid}/r/basic.2");
    let page = a.get(&url).await;
    let fields = |csrf: &str, why: &str, score_reason: &str| {
        vec![
            ("csrf".to_string(), csrf.to_string()),
            ("version".into(), "0".into()),
            ("action".into(), "confirm".into()),
            ("v:basic.2.funding".into(), "否".into()),
            ("why:basic.2.funding".into(), why.to_string()),
            ("score_reason".into(), score_reason.to_string()),
        ]
    };
    let as_refs = |v: &Vec<(String, String)>| {
        v.iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    let f1 = as_refs(&fields(&page.csrf(), "", ""));
    let f1: Vec<(&str, &str)> = f1.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = a.post(&url, &f1).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("请写明理由"), "{}", r.body);
    let f2 = as_refs(&fields(&page.csrf(), "未见经费拨付凭证", ""));
    let f2: Vec<(&str, &str)> = f2.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = a.post(&url, &f2).await;
    assert!(
        r.body.contains("与自查分") && r.body.contains("不同"),
        "{}",
        r.body
    );
    let f3 = as_refs(&fields(
        &page.csrf(),
        "未见经费拨付凭证",
        "工作经费以财政拨付凭证为准",
    ));
    let f3: Vec<(&str, &str)> = f3.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = a.post(&url, &f3).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = a.get(&url).await;
    assert!(page.body.contains("未见经费拨付凭证"));
    assert!(page.body.contains("落实工作经费：否"), "{}", page.body);

    // Return basic.4 with a comment; the report goes back to the unit.
    let url = format!("/c/{cid}/u/{uid}/r/basic.4");
    let page = a.get(&url).await;
    let sessions = between(&page.body, "name=\"v:basic.4.sessions\" value=\"", "\"").unwrap();
    let r = a
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", "0"),
                ("action", "return"),
                ("v:basic.4.sessions", &sessions),
                ("comment", ""),
            ],
        )
        .await;
    assert!(r.body.contains("退回须写明"), "{}", r.body);
    let r = a
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", "0"),
                ("action", "return"),
                ("v:basic.4.sessions", &sessions),
                ("comment", "请补充第二次培训的签到表"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The unit sees the return, may change basic.4 only, and resubmits.
    let mut u = Client::new(app.clone());
    u.login("xiaogang", PW).await;
    let report = u.get(&format!("/c/{cid}/u/{uid}")).await;
    assert!(
        report.body.contains("请补充第二次培训的签到表"),
        "{}",
        report.body
    );
    let item = u.get(&format!("/c/{cid}/u/{uid}/i/basic.4")).await;
    assert!(
        item.body.contains("保存并标记完成"),
        "the returned item is editable"
    );
    let version = between(&item.body, "name=\"version\" value=\"", "\"").unwrap();
    let r = u
        .post(
            &format!("/c/{cid}/u/{uid}/i/basic.4"),
            &[
                ("csrf", &item.csrf()),
                ("version", &version),
                ("action", "done"),
                ("basic.4.sessions", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let other = u.get(&format!("/c/{cid}/u/{uid}/i/basic.1")).await;
    assert!(
        !other.body.contains("保存并标记完成"),
        "an item not returned stays read-only"
    );
    let r = u
        .post(
            &format!("/c/{cid}/u/{uid}/i/basic.1"),
            &[
                ("csrf", &other.csrf()),
                ("version", "1"),
                ("action", "done"),
                ("basic.1.misses", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    let report = u.get(&format!("/c/{cid}/u/{uid}")).await;
    let r = u
        .post(
            &format!("/c/{cid}/u/{uid}/submit"),
            &[
                ("csrf", &report.csrf()),
                ("filler_name", "王五"),
                ("filler_phone", "0574-86000001"),
                ("approver", "赵六"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The resubmission is audited as what it was: from 退回, not from a draft.
    let org = db.store.organisers().await.unwrap()[0].id;
    let rows = db.store.audit_rows(org, 500).await.unwrap();
    let resubmit = rows
        .iter()
        .find(|r| r.entry.action == "report.submit")
        .expect("the resubmission is audited");
    assert_eq!(
        resubmit.entry.changes[0],
        serde_json::json!({"field": "state", "old": "returned", "new": "submitted"}),
        "{:?}",
        resubmit.entry
    );
    assert_eq!(
        resubmit.entry.changes[1]["old"], "小港街道填报员",
        "the filler before the resubmission is the old value: {:?}",
        resubmit.entry
    );

    let queue = a.get(&format!("/c/{cid}/review")).await;
    assert!(queue.body.contains("待复审"), "{}", queue.body);
    let history = db
        .store
        .report_item_history(cid, uid, "basic.4")
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        2,
        "both versions of the returned item are kept"
    );
    let log = {
        let mut admin = Client::new(app);
        admin.login("admin", PW).await;
        admin.get("/audit").await.body
    };
    assert!(
        log.contains("review.return") && log.contains("review.confirm"),
        "{log}"
    );
    db.finish().await;
}

#[tokio::test]
async fn an_assessor_cannot_review_another_departments_item_or_an_unsubmitted_report() {
    let db = testing::sqlite().await;
    let (app, cid, uid) = setup(&db).await;
    let mut a = Client::new(app);
    a.login("kaoheban", PW).await;
    assert_eq!(
        a.get(&format!("/c/{cid}/u/{uid}/r/management.1"))
            .await
            .status,
        403
    );
    // 新碶街道 has not submitted.
    let org = db.store.organisers().await.unwrap()[0].clone();
    let xinqi = db
        .store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "新碶街道")
        .unwrap();
    let url = format!("/c/{cid}/u/{}/r/basic.1", xinqi.id);
    let page = a.get(&url).await;
    assert!(page.body.contains("尚未提交"), "{}", page.body);
    let r = a
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", "0"),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    db.finish().await;
}

/// The queue at volume: one item across all units, units not submitted shown as such,
/// many items confirmed at once with a row each in the audit log, and a pick made stale
/// by a review meanwhile left alone.
#[tokio::test]
async fn an_assessor_reviews_one_item_across_units_and_confirms_many_at_once() {
    let db = testing::sqlite().await;
    let (app, cid, uid) = setup(&db).await;
    let mut a = Client::new(app.clone());
    a.login("kaoheban", PW).await;
    let queue = a
        .get(&format!("/c/{cid}/review?item=basic.1&group=item"))
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.body.contains("<h2>基础工作第1项 "), "{}", queue.body);
    assert!(
        !queue.body.contains("/r/basic.2\""),
        "only the item asked for: {}",
        queue.body
    );
    // 新碶街道 has not submitted: 未提交, not 待审核, and nothing to pick.
    let xinqi = between(&queue.body, "<td>新碶街道</td>", "</tr>").unwrap();
    assert!(
        xinqi.contains("未提交") && !xinqi.contains("待审核"),
        "{xinqi}"
    );
    let picks: Vec<String> = queue
        .body
        .split("name=\"pick\" value=\"")
        .skip(1)
        .map(|p| p.split('"').next().unwrap().to_string())
        .collect();
    assert!(picks.len() >= 2, "submitted units can be picked: {picks:?}");
    assert!(
        picks
            .iter()
            .any(|p| p.starts_with(&format!("{uid}:basic.1:")))
    );

    // Someone reviews 小港街道's basic.1 after the page was opened: that pick is stale.
    let page = a.get(&format!("/c/{cid}/u/{uid}/r/basic.1")).await;
    assert!(
        page.body.contains("下一单位"),
        "the same item in the next unit: {}",
        page.body
    );
    let r = a
        .post(
            &format!("/c/{cid}/u/{uid}/r/basic.1"),
            &[
                ("csrf", &page.csrf()),
                ("version", "0"),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let csrf = queue.csrf();
    let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf), ("back", "item=basic.1&group=item")];
    for p in &picks {
        fields.push(("pick", p));
    }
    let done = a.post(&format!("/c/{cid}/review/confirm"), &fields).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let n = picks.len() - 1;
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/c/{cid}/review?item=basic.1&group=item&confirmed={n}&skipped=1").as_str())
    );
    let after = a.get(done.location.as_deref().unwrap()).await;
    assert!(
        after
            .body
            .contains(&format!("已确认 {n} 项；另有 1 项未确认")),
        "{}",
        after.body
    );
    assert!(
        !after.body.contains("name=\"pick\""),
        "nothing left to confirm"
    );
    let org = db.store.organisers().await.unwrap()[0].id;
    let rows = db.store.audit_rows(org, 200).await.unwrap();
    let batch = rows
        .iter()
        .filter(|r| {
            r.entry.action == "review.confirm" && r.entry.changes.to_string().contains("批量确认")
        })
        .count();
    assert_eq!(batch, n, "each confirmed item has its own audit row");
    // Confirmed unchanged: 考核分 is the unit's own.
    let reviews = db.store.reviews(cid, uid).await.unwrap();
    assert_eq!(
        reviews.len(),
        1,
        "the earlier review of 小港街道 stands alone"
    );
    db.finish().await;
}
