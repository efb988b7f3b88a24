//! Connecting an account (checked with its network before it is stored) and trying a stored
//! channel out, for the command line and the settings page alike.

use super::{ChannelSpec, Channels, JETSTREAM, X_API, firehose_kind, spec_of};
use crate::{EngineError, Result};
use rapport_connectors::live::{
    Checkpoint, MastodonTransport, PLC_DIRECTORY, SourceError, XRules, bluesky_account,
    mastodon_account, probe,
};
use rapport_domain::channel::Channel;
use std::time::Duration;

/// What an admin gives to connect an account, besides its name and credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectRequest {
    Mastodon {
        instance: String,
        transport: MastodonTransport,
    },
    Bluesky {
        pds: String,
        handle: String,
        /// A Jetstream or `subscribeRepos` URL; Bluesky's public Jetstream when `None`.
        firehose: Option<String>,
        /// The PLC directory; Bluesky's when `None`.
        plc: Option<String>,
        /// Ask Jetstream for zstd-compressed frames.
        compress: bool,
    },
    X {
        /// X's API when `None`.
        api: Option<String>,
        /// The company's handle on X (an app's bearer token does not say whose it is).
        account: Option<String>,
        /// At most this many reads a month (X bills per read); no cap when `None`.
        monthly_read_budget: Option<u64>,
        /// Enterprise access: replies are not limited to posts that mention or quote the
        /// account (self-serve access is).
        enterprise: bool,
    },
}

fn trimmed(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

fn refused(what: &str, at: &str, e: SourceError) -> EngineError {
    EngineError::Channel(format!("cannot check the {what} with {at}: {e}"))
}

impl Channels {
    /// Checks the credential with the network (which also names the own account), then adds
    /// the channel with its credential sealed.
    pub async fn connect(
        &self,
        name: &str,
        request: ConnectRequest,
        credential: &str,
    ) -> Result<(Channel, ChannelSpec)> {
        let credential = credential.trim();
        if credential.is_empty() {
            return Err(EngineError::Channel("the credential is empty".into()));
        }
        // Refuse early what `add` would refuse, before asking the network anything.
        self.key()?;
        let spec = match request {
            ConnectRequest::Mastodon {
                instance,
                transport,
            } => {
                let instance = trimmed(&instance);
                let account = mastodon_account(&instance, credential)
                    .await
                    .map_err(|e| refused("access token", &instance, e))?;
                ChannelSpec::Mastodon {
                    instance,
                    account,
                    transport,
                }
            }
            ConnectRequest::Bluesky {
                pds,
                handle,
                firehose,
                plc,
                compress,
            } => {
                let pds = trimmed(&pds);
                let firehose = firehose
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .unwrap_or_else(|| JETSTREAM.to_string());
                firehose_kind(&firehose)?;
                let handle = handle.trim().trim_start_matches('@');
                let (_, handle) = bluesky_account(&pds, handle, credential)
                    .await
                    .map_err(|e| refused("app password", &pds, e))?;
                ChannelSpec::Bluesky {
                    pds,
                    handle,
                    firehose,
                    plc: plc
                        .map(|p| trimmed(&p))
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| PLC_DIRECTORY.to_string()),
                    compress,
                }
            }
            ConnectRequest::X {
                api,
                account,
                monthly_read_budget,
                enterprise,
            } => {
                let api = api
                    .map(|a| trimmed(&a))
                    .filter(|a| !a.is_empty())
                    .unwrap_or_else(|| X_API.to_string());
                // Listing the stream's rules checks the bearer token without reading a post.
                XRules::new(&api, super::x_tokens(credential).0)
                    .map_err(|e| refused("bearer token", &api, e))?
                    .list()
                    .await
                    .map_err(|e| refused("bearer token", &api, e))?;
                ChannelSpec::X {
                    api,
                    account: account
                        .map(|a| a.trim().trim_start_matches('@').to_lowercase())
                        .filter(|a| !a.is_empty()),
                    monthly_read_budget,
                    self_serve: !enterprise,
                }
            }
        };
        let channel = self.add(name, spec.clone(), credential).await?;
        Ok((channel, spec))
    }

    /// Connects with a stored channel's credential and says what it can read: who the
    /// credential belongs to, then the live source from now (the stored checkpoint is left
    /// alone), listened to for `listen`. An error says why it cannot.
    pub async fn test(&self, name: &str, listen: Duration) -> Result<Vec<String>> {
        let channel = self
            .store
            .channels()
            .channel(name)
            .await?
            .ok_or_else(|| EngineError::Channel(format!("no channel named '{name}'")))?;
        let spec = spec_of(&channel)?;
        let credential = self.key()?.open(&channel.name, &channel.secret)?;
        let mut report = Vec::new();
        match &spec {
            ChannelSpec::Mastodon { instance, .. } => {
                let account = mastodon_account(instance, &credential)
                    .await
                    .map_err(|e| refused("access token", instance, e))?;
                report.push(format!("the access token is {account}'s on {instance}"));
            }
            ChannelSpec::Bluesky { pds, handle, .. } => {
                let (did, handle) = bluesky_account(pds, handle, &credential)
                    .await
                    .map_err(|e| refused("app password", pds, e))?;
                report.push(format!("the app password opens {handle} ({did}) on {pds}"));
            }
            ChannelSpec::X { api, .. } => {
                let rules = XRules::new(api, super::x_tokens(&credential).0)
                    .map_err(|e| refused("bearer token", api, e))?
                    .list()
                    .await
                    .map_err(|e| refused("bearer token", api, e))?;
                report.push(format!(
                    "the bearer token reads the filtered stream's rules on {api} ({} rules)",
                    rules.len()
                ));
            }
        }
        let source = self.build(
            &channel.name,
            spec.clone(),
            credential,
            Checkpoint::Beginning,
            None,
        )?;
        let read = probe(source, Duration::from_secs(20), listen)
            .await
            .map_err(|e| EngineError::Channel(format!("cannot read the stream: {e}")))?;
        report.push(format!(
            "connected to its stream in {} ms; in {} s it read {} posts and {} deletes \
             ({} frames unreadable, {} events of other kinds)",
            read.connected_after.as_millis(),
            listen.as_secs(),
            read.posts,
            read.deletes,
            read.bad_frames,
            read.skipped
        ));
        Ok(report)
    }
}

/// How long `channels test` listens by default.
pub const TEST_LISTEN: Duration = Duration::from_secs(5);
