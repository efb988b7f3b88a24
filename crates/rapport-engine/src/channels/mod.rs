//! Channels: the network accounts Rapport listens through.
//!
//! A channel is a name, a network, the settings that are not secret ([`ChannelSpec`], kept as
//! JSON) and credentials sealed with the [`SecretKey`] (the store only ever sees ciphertext).
//! Credentials are never logged, printed or handed back: the only way out of the sealed form
//! is [`Channels::source`], which builds the channel's live source. Adding a channel marks its
//! own account as an own account, so mentions of and replies to it are marked.

mod secret;

pub use secret::{SecretError, SecretKey};

use crate::{EngineError, Result};
use chrono::Utc;
use rapport_connectors::live::{
    Checkpoint, JetstreamConfig, JetstreamSource, MastodonConfig, MastodonSource, Source,
    SourceError, XConfig, XFilteredStream,
};
use rapport_connectors::publish::{
    BlueskyConfig, BlueskyPublisher, MastodonPublishConfig, MastodonPublisher, Publisher,
    XPublishConfig, XPublisher,
};
use rapport_domain::Network;
use rapport_store::Store;
use rapport_store::channels::{Channel, NewChannel};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where X's API lives unless a channel says otherwise.
pub const X_API: &str = "https://api.x.com";
/// Bluesky's public Jetstream, the default firehose of a Bluesky channel.
pub const JETSTREAM: &str = "wss://jetstream2.us-east.bsky.network/subscribe";

/// What a channel connects to, without its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "network", rename_all = "snake_case")]
pub enum ChannelSpec {
    /// The access token is the secret; `account` is the token's own account (`name@host`),
    /// learned when the channel is added.
    Mastodon { instance: String, account: String },
    /// The app password is the secret. The firehose is a Jetstream URL.
    Bluesky {
        pds: String,
        handle: String,
        firehose: String,
    },
    /// The secret is the app's bearer token (the filtered stream) and, on a second line, a
    /// user-context token that may post (replies go out as that user).
    X {
        api: String,
        /// X's self-serve API accepts a reply only to a post that mentions or quotes the
        /// replying account; enterprise access has no such rule. Self-serve unless said.
        #[serde(default = "self_serve_by_default")]
        self_serve: bool,
    },
}

fn self_serve_by_default() -> bool {
    true
}

/// An X channel's secret: the bearer token, then the user token for posting if there is one.
fn x_tokens(secret: &str) -> (&str, Option<&str>) {
    let mut lines = secret.lines().map(str::trim).filter(|l| !l.is_empty());
    (lines.next().unwrap_or_default(), lines.next())
}

impl ChannelSpec {
    pub fn network(&self) -> Network {
        match self {
            ChannelSpec::Mastodon { .. } => Network::Mastodon,
            ChannelSpec::Bluesky { .. } => Network::Bluesky,
            ChannelSpec::X { .. } => Network::X,
        }
    }

    /// The channel's own account on its network, when it has one.
    pub fn own_account(&self) -> Option<&str> {
        match self {
            ChannelSpec::Mastodon { account, .. } => Some(account),
            ChannelSpec::Bluesky { handle, .. } => Some(handle),
            ChannelSpec::X { .. } => None,
        }
    }

    fn check(&self) -> Result<()> {
        let urls: Vec<&str> = match self {
            ChannelSpec::Mastodon { instance, .. } => vec![instance],
            ChannelSpec::Bluesky { pds, firehose, .. } => vec![pds, firehose],
            ChannelSpec::X { api, .. } => vec![api],
        };
        for url in urls {
            let ok = ["http://", "https://", "ws://", "wss://"]
                .iter()
                .any(|s| url.starts_with(s) && url.len() > s.len());
            if !ok {
                return Err(EngineError::Channel(format!(
                    "'{url}' is not a URL (http://, https://, ws:// or wss://)"
                )));
            }
        }
        Ok(())
    }
}

/// A channel as shown to people: everything but the credentials.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelInfo {
    pub name: String,
    pub network: Network,
    pub spec: ChannelSpec,
    pub enabled: bool,
    pub state: rapport_store::channels::ChannelState,
    pub last_error: Option<String>,
    pub last_error_at: Option<chrono::DateTime<Utc>>,
    /// Where the source resumes from: the checkpoint of the last batch stored.
    pub cursor: Option<serde_json::Value>,
    /// When that checkpoint was saved.
    pub cursor_at: Option<chrono::DateTime<Utc>>,
}

/// The channel use cases over one store. Without a key, channels can be listed and removed
/// but not added or started.
pub struct Channels {
    store: Arc<dyn Store>,
    key: Option<SecretKey>,
}

impl Channels {
    pub fn new(store: Arc<dyn Store>, key: Option<SecretKey>) -> Channels {
        Channels { store, key }
    }

