//! Where a request comes from: the address of the connection, or, when that is a reverse
//! proxy the operator named (`--trusted-proxy`), the address the proxy says it served
//! (`X-Forwarded-For`). A header from anyone else is ignored: it is what a client chooses
//! to write.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;

/// The client's address, as far as this server can know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// From the connection's peer (`None` in-process, as in tests: taken as the local
    /// host) and the `X-Forwarded-For` header: the right-most address that is not one of
    /// the trusted proxies, read only when the peer is one of them.
    pub fn of(peer: Option<IpAddr>, forwarded: Option<&str>, trusted: &[IpAddr]) -> ClientAddr {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        if !trusted.contains(&peer) {
            return ClientAddr(peer);
        }
        let hops = forwarded.unwrap_or_default().split(',').rev();
        for hop in hops {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) if trusted.contains(&ip) => continue,
                Ok(ip) => return ClientAddr(ip),
                // A hop that is not an address: nothing left of it can be believed.
                Err(_) => break,
            }
        }
        ClientAddr(peer)
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientAddr::of(
            peer,
            forwarded,
            &state.config.trusted_proxies,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let proxy = [ip("10.0.0.2")];
        // A client writing the header itself is not believed.
        assert_eq!(
            ClientAddr::of(Some(ip("203.0.113.9")), Some("1.2.3.4"), &proxy).0,
            ip("203.0.113.9")
        );
        // Through the proxy: the right-most address the proxy did not add itself.
        assert_eq!(
            ClientAddr::of(Some(ip("10.0.0.2")), Some("1.2.3.4, 198.51.100.7"), &proxy).0,
            ip("198.51.100.7")
        );
        // A chain of trusted proxies is walked back.
        let two = [ip("10.0.0.2"), ip("10.0.0.3")];
        assert_eq!(
            ClientAddr::of(Some(ip("10.0.0.2")), Some("198.51.100.7, 10.0.0.3"), &two).0,
            ip("198.51.100.7")
        );
        // Garbage or nothing: the proxy itself.
        assert_eq!(
            ClientAddr::of(Some(ip("10.0.0.2")), Some("bogus"), &proxy).0,
            ip("10.0.0.2")
        );
        assert_eq!(
            ClientAddr::of(Some(ip("10.0.0.2")), None, &proxy).0,
            ip("10.0.0.2")
        );
        // In-process (tests): the local host.
        assert_eq!(ClientAddr::of(None, None, &[]).0, ip("127.0.0.1"));
    }
}
