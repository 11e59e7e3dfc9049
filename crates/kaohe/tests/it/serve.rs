//! The binary as a newcomer and an operator use it: `kaohe serve` on an empty data
//! folder seeds the demo and answers on the printed address; `kaohe init` and
//! `kaohe organiser add` set up a real deployment.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn kaohe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kaohe"))
}

pub(crate) fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serve_on_an_empty_folder_seeds_the_demo_prints_the_logins_and_answers() {
    let dir = temp("demo");
    let mut child = kaohe()
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = String::new();
    let started = Instant::now();
    let addr = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no address printed:\n{printed}"
        );
        let line = lines
            .next()
            .expect("the server prints until it is ready")
            .unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    assert!(printed.contains("xinqi"), "{printed}");
    assert!(printed.contains("kaohe-demo-2026"), "{printed}");
    assert!(printed.contains("虚构"), "{printed}");
    let login = http_get(&addr, "/login");
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(login.contains("登录"));
    let home = http_get(&addr, "/");
    assert!(home.starts_with("HTTP/1.1 303"), "{home}");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(dir.join("kaohe.db").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_creates_a_real_organiser_and_refuses_a_demo_database_or_a_weak_password() {
    let dir = temp("init");
    let weak = kaohe()
        .args(["init", "--organiser", "北仑区", "--admin", "boss", "--data"])
        .arg(&dir)
        .env("KAOHE_ADMIN_PASSWORD", "short")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("不够安全"));

    let ok = kaohe()
        .args(["init", "--organiser", "北仑区", "--admin", "boss", "--data"])
        .arg(&dir)
        .env("KAOHE_ADMIN_PASSWORD", "Beilun#Admin2026")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let again = kaohe()
        .args([
            "init",
            "--organiser",
            "海曙区",
            "--admin",
            "boss2",
            "--data",
        ])
        .arg(&dir)
        .env("KAOHE_ADMIN_PASSWORD", "Haishu#Admin2026")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("kaohe organiser add"));
    let add = kaohe()
        .args([
            "organiser",
            "add",
            "--name",
            "海曙区",
            "--admin",
            "boss2",
            "--data",
        ])
        .arg(&dir)
        .env("KAOHE_ADMIN_PASSWORD", "Haishu#Admin2026")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let list = kaohe()
        .args(["organiser", "list", "--data"])
        .arg(&dir)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("北仑区") && list.contains("海曙区"), "{list}");
    assert!(
        !list.contains("演示"),
        "no demo data in a real deployment: {list}"
    );
    let _ = std::fs::remove_dir_all(&dir);

    // A folder holding the demo is not turned into a real deployment.
    let demo = temp("init-demo");
    let mut child = kaohe()
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(&demo)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(line)) = lines.next() {
        if line.contains("http://") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let refused = kaohe()
        .args(["init", "--organiser", "北仑区", "--admin", "boss", "--data"])
        .arg(&demo)
        .env("KAOHE_ADMIN_PASSWORD", "Beilun#Admin2026")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("演示数据"));
    let _ = std::fs::remove_dir_all(&demo);
}

