//! DIDs to handles, cached: a Bluesky post names its author, the accounts it mentions and the
//! post it answers by DID, while people (and own accounts) are known by handle.
//!
//! `did:plc:` DIDs are looked up in a PLC directory (`GET {plc}/{did}`, the DID document's
//! first `at://` entry of `alsoKnownAs`), `did:web:` DIDs at `https://{host}/.well-known/did.json`.
//! The handle claimed by the document is used as it is (it is not checked back against the
//! handle's own DNS or `.well-known` record). A DID that cannot be resolved stays a DID, and
//! the failure is remembered for a minute so that a directory that is down does not slow
//! every batch. `#identity` events update the cache.

use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Bluesky's PLC directory.
pub const PLC_DIRECTORY: &str = "https://plc.directory";

/// Resolves DIDs to handles, with a cache shared by the tasks of one source.
pub struct HandleResolver {
    client: reqwest::Client,
    plc: String,
    cache: Mutex<LruCache<String, (Option<String>, Instant)>>,
    /// How long a resolved handle is trusted (an `#identity` event refreshes it sooner).
    pub ttl: Duration,
    /// How long a failed resolution is remembered.
    pub failure_ttl: Duration,
}

#[derive(serde::Deserialize)]
struct DidDocument {
    #[serde(rename = "alsoKnownAs", default)]
    also_known_as: Vec<String>,
}

impl HandleResolver {
    pub fn new(plc: &str) -> HandleResolver {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("an http client with a timeout builds");
        HandleResolver {
            client,
            plc: plc.trim_end_matches('/').to_string(),
            cache: Mutex::new(LruCache::new(NonZeroUsize::new(100_000).expect("non-zero"))),
            ttl: Duration::from_secs(6 * 3600),
            failure_ttl: Duration::from_secs(60),
        }
    }

    /// The handle of `did` (lowercase), or `None` when it cannot be resolved now.
    pub async fn handle(&self, did: &str) -> Option<String> {
        if let Some((handle, at)) = self.cache.lock().expect("cache lock").get(did).cloned() {
            let ttl = if handle.is_some() {
                self.ttl
            } else {
                self.failure_ttl
            };
            if at.elapsed() < ttl {
                return handle;
            }
        }
        let handle = match self.fetch(did).await {
            Ok(handle) => handle,
            Err(e) => {
                tracing::debug!(%did, error = %e, "cannot resolve did");
                None
            }
        };
        self.cache
            .lock()
            .expect("cache lock")
            .put(did.to_string(), (handle.clone(), Instant::now()));
        handle
    }

    /// What an `#identity` event says: the DID's handle now (or, without one, that it must be
    /// resolved again).
    pub fn learn(&self, did: &str, handle: Option<&str>) {
        let mut cache = self.cache.lock().expect("cache lock");
        match handle {
            Some(h) if !h.is_empty() && h != "handle.invalid" => {
                cache.put(did.to_string(), (Some(h.to_lowercase()), Instant::now()));
            }
            _ => {
                cache.pop(did);
            }
        }
    }

    async fn fetch(&self, did: &str) -> Result<Option<String>, String> {
        let url = if did.starts_with("did:plc:") {
            format!("{}/{did}", self.plc)
        } else if let Some(host) = did.strip_prefix("did:web:") {
            // did:web encodes a port's colon as %3A; paths (further colons) are not handles.
            if host.contains(':') {
                return Ok(None);
            }
            format!("https://{}/.well-known/did.json", host.replace("%3A", ":"))
        } else {
            return Ok(None);
        };
        let response = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        let doc: DidDocument = response
            .json()
            .await
            .map_err(|e| e.without_url().to_string())?;
        Ok(doc
            .also_known_as
            .iter()
            .find_map(|aka| aka.strip_prefix("at://"))
            .map(str::to_lowercase))
    }
}
