//! Several app servers on one PostgreSQL, behind nginx (the configuration in
//! docs/nginx/kaohe.conf): a session made on one server works on the other; PostgreSQL
//! restarted under load (a private cluster this test starts, on its own port, never the
//! shared one) — requests meanwhile are answered, not hung, and both servers recover
//! without a restart; one server killed under load — the other keeps serving through
//! nginx; the audit chain is whole at the end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::serve::{Http, Saver, input_value, start_serve, temp};

/// Runs a command and says what went wrong if it did.
fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A PostgreSQL cluster of the test's own, run as the `postgres` user.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn start() -> Result<Cluster, String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|_| "PostgreSQL's server programs are not installed".to_string())?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .filter(|b| b.join("initdb").exists())
            .max()
            .ok_or("initdb is not installed")?;
        let dir = temp("pg");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        run(Command::new("chown").arg("postgres").arg(&dir))?;
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
        };
        cluster.as_postgres(
            "initdb",
            &[
                "-D",
                cluster.data().to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        cluster.pg_ctl("start")?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn as_postgres(&self, program: &str, args: &[&str]) -> Result<(), String> {
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args))
    }

    /// `pg_ctl start`, `restart` (fast: sessions are ended) or `stop`, waiting for it.
    fn pg_ctl(&self, what: &str) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let data = self.data();
        let log = self.dir.join("log");
        let mut args = vec![
            what,
            "-D",
            data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-w",
            "-t",
            "60",
        ];
        if what != "stop" {
            args.extend(["-o", &options]);
        }
        if what != "start" {
            args.extend(["-m", "fast"]);
        }
        self.as_postgres("pg_ctl", &args)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl("stop");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// nginx in front of two servers, with the documented configuration.
struct Nginx {
    child: Child,
    addr: String,
    dir: PathBuf,
}