#[test]
fn audit_verify_reports_a_whole_chain_and_a_wrong_anchor() {
    let dir = temp("audit");
    let init = kaohe()
        .args(["init", "--organiser", "北仑区", "--admin", "boss", "--data"])
        .arg(&dir)
        .env("KAOHE_ADMIN_PASSWORD", "Beilun#Admin2026")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(init.status.success());
    let ok = kaohe()
        .args(["audit", "verify", "--data"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(text.contains("审计日志完整"), "{text}");
    let head = text.split("链头 ").nth(1).unwrap().trim().to_string();
    let good = kaohe()
        .args(["audit", "verify", "--expect", &head, "--data"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let (seq, _) = head.split_once(':').unwrap();
    let wrong = kaohe()
        .args([
            "audit",
            "verify",
            "--expect",
            &format!("{seq}:00ff"),
            "--data",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("不符"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kaohe audit hash sm3` switches the chain to SM3 for the rows from then on; the chain
/// verifies whole, its head is an SM3 hash, and a wrong algorithm's name is refused.
#[test]
fn the_audit_chain_switches_to_sm3_and_still_verifies() {
    let dir = temp("audit-sm3");
    let init = kaohe()
        .args(["init", "--organiser", "北仑区", "--admin", "boss", "--data"])
        .arg(&dir)
        .env("KAOHE_ADMIN_PASSWORD", "Beilun#Admin2026")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(init.status.success());
    let run = |args: &[&str]| kaohe().args(args).arg("--data").arg(&dir).output().unwrap();
    let shown = run(&["audit", "hash"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("sha256"));
    let bad = run(&["audit", "hash", "md5"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("sm3 或 sha256"));
    let set = run(&["audit", "hash", "sm3"]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert!(String::from_utf8_lossy(&run(&["audit", "hash"]).stdout).contains("sm3"));
    let ok = run(&["audit", "verify"]);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        text.contains("审计日志完整") && text.contains(":sm3:"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A tiny HTTP/1.1 client over one connection per request, keeping the session cookie:
/// enough to log in and save a form against the real server.
pub(crate) struct Http {
    pub addr: String,
    pub cookie: String,
}

pub(crate) struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Http {
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> std::io::Result<Reply> {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut stream = TcpStream::connect(&self.addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nCookie: {}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            self.cookie,
            body.len()
        )?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw).to_string();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            return Err(std::io::Error::other("no response"));
        };
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("no status"))?;
        for line in head.lines() {
            if let Some(v) = line.strip_prefix("set-cookie: kaohe_session=") {
                self.cookie = format!("kaohe_session={}", v.split(';').next().unwrap_or(""));
            }
        }
        Ok(Reply {
            status,
            head: head.to_string(),
            body: body.to_string(),
        })
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of the form field `name` in a page.
pub(crate) fn input_value(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\""))?;
    let rest = &page[at..];
    let v = rest.split("value=\"").nth(1)?;
    Some(v.split('"').next()?.to_string())
}

/// Starts `kaohe serve` on a data folder and returns it with its address.
fn start_server(dir: &std::path::Path) -> (std::process::Child, String) {
    start_serve(&["--data", dir.to_str().unwrap()])
}

/// Starts `kaohe serve` with these arguments on a free port and returns it with its
/// address once it answers.
pub(crate) fn start_serve(args: &[&str]) -> (std::process::Child, String) {
    let mut child = kaohe()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    let addr = loop {
        assert!(started.elapsed() < Duration::from_secs(60), "no address");
        let line = lines
            .next()
            .expect("the server prints until it is ready")
            .unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // Keep reading what it prints, so that it never blocks on a full pipe; its errors
    // go to the test's output.
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if line.contains("ERROR") {
                eprintln!("server: {line}");
            }
        }
    });
    (child, addr)
}

/// A reporter, logged in over HTTP, at the page of one item.
pub(crate) struct Saver {
    pub http: Http,
    pub unit: &'static str,
    pub item: String,
}

impl Saver {
    pub fn log_in(addr: &str, username: &str, unit: &'static str) -> Saver {
        let mut http = Http {
            addr: addr.to_string(),
            cookie: String::new(),
        };
        let login = http.send("GET", "/login", &[]).unwrap();
        let csrf = input_value(&login.body, "csrf").unwrap();
        let r = http
            .send(
                "POST",
                "/login",
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", "kaohe-demo-2026"),
                ],
            )
            .unwrap();
        assert_eq!(r.status, 303, "{username}: {}", r.head);
        let home = http.send("GET", "/", &[]).unwrap().body;
        let report = home
            .split("href=\"/c/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(|s| format!("/c/{s}"))
            .expect("the reporter's campaign is linked from home");
        Saver {
            http,
            unit,
            item: format!("{report}/i/basic.1"),
        }
    }

    /// Saves the item again and again until the server stops answering; returns how
    /// many saves were acknowledged (answered with a redirect).
    fn save_until_killed(mut self) -> i64 {
        let mut acked = 0i64;
        let Ok(page) = self.http.send("GET", &self.item, &[]) else {
            return 0;
        };
        let mut body = page.body;
        loop {
            let (Some(csrf), Some(version)) =
                (input_value(&body, "csrf"), input_value(&body, "version"))
            else {
                return acked;
            };
            let misses = (acked % 5).to_string();
            let fields = [
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("action", "draft"),
                ("basic.1.misses", misses.as_str()),
            ];
            match self.http.send("POST", &self.item, &fields) {
                Ok(r) if r.status == 303 => acked += 1,
                _ => return acked,
            }
            match self.http.send("GET", &self.item, &[]) {
                Ok(r) if r.status == 200 => body = r.body,
                _ => return acked,
            }
        }
    }
}

/// For each unit: the saved versions of its item basic.1 and their audit rows; and what
/// the audit chain's check and SQLite's integrity check find.
fn survived(
    url: &str,
    reporters: &[(&str, &'static str)],
) -> (Vec<(&'static str, i64, i64)>, Vec<String>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = kaohe_storage::Store::open(url).await.unwrap();
        let org = store.organisers().await.unwrap()[0].id;
        let c = &store.campaigns(org).await.unwrap()[0];
        let mut counts = Vec::new();
        for (_, name) in reporters {
            let unit = store
                .units(org)
                .await
                .unwrap()
                .into_iter()
                .find(|u| u.name == *name)
                .unwrap();
            let saved = store
                .report_item_history(c.id, unit.id, "basic.1")
                .await
                .unwrap()
                .len() as i64;
            let filter = kaohe_storage::AuditFilter {
                action: Some("report.item".into()),
                unit: Some(unit.id),
                item: Some("basic.1".into()),
                ..Default::default()
            };
            let audited = store.audit_count(org, &filter).await.unwrap();
            counts.push((*name, saved, audited));
        }
        let mut problems = store.audit_verify().await.unwrap().problems;
        problems.extend(store.integrity_check().await.unwrap());
        store.close().await;
        (counts, problems)
    })
}

/// Three reporters save at once while the server is killed (SIGKILL) at a random
/// moment, many times over; after each restart, for each unit, every save that survived
/// has its audit row and every acknowledged save survived, the chain is whole and
/// SQLite's integrity check passes (WAL, `synchronous = FULL`: see docs/deployment.md).
#[test]
fn a_server_killed_while_saving_leaves_every_surviving_save_audited() {
    let dir = temp("kill");
    let (mut child, mut addr) = start_server(&dir);
    let url = format!("sqlite://{}", dir.join("kaohe.db").display());
    let reporters = [
        ("xinqi", "新碶街道"),
        ("chunxiao", "春晓街道"),
        ("meishan", "梅山街道"),
    ];
    let (before, _) = survived(&url, &reporters);
    let rounds = 12;
    let mut acknowledged = [0i64; 3];
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    for round in 0..rounds {
        // The savers in threads; the main thread kills the server under them.
        let workers: Vec<_> = reporters
            .iter()
            .map(|(username, unit)| {
                let saver = Saver::log_in(&addr, username, unit);
                std::thread::spawn(move || (saver.unit, saver.save_until_killed()))
            })
            .collect();
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_millis(150 + rng % 400));
        child.kill().unwrap();
        child.wait().unwrap();
        let acked: Vec<(&str, i64)> = workers.into_iter().map(|w| w.join().unwrap()).collect();

        // Look at what survived, as `kaohe audit verify` would after the crash.
        let (counts, problems) = survived(&url, &reporters);
        for (i, (name, saved, audited)) in counts.into_iter().enumerate() {
            let (unit, n) = acked[i];
            assert_eq!(unit, name);
            acknowledged[i] += n;
            // The demo saved some units' items before the first round, without rows of
            // their own (the demo is one audited change): counted from there.
            let (saved, audited) = (saved - before[i].1, audited - before[i].2);
            assert_eq!(
                saved, audited,
                "round {round}, {name}: {saved} saved versions but {audited} audit rows"
            );
            assert!(
                saved >= acknowledged[i],
                "round {round}, {name}: {} saves were acknowledged, {saved} survived",
                acknowledged[i]
            );
        }
        assert!(problems.is_empty(), "round {round}: {problems:?}");
        let (next, next_addr) = start_server(&dir);
        child = next;
        addr = next_addr;
    }
    assert!(
        acknowledged.iter().all(|n| *n > rounds as i64),
        "the saves ran ({acknowledged:?})"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Everything a restored database must give back as it was: the audit chain's head and
/// every unit's saved facts (scores are computed from them), per campaign.
fn contents(url: &str) -> (String, Vec<String>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = kaohe_storage::Store::open(url).await.unwrap();
        let check = store.audit_verify().await.unwrap();
        assert!(check.problems.is_empty(), "{:?}", check.problems);
        let mut facts = Vec::new();
        for org in store.organisers().await.unwrap() {
            for c in store.campaigns(org.id).await.unwrap() {
                for cu in store.campaign_units(c.id).await.unwrap() {
                    for item in store.report_items(c.id, cu.unit_id).await.unwrap() {
                        facts.push(format!(
                            "{}/{}/{}: {:?} v{}",
                            c.id, cu.unit_id, item.item_id, item.facts, item.version
                        ));
                    }
                }
                for run in store.results(c.id).await.unwrap() {
                    facts.push(format!("{}: results {}", c.id, run.id));
                }
            }
        }
        store.close().await;
        (check.head.to_string(), facts)
    })
}

/// `kaohe backup` copies the database while the server runs and checks the copy;
/// `kaohe restore` checks a backup before putting it in place and keeps the database it
/// replaces; the restored database holds the same facts and the same audit chain.
#[test]
fn a_backup_taken_while_serving_restores_to_the_same_data_and_chain() {
    let live = temp("backup-live");
    let (mut child, _addr) = start_server(&live);
    let backups = temp("backup-files");
    std::fs::create_dir_all(&backups).unwrap();
    let file = backups.join("kaohe-backup.db");
    let run = |args: &[&str]| {
        let out = kaohe().args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let live_arg = live.display().to_string();
    let file_arg = file.display().to_string();
    let (ok, said) = run(&["backup", "--data", &live_arg, "--to", &file_arg]);
    assert!(ok && said.contains("数据库完整"), "{said}");
    // An existing backup is never overwritten; PostgreSQL is pointed at pg_dump.
    let (ok, said) = run(&["backup", "--data", &live_arg, "--to", &file_arg]);
    assert!(!ok && said.contains("已存在"), "{said}");
    let (ok, said) = run(&[
        "backup",
        "--database-url",
        "postgres://kaohe@127.0.0.1:1/none",
        "--to",
        "x.db",
    ]);
    assert!(!ok && said.contains("pg_dump"), "{said}");
    child.kill().unwrap();
    child.wait().unwrap();

    let restored = temp("backup-restored");
    let restored_arg = restored.display().to_string();
    let (ok, said) = run(&["restore", "--data", &restored_arg, "--from", &file_arg]);
    assert!(ok && said.contains("已从"), "{said}");
    let url = |dir: &PathBuf| format!("sqlite://{}", dir.join("kaohe.db").display());
    let (head, facts) = contents(&url(&live));
    assert!(!facts.is_empty());
    assert_eq!(contents(&url(&restored)), (head, facts));

    // Over an existing database only with --replace, and the old one is kept.
    let (ok, said) = run(&["restore", "--data", &restored_arg, "--from", &file_arg]);
    assert!(!ok && said.contains("--replace"), "{said}");
    let (ok, said) = run(&[
        "restore",
        "--data",
        &restored_arg,
        "--from",
        &file_arg,
        "--replace",
    ]);
    assert!(ok && said.contains("原数据库已改名"), "{said}");
    let head_after_restore = contents(&url(&restored)).0;
    let kept = std::fs::read_dir(&restored)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("kaohe.db.before-restore-")
        })
        .count();
    assert!(kept >= 1);
    // A file that is not a database is refused before anything is replaced.
    let junk = backups.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let (ok, said) = run(&[
        "restore",
        "--data",
        &restored_arg,
        "--from",
        &junk.display().to_string(),
        "--replace",
    ]);
    assert!(!ok && said.contains("未恢复"), "{said}");
    // A backup that is not there: said, nothing replaced.
    let missing = backups.join("没有这个文件.db");
    let (ok, said) = run(&[
        "restore",
        "--data",
        &restored_arg,
        "--from",
        &missing.display().to_string(),
        "--replace",
    ]);
    assert!(!ok && said.contains("没有这个文件.db"), "{said}");
    assert!(!said.contains("os error"), "no machine words: {said}");
    assert_eq!(
        contents(&url(&restored)).0,
        head_after_restore,
        "nothing replaced"
    );
    for dir in [live, backups, restored] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
