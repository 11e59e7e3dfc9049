//! The campaign's year in a real browser, as part of `cargo test --workspace`: the real
//! `kaohe` binary serves a fresh demo on a free port, and `e2e/year.mjs` (playwright-core
//! and axe-core, pinned in `e2e/package-lock.json`) plays the year in headless Chromium —
//! the admin, a reporter on a phone, an assessor at a desk, a leader and the auditor —
//! asserting what each sees, the pages each went through, accessibility on every page,
//! and printing each page's weight and load time. Screenshots go to
//! `target/tmp/browser-year/screenshots/`.
//!
//! Needs Chromium and Node.js (Debian: `apt-get install chromium nodejs npm`); the npm
//! packages are installed with `npm ci` in `e2e/` when they are missing. Without the
//! browser or Node the test says so and passes, except in CI (`CI` set), where nothing
//! may be skipped.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SKIPPED: &str = "browser suite skipped: install chromium nodejs npm (apt) to run it";
/// The whole year must finish well inside this (it takes 30 to 60 s on 2 cores).
const LIMIT: Duration = Duration::from_secs(240);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

/// Printed past the test harness's capture, so that a plain `cargo test` shows it.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The browser: `KAOHE_CHROMIUM`, or Chromium (or Chrome) on the PATH.
fn chromium() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("KAOHE_CHROMIUM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("KAOHE_CHROMIUM={} is not a file", p.display()))
        };
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| on_path(n))
        .ok_or_else(|| "Chromium is not installed".to_string())
}

/// Node.js 18 or newer, with npm.
fn node() -> Result<(), String> {
    let out = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|_| "node is not installed".to_string())?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 18 {
        return Err(format!("node {version} is too old (18 or newer)"));
    }
    on_path("npm").ok_or("npm is not installed")?;
    Ok(())
}

/// `npm ci` in e2e/ when its packages are missing or older than the lock file.
fn npm_packages(e2e: &Path) {
    let installed = e2e.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = match (
        modified(&installed),
        modified(&e2e.join("package-lock.json")),
    ) {
        (Some(i), Some(l)) => i >= l,
        _ => false,
    };
    if fresh {
        return;
    }
    say("browser suite: npm ci in e2e/ (playwright-core, axe-core) …");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(e2e)
        .stdout(Stdio::null())
        .status()
        .expect("run npm ci");
    assert!(status.success(), "npm ci in {} failed", e2e.display());
}

/// The server, stopped when dropped (also when the test fails).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `kaohe serve` on a free port with a fresh data folder in `run`; returns its
/// address.
fn serve(run: &Path) -> (Server, String) {
    let data = run.join("data");
    let log = std::fs::File::create(run.join("server.log")).expect("create server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start kaohe serve");
    let stdout = child.stdout.take().expect("the server's output");
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let started = Instant::now();
    let mut printed = String::new();
    let addr = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "kaohe serve printed no address:\n{printed}"
        );
        let Some(Ok(line)) = lines.next() else {
            panic!("kaohe serve stopped before it was ready:\n{printed}");
        };
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap_or_default().to_string();
        }
    };
    // Keep reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (server, format!("http://{addr}"))
}

/// 新碶街道's self-check total by the scoring core on the demo facts: what the reporter's
/// page must show once they have typed those facts in.
fn expected_self_total() -> String {
    let root = repo();
    let text = std::fs::read_to_string(root.join("rubrics/beilun-2026.toml")).unwrap();
    let rubric = kaohe_core::Rubric::from_toml(&text, "beilun-2026.toml").unwrap();
    let csv = std::fs::read(root.join("examples/beilun-2026-demo.csv")).unwrap();
    let units = kaohe_formats::read_facts(&rubric, "beilun-2026-demo.csv", &csv).unwrap();
    let unit = units.iter().find(|u| u.unit == "新碶街道").unwrap();
    kaohe_core::fmt_decimal(kaohe_core::score(&rubric, &unit.facts).total)
}

#[test]
fn the_campaign_year_in_headless_chromium() {
    let ready = chromium().and_then(|browser| node().map(|()| browser));
    let browser = match ready {
        Ok(browser) => browser,
        Err(why) => {
            assert!(
                !in_ci(),
                "CI is set but the browser suite cannot run: {why}. .ci/run installs chromium, nodejs and npm."
            );
            say(&format!("{SKIPPED} ({why})"));
            return;
        }
    };
    let e2e = repo().join("e2e");
    npm_packages(&e2e);

    // What a person may want to look at (screenshots, the page table, downloads) goes
    // under target/, overwritten by each run; the server's data and log go to a folder of
    // this run's own, so that two runs at once do not disturb each other.
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-year");
    std::fs::create_dir_all(&out).expect("create the output folder");
    let run = std::env::temp_dir().join(format!("kaohe-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&run);
    std::fs::create_dir_all(&run).expect("create the run's folder");
    let (server, url) = serve(&run);

    let started = Instant::now();
    let mut node = Command::new("node")
        .arg(e2e.join("year.mjs"))
        .current_dir(&e2e)
        .env("KAOHE_URL", &url)
        .env("KAOHE_CHROMIUM", &browser)
        .env("KAOHE_E2E_OUT", &out)
        .env("KAOHE_E2E_SELF_TOTAL", expected_self_total())
        // Straight to the terminal: the page table is part of the test's output.
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run node e2e/year.mjs");
    let status = loop {
        if let Some(status) = node.try_wait().expect("wait for node") {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = node.kill();
            let _ = node.wait();
            panic!(
                "the browser year took more than {} s; stopped",
                LIMIT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(server);
    assert!(
        status.success(),
        "the browser year failed (see above; the server's log is {}, screenshots in {})",
        run.join("server.log").display(),
        out.join("screenshots").display()
    );
    let _ = std::fs::remove_dir_all(&run);
}
