//! The care endpoints' wire types: cases, their posts, notes, replies and audit events,
//! contacts and leads. They are the API's own shapes, made from the engine's and the store's
//! types here, so those can change without changing what clients read.

use chrono::{DateTime, Utc};
use rapport_domain::care::{
    CaseRecord, ContactFields, ContactIdentity, ContactSummary, InboxItem, Lead, Note, OutboxEntry,
};
use rapport_domain::{Actor, CaseChange, CaseEvent, Contact, Identity, StoredPost};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn opt_time(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(time)
}

/// Tells a field that is absent (`None`) from one that is `null` (`Some(None)`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

// ---- case lists ---------------------------------------------------------------------------

/// `GET /api/v1/cases`: which cases, in which order, from where.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParams {
    /// `all_open` (default), `mine` (assigned to the token's user), `unassigned`, `at_risk`,
    /// `team` (needs `team`), `topic` (needs `topic`) or `priority` (needs `priority`). Every
    /// view holds active cases only (new, open, pending).
    pub view: Option<String>,
    /// The team id, for `view=team`; with another view, only the team's cases.
    pub team: Option<i64>,
    /// The topic id, for `view=topic`; with another view, only cases the topic routed.
    pub topic: Option<i64>,
    /// `urgent`, `high`, `normal` or `low`, for `view=priority`.
    pub priority: Option<String>,
    /// `priority` (default: most urgent first, oldest first within a priority), `sla_due`,
    /// `newest` or `oldest` (by last activity).
    pub sort: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<usize>,
    /// The `next` of the previous page, with the same view, sort and filters.
    pub cursor: Option<String>,
    /// Filter: `bluesky`, `mastodon`, `x` or `import`.
    pub network: Option<String>,
    /// Filter: the id of an own account (brand) a customer post of the case mentions or
    /// replies to.
    pub account: Option<i64>,
    /// Filter: `negative`, `neutral` or `positive`, of a customer post of the case.
    pub sentiment: Option<String>,
    /// Filter: `question`, `complaint`, `praise`, `lead` or `feedback`, of a customer post of
    /// the case.
    pub intent: Option<String>,
    /// Filter: a tag the case carries.
    pub tag: Option<String>,
    /// Filter: a user id, or `none` for unassigned cases.
    pub assignee: Option<String>,
    /// Filter: `ok`, `at_risk`, `breached`, or `none` for cases without a running SLA clock.
    pub sla: Option<String>,
    /// Filter: opened on or after this day (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    /// Filter: opened on or before this day (`YYYY-MM-DD`, UTC).
    pub to: Option<String>,
}

impl CaseListParams {
    /// The filters as the address gave them; a value that cannot be read is an error.
    pub fn filter(&self) -> Result<rapport_domain::care::InboxFilter, String> {
        let num = |v: Option<i64>| v.map(|n| n.to_string());
        let (team, topic, account) = (num(self.team), num(self.topic), num(self.account));
        let (f, problems) = rapport_domain::care::InboxFilter::from_params(|k| match k {
            "network" => self.network.as_deref(),
            "account" => account.as_deref(),
            "topic" => topic.as_deref(),
            "sentiment" => self.sentiment.as_deref(),
            "intent" => self.intent.as_deref(),
            "tag" => self.tag.as_deref(),
            "assignee" => self.assignee.as_deref(),
            "team" => team.as_deref(),
            "sla" => self.sla.as_deref(),
            "from" => self.from.as_deref(),
            "to" => self.to.as_deref(),
            _ => None,
        });
        match problems.is_empty() {
            true => Ok(f),
            false => Err(problems.join(" ")),
        }
    }
}

/// One row of a case list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryDto {
    pub id: i64,
    /// new, open or pending.
    pub status: String,
    /// urgent, high, normal or low.
    pub priority: String,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub contact_id: i64,
    pub contact_name: String,
    pub network: String,
    /// The start of the latest customer post: untrusted text.
    pub preview: String,
    pub tags: Vec<String>,
    /// ok, at_risk or breached; absent when no SLA clock runs.
    pub sla_state: Option<String>,
    /// The earliest running SLA due instant (RFC 3339).
    pub next_due: Option<String>,
    pub opened_at: String,
    pub last_activity_at: String,
}

