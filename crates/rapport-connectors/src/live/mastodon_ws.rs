//! One Mastodon stream over a WebSocket: `/api/v1/streaming?stream=user|public|hashtag`, each
//! message `{"stream": [...], "event": NAME, "payload": STRING}` (the payload is the same JSON
//! text an SSE `data:` line carries, or a bare id for `delete`).
//!
//! The access token travels as the `access_token` query parameter, as Mastodon's web client
//! sends it (browsers cannot set headers on a WebSocket); the URL is therefore never logged.
//! The server has no text heartbeat on WebSockets: the task pings, and a connection that
//! answers nothing for `read_timeout` is dropped and reopened.

use super::mastodon::MastodonStream;
use super::mastodon_task::Task;
use super::{Backoff, SourceError, SourceStats};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message, protocol::WebSocketConfig};

const NETWORK: &str = "mastodon";

#[derive(Deserialize)]
struct WsEvent {
    event: String,
    payload: Option<serde_json::Value>,
}

impl Task {
    /// The stream's WebSocket URL, with the token (never log it).
    fn ws_url(&self) -> Result<String, SourceError> {
        let base = &self.config.instance;
        let ws = if let Some(rest) = base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            base.clone()
        };
        let mut url = reqwest::Url::parse(&format!("{ws}/api/v1/streaming"))
            .map_err(|e| SourceError::Config(format!("bad mastodon instance url: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            match &self.stream {
                MastodonStream::Mentions => q.append_pair("stream", "user"),
                MastodonStream::Public => q.append_pair("stream", "public"),
                MastodonStream::Hashtag(tag) => {
                    q.append_pair("stream", "hashtag").append_pair("tag", tag)
                }
            };
            q.append_pair("access_token", &self.config.access_token);
        }
        Ok(url.to_string())
    }

    /// Opens the WebSocket, back-fills, then reads events until the connection fails.
    pub(crate) async fn ws_session(
        &self,
        backoff: &mut Backoff,
    ) -> Result<std::convert::Infallible, SourceError> {
        let limit = self.config.max_event_bytes.max(16 << 20);
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(limit))
            .max_frame_size(Some(limit));
        let connect =
            tokio_tungstenite::connect_async_with_config(self.ws_url()?, Some(ws_config), true);
        let (mut ws, _) = tokio::time::timeout(self.config.request_timeout, connect)
            .await
            .map_err(|_| SourceError::connection(NETWORK, "stream did not answer in time"))?
            .map_err(|e| match e {
                tungstenite::Error::Http(r) => SourceError::http(
                    NETWORK,
                    r.status().as_u16(),
                    "the streaming handshake was refused".into(),
                    None,
                ),
                // The error of a failed connect may quote the URL, which holds the token.
                _ => SourceError::connection(NETWORK, "cannot open the streaming websocket"),
            })?;
        tracing::info!(stream = %self.stream.key(), "mastodon websocket open");
        self.backfill().await?;
        SourceStats::add(&self.stats.connects, 1);
        let ping_every = self.config.read_timeout / 3;
        let mut last_read = Instant::now();
        let mut last_ping = Instant::now();
        loop {
            let silent_at = last_read + self.config.read_timeout;
            let deadline = silent_at.min(last_ping + ping_every);
            let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
                Ok(Some(Ok(msg))) => msg,
                Ok(Some(Err(e))) => {
                    if matches!(e, tungstenite::Error::Utf8(_)) {
                        SourceStats::add(&self.stats.bad_frames, 1);
                    }
                    return Err(SourceError::connection(NETWORK, e));
                }
                Ok(None) => return Err(SourceError::connection(NETWORK, "stream ended")),
                Err(_) if Instant::now() >= silent_at => {
                    let quiet = self.config.read_timeout;
                    return Err(SourceError::connection(
                        NETWORK,
                        format!("no frame for {quiet:?}"),
                    ));
                }
                Err(_) => {
                    last_ping = Instant::now();
                    ws.send(Message::Ping(Default::default()))
                        .await
                        .map_err(|e| SourceError::connection(NETWORK, e))?;
                    continue;
                }
            };
            last_read = Instant::now();
            let text = match msg {
                Message::Text(text) => text,
                Message::Ping(_) | Message::Pong(_) => {
                    backoff.reset();
                    continue;
                }
                Message::Close(frame) => {
                    return Err(SourceError::connection(
                        NETWORK,
                        format!("server closed the stream ({frame:?})"),
                    ));
                }
                Message::Binary(_) | Message::Frame(_) => {
                    SourceStats::add(&self.stats.bad_frames, 1);
                    continue;
                }
            };
            if text.len() > self.config.max_event_bytes {
                tracing::warn!(bytes = text.len(), "mastodon event too large; skipped");
                SourceStats::add(&self.stats.bad_frames, 1);
                continue;
            }
            let event: WsEvent = match serde_json::from_str(&text) {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "mastodon websocket message is not an event; skipped");
                    SourceStats::add(&self.stats.bad_frames, 1);
                    continue;
                }
            };
            backoff.reset();
            let data = match event.payload {
                Some(serde_json::Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => String::new(),
            };
            self.event(&event.event, &data).await?;
        }
    }
}
