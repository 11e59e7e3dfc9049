//! A whole campaign in process, for several units and every role: self-check, review
//! with a difference and a return, results, publication, an accepted and a rejected
//! appeal, lock — after which every mutating route of the campaign (read from the same
//! route table as the router) is refused, except unlock — and an audited unlock. The
//! audit log holds one change row per changing action; the ranking agrees with
//! `kaohe score` on the final facts; the audit chain verifies, and fails once a row is
//! altered behind the application's back.

use std::collections::BTreeMap;

use crate::common::*;
use kaohe_core::Rubric;
use kaohe_storage::testing;
use kaohe_web::routes;

/// Counts the changing actions the story makes: each must answer with a redirect.
struct Story {
    actions: usize,
}

impl Story {
    async fn act(&mut self, c: &mut Client, url: &str, fields: &[(&str, &str)]) -> Resp {
        let r = c.post(url, fields).await;
        assert_eq!(r.status, 303, "{url}: {}", r.body);
        self.actions += 1;
        r
    }
}

const DEMO: &str = include_str!("../../../../examples/beilun-2026-demo.csv");

/// The demo CSV as unit → key → value.
fn demo() -> (Vec<String>, BTreeMap<String, BTreeMap<String, String>>) {
    let mut lines = DEMO.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut rows = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let row = header
            .iter()
            .zip(&cells)
            .skip(1)
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        rows.insert(cells[0].to_string(), row);
    }
    (header, rows)
}

