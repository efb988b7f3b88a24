//! Publishing for the marketer: compose once for several channels, preview each network's
//! variant, review, schedule, and follow what went out.
//!
//! Each action reads the publication, applies the domain's rule
//! ([`rapport_domain::publication::Publication`]) and saves against the version the caller
//! saw, so two people editing one publication cannot overwrite each other: the second gets
//! [`EngineError::Conflict`]. Who may do what (compose, approve) is the web layer's
//! permission check; the rule that nobody approves their own post is the domain's.
//!
//! Releasing is the scheduler's ([`Publications::release_due`], run by the publisher
//! supervisor): a due publication's parts enter the outbox in one transaction and the channel
//! workers send them exactly once, like replies.

use crate::{EngineError, Result};
use chrono::{DateTime, Utc};
use rapport_domain::care::{CareSetting, CareSettingKey};
use rapport_domain::compose;
use rapport_domain::publication::{
    NewPublication, Publication, PublicationError, PublicationId, PublicationQuery,
    PublicationStatus, PublishingPolicy, Variant, thread_parts,
};
use rapport_domain::publish::PublishEntry;
use rapport_domain::{Network, StoredPost, UserId};
use rapport_store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// A publication scheduled this long ago that is not out yet is late.
const LATE_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// What the composer sends: the text, the channels (by name) with their own text where it
/// was edited, and when.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub body: String,
    pub channels: Vec<ChannelText>,
    pub scheduled_for: Option<DateTime<Utc>>,
    /// An IANA name (`Europe/Paris`); empty means UTC.
    pub time_zone: String,
}

#[derive(Debug, Clone, Default)]
pub struct ChannelText {
    pub channel: String,
    /// `None` (or blank) follows the composed text.
    pub text: Option<String>,
}

/// One channel's variant as the composer shows it.
#[derive(Debug, Clone, Serialize)]
pub struct VariantPreview {
    pub channel: String,
    pub network: Network,
    pub edited: bool,
    pub parts: Vec<PartPreview>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartPreview {
    pub text: String,
    /// Its length as the network counts it, and the network's limit.
    pub count: usize,
    pub limit: Option<usize>,
}

/// A publication with its ledger entries and whether it is late.
#[derive(Debug, Clone, Serialize)]
pub struct PublicationView {
    #[serde(flatten)]
    pub publication: Publication,
    pub entries: Vec<PublishEntry>,
    /// Why it is not out though its time has passed.
    pub late: Option<String>,
}

/// The publication use cases.
pub struct Publications {
    store: Arc<dyn Store>,
}

impl crate::Engine {
    pub fn publications(&self) -> Publications {
        Publications {
            store: self.store().clone(),
        }
    }
}

fn rule(e: PublicationError) -> EngineError {
    match e {
        PublicationError::NotEditable(_) | PublicationError::Transition { .. } => {
            EngineError::Conflict(e.to_string())
        }
        other => EngineError::InvalidInput(other.to_string()),
    }
}

impl Publications {
    pub async fn policy(&self) -> Result<PublishingPolicy> {
        Ok(
            match self
                .store
                .settings()
                .care_setting(CareSettingKey::PublishingPolicy)
                .await?
            {
                Some(CareSetting::PublishingPolicy(p)) => p,
                _ => PublishingPolicy::default(),
            },
        )
    }

    pub async fn set_policy(&self, policy: PublishingPolicy) -> Result<()> {
        Ok(self
            .store
            .settings()
            .set_care_setting(&CareSetting::PublishingPolicy(policy))
            .await?)
    }

    /// The channels a publication can go out through: every enabled channel, by name.
    pub async fn channel_names(&self) -> Result<Vec<(String, Network)>> {
        Ok(self
            .store
            .channels()
            .list_channels()
            .await?
            .into_iter()
            .filter(|c| c.enabled)
            .map(|c| (c.name, c.network))
            .collect())
    }

