//! Headers on every answer that tell browsers what not to do with it.
//!
//! Post text is escaped wherever it is shown; the content security policy is the second
//! line: even if some markup slipped through, the browser runs only scripts served from
//! Rapport itself, never inline ones, and no other site may frame the UI.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

const POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
                      frame-ancestors 'none'; form-action 'self'";

/// How a request reached Rapport, as far as cookies and HSTS are concerned.
#[derive(Clone)]
pub struct Transport {
    /// Every request came over HTTPS (the `secure_cookies` setting).
    pub https: bool,
    /// Proxies whose `X-Forwarded-Proto: https` says that this request did.
    pub trusted_proxies: std::sync::Arc<[ipnet::IpNet]>,
}

impl Transport {
    /// Whether `request` came over HTTPS: always when so configured, or when it comes from a
    /// trusted proxy that says it received it over HTTPS (a client's own claim counts for
    /// nothing, since anyone can write the header).
    fn is_https(&self, request: &Request) -> bool {
        if self.https {
            return true;
        }
        let Some(peer) = crate::serve::peer(request.extensions()) else {
            return false;
        };
        self.trusted_proxies.iter().any(|net| net.contains(&peer))
            && request
                .headers()
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                // Several proxies append theirs; the nearest one, on the right, saw the request.
                .and_then(|v| v.rsplit(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }
}

/// Sets the headers every answer carries. Over HTTPS ([`Transport::is_https`]) cookies are
/// marked `Secure` and HSTS is added. Answers to a logged-in caller, and answers that set a cookie,
/// are not stored by a browser or proxy cache unless they say otherwise: a shared computer's back button or a proxy
/// must not show one agent's inbox to the next person.
pub async fn secure(State(transport): State<Transport>, request: Request, next: Next) -> Response {
    let https = transport.is_https(&request);
    let personal = request.headers().contains_key(header::AUTHORIZATION)
        || crate::auth::cookie(request.headers(), crate::auth::SESSION_COOKIE).is_some();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        set_default(headers, name, value);
    }
    // An answer that says how to cache itself (the static assets) keeps its own rule.
    if personal || headers.contains_key(header::SET_COOKIE) {
        set_default(headers, header::CACHE_CONTROL, "no-store");
    }
    if https {
        mark_cookies_secure(headers);
        set_default(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Adds `Secure` to every cookie the answer sets that lacks it.
fn mark_cookies_secure(headers: &mut axum::http::HeaderMap) {
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        let secure = cookie.to_str().ok().filter(|c| {
            !c.split(';')
                .any(|attr| attr.trim().eq_ignore_ascii_case("secure"))
        });
        let value = match secure {
            Some(c) => HeaderValue::from_str(&format!("{c}; Secure")).unwrap_or(cookie),
            None => cookie,
        };
        headers.append(header::SET_COOKIE, value);
    }
}

fn set_default(headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str) {
    headers
        .entry(name)
        .or_insert_with(|| HeaderValue::from_static(value));
}
