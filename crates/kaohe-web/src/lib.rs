//! kaohe's web application. Only this crate knows HTTP and HTML.
//!
//! [`app`] builds the whole application from its state, so tests drive it in-process;
//! [`serve`] binds a port and runs it. Every route is declared once in
//! [`routes::table`], with the roles that may use it.

mod admin;
mod audit;
mod auth;
mod guide;
mod home;
mod http;
pub mod routes;
pub mod setup;
pub mod year;

pub use year::snapshot;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderValue, header};
use kaohe_core::Rubric;
use kaohe_storage::{Id, Store};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub use admin::audit::action_words;
pub use auth::{hash_password, password_problem};
pub use http::error::AppError;
pub use http::layout::china_time;
pub use year::evidence::safe_name as safe_evidence_name;
pub use year::exports::{StoredResults, results_from_snapshot, stored_results};

/// Settings of one app server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Log out after this much inactivity.
    pub idle_timeout: time::Duration,
    /// Log out this long after logging in, however active (等保: an absolute session
    /// lifetime beside the idle one).
    pub session_lifetime: time::Duration,
    /// A password older than this must be changed before anything else is done
    /// (`None`: passwords do not expire).
    pub password_max_age: Option<time::Duration>,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The largest evidence file accepted, in bytes.
    pub max_upload: usize,
    /// Failed logins for one account from one address within a day before each further
    /// failure from there waits: one minute, then twice as long each time, up to
    /// `lockout`. Another address is not affected.
    pub login_attempts: i64,
    /// The longest wait for one address.
    pub lockout: time::Duration,
    /// Failed logins for one account from all addresses within a day before the account
    /// itself is locked for `account_lockout` (an admin can unlock it sooner).
    pub account_attempts: i64,
    pub account_lockout: time::Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see `http::client`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            idle_timeout: time::Duration::minutes(30),
            session_lifetime: time::Duration::hours(12),
            password_max_age: Some(time::Duration::days(90)),
            secure_cookies: false,
            max_upload: 20 * 1024 * 1024,
            login_attempts: 5,
            lockout: time::Duration::hours(1),
            account_attempts: 100,
            account_lockout: time::Duration::hours(1),
            trusted_proxies: Vec::new(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Parsed rubric versions by id. Versions never change once stored, so a cache of
    /// them is safe on every app server.
    rubrics: Arc<Mutex<HashMap<Id, Arc<Rubric>>>>,
    /// The latest results snapshots read, newest first, by the id of their computation
    /// (`year::snapshot::latest`). Computations are never changed once stored, so this is
    /// safe on every app server; a new computation has a new id.
    snapshots: Arc<Mutex<year::snapshot::Kept>>,
    /// Turns for work that builds a whole campaign's document in memory (the summary
    /// workbook, the bulletin): as many at once as the machine has cores, the others
    /// wait, so a crowd asking for them at once cannot take the server's memory.
    heavy: Arc<tokio::sync::Semaphore>,
    /// Turns for pages that read every unit of a campaign to show a page of them (the
    /// review queue's counts, the progress table, the ranking, the gaps): as many at
    /// once as cores. They are CPU-bound, so more at once only holds more memory (32
    /// queues at once held 190 MB at 1,400 units) and delays every cheap page.
    wide: Arc<tokio::sync::Semaphore>,
    /// One audit page at a time checks the chain since its checkpoint; the next finds the
    /// checkpoint moved on and checks only what came after.
    pub(crate) audit_check: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            rubrics: Arc::default(),
            snapshots: Arc::default(),
            heavy: Arc::new(tokio::sync::Semaphore::new(cores())),
            wide: Arc::new(tokio::sync::Semaphore::new(cores())),
            audit_check: Arc::default(),
        }
    }

    /// A turn for heavy work ([`AppState::heavy`]), held until dropped.
    pub(crate) async fn heavy(
        &self,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, http::error::AppError> {
        self.heavy
            .acquire()
            .await
            .map_err(|e| http::error::AppError::Internal(format!("heavy work: {e}")))
    }

    /// A turn for a page that reads a whole campaign ([`AppState::wide`]).
    pub(crate) async fn wide(
        &self,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, http::error::AppError> {
        self.wide
            .acquire()
            .await
            .map_err(|e| http::error::AppError::Internal(format!("campaign page: {e}")))
    }
}

/// The machine's cores, as many turns as heavy work gets.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The Content-Security-Policy of every response: scripts, styles, images and requests
/// only from kaohe itself (every asset is served by the binary), no inline script, no
/// plugins, no framing. Inline style attributes stay allowed: the charts library writes
/// them into its tooltips.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole application: routes from the route table, sessions in the database.
pub fn app(state: AppState) -> Router {
    let sessions =
        SessionManagerLayer::new(http::sessions::DbSessionStore::new(state.store.clone()))
            .with_name("kaohe_session")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(state.config.secure_cookies)
            .with_expiry(Expiry::OnInactivity(state.config.idle_timeout));
    let header =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    routes::router(state.clone())
        .layer(sessions)
        .layer(axum::middleware::map_response(http::error::session_failure))
        .layer(axum::middleware::map_response(http::error::plain_rejection))
        // Browser security headers on every response (see `CSP`). Pages and downloads are
        // a person's own data: never kept by a shared cache or the browser's history
        // (assets set their own caching, which stays).
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // The charts library is 1.1 MB; gzip brings it to about a third.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.max_upload + 64 * 1024,
        ))
        // One log line per request with its method, path, status and time, under the
        // request's id (set outermost, so every line of the request carries it).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id, method = %req.method(), path = req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(
            http::request_id::RequestIds::default(),
        ))
}

/// Binds `addr` and serves until the process is stopped. Returns the bound address
/// through `ready` (useful with port 0).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    let store = state.store.clone();
    // Expired sessions are removed now and then; any server may do it.
    tokio::spawn(async move {
        loop {
            let _ = store.sessions_delete_expired(kaohe_storage::now_ms()).await;
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        }
    });
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
