//! DIDs to handles and to the PDS that hosts them, cached: a Bluesky post names its author, the
//! accounts it mentions and the post it answers by DID, while people (and own accounts) are
//! known by handle; a commit whose record did not come with it is read from the author's PDS.
//!
//! `did:plc:` DIDs are looked up in a PLC directory (`GET {plc}/{did}`: the DID document's
//! first `at://` entry of `alsoKnownAs` is the handle, its `#atproto_pds` service the PDS),
//! `did:web:` DIDs at `https://{host}/.well-known/did.json`. The handle claimed by the document
//! is used as it is (it is not checked back against the handle's own DNS or `.well-known`
//! record). A DID that cannot be resolved stays a DID, and the failure is remembered for a
//! minute so that a directory that is down does not slow every batch. `#identity` events
//! update the cache.

use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Bluesky's PLC directory.
pub const PLC_DIRECTORY: &str = "https://plc.directory";

/// Resolves DIDs to handles and PDS endpoints, with a cache shared by the tasks of one source.
pub struct HandleResolver {
    client: reqwest::Client,
    plc: String,
    cache: Mutex<LruCache<String, Cached>>,
    /// How long a resolved DID is trusted (an `#identity` event refreshes its handle sooner).
    pub ttl: Duration,
    /// How long a failed resolution is remembered.
    pub failure_ttl: Duration,
}

/// What a DID document says that Rapport uses.
#[derive(Debug, Clone, Default, PartialEq)]
struct DidInfo {
    handle: Option<String>,
    pds: Option<String>,
}

#[derive(Clone)]
struct Cached {
    /// `None`: the last resolution failed.
    info: Option<DidInfo>,
    at: Instant,
    /// Whether the whole document was read (an `#identity` event alone tells only the handle).
    whole: bool,
}

#[derive(serde::Deserialize)]
struct DidDocument {
    #[serde(rename = "alsoKnownAs", default)]
    also_known_as: Vec<String>,
    #[serde(default)]
    service: Vec<DidService>,
}

#[derive(serde::Deserialize)]
struct DidService {
    #[serde(default)]
    id: String,
    #[serde(rename = "serviceEndpoint", default)]
    service_endpoint: serde_json::Value,
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
        if let Some(cached) = self.cached(did)
            && let Some(handle) = cached.info.as_ref().and_then(|i| i.handle.clone())
        {
            return Some(handle);
        }
        self.info(did).await.and_then(|i| i.handle)
    }

    /// The base URL of the PDS hosting `did`'s repository, or `None` when it cannot be
    /// resolved now.
    pub async fn pds(&self, did: &str) -> Option<String> {
        self.info(did).await.and_then(|i| i.pds)
    }

    /// A fresh cache entry for `did`, if any.
    fn cached(&self, did: &str) -> Option<Cached> {
        let cached = self.cache.lock().expect("cache lock").get(did).cloned()?;
        let ttl = if cached.info.is_some() {
            self.ttl
        } else {
            self.failure_ttl
        };
        (cached.at.elapsed() < ttl).then_some(cached)
    }

    async fn info(&self, did: &str) -> Option<DidInfo> {
        if let Some(cached) = self.cached(did)
            && (cached.whole || cached.info.is_none())
        {
            return cached.info;
        }
        let info = match self.fetch(did).await {
            Ok(info) => info,
            Err(e) => {
                tracing::debug!(%did, error = %e, "cannot resolve did");
                None
            }
        };
        self.cache.lock().expect("cache lock").put(
            did.to_string(),
            Cached {
                info: info.clone(),
                at: Instant::now(),
                whole: true,
            },
        );
        info
    }

    /// What an `#identity` event says: the DID's handle now (or, without one, that it must be
    /// resolved again).
    pub fn learn(&self, did: &str, handle: Option<&str>) {
        let mut cache = self.cache.lock().expect("cache lock");
        match handle {
            Some(h) if !h.is_empty() && h != "handle.invalid" => {
                let handle = Some(h.to_lowercase());
                let entry = match cache.pop(did) {
                    Some(Cached {
                        info: Some(info),
                        whole,
                        ..
                    }) => Cached {
                        info: Some(DidInfo { handle, ..info }),
                        at: Instant::now(),
                        whole,
                    },
                    _ => Cached {
                        info: Some(DidInfo { handle, pds: None }),
                        at: Instant::now(),
                        whole: false,
                    },
                };
                cache.put(did.to_string(), entry);
            }
            _ => {
                cache.pop(did);
            }
        }
    }

    /// Puts handles where a post names accounts by DID: its author, its mentions, the author
    /// of the post it answers. A DID that cannot be resolved stays as it is.
    pub(crate) async fn resolve_posts(&self, posts: &mut [rapport_domain::Post]) {
        let mut dids = std::collections::BTreeSet::new();
        for p in posts.iter() {
            dids.insert(p.author.handle.clone());
            dids.extend(p.mentions.iter().cloned());
            dids.extend(p.reply_to_handle.iter().cloned());
        }
        let mut handles = std::collections::HashMap::new();
        for did in dids.into_iter().filter(|d| d.starts_with("did:")) {
            if let Some(handle) = self.handle(&did).await {
                handles.insert(did, handle);
            }
        }
        let swap = |s: &mut String| {
            if let Some(h) = handles.get(s.as_str()) {
                *s = h.clone();
            }
        };
        for p in posts.iter_mut() {
            swap(&mut p.author.handle);
            p.mentions.iter_mut().for_each(swap);
            if let Some(h) = p.reply_to_handle.as_mut() {
                swap(h);
            }
        }
    }

    /// A record read from its repository's PDS (`com.atproto.repo.getRecord`), in atproto JSON
    /// form: for a commit that names a record without carrying its block.
    pub(crate) async fn record(
        &self,
        did: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<serde_json::Value, String> {
        let pds = self
            .pds(did)
            .await
            .ok_or_else(|| format!("no PDS known for {did}"))?;
        let url = format!(
            "{}/xrpc/com.atproto.repo.getRecord",
            pds.trim_end_matches('/')
        );
        let response = self
            .client
            .get(&url)
            .query(&[("repo", did), ("collection", collection), ("rkey", rkey)])
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        #[derive(serde::Deserialize)]
        struct Got {
            value: serde_json::Value,
        }
        let got: Got = response
            .json()
            .await
            .map_err(|e| e.without_url().to_string())?;
        Ok(got.value)
    }

    async fn fetch(&self, did: &str) -> Result<Option<DidInfo>, String> {
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
        let handle = doc
            .also_known_as
            .iter()
            .find_map(|aka| aka.strip_prefix("at://"))
            .map(str::to_lowercase);
        // The id is `#atproto_pds` or the DID followed by it.
        let pds = doc
            .service
            .iter()
            .find(|s| s.id.ends_with("#atproto_pds"))
            .and_then(|s| s.service_endpoint.as_str())
            .map(str::to_string);
        Ok(Some(DidInfo { handle, pds }))
    }
}
