//! Logging in and out, sessions, throttling and passwords.

use crate::common::*;
use kaohe_storage::testing::{self, TestDb};
use kaohe_web::{AppState, Config, app};

#[tokio::test]
async fn a_login_renews_the_session_id_and_logout_ends_it() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    let before = c.get("/login").await;
    assert_eq!(before.status, 200);
    let r = c.login("admin", PW).await;
    assert_eq!(r.status, 303);
    let session_cookie = c.clone();
    let page = c.get("/admin").await;
    assert_eq!(page.status, 200, "{}", page.body);
    // Log out, then the old cookie is worthless.
    let r = c.post("/logout", &[("csrf", &page.csrf())]).await;
    assert_eq!(r.status, 303);
    let mut replay = session_cookie;
    let r = replay.get("/admin").await;
    assert_eq!(r.status, 303);
    assert!(r.location.unwrap().starts_with("/login"));
    db.finish().await;
}

#[tokio::test]
async fn the_session_id_changes_at_login() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut c = Client::new(app);
    let page = c.get("/login").await;
    let before = c.cookie("kaohe_session");
    assert!(
        before.is_some(),
        "the login page's session carries its CSRF token"
    );
    c.post(
        "/login",
        &[
            ("csrf", &page.csrf()),
            ("username", "admin"),
            ("password", PW),
        ],
    )
    .await;
    let after = c.cookie("kaohe_session");
    assert!(after.is_some());
    assert_ne!(
        before, after,
        "a session planted before login is not the session after it"
    );
    db.finish().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_five_lock_the_account() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    for left in (1..5).rev() {
        let r = c.login("xinqi", "not-the-password").await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains(&format!("再失败 {left} 次")), "{}", r.body);
    }
    let r = c.login("xinqi", "not-the-password").await;
    assert!(r.body.contains("暂时锁定"), "{}", r.body);
    let r = c.login("xinqi", PW).await;
    assert_eq!(
        r.status, 200,
        "the right password does not open a locked account"
    );
    // Names that do not exist are counted too, and say nothing different.
    let r = c.login("nobody", "whatever-it-is").await;
    assert!(r.body.contains("用户名或密码不正确"), "{}", r.body);
    db.finish().await;
}

/// Someone who only knows a user name cannot lock its owner out: failures from one
/// address make that address wait (longer each time), not the owner elsewhere; the owner
/// is told at their next login; an admin can lift a lock; the account itself locks only
/// on many failures from many addresses. Behind a proxy only the named proxy's
/// `X-Forwarded-For` is believed.
#[tokio::test]
async fn failed_logins_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let db = testing::sqlite().await;
    kaohe_web::setup::seed_demo_if_empty(&db.store)
        .await
        .unwrap();
    let config = Config {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        account_attempts: 12,
        ..Default::default()
    };
    let app = app(AppState::new(db.store.clone(), config));
    let mut attacker = Client::new(app.clone()).at_address("203.0.113.66");
    for _ in 0..5 {
        attacker.login("xinqi", "guess-guess-1").await;
    }
    let r = attacker.login("xinqi", PW).await;
    assert_eq!(
        r.status, 200,
        "the attacker's address waits, even with the password"
    );
    assert!(r.body.contains("暂时锁定"), "{}", r.body);

    // The owner, from their own address, logs in and is told.
    let mut owner = Client::new(app.clone()).at_address("198.51.100.7");
    let r = owner.login("xinqi", PW).await;
    assert_eq!(r.status, 303, "the owner is not locked out: {}", r.body);
    let home = owner.get("/").await;
    assert!(
        home.body.contains("有 5 次用错误的密码尝试登录您的账号")
            && home.body.contains("203.0.113.66"),
        "{}",
        home.body
    );
    assert!(
        !owner.get("/").await.body.contains("错误的密码尝试"),
        "said once"
    );

    // The lock is in the admin's audit log, once, with the address.
    let org = db.store.organisers().await.unwrap()[0].clone();
    let locks: Vec<_> = db
        .store
        .audit_rows(org.id, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "login.locked")
        .collect();
    assert_eq!(locks.len(), 1);
    assert!(locks[0].entry.changes.to_string().contains("203.0.113.66"));

    // Many addresses: the account itself locks, for everyone; an admin lifts it.
    for i in 0..12 {
        let mut c = Client::new(app.clone()).at_address(&format!("192.0.2.{i}"));
        c.login("xinqi", "guess-guess-2").await;
    }
    let mut owner = Client::new(app.clone()).at_address("198.51.100.7");
    let r = owner.login("xinqi", PW).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("近一天内登录失败次数过多"), "{}", r.body);
    let mut admin = Client::new(app.clone()).at_address("198.51.100.1");
    admin.login("admin", PW).await;
    let page = admin.get("/admin/users").await;
    assert!(page.body.contains("登录锁定至"), "{}", page.body);
    let xinqi = db.store.user_by_username("xinqi").await.unwrap().unwrap();
    let r = admin
        .post(
            &format!("/admin/users/{}/unlock", xinqi.id),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert!(r.body.contains("已解除"), "{}", r.body);
    let r = owner.login("xinqi", PW).await;
    assert_eq!(r.status, 303, "unlocked: {}", r.body);
    // Even the first attacker's address is free again.
    let r = attacker.login("xinqi", PW).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Without a trusted proxy the header is not believed: every "address" is this peer.
    let plain = app_on_default(&db);
    for i in 0..5 {
        let mut c = Client::new(plain.clone()).at_address(&format!("192.0.2.{i}"));
        c.login("daqi", "guess-guess-3").await;
    }
    let mut c = Client::new(plain).at_address("198.51.100.9");
    let r = c.login("daqi", PW).await;
    assert!(r.body.contains("暂时锁定"), "{}", r.body);
    db.finish().await;
}

