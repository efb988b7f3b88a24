//! Replies on Bluesky: `com.atproto.repo.createRecord` of an `app.bsky.feed.post` with the
//! record key chosen before the first attempt.

use super::facets::{SpanKind, spans};
use super::http::{self, json_after_read, json_after_write};
use super::limits::RateGate;
use super::{Outgoing, Parent, PublishError, Published, Publisher};
use crate::import::{Record, map_jetstream};
use chrono::{DateTime, SecondsFormat, Utc};
use rapport_domain::Network;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::Mutex;

const NETWORK: &str = "bluesky";
const POST: &str = "app.bsky.feed.post";
/// What a record creation costs in Bluesky's write points.
const CREATE_POINTS: u32 = 3;

#[derive(Clone)]
pub struct BlueskyConfig {
    /// The account's PDS (`https://bsky.social` or the server that hosts it).
    pub pds: String,
    pub handle: String,
    pub app_password: String,
    pub request_timeout: Duration,
    /// Bluesky allows 5,000 write points an hour per account.
    pub points_per_hour: u32,
}

impl BlueskyConfig {
    pub fn new(
        pds: impl Into<String>,
        handle: impl Into<String>,
        app_password: impl Into<String>,
    ) -> Self {
        BlueskyConfig {
            pds: pds.into().trim_end_matches('/').to_string(),
            handle: handle.into().trim_start_matches('@').to_string(),
            app_password: app_password.into(),
            request_timeout: Duration::from_secs(30),
            points_per_hour: 5_000,
        }
    }
}

pub struct BlueskyPublisher {
    config: BlueskyConfig,
    client: reqwest::Client,
    gate: RateGate,
    session: Mutex<Option<Session>>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Session {
    access_jwt: String,
    did: String,
    handle: String,
}

#[derive(Deserialize)]
struct Created {
    uri: String,
    cid: String,
}

#[derive(Deserialize)]
struct Fetched {
    uri: String,
    cid: Option<String>,
    value: Value,
}

/// An XRPC error body.
#[derive(Deserialize, Default)]
struct XrpcError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

impl BlueskyPublisher {
    pub fn new(config: BlueskyConfig) -> BlueskyPublisher {
        BlueskyPublisher {
            client: http::client(config.request_timeout),
            gate: RateGate::new(config.points_per_hour, Duration::from_secs(3600)),
            config,
            session: Mutex::new(None),
        }
    }

    fn xrpc(&self, method: &str) -> String {
        format!("{}/xrpc/{method}", self.config.pds)
    }

    /// The session, logging in when there is none (or `renew`).
    async fn session(&self, renew: bool) -> Result<Session, PublishError> {
        let mut held = self.session.lock().await;
        if let (Some(s), false) = (held.as_ref(), renew) {
            return Ok(s.clone());
        }
        let response = self
            .client
            .post(self.xrpc("com.atproto.server.createSession"))
            .json(&json!({"identifier": self.config.handle, "password": self.config.app_password}))
            .send()
            .await
            .map_err(|e| http::read_request_failed(NETWORK, e))?;
        let status = response.status().as_u16();
        if status != 200 {
            let headers = response.headers().clone();
            let e = xrpc_error(&response.text().await.unwrap_or_default());
            return Err(match status {
                400 | 401 => PublishError::Refused(format!(
                    "bluesky refused the channel's app password ({}: {}); reconnect the channel",
                    e.error, e.message
                )),
                _ => http::read_failed(NETWORK, status, &headers, &e.message),
            });
        }
        let session: Session = json_after_read(NETWORK, response).await?;
        *held = Some(session.clone());
        Ok(session)
    }

    /// `com.atproto.repo.getRecord`; `None` when the repo has no such record.
    async fn get_record(&self, uri: &str) -> Result<Option<Fetched>, PublishError> {
        let (repo, collection, rkey) = split_uri(uri).ok_or_else(|| {
            PublishError::Refused(format!("'{uri}' is not an at:// record address"))
        })?;
        let response = self
            .client
            .get(self.xrpc("com.atproto.repo.getRecord"))
            .query(&[("repo", repo), ("collection", collection), ("rkey", rkey)])
            .send()
            .await
            .map_err(|e| http::read_request_failed(NETWORK, e))?;
        let status = response.status().as_u16();
        if status == 200 {
            return Ok(Some(json_after_read(NETWORK, response).await?));
        }
        let headers = response.headers().clone();
        let e = xrpc_error(&response.text().await.unwrap_or_default());
        if status == 400 && (e.error == "RecordNotFound" || e.message.contains("not found")) {
            return Ok(None);
        }
        Err(http::read_failed(
            NETWORK,
            status,
            &headers,
            &format!("{}: {}", e.error, e.message),
        ))
    }

