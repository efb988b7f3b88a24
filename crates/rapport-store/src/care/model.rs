//! What the care store takes and gives back, beyond the domain types.

use chrono::{DateTime, Utc};
use rapport_domain::{
    BusinessCalendar, Case, CaseId, CaseStatus, ContactId, ConversationId, IdentityId, IntentSet,
    Network, PostId, Priority, SlaState, TeamId, TopicId, Urgency, UserId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::{fmt, str::FromStr};

/// A team as it is defined, before the store numbers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSpec {
    pub name: String,
    /// Agents in round-robin order.
    pub members: Vec<UserId>,
    pub calendar: BusinessCalendar,
    /// The name of the SLA policy its cases are measured by.
    pub sla_policy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub members: Vec<UserId>,
    pub calendar: BusinessCalendar,
    pub sla_policy: Option<String>,
    /// The member who got the team's last round-robin case.
    pub last_assigned: Option<UserId>,
}

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

/// Which cases an inbox list shows. Every view holds active cases only (new, open, pending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "view", content = "id")]
pub enum InboxView {
    Mine(UserId),
    Unassigned,
    Team(TeamId),
    AllOpen,
    /// At risk or breached at the last SLA evaluation.
    AtRisk,
    Topic(TopicId),
    Priority(Priority),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxSort {
    /// Most urgent first; the oldest first within a priority.
    #[default]
    Priority,
    /// The earliest running SLA due instant first; cases without one last.
    SlaDue,
    /// The most recent activity first.
    Newest,
    /// The least recent activity first.
    Oldest,
}

impl InboxSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Priority => "priority",
            Self::SlaDue => "sla_due",
            Self::Newest => "newest",
            Self::Oldest => "oldest",
        }
    }
}

impl FromStr for InboxSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Priority, Self::SlaDue, Self::Newest, Self::Oldest]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown sort '{s}' (expected priority, sla_due, newest or oldest)")
            })
    }
}

/// Where a page starts: a keyset cursor is stable while cases change; an offset is for
/// jumping to a page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PageStart {
    #[default]
    First,
    After(InboxCursor),
    Offset(u32),
}

/// The position after the last case of a page, for the same view and sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCursor {
    pub key: i64,
    pub id: CaseId,
}

impl fmt::Display for InboxCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.key, self.id)
    }
}

impl FromStr for InboxCursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid cursor '{s}' (expected KEY.ID)");
        let (k, id) = s.split_once('.').ok_or_else(bad)?;
        Ok(InboxCursor {
            key: k.parse().map_err(|_| bad())?,
            id: CaseId(id.parse().map_err(|_| bad())?),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxQuery {
    pub view: InboxView,
    pub sort: InboxSort,
    /// 1 to 500.
    pub limit: u32,
    pub start: PageStart,
}

/// One row of an inbox list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: CaseId,
    pub status: CaseStatus,
    pub priority: Priority,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub network: Network,
    pub preview: String,
    pub tags: BTreeSet<String>,
    pub sla_state: Option<SlaState>,
    pub next_due: Option<DateTime<Utc>>,
    pub opened_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<InboxCursor>,
}

/// How many active cases each view holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InboxCounts {
    pub all_open: u64,
    pub unassigned: u64,
    /// Assigned to the user asked about.
    pub mine: u64,
    pub at_risk: u64,
    pub by_priority: Vec<(Priority, u64)>,
    pub by_team: Vec<(TeamId, u64)>,
    pub by_topic: Vec<(TopicId, u64)>,
}

/// An internal note on a case (never published).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: i64,
    pub case_id: CaseId,
    pub author: UserId,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedReply {
    pub id: i64,
    pub name: String,
    /// A template (`rapport_domain::Template`), checked by the engine before it is stored.
    pub body: String,
    pub shortcut: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyStatus {
    /// Waiting for the publisher (first time, or again after a transient failure).
    Queued,
    /// A publisher has taken it and may have sent it: the attempt is recorded before sending.
    Sending,
    Sent,
    Failed,
    /// An attempt's outcome is not known (a timeout, a reset after the request left): the
    /// publisher asks the network before it sends again.
    Unknown,
}

impl ReplyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }
}

impl FromStr for ReplyStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "queued" => Ok(Self::Queued),
            "sending" => Ok(Self::Sending),
            "sent" => Ok(Self::Sent),
            "failed" => Ok(Self::Failed),
            "unknown" => Ok(Self::Unknown),
            _ => Err(format!(
                "unknown reply status '{s}' (expected queued, sending, sent, failed or unknown)"
            )),
        }
    }
}

/// A reply on its way into the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReply {
    pub case_id: CaseId,
    pub network: Network,
    pub in_reply_to: Option<PostId>,
    pub body: String,
    pub author: UserId,
    /// The same key queues the same reply once, however often it is sent.
    pub idempotency_key: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub case_id: CaseId,
    pub network: Network,
    pub in_reply_to: Option<PostId>,
    pub body: String,
    pub author: UserId,
    pub idempotency_key: String,
    pub status: ReplyStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The network's id of the published reply.
    pub sent_native_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a publishing attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyOutcome {
    Sent { native_id: String },
    Failed { error: String },
}

/// Where a contact stands with the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    Subscriber,
    Lead,
    Opportunity,
    Customer,
    Evangelist,
    Other,
}

impl LifecycleStage {
    pub const ALL: [LifecycleStage; 6] = [
        Self::Subscriber,
        Self::Lead,
        Self::Opportunity,
        Self::Customer,
        Self::Evangelist,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subscriber => "subscriber",
            Self::Lead => "lead",
            Self::Opportunity => "opportunity",
            Self::Customer => "customer",
            Self::Evangelist => "evangelist",
            Self::Other => "other",
        }
    }
}

impl FromStr for LifecycleStage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown lifecycle stage '{s}' (expected subscriber, lead, opportunity, \
                     customer, evangelist or other)"
                )
            })
    }
}

/// The fields a contact carries beyond its identities.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactFields {
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub crm_id: Option<String>,
    pub tags: BTreeSet<String>,
    pub stage: Option<LifecycleStage>,
    /// Read only: the contact this one was merged into.
    pub merged_into: Option<ContactId>,
}

/// A contact flagged as a lead by a post's intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub contact_id: ContactId,
    pub contact_name: String,
    pub post_id: PostId,
    pub at: DateTime<Utc>,
    pub stage: Option<LifecycleStage>,
}

/// A case with its posts and events, for [`crate::CareStore::bulk_insert_cases`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkCase {
    pub record: CaseRecord,
    pub posts: Vec<CasePost>,
    pub events: Vec<rapport_domain::CaseEvent>,
}

/// One case to create (its id is 0) or save, for [`crate::CareStore::write_cases`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseWrite {
    pub record: CaseRecord,
    pub posts: Vec<CasePost>,
    pub events: Vec<rapport_domain::CaseEvent>,
}

/// Posts routing has not finished with: those stored after its watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrouted {
    /// The highest post id routing has finished with (0 before the first post).
    pub routed_through: PostId,
    /// Ids above it, ascending.
    pub posts: Vec<PostId>,
}

/// Moves routing's watermark with a [`crate::CareStore::write_cases`]: from where the routing
/// pass read it to the last post the pass handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutedThrough {
    pub from: PostId,
    pub to: PostId,
}
