//! CSRF: every form POST carries a token, compared in constant time.
//!
//! Logged-in forms carry their session's token. The login and setup forms, which have no
//! session yet, carry a token that is also set as the `rapport_csrf` cookie when the form is
//! shown (double submit): another site can make a browser post, but cannot read the cookie.

use super::cookie;
use crate::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Form, FromRequest, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use rapport_engine::accounts::{Principal, Via};
use serde::Deserialize;
use subtle::ConstantTimeEq;

pub const PRE_SESSION_COOKIE: &str = "rapport_csrf";

#[derive(Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// A fresh token for a form shown before login.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

pub fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Refuses a POST whose `csrf` field does not match the session's token (or, without a
/// session, the pre-session cookie's) with 403.
pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let expected = match request.extensions().get::<Principal>().map(|p| &p.via) {
        Some(Via::Session { csrf_token, .. }) => csrf_token.clone(),
        _ => pre_session_token(&request),
    };
    verify(&state, expected, request, next).await
}

/// For the login and setup forms: they carry the pre-session cookie's token whether or not
/// the browser is logged in already (a second tab, or switching users).
pub async fn check_pre_session(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let expected = pre_session_token(&request);
    verify(&state, expected, request, next).await
}

fn pre_session_token(request: &Request) -> String {
    cookie(request.headers(), PRE_SESSION_COOKIE)
        .unwrap_or_default()
        .to_string()
}

async fn verify(state: &AppState, expected: String, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, state.config.max_body_bytes).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let probe = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let given = match Form::<CsrfField>::from_request(probe, &()).await {
        Ok(Form(f)) => f.csrf.unwrap_or_default(),
        Err(_) => String::new(),
    };
    if !same(&given, &expected) {
        tracing::warn!(path = %parts.uri.path(), "form refused: CSRF token missing or wrong");
        return (
            StatusCode::FORBIDDEN,
            Html(
                "<!doctype html><title>Form expired</title><p>This form expired or did not come \
                 from Rapport. <a href=\"/\">Go back</a>, reload the page and try again.</p>",
            ),
        )
            .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
