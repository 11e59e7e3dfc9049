//! A reporter's self-check through HTTP, as a person does it in the browser: log in,
//! open the campaign, fill every item, see the score, submit. The score the page shows
//! equals `kaohe score` on the same facts.

use crate::common::*;
use kaohe_core::Rubric;
use kaohe_storage::testing;

/// The demo CSV's values for one unit, by fact key, as text.
fn demo_row(unit: &str) -> Vec<(String, String)> {
    let csv = include_str!("../../../../examples/beilun-2026-demo.csv");
    let mut lines = csv.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines
        .find(|l| l.starts_with(unit))
        .unwrap()
        .split(',')
        .collect();
    header
        .iter()
        .zip(row)
        .skip(1)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn expected_total(unit: &str) -> String {
    let rubric = Rubric::from_toml(kaohe_web::setup::BEILUN_RUBRIC, "beilun").unwrap();
    let csv = include_str!("../../../../examples/beilun-2026-demo.csv");
    let units = kaohe_formats::read_facts(&rubric, "demo.csv", csv.as_bytes()).unwrap();
    let u = units.iter().find(|u| u.unit == unit).unwrap();
    kaohe_core::fmt_decimal(kaohe_core::score(&rubric, &u.facts).total)
}

async fn open_report(c: &mut Client) -> String {
    let home = c.get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    let href = between(&home.body, "href=\"/c/", "\"").expect("a campaign link on the home page");
    format!("/c/{href}")
}

#[tokio::test]
async fn a_reporter_fills_and_submits_and_the_score_matches_the_command_line() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut c = Client::new(app);
    let r = c.login("xinqi", PW).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let report = open_report(&mut c).await;
    let page = c.get(&report).await;
    assert!(page.body.contains("新碶街道 · 自查"), "{}", page.body);
    assert!(page.body.contains("未填"));

    // Submitting an empty report is refused, with the list of what is missing.
    let csrf = page.csrf();
    let refused = c
        .post(
            &format!("{report}/submit"),
            &[
                ("csrf", &csrf),
                ("filler_name", "张三"),
                ("filler_phone", "0574-86000000"),
                ("approver", "李四"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("未提交"), "{}", refused.body);
    assert!(refused.body.contains("必填数据未填"), "{}", refused.body);

    // Fill every item with the demo CSV's row for 新碶街道, marking each done (the
    // articles, reports and instructions it counts are its records, kept in the year).
    let values = demo_row("新碶街道");
    let rubric = Rubric::from_toml(kaohe_web::setup::BEILUN_RUBRIC, "beilun").unwrap();
    for item in rubric.items() {
        let url = format!("{report}/i/{}", item.id);
        let page = c.get(&url).await;
        assert_eq!(page.status, 200, "{url}: {}", page.body);
        assert!(
            page.body.contains(&item.criteria),
            "{url} shows the criteria text"
        );
        let csrf = page.csrf();
        let version = between(&page.body, "name=\"version\" value=\"", "\"").unwrap();
        let mut fields: Vec<(&str, &str)> =
            vec![("csrf", &csrf), ("version", &version), ("action", "done")];
        let prefix = format!("{}.", item.id);
        for (k, v) in &values {
            if k.starts_with(&prefix) {
                fields.push((k, v));
            }
        }
        let saved = c.post(&url, &fields).await;
        assert_eq!(saved.status, 303, "{url}: {}", saved.body);
        assert_eq!(
            saved.location.as_deref(),
            Some(format!("{url}?saved=done").as_str())
        );
    }

    let page = c.get(&report).await;
    let total = between(&page.body, "id=\"self-total\">", "<").unwrap();
    assert_eq!(
        total,
        expected_total("新碶街道"),
        "the page's self-score equals kaohe score"
    );
    assert!(!page.body.contains("尚未填写的必填数据"), "{}", page.body);

    // The printable 自查表: the annex's table, 自查分 filled in, 考核分 left blank, the
    // lines for the seal and the leader.
    let print = c.get(&format!("{report}/print")).await;
    assert_eq!(print.status, 200, "{}", print.body);
    assert!(print.body.contains("填报单位（盖章）"), "{}", print.body);
    assert!(print.body.contains("审核领导（签字）"));
    assert!(
        print.body.contains(&format!("<th>{}</th><th></th>", total)),
        "the total, and a blank 考核分: {}",
        print.body
    );
    assert!(!print.body.contains("未填"), "every item is filled");

    // Submitting asks first, listing what has no evidence; nothing is submitted yet.
    let csrf = page.csrf();
    let asked = c
        .post(
            &format!("{report}/submit"),
            &[
                ("csrf", &csrf),
                ("filler_name", "张三"),
                ("filler_phone", "0574-86000000"),
                ("approver", "李四"),
            ],
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked.body.contains("确认提交自查"), "{}", asked.body);
    assert!(
        asked.body.contains("没有上传佐证材料的项目（18 项）"),
        "{}",
        asked.body
    );
    assert!(!asked.body.contains("尚未标记完成的项目"), "{}", asked.body);
    assert!(asked.body.contains("name=\"confirmed\" value=\"yes\""));
    assert!(
        c.get(&report).await.body.contains("自查中"),
        "not submitted by the first press"
    );

    let done = c
        .post(
            &format!("{report}/submit"),
            &[
                ("csrf", &csrf),
                ("filler_name", "张三"),
                ("filler_phone", "0574-86000000"),
                ("approver", "李四"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = c.get(&report).await;
    assert!(page.body.contains("已提交"));
    assert!(page.body.contains("审核领导 李四"), "{}", page.body);

    // Read-only after submission.
    let url = format!("{report}/i/basic.4");
    let item = c.get(&url).await;
    assert!(item.body.contains("readonly"));
    let csrf = item.csrf();
    let late = c
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("action", "draft"),
                ("basic.4.sessions", "0"),
            ],
        )
        .await;
    assert_eq!(late.status, 400, "{}", late.body);
    db.finish().await;
}

#[tokio::test]
async fn the_preview_scores_what_is_typed_and_saves_nothing() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    c.login("xinqi", PW).await;
    let report = open_report(&mut c).await;
    let page = c.get(&format!("{report}/i/management.5")).await;
    let csrf = page.csrf();
    let preview = c
        .post(
            &format!("{report}/i/management.5/preview"),
            &[
                ("csrf", &csrf),
                ("management.5.registration_rate", "93.2"),
                ("management.5.accuracy_rate", "95%"),
                ("management.5.rental_registration_rate", "0.95"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200);
    assert!(
        preview.body.contains("信息登记率 93.2% &#60; 95% → −4"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("是否指 95%"), "{}", preview.body);
    // Nothing was saved.
    let page = c.get(&format!("{report}/i/management.5")).await;
    assert!(!page.body.contains("value=\"93.2\""));
    db.finish().await;
}

#[tokio::test]
async fn a_bad_value_is_refused_with_its_message_and_nothing_typed_is_lost() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    c.login("xinqi", PW).await;
    let report = open_report(&mut c).await;
    let url = format!("{report}/i/management.5");
    let page = c.get(&url).await;
    let csrf = page.csrf();
    let r = c
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("version", "0"),
                ("action", "draft"),
                ("management.5.registration_rate", "96.5"),
                ("management.5.accuracy_rate", "0.9"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("未保存"), "{}", r.body);
    assert!(r.body.contains("是否指 90%"), "{}", r.body);
    assert!(
        r.body.contains("value=\"96.5\""),
        "the good value is still in the form"
    );
    assert!(
        r.body.contains("value=\"0.9\""),
        "the bad value is still in the form"
    );
    db.finish().await;
}

#[tokio::test]
async fn a_second_save_from_a_stale_page_is_refused_not_overwritten() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut first = Client::new(app.clone());
    let mut second = Client::new(app);
    first.login("xinqi", PW).await;
    second.login("xinqi", PW).await;
    let report = open_report(&mut first).await;
    let url = format!("{report}/i/basic.4");
    let a = first.get(&url).await;
    let b = second.get(&url).await;
    let saved = first
        .post(
            &url,
            &[
                ("csrf", &a.csrf()),
                ("version", "0"),
                ("action", "draft"),
                ("basic.4.sessions", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let stale = second
        .post(
            &url,
            &[
                ("csrf", &b.csrf()),
                ("version", "0"),
                ("action", "draft"),
                ("basic.4.sessions", "3"),
            ],
        )
        .await;
    assert_eq!(stale.status, 200);
    assert!(stale.body.contains("已被"), "{}", stale.body);
    assert!(
        stale.body.contains("value=\"3\""),
        "the second person's value is still shown"
    );
    let page = first.get(&url).await;
    assert!(page.body.contains("value=\"1\""), "the first save stands");
    db.finish().await;
}

#[tokio::test]
async fn marking_an_item_done_needs_its_required_facts_and_reasons() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    c.login("xinqi", PW).await;
    let report = open_report(&mut c).await;
    let url = format!("{report}/i/management.1");
    let page = c.get(&url).await;
    let r = c
        .post(
            &url,
            &[
                ("csrf", &page.csrf()),
                ("version", "0"),
                ("action", "done"),
                ("management.1.rental_supply", "100"),
                ("management.1.discretionary", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("不能标记为已完成"), "{}", r.body);
    assert!(r.body.contains("上一年度供应量"), "{}", r.body);
    assert!(r.body.contains("须填写“"), "{}", r.body);
    db.finish().await;
}

/// Not filled is not a score: until every item is marked done the total says it is
/// provisional and how far the unit is, and an item never filled shows no score.
#[tokio::test]
async fn an_unfilled_report_shows_a_provisional_total_and_no_scores_for_unfilled_items() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut xinqi = Client::new(app.clone());
    xinqi.login("xinqi", PW).await;
    let home = xinqi.get("/").await;
    let report = between(&home.body, "href=\"/c/", "\"").unwrap();
    let page = xinqi.get(&format!("/c/{report}")).await;
    assert!(page.body.contains("自查总分（暂计）"), "{}", page.body);
    assert!(page.body.contains("已完成 0/18 项"), "{}", page.body);
    assert!(
        page.body.contains("<td class=\"num\">—</td>"),
        "{}",
        page.body
    );
    // A unit that filled in every item has a total, not a provisional one.
    let mut xiaogang = Client::new(app.clone());
    xiaogang.login("xiaogang", PW).await;
    let home = xiaogang.get("/").await;
    let report = between(&home.body, "href=\"/c/", "\"").unwrap();
    let page = xiaogang.get(&format!("/c/{report}")).await;
    assert!(!page.body.contains("暂计"), "{}", page.body);
    // The admin's overview says the same: a report never opened has no score, one
    // partly done a provisional one.
    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    let overview = admin.get("/admin").await;
    let row = between(&overview.body, ">新碶街道</a>", "</tr>").unwrap();
    assert!(
        row.contains("未开始") && row.contains("<td class=\"num\">—</td>"),
        "{row}"
    );
    db.finish().await;
}

/// 保存并下一项: done when the item can be, a draft when it cannot, and on to the next
/// item; after the last, back to the list.
#[tokio::test]
async fn save_and_next_marks_done_when_it_can_and_goes_on() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut c = Client::new(app);
    c.login("xinqi", PW).await;
    let report = open_report(&mut c).await;
    let values = demo_row("新碶街道");
    let save_next = async |c: &mut Client, item: &str, skip: &str| {
        let url = format!("{report}/i/{item}");
        let page = c.get(&url).await;
        let csrf = page.csrf();
        let version = between(&page.body, "name=\"version\" value=\"", "\"").unwrap();
        let mut fields: Vec<(&str, &str)> =
            vec![("csrf", &csrf), ("version", &version), ("action", "next")];
        let prefix = format!("{item}.");
        for (k, v) in &values {
            if k.starts_with(&prefix) && k != skip {
                fields.push((k, v));
            }
        }
        c.post(&url, &fields).await.location.unwrap_or_default()
    };
    assert_eq!(
        save_next(&mut c, "basic.1", "").await,
        format!("{report}/i/basic.2?saved=done&prev=basic.1")
    );
    // A required fact left out: kept as a draft, and the next item says so.
    let to = save_next(&mut c, "service.5", "service.5.vaccination_rate").await;
    assert_eq!(
        to,
        format!("{report}/i/innovation.1?saved=draft&prev=service.5")
    );
    let page = c.get(&to).await;
    assert!(
        page.body.contains("上一项（服务工作第5项）已保存为草稿"),
        "{}",
        page.body
    );
    let list = c.get(&report).await;
    assert!(list.body.contains("已完成 1/18 项"), "{}", list.body);
    // The last item goes back to the list, which says where one is.
    let to = save_next(&mut c, "innovation.2", "").await;
    assert_eq!(to, format!("{report}?saved=innovation.2"));
    assert!(c.get(&to).await.body.contains("最后一项已保存"));
    db.finish().await;
}