impl Nginx {
    /// Where nginx is installed, if it is.
    fn binary() -> Result<&'static str, String> {
        ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .ok_or_else(|| "nginx is not installed".to_string())
    }

    fn start(a: &str, b: &str) -> Result<Nginx, String> {
        let nginx = Nginx::binary()?;
        let dir = temp("nginx");
        std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?;
        let port = free_port();
        let site = include_str!("../../../../docs/nginx/kaohe.conf")
            .replace("127.0.0.1:8081", a)
            .replace("127.0.0.1:8082", b)
            .replace("listen 80;", &format!("listen 127.0.0.1:{port};"));
        std::fs::write(dir.join("kaohe.conf"), site).map_err(|e| e.to_string())?;
        let d = dir.display();
        std::fs::write(
            dir.join("nginx.conf"),
            format!(
                "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
                 events {{ worker_connections 256; }}\n\
                 http {{\n  access_log off;\n  client_body_temp_path {d}/tmp/body;\n  proxy_temp_path {d}/tmp/proxy;\n  \
                 fastcgi_temp_path {d}/tmp/fastcgi;\n  uwsgi_temp_path {d}/tmp/uwsgi;\n  scgi_temp_path {d}/tmp/scgi;\n  \
                 include {d}/kaohe.conf;\n}}\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        // The worker runs as nobody when the master is root.
        run(Command::new("chmod").args(["-R", "a+rwX"]).arg(&dir))?;
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let addr = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                return Err(format!(
                    "nginx did not start: {}",
                    std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Nginx { child, addr, dir })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What one request got: when it was sent, whether it saved, its status (or the
/// client's error) and how long it took.
#[derive(Debug, Clone)]
struct Outcome {
    at: Instant,
    post: bool,
    status: Result<u16, String>,
    took: Duration,
    /// A 503 with kaohe's own page saying the database cannot be reached.
    said_why: bool,
}

/// Reporters saving and reading their item through `addr` until `stop`.
fn load(addr: &str, stop: Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<Vec<Outcome>>> {
    [
        ("xinqi", "新碶街道"),
        ("chunxiao", "春晓街道"),
        ("meishan", "梅山街道"),
    ]
    .into_iter()
    .map(|(user, unit)| {
        let mut saver = Saver::log_in(addr, user, unit);
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut outcomes = Vec::new();
            let mut page: Option<String> = None;
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let at = Instant::now();
                let form = page
                    .as_deref()
                    .and_then(|p| Some((input_value(p, "csrf")?, input_value(p, "version")?)));
                let (post, reply) = match form {
                    Some((csrf, version)) if n % 2 == 1 => {
                        let misses = (n % 5).to_string();
                        let fields = [
                            ("csrf", csrf.as_str()),
                            ("version", version.as_str()),
                            ("action", "draft"),
                            ("basic.1.misses", misses.as_str()),
                        ];
                        page = None;
                        (true, saver.http.send("POST", &saver.item.clone(), &fields))
                    }
                    _ => (false, saver.http.send("GET", &saver.item.clone(), &[])),
                };
                let mut said_why = false;
                let status = match reply {
                    Ok(r) => {
                        said_why = r.status == 503 && r.body.contains("数据库暂时无法连接");
                        if !post && r.status == 200 {
                            page = Some(r.body);
                        }
                        Ok(r.status)
                    }
                    Err(e) => Err(e.to_string()),
                };
                let failed = !matches!(status, Ok(200 | 303));
                outcomes.push(Outcome {
                    at,
                    post,
                    status,
                    took: at.elapsed(),
                    said_why,
                });
                n += 1;
                if failed {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            outcomes
        })
    })
    .collect()
}

fn collect(workers: Vec<std::thread::JoinHandle<Vec<Outcome>>>) -> Vec<Outcome> {
    workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect()
}

fn health(addr: &str) -> Option<u16> {
    let mut http = Http {
        addr: addr.into(),
        cookie: String::new(),
    };
    http.send("GET", "/healthz", &[]).ok().map(|r| r.status)
}

#[test]
fn several_servers_share_one_postgresql_through_a_restart_and_a_kill() {
    let needed = Nginx::binary().and_then(|_| Cluster::start());
    let cluster = match needed {
        Ok(cluster) => cluster,
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: {why} (.ci/run installs PostgreSQL and nginx)");
            return;
        }
        Err(why) => panic!("CI is set but this test cannot run: {why}"),
    };
    let url = cluster.url();
    let args = [
        "--database-url",
        url.as_str(),
        "--trusted-proxy",
        "127.0.0.1",
    ];
    // The first seeds the demo into the empty database; the second finds it there.
    let (mut a, a_addr) = start_serve(&args);
    let (mut b, b_addr) = start_serve(&args);

    // A session made on one server is valid on the other (sessions live in the database).
    let mut saver = Saver::log_in(&a_addr, "xinqi", "新碶街道");
    saver.http.addr = b_addr.clone();
    let item = saver.item.clone();
    let on_b = saver.http.send("GET", &item, &[]).unwrap();
    assert_eq!(on_b.status, 200, "the session from A on B: {}", on_b.head);

    let nginx = Nginx::start(&a_addr, &b_addr).unwrap();

    // PostgreSQL restarted under load.
    let stop = Arc::new(AtomicBool::new(false));
    let workers = load(&nginx.addr, stop.clone());
    std::thread::sleep(Duration::from_secs(1));
    let down = Instant::now();
    cluster.pg_ctl("restart").unwrap();
    let up = Instant::now();
    std::thread::sleep(Duration::from_secs(5));
    stop.store(true, Ordering::Relaxed);
    let restart = collect(workers);
    let recovered = up + Duration::from_secs(3);
    let late: Vec<&Outcome> = restart
        .iter()
        .filter(|o| o.at > recovered && !matches!(o.status, Ok(200 | 303)))
        .collect();
    assert!(
        late.is_empty(),
        "not recovered 3 s after the restart: {late:?}"
    );
    let bad: Vec<&Outcome> = restart
        .iter()
        .filter(|o| !matches!(o.status, Ok(200 | 303)) && !o.said_why)
        .collect();
    assert!(
        bad.is_empty(),
        "a request failed other than with kaohe's 503 page: {bad:?}"
    );
    let slowest = restart.iter().map(|o| o.took).max().unwrap();
    assert!(
        slowest < Duration::from_secs(15),
        "a request hung: {slowest:?}"
    );
    let answered = restart.iter().filter(|o| o.at > recovered).count();
    assert!(answered > 10, "the load ran after the restart ({answered})");
    for addr in [&a_addr, &b_addr] {
        assert_eq!(
            health(addr),
            Some(200),
            "{addr} recovered without a restart"
        );
    }
    eprintln!(
        "PostgreSQL restart: {} requests ({} saves), {} answered 503 during the {:?} it was down, slowest {:?}",
        restart.len(),
        restart.iter().filter(|o| o.post).count(),
        restart.iter().filter(|o| o.status == Ok(503)).count(),
        up - down,
        slowest
    );

    // One server killed under load: the other serves everything through nginx.
    let stop = Arc::new(AtomicBool::new(false));
    let workers = load(&nginx.addr, stop.clone());
    std::thread::sleep(Duration::from_secs(1));
    let killed = Instant::now();
    a.kill().unwrap();
    a.wait().unwrap();
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    let kill = collect(workers);
    let failed: Vec<&Outcome> = kill
        .iter()
        .filter(|o| !matches!(o.status, Ok(200 | 303)))
        .collect();
    // Only what was in flight on the killed server when it died may fail (nginx does
    // not resend a save that reached it), and it fails as a bad gateway, not a hang.
    assert!(failed.len() <= 3, "{failed:?}");
    assert!(
        failed
            .iter()
            .all(|o| o.status == Ok(502) && o.at < killed + Duration::from_secs(1)),
        "{failed:?}"
    );
    assert!(
        kill.iter().filter(|o| o.at > killed).count() > 10,
        "the load ran after the kill"
    );
    assert_eq!(health(&b_addr), Some(200));
    eprintln!(
        "one server killed: {} requests, {} failed (in flight on it)",
        kill.len(),
        failed.len()
    );
    b.kill().unwrap();
    b.wait().unwrap();
    drop(nginx);

    // Every change the servers made is in one whole audit chain.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let problems = rt.block_on(async {
        let store = kaohe_storage::Store::open(&url).await.unwrap();
        let check = store.audit_verify().await.unwrap();
        store.close().await;
        check.problems
    });
    assert!(problems.is_empty(), "{problems:?}");
}
