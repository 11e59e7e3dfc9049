//! `kaohe rubric import`: the real binary on the seed annex and on bad files. Each test
//! works in its own temporary directory (removed when the test passes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed() -> PathBuf {
    workspace().join("rubrics/source/beilun-assessment-rules.txt")
}

fn annex_data(name: &str) -> PathBuf {
    workspace()
        .join("crates/kaohe-formats/tests/data/annex")
        .join(name)
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kaohe-import-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kaohe"));
        cmd.args(args).current_dir(&self.0);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run the kaohe binary")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        } else {
            eprintln!("kept {}", self.0.display());
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn rubric_import_writes_a_draft_that_check_refuses_until_the_bonus_bound_is_settled() {
    let dir = TempDir::new("seed");
    let out = dir.run(
        &[
            "rubric",
            "import",
            seed().to_str().unwrap(),
            "-o",
            "draft.toml",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("18 个项目"), "{said}");
    assert!(said.contains("必须处理或未读出 1 处"), "{said}");

    let check = dir.run(&["rubric", "check", "draft.toml"], &[]);
    assert!(!check.status.success());
    let err = text(&check.stderr);
    assert!(
        err.contains("draft.toml:") && err.contains("适当加分需要上限"),
        "{err}"
    );

    // Settle it as the ⚠ comment says: a bound for 适当加分.
    let draft = std::fs::read_to_string(dir.path("draft.toml")).unwrap();
    let mut lines: Vec<String> = draft.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("# ⚠ 必须处理："))
        .expect("a ⚠ 必须处理 comment");
    let rule = &mut lines[at + 1];
    assert!(rule.contains("kind = \"discretionary\""), "{rule}");
    *rule = rule.replacen(
        "kind = \"discretionary\"",
        "kind = \"discretionary\", max = 5",
        1,
    );
    std::fs::write(dir.path("draft.toml"), lines.join("\n")).unwrap();

    let check = dir.run(&["rubric", "check", "draft.toml"], &[]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains("4 个类别，18 个项目"),
        "{}",
        text(&check.stdout)
    );
}

#[test]
fn rubric_import_without_an_output_file_prints_the_draft() {
    let dir = TempDir::new("stdout");
    let docx = annex_data("beilun-annex.docx");
    let out = dir.run(&["rubric", "import", docx.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let toml = text(&out.stdout);
    assert!(toml.starts_with("# 评分细则草稿"), "{toml}");
    assert!(toml.contains("[[categories.items]]"));
    assert!(toml.contains("# 原文「未落实的每次扣1分」"));
    assert!(text(&out.stderr).contains("18 个项目"));
}

#[test]
fn rubric_import_of_an_old_doc_without_libreoffice_says_how_to_convert_it() {
    let dir = TempDir::new("doc");
    let doc = annex_data("beilun-annex.doc");
    let out = dir.run(
        &["rubric", "import", doc.to_str().unwrap()],
        &[("KAOHE_SOFFICE", "")],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("LibreOffice") && err.contains("另存为") && err.contains(".docx"),
        "{err}"
    );
}

#[test]
fn rubric_import_of_a_broken_file_fails_with_a_message_naming_the_problem() {
    let dir = TempDir::new("broken");
    let docx = std::fs::read(annex_data("beilun-annex.docx")).unwrap();
    std::fs::write(dir.path("附件1.docx"), &docx[..docx.len() / 2]).unwrap();
    let out = dir.run(&["rubric", "import", "附件1.docx", "-o", "draft.toml"], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.starts_with("错误：") && err.contains("附件1.docx") && err.contains("损坏"),
        "{err}"
    );
    assert!(
        !dir.path("draft.toml").exists(),
        "no draft is written for a file not read"
    );
}
