//! `kaohe export`, the real binary: official tables, the summary workbook and the 通报
//! draft from a rubric and facts files (the numbers of `kaohe score`), and from a
//! campaign's results stored in the database (the numbers the web pages show).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rubric() -> String {
    workspace()
        .join("rubrics/beilun-2026.toml")
        .display()
        .to_string()
}

fn demo() -> String {
    workspace()
        .join("examples/beilun-2026-demo.csv")
        .display()
        .to_string()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `kaohe ARGS…` in `dir`; returns stdout, failing on a non-zero exit.
fn kaohe(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kaohe {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn kaohe_fails(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "kaohe {} should fail",
        args.join(" ")
    );
    String::from_utf8(out.stderr).unwrap()
}

fn workbook(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap()
}

fn num(v: &Value) -> Data {
    Data::Float(v.as_str().unwrap().parse().unwrap())
}

fn xml(path: &Path, part: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(part)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn export_writes_a_units_table_with_the_self_check_and_the_verified_scores() {
    let dir = temp("facts");
    // The assessors found 2 misses and no anti-fraud work at 新碶街道.
    std::fs::write(
        dir.join("verified.csv"),
        "unit,floating_population,basic.1.misses,service.3.anti_fraud\n新碶街道,98200,2,否\n",
    )
    .unwrap();
    std::fs::write(dir.join("verified-full.csv"), {
        // The same as a whole facts file, for `kaohe score`.
        let demo = std::fs::read_to_string(demo()).unwrap();
        let mut lines: Vec<String> = demo.lines().map(String::from).collect();
        let header: Vec<&str> = lines
            .iter()
            .find(|l| l.starts_with("unit,"))
            .unwrap()
            .split(',')
            .collect();
        let misses = header.iter().position(|h| *h == "basic.1.misses").unwrap();
        let fraud = header
            .iter()
            .position(|h| *h == "service.3.anti_fraud")
            .unwrap();
        for l in lines.iter_mut().filter(|l| l.starts_with("新碶街道,")) {
            let mut cells: Vec<String> = l.split(',').map(String::from).collect();
            cells[misses] = "2".into();
            cells[fraud] = "否".into();
            *l = cells.join(",");
        }
        lines.join("\n")
    })
    .unwrap();
    let out = kaohe(
        &dir,
        &[
            "export",
            "--rubric",
            &rubric(),
            &demo(),
            "--verified",
            "verified.csv",
            "--unit",
            "新碶街道",
            "--format",
            "xlsx",
            "-o",
            "t.xlsx",
        ],
    );
    assert!(out.contains("已写出 t.xlsx"), "{out}");
    let reported: Value = serde_json::from_str(&kaohe(
        &dir,
        &["score", "--rubric", &rubric(), &demo(), "--json"],
    ))
    .unwrap();
    let verified: Value = serde_json::from_str(&kaohe(
        &dir,
        &[
            "score",
            "--rubric",
            &rubric(),
            "verified-full.csv",
            "--json",
        ],
    ))
    .unwrap();
    let unit = |v: &Value| {
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == "新碶街道")
            .unwrap()
            .clone()
    };
    let (own, checked) = (unit(&reported), unit(&verified));
    let mut book = workbook(&dir.join("t.xlsx"));
    let sheet = book.worksheet_range("新碶街道").unwrap();
    let mut differ = 0;
    for n in 0..18 {
        let row = 3 + n as u32;
        let (s, a) = (&own["items"][n]["score"], &checked["items"][n]["score"]);
        assert_eq!(
            sheet.get_value((row, 4)),
            Some(&num(s)),
            "自查分 of item {n}"
        );
        assert_eq!(
            sheet.get_value((row, 5)),
            Some(&num(a)),
            "考核分 of item {n}"
        );
        differ += usize::from(s != a);
    }
    assert_eq!(differ, 2);

    kaohe(
        &dir,
        &[
            "export",
            "--rubric",
            &rubric(),
            &demo(),
            "--unit",
            "新碶街道",
            "--format",
            "docx",
            "-o",
            "t.docx",
        ],
    );
    let doc = xml(&dir.join("t.docx"), "word/document.xml");
    assert!(doc.contains("w:vMerge") && doc.contains("w:eastAsia"));

    // A unit that is not there: the closest name is suggested.
    let err = kaohe_fails(
        &dir,
        &[
            "export",
            "--rubric",
            &rubric(),
            &demo(),
            "--unit",
            "新碶",
            "--format",
            "docx",
        ],
    );
    assert!(err.contains("是否指 “新碶街道”"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_without_a_unit_writes_the_summary_workbook_or_the_bulletin_draft() {
    let dir = temp("summary");
    let out = kaohe(
        &dir,
        &[
            "export",
            "--rubric",
            &rubric(),
            &demo(),
            "--format",
            "xlsx",
            "--title",
            "2026年度考核",
        ],
    );
    assert!(out.contains("2026年度考核-考核结果汇总.xlsx"), "{out}");
    let scores: Value = serde_json::from_str(&kaohe(
        &dir,
        &["score", "--rubric", &rubric(), &demo(), "--json"],
    ))
    .unwrap();
    let mut book = workbook(&dir.join("2026年度考核-考核结果汇总.xlsx"));
    let ranking = book.worksheet_range("排名").unwrap();
    for (k, u) in scores["units"].as_array().unwrap().iter().enumerate() {
        let row = 3 + k as u32;
        assert_eq!(
            ranking.get_value((row, 1)),
            Some(&Data::String(u["unit"].as_str().unwrap().into()))
        );
        assert_eq!(ranking.get_value((row, 8)), Some(&num(&u["total"])));
    }
    let out = kaohe(
        &dir,
        &["export", "--rubric", &rubric(), &demo(), "--format", "docx"],
    );
    assert!(out.contains("结果通报（草稿）.docx"), "{out}");

    let out = kaohe(
        &dir,
        &[
            "export",
            "--rubric",
            &rubric(),
            &demo(),
            "--format",
            "xlsx",
            "--all-units",
            "-o",
            "tables",
        ],
    );
    assert!(out.contains("已写出 11 个单位的考核表"), "{out}");
    assert_eq!(std::fs::read_dir(dir.join("tables")).unwrap().count(), 11);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An in-process browser of the app, enough to log in and post a form.
struct Browser {
    app: axum::Router,
    cookie: String,
}

impl Browser {
    async fn send(&mut self, req: axum::http::Request<axum::body::Body>) -> (u16, String) {
        use tower::ServiceExt;
        let res = self.app.clone().oneshot(req).await.unwrap();
        if let Some(c) = res.headers().get("set-cookie") {
            self.cookie = c.to_str().unwrap().split(';').next().unwrap().to_string();
        }
        let status = res.status().as_u16();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    async fn get(&mut self, path: &str) -> (u16, String) {
        let req = axum::http::Request::get(path)
            .header("cookie", &self.cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &str) -> (u16, String) {
        let req = axum::http::Request::post(path)
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(form.to_string()))
            .unwrap();
        self.send(req).await
    }
}

fn csrf(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn export_from_a_campaign_reads_its_latest_results_and_is_audited() {
    let dir = temp("campaign");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let url = format!("sqlite://{}", data.join("kaohe.db").display());
    let store = kaohe_storage::Store::open(&url).await.unwrap();
    kaohe_web::setup::seed_demo_if_empty(&store).await.unwrap();
    let org = store.organisers().await.unwrap()[0].clone();
    let cid = store.campaigns(org.id).await.unwrap()[0].id;
    let data_arg = data.display().to_string();
    let cid_arg = cid.to_string();

    // Before results are computed, the command says so.
    let err = kaohe_fails(
        &dir,
        &[
            "export",
            "--campaign",
            &cid_arg,
            "--data",
            &data_arg,
            "--format",
            "xlsx",
        ],
    );
    assert!(err.contains("结果尚未计算"), "{err}");
    let err = kaohe_fails(
        &dir,
        &[
            "export",
            "--campaign",
            "999",
            "--data",
            &data_arg,
            "--format",
            "xlsx",
        ],
    );
    assert!(
        err.contains("没有编号为 999 的考核任务") && err.contains(&cid_arg),
        "{err}"
    );

    // The admin computes the results on the web pages.
    let app = kaohe_web::app(kaohe_web::AppState::new(store.clone(), Default::default()));
    let mut admin = Browser {
        app,
        cookie: String::new(),
    };
    let (_, login) = admin.get("/login").await;
    let form = format!(
        "csrf={}&username=admin&password={}",
        csrf(&login),
        kaohe_web::setup::DEMO_PASSWORD.replace('#', "%23")
    );
    assert_eq!(admin.post("/login", &form).await.0, 303);
    let (_, page) = admin.get(&format!("/c/{cid}/results")).await;
    let (status, _) = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &format!("csrf={}&force=yes", csrf(&page)),
        )
        .await;
    assert_eq!(status, 303);

    let out = kaohe(
        &dir,
        &[
            "export",
            "--campaign",
            &cid_arg,
            "--data",
            &data_arg,
            "--unit",
            "新碶街道",
            "--format",
            "xlsx",
            "-o",
            "t.xlsx",
        ],
    );
    assert!(out.contains("已写出 t.xlsx"), "{out}");
    let snapshot = store.results(cid).await.unwrap().pop().unwrap().data;
    let unit = snapshot["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "新碶街道")
        .unwrap()
        .clone();
    let mut book = workbook(&dir.join("t.xlsx"));
    let sheet = book.worksheet_range("新碶街道").unwrap();
    for n in 0..18 {
        let item = &unit["items"][n];
        assert_eq!(
            sheet.get_value((3 + n as u32, 4)),
            Some(&num(&item["self"]))
        );
        assert_eq!(
            sheet.get_value((3 + n as u32, 5)),
            Some(&num(&item["score"]))
        );
    }
    kaohe(
        &dir,
        &[
            "export",
            "--campaign",
            &cid_arg,
            "--data",
            &data_arg,
            "--format",
            "docx",
            "-o",
            "b.docx",
        ],
    );
    assert!(xml(&dir.join("b.docx"), "word/document.xml").contains("通报"));
    let exports = store
        .audit_rows(org.id, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "results.export")
        .count();
    assert_eq!(exports, 2, "each export from the command line is audited");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kaohe archive`: only a locked campaign; one zip with the rubric, the results, the
/// documents, the evidence, the audit rows and the lock's anchor, and a manifest whose
/// SHA-256 sums check every file without kaohe.
#[tokio::test]
async fn a_locked_campaign_is_archived_with_a_manifest_that_checks_every_file() {
    use sha2::{Digest, Sha256};
    let dir = temp("archive");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let url = format!("sqlite://{}", data.join("kaohe.db").display());
    let store = kaohe_storage::Store::open(&url).await.unwrap();
    kaohe_web::setup::seed_demo_if_empty(&store).await.unwrap();
    let org = store.organisers().await.unwrap()[0].clone();
    let cid = store.campaigns(org.id).await.unwrap()[0].id;
    let xinqi = store
        .units(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "春晓街道")
        .unwrap();
    kaohe_storage::change!(
        store,
        add_evidence(&kaohe_storage::NewEvidence {
            campaign_id: cid,
            unit_id: xinqi.id,
            item_id: "basic.1".into(),
            filename: "会议纪要.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: String::new(),
            data: b"%PDF-1.4 minutes".to_vec(),
            uploaded_by: None,
            appeal_id: None,
            problem_id: None,
            personal: false,
        })
    )
    .unwrap();
    // A list of people, marked as personal data: deleted after the lock, never archived.
    kaohe_storage::change!(
        store,
        add_evidence(&kaohe_storage::NewEvidence {
            campaign_id: cid,
            unit_id: xinqi.id,
            item_id: "basic.1".into(),
            filename: "孕产妇名单.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: "ab12".into(),
            data: b"%PDF-1.4 names of people".to_vec(),
            uploaded_by: None,
            appeal_id: None,
            problem_id: None,
            personal: true,
        })
    )
    .unwrap();
    let app = kaohe_web::app(kaohe_web::AppState::new(store.clone(), Default::default()));
    let mut admin = Browser {
        app,
        cookie: String::new(),
    };
    let (_, login) = admin.get("/login").await;
    let form = format!(
        "csrf={}&username=admin&password={}",
        csrf(&login),
        kaohe_web::setup::DEMO_PASSWORD.replace('#', "%23")
    );
    assert_eq!(admin.post("/login", &form).await.0, 303);
    let (_, page) = admin.get(&format!("/c/{cid}/results")).await;
    let token = csrf(&page);
    let (status, _) = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &format!("csrf={token}&force=yes"),
        )
        .await;
    assert_eq!(status, 303);
    let data_arg = data.display().to_string();
    let cid_arg = cid.to_string();
    let args = [
        "archive",
        "--campaign",
        &cid_arg,
        "--data",
        &data_arg,
        "-o",
        "a.zip",
    ];
    let err = kaohe_fails(&dir, &args);
    assert!(err.contains("尚未定稿"), "{err}");
    let purge = [
        "evidence",
        "purge-personal",
        "--campaign",
        &cid_arg,
        "--data",
        &data_arg,
    ];
    let err = kaohe_fails(&dir, &purge);
    assert!(err.contains("尚未定稿（锁定）"), "{err}");
    let (status, _) = admin
        .post(
            &format!("/admin/c/{cid}/lock"),
            &format!("csrf={token}&reason=%E5%BD%92%E6%A1%A3"),
        )
        .await;
    assert_eq!(status, 303);
    let out = kaohe(&dir, &purge);
    assert!(
        out.contains("已删除") && out.contains("1 个含个人信息"),
        "{out}"
    );
    let out = kaohe(&dir, &purge);
    assert!(out.contains("没有尚未删除"), "{out}");
    let out = kaohe(&dir, &args);
    assert!(out.contains("已归档到 a.zip"), "{out}");
    let err = kaohe_fails(&dir, &args);
    assert!(err.contains("不会覆盖"), "{err}");

    let mut zip = zip::ZipArchive::new(std::fs::File::open(dir.join("a.zip")).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut f = zip
            .by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the archive"));
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        bytes
    };
    let manifest = String::from_utf8(read("manifest.txt")).unwrap();
    let mut listed = Vec::new();
    for line in manifest.lines() {
        let (sum, name) = line.split_once("  ").unwrap();
        let got: String = Sha256::digest(read(name))
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, sum, "{name}");
        listed.push(name.to_string());
    }
    for want in [
        "评分细则.toml",
        "考核结果.json",
        "考核结果汇总.xlsx",
        "结果通报（草稿）.docx",
        "考核表/春晓街道.docx",
        "审计记录.csv",
        "审计链头.txt",
    ] {
        assert!(listed.iter().any(|n| n == want), "{want}: {listed:?}");
    }
    assert!(
        listed
            .iter()
            .any(|n| n.starts_with("佐证材料/春晓街道/basic.1/") && n.ends_with("会议纪要.pdf")),
        "{listed:?}"
    );
    let note = listed
        .iter()
        .find(|n| n.ends_with("孕产妇名单.pdf（含个人信息，未归档）.txt"))
        .unwrap_or_else(|| panic!("{listed:?}"))
        .clone();
    let note = String::from_utf8(read(&note)).unwrap();
    assert!(
        note.contains("SHA-256：ab12") && note.contains("按保存期限删除"),
        "{note}"
    );
    assert!(
        !listed.iter().any(|n| n.ends_with("孕产妇名单.pdf")),
        "{listed:?}"
    );
    let audit = String::from_utf8(read("审计记录.csv")).unwrap();
    assert!(
        audit.contains("定稿了考核任务") && audit.contains("计算了考核结果"),
        "{audit}"
    );
    let lock = store.lock_events(cid).await.unwrap().pop().unwrap();
    let anchors = String::from_utf8(read("审计链头.txt")).unwrap();
    assert!(anchors.contains(&format!("{}:{}", lock.audit_seq, lock.audit_hash)));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The rule kinds read from other districts' annexes (shortfall per percentage point,
/// proportional, tiers) reach every output of the command line: `rubric show` describes
/// them, `score --detail` explains them, `score --gaps` advises on them and `export`
/// writes their explanations into the unit's table.
#[test]
fn the_newer_rule_kinds_reach_show_score_gaps_and_export() {
    let dir = temp("newer-kinds");
    let rubric = workspace()
        .join("crates/kaohe-core/tests/data/anquan-2027.toml")
        .display()
        .to_string();
    let shown = kaohe(&dir, &["rubric", "show", &rubric]);
    for words in [
        "隐患整改完成率 要求 95%以上，每低 1 个百分点扣",
        "按完成比例得分：已检查企业数/辖区企业数 达到",
        "分档扣分：安全宣传活动 低于 1 次，扣 4",
    ] {
        assert!(shown.contains(words), "rubric show lacks {words}:\n{shown}");
    }
    std::fs::write(
        dir.join("facts.csv"),
        "unit,enterprises,duty.1.rectified_rate,duty.2.training_rate,duty.3.inspected,duty.4.campaigns,result.1.goal_rate,result.2.accident_rate,result.3.drill_score\n\
         甲街道,40,92.5,95,37,2,90,1.5,100\n\
         乙街道,40,96,95,40,3,100,1.5,100\n",
    )
    .unwrap();
    let detail = kaohe(
        &dir,
        &[
            "score",
            "--rubric",
            &rubric,
            "facts.csv",
            "--detail",
            "甲街道",
        ],
    );
    for words in [
        "隐患整改完成率 92.5%，要求 95%，低 2.5 个百分点，计 2 个百分点 × 0.5 → −1",
        "已检查企业数 37/40 = 92.5%，目标 100%，完成 92.5%，按比例得 5 × 92.5% = 4.63 分 → −0.37",
        "安全宣传活动 2 次，低于 3 次的一档扣 2 分 → −2",
    ] {
        assert!(detail.contains(words), "detail lacks {words}:\n{detail}");
    }
    let gaps = kaohe(
        &dir,
        &[
            "score",
            "--rubric",
            &rubric,
            "facts.csv",
            "--gaps",
            "甲街道",
        ],
    );
    assert!(
        gaps.contains("隐患整改完成率从 92.5%提高到 94.01% → +1 分"),
        "{gaps}"
    );
    assert!(
        gaps.contains("安全宣传活动从 2 次提高到 3 次 → +2 分"),
        "{gaps}"
    );
    let out = kaohe(
        &dir,
        &[
            "export",
            "--rubric",
            &rubric,
            "facts.csv",
            "--format",
            "xlsx",
        ],
    );
    assert!(out.contains("考核结果汇总.xlsx"), "{out}");
    let mut book = workbook(&dir.join("江北区安全生产工作考核评分细则-考核结果汇总.xlsx"));
    let all: Vec<String> = book
        .sheet_names()
        .into_iter()
        .flat_map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            range
                .cells()
                .map(|(_, _, c)| c.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let all = all.join("\n");
    for words in [
        "按比例得 5 × 92.5% = 4.63 分 → −0.37",
        "隐患整改完成率 92.5%，要求 95%，低 2.5 个百分点，计 2 个百分点 × 0.5 → −1",
    ] {
        assert!(all.contains(words), "the summary explains: {words}\n{all}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
