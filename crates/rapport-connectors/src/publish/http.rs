//! Turning an HTTP exchange into a [`PublishError`], the same way for every network.

use super::PublishError;
use chrono::Utc;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// A failed request: refused before it left (nothing sent) or after (unknown).
pub(crate) fn request_failed(network: &str, e: reqwest::Error) -> PublishError {
    if e.is_connect() || e.is_builder() {
        PublishError::not_sent(format!("cannot connect to {network}: {e}"), None)
    } else if e.is_timeout() {
        PublishError::Unknown(format!(
            "{network} did not answer in time; the reply may have been posted"
        ))
    } else {
        PublishError::Unknown(format!(
            "the connection to {network} failed after the request left: {e}"
        ))
    }
}

/// What a non-success status means for a write. `what` names the request for the message;
/// `detail` is the network's error text.
pub(crate) fn status_failed(
    network: &str,
    status: u16,
    headers: &HeaderMap,
    detail: &str,
) -> PublishError {
    let detail = detail.chars().take(300).collect::<String>();
    match status {
        401 => PublishError::Refused(format!(
            "{network} refused the channel's credentials (401): {detail}; reconnect the channel"
        )),
        403 => PublishError::Refused(format!(
            "{network} does not allow this reply (403): {detail}"
        )),
        404 | 410 => PublishError::Refused(format!(
            "{network} no longer has the post answered ({status}): {detail}"
        )),
        429 => PublishError::not_sent(
            format!("{network} rate limit reached (429): {detail}"),
            retry_after(headers),
        ),
        // Anything from the server's side may have happened after the write.
        500..=599 => PublishError::Unknown(format!("{network} answered {status}: {detail}")),
        408 => PublishError::Unknown(format!("{network} timed the request out (408)")),
        _ => PublishError::Refused(format!("{network} refused the reply ({status}): {detail}")),
    }
}

/// The wait a rate-limited answer asks for: `Retry-After` (seconds or an HTTP date), else a
/// reset header (`x-rate-limit-reset`, `ratelimit-reset`: epoch seconds; Mastodon's
/// `X-RateLimit-Reset`: an RFC 3339 time or epoch seconds).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = get("retry-after") {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = chrono::DateTime::parse_from_rfc2822(v) {
            return Some(until(at.with_timezone(&Utc)));
        }
    }
    for name in ["x-rate-limit-reset", "ratelimit-reset"] {
        if let Some(at) = get(name).and_then(reset_time) {
            return Some(until(at));
        }
    }
    None
}

/// A reset header's instant: epoch seconds or RFC 3339.
pub(crate) fn reset_time(v: &str) -> Option<chrono::DateTime<Utc>> {
    if let Ok(secs) = v.parse::<i64>() {
        return chrono::DateTime::from_timestamp(secs, 0);
    }
    chrono::DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn until(at: chrono::DateTime<Utc>) -> Duration {
    (at - Utc::now()).to_std().unwrap_or(Duration::ZERO)
}

/// A client with a deadline on every request.
pub(crate) fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .expect("an HTTP client with timeouts builds")
}

/// Reads a success body as JSON: an unreadable one after a write is an unknown outcome.
pub(crate) async fn json_after_write<T: serde::de::DeserializeOwned>(
    network: &str,
    response: reqwest::Response,
) -> Result<(T, String), PublishError> {
    let text = response
        .text()
        .await
        .map_err(|e| request_failed(network, e))?;
    match serde_json::from_str(&text) {
        Ok(v) => Ok((v, text)),
        Err(e) => Err(PublishError::Unknown(format!(
            "{network} answered with a body that could not be read ({e}); the reply may have \
             been posted"
        ))),
    }
}

/// Reads a body as JSON for a read (reconciliation): an unreadable one is worth another try.
pub(crate) async fn json_after_read<T: serde::de::DeserializeOwned>(
    network: &str,
    response: reqwest::Response,
) -> Result<T, PublishError> {
    let text = response
        .text()
        .await
        .map_err(|e| PublishError::not_sent(format!("reading from {network} failed: {e}"), None))?;
    serde_json::from_str(&text).map_err(|e| {
        PublishError::not_sent(
            format!("{network} answered with a body that could not be read: {e}"),
            None,
        )
    })
}

/// A failed read (reconciliation): never `Refused` for transient reasons, never `Unknown`
/// (a read creates nothing).
pub(crate) fn read_failed(
    network: &str,
    status: u16,
    headers: &HeaderMap,
    detail: &str,
) -> PublishError {
    match status_failed(network, status, headers, detail) {
        PublishError::Unknown(reason) => PublishError::not_sent(reason, None),
        other => other,
    }
}

/// Sends a read and hands back its answer when it is 200; anything else becomes a
/// [`read_failed`] whose detail `detail` draws from the body (each network words its errors in
/// its own way).
pub(crate) async fn read_ok(
    network: &str,
    request: reqwest::RequestBuilder,
    detail: impl FnOnce(&str) -> String,
) -> Result<reqwest::Response, PublishError> {
    let response = request
        .send()
        .await
        .map_err(|e| read_request_failed(network, e))?;
    let status = response.status().as_u16();
    if status != 200 {
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        return Err(read_failed(network, status, &headers, &detail(&body)));
    }
    Ok(response)
}

/// A failed read request: whatever happened, nothing was created.
pub(crate) fn read_request_failed(network: &str, e: reqwest::Error) -> PublishError {
    PublishError::not_sent(format!("reading from {network} failed: {e}"), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_come_from_retry_after_or_the_reset_headers() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let mut h = HeaderMap::new();
        let reset = Utc::now().timestamp() + 60;
        h.insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
        let wait = retry_after(&h).unwrap();
        assert!(
            wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        let mut h = HeaderMap::new();
        let at = (Utc::now() + chrono::Duration::seconds(30)).to_rfc3339();
        h.insert("ratelimit-reset", at.parse().unwrap());
        assert!(retry_after(&h).unwrap() <= Duration::from_secs(30));
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn statuses_are_classified_for_a_write() {
        let h = HeaderMap::new();
        assert!(matches!(
            status_failed("x", 401, &h, ""),
            PublishError::Refused(_)
        ));
        assert!(matches!(
            status_failed("x", 404, &h, ""),
            PublishError::Refused(_)
        ));
        assert!(matches!(
            status_failed("x", 429, &h, ""),
            PublishError::NotSent { .. }
        ));
        assert!(matches!(
            status_failed("x", 502, &h, ""),
            PublishError::Unknown(_)
        ));
        assert!(matches!(
            read_failed("x", 502, &h, ""),
            PublishError::NotSent { .. }
        ));
    }
}
