//! No machine codes in front of people: every page of the route table, for every role,
//! read as a person reads it (its text, not its markup), shows no item id of the rubric
//! (`basic.3`), no input key, no rubric code (`beilun-2026`) and no action code
//! (`campaign.publish`) outside an element
//! marked `class="advanced"` (where the codes stay, one click away).

use crate::common::*;
use kaohe_core::Rubric;
use kaohe_storage::testing;
use kaohe_web::routes;
use kaohe_web::year::Action;

/// Elements with no closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The text of a page as a person reads it: text nodes (and the title), without scripts,
/// styles and elements marked `advanced` with all they contain.
pub fn visible_text(html: &str) -> String {
    let mut out = String::new();
    // Open elements, each with whether it hides its content.
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let hidden = stack.iter().any(|(_, h)| *h);
        if !hidden {
            out.push_str(&rest[..lt]);
        }
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map(|e| &rest[e + 3..]).unwrap_or("");
            continue;
        }
        let Some(gt) = rest.find('>') else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            if let Some(pos) = stack.iter().rposition(|(n, _)| *n == name) {
                stack.truncate(pos);
            }
            out.push(' ');
            continue;
        }
        let name: String = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if VOID.contains(&name.as_str()) || tag.ends_with('/') {
            out.push(' ');
            continue;
        }
        let advanced = tag
            .split("class=\"")
            .nth(1)
            .and_then(|c| c.split('"').next())
            .is_some_and(|c| c.split_whitespace().any(|w| w == "advanced"));
        if name == "script" || name == "style" {
            // Their content is not markup: skip to the closing tag.
            let close = format!("</{name}");
            rest = rest.find(&close).map(|e| &rest[e..]).unwrap_or("");
            stack.push((name, true));
            continue;
        }
        stack.push((name, advanced));
        out.push(' ');
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Where `code` occurs in `text` as a whole code (`basic.1` is not in `basic.10`).
fn find_code(text: &str, code: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(code) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !word(before) && !word(after) {
            return Some(at);
        }
        from = at + code.len();
    }
    None
}

#[test]
fn visible_text_skips_markup_scripts_and_advanced_sections() {
    let html = r#"<title>t basic.1</title><p class="x">看 <a href="/i/basic.2">第2项</a></p>
        <details class="advanced"><summary>代码</summary><p>basic.3 <br> <b>x</b></p></details>
        <script>var a = "basic.4";</script><input value="basic.5"><p>basic.10</p>"#;
    let text = visible_text(html);
    assert!(find_code(&text, "basic.1").is_some(), "{text}");
    for hidden in ["basic.2", "basic.3", "basic.4", "basic.5"] {
        assert!(find_code(&text, hidden).is_none(), "{hidden} in {text}");
    }
    assert!(text.contains("第2项") && text.contains("basic.10"));
}

