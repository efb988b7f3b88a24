//! Publications: posts the company writes once and sends to several accounts on several
//! networks, drafted, approved when the team requires it, scheduled, and published through
//! the same exactly-once ledger as the care desk's replies.
//!
//! A publication's life ([`PublicationStatus`]):
//!
//! ```text
//! draft ──submit──▶ in_review ──approve──▶ scheduled ──(its time)──▶ publishing ──▶ published
//!   ▲   (approval     │                      │  ▲                        │  ▲
//!   │    required)    └──send back──▶ draft  │  └─resend a failed part───┘  │
//!   │                                        │                       failed ┘
//!   └──────────────unschedule────────────────┘
//! draft ──submit──▶ scheduled (no approval required)
//! ```
//!
//! The parts each variant goes out as are computed when the publication is submitted and kept
//! with it, so what the approver sees is exactly what is sent. Changing the text or the
//! channels of a scheduled publication sends it back through review; changing only its time
//! does not.

mod split;

pub use split::thread_parts;

use crate::{ChannelId, Network, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use crate::ids::PublicationId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicationStatus {
    /// Being written; nothing is sent.
    Draft,
    /// Waiting for an approver.
    InReview,
    /// Approved (or needing no approval), waiting for its time.
    Scheduled,
    /// Its time came: its parts are in the ledger, not all confirmed by the networks yet.
    Publishing,
    /// Every part of every variant confirmed by its network.
    Published,
    /// A network refused a part for good; it can be edited and sent again.
    Failed,
}

impl PublicationStatus {
    pub const ALL: [PublicationStatus; 6] = [
        Self::Draft,
        Self::InReview,
        Self::Scheduled,
        Self::Publishing,
        Self::Published,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Scheduled => "scheduled",
            Self::Publishing => "publishing",
            Self::Published => "published",
            Self::Failed => "failed",
        }
    }

    /// Words for a person.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::InReview => "Waiting for approval",
            Self::Scheduled => "Scheduled",
            Self::Publishing => "Publishing",
            Self::Published => "Published",
            Self::Failed => "Failed",
        }
    }

    /// Whether its text and channels may still change.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::InReview | Self::Scheduled)
    }
}

impl fmt::Display for PublicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PublicationStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown publication status '{s}' (expected draft, in_review, scheduled, publishing, published or failed)"
                )
            })
    }
}

/// What goes out through one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// `None` once the channel was removed (its name stays, for the history).
    pub channel: Option<ChannelId>,
    pub channel_name: String,
    pub network: Network,
    /// The text as edited for this channel; `None` follows the publication's text.
    pub text: Option<String>,
    /// The posts it goes out as, in order (a thread when longer than one post); set when the
    /// publication is submitted.
    pub parts: Vec<String>,
}

impl Variant {
    /// The text this variant sends, before splitting.
    pub fn text<'a>(&'a self, body: &'a str) -> &'a str {
        self.text.as_deref().unwrap_or(body)
    }
}

/// A publication as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publication {
    pub id: PublicationId,
    pub author: UserId,
    /// The text composed once.
    pub body: String,
    pub status: PublicationStatus,
    /// When it goes out; `None` as soon as it is approved.
    pub scheduled_for: Option<DateTime<Utc>>,
    /// The IANA time zone the author scheduled in (how the time is shown back).
    pub time_zone: String,
    pub variants: Vec<Variant>,
    /// Who approved it or sent it back, and what they said.
    pub reviewer: Option<UserId>,
    pub review_comment: Option<String>,
    /// When its parts went into the ledger, and when the last network confirmed them.
    pub released_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped by every save; a save names the version it read.
    pub version: i64,
}

/// A publication to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublication {
    pub author: UserId,
    pub body: String,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub variants: Vec<Variant>,
    pub created_at: DateTime<Utc>,
}

/// Which publications a list or calendar shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublicationQuery {
    /// Any of these; empty for all.
    pub statuses: Vec<PublicationStatus>,
    /// Only those going (or gone) out in `[from, until)`: scheduled for then, or released then
    /// when they had no time. With a range, the list runs in time order; without, newest
    /// first.
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Newest-first pages: only ids below this one.
    pub before: Option<PublicationId>,
    pub limit: u32,
}

/// Whether the team reviews publications before they go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishingPolicy {
    /// A publication needs another user's approval before it is scheduled.
    pub approval_required: bool,
}

/// Why a change to a publication is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicationError {
    #[error("a {0} publication cannot be changed")]
    NotEditable(PublicationStatus),
    #[error("a {from} publication cannot be {action}")]
    Transition {
        from: PublicationStatus,
        action: &'static str,
    },
    #[error("the text is empty")]
    EmptyText,
    #[error("choose at least one channel")]
    NoChannel,
    #[error("the author cannot approve their own publication")]
    OwnApproval,
    #[error("say why it is sent back")]
    NoComment,
    #[error("the channel {0} was removed")]
    ChannelRemoved(String),
}