fn app_on_default(db: &TestDb) -> axum::Router {
    app(AppState::new(db.store.clone(), Config::default()))
}

#[tokio::test]
async fn an_idle_session_times_out() {
    let db = testing::sqlite().await;
    kaohe_web::setup::seed_demo_if_empty(&db.store)
        .await
        .unwrap();
    let config = Config {
        idle_timeout: time::Duration::seconds(1),
        ..Default::default()
    };
    let mut c = Client::new(app(AppState::new(db.store.clone(), config)));
    c.login("admin", PW).await;
    assert_eq!(c.get("/admin").await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = c.get("/admin").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location.unwrap().starts_with("/login?next=/admin"));
    db.finish().await;
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_a_strong_new_one() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    c.login("lingdao", PW).await;
    let page = c.get("/account/password").await;
    let csrf = page.csrf();
    let cases = [
        (
            "wrong",
            "Strong#Pass2026",
            "Strong#Pass2026",
            "当前密码不正确",
        ),
        (PW, "short1A!", "short1A!", "密码太短"),
        (PW, "alllowercase", "alllowercase", "至少 16 个字符"),
        (PW, "Strong#Pass2026", "Strong#Pass2027", "不一致"),
        (PW, "Lingdao#Pass2026", "Lingdao#Pass2026", "不能包含用户名"),
    ];
    for (current, new, confirm, message) in cases {
        let r = c
            .post(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", new),
                    ("confirm", confirm),
                ],
            )
            .await;
        assert!(r.body.contains(message), "{new}: {}", r.body);
    }
    let r = c
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PW),
                ("new", "Strong#Pass2026"),
                ("confirm", "Strong#Pass2026"),
            ],
        )
        .await;
    assert!(r.body.contains("密码已修改"), "{}", r.body);
    let mut again = Client::new(demo_app(&db).await);
    assert_eq!(
        again.login("lingdao", PW).await.status,
        200,
        "the old password no longer works"
    );
    assert_eq!(again.login("lingdao", "Strong#Pass2026").await.status, 303);
    db.finish().await;
}

#[tokio::test]
async fn a_user_who_must_change_their_password_can_do_nothing_else_first() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let user = db.store.user_by_username("lingdao").await.unwrap().unwrap();
    kaohe_storage::change!(
        db.store,
        set_password(
            user.id,
            &kaohe_web::hash_password("Temporary#2026x").unwrap(),
            true,
        )
    )
    .unwrap();
    let mut c = Client::new(app);
    c.login("lingdao", "Temporary#2026x").await;
    let r = c.get("/").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/account/password"));
    let page = c.get("/account/password").await;
    assert!(page.body.contains("请先设置自己的新密码"));
    let r = c
        .post(
            "/account/password",
            &[
                ("csrf", &page.csrf()),
                ("current", "Temporary#2026x"),
                ("new", "Mine#Own2026pw"),
                ("confirm", "Mine#Own2026pw"),
            ],
        )
        .await;
    assert!(r.body.contains("密码已修改"));
    assert_eq!(c.get("/account/password").await.status, 200);
    db.finish().await;
}

