//! A Jetstream test server: replays recorded-format events (Jetstream's documented JSON shape)
//! over a WebSocket on 127.0.0.1, honouring `cursor` (events with `time_us >= cursor`) and
//! `compress=true` (each frame then a binary zstd frame made with Jetstream's dictionary).

use futures_util::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// What the server does on one connection, in the order connections arrive; the last plan
/// repeats.
#[derive(Debug, Clone, Copy)]
pub enum Plan {
    /// Send every event from the cursor on, then stay open (answering pings).
    Replay,
    /// Send this many events, then drop the TCP connection without a close frame.
    DropAfter(usize),
    /// Accept, then say nothing and never read (so pings go unanswered).
    Silent,
}

pub struct JetstreamServer {
    pub url: String,
    /// The query string of every connection, in order.
    pub queries: Arc<Mutex<Vec<String>>>,
}

/// `(time_us, frame)`: frames that are not events carry the time of the event before them.
pub type Frames = Vec<(u64, String)>;

impl JetstreamServer {
    pub async fn start(frames: Frames, plans: Vec<Plan>) -> JetstreamServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/subscribe", listener.local_addr().unwrap());
        let queries = Arc::new(Mutex::new(Vec::new()));
        let seen = queries.clone();
        let frames = Arc::new(frames);
        tokio::spawn(async move {
            let mut n = 0;
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let plan = plans[n.min(plans.len() - 1)];
                n += 1;
                let (seen, frames) = (seen.clone(), frames.clone());
                tokio::spawn(async move {
                    let query = Arc::new(Mutex::new(String::new()));
                    let q = query.clone();
                    // tungstenite's callback type fixes the error type.
                    #[allow(clippy::result_large_err)]
                    let callback = move |req: &Request, resp: Response| {
                        *q.lock().unwrap() = req.uri().query().unwrap_or_default().to_string();
                        Ok(resp)
                    };
                    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await
                    else {
                        return;
                    };
                    let query = query.lock().unwrap().clone();
                    seen.lock().unwrap().push(query.clone());
                    let cursor: u64 = query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix("cursor="))
                        .map(|c| c.parse().unwrap())
                        .unwrap_or(0);
                    let limit = match plan {
                        Plan::Silent => {
                            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                            return;
                        }
                        Plan::Replay => usize::MAX,
                        Plan::DropAfter(k) => k,
                    };
                    let due = frames.iter().filter(|(t, _)| *t >= cursor).take(limit);
                    let compress = query.split('&').any(|kv| kv == "compress=true");
                    for (_, frame) in due {
                        let message = if compress {
                            Message::binary(zstd_frame(frame.as_bytes()))
                        } else {
                            Message::text(frame.clone())
                        };
                        if ws.send(message).await.is_err() {
                            return;
                        }
                    }
                    if matches!(plan, Plan::DropAfter(_)) {
                        return; // dropping the stream closes the socket, no close frame
                    }
                    while let Some(Ok(_)) = ws.next().await {}
                });
            }
        });
        JetstreamServer { url, queries }
    }
}

/// `bytes` compressed as Jetstream does: one zstd frame with its dictionary.
pub fn zstd_frame(bytes: &[u8]) -> Vec<u8> {
    let dict = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/live/jetstream_zstd.dict"
    ));
    zstd::bulk::Compressor::with_dictionary(3, dict)
        .unwrap()
        .compress(bytes)
        .unwrap()
}
