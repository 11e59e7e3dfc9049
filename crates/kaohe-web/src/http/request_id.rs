//! A request id for every request (`X-Request-Id`, kept when a proxy already set one),
//! returned to the client and written on every log line of the request, so that a
//! person's "it failed at 10:02" can be found in the logs of several servers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

/// Ids `PREFIX-N`: a random prefix for this process, then a counter.
#[derive(Clone)]
pub struct RequestIds {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> RequestIds {
        use rand::RngExt;
        let prefix: u32 = rand::rng().random();
        RequestIds {
            prefix: format!("{prefix:08x}").into(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}