impl From<InboxItem> for CaseSummaryDto {
    fn from(i: InboxItem) -> Self {
        Self {
            id: i.id.0,
            status: i.status.to_string(),
            priority: i.priority.to_string(),
            assignee_id: i.assignee.map(|u| u.0),
            team_id: i.team.map(|t| t.0),
            contact_id: i.contact_id.0,
            contact_name: i.contact_name,
            network: i.network.to_string(),
            preview: i.preview,
            tags: i.tags.into_iter().collect(),
            sla_state: i.sla_state.map(|s| s.as_str().to_string()),
            next_due: opt_time(i.next_due),
            opened_at: time(i.opened_at),
            last_activity_at: time(i.last_activity_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseSummaryDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityCount {
    pub priority: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamCount {
    pub team_id: i64,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicCount {
    pub topic_id: i64,
    pub count: u64,
}

/// How many active cases each view of `GET /api/v1/cases` holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseCounts {
    pub all_open: u64,
    pub unassigned: u64,
    /// Assigned to the token's user.
    pub mine: u64,
    pub at_risk: u64,
    pub by_priority: Vec<PriorityCount>,
    pub by_team: Vec<TeamCount>,
    pub by_topic: Vec<TopicCount>,
}

// ---- one case ------------------------------------------------------------------------------

/// A case's SLA clocks as last evaluated (RFC 3339 instants).
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaDto {
    /// ok, at_risk or breached; absent when no clock runs.
    pub state: Option<String>,
    pub first_response_due: Option<String>,
    pub next_response_due: Option<String>,
    pub resolution_due: Option<String>,
    pub next_due: Option<String>,
    pub at_risk_at: Option<String>,
}

/// A case as it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: i64,
    /// Bumped by every change; send it back as `If-Match` (or `version`) to change the case
    /// only if no one else did meanwhile.
    pub version: i64,
    /// new, open, pending, resolved or closed.
    pub status: String,
    pub status_since: String,
    pub priority: String,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tags: Vec<String>,
    pub contact_id: i64,
    pub conversation_id: i64,
    /// Where replies go.
    pub network: String,
    pub opened_at: String,
    pub last_activity_at: String,
    pub last_customer_post_at: Option<String>,
    pub last_agent_reply_at: Option<String>,
    /// Topics whose matches routed posts into the case.
    pub topic_ids: Vec<i64>,
    /// The start of the latest customer post: untrusted text.
    pub preview: String,
    pub sla: SlaDto,
}

impl From<CaseRecord> for CaseDto {
    fn from(r: CaseRecord) -> Self {
        let c = r.case;
        Self {
            id: c.id.0,
            version: r.version,
            status: c.status.to_string(),
            status_since: time(c.status_since),
            priority: c.priority.to_string(),
            assignee_id: c.assignee.map(|u| u.0),
            team_id: c.team.map(|t| t.0),
            tags: c.tags.into_iter().collect(),
            contact_id: c.contact_id.0,
            conversation_id: c.conversation_id.0,
            network: r.network.to_string(),
            opened_at: time(c.opened_at),
            last_activity_at: time(r.last_activity_at),
            last_customer_post_at: opt_time(r.last_customer_post_at),
            last_agent_reply_at: opt_time(r.last_agent_reply_at),
            topic_ids: r.topics.into_iter().map(|t| t.0).collect(),
            preview: r.preview,
            sla: SlaDto {
                state: r.sla.state.map(|s| s.as_str().to_string()),
                first_response_due: opt_time(r.sla.first_response_due),
                next_response_due: opt_time(r.sla.next_response_due),
                resolution_due: opt_time(r.sla.resolution_due),
                next_due: opt_time(r.sla.next_due),
                at_risk_at: opt_time(r.sla.at_risk_at),
            },
        }
    }
}

/// A post of a case, or of a contact's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePostDto {
    pub id: i64,
    pub network: String,
    pub native_id: String,
    pub author: String,
    pub created_at: String,
    /// As written by its author: untrusted, escape it before showing it.
    pub text: String,
    /// Written by the customer; `false` for posts of the company's own accounts (agent
    /// replies).
    pub from_customer: bool,
}

impl From<StoredPost> for CasePostDto {
    fn from(p: StoredPost) -> Self {
        Self {
            id: p.id.0,
            network: p.post.network.to_string(),
            native_id: p.post.native_id,
            author: p.post.author.handle,
            created_at: time(p.post.created_at),
            text: p.post.text,
            from_customer: !p.from_own_account,
        }
    }
}

/// An internal note (never published).
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteDto {
    pub id: i64,
    pub case_id: i64,
    pub author_id: i64,
    pub text: String,
    pub created_at: String,
}

impl From<Note> for NoteDto {
    fn from(n: Note) -> Self {
        Self {
            id: n.id.0,
            case_id: n.case_id.0,
            author_id: n.author.0,
            text: n.body,
            created_at: time(n.created_at),
        }
    }
}

/// A reply in the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyDto {
    pub id: i64,
    /// The case it answers; null for a publication's part.
    pub case_id: Option<i64>,
    pub network: String,
    /// The customer post it answers.
    pub in_reply_to: Option<i64>,
    pub text: String,
    pub author_id: i64,
    pub idempotency_key: String,
    /// queued, sending, sent, failed or unknown (an attempt's outcome is being checked
    /// with the network before anything is sent again).
    pub status: String,
    pub attempts: u32,
    /// Why it failed (failed) or why it is being retried (queued, unknown).
    pub last_error: Option<String>,
    /// The network's id of the published reply.
    pub sent_native_id: Option<String>,
    /// Where the published reply is seen on the network.
    pub sent_url: Option<String>,
    /// When the network confirmed it.
    pub sent_at: Option<String>,
    /// No attempt before this time (a retry's backoff or a network's rate-limit reset).
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /api/v1/outbox` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxParams {
    /// `queued`, `sending`, `sent`, `failed` or `unknown`; all when absent.
    pub status: Option<String>,
    /// The `next_after` of the previous page.
    pub after: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<usize>,
}

/// A page of the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxList {
    pub entries: Vec<ReplyDto>,
    /// Pass as `after` for the next page; absent on the last one.
    pub next_after: Option<i64>,
}

/// `POST /api/v1/outbox/{id}/resend`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendBody {
    /// The reply's text, edited or not.
    pub text: String,
}

impl From<rapport_domain::publish::PublishEntry> for ReplyDto {
    fn from(p: rapport_domain::publish::PublishEntry) -> Self {
        let waiting = matches!(
            p.entry.status,
            rapport_domain::care::ReplyStatus::Queued | rapport_domain::care::ReplyStatus::Unknown
        ) && p.not_before.timestamp() > 0;
        let next_attempt_at = waiting.then(|| time(p.not_before));
        let mut dto = ReplyDto::from(p.entry);
        dto.sent_url = p.sent_url;
        dto.sent_at = opt_time(p.sent_at);
        dto.next_attempt_at = next_attempt_at;
        dto
    }
}

impl From<OutboxEntry> for ReplyDto {
    fn from(r: OutboxEntry) -> Self {
        Self {
            id: r.id.0,
            case_id: r.case_id.map(|c| c.0),
            network: r.network.to_string(),
            in_reply_to: r.in_reply_to.map(|p| p.0),
            text: r.body,
            author_id: r.author.0,
            idempotency_key: r.idempotency_key,
            status: r.status.as_str().to_string(),
            attempts: r.attempts,
            last_error: r.last_error,
            sent_native_id: r.sent_native_id,
            sent_url: None,
            sent_at: None,
            next_attempt_at: None,
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
        }
    }
}

/// One line of a case's audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub at: String,
    /// user, customer or system.
    pub actor: String,
    /// The user's id (actor `user`) or the contact's (actor `customer`).
    pub actor_id: Option<i64>,
    /// opened, status, priority, assignee, team, tag_added, tag_removed, post_joined or
    /// note_added.
    pub change: String,
    /// The value before (status, priority, assignee, team).
    pub from: Option<String>,
    /// The value after (status, priority, assignee, team).
    pub to: Option<String>,
    /// The status action (status changes).
    pub action: Option<String>,
    pub tag: Option<String>,
    pub post_id: Option<i64>,
    /// The change in words (`status open -> pending (await_customer)`).
    pub description: String,
}

impl From<CaseEvent> for EventDto {
    fn from(e: CaseEvent) -> Self {
        let (actor, actor_id) = match e.actor {
            Actor::User(u) => ("user", Some(u.0)),
            Actor::Customer(c) => ("customer", Some(c.0)),
            Actor::System => ("system", None),
        };
        let s = |v: &dyn std::fmt::Display| Some(v.to_string());
        let id = |v: Option<i64>| v.map(|v| v.to_string());
        let mut dto = EventDto {
            at: time(e.at),
            actor: actor.into(),
            actor_id,
            change: String::new(),
            from: None,
            to: None,
            action: None,
            tag: None,
            post_id: None,
            description: e.change.to_string(),
        };
        dto.change = match e.change {
            CaseChange::Opened { priority, .. } => {
                dto.to = s(&priority);
                "opened"
            }
            CaseChange::Status { from, to, action } => {
                (dto.from, dto.to, dto.action) = (s(&from), s(&to), s(&action));
                "status"
            }
            CaseChange::Priority { from, to } => {
                (dto.from, dto.to) = (s(&from), s(&to));
                "priority"
            }
            CaseChange::Assignee { from, to } => {
                (dto.from, dto.to) = (id(from.map(|u| u.0)), id(to.map(|u| u.0)));
                "assignee"
            }
            CaseChange::Team { from, to } => {
                (dto.from, dto.to) = (id(from.map(|t| t.0)), id(to.map(|t| t.0)));
                "team"
            }
            CaseChange::TagAdded { tag } => {
                dto.tag = Some(tag);
                "tag_added"
            }
            CaseChange::TagRemoved { tag } => {
                dto.tag = Some(tag);
                "tag_removed"
            }
            CaseChange::PostJoined { post_id } => {
                dto.post_id = Some(post_id.0);
                "post_joined"
            }
            CaseChange::NoteAdded => "note_added",
        }
        .into();
        dto
    }
}

/// `GET /api/v1/cases/{id}`: the case with everything its page shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseDto,
    pub contact: Option<ContactDto>,
    /// Oldest first: customer posts and agent replies that came back from the network.
    pub posts: Vec<CasePostDto>,
    pub notes: Vec<NoteDto>,
    /// Replies through the outbox with their publishing state and, once sent, their link.
    pub replies: Vec<ReplyDto>,
    /// The audit log, oldest first.
    pub events: Vec<EventDto>,
}

// ---- case actions ---------------------------------------------------------------------------

/// `POST /api/v1/cases/{id}/assign`. An absent field leaves that part as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// The agent to assign; `null` unassigns.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<Option<i64>>,
    /// The team whose queue the case goes to; `null` takes it off any.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<i64>>,
    /// Change only if the case is still at this version (like `If-Match`).
    pub version: Option<i64>,
}

/// A status move, in the inbox's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusAction {
    /// Take the case up (from new), or back from pending.
    Open,
    /// Wait on the customer (from new or open).
    Pending,
    /// From new, open or pending.
    Resolve,
    /// Archive a resolved case for good.
    Close,
    /// Open a resolved case again.
    Reopen,
}

impl StatusAction {
    pub const ALL: [StatusAction; 5] = [
        Self::Open,
        Self::Pending,
        Self::Resolve,
        Self::Close,
        Self::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Resolve => "resolve",
            Self::Close => "close",
            Self::Reopen => "reopen",
        }
    }

    pub fn domain(self) -> rapport_domain::CaseAction {
        use rapport_domain::CaseAction as A;
        match self {
            Self::Open => A::Open,
            Self::Pending => A::AwaitCustomer,
            Self::Resolve => A::Resolve,
            Self::Close => A::Close,
            Self::Reopen => A::Reopen,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub action: StatusAction,
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityBody {
    /// urgent, high, normal or low.
    pub priority: String,
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagBody {
    /// 1 to 64 characters without whitespace; stored lowercased.
    pub tag: String,
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    pub text: String,
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// Checked against the network's length limit as the network counts it.
    pub text: String,
    /// The same key queues the reply once, however often it is sent (a retried request);
    /// without one every request queues a reply.
    pub idempotency_key: Option<String>,
    pub version: Option<i64>,
}

// ---- contacts -------------------------------------------------------------------------------

/// One account of a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityDto {
    pub id: i64,
    pub network: String,
    pub handle: String,
    pub display_name: Option<String>,
    pub followers: Option<u64>,
    /// One of the company's own accounts.
    pub own_account: bool,
}

impl From<Identity> for IdentityDto {
    fn from(i: Identity) -> Self {
        Self {
            id: i.id.0,
            network: i.network.to_string(),
            handle: i.handle,
            display_name: i.display_name,
            followers: i.followers,
            own_account: i.own_account,
        }
    }
}

/// A contact with its identities and fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    pub id: i64,
    pub name: String,
    pub identities: Vec<IdentityDto>,
    pub email: Option<String>,
    pub company: Option<String>,
    pub crm_id: Option<String>,
    pub tags: Vec<String>,
    /// subscriber, lead, opportunity, customer, evangelist or other.
    pub stage: Option<String>,
    /// The contact this one was merged into.
    pub merged_into: Option<i64>,
}

impl ContactDto {
    pub fn new(contact: Contact, fields: Option<ContactFields>) -> Self {
        let f = fields.unwrap_or_default();
        Self {
            id: contact.id.0,
            name: contact.name,
            identities: contact.identities.into_iter().map(Into::into).collect(),
            email: f.email,
            company: f.company,
            crm_id: f.crm_id,
            tags: f.tags.into_iter().collect(),
            stage: f.stage.map(|s| s.as_str().to_string()),
            merged_into: f.merged_into.map(|c| c.0),
        }
    }
}

/// A contact flagged as a lead by one of its posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadDto {
    pub contact_id: i64,
    pub contact_name: String,
    pub post_id: i64,
    pub at: String,
    pub stage: Option<String>,
}

impl From<Lead> for LeadDto {
    fn from(l: Lead) -> Self {
        Self {
            contact_id: l.contact_id.0,
            contact_name: l.contact_name,
            post_id: l.post_id.0,
            at: time(l.at),
            stage: l.stage.map(|s| s.as_str().to_string()),
        }
    }
}

/// A case of a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactCaseDto {
    pub id: i64,
    pub status: String,
    pub priority: String,
    pub opened_at: String,
}

/// `GET /api/v1/contacts/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDetail {
    pub contact: ContactDto,
    pub leads: Vec<LeadDto>,
    pub cases: Vec<ContactCaseDto>,
}

/// `PATCH /api/v1/contacts/{id}`: an absent field is kept, `null` clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub crm_id: Option<Option<String>>,
    /// Replaces every tag.
    pub tags: Option<Vec<String>>,
    /// subscriber, lead, opportunity, customer, evangelist or other.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub stage: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// The contact merged into this one: its identities, cases, leads and missing fields
    /// move over.
    pub absorb: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitBody {
    /// An identity of this contact, split off into a new contact with the cases its posts
    /// opened.
    pub identity_id: i64,
    /// The new contact's name.
    pub name: String,
}

/// One touchpoint on a contact's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntryDto {
    /// post, case_opened, note or reply.
    pub kind: String,
    pub at: String,
    pub post: Option<CasePostDto>,
    /// The case opened (kind `case_opened`), or the case of the note or reply.
    pub case_id: Option<i64>,
    /// The case's status now (kind `case_opened`).
    pub status: Option<String>,
    pub note: Option<NoteDto>,
    pub reply: Option<ReplyDto>,
}

impl From<rapport_engine::care::TimelineEntry> for TimelineEntryDto {
    fn from(e: rapport_engine::care::TimelineEntry) -> Self {
        use rapport_engine::care::TimelineEntry as T;
        let mut dto = TimelineEntryDto {
            kind: String::new(),
            at: time(e.at()),
            post: None,
            case_id: None,
            status: None,
            note: None,
            reply: None,
        };
        dto.kind = match e {
            T::Post { post, .. } => {
                dto.post = Some((*post).into());
                "post"
            }
            T::CaseOpened {
                case_id, status, ..
            } => {
                (dto.case_id, dto.status) = (Some(case_id.0), Some(status.to_string()));
                "case_opened"
            }
            T::Note { note, .. } => {
                dto.case_id = Some(note.case_id.0);
                dto.note = Some(note.into());
                "note"
            }
            T::Reply { reply, .. } => {
                dto.case_id = reply.case_id.map(|c| c.0);
                dto.reply = Some(reply.into());
                "reply"
            }
        }
        .into();
        dto
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    pub contact_id: i64,
    /// The newest `limit` touchpoints, oldest first.
    pub entries: Vec<TimelineEntryDto>,
    /// Earlier touchpoints were left out: ask again with a larger `limit`.
    pub truncated: bool,
}

/// `limit`: 1 to 500, default 50.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitParams {
    pub limit: Option<usize>,
}

/// `GET /api/v1/leads`: a page size and where the page starts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadListParams {
    /// 1 to 500, default 50.
    pub limit: Option<usize>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// One page of leads: one row per contact, its latest flag, the latest flag first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadList {
    pub leads: Vec<LeadDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// One account of a listed contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedIdentityDto {
    pub id: i64,
    pub network: String,
    pub handle: String,
    pub followers: Option<u64>,
}

impl From<ContactIdentity> for ListedIdentityDto {
    fn from(i: ContactIdentity) -> Self {
        Self {
            id: i.id.0,
            network: i.network.to_string(),
            handle: i.handle,
            followers: i.followers,
        }
    }
}

/// `GET /api/v1/contacts`: which contacts, in which order, from where.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListParams {
    /// Case-insensitive text in the name, a handle, a display name, the email or the company.
    pub q: Option<String>,
    /// Only contacts at this lifecycle stage.
    pub stage: Option<String>,
    /// Only contacts carrying this tag.
    pub tag: Option<String>,
    /// List the company's own accounts too (left out by default).
    pub include_own: Option<bool>,
    /// `last_activity` (default, latest first) or `name`.
    pub sort: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<usize>,
    /// The `next` of the previous page, with the same filters and sort.
    pub cursor: Option<String>,
}

/// One row of the contact list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactSummaryDto {
    pub id: i64,
    pub name: String,
    /// In network, then handle order.
    pub identities: Vec<ListedIdentityDto>,
    pub email: Option<String>,
    pub company: Option<String>,
    pub stage: Option<String>,
    pub tags: Vec<String>,
    pub posts: u64,
    /// Active cases (new, open, pending).
    pub open_cases: u64,
    pub last_activity_at: Option<String>,
}

impl From<ContactSummary> for ContactSummaryDto {
    fn from(c: ContactSummary) -> Self {
        Self {
            id: c.id.0,
            name: c.name,
            identities: c.identities.into_iter().map(Into::into).collect(),
            email: c.email,
            company: c.company,
            stage: c.stage.map(|s| s.as_str().to_string()),
            tags: c.tags.into_iter().collect(),
            posts: c.posts,
            open_cases: c.open_cases,
            last_activity_at: opt_time(c.last_activity_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactList {
    pub contacts: Vec<ContactSummaryDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next: Option<String>,
}
