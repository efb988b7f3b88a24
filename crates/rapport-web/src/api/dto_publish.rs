//! The shapes of `/api/v1/publications`: posts composed once for several channels.

use super::dto_care::ReplyDto;
use chrono::{DateTime, Utc};
use rapport_engine::publish::{ChannelText, Draft, PublicationView, VariantPreview};
use serde::{Deserialize, Serialize};

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}
use utoipa::{IntoParams, ToSchema};

/// A publication with its variants, its parts in the outbox and whether it is late.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationDto {
    pub id: i64,
    /// `draft`, `in_review`, `scheduled`, `publishing`, `published` or `failed`.
    pub status: String,
    pub text: String,
    pub author_id: i64,
    /// When it goes out (RFC 3339); absent: as soon as it is approved.
    pub scheduled_for: Option<String>,
    /// The IANA time zone it was scheduled in.
    pub time_zone: String,
    pub variants: Vec<VariantDto>,
    pub reviewer_id: Option<i64>,
    /// Why it was sent back.
    pub review_comment: Option<String>,
    pub released_at: Option<String>,
    /// When the last network confirmed its last part.
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Name it in changes (`version` in the body or `If-Match`).
    pub version: i64,
    /// Why it is not out though its time has passed.
    pub late: Option<String>,
    /// Its parts in the outbox, with each one's state and link once sent.
    pub entries: Vec<ReplyDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VariantDto {
    pub channel: String,
    /// Absent once the channel was removed.
    pub channel_id: Option<i64>,
    pub network: String,
    /// The text edited for this channel; absent when it follows the publication's text.
    pub text: Option<String>,
    /// The posts it goes out as, in order.
    pub parts: Vec<String>,
}

impl From<PublicationView> for PublicationDto {
    fn from(v: PublicationView) -> Self {
        let p = v.publication;
        Self {
            id: p.id.0,
            status: p.status.as_str().to_string(),
            text: p.body,
            author_id: p.author.0,
            scheduled_for: p.scheduled_for.map(time),
            time_zone: p.time_zone,
            variants: p
                .variants
                .into_iter()
                .map(|v| VariantDto {
                    channel: v.channel_name,
                    channel_id: v.channel.map(|c| c.0),
                    network: v.network.to_string(),
                    text: v.text,
                    parts: v.parts,
                })
                .collect(),
            reviewer_id: p.reviewer.map(|u| u.0),
            review_comment: p.review_comment,
            released_at: p.released_at.map(time),
            published_at: p.published_at.map(time),
            created_at: time(p.created_at),
            updated_at: time(p.updated_at),
            version: p.version,
            late: v.late,
            entries: v.entries.into_iter().map(Into::into).collect(),
        }
    }
}

/// A publication to compose or change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationInput {
    /// The text, composed once.
    pub text: String,
    /// The channels it goes out through, by name, each with its own text where edited.
    pub channels: Vec<ChannelInput>,
    /// RFC 3339 (`2026-12-03T17:00:00+01:00`); absent: as soon as it is approved (or
    /// submitted, without approval).
    pub scheduled_for: Option<String>,
    /// An IANA name (`Europe/Paris`); UTC when absent.
    pub time_zone: Option<String>,
    /// For a change: the version it was read at.
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    pub name: String,
    pub text: Option<String>,
}

impl PublicationInput {
    /// The engine's draft; an unreadable time is a 400 naming `scheduled_for`.
    pub fn draft(&self) -> Result<Draft, crate::ApiError> {
        let i = self;
        let scheduled_for = match i.scheduled_for.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => Some(
                DateTime::parse_from_rfc3339(t)
                    .map_err(|e| super::care_common::bad_parameter("scheduled_for", e))?
                    .with_timezone(&Utc),
            ),
        };
        Ok(Draft {
            body: i.text.clone(),
            channels: i
                .channels
                .iter()
                .map(|c| ChannelText {
                    channel: c.name.clone(),
                    text: c.text.clone(),
                })
                .collect(),
            scheduled_for,
            time_zone: i.time_zone.clone().unwrap_or_default(),
        })
    }
}

/// A step of the review: the version read, and for sending back, why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub version: i64,
    pub comment: Option<String>,
}

/// `GET /api/v1/publications` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicationParams {
    /// Comma-separated statuses; all when absent.
    pub status: Option<String>,
    /// RFC 3339. With `until`: only those going (or gone) out in `[from, until)`, in time
    /// order (the calendar). Without: newest first.
    pub from: Option<String>,
    pub until: Option<String>,
    /// The `next_before` of the previous page.
    pub before: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationList {
    pub publications: Vec<PublicationDto>,
    /// Pass as `before` for the next page; absent on the last one (and for a time range).
    pub next_before: Option<i64>,
}

/// Each channel's variant as it would go out.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewDto {
    pub variants: Vec<VariantPreviewDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VariantPreviewDto {
    pub channel: String,
    pub network: String,
    pub edited: bool,
    pub parts: Vec<PartPreviewDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartPreviewDto {
    pub text: String,
    /// Its length as the network counts it.
    pub count: usize,
    pub limit: Option<usize>,
}

impl From<VariantPreview> for VariantPreviewDto {
    fn from(v: VariantPreview) -> Self {
        Self {
            channel: v.channel,
            network: v.network.to_string(),
            edited: v.edited,
            parts: v
                .parts
                .into_iter()
                .map(|p| PartPreviewDto {
                    text: p.text,
                    count: p.count,
                    limit: p.limit,
                })
                .collect(),
        }
    }
}