    /// `reply.root` and `reply.parent`: the parent's URI and CID from its stored record (a
    /// Jetstream event carries `commit.cid` and the record), else from `getRecord`.
    async fn reply_refs(&self, parent: &Parent) -> Result<Value, PublishError> {
        let raw: Value = serde_json::from_str(&parent.raw).unwrap_or(Value::Null);
        let stored_cid = raw["commit"]["cid"].as_str().map(str::to_string);
        let (cid, record) = match stored_cid {
            Some(cid) => (cid, raw["commit"]["record"].clone()),
            None => {
                let fetched = self.get_record(&parent.native_id).await?.ok_or_else(|| {
                    PublishError::Refused(format!(
                        "bluesky no longer has the post answered ({})",
                        parent.native_id
                    ))
                })?;
                let cid = fetched.cid.ok_or_else(|| {
                    PublishError::not_sent("bluesky gave the post answered no CID", None)
                })?;
                (cid, fetched.value)
            }
        };
        let parent_ref = json!({"uri": parent.native_id, "cid": cid});
        let root = match &record["reply"]["root"] {
            Value::Object(root) if root.contains_key("uri") && root.contains_key("cid") => {
                Value::Object(root.clone())
            }
            _ => parent_ref.clone(),
        };
        Ok(json!({"root": root, "parent": parent_ref}))
    }

    /// Mention facets for handles that resolve to a DID, link facets for every link.
    async fn facets(&self, text: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for span in spans(text) {
            let feature = match span.kind {
                SpanKind::Link(uri) => json!({"$type": "app.bsky.richtext.facet#link", "uri": uri}),
                SpanKind::Mention(handle) => match self.resolve(&handle).await {
                    Some(did) => json!({"$type": "app.bsky.richtext.facet#mention", "did": did}),
                    // An unknown handle stays plain text, as the Bluesky app leaves it.
                    None => continue,
                },
            };
            out.push(
                json!({"index": {"byteStart": span.start, "byteEnd": span.end},
                "features": [feature]}),
            );
        }
        out
    }

    async fn resolve(&self, handle: &str) -> Option<String> {
        let response = self
            .client
            .get(self.xrpc("com.atproto.identity.resolveHandle"))
            .query(&[("handle", handle)])
            .send()
            .await
            .ok()?;
        let v: Value = response.error_for_status().ok()?.json().await.ok()?;
        v["did"].as_str().map(str::to_string)
    }

    /// The reply as the Jetstream source maps it, so reading it back is a duplicate.
    fn published(
        &self,
        session: &Session,
        uri: &str,
        cid: &str,
        record: &Value,
        parent: Option<&Parent>,
    ) -> Published {
        let rkey = uri.rsplit('/').next().unwrap_or_default();
        let event = json!({"did": session.did, "time_us": Utc::now().timestamp_micros(),
            "kind": "commit", "commit": {"rev": "", "operation": "create", "collection": POST,
            "rkey": rkey, "record": record, "cid": cid}});
        let post = match map_jetstream(&event.to_string()) {
            Record::Post(mut post) => {
                // The mapping names accounts by DID; the live source resolves them to
                // handles, and so does this copy, from what the publisher already knows.
                post.author.handle = session.handle.clone();
                post.author.own_account = true;
                let named = mentioned_handles(record);
                for m in post.mentions.iter_mut() {
                    if let Some((_, handle)) = named.iter().find(|(did, _)| did == m) {
                        *m = handle.clone();
                    }
                }
                if let Some(parent) = parent
                    && post.reply_to.as_deref() == Some(parent.native_id.as_str())
                {
                    post.reply_to_handle = Some(parent.author_handle.clone());
                }
                Some(post)
            }
            _ => None,
        };
        Published {
            native_id: uri.to_string(),
            url: format!("https://bsky.app/profile/{}/post/{rkey}", session.handle),
            post,
        }
    }
}

/// `(did, handle)` of the record's mention facets: the handle is the text the facet covers.
fn mentioned_handles(record: &Value) -> Vec<(String, String)> {
    let text = record["text"].as_str().unwrap_or_default();
    let mut out = Vec::new();
    for facet in record["facets"].as_array().into_iter().flatten() {
        let (Some(start), Some(end)) = (
            facet["index"]["byteStart"].as_u64(),
            facet["index"]["byteEnd"].as_u64(),
        ) else {
            continue;
        };
        let Some(covered) = text.get(start as usize..end as usize) else {
            continue;
        };
        for feature in facet["features"].as_array().into_iter().flatten() {
            if let Some(did) = feature["did"].as_str() {
                let handle = covered.trim_start_matches('@').to_lowercase();
                out.push((did.to_string(), handle));
            }
        }
    }
    out
}

fn xrpc_error(body: &str) -> XrpcError {
    serde_json::from_str(body).unwrap_or_else(|_| XrpcError {
        error: String::new(),
        message: body.chars().take(200).collect(),
    })
}

/// `at://REPO/COLLECTION/RKEY`.
fn split_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let mut parts = uri.strip_prefix("at://")?.splitn(3, '/');
    Some((parts.next()?, parts.next()?, parts.next()?))
}

