//! `GET /inbox/events`: case changes as server-sent events, for the inbox page's script.
//!
//! Events: `ready` once the subscription is open; `case` with a JSON body
//! (`{"case_id", "kind", "version", "status", "assignee"}`) for every change; `reload` when
//! this stream fell behind and missed changes (the page should fetch its list again).
//!
//! A stream ends after [`MAX_LIFETIME`] (or the `max_secs` the caller asks for, if shorter)
//! and the browser's `EventSource` connects again: so a logged-out or expired session stops
//! receiving changes within that time, and a server shutting down is not held open by
//! streams. The page fetches its list again on every `ready` after the first, so nothing
//! that changed between two streams is missed.

use crate::AppState;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use rapport_domain::{CaseId, CaseStatus, UserId};
use rapport_engine::care::{CaseChanged, ChangeKind};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

/// The longest one stream stays open.
pub const MAX_LIFETIME: Duration = Duration::from_secs(120);
/// How long the browser waits before connecting again.
const RETRY: Duration = Duration::from_secs(2);

#[derive(Debug, Default, Deserialize)]
pub struct LiveParams {
    /// Ends the stream sooner than [`MAX_LIFETIME`].
    max_secs: Option<u64>,
}

impl LiveParams {
    /// How long a stream asked with these parameters stays open.
    pub fn lifetime(&self) -> Duration {
        self.max_secs
            .map_or(MAX_LIFETIME, |s| Duration::from_secs(s).min(MAX_LIFETIME))
    }
}

/// The JSON body of a `case` event.
#[derive(Debug, Serialize)]
struct CaseEvent {
    case_id: CaseId,
    kind: ChangeKind,
    version: i64,
    status: CaseStatus,
    assignee: Option<UserId>,
}

fn event(change: &CaseChanged) -> Event {
    let body = CaseEvent {
        case_id: change.case_id,
        kind: change.kind,
        version: change.version,
        status: change.status,
        assignee: change.assignee,
    };
    // Serializing plain fields cannot fail; an empty event would only make the page refetch.
    Event::default()
        .event("case")
        .json_data(&body)
        .unwrap_or_else(|_| Event::default().event("reload").data("serialize"))
}

/// Every change from `rx` as an event; a `reload` after missed ones.
fn changes(rx: Receiver<CaseChanged>) -> impl Stream<Item = Event> {
    stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Ok(change) => Some((event(&change), rx)),
            Err(RecvError::Lagged(missed)) => Some((
                Event::default().event("reload").data(missed.to_string()),
                rx,
            )),
            Err(RecvError::Closed) => None,
        }
    })
}

/// `GET /inbox/events`.
pub async fn events(
    State(state): State<AppState>,
    Query(params): Query<LiveParams>,
) -> impl IntoResponse {
    // Subscribed before answering: a change made once `ready` arrived is never missed.
    let rx = state.engine.care().subscribe();
    let lifetime = params.lifetime();
    let ready = Event::default()
        .event("ready")
        .retry(RETRY)
        .data("subscribed");
    let stream = stream::once(async move { ready })
        .chain(changes(rx))
        .take_until(tokio::time::sleep(lifetime))
        .map(Ok::<_, Infallible>);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use futures::StreamExt;
    use tokio::sync::broadcast;

    fn change(id: i64) -> CaseChanged {
        CaseChanged {
            case_id: CaseId(id),
            kind: ChangeKind::Updated,
            version: 2,
            status: CaseStatus::Open,
            assignee: Some(UserId(3)),
            at: Utc::now(),
        }
    }

    #[tokio::test]
    async fn a_subscriber_that_fell_behind_is_told_to_reload() {
        let (tx, rx) = broadcast::channel(2);
        for id in 1..=5 {
            tx.send(change(id)).unwrap();
        }
        drop(tx);
        let events: Vec<String> = changes(rx).map(|e| format!("{e:?}")).collect().await;
        assert_eq!(events.len(), 3, "{events:?}");
        assert!(events[0].contains("event: reload"), "{}", events[0]);
        assert!(events[0].contains("data: 3"), "three changes were missed");
        for (e, id) in events[1..].iter().zip([4, 5]) {
            assert!(e.contains("event: case"), "{e}");
            assert!(e.contains(&format!("\\\"case_id\\\":{id}")), "{e}");
            assert!(e.contains("\\\"assignee\\\":3"), "{e}");
        }
    }
}
