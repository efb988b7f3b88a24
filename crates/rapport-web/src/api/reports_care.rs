//! `GET /api/v1/reports/care`: the care report's figures per own account.

use super::dto::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// The care report.
#[derive(Debug, Serialize, ToSchema)]
pub struct CareReportDto {
    /// Every own account, most addressed first.
    pub accounts: Vec<AccountResponseDto>,
}

/// How one own account answered the customer posts addressed to it (per post).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountResponseDto {
    /// `bluesky`, `mastodon`, `x` or `import`.
    pub network: String,
    /// The account's handle.
    pub account: String,
    /// Customer posts mentioning the account or replying to one of its posts.
    pub inbound: u64,
    /// Inbound posts the account replied to directly.
    pub answered: u64,
    /// `answered / inbound`; null when nobody addressed the account.
    pub response_rate: Option<f64>,
    /// The median wall-clock seconds from an answered post to the account's first direct
    /// reply; null when nothing was answered.
    pub median_reply_seconds: Option<f64>,
}

/// `GET /api/v1/reports/care`: per own account, inbound and answered customer posts, the
/// response rate and the median reply time.
#[utoipa::path(get, path = "/api/v1/reports/care", tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = CareReportDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn care(State(state): State<AppState>) -> Result<Json<CareReportDto>, ApiError> {
    let accounts = state
        .engine
        .account_responses()
        .await?
        .iter()
        .map(|a| AccountResponseDto {
            network: a.network.to_string(),
            account: a.handle.clone(),
            inbound: a.inbound,
            answered: a.answered,
            response_rate: a.response_rate(),
            median_reply_seconds: a.median_reply_seconds(),
        })
        .collect();
    Ok(Json(CareReportDto { accounts }))
}
