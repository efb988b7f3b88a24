//! The wire types of `GET /api/v1/search`.

use super::dto::PostDto;
use rapport_engine::{Everywhere, FoundCase, FoundContact};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EverywhereParams {
    /// Plain words (every one must appear) or a query in the listening language.
    pub q: Option<String>,
    /// Items listed per kind, 1 to 100 (default 10); the counts are always whole.
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseHitDto {
    pub id: i64,
    /// `new`, `open`, `pending`, `resolved` or `closed`.
    pub status: String,
    pub priority: String,
    pub network: String,
    pub contact_id: i64,
    pub contact_name: String,
    /// The case's newest matching post.
    pub post_id: i64,
    /// That post's text: untrusted, escape it before showing it.
    pub text: String,
    /// RFC 3339: when that post was written.
    pub at: String,
}

impl From<FoundCase> for CaseHitDto {
    fn from(c: FoundCase) -> Self {
        Self {
            id: c.id.0,
            status: c.status.to_string(),
            priority: c.priority.to_string(),
            network: c.network.to_string(),
            contact_id: c.contact_id.0,
            contact_name: c.contact_name,
            post_id: c.post_id.0,
            text: c.text,
            at: c.at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandleDto {
    pub network: String,
    pub handle: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactHitDto {
    pub id: i64,
    pub name: String,
    pub handles: Vec<HandleDto>,
    /// Matching posts the contact wrote.
    pub posts: u64,
    /// Found by name, handle, email or company (plain words only).
    pub by_name: bool,
}

impl From<FoundContact> for ContactHitDto {
    fn from(c: FoundContact) -> Self {
        Self {
            id: c.id.0,
            name: c.name,
            handles: c
                .handles
                .into_iter()
                .map(|(n, h)| HandleDto {
                    network: n.to_string(),
                    handle: h,
                })
                .collect(),
            posts: c.posts,
            by_name: c.by_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseHits {
    pub count: u64,
    pub items: Vec<CaseHitDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostHits {
    pub count: u64,
    pub items: Vec<PostDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactHits {
    pub count: u64,
    pub items: Vec<ContactHitDto>,
}

/// Results grouped by kind; a kind the caller may not read is absent.
#[derive(Debug, Serialize, ToSchema)]
pub struct EverywhereDto {
    /// The listening-language query that ran (plain words turned into one).
    pub query: String,
    /// Whether `q` was read as plain words.
    pub plain: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<CaseHits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posts: Option<PostHits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<ContactHits>,
}

impl From<Everywhere> for EverywhereDto {
    fn from(e: Everywhere) -> Self {
        Self {
            query: e.query,
            plain: e.plain,
            cases: e.cases.map(|f| CaseHits {
                count: f.count,
                items: f.items.into_iter().map(Into::into).collect(),
            }),
            posts: e.posts.map(|f| PostHits {
                count: f.count,
                items: f.items.into_iter().map(Into::into).collect(),
            }),
            contacts: e.contacts.map(|f| ContactHits {
                count: f.count,
                items: f.items.into_iter().map(Into::into).collect(),
            }),
        }
    }
}
