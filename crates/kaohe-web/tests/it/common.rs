//! An in-process client for the app: cookies kept like a browser's, forms posted with
//! the page's CSRF token.

#![allow(dead_code)]

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use kaohe_storage::Store;
use kaohe_storage::testing::TestDb;
use kaohe_web::{AppState, Config, app};
use tower::ServiceExt;

pub struct Resp {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    /// The body as sent (downloads are not text) and the headers.
    pub bytes: Vec<u8>,
    pub headers: axum::http::HeaderMap,
}

impl Resp {
    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        between(&self.body, "name=\"csrf\" value=\"", "\"").unwrap_or_default()
    }
}

pub fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let i = text.find(start)? + start.len();
    let j = text[i..].find(end)?;
    Some(text[i..i + j].to_string())
}

#[derive(Clone)]
pub struct Client {
    app: Router,
    cookies: HashMap<String, String>,
    /// Sent as `X-Forwarded-For` with every request (a client behind a proxy).
    forwarded_for: Option<String>,
}

impl Client {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Keeps the cookies but talks to another app server.
    pub fn switch_app(&mut self, app: Router) {
        self.app = app;
    }

    pub fn new(app: Router) -> Client {
        Client {
            app,
            cookies: HashMap::new(),
            forwarded_for: None,
        }
    }

    /// A client whose requests say, through `X-Forwarded-For`, that they come from `ip`
    /// (believed only by an app that trusts the in-process peer, 127.0.0.1, as a proxy).
    pub fn at_address(mut self, ip: &str) -> Client {
        self.forwarded_for = Some(ip.to_string());
        self
    }

    async fn send(&mut self, mut req: Request<Body>) -> Resp {
        if let Some(ip) = &self.forwarded_for {
            req.headers_mut()
                .insert("x-forwarded-for", ip.parse().expect("an address"));
        }
        let res = self
            .app
            .clone()
            .oneshot(req)
            .await
            .expect("the app answers");
        for value in res.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap_or("");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), v.to_string());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(String::from);
        let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
            .await
            .expect("a body");
        Resp {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
            headers,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Resp {
        self.post_files(path, fields, &[file]).await
    }

    /// A body sent as it is, with its content type: what a broken or hostile client sends.
    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: &[u8]) -> Resp {
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_vec()))
            .unwrap();
        self.send(req).await
    }

    /// A multipart form with several files (`(field, file name, bytes)`), as a browser
    /// sends a form whose file input allows several.
    pub async fn post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Resp {
        let boundary = "----kaohe-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, filename, data) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Logs in through the login page, as a person would.
    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        let csrf = page.csrf();
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// A CSRF token of the current session (from any page with a form).
    pub async fn token(&mut self) -> String {
        let page = self.get("/account/password").await;
        page.csrf()
    }
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An app on a fresh database with the demo seeded.
pub async fn demo_app(db: &TestDb) -> Router {
    kaohe_web::setup::seed_demo_if_empty(&db.store)
        .await
        .expect("seed the demo");
    app(AppState::new(db.store.clone(), Config::default()))
}

pub fn app_on(store: Store) -> Router {
    app(AppState::new(store, Config::default()))
}

pub const PW: &str = kaohe_web::setup::DEMO_PASSWORD;

/// The date `offset` days from today in China, as forms take it (`2026-12-01`).
pub fn china_day(offset: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(kaohe_storage::now_ms() / 1000 + offset * 86400)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

/// The admin computes the campaign's results (unconfirmed items too) and they are
/// published with a window from today for a week.
pub async fn compute_and_publish(app: &Router, db: &TestDb, cid: i64) {
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let page = admin.get(&format!("/c/{cid}/results")).await;
    let r = admin
        .post(
            &format!("/admin/c/{cid}/results"),
            &[("csrf", &page.csrf()), ("force", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    kaohe_storage::change!(db.store, publish(cid, &china_day(0), &china_day(6), false)).unwrap();
}

/// The demo's organiser, its current campaign and the id of the unit of that name.
pub async fn demo_unit(
    db: &TestDb,
    name: &str,
) -> (kaohe_storage::Id, kaohe_storage::Id, kaohe_storage::Id) {
    let org = db.store.organisers().await.unwrap()[0].id;
    let cid = db.store.campaigns(org).await.unwrap()[0].id;
    let uid = db
        .store
        .units(org)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == name)
        .unwrap_or_else(|| panic!("the demo has {name}"))
        .id;
    (org, cid, uid)
}