    /// Each chosen channel's variant as it would go out, part by part, counted as its network
    /// counts. Nothing is stored.
    pub async fn preview(&self, draft: &Draft) -> Result<Vec<VariantPreview>> {
        let variants = self.variants(draft).await?;
        Ok(variants
            .iter()
            .map(|v| VariantPreview {
                channel: v.channel_name.clone(),
                network: v.network,
                edited: v.text.is_some(),
                parts: thread_parts(v.network, v.text(&draft.body))
                    .into_iter()
                    .map(|text| PartPreview {
                        count: compose::count(v.network, &text),
                        limit: compose::limit(v.network),
                        text,
                    })
                    .collect(),
            })
            .collect())
    }

    /// Stores a new draft.
    pub async fn compose(
        &self,
        author: UserId,
        draft: &Draft,
        at: DateTime<Utc>,
    ) -> Result<Publication> {
        let mut variants = self.variants(draft).await?;
        if draft.body.trim().is_empty() && variants.iter().all(|v| v.text.is_none()) {
            return Err(rule(PublicationError::EmptyText));
        }
        Publication::split(&draft.body, &mut variants);
        Ok(self
            .store
            .publications()
            .create_publication(&NewPublication {
                author,
                body: draft.body.trim().to_string(),
                scheduled_for: draft.scheduled_for,
                time_zone: time_zone(&draft.time_zone)?,
                variants,
                created_at: at,
            })
            .await?)
    }

    /// A new text, channels or time for a publication not yet released.
    pub async fn edit(
        &self,
        id: PublicationId,
        version: i64,
        draft: &Draft,
        at: DateTime<Utc>,
    ) -> Result<Publication> {
        let mut p = self.at_version(id, version).await?;
        let variants = self.variants(draft).await?;
        p.edit(
            draft.body.trim().to_string(),
            variants,
            draft.scheduled_for,
            time_zone(&draft.time_zone)?,
            at,
        )
        .map_err(rule)?;
        self.save(&p).await
    }

    /// To review, or straight to the schedule when the team requires no approval.
    pub async fn submit(
        &self,
        id: PublicationId,
        version: i64,
        at: DateTime<Utc>,
    ) -> Result<Publication> {
        let policy = self.policy().await?;
        let mut p = self.at_version(id, version).await?;
        p.submit(policy, at).map_err(rule)?;
        self.save(&p).await
    }

