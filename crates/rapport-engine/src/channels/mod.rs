//! Channels: the network accounts Rapport listens through.
//!
//! A channel is a name, a network, the settings that are not secret ([`ChannelSpec`], kept as
//! JSON) and credentials sealed with the [`SecretKey`] (the store only ever sees ciphertext).
//! Credentials are never logged, printed or handed back: the only way out of the sealed form
//! is [`Channels::source`], which builds the channel's live source. Adding a channel marks its
//! own account as an own account, so mentions of and replies to it are marked.

mod connect;
mod secret;

pub use connect::{ConnectRequest, TEST_LISTEN};
pub use rapport_connectors::live::MastodonTransport;

pub use secret::{SecretError, SecretKey};

use crate::{EngineError, Result};
use chrono::Utc;
use rapport_connectors::live::{
    Checkpoint, FirehoseConfig, FirehoseSource, JetstreamConfig, JetstreamSource, MastodonConfig,
    MastodonSource, PLC_DIRECTORY, Source, SourceError, XConfig, XFilteredStream,
};
use rapport_connectors::publish::{
    BlueskyConfig, BlueskyPublisher, MastodonPublishConfig, MastodonPublisher, Publisher,
    XPublishConfig, XPublisher,
};
use rapport_domain::Network;
use rapport_domain::channel::{Channel, ChannelGap, ChannelId, NewChannel};
use rapport_store::Store;
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
    /// learned when the channel is added; `transport` is how its streams are read.
    Mastodon {
        instance: String,
        account: String,
        #[serde(default)]
        transport: MastodonTransport,
    },
    /// The app password is the secret. The firehose is a Jetstream URL (its path ends in
    /// `/subscribe`) or a relay's or PDS's `com.atproto.sync.subscribeRepos` URL; `plc` is
    /// the PLC directory the firehose's DIDs are resolved in.
    Bluesky {
        pds: String,
        handle: String,
        firehose: String,
        #[serde(default = "plc_directory")]
        plc: String,
        /// Ask Jetstream for zstd-compressed frames (about half the bandwidth).
        #[serde(default)]
        compress: bool,
    },
    /// The secret is the app's bearer token (the filtered stream) and, on a second line, a
    /// user-context token that may post (replies go out as that user). `account` is the
    /// company's handle on X (an app's bearer token does not say whose it is);
    /// `monthly_read_budget` caps the posts read a month (X bills per read).
    X {
        api: String,
        #[serde(default)]
        account: Option<String>,
        #[serde(default)]
        monthly_read_budget: Option<u64>,
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
pub(crate) fn x_tokens(secret: &str) -> (&str, Option<&str>) {
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
            ChannelSpec::X { account, .. } => account.as_deref(),
        }
    }

    fn check(&self) -> Result<()> {
        let urls: Vec<&str> = match self {
            ChannelSpec::Mastodon { instance, .. } => vec![instance],
            ChannelSpec::Bluesky {
                pds, firehose, plc, ..
            } => {
                firehose_kind(firehose)?;
                vec![pds, firehose, plc]
            }
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
    pub id: ChannelId,
    pub name: String,
    pub network: Network,
    pub spec: ChannelSpec,
    pub enabled: bool,
    pub state: rapport_domain::channel::ChannelState,
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
                .contacts()
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

    /// The periods the channel's source could not cover, newest first.
    pub async fn gaps(&self, id: ChannelId, limit: u32) -> Result<Vec<ChannelGap>> {
        Ok(self.store.channels().gaps(id, limit).await?)
    }

    /// The posts the channel read this month (UTC); X bills per read.
    pub async fn reads_this_month(&self, id: ChannelId) -> Result<u64> {
        let month = Utc::now().format("%Y-%m").to_string();
        Ok(self.store.channels().reads(id, &month).await?)
    }

    /// Whether channels with credentials can be added (a secret key is set).
    pub fn can_add(&self) -> bool {
        self.key.is_some()
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
        self.build(&channel.name, spec, credential, checkpoint, None)
    }

    /// The channel's live source, as [`Channels::source`], that stops after `read_limit`
    /// posts (what is left of a monthly read budget; only X bills per read).
    pub fn source_with_read_limit(
        &self,
        channel: &Channel,
        read_limit: u64,
    ) -> Result<Box<dyn Source>> {
        let spec = spec_of(channel)?;
        let credential = self.key()?.open(&channel.name, &channel.secret)?;
        let checkpoint = match &channel.checkpoint {
            Some(json) => Checkpoint::from_json(json).map_err(source_error)?,
            None => Checkpoint::Beginning,
        };
        self.build(
            &channel.name,
            spec,
            credential,
            checkpoint,
            Some(read_limit),
        )
    }

    fn build(
        &self,
        name: &str,
        spec: ChannelSpec,
        credential: String,
        checkpoint: Checkpoint,
        read_limit: Option<u64>,
    ) -> Result<Box<dyn Source>> {
        tracing::debug!(channel = name, network = %spec.network(), "building source");
        let source: Box<dyn Source> = match spec {
            ChannelSpec::Mastodon {
                instance,
                transport,
                ..
            } => {
                let mut config = MastodonConfig::new(instance, credential);
                config.transport = transport;
                Box::new(MastodonSource::start(config, checkpoint).map_err(source_error)?)
            }
            // Both firehoses are public: the app password is kept for publishing.
            ChannelSpec::Bluesky {
                firehose,
                plc,
                compress,
                ..
            } => match firehose_kind(&firehose)? {
                Firehose::Jetstream => {
                    let mut config = JetstreamConfig::new(firehose);
                    config.compress = compress;
                    config.plc = plc;
                    Box::new(JetstreamSource::new(config, checkpoint).map_err(source_error)?)
                }
                Firehose::SubscribeRepos => Box::new(
                    FirehoseSource::new(FirehoseConfig::new(firehose, plc), checkpoint)
                        .map_err(source_error)?,
                ),
            },
            ChannelSpec::X { api, .. } => {
                let mut config = XConfig::new(api, x_tokens(&credential).0);
                config.read_limit = read_limit;
                Box::new(XFilteredStream::new(config, checkpoint).map_err(source_error)?)
            }
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

fn plc_directory() -> String {
    PLC_DIRECTORY.to_string()
}

/// Which Bluesky firehose a URL is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Firehose {
    /// Jetstream's JSON events (the URL's path ends in `/subscribe`).
    Jetstream,
    /// The AT Protocol's own `com.atproto.sync.subscribeRepos` of a relay or a PDS.
    SubscribeRepos,
}

/// Tells a Jetstream URL from a `subscribeRepos` one by its path.
pub fn firehose_kind(url: &str) -> Result<Firehose> {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    if path.ends_with("/xrpc/com.atproto.sync.subscribeRepos") {
        Ok(Firehose::SubscribeRepos)
    } else if path.ends_with("/subscribe") {
        Ok(Firehose::Jetstream)
    } else {
        Err(EngineError::Channel(format!(
            "'{url}' is neither a Jetstream URL (ending in /subscribe) nor a relay's or PDS's              firehose (ending in /xrpc/com.atproto.sync.subscribeRepos)"
        )))
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
        id: c.id,
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
