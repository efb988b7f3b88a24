//! The address a request comes from, as the login limiter counts it.
//!
//! Behind a reverse proxy every request arrives from the proxy's address, and the client's
//! is in `X-Forwarded-For`. That header is written by whoever sends the request, so it is read
//! only when the request comes from a configured trusted proxy, and then from the right: each
//! trusted proxy appends the address it saw, and the first entry from the right that is not a
//! trusted proxy is the client. Anything a client wrote further left is ignored.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The client's address: `peer` itself, unless `peer` is one of `trusted` proxies.
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> String {
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in forwarded.iter().rev() {
        match entry.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip.to_string(),
            // A garbled entry cannot be attributed: count it against the last proxy that
            // passed it on, as that is the only address known for sure.
            Err(_) => break,
        }
    }
    client.to_string()
}

/// The caller's address, as a handler argument.
pub struct ClientAddress(pub String);

impl axum::extract::FromRequestParts<crate::AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|axum::extract::ConnectInfo(a)| a.ip());
        Ok(Self(client_address(
            peer,
            &parts.headers,
            &state.config.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        let trusted = nets(&["10.0.0.0/24"]);
        let h = headers(&["1.2.3.4, 198.51.100.7"]);
        assert_eq!(client_address(Some(stranger), &h, &trusted), "203.0.113.9");
        assert_eq!(client_address(Some(proxy), &h, &trusted), "198.51.100.7");
        assert_eq!(client_address(Some(proxy), &h, &[]), "10.0.0.2");
        // Two trusted hops: the client is the first untrusted entry from the right.
        let h = headers(&["6.6.6.6", "198.51.100.7, 10.0.0.3"]);
        assert_eq!(client_address(Some(proxy), &h, &trusted), "198.51.100.7");
        // A proxy that forwards nothing, or garbage, is the client as far as anyone knows.
        assert_eq!(
            client_address(Some(proxy), &headers(&[]), &trusted),
            "10.0.0.2"
        );
        assert_eq!(
            client_address(Some(proxy), &headers(&["not an address"]), &trusted),
            "10.0.0.2"
        );
        assert_eq!(client_address(None, &h, &trusted), "unknown");
    }
}
