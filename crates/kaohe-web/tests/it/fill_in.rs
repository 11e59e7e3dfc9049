//! A unit fills its self-check in Excel: the workbook kaohe gives it, filled in by
//! openpyxl (a rate typed into a cell formatted as a percentage), re-saved by LibreOffice
//! as WPS or Excel would, imported with its preview; the self-check then scores exactly
//! what `kaohe score` gives for the same facts.

use std::process::Command;

use crate::common::*;
use kaohe_core::Rubric;
use kaohe_core::rubric::InputType;
use kaohe_storage::testing;

const RUBRIC: &str = include_str!("../../../../rubrics/beilun-2026.toml");
const DEMO: &str = include_str!("../../../../examples/beilun-2026-demo.csv");
/// The demo unit left empty for a newcomer (a draft, nothing filled in).
const UNIT: &str = "新碶街道";
const PYTHON: &str = "/usr/bin/python3";

/// Whether openpyxl and LibreOffice are here; in CI they must be (`.ci/run` installs
/// them), elsewhere the test says what it skipped.
fn tools_here() -> bool {
    let python = Command::new(PYTHON)
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    let soffice = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("soffice").is_file()));
    if python && soffice {
        return true;
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false"),
        "CI is set but python3-openpyxl or LibreOffice is missing: apt-get install python3-openpyxl libreoffice-calc-nogui"
    );
    eprintln!(
        "python3-openpyxl or LibreOffice not installed: the fill-in round trip is not tested here"
    );
    false
}

/// Fills the workbook's 填写 column as a person would, from `[key, kind, text]` rows:
/// numbers as numbers, 是/否 as text, the registration rate as 0.973 in a cell
/// formatted as a percentage.
const FILL: &str = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
ws = book["自查填报"]
facts = {k: (kind, text) for k, kind, text in json.load(open(sys.argv[2], encoding="utf-8"))}
head = next(r for r in ws.iter_rows() if any(c.value == "填写" for c in r))
fill = next(c.column for c in head if c.value == "填写")
code = next(c.column for c in head if c.value == "代码")
for row in ws.iter_rows(min_row=head[0].row + 1):
    key = row[code - 1].value
    if key not in facts:
        continue
    kind, text = facts[key]
    cell = row[fill - 1]
    if text == "":
        cell.value = None
    elif key == "management.5.registration_rate":
        cell.value = float(text) / 100
        cell.number_format = "0.0%"
    elif kind == "number":
        cell.value = float(text) if "." in text else int(text)
    else:
        cell.value = text
book.save(sys.argv[3])
"#;