#[tokio::test]
async fn no_page_shows_an_item_id_an_input_key_or_an_action_code() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let store = &db.store;
    let org = store.organisers().await.unwrap()[0].clone();
    let campaign = store.campaigns(org.id).await.unwrap()[0].clone();
    let cid = campaign.id;
    let units = store.units(org.id).await.unwrap();
    let xinqi = units.iter().find(|u| u.name == "新碶街道").unwrap().id;

    // Results computed and published, so that every results page has something to show.
    compute_and_publish(&app, &db, cid).await;
    let evidence = kaohe_storage::change!(
        store,
        add_evidence(&kaohe_storage::NewEvidence {
            campaign_id: cid,
            unit_id: xinqi,
            item_id: "basic.3".into(),
            filename: "信息录用.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: String::new(),
            data: b"%PDF-1.4".to_vec(),
            uploaded_by: None,
            appeal_id: None,
            problem_id: None,
            personal: false,
        })
    )
    .unwrap();
    let appeal = kaohe_storage::change!(
        store,
        create_appeal(cid, xinqi, "basic.3", "录用篇数有误", 1)
    )
    .unwrap();
    let renshe = store.user_by_username("renshe").await.unwrap().unwrap();
    let police = store.user_by_username("gongan").await.unwrap().unwrap();
    // Problems to rectify as publication makes them (the words the core writes), and
    // one found by hand.
    let run = store.latest_result(cid).await.unwrap().unwrap();
    let snapshot = kaohe_web::year::snapshot::Snapshot::of(&run).unwrap();
    let source = store
        .rubric(org.id, campaign.rubric_id)
        .await
        .unwrap()
        .source;
    let rubric = Rubric::from_toml(&source, "r").unwrap();
    for (_, problems) in kaohe_web::year::rectify::found(&rubric, &snapshot, None) {
        for p in problems {
            kaohe_storage::change!(store, add_problem(cid, &p, None)).unwrap();
        }
    }
    let problem = kaohe_storage::change!(
        store,
        add_problem(
            cid,
            &kaohe_storage::NewProblem {
                unit_id: xinqi,
                item_id: "basic.3".into(),
                rule_index: None,
                found: "检查中发现信息报送不及时".into(),
                points: None,
                remedy: None,
            },
            None
        )
    )
    .unwrap();
    assert!(store.problems(cid).await.unwrap().len() > 10);

    // Every code a person must not read: the rubrics' item ids and input keys, and the
    // actions' codes.
    let mut codes: Vec<String> = Action::ALL.iter().map(|a| a.code().to_string()).collect();
    for r in store.rubrics(org.id).await.unwrap() {
        codes.push(r.code.clone());
        let rubric = Rubric::from_toml(&r.source, "r").unwrap();
        codes.extend(rubric.items().iter().map(|i| i.id.clone()));
        codes.extend(rubric.inputs().iter().map(|i| i.key.clone()));
        codes.extend(rubric.record_kinds().iter().map(|k| k.id.clone()));
    }
    codes.sort();
    codes.dedup();

    // A record of the year (another unit's: the admin and the office read it).
    let record = store
        .records_between(org.id, "2026-01-01", "2026-12-31")
        .await
        .unwrap()
        .first()
        .map(|r| r.id)
        .unwrap_or(1);
    let mut people = Vec::new();
    for name in ["admin", "kaoheban", "gongan", "xinqi", "lingdao", "shenji"] {
        let mut c = Client::new(app.clone());
        c.login(name, PW).await;
        people.push((name, c));
    }
    let mut failures = Vec::new();
    let mut read = 0;
    for route in routes::table() {
        let path = route.path;
        if route.method != axum::http::Method::GET
            || path.starts_with("/assets")
            || path == "/healthz"
            || path.ends_with(".docx")
            || path.ends_with(".xlsx")
            || path.contains("/evidence/")
            || path.contains("/files/")
        {
            continue;
        }
        let url = path
            .replace("{cid}", &cid.to_string())
            .replace("{uid}", &xinqi.to_string())
            .replace("{item}", "basic.3")
            .replace("{eid}", &evidence.id.to_string())
            .replace("{aid}", &appeal.id.to_string())
            .replace("{pid}", &problem.id.to_string())
            .replace("{recid}", &record.to_string())
            .replace("{iid}", "1")
            .replace("{user}", &renshe.id.to_string())
            .replace("{did}", &police.department_id.unwrap().to_string())
            .replace("{rid}", &campaign.rubric_id.to_string())
            .replace("{role}", "assessor");
        for (name, c) in people.iter_mut() {
            let r = c.get(&url).await;
            if r.status != 200 || !r.body.starts_with("<!doctype html>") {
                continue;
            }
            read += 1;
            let text = visible_text(&r.body);
            for code in &codes {
                if let Some(at) = find_code(&text, code) {
                    let mut from = at.saturating_sub(60);
                    while !text.is_char_boundary(from) {
                        from -= 1;
                    }
                    let around: String = text[from..]
                        .chars()
                        .take(100)
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    failures.push(format!("{name} GET {path}: {code} in “{around}”"));
                    break;
                }
            }
        }
    }
    // Pages that answer a form: the submission's confirmation.
    let xinqi_client = &mut people.iter_mut().find(|(n, _)| *n == "xinqi").unwrap().1;
    let report = format!("/c/{cid}/u/{xinqi}");
    let csrf = xinqi_client.get(&report).await.csrf();
    let confirm = xinqi_client
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
    let text = visible_text(&confirm.body);
    for code in &codes {
        if find_code(&text, code).is_some() {
            failures.push(format!("xinqi POST {report}/submit: {code}"));
        }
    }
    assert!(read > 60, "pages read: {read}");
    assert!(
        failures.is_empty(),
        "{} pages show codes:\n{}",
        failures.len(),
        failures.join("\n")
    );
    db.finish().await;
}

/// Help where people look for it: every page links the operating guide; each role's
/// guide shows pictures the binary serves; "how the score is computed" lists every item
/// of the campaign's rubric with its criteria and rules in words.
#[tokio::test]
async fn every_role_has_a_guide_and_units_can_read_how_the_score_is_computed() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let mut xinqi = Client::new(app.clone());
    xinqi.login("xinqi", PW).await;
    let home = xinqi.get("/").await;
    assert!(
        home.body.contains("href=\"/guide\""),
        "the guide from every page"
    );
    let guide = xinqi.get("/guide").await;
    assert!(guide.body.contains("操作指南 · 填报员"), "{}", guide.body);
    assert!(guide.body.contains(&format!("href=\"/c/{cid}/rules\"")));
    for role in ["reporter", "assessor", "admin", "leader", "auditor"] {
        let page = xinqi.get(&format!("/guide/{role}")).await;
        assert_eq!(page.status, 200, "{role}");
        for img in page.body.split("<img src=\"").skip(1) {
            let src = img.split('"').next().unwrap();
            let r = xinqi.get(src).await;
            assert_eq!(r.status, 200, "{src}");
            assert_eq!(r.headers.get("content-type").unwrap(), "image/png", "{src}");
        }
    }
    assert_eq!(xinqi.get("/guide/nobody").await.status, 404);

    let rules = xinqi.get(&format!("/c/{cid}/rules")).await;
    assert_eq!(rules.status, 200, "{}", rules.body);
    let rubric = Rubric::from_toml(kaohe_web::setup::BEILUN_RUBRIC, "beilun").unwrap();
    for (ii, item) in rubric.items().iter().enumerate() {
        let place = format!(
            "{} {}",
            rubric.item_place(ii),
            item.name.clone().unwrap_or_default()
        );
        assert!(rules.body.contains(&place), "{place}");
        assert!(
            rules.body.contains(&item.criteria),
            "{}'s criteria",
            item.id
        );
    }
    assert!(
        rules.body.contains("一、基础工作") && rules.body.contains("按次扣分"),
        "{}",
        rules.body
    );
    db.finish().await;
}