impl Publication {
    /// The parts of every variant, computed from its text as its network counts it.
    pub fn split(body: &str, variants: &mut [Variant]) {
        for v in variants.iter_mut() {
            v.parts = thread_parts(v.network, v.text(body));
        }
    }

    /// Submits a draft (or resubmits a publication sent back): to review when the policy
    /// requires it, else straight to its schedule.
    pub fn submit(
        &mut self,
        policy: PublishingPolicy,
        at: DateTime<Utc>,
    ) -> Result<(), PublicationError> {
        if !matches!(
            self.status,
            PublicationStatus::Draft | PublicationStatus::InReview
        ) {
            return Err(PublicationError::Transition {
                from: self.status,
                action: "submitted",
            });
        }
        self.check_content()?;
        Self::split(&self.body, &mut self.variants);
        self.status = if policy.approval_required {
            PublicationStatus::InReview
        } else {
            PublicationStatus::Scheduled
        };
        self.updated_at = at;
        Ok(())
    }

    /// An approver lets it go out at its time.
    pub fn approve(&mut self, by: UserId, at: DateTime<Utc>) -> Result<(), PublicationError> {
        if self.status != PublicationStatus::InReview {
            return Err(PublicationError::Transition {
                from: self.status,
                action: "approved",
            });
        }
        if by == self.author {
            return Err(PublicationError::OwnApproval);
        }
        self.status = PublicationStatus::Scheduled;
        self.reviewer = Some(by);
        self.review_comment = None;
        self.updated_at = at;
        Ok(())
    }

    /// An approver sends it back to its author with what to change.
    pub fn send_back(
        &mut self,
        by: UserId,
        comment: &str,
        at: DateTime<Utc>,
    ) -> Result<(), PublicationError> {
        if self.status != PublicationStatus::InReview {
            return Err(PublicationError::Transition {
                from: self.status,
                action: "sent back",
            });
        }
        if comment.trim().is_empty() {
            return Err(PublicationError::NoComment);
        }
        self.status = PublicationStatus::Draft;
        self.reviewer = Some(by);
        self.review_comment = Some(comment.trim().to_string());
        self.updated_at = at;
        Ok(())
    }

    /// Takes a scheduled publication off the schedule, back to a draft.
    pub fn unschedule(&mut self, at: DateTime<Utc>) -> Result<(), PublicationError> {
        if !matches!(
            self.status,
            PublicationStatus::Scheduled | PublicationStatus::InReview
        ) {
            return Err(PublicationError::Transition {
                from: self.status,
                action: "taken off the schedule",
            });
        }
        self.status = PublicationStatus::Draft;
        self.updated_at = at;
        Ok(())
    }

    /// A new text, channels or time. A scheduled or in-review publication whose text or
    /// channels change goes back to a draft (what was approved is no longer what would be
    /// sent); a new time alone keeps it where it is. A draft may be saved unfinished.
    pub fn edit(
        &mut self,
        body: String,
        variants: Vec<Variant>,
        scheduled_for: Option<DateTime<Utc>>,
        time_zone: String,
        at: DateTime<Utc>,
    ) -> Result<(), PublicationError> {
        if !self.status.editable() {
            return Err(PublicationError::NotEditable(self.status));
        }
        let same_content = body == self.body
            && variants.len() == self.variants.len()
            && variants
                .iter()
                .zip(&self.variants)
                .all(|(a, b)| a.channel == b.channel && a.text == b.text);
        self.body = body;
        self.scheduled_for = scheduled_for;
        self.time_zone = time_zone;
        if !same_content {
            self.variants = variants;
            self.status = PublicationStatus::Draft;
        }
        Self::split(&self.body, &mut self.variants);
        // What is still in review or scheduled is unchanged content, checked when it was
        // submitted; a draft may be saved unfinished (no channel yet), and is checked when it
        // is submitted.
        self.updated_at = at;
        Ok(())
    }

    fn check_content(&self) -> Result<(), PublicationError> {
        if self.variants.is_empty() {
            return Err(PublicationError::NoChannel);
        }
        if let Some(v) = self.variants.iter().find(|v| v.channel.is_none()) {
            return Err(PublicationError::ChannelRemoved(v.channel_name.clone()));
        }
        if self
            .variants
            .iter()
            .any(|v| v.text(&self.body).trim().is_empty())
        {
            return Err(PublicationError::EmptyText);
        }
        Ok(())
    }

    /// Whether its time has come at `now` (it is scheduled and its time is past, or it has
    /// none).
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.status == PublicationStatus::Scheduled && self.scheduled_for.is_none_or(|t| t <= now)
    }

    /// How many posts it sends in all.
    pub fn part_count(&self) -> usize {
        self.variants.iter().map(|v| v.parts.len()).sum()
    }
}

#[cfg(test)]
mod tests;