#[async_trait::async_trait]
impl Publisher for BlueskyPublisher {
    fn network(&self) -> Network {
        Network::Bluesky
    }

    async fn send(&self, reply: &Outgoing) -> Result<Published, PublishError> {
        let mut session = self.session(false).await?;
        let mut record = json!({"$type": POST, "text": reply.text,
            "createdAt": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)});
        let facets = self.facets(&reply.text).await;
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        if let Some(parent) = &reply.parent {
            record["reply"] = self.reply_refs(parent).await?;
        }
        self.gate.take(CREATE_POINTS).map_err(|wait| {
            PublishError::not_sent("keeping to Bluesky's write points per hour", Some(wait))
        })?;
        for renewed in [false, true] {
            let body = json!({"repo": session.did, "collection": POST, "rkey": reply.key,
                "record": record});
            let response = self
                .client
                .post(self.xrpc("com.atproto.repo.createRecord"))
                .bearer_auth(&session.access_jwt)
                .json(&body)
                .send()
                .await
                .map_err(|e| http::request_failed(NETWORK, e))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            self.gate
                .observe(&headers, "ratelimit-remaining", "ratelimit-reset");
            if status == 200 {
                let (created, _): (Created, String) = json_after_write(NETWORK, response).await?;
                return Ok(self.published(
                    &session,
                    &created.uri,
                    &created.cid,
                    &record,
                    reply.parent.as_ref(),
                ));
            }
            let e = xrpc_error(&response.text().await.unwrap_or_default());
            // An expired session is refused before anything is written: log in again once.
            if !renewed && (status == 401 || e.error == "ExpiredToken") {
                session = self.session(true).await?;
                continue;
            }
            // The key is taken: an earlier attempt of this entry made the post. A PDS says so
            // with a 400, or (the reference PDS, on its unique constraint) with a 500; either
            // way the record under the entry's own key is the answer.
            let taken = status == 400 && e.message.to_lowercase().contains("already exists");
            if taken || status >= 500 {
                let uri = format!("at://{}/{POST}/{}", session.did, reply.key);
                if let Some(found) = self.get_record(&uri).await? {
                    return Ok(self.published(
                        &session,
                        &found.uri,
                        found.cid.as_deref().unwrap_or_default(),
                        &found.value,
                        reply.parent.as_ref(),
                    ));
                }
            }
            return Err(http::status_failed(
                NETWORK,
                status,
                &headers,
                &format!("{}: {}", e.error, e.message),
            ));
        }
        Err(PublishError::not_sent(
            "bluesky kept refusing a new session",
            None,
        ))
    }

    async fn find(
        &self,
        reply: &Outgoing,
        _since: DateTime<Utc>,
        _taken: &[String],
    ) -> Result<Option<Published>, PublishError> {
        // The record key was chosen before the first attempt: the record is there or not.
        let session = self.session(false).await?;
        let uri = format!("at://{}/{POST}/{}", session.did, reply.key);
        Ok(self.get_record(&uri).await?.map(|found| {
            self.published(
                &session,
                &found.uri,
                found.cid.as_deref().unwrap_or_default(),
                &found.value,
                reply.parent.as_ref(),
            )
        }))
    }
}
