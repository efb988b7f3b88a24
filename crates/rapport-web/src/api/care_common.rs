//! What the care endpoints share: the caller, their inputs read into errors with stable codes
//! (axum's own rejections answer in plain text), and the optimistic concurrency check.

use crate::ApiError;
use axum::Extension;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Json, Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use rapport_domain::CaseId;
use rapport_domain::care::CaseRecord;
use rapport_engine::accounts::Principal;
use rapport_engine::care::Care;

/// The token's user: the one the audit events name.
pub fn caller(p: Option<Extension<Principal>>) -> Result<Principal, ApiError> {
    p.map(|Extension(p)| p).ok_or_else(ApiError::unauthorized)
}

/// A JSON body, or 400 `invalid_body` naming where it went wrong (axum's message carries the
/// line and column, or the field), 413 `too_large`.
pub fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(e.status(), "too_large", "the request body is too large")
        }
        _ => ApiError::bad_request("invalid_body", e.body_text()),
    })
}

/// A path holding ids, or 400 `invalid_id`.
pub fn path<T>(path: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    path.map(|Path(p)| p)
        .map_err(|e| ApiError::bad_request("invalid_id", e.body_text()))
}

/// Query parameters, or 400 `invalid_parameter` naming the one that is wrong.
pub fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::bad_request("invalid_parameter", e.body_text()))
}

pub fn bad_parameter(name: &str, reason: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request("invalid_parameter", format!("{name}: {reason}"))
}

/// The version an `If-Match` header asks for: `"7"`, `W/"7"` or `7`; `*` asks for none.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad_request(
            "invalid_header",
            "If-Match must be a case version as the ETag gives it (\"7\")",
        )
    };
    let text = value.to_str().map_err(|_| bad())?.trim();
    if text == "*" {
        return Ok(None);
    }
    let text = text.strip_prefix("W/").unwrap_or(text);
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    text.parse().map(Some).map_err(|_| bad())
}

/// The version the caller read the case at: `If-Match` or the body's `version` (two that
/// differ cannot both hold: 409 `version_conflict`).
pub fn wanted_version(headers: &HeaderMap, body: Option<i64>) -> Result<Option<i64>, ApiError> {
    match (if_match(headers)?, body) {
        (Some(a), Some(b)) if a != b => Err(version_conflict(format!(
            "If-Match asks for version {a} and the body for version {b}"
        ))),
        (a, b) => Ok(a.or(b)),
    }
}

/// The engine's care use cases, conditional on the version the caller named, and the case as
/// it is: 404 `not_found` for an unknown case, 409 `version_conflict` when someone changed it
/// since. The comparison is the engine's, and each change's save is conditional on that
/// version in the store, so a change racing this one is refused as well.
pub async fn expect_version(
    care: &Care,
    id: CaseId,
    headers: &HeaderMap,
    version: Option<i64>,
) -> Result<(Care, CaseRecord), ApiError> {
    let care = care.at_version(wanted_version(headers, version)?);
    let record = care.case_to_change(id).await.map_err(saving)?;
    Ok((care, record))
}

pub fn version_conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "version_conflict", message)
}

/// A store conflict while saving a case is another change that won the race.
pub fn saving(e: rapport_engine::care::CareError) -> ApiError {
    match e {
        rapport_engine::care::CareError::Conflict(m) => version_conflict(m),
        other => other.into(),
    }
}

/// The `ETag` of a case at `version`.
pub fn etag(version: i64) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a header value"),
    );
    h
}

/// Limits of the care lists: default 50, 1 to 500.
pub fn limit(limit: Option<usize>) -> u32 {
    super::clamp_limit(limit) as u32
}
