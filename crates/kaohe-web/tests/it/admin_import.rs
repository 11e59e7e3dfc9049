//! Importing a rubric from its annex in the admin pages: the seed's Word annex is read
//! into a draft shown item by item beside its criteria, the words of each rule marked
//! and what the reader is unsure of flagged; the draft is saved as a new rubric version
//! only once it loads, and a file that cannot be read is refused with what to do.

use crate::common::*;
use kaohe_storage::testing::{self, TestDb};
use kaohe_storage::{Id, Organiser};
use kaohe_web::setup::BEILUN_RUBRIC;

const ANNEX: &[u8] = include_bytes!("../../../kaohe-formats/tests/data/annex/beilun-annex.docx");

async fn beilun(db: &TestDb) -> Organiser {
    db.store.organisers().await.unwrap()[0].clone()
}

async fn admin(db: &TestDb) -> Client {
    let mut c = Client::new(demo_app(db).await);
    let r = c.login("admin", PW).await;
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

async fn versions(db: &TestDb) -> usize {
    let org = beilun(db).await;
    db.store.rubrics(org.id).await.unwrap().len()
}

/// Text as a browser reads it out of HTML.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The draft in the page's text area, as the browser would send it back (the parser
/// drops the newline right after `<textarea>`).
fn draft_text(page: &str) -> String {
    let raw = between(page, "<textarea name=\"text\"", "</textarea>").expect("a text area");
    let body = &raw[raw.find('>').expect("the tag's end") + 1..];
    unescape(body.strip_prefix('\n').unwrap_or(body))
}

fn hidden(page: &str, name: &str) -> String {
    unescape(&between(page, &format!("name=\"{name}\" value=\""), "\"").unwrap_or_default())
}

/// The page's part about one item of the draft.
fn item_section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"item-{id}\""))
        .unwrap_or_else(|| panic!("item {id} is shown: {page}"));
    let end = page[start..].find("</section>").unwrap() + start;
    &page[start..end]
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// Fills in `max = 5` on every rule the draft says needs its bound.
fn with_bounds(text: &str) -> String {
    let mut out = Vec::new();
    let mut wants_max = false;
    for line in text.lines() {
        if wants_max && line.trim_start().starts_with("{ kind =") {
            out.push(line.replacen(" },", ", max = 5 },", 1));
            wants_max = false;
            continue;
        }
        if line.contains("⚠ 必须处理") && line.contains("max") {
            wants_max = true;
        }
        out.push(line.to_string());
    }
    out.join("\n") + "\n"
}

async fn import(c: &mut Client, name: &str, data: &[u8]) -> Resp {
    let csrf = c.get("/admin/rubrics").await.csrf();
    c.post_multipart(
        "/admin/rubrics/import",
        &[("csrf", &csrf)],
        ("file", name, data),
    )
    .await
}