#[tokio::test]
async fn the_next_page_after_login_stays_on_this_site() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    let page = c.get("/login?next=//evil.example/x").await;
    let r = c
        .post(
            "/login",
            &[
                ("csrf", &page.csrf()),
                ("username", "admin"),
                ("password", PW),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/"));
    db.finish().await;
}

#[tokio::test]
async fn a_password_reset_ends_every_open_session_of_that_user() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut leader = Client::new(app.clone());
    leader.login("lingdao", PW).await;
    assert_eq!(leader.get("/account/password").await.status, 200);
    // The admin resets the password (as the users page does).
    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    let user = db.store.user_by_username("lingdao").await.unwrap().unwrap();
    let page = admin.get("/admin/users").await;
    let r = admin
        .post(
            &format!("/admin/users/{}/password", user.id),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    let r = leader.get("/").await;
    assert_eq!(r.status, 303, "the old session is over: {}", r.body);
    assert!(r.location.unwrap().starts_with("/login"));
    db.finish().await;
}

#[tokio::test]
async fn changing_ones_own_password_keeps_this_session_and_ends_the_others() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut here = Client::new(app.clone());
    let mut elsewhere = Client::new(app);
    here.login("lingdao", PW).await;
    elsewhere.login("lingdao", PW).await;
    let page = here.get("/account/password").await;
    let r = here
        .post(
            "/account/password",
            &[
                ("csrf", &page.csrf()),
                ("current", PW),
                ("new", "Strong#Pass2026"),
                ("confirm", "Strong#Pass2026"),
            ],
        )
        .await;
    assert!(r.body.contains("密码已修改"), "{}", r.body);
    assert_eq!(
        here.get("/account/password").await.status,
        200,
        "this session goes on"
    );
    let r = elsewhere.get("/").await;
    assert_eq!(r.status, 303, "the other session is over");
    db.finish().await;
}

/// Failed logins, refused requests, stale or forged forms and wrong current passwords
/// are security events an auditor reads, counted by hour (a flood adds to a count);
/// the current-password check waits after repeated failures, like a login.
#[tokio::test]
async fn security_events_are_counted_for_the_auditor_and_the_password_check_is_throttled() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let org = db.store.organisers().await.unwrap()[0].clone();

    let mut guesser = Client::new(app.clone());
    guesser.login("daqi", "not-the-password").await;
    let mut reporter = Client::new(app.clone());
    reporter.login("xinqi", PW).await;
    for _ in 0..3 {
        assert_eq!(reporter.get("/admin/users").await.status, 403);
    }
    let r = reporter
        .post("/account/password", &[("csrf", "forged"), ("current", "x")])
        .await;
    assert_eq!(r.status, 403);
    let csrf = reporter.get("/account/password").await.csrf();
    let wrong = |n: usize| {
        [
            ("csrf", csrf.clone()),
            ("current", format!("wrong-{n}")),
            ("new", "Xinqi#NewPass2026".to_string()),
            ("confirm", "Xinqi#NewPass2026".to_string()),
        ]
    };
    for n in 0..5 {
        let form = wrong(n);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = reporter.post("/account/password", &pairs).await;
        assert!(r.body.contains("当前密码不正确"), "{}", r.body);
    }
    // Now even the right current password waits.
    let r = reporter
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PW),
                ("new", "Xinqi#NewPass2026"),
                ("confirm", "Xinqi#NewPass2026"),
            ],
        )
        .await;
    assert!(r.body.contains("输错次数过多"), "{}", r.body);

    let events = db.store.security_events(org.id, 0, 100).await.unwrap();
    let count = |kind: kaohe_storage::SecurityKind, account: &str| {
        events
            .iter()
            .filter(|e| e.kind == kind && e.account == account)
            .map(|e| e.count)
            .sum::<i64>()
    };
    use kaohe_storage::SecurityKind::*;
    assert_eq!(count(LoginFailed, "daqi"), 1);
    assert_eq!(
        count(AccessRefused, "xinqi"),
        3,
        "one row, counted: {events:?}"
    );
    assert_eq!(
        events.iter().filter(|e| e.kind == AccessRefused).count(),
        1,
        "three refusals in one hour are one row"
    );
    assert_eq!(count(CsrfRefused, "xinqi"), 1);
    assert_eq!(count(PasswordWrong, "xinqi"), 5);

    let mut auditor = Client::new(app);
    auditor.login("shenji", PW).await;
    let page = auditor.get("/audit").await;
    for words in [
        "安全事件",
        "访问无权查看或操作的内容",
        "/admin/users",
        "修改密码时当前密码不正确",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    db.finish().await;
}

fn app_with(db: &kaohe_storage::testing::TestDb, config: kaohe_web::Config) -> axum::Router {
    kaohe_web::app(kaohe_web::AppState::new(db.store.clone(), config))
}

/// The demo on SQLite, served with `config`.
async fn demo_with(config: kaohe_web::Config) -> (kaohe_storage::testing::TestDb, axum::Router) {
    let db = kaohe_storage::testing::sqlite().await;
    kaohe_web::setup::seed_demo_if_empty(&db.store)
        .await
        .unwrap();
    let app = app_with(&db, config);
    (db, app)
}

