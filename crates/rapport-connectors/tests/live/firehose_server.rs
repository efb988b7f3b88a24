//! A firehose test server: sends binary frames built by the test (DAG-CBOR header and body,
//! CAR blocks, as `com.atproto.sync.subscribeRepos` does) over a WebSocket on 127.0.0.1,
//! honouring `cursor` (frames with `seq > cursor`; a cursor past the newest frame gets a
//! `FutureCursor` error frame and the connection is closed, as a relay does), and builds the
//! frames, some on purpose broken.

use futures_util::{SinkExt, StreamExt};
use ipld_core::cid::{Cid, multihash::Multihash};
use serde::Serialize;
use sha2::Digest;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// `(seq, message)`: frames that are not events carry the seq of the event before them.
pub type Frames = Vec<(i64, Message)>;

pub struct FirehoseServer {
    pub url: String,
    /// The query string of every connection, in order.
    pub queries: Arc<Mutex<Vec<String>>>,
}

impl FirehoseServer {
    /// Serves `frames` on every connection from its cursor on, then keeps it open; the first
    /// `drop_first` connections are dropped (no close frame) after `drop_after` frames.
    pub async fn start(frames: Frames, drop_first: usize, drop_after: usize) -> FirehoseServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "ws://{}/xrpc/com.atproto.sync.subscribeRepos",
            listener.local_addr().unwrap()
        );
        let queries = Arc::new(Mutex::new(Vec::new()));
        let seen = queries.clone();
        let frames = Arc::new(frames);
        tokio::spawn(async move {
            let mut n = 0;
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let limit = if n < drop_first {
                    drop_after
                } else {
                    usize::MAX
                };
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
                    let cursor: i64 = query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix("cursor="))
                        .map(|c| c.parse().unwrap())
                        .unwrap_or(-1);
                    let newest = frames.iter().map(|(s, _)| *s).max().unwrap_or(0);
                    if cursor > newest {
                        let _ = ws
                            .send(error_frame("FutureCursor", "cursor in the future"))
                            .await;
                        let _ = ws.close(None).await;
                        return;
                    }
                    let due = frames.iter().filter(|(s, _)| *s > cursor).take(limit);
                    for (_, frame) in due {
                        if ws.send(frame.clone()).await.is_err() {
                            return;
                        }
                    }
                    if limit != usize::MAX {
                        return; // dropping the stream closes the socket, no close frame
                    }
                    while let Some(Ok(_)) = ws.next().await {}
                });
            }
        });
        FirehoseServer { url, queries }
    }
}

/// The CID of a DAG-CBOR block (CIDv1, sha2-256), as the PDS computes it.
pub fn cid_of(block: &[u8]) -> Cid {
    let digest = sha2::Sha256::digest(block);
    Cid::new_v1(0x71, Multihash::<64>::wrap(0x12, &digest).unwrap())
}

fn cbor<T: Serialize>(value: &T) -> Vec<u8> {
    serde_ipld_dagcbor::to_vec(value).unwrap()
}

#[derive(Serialize)]
struct Header<'a> {
    op: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<&'a str>,
}

#[derive(Serialize)]
struct RepoOp {
    action: &'static str,
    path: String,
    cid: Option<Cid>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CommitBody {
    seq: i64,
    repo: String,
    rev: String,
    since: Option<String>,
    commit: Cid,
    rebase: bool,
    too_big: bool,
    time: String,
    ops: Vec<RepoOp>,
    #[serde(with = "serde_bytes")]
    blocks: Vec<u8>,
    blobs: Vec<Cid>,
}

/// A frame: header then body.
pub fn frame<B: Serialize>(t: &str, body: &B) -> Message {
    let mut bytes = cbor(&Header { op: 1, t: Some(t) });
    bytes.extend(cbor(body));
    Message::binary(bytes)
}

/// An error frame (`op: -1`).
pub fn error_frame(error: &str, message: &str) -> Message {
    let mut bytes = cbor(&Header { op: -1, t: None });
    bytes.extend(cbor(
        &serde_json::json!({"error": error, "message": message}),
    ));
    Message::binary(bytes)
}

/// A CAR file holding `blocks`, rooted at the first.
pub async fn car(blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
    let header = iroh_car::CarHeader::new_v1(vec![blocks[0].0]);
    let mut writer = iroh_car::CarWriter::new(header, Vec::new());
    for (cid, data) in blocks {
        writer.write(*cid, data).await.unwrap();
    }
    writer.finish().await.unwrap()
}

/// A `#commit` creating the post `rkey` of `did` with `record` (a JSON object).
pub async fn create_post(seq: i64, did: &str, rkey: &str, record: serde_json::Value) -> Message {
    let block = cbor(&record);
    let cid = cid_of(&block);
    let commit_block = cbor(&serde_json::json!({"did": did, "version": 3}));
    let commit_cid = cid_of(&commit_block);
    let blocks = car(&[(commit_cid, commit_block), (cid, block)]).await;
    frame(
        "#commit",
        &commit_body(
            seq,
            did,
            commit_cid,
            blocks,
            vec![RepoOp {
                action: "create",
                path: format!("app.bsky.feed.post/{rkey}"),
                cid: Some(cid),
            }],
        ),
    )
}

/// A `#commit` creating the post `rkey` of `did` whose record (CID `cid`) it does not carry, as
/// a relay sends a commit too big to carry whole: the CAR holds only the commit block.
pub async fn create_post_without_record(seq: i64, did: &str, rkey: &str, cid: Cid) -> Message {
    let mut body = commit_only(seq, did, "create", rkey, Some(cid)).await;
    body.too_big = true;
    frame("#commit", &body)
}

/// A `#commit` deleting the post `rkey` of `did`.
pub async fn delete_post(seq: i64, did: &str, rkey: &str) -> Message {
    frame(
        "#commit",
        &commit_only(seq, did, "delete", rkey, None).await,
    )
}

/// A commit of one operation on the post `rkey` whose CAR holds only the commit block.
async fn commit_only(
    seq: i64,
    did: &str,
    action: &'static str,
    rkey: &str,
    cid: Option<Cid>,
) -> CommitBody {
    let commit_block = cbor(&serde_json::json!({"did": did, "version": 3}));
    let commit_cid = cid_of(&commit_block);
    let blocks = car(&[(commit_cid, commit_block)]).await;
    commit_body(
        seq,
        did,
        commit_cid,
        blocks,
        vec![RepoOp {
            action,
            path: format!("app.bsky.feed.post/{rkey}"),
            cid,
        }],
    )
}

fn commit_body(seq: i64, did: &str, commit: Cid, blocks: Vec<u8>, ops: Vec<RepoOp>) -> CommitBody {
    CommitBody {
        seq,
        repo: did.to_string(),
        rev: format!("3lrev{seq:06}"),
        since: None,
        commit,
        rebase: false,
        too_big: false,
        time: format!("2024-09-05T06:11:{:02}.000Z", seq % 60),
        ops,
        blocks,
        blobs: vec![],
    }
}
