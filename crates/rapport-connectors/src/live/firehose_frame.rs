//! Frames of the AT Protocol firehose (`com.atproto.sync.subscribeRepos`).
//!
//! Each WebSocket binary message is two DAG-CBOR values back to back: a header
//! (`{op: 1, t: "#commit"}`, or `{op: -1}` for an error) and a body. A `#commit` body carries
//! the repository's operations and a CAR file (`blocks`) holding the new records; a created
//! post's record is the block whose CID the operation names. Records are turned into the
//! atproto JSON form (`{"$link": cid}` for links, `{"$bytes": base64}` for bytes), which is
//! what Jetstream hands out too, so one mapping reads both.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use ipld_core::cid::Cid;
use ipld_core::ipld::Ipld;
use serde::Deserialize;
use std::collections::HashMap;

/// One decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Frame {
    Commit(Commit),
    /// A handle change (or a prompt to re-resolve the DID when `handle` is absent).
    Identity {
        seq: i64,
        did: String,
        handle: Option<String>,
    },
    /// An account's hosting status changed (`active: false` with `status` deactivated,
    /// suspended, takendown or deleted).
    Account {
        seq: i64,
        did: String,
        active: bool,
        status: Option<String>,
    },
    /// Informational (`OutdatedCursor`: the cursor is older than the server keeps).
    Info {
        name: String,
        message: Option<String>,
    },
    /// The server's error before it closes (`FutureCursor`, `ConsumerTooSlow`).
    Error {
        error: String,
        message: Option<String>,
    },
    /// A kind this source does not use (`#sync`, and kinds newer than this code); the
    /// sequence number still moves the cursor.
    Other {
        kind: String,
        seq: Option<i64>,
    },
}

impl Frame {
    pub(crate) fn seq(&self) -> Option<i64> {
        match self {
            Frame::Commit(c) => Some(c.seq),
            Frame::Identity { seq, .. } | Frame::Account { seq, .. } => Some(*seq),
            Frame::Other { seq, .. } => *seq,
            Frame::Info { .. } | Frame::Error { .. } => None,
        }
    }
}

/// A `#commit`: the operations on one repository, with the records created.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Commit {
    pub seq: i64,
    pub repo: String,
    pub rev: String,
    pub time: DateTime<Utc>,
    pub ops: Vec<Op>,
}

/// One operation of a commit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Op {
    /// `create`, `update` or `delete`.
    pub action: String,
    pub collection: String,
    pub rkey: String,
    pub cid: Option<String>,
    /// The record in atproto JSON form (creates and updates whose block came with the frame).
    pub record: Option<serde_json::Value>,
}

/// Why a frame could not be read; names the part that was wrong.
#[derive(Debug, thiserror::Error, PartialEq)]
pub(crate) enum FrameError {
    #[error("frame header is not DAG-CBOR: {0}")]
    Header(String),
    #[error("body of a {kind} frame is not what it should be: {detail}")]
    Body { kind: String, detail: String },
    #[error("CAR blocks of commit seq {seq}: {detail}")]
    Blocks { seq: i64, detail: String },
}

#[derive(Deserialize)]
struct Header {
    op: i64,
    t: Option<String>,
}

#[derive(Deserialize)]
struct CommitBody {
    seq: i64,
    repo: String,
    #[serde(default)]
    rev: String,
    time: String,
    #[serde(default)]
    ops: Vec<RepoOp>,
    #[serde(with = "serde_bytes", default)]
    blocks: Vec<u8>,
}

#[derive(Deserialize)]
struct RepoOp {
    action: String,
    path: String,
    cid: Option<Cid>,
}

#[derive(Deserialize)]
struct IdentityBody {
    seq: i64,
    did: String,
    handle: Option<String>,
}

#[derive(Deserialize)]
struct AccountBody {
    seq: i64,
    did: String,
    active: bool,
    status: Option<String>,
}

#[derive(Deserialize)]
struct InfoBody {
    name: String,
    message: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    message: Option<String>,
}

#[derive(Deserialize)]
struct SeqOnly {
    seq: Option<i64>,
}

