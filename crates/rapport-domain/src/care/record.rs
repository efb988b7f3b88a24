//! A case as the care desk stores it: the domain's `Case` with its network, version, SLA
//! clocks and what the inbox shows, and the shapes a routing pass writes.

use crate::{
    Case, CaseEvent, ContactId, ConversationId, IdentityId, IntentSet, Network, PostId, SlaState,
    TopicId, Urgency,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A case's SLA clocks as last evaluated by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseSla {
    pub first_response_due: Option<DateTime<Utc>>,
    pub next_response_due: Option<DateTime<Utc>>,
    pub resolution_due: Option<DateTime<Utc>>,
    /// The worst state among clocks that are not completed; `None` when none is open.
    pub state: Option<SlaState>,
    /// The earliest due instant among running clocks (the SLA-due sort key).
    pub next_due: Option<DateTime<Utc>>,
    /// When the first running clock becomes at risk, if it is not yet.
    pub at_risk_at: Option<DateTime<Utc>>,
    pub evaluated_at: Option<DateTime<Utc>>,
}

/// A case with everything the inbox shows about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub case: Case,
    /// The network the conversation is on (where replies go).
    pub network: Network,
    /// Bumped by every save; a save that names an older version is refused with `Conflict`.
    pub version: i64,
    pub sla: CaseSla,
    pub last_customer_post_at: Option<DateTime<Utc>>,
    pub last_agent_reply_at: Option<DateTime<Utc>>,
    /// The latest post of the case.
    pub last_activity_at: DateTime<Utc>,
    /// Topics whose matches routed posts into the case.
    pub topics: Vec<TopicId>,
    /// The start of the latest customer post.
    pub preview: String,
}

/// A post attached to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePost {
    pub post_id: PostId,
    pub at: DateTime<Utc>,
    /// Written by the customer; `false` for replies from own accounts (agent replies).
    pub from_customer: bool,
}

/// A stored post as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteCandidate {
    pub post_id: PostId,
    /// The conversation the post is in now (after merges).
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub identity_id: IdentityId,
    pub network: Network,
    pub created_at: DateTime<Utc>,
    pub from_own_account: bool,
    pub is_mention: bool,
    /// The post replies to another (it may continue a conversation that has a case).
    pub is_reply: bool,
    pub intents: Option<IntentSet>,
    pub urgency: Option<Urgency>,
    pub topics: Vec<TopicId>,
    pub text: String,
}

/// A case with its posts and events, for the store's `bulk_insert_cases`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkCase {
    pub record: CaseRecord,
    pub posts: Vec<CasePost>,
    pub events: Vec<CaseEvent>,
}

/// One case to create (its id is 0) or save, for the store's `write_cases`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseWrite {
    pub record: CaseRecord,
    pub posts: Vec<CasePost>,
    pub events: Vec<CaseEvent>,
}

/// Posts routing has not finished with: those stored after its watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrouted {
    /// The highest post id routing has finished with (0 before the first post).
    pub routed_through: PostId,
    /// Ids above it, ascending.
    pub posts: Vec<PostId>,
}

/// Moves routing's watermark with a the store's `write_cases`: from where the routing
/// pass read it to the last post the pass handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutedThrough {
    pub from: PostId,
    pub to: PostId,
}
