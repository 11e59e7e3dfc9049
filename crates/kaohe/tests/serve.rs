//! The binary as a newcomer and an operator use it: `kaohe serve` on an empty data
//! folder seeds the demo and answers on the printed address; `kaohe init` and
//! `kaohe organiser add` set up a real deployment.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn kaohe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kaohe"))
}

fn temp(name: &str) -> PathBuf {
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