/// 等保: a session ends a fixed time after login however active it is; the login page
/// says why, and a form sent after it is refused with the same reason, nothing saved.
#[tokio::test]
async fn a_session_ends_its_lifetime_after_login_however_active() {
    let (db, app) = demo_with(kaohe_web::Config {
        session_lifetime: time::Duration::seconds(2),
        ..Default::default()
    })
    .await;
    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    let page = admin.get("/admin/departments").await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    let r = admin.get("/admin/units").await;
    assert_eq!(r.status, 303);
    let to = r.location.unwrap();
    assert_eq!(to, "/login?next=/admin/units&why=lifetime");
    let login = admin.get(&to).await;
    assert!(
        login.body.contains("为安全起见已自动退出，请重新登录"),
        "{}",
        login.body
    );
    // The session is gone: a form sent with it changes nothing.
    let before = db
        .store
        .departments(db.store.organisers().await.unwrap()[0].id)
        .await
        .unwrap()
        .len();
    let r = admin
        .post(
            "/admin/departments",
            &[("csrf", &csrf), ("name", "区民政局")],
        )
        .await;
    assert!(
        r.status == 401 || r.status == 400,
        "{} {}",
        r.status,
        r.body
    );
    let org = db.store.organisers().await.unwrap()[0].id;
    assert_eq!(db.store.departments(org).await.unwrap().len(), before);
    // Logging in again starts a new lifetime.
    admin.login("admin", PW).await;
    assert_eq!(admin.get("/admin/units").await.status, 200);
    db.finish().await;
}

/// 等保: a password older than the deployment allows must be changed before anything
/// else; the password page says why; once changed, work goes on.
#[tokio::test]
async fn an_expired_password_must_be_changed_before_anything_else() {
    let (db, app) = demo_with(kaohe_web::Config {
        password_max_age: Some(time::Duration::seconds(2)),
        ..Default::default()
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let r = admin.get("/admin/units").await;
    assert_eq!(r.location.as_deref(), Some("/account/password"));
    let page = admin.get("/account/password").await;
    assert!(
        page.body.contains("按安全规定须修改后才能继续使用"),
        "{}",
        page.body
    );
    let new = "Xinmima-2027!";
    let r = admin
        .post(
            "/account/password",
            &[
                ("csrf", &page.csrf()),
                ("current", PW),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;
    assert!(r.body.contains("密码已修改"), "{}", r.body);
    assert!(!r.body.contains("按安全规定须修改"));
    assert_eq!(admin.get("/admin/units").await.status, 200);
    // Without an expiry, an old password is not held to one.
    let app = app_with(
        &db,
        kaohe_web::Config {
            password_max_age: None,
            ..Default::default()
        },
    );
    let mut leader = Client::new(app);
    leader.login("lingdao", PW).await;
    let home = leader.get("/").await;
    assert_ne!(home.location.as_deref(), Some("/account/password"));
    assert!(home.status == 200 || home.status == 303, "{}", home.status);
    db.finish().await;
}

/// Every request moves a session's idle expiry on; written each time, that was a database
/// write for every page read. An unchanged session is written again only once its stored
/// expiry lags more than a minute behind, so the idle timeout still holds.
#[tokio::test]
async fn reading_pages_writes_the_session_only_when_its_expiry_lags_a_minute() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut admin = Client::new(app);
    assert_eq!(admin.login("admin", PW).await.status, 303);
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&db.url)
        .await
        .unwrap();
    let expiry = async || -> i64 {
        sqlx::query_scalar("SELECT MAX(expiry) FROM sessions")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let after_login = expiry().await;
    sqlx::query("UPDATE sessions SET data = data || ' ' WHERE expiry = $1")
        .bind(after_login)
        .execute(&pool)
        .await
        .unwrap();
    for path in ["/admin", "/admin/units", "/guide"] {
        assert_eq!(admin.get(path).await.status, 200);
    }
    let stored: String = sqlx::query_scalar("SELECT data FROM sessions WHERE expiry = $1")
        .bind(after_login)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        stored.ends_with(' '),
        "pages read within the minute wrote the session: {stored}"
    );
    // Its stored expiry lagging more than a minute (as after a minute of reading): the
    // next page moves it on, 30 minutes from now.
    let lagging = after_login - 5 * 60 * 1000;
    sqlx::query("UPDATE sessions SET expiry = $1 WHERE expiry = $2")
        .bind(lagging)
        .bind(after_login)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(admin.get("/admin").await.status, 200);
    let moved = expiry().await;
    let now = kaohe_storage::now_ms();
    assert!(
        moved > lagging && (moved - now - 30 * 60 * 1000).abs() < 5_000,
        "moved to {moved}, now {now}"
    );
    pool.close().await;
    db.finish().await;
}