#[tokio::test]
async fn the_seed_annex_is_reviewed_item_by_item_and_saved_only_once_it_loads() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let before = versions(&db).await;
    let list = c.get("/admin/rubrics").await;
    assert!(list.body.contains("从附件导入"), "{}", list.body);
    assert!(
        list.body.contains("action=\"/admin/rubrics/import\""),
        "{}",
        list.body
    );

    let page = import(&mut c, "beilun-annex.docx", ANNEX).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        versions(&db).await,
        before,
        "reading the annex saves nothing"
    );

    // Every item of the annex, as many as the hand-written rubric has, with its
    // criteria verbatim.
    let shipped = kaohe_core::Rubric::from_toml(BEILUN_RUBRIC, "beilun").unwrap();
    assert_eq!(shipped.items().len(), 18);
    assert_eq!(page.body.matches("class=\"card imp-item").count(), 18);
    let draft = kaohe_formats::annex::import_annex("beilun-annex.docx", ANNEX).unwrap();
    for item in draft.items() {
        assert!(
            page.body.contains(&format!("id=\"item-{}\"", item.id)),
            "{}",
            item.id
        );
    }
    assert!(page.body.contains("18 个项目"), "{}", page.body);

    // The words a rule came from are marked in the criteria, numbered as the rule.
    let first = item_section(&page.body, "jcgz.1");
    assert!(
        first.contains(
            "<mark class=\"imp-src\" title=\"规则 1\">未落实的每次扣1分</mark><sup class=\"imp-no\">1</sup>"
        ),
        "{first}"
    );
    assert!(
        first.contains("按次扣分：未落实次数 每次扣 1 分"),
        "{first}"
    );
    // The checks a rule read from the sentences before it are marked too.
    let second = item_section(&page.body, "jcgz.2");
    assert!(
        second.contains("<mark class=\"imp-part\" title=\"规则 1\">不断强化基层基础建设</mark>"),
        "{second}"
    );
    assert!(second.contains("<strong>请核对</strong>"), "{second}");

    // Innovation's 适当加分 has no bound in the annex: marked red, to settle.
    let innovation = item_section(&page.body, "cxgz.2");
    assert!(innovation.starts_with("id=\"item-cxgz.2\""), "{innovation}");
    assert!(page.body.contains("card imp-item red\" id=\"item-cxgz.2\""));
    assert!(innovation.contains("适当加分"), "{innovation}");
    assert!(
        innovation.contains("<li class=\"red\"><strong>必须处理</strong>"),
        "{innovation}"
    );
    assert!(
        innovation.contains("<li class=\"manual\"><strong>需人工打分</strong>"),
        "{innovation}"
    );
    assert!(
        innovation.contains("imp-tag red\">必须处理"),
        "{innovation}"
    );
    // The document's own flags are at the top: the header repeated across pages.
    let top = &page.body[..page.body.find("id=\"item-").unwrap()];
    assert!(top.contains("重复的表头"), "{top}");
    assert!(top.contains("必须处理或未读出 1 处"), "{top}");

    // The draft as it is does not load: refused at the line of the missing bound, the
    // text kept to fix, the review still beside it.
    let text = draft_text(&page.body);
    assert_eq!(text, draft.to_toml());
    let file = hidden(&page.body, "file");
    assert_eq!(file, "beilun-annex.docx");
    let review = hidden(&page.body, "review");
    assert!(review.starts_with('{'), "{review}");
    let csrf = page.csrf();
    let refused = c
        .post(
            "/admin/rubrics/import/save",
            &[
                ("csrf", &csrf),
                ("file", &file),
                ("review", &review),
                ("text", &text),
            ],
        )
        .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert!(refused.body.contains("未保存"), "{}", refused.body);
    let line = line_of(&text, "{ kind = \"discretionary\", label = \"开展");
    assert!(
        refused.body.contains(&format!("第 {line} 行")),
        "line {line}: {}",
        refused.body
    );
    assert!(
        refused.body.contains(&format!(
            "<span class=\"hit\"><span class=\"ln\">{line}</span>"
        )),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("max"), "{}", refused.body);
    assert_eq!(draft_text(&refused.body), text, "the text stays to fix");
    assert_eq!(
        refused.body.matches("class=\"card imp-item").count(),
        18,
        "the review is shown again"
    );
    assert_eq!(versions(&db).await, before);

    // With the bound filled in (as a browser sends a text area: CRLF), it is saved as
    // a new rubric version, written to the audit log as imported from the annex.
    let fixed = with_bounds(&text);
    assert_eq!(fixed.matches(", max = 5 }").count(), 1, "{fixed}");
    let saved = c
        .post(
            "/admin/rubrics/import/save",
            &[
                ("csrf", &csrf),
                ("file", &file),
                ("review", &review),
                ("text", &fixed.replace('\n', "\r\n")),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let org = beilun(&db).await;
    let all = db.store.rubrics(org.id).await.unwrap();
    assert_eq!(all.len(), before + 1);
    let new = all
        .iter()
        .find(|v| v.code == draft.id)
        .expect("the draft's code");
    assert_eq!(new.version, 1);
    assert_eq!(new.source, fixed);
    assert_eq!(
        saved.location,
        Some(format!("/admin/rubrics/{}?uploaded=1", new.id))
    );
    let shown = c.get(saved.location.as_deref().unwrap()).await;
    assert!(shown.body.contains("已保存为"), "{}", shown.body);
    assert!(shown.body.contains("适当加分，0 至 5 分"), "{}", shown.body);
    let log = db.store.audit_rows(org.id, 10).await.unwrap();
    let row = log
        .iter()
        .find(|r| r.entry.action == "rubric.import")
        .expect("an audit row");
    assert_eq!(row.entry.target, format!("rubric:{} v1", new.code));
    let changes = row.entry.changes.to_string();
    assert!(
        changes.contains("\"field\":\"imported_from\",\"old\":null,\"new\":\"beilun-annex.docx\""),
        "{changes}"
    );
    db.finish().await;
}

#[tokio::test]
async fn an_imported_draft_renamed_to_an_existing_code_is_its_next_version() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let org = beilun(&db).await;
    let before: Vec<Id> = db
        .store
        .rubrics(org.id)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    let page = import(&mut c, "beilun-annex.docx", ANNEX).await;
    assert!(
        page.body.contains("<code>beilun-2026</code>"),
        "the existing codes are named: {}",
        page.body
    );
    let text = with_bounds(&draft_text(&page.body)).replacen(
        "id = \"annex-draft\"",
        "id = \"beilun-2026\"",
        1,
    );
    let r = c
        .post(
            "/admin/rubrics/import/save",
            &[
                ("csrf", &page.csrf()),
                ("file", "beilun-annex.docx"),
                ("text", &text),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let all = db.store.rubrics(org.id).await.unwrap();
    let new: Vec<_> = all.iter().filter(|v| !before.contains(&v.id)).collect();
    assert_eq!(new.len(), 1);
    let v2 = new[0];
    assert_eq!((v2.code.as_str(), v2.version), ("beilun-2026", 2));
    db.finish().await;
}

#[tokio::test]
async fn a_file_that_is_not_a_readable_annex_is_refused_on_the_page_and_nothing_is_saved() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let before = versions(&db).await;
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("附件1.docx", b"PK\x03\x04 broken".to_vec(), "文件已损坏"),
        (
            "说明.txt",
            "关于开展考核的通知\n请各街道按时报送。\n"
                .as_bytes()
                .to_vec(),
            "没有找到评分表",
        ),
        ("附件1.pdf", b"%PDF-1.4 ...".to_vec(), "PDF"),
        (
            "附件1.docx",
            vec![b'a'; kaohe_formats::annex::MAX_FILE_BYTES + 1],
            "超过导入上限",
        ),
    ];
    for (name, data, words) in cases {
        let r = import(&mut c, name, &data).await;
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert!(r.body.contains("未导入"), "{name}: {}", r.body);
        assert!(r.body.contains(words), "{name}: {words}: {}", r.body);
        assert!(!r.body.contains("imp-item"), "{name}");
        assert!(r.body.contains("已有版本"), "the list page: {name}");
    }
    // A body over the server's limit cannot even be read: still the list page.
    let too_big = vec![b'a'; kaohe_web::Config::default().max_upload + 128 * 1024];
    let r = import(&mut c, "附件1.docx", &too_big).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("超过导入上限"), "{}", r.body);
    assert_eq!(versions(&db).await, before);
    db.finish().await;
}