/// Decodes one binary message.
pub(crate) async fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
    let mut reader = std::io::Cursor::new(bytes);
    let header: Header = serde_ipld_dagcbor::de::from_reader_once(&mut reader)
        .map_err(|e| FrameError::Header(e.to_string()))?;
    let body = &bytes[reader.position() as usize..];
    let kind = header.t.unwrap_or_default();
    let bad = |detail: String| FrameError::Body {
        kind: if header.op == -1 {
            "error".to_string()
        } else {
            kind.clone()
        },
        detail,
    };
    if header.op == -1 {
        let e: ErrorBody = body_of(body).map_err(bad)?;
        return Ok(Frame::Error {
            error: e.error,
            message: e.message,
        });
    }
    if header.op != 1 {
        return Err(FrameError::Header(format!("unknown op {}", header.op)));
    }
    Ok(match kind.as_str() {
        "#commit" => Frame::Commit(commit(body_of(body).map_err(bad)?).await?),
        "#identity" => {
            let b: IdentityBody = body_of(body).map_err(bad)?;
            Frame::Identity {
                seq: b.seq,
                did: b.did,
                handle: b.handle,
            }
        }
        "#account" => {
            let b: AccountBody = body_of(body).map_err(bad)?;
            Frame::Account {
                seq: b.seq,
                did: b.did,
                active: b.active,
                status: b.status,
            }
        }
        "#info" => {
            let b: InfoBody = body_of(body).map_err(bad)?;
            Frame::Info {
                name: b.name,
                message: b.message,
            }
        }
        _ => {
            let seq = body_of::<SeqOnly>(body).ok().and_then(|b| b.seq);
            Frame::Other { kind, seq }
        }
    })
}

fn body_of<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_ipld_dagcbor::from_slice(body).map_err(|e| e.to_string())
}

async fn commit(body: CommitBody) -> Result<Commit, FrameError> {
    let seq = body.seq;
    let blocks_error = |detail: String| FrameError::Blocks { seq, detail };
    let time = DateTime::parse_from_rfc3339(&body.time)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| FrameError::Body {
            kind: "#commit".into(),
            detail: format!(
                "field 'time' is not an RFC 3339 date ('{}'): {e}",
                body.time
            ),
        })?;
    let mut blocks: HashMap<Cid, Vec<u8>> = HashMap::new();
    if !body.blocks.is_empty() {
        let mut car = iroh_car::CarReader::new(&body.blocks[..])
            .await
            .map_err(|e| blocks_error(e.to_string()))?;
        while let Some((cid, data)) = car
            .next_block()
            .await
            .map_err(|e| blocks_error(e.to_string()))?
        {
            blocks.insert(cid, data);
        }
    }
    let mut ops = Vec::with_capacity(body.ops.len());
    for op in body.ops {
        let Some((collection, rkey)) = op.path.split_once('/') else {
            return Err(FrameError::Body {
                kind: "#commit".into(),
                detail: format!("op path '{}' is not collection/rkey", op.path),
            });
        };
        let record = match op.cid.as_ref().and_then(|cid| blocks.get(cid)) {
            Some(data) => {
                let ipld: Ipld = serde_ipld_dagcbor::from_slice(data).map_err(|e| {
                    blocks_error(format!("record {} is not DAG-CBOR: {e}", op.path))
                })?;
                Some(to_json(ipld))
            }
            None => None,
        };
        ops.push(Op {
            action: op.action,
            collection: collection.to_string(),
            rkey: rkey.to_string(),
            cid: op.cid.map(|c| c.to_string()),
            record,
        });
    }
    Ok(Commit {
        seq,
        repo: body.repo,
        rev: body.rev,
        time,
        ops,
    })
}

/// The atproto JSON form of a record (the data model's `$link` and `$bytes`).
pub(crate) fn to_json(ipld: Ipld) -> serde_json::Value {
    use serde_json::Value;
    match ipld {
        Ipld::Null => Value::Null,
        Ipld::Bool(b) => Value::Bool(b),
        Ipld::Integer(i) => i64::try_from(i)
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(i.to_string())),
        Ipld::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Ipld::String(s) => Value::String(s),
        Ipld::Bytes(b) => serde_json::json!({
            "$bytes": base64::engine::general_purpose::STANDARD_NO_PAD.encode(b)
        }),
        Ipld::List(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Ipld::Map(map) => Value::Object(map.into_iter().map(|(k, v)| (k, to_json(v))).collect()),
        Ipld::Link(cid) => serde_json::json!({ "$link": cid.to_string() }),
    }
}