    pub async fn approve(
        &self,
        id: PublicationId,
        version: i64,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Publication> {
        let mut p = self.at_version(id, version).await?;
        p.approve(by, at).map_err(rule)?;
        self.save(&p).await
    }

    pub async fn send_back(
        &self,
        id: PublicationId,
        version: i64,
        by: UserId,
        comment: &str,
        at: DateTime<Utc>,
    ) -> Result<Publication> {
        let mut p = self.at_version(id, version).await?;
        p.send_back(by, comment, at).map_err(rule)?;
        self.save(&p).await
    }

    pub async fn unschedule(
        &self,
        id: PublicationId,
        version: i64,
        at: DateTime<Utc>,
    ) -> Result<Publication> {
        let mut p = self.at_version(id, version).await?;
        p.unschedule(at).map_err(rule)?;
        self.save(&p).await
    }

    /// Removes a draft or one in review.
    pub async fn delete(&self, id: PublicationId) -> Result<()> {
        if self.store.publications().delete_publication(id).await? {
            Ok(())
        } else {
            Err(EngineError::NotFound(format!("publication {id}")))
        }
    }

    pub async fn get(
        &self,
        id: PublicationId,
        now: DateTime<Utc>,
    ) -> Result<Option<PublicationView>> {
        let Some(publication) = self.store.publications().publication(id).await? else {
            return Ok(None);
        };
        let entries = self.store.publications().publication_entries(&[id]).await?;
        let late = late(&publication, &entries, now);
        Ok(Some(PublicationView {
            publication,
            entries,
            late,
        }))
    }

    pub async fn list(
        &self,
        query: &PublicationQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<PublicationView>> {
        let mut q = query.clone();
        q.limit = q.limit.clamp(1, 1_000);
        let publications = self.store.publications().publications(&q).await?;
        // Entries only matter for what is (or should be) on its way: one query for the page.
        let released: Vec<PublicationId> = publications
            .iter()
            .filter(|p| {
                matches!(
                    p.status,
                    PublicationStatus::Publishing
                        | PublicationStatus::Published
                        | PublicationStatus::Failed
                )
            })
            .map(|p| p.id)
            .collect();
        let mut by_publication: HashMap<PublicationId, Vec<PublishEntry>> = HashMap::new();
        for entry in self
            .store
            .publications()
            .publication_entries(&released)
            .await?
        {
            if let Some(id) = entry.publication {
                by_publication.entry(id).or_default().push(entry);
            }
        }
        let mut views = Vec::with_capacity(publications.len());
        for publication in publications {
            let entries = by_publication.remove(&publication.id).unwrap_or_default();
            let late = late(&publication, &entries, now);
            views.push(PublicationView {
                publication,
                entries,
                late,
            });
        }
        Ok(views)
    }

    /// What its published posts drew: replies in their threads.
    pub async fn replies(&self, id: PublicationId, limit: u32) -> Result<Vec<StoredPost>> {
        Ok(self
            .store
            .publications()
            .publication_replies(id, limit.clamp(1, 500))
            .await?)
    }

    /// Releases every publication due at `now` into the outbox (the scheduler's step).
    pub async fn release_due(&self, now: DateTime<Utc>) -> Result<Vec<PublicationId>> {
        let released = self.store.publications().release_due(now, 100).await?;
        for id in &released {
            // One whose channels were all removed has nothing to send: it fails now.
            self.store
                .publications()
                .settle_publication(*id, now)
                .await?;
            tracing::info!(publication = id.0, "publication released");
        }
        Ok(released)
    }

    async fn at_version(&self, id: PublicationId, version: i64) -> Result<Publication> {
        let p = self
            .store
            .publications()
            .publication(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("publication {id}")))?;
        if p.version != version {
            return Err(EngineError::Conflict(format!(
                "publication {id} was changed meanwhile (version {} now, {version} read): reload it",
                p.version
            )));
        }
        Ok(p)
    }

    async fn save(&self, p: &Publication) -> Result<Publication> {
        Ok(self.store.publications().save_publication(p).await?)
    }

    /// The draft's channels as variants; an unknown or disabled channel is an error that
    /// names it.
    async fn variants(&self, draft: &Draft) -> Result<Vec<Variant>> {
        let channels = self.store.channels().list_channels().await?;
        let mut variants: Vec<Variant> = Vec::new();
        for chosen in &draft.channels {
            let Some(c) = channels
                .iter()
                .find(|c| c.name == chosen.channel && c.enabled)
            else {
                return Err(EngineError::InvalidInput(format!(
                    "no enabled channel named '{}'",
                    chosen.channel
                )));
            };
            if variants.iter().any(|v| v.channel == Some(c.id)) {
                continue;
            }
            variants.push(Variant {
                channel: Some(c.id),
                channel_name: c.name.clone(),
                network: c.network,
                text: chosen
                    .text
                    .as_ref()
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty() && t != draft.body.trim()),
                parts: Vec::new(),
            });
        }
        Ok(variants)
    }
}

/// A valid IANA time zone name (UTC when blank).
fn time_zone(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Ok("UTC".into());
    }
    name.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| EngineError::InvalidInput(format!("unknown time zone '{name}'")))
}

/// Why a publication whose time has passed is not out, or `None` when it is on time (or has
/// no time yet to keep).
pub fn late(p: &Publication, entries: &[PublishEntry], now: DateTime<Utc>) -> Option<String> {
    let due = p.scheduled_for.or(p.released_at)?;
    if now - due < LATE_AFTER {
        return None;
    }
    match p.status {
        PublicationStatus::Scheduled => Some(
            "its time has passed and no publisher has released it: is `rapport serve` or \
             `rapport publish` running?"
                .into(),
        ),
        PublicationStatus::InReview => {
            Some("its time has passed while it waits for approval".into())
        }
        PublicationStatus::Publishing => {
            let waiting = entries
                .iter()
                .find(|e| e.entry.status != rapport_domain::care::ReplyStatus::Sent)?;
            Some(match (&waiting.entry.last_error, waiting.channel) {
                (Some(reason), _) => format!("{} is not out yet: {reason}", waiting.entry.network),
                (None, None) => "its channel was removed".into(),
                (None, Some(_)) => format!("waiting for {} to take it", waiting.entry.network),
            })
        }
        _ => None,
    }
}