#[tokio::test]
async fn forms_with_missing_parts_get_a_page_not_an_error() {
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let before = versions(&db).await;
    let csrf = c.get("/admin/rubrics").await.csrf();
    // No file chosen.
    let r = c
        .post_multipart(
            "/admin/rubrics/import",
            &[("csrf", &csrf)],
            ("file", "", b""),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("请先选择评分细则附件"), "{}", r.body);
    // A plain form with no file at all.
    let r = c.post("/admin/rubrics/import", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("请先选择评分细则附件"), "{}", r.body);
    // Saving with nothing but the token.
    let r = c
        .post("/admin/rubrics/import/save", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("文本框是空的"), "{}", r.body);
    assert!(
        r.body.contains("逐项对照的内容没有随表单带回"),
        "{}",
        r.body
    );
    // A tampered review is ignored, not trusted.
    let r = c
        .post(
            "/admin/rubrics/import/save",
            &[
                ("csrf", &csrf),
                ("review", "{not json"),
                ("text", "[rubric]\n"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("未保存"), "{}", r.body);
    assert_eq!(versions(&db).await, before);
    db.finish().await;
}

/// A prose annex (the corpus's 03, numbered paragraphs in Word) is reviewed the same way
/// as a table: its categories and items shown, the words of each rule marked in the
/// criteria, the checks a rule read from the sentences before it marked too.
#[tokio::test]
async fn a_prose_annex_is_reviewed_with_its_sources_marked_as_a_table_is() {
    const PROSE: &[u8] =
        include_bytes!("../../../kaohe-formats/tests/corpus/03-laji-prose-docx/annex.docx");
    let db = testing::sqlite().await;
    let mut c = admin(&db).await;
    let page = import(&mut c, "垃圾分类考核细则.docx", PROSE).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let draft = kaohe_formats::annex::import_annex("annex.docx", PROSE).unwrap();
    assert_eq!(
        page.body.matches("class=\"card imp-item").count(),
        draft.items().count()
    );
    for cat in ["分类投放", "分类收运", "宣传发动", "加分项", "扣分项"] {
        assert!(page.body.contains(cat), "category {cat}: {}", page.body);
    }
    // 1.（10分）小区、单位按标准设置分类投放点……每发现一处扣0.5分。
    let first = item_section(&page.body, &draft.items().next().unwrap().id);
    assert!(
        first.contains("<mark class=\"imp-src\" title=\"规则 1\">")
            && first.contains("每发现一处扣0.5分</mark><sup class=\"imp-no\">1</sup>"),
        "{first}"
    );
    // 督导员在岗率达到90%以上，未达到的扣5分: the target a check reads is marked as a part
    // of its rule.
    let third = item_section(&page.body, &draft.items().nth(2).unwrap().id);
    assert!(
        third.contains("<mark class=\"imp-part\" title=\"规则 1\">督导员在岗率达到90%以上</mark>"),
        "{third}"
    );
}
