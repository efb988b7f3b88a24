//! The API's own wire types.

use rapport_domain::User;
use rapport_engine::{SearchHit, TopicInfo};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct PostDto {
    pub id: i64,
    pub network: String,
    pub native_id: String,
    pub author: String,
    /// RFC 3339.
    pub created_at: String,
    /// As written by its author: untrusted, escape it before showing it.
    pub text: String,
}

impl From<SearchHit> for PostDto {
    fn from(h: SearchHit) -> Self {
        Self {
            id: h.id.0,
            network: h.network,
            native_id: h.native_id,
            author: h.author,
            created_at: h.created_at,
            text: h.text,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicDto {
    pub id: i64,
    pub name: String,
    pub query: String,
    pub ignore_accents: bool,
    pub matches: u64,
}

impl From<TopicInfo> for TopicDto {
    fn from(t: TopicInfo) -> Self {
        Self {
            id: t.topic.id.0,
            name: t.topic.name,
            query: t.topic.query,
            ignore_accents: t.topic.options.ignore_accents,
            matches: t.matches,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTopic {
    pub name: String,
    /// A listening query (`refund* OR "charged twice"`).
    pub query: String,
    #[serde(default)]
    pub ignore_accents: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTopic {
    pub id: i64,
    pub name: String,
    pub query: String,
    pub ignore_accents: bool,
    /// Stored posts the new topic matched.
    pub matches: u64,
}

/// Paging of list endpoints: `offset` items skipped, at most `limit` (1 to 500, default 50)
/// returned.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A listening query.
    pub q: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicList {
    /// Every topic, however many this page lists.
    pub count: usize,
    pub topics: Vec<TopicDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    /// Every matching post, however many this page lists.
    pub count: u64,
    pub posts: Vec<PostDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicMatches {
    pub topic: String,
    pub count: u64,
    pub posts: Vec<PostDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsDto {
    pub posts: u64,
    pub conversations: u64,
    pub contacts: u64,
    pub identities: u64,
    pub own_accounts: u64,
    pub topics: u64,
    pub matches: u64,
    pub mentions: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    /// admin, agent or analyst.
    pub role: String,
    pub active: bool,
    pub created_at: String,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id.0,
            name: u.name,
            display_name: u.display_name,
            role: u.role.to_string(),
            active: u.active,
            created_at: u.created_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub count: usize,
    pub users: Vec<UserDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: UserDto,
    /// What this caller may do (a token: its scopes within its creator's role).
    pub permissions: Vec<String>,
}

/// Every error: `{"error": {"code", "message"}}`; `code` is stable.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `unauthorized`, `forbidden`, `not_found`, `conflict`, `invalid_query`, `invalid_body`,
    /// `invalid_name`, `missing_query`, `too_large`, `internal`; the care endpoints add
    /// `invalid_id`, `invalid_parameter`, `invalid_cursor`, `invalid_header` (400),
    /// `version_conflict`, `illegal_transition` (409), `invalid_value`, `invalid_tag`,
    /// `reply_too_long`, `unknown_user`, `not_assignable`, `unknown_team`, `unknown_contact`,
    /// `unknown_identity`, `invalid_template` (422).
    pub code: String,
    pub message: String,
}