#[tokio::test]
async fn a_unit_fills_its_table_in_excel_and_scores_what_kaohe_score_gives() {
    if !tools_here() {
        return;
    }
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();
    let cid = db.store.campaigns(org.id).await.unwrap()[0].id;
    let uid = db
        .store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == UNIT)
        .unwrap()
        .id;
    let mut unit = Client::new(app.clone());
    unit.login("xinqi", PW).await;
    let home = unit.get(&format!("/c/{cid}/u/{uid}")).await;
    assert!(
        home.body.contains(&format!("/c/{cid}/u/{uid}/fill\"")),
        "{}",
        home.body
    );
    let book = unit.get(&format!("/c/{cid}/u/{uid}/fill.xlsx")).await;
    assert_eq!(book.status, 200);

    // The facts of the unit in the demo's facts file, as `kaohe score` reads them.
    let rubric = Rubric::from_toml(RUBRIC, "beilun-2026.toml").unwrap();
    let facts = kaohe_formats::read_facts(&rubric, "demo.csv", DEMO.as_bytes()).unwrap();
    let facts = &facts.iter().find(|u| u.unit == UNIT).unwrap().facts;
    let expected = kaohe_core::score(&rubric, facts);
    let rows: Vec<[String; 3]> = rubric
        .inputs()
        .iter()
        .enumerate()
        .filter(|(_, i)| i.item.is_some() && i.from.is_none())
        .map(|(slot, i)| {
            let kind = match i.ty {
                InputType::Bool | InputType::Text => "text",
                _ => "number",
            };
            let text = match facts.get(slot) {
                Some(kaohe_core::Value::Number(n)) => kaohe_core::fmt_decimal(*n),
                Some(kaohe_core::Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
                Some(kaohe_core::Value::Text(t)) => t.to_string(),
                None => String::new(),
            };
            [i.key.clone(), kind.to_string(), text]
        })
        .collect();

    let dir = tempdir();
    let (given, filled, out) = (
        dir.join("given.xlsx"),
        dir.join("filled.xlsx"),
        dir.join("wps"),
    );
    std::fs::write(&given, &book.bytes).unwrap();
    let json = dir.join("facts.json");
    std::fs::write(&json, serde_json::to_string(&rows).unwrap()).unwrap();
    let run = Command::new(PYTHON)
        .arg("-c")
        .arg(FILL)
        .args([&given, &json, &filled])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Re-saved as another spreadsheet program would (its own styles, shared strings).
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let run = Command::new("soffice")
        .args([
            &profile,
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
        ])
        .arg(&out)
        .arg(&filled)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let resaved = std::fs::read(out.join("filled.xlsx")).unwrap();
    assert_ne!(resaved, std::fs::read(&filled).unwrap());

    // Imported: a preview first, then all of it.
    let token = unit.token().await;
    let r = unit
        .post_multipart(
            &format!("/c/{cid}/u/{uid}/fill"),
            &[("csrf", &token)],
            ("file", "自查填报表.xlsx", &resaved),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("导入预览"), "{}", r.body);
    assert!(
        r.body.contains("<strong>97.3</strong>"),
        "the percentage cell: {}",
        r.body
    );
    let action = between(&r.body, "action=\"/c/", "\"").unwrap();
    let digest = between(&r.body, "name=\"digest\" value=\"", "\"").unwrap();
    let r = unit
        .post(
            &format!("/c/{action}"),
            &[("csrf", &token), ("digest", &digest)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let home = unit.get(r.location.as_deref().unwrap()).await;
    assert!(home.body.contains("已从 Excel 表导入"), "{}", home.body);
    let total = between(&home.body, "id=\"self-total\">", "<").unwrap();
    assert_eq!(
        total,
        kaohe_core::fmt_decimal(expected.total),
        "{}",
        home.body
    );
    // Every item with a fact to fill in is done; those that only count records wait for
    // their records, as on their pages.
    let fillable = rubric
        .items()
        .iter()
        .filter(|i| i.inputs.clone().any(|s| rubric.input(s).from.is_none()))
        .count();
    let done = format!("已完成 {fillable}/{}", rubric.items().len());
    assert!(home.body.contains(&done), "{done}: {}", home.body);
    let log = db.store.audit_rows(org.id, 5).await.unwrap();
    assert!(log.iter().any(|r| r.entry.action == "report.import"));

    // The same file again changes nothing.
    let r = unit
        .post_multipart(
            &format!("/c/{cid}/u/{uid}/fill"),
            &[("csrf", &token)],
            ("file", "自查填报表.xlsx", &resaved),
        )
        .await;
    assert!(r.body.contains("完全相同"), "{}", r.body);

    // A bad cell refuses the whole file, named; nothing changes.
    let bad = std::fs::read_to_string(dir.join("facts.json")).unwrap();
    let bad = bad.replace(
        "\"management.5.accuracy_rate\",\"number\",\"93.5\"",
        "\"management.5.accuracy_rate\",\"text\",\"九三\"",
    );
    std::fs::write(&json, bad).unwrap();
    let run = Command::new(PYTHON)
        .arg("-c")
        .arg(FILL)
        .args([&given, &json, &filled])
        .output()
        .unwrap();
    assert!(run.status.success());
    let r = unit
        .post_multipart(
            &format!("/c/{cid}/u/{uid}/fill"),
            &[("csrf", &token)],
            ("file", "x.xlsx", &std::fs::read(&filled).unwrap()),
        )
        .await;
    assert!(r.body.contains("这个文件不能导入"), "{}", r.body);
    assert!(
        r.body.contains("（管理工作第5项 信息准确率）的值“九三”"),
        "{}",
        r.body
    );
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-fill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A file that is not a workbook or table, or a broken one, is refused with what to do;
/// no preview, nothing filled. (Needs no office tools.)
#[tokio::test]
async fn a_broken_or_foreign_file_fills_nothing() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let (_, cid, uid) = demo_unit(&db, "新碶街道").await;
    let mut unit = Client::new(app);
    unit.login("xinqi", PW).await;
    let token = unit.token().await;
    for (name, bytes, said) in [
        (
            "自查填报表.xlsx",
            &b"PK\x03\x04broken"[..],
            "Excel 文件打不开（文件已损坏，或不是 .xlsx 格式）",
        ),
        ("自查填报表.xlsx", &b"%PDF-1.4 a scan"[..], "没有找到"),
    ] {
        let r = unit
            .post_multipart(
                &format!("/c/{cid}/u/{uid}/fill"),
                &[("csrf", &token)],
                ("file", name, bytes),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let main = between(&r.body, "<main", "</main>").unwrap_or_default();
        assert!(main.contains(said), "{said}: {main}");
        assert!(!main.contains("导入预览"), "{main}");
    }
    db.finish().await;
}