    fn key(&self) -> Result<&SecretKey> {
        self.key.as_ref().ok_or_else(|| {
            EngineError::Channel(
                "no secret key to seal channel credentials with: set the `secret_key` setting \
                 (RAPPORT_SECRET_KEY, 64 hex characters from `openssl rand -hex 32`)"
                    .into(),
            )
        })
    }

    /// Adds a channel with its credentials (sealed before they reach the store) and marks its
    /// own account.
    pub async fn add(&self, name: &str, spec: ChannelSpec, credential: &str) -> Result<Channel> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(EngineError::Channel(format!(
                "invalid channel name '{name}': use 1 to 100 characters, no control characters"
            )));
        }
        spec.check()?;
        if credential.trim().is_empty() {
            return Err(EngineError::Channel("the credential is empty".into()));
        }
        let secret = self.key()?.seal(name, credential.trim());
        let channel = self
            .store
            .channels()
            .add_channel(&NewChannel {
                name: name.to_string(),
                network: spec.network(),
                config: serde_json::to_string(&spec).expect("a spec serializes"),
                secret,
                created_at: Utc::now(),
            })
            .await?;
        if let Some(account) = spec.own_account() {
            let account = account.trim_start_matches('@');
            self.store
                .set_own_account(spec.network(), account, true)
                .await?;
        }
        Ok(channel)
    }

    /// Every channel, without credentials.
    pub async fn list(&self) -> Result<Vec<ChannelInfo>> {
        let channels = self.store.channels().list_channels().await?;
        channels.iter().map(info).collect()
    }

    /// Removes a channel, its credentials and its gaps; its own account stays marked (posts
    /// already stored still mention it). `false` when there was none.
    pub async fn remove(&self, name: &str) -> Result<bool> {
        Ok(self.store.channels().remove_channel(name).await?)
    }

    /// The channel's live source, resuming from its stored checkpoint.
    pub fn source(&self, channel: &Channel) -> Result<Box<dyn Source>> {
        let spec = spec_of(channel)?;
        let credential = self.key()?.open(&channel.name, &channel.secret)?;
        let checkpoint = match &channel.checkpoint {
            Some(json) => Checkpoint::from_json(json).map_err(source_error)?,
            None => Checkpoint::Beginning,
        };
        let source: Box<dyn Source> = match spec {
            ChannelSpec::Mastodon { instance, .. } => Box::new(
                MastodonSource::start(MastodonConfig::new(instance, credential), checkpoint)
                    .map_err(source_error)?,
            ),
            // Jetstream is public: the app password is for publishing only.
            ChannelSpec::Bluesky { firehose, .. } => Box::new(
                JetstreamSource::new(JetstreamConfig::new(firehose), checkpoint)
                    .map_err(source_error)?,
            ),
            ChannelSpec::X { api, .. } => Box::new(
                XFilteredStream::new(XConfig::new(api, x_tokens(&credential).0), checkpoint)
                    .map_err(source_error)?,
            ),
        };
        Ok(source)
    }

    /// The channel's publisher: replies go out as its account.
    pub fn publisher(&self, channel: &Channel) -> Result<Arc<dyn Publisher>> {
        let spec = spec_of(channel)?;
        let credential = self.key()?.open(&channel.name, &channel.secret)?;
        let publisher: Arc<dyn Publisher> = match spec {
            ChannelSpec::Mastodon { instance, .. } => Arc::new(MastodonPublisher::new(
                MastodonPublishConfig::new(instance, credential.trim()),
            )),
            ChannelSpec::Bluesky { pds, handle, .. } => Arc::new(BlueskyPublisher::new(
                BlueskyConfig::new(pds, handle, credential.trim()),
            )),
            ChannelSpec::X { api, .. } => {
                let Some(user_token) = x_tokens(&credential).1 else {
                    return Err(EngineError::Channel(format!(
                        "channel '{}' has no X user token to post with: add the channel again \
                         with the bearer token and the user token on two lines of standard input",
                        channel.name
                    )));
                };
                Arc::new(XPublisher::new(XPublishConfig::new(api, user_token)))
            }
        };
        Ok(publisher)
    }
}

fn source_error(e: SourceError) -> EngineError {
    EngineError::Channel(e.to_string())
}

pub(crate) fn spec_of(channel: &Channel) -> Result<ChannelSpec> {
    serde_json::from_str(&channel.config).map_err(|e| {
        EngineError::Channel(format!(
            "channel '{}' has a bad configuration: {e}",
            channel.name
        ))
    })
}

fn info(c: &Channel) -> Result<ChannelInfo> {
    Ok(ChannelInfo {
        name: c.name.clone(),
        network: c.network,
        spec: spec_of(c)?,
        enabled: c.enabled,
        state: c.state,
        last_error: c.last_error.clone(),
        last_error_at: c.last_error_at,
        cursor: c
            .checkpoint
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        cursor_at: c.checkpoint_at,
    })
}

impl From<SecretError> for EngineError {
    fn from(e: SecretError) -> Self {
        EngineError::Channel(e.to_string())
    }
}