#[tokio::test]
async fn a_whole_campaign_runs_and_locks_and_every_change_is_in_the_audit_log() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let store = &db.store;
    let org = store.organisers().await.unwrap()[0].clone();
    let cid = store.campaigns(org.id).await.unwrap()[0].id;
    let units = store.units(org.id).await.unwrap();
    let uid = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
    let rubric = Rubric::from_toml(kaohe_web::setup::BEILUN_RUBRIC, "beilun").unwrap();
    let changes_before = change_rows(store, org.id).await;
    let mut story = Story { actions: 0 };
    let (header, mut facts) = demo();

    // Self-check: 新碶街道 fills every item and submits; four units still in draft
    // submit; 春晓街道 (a fact missing) does not.
    let mut xinqi = Client::new(app.clone());
    xinqi.login("xinqi", PW).await;
    let x = uid("新碶街道");
    // Its records were kept during the year (the demo's); the office confirms the two
    // articles still waiting, from its list.
    let mut office = Client::new(app.clone());
    office.login("kaoheban", PW).await;
    for r in store
        .records_between(org.id, "2026-01-01", "2026-12-31")
        .await
        .unwrap()
    {
        if r.unit_id != x || r.state != kaohe_storage::RecordState::Declared {
            continue;
        }
        let page = office.get(&format!("/c/{cid}/records?unit={x}")).await;
        story
            .act(
                &mut office,
                &format!("/c/{cid}/records/{}/answer", r.id),
                &[
                    ("csrf", &page.csrf()),
                    ("action", "confirm"),
                    ("back", "list"),
                ],
            )
            .await;
    }
    for item in rubric.items() {
        let url = format!("/c/{cid}/u/{x}/i/{}", item.id);
        let page = xinqi.get(&url).await;
        let version = between(&page.body, "name=\"version\" value=\"", "\"").unwrap();
        let csrf = page.csrf();
        let mut fields: Vec<(&str, &str)> =
            vec![("csrf", &csrf), ("version", &version), ("action", "done")];
        let prefix = format!("{}.", item.id);
        for (k, v) in &facts["新碶街道"] {
            if k.starts_with(&prefix) {
                fields.push((k, v));
            }
        }
        story.act(&mut xinqi, &url, &fields).await;
    }
    let url = format!("/c/{cid}/u/{x}/i/basic.1");
    let page = xinqi.get(&url).await;
    let r = xinqi
        .post_multipart(
            &format!("{url}/evidence"),
            &[("csrf", &page.csrf())],
            ("file", "季度总结.pdf", b"%PDF-1.4 summary"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    story.actions += 1;
    let submit = |c: &mut Client, u: i64| {
        let url = format!("/c/{cid}/u/{u}/submit");
        let page_url = format!("/c/{cid}/u/{u}");
        let mut c = c.clone();
        async move {
            let page = c.get(&page_url).await;
            (c, url, page.csrf())
        }
    };
    let (mut xc, url, csrf) = submit(&mut xinqi, x).await;
    story
        .act(
            &mut xc,
            &url,
            &[
                ("csrf", &csrf),
                ("filler_name", "张三"),
                ("filler_phone", "0574-86000000"),
                ("approver", "李四"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    for (name, user) in [
        ("梅山街道", "meishan"),
        ("白峰街道", "baifeng"),
        ("郭巨街道", "guoju"),
        ("大榭街道", "daxie"),
    ] {
        let mut c = Client::new(app.clone());
        c.login(user, PW).await;
        let (mut c, url, csrf) = submit(&mut c, uid(name)).await;
        story
            .act(
                &mut c,
                &url,
                &[
                    ("csrf", &csrf),
                    ("filler_name", "填报人"),
                    ("filler_phone", "0574-86000001"),
                    ("approver", "审核人"),
                    ("confirmed", "yes"),
                ],
            )
            .await;
    }

    // Review: each department confirms its items of every submitted unit; 小港街道's
    // basic.4 is corrected (a difference, with reasons); 新碶街道's basic.4 is returned,
    // corrected by the unit, resubmitted and confirmed.
    let mut assessors = BTreeMap::new();
    for user in ["kaoheban", "gongan", "renshe"] {
        let mut c = Client::new(app.clone());
        c.login(user, PW).await;
        assessors.insert(user, c);
    }
    let who = |item: &str| match item.split('.').next().unwrap() {
        "management" => "gongan",
        "service" => "renshe",
        _ => "kaoheban",
    };
    let submitted = [
        "新碶街道",
        "小港街道",
        "大碶街道",
        "霞浦街道",
        "柴桥街道",
        "戚家山街道",
        "梅山街道",
        "白峰街道",
        "郭巨街道",
        "大榭街道",
    ];
    for name in submitted {
        let u = uid(name);
        for item in rubric.items() {
            let c = assessors.get_mut(who(&item.id)).unwrap();
            let url = format!("/c/{cid}/u/{u}/r/{}", item.id);
            let page = c.get(&url).await;
            let csrf = page.csrf();
            if name == "小港街道" && item.id == "basic.4" {
                story
                    .act(
                        c,
                        &url,
                        &[
                            ("csrf", &csrf),
                            ("version", "0"),
                            ("action", "confirm"),
                            ("v:basic.4.sessions", "1"),
                            ("why:basic.4.sessions", "区里只收到 1 次培训的签到表"),
                            ("score_reason", "培训次数以签到表为准"),
                        ],
                    )
                    .await;
                facts
                    .get_mut(name)
                    .unwrap()
                    .insert("basic.4.sessions".into(), "1".into());
            } else if name == "新碶街道" && item.id == "basic.4" {
                story
                    .act(
                        c,
                        &url,
                        &[
                            ("csrf", &csrf),
                            ("version", "0"),
                            ("action", "return"),
                            ("comment", "请补充培训签到表"),
                        ],
                    )
                    .await;
            } else {
                story
                    .act(
                        c,
                        &url,
                        &[("csrf", &csrf), ("version", "0"), ("action", "confirm")],
                    )
                    .await;
            }
        }
    }
    let url = format!("/c/{cid}/u/{x}/i/basic.4");
    let page = xinqi.get(&url).await;
    let version = between(&page.body, "name=\"version\" value=\"", "\"").unwrap();
    story
        .act(
            &mut xinqi,
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", &version),
                ("action", "done"),
                ("basic.4.sessions", "3"),
            ],
        )
        .await;
    facts
        .get_mut("新碶街道")
        .unwrap()
        .insert("basic.4.sessions".into(), "3".into());
    let (mut xc, url, csrf) = submit(&mut xinqi, x).await;
    story
        .act(
            &mut xc,
            &url,
            &[
                ("csrf", &csrf),
                ("filler_name", "张三"),
                ("filler_phone", "0574-86000000"),
                ("approver", "李四"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    let kb = assessors.get_mut("kaoheban").unwrap();
    let url = format!("/c/{cid}/u/{x}/r/basic.4");
    let page = kb.get(&url).await;
    story
        .act(
            kb,
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", "1"),
                ("action", "confirm"),
            ],
        )
        .await;

    // Results (春晓街道 never submitted: computed anyway), publication.
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    let csrf = page.csrf();
    story
        .act(
            &mut admin,
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &csrf), ("force", "yes")],
        )
        .await;
    let (start, end) = window();
    story
        .act(
            &mut admin,
            &format!("/admin/c/{cid}/publish"),
            &[("csrf", &csrf), ("start", &start), ("end", &end)],
        )
        .await;

    // Appeals: 小港街道's basic.4 accepted (after the assessor corrects it again),
    // 大碶街道's management.1 rejected.
    let mut xg = Client::new(app.clone());
    xg.login("xiaogang", PW).await;
    let xiaogang = uid("小港街道");
    let url = format!("/c/{cid}/u/{xiaogang}/appeal/basic.4");
    let page = xg.get(&url).await;
    let r = xg
        .post_multipart(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("reason", "第二次培训的签到表已补交"),
            ],
            ("file", "通知.pdf", b"%PDF-1.4"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    story.actions += 1;
    let mut dq = Client::new(app.clone());
    dq.login("daqi", PW).await;
    let daqi = uid("大碶街道");
    let url = format!("/c/{cid}/u/{daqi}/appeal/management.1");
    let page = dq.get(&url).await;
    let r = dq
        .post_multipart(
            &url,
            &[("csrf", &page.csrf()), ("reason", "供应量统计口径不同")],
            ("file", "", b""),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    story.actions += 1;
    let appeals = store.appeals(cid).await.unwrap();
    let kb = assessors.get_mut("kaoheban").unwrap();
    let url = format!("/c/{cid}/u/{xiaogang}/r/basic.4");
    let page = kb.get(&url).await;
    story
        .act(
            kb,
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", "1"),
                ("action", "confirm"),
                ("v:basic.4.sessions", "2"),
                (
                    "why:basic.4.sessions",
                    "申诉核实：补交的签到表属实，共 2 次",
                ),
                ("score_reason", "申诉核实后加 2 分"),
            ],
        )
        .await;
    facts
        .get_mut("小港街道")
        .unwrap()
        .insert("basic.4.sessions".into(), "2".into());
    let accept = appeals.iter().find(|a| a.item_id == "basic.4").unwrap().id;
    story
        .act(
            kb,
            &format!("/c/{cid}/appeals/{accept}"),
            &[
                ("csrf", &page.csrf()),
                ("decision", "accept"),
                ("answer", "采纳"),
            ],
        )
        .await;
    let ga = assessors.get_mut("gongan").unwrap();
    let page = ga.get(&format!("/c/{cid}/appeals")).await;
    let reject = appeals
        .iter()
        .find(|a| a.item_id == "management.1")
        .unwrap()
        .id;
    story
        .act(
            ga,
            &format!("/c/{cid}/appeals/{reject}"),
            &[
                ("csrf", &page.csrf()),
                ("decision", "reject"),
                ("answer", "按区住建局统计口径"),
            ],
        )
        .await;

    // The ranking agrees with `kaohe score` on the final facts.
    let mut csv = header.join(",");
    csv.push('\n');
    for (name, row) in &facts {
        let cells: Vec<&str> = header
            .iter()
            .skip(1)
            .map(|k| row.get(k).map(String::as_str).unwrap_or(""))
            .collect();
        csv.push_str(&format!("{name},{}\n", cells.join(",")));
    }
    let scored = kaohe_formats::read_facts(&rubric, "final.csv", csv.as_bytes()).unwrap();
    let totals: Vec<_> = scored
        .iter()
        .map(|u| kaohe_core::score(&rubric, &u.facts).total)
        .collect();
    let ranks = kaohe_core::rank(&totals);
    let run = store.results(cid).await.unwrap().pop().unwrap();
    for (n, u) in scored.iter().enumerate() {
        let row = run.data["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit"] == u.unit.as_str())
            .unwrap();
        assert_eq!(
            row["total"].as_str().unwrap(),
            kaohe_core::fmt_decimal(totals[n]),
            "{}",
            u.unit
        );
        assert_eq!(
            row["rank"].as_u64().unwrap() as usize,
            ranks[n],
            "{}",
            u.unit
        );
    }

    // Lock; then every mutating route of the campaign is refused, except unlock.
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    let csrf = page.csrf();
    story
        .act(
            &mut admin,
            &format!("/admin/c/{cid}/lock"),
            &[("csrf", &csrf), ("reason", "提前定稿：申诉已全部答复")],
        )
        .await;
    let rows_locked = change_rows(store, org.id).await;
    let evidence = store.evidence_list(cid, x).await.unwrap();
    // A record of the campaign's year: it changes no more either.
    let record = store
        .records_between(org.id, "2026-01-01", "2026-12-31")
        .await
        .unwrap()
        .first()
        .map(|r| r.id)
        .unwrap_or(1);
    let mut tried = 0;
    for route in routes::table() {
        let path = route.path;
        // Rectification goes on after the lock (its list of problems does not change):
        // tests/it/rectify.rs follows it there.
        if route.method.as_str() != "POST"
            || !path.contains("{cid}")
            || path.ends_with("/unlock")
            || path.ends_with("/preview")
            || route.action.rule() == kaohe_web::year::Rule::Rectify
        {
            continue;
        }
        let url = path
            .replace("{cid}", &cid.to_string())
            .replace("{uid}", &x.to_string())
            .replace("{item}", "basic.1")
            .replace(
                "{eid}",
                &evidence.first().map(|e| e.id).unwrap_or(1).to_string(),
            )
            .replace("{aid}", &accept.to_string())
            .replace("{pid}", "1")
            .replace("{recid}", &record.to_string())
            .replace("{iid}", "1");
        let (client, token): (&mut Client, String) =
            if path.starts_with("/admin/") || path.ends_with("/rectify/{pid}/drop") {
                let t = admin.token().await;
                (&mut admin, t)
            } else if path.contains("/r/{item}")
                || path.contains("/appeals/")
                || path.contains("/review/")
                || path.ends_with("/answer")
                || path.ends_with("/like")
                || path.ends_with("/records/confirm")
            {
                let c = assessors.get_mut("kaoheban").unwrap();
                let t = c.token().await;
                (c, t)
            } else {
                let t = xinqi.token().await;
                (&mut xinqi, t)
            };
        let r = if path.ends_with("/evidence") || path.contains("/appeal/") {
            client
                .post_multipart(
                    &url,
                    &[("csrf", &token), ("reason", "定稿后再申诉")],
                    ("file", "a.pdf", b"%PDF-1.4"),
                )
                .await
        } else {
            client
                .post(
                    &url,
                    &[
                        ("csrf", &token),
                        ("version", "1"),
                        ("action", "confirm"),
                        ("decision", "accept"),
                        ("answer", "x"),
                        ("title", "改名"),
                        ("deadline", "2099-12-31"),
                        ("floating_population", "1000"),
                        ("start", &start),
                        ("end", &end),
                        ("reason", "再锁一次"),
                        ("force", "yes"),
                        ("filler_name", "张三"),
                        ("filler_phone", "0574-86000000"),
                        ("approver", "李四"),
                        ("confirmed", "yes"),
                        ("basic.1.misses", "0"),
                    ],
                )
                .await
        };
        assert!(
            r.body.contains("定稿"),
            "POST {path} after the lock: {} {}",
            r.status,
            r.body
        );
        assert_ne!(r.status, 303, "POST {path} after the lock was not refused");
        tried += 1;
    }
    assert!(
        tried >= 10,
        "the campaign's mutating routes were tried ({tried})"
    );
    assert_eq!(
        change_rows(store, org.id).await,
        rows_locked,
        "nothing changed while locked"
    );

    // An audited unlock.
    let page = admin.get(&format!("/admin/c/{cid}")).await;
    let r = admin
        .post(
            &format!("/admin/c/{cid}/unlock"),
            &[("csrf", &page.csrf()), ("reason", "")],
        )
        .await;
    assert_ne!(r.status, 303, "an unlock needs a reason");
    story
        .act(
            &mut admin,
            &format!("/admin/c/{cid}/unlock"),
            &[("csrf", &page.csrf()), ("reason", "更正录入错误")],
        )
        .await;
    let log = store.audit_rows(org.id, 10).await.unwrap();
    assert_eq!(log[0].entry.action, "campaign.unlock");
    assert_eq!(log[0].entry.reason.as_deref(), Some("更正录入错误"));

    // One change row per changing action.
    assert_eq!(
        change_rows(store, org.id).await - changes_before,
        story.actions
    );

    // The chain verifies, and fails once a row is altered behind the application's back.
    assert!(store.audit_verify().await.unwrap().problems.is_empty());
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&db.url)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET reason = '改过' WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let check = store.audit_verify().await.unwrap();
    assert!(
        check.problems.iter().any(|p| p.contains("第 3 条")),
        "{:?}",
        check.problems
    );
    db.finish().await;
}

/// Rows of the audit log that record a change (not logins, downloads or exports).
async fn change_rows(store: &kaohe_storage::Store, org: i64) -> usize {
    store
        .audit_rows(org, 1_000_000)
        .await
        .unwrap()
        .iter()
        .filter(|r| {
            !matches!(
                r.entry.action.as_str(),
                "login" | "evidence.download" | "audit.export" | "demo.seed"
            )
        })
        .count()
}

/// A publication window from today for a week, China time.
fn window() -> (String, String) {
    let day = |offset: i64| {
        let t = time::OffsetDateTime::now_utc()
            .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
            + time::Duration::days(offset);
        format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
    };
    (day(0), day(6))
}
