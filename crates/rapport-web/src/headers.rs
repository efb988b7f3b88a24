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

/// Sets the headers every answer carries. `https` (the `secure_cookies` setting: Rapport is
/// served over TLS) adds HSTS. Answers to a logged-in caller, and answers that set a cookie,
/// are not stored by a browser or proxy cache unless they say otherwise: a shared computer's back button or a proxy
/// must not show one agent's inbox to the next person.
pub async fn secure(State(https): State<bool>, request: Request, next: Next) -> Response {
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
        set_default(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

fn set_default(headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str) {
    headers
        .entry(name)
        .or_insert_with(|| HeaderValue::from_static(value));
}
