//! Routing: which stored posts open or join cases.
//!
//! - A post from an own account in a conversation with an active case joins it as an agent
//!   reply (it answers the customer: the SLA clocks count it).
//! - Any other post in a conversation whose latest case is active joins it (a pending case
//!   opens again); within the reopen window after resolution it reopens the case
//!   (`rapport_domain::case::on_customer_post`).
//! - Otherwise an actionable post opens a new case: every mention of / reply to an own
//!   account, and topic matches whose intents are actionable for that topic. Priority comes
//!   from the post's urgency; the team from the topic rules; the assignee by round-robin.
//! - A customer post with the lead intent flags its author's contact as a lead.

use super::{Care, ChangeKind, Result, RoutingRules};
use chrono::{DateTime, Utc};
use rapport_domain::case::on_customer_post;
use rapport_domain::{
    Actor, Case, CaseAction, CaseDecision, CaseEvent, CaseId, ConversationId, Intent, PostId,
    Priority,
};
use rapport_store::care::{CasePost, CaseRecord, RouteCandidate};
use rapport_store::{IngestOutcome, IngestReport, NewPost};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Characters of the latest customer post the inbox shows.
const PREVIEW_CHARS: usize = 160;

/// What routing did with a set of posts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RouteSummary {
    pub opened: u64,
    pub joined: u64,
    pub reopened: u64,
    /// Own-account posts counted as agent replies.
    pub agent_replies: u64,
    pub leads: u64,
}

/// Whether each post of a batch may matter to routing, worked out before the batch is
/// stored: it matched a topic, replies to something, or comes from an own account (mentions
/// are known from the store's outcome).
pub type Routable = Vec<bool>;

pub fn routable(batch: &[NewPost]) -> Routable {
    batch
        .iter()
        .map(|p| !p.topics.is_empty() || p.post.reply_to.is_some() || p.post.author.own_account)
        .collect()
}

fn preview(text: &str) -> String {
    let mut out: String = text.chars().take(PREVIEW_CHARS).collect();
    if text.chars().count() > PREVIEW_CHARS {
        out.push('…');
    }
    out
}

fn actionable(c: &RouteCandidate, rules: &RoutingRules) -> bool {
    if c.is_mention {
        return true;
    }
    let Some(intents) = c.intents else {
        return false;
    };
    c.topics
        .iter()
        .any(|t| rules.actionable_intents(*t).iter().any(|i| intents.has(*i)))
}

fn union_topics(record: &mut CaseRecord, c: &RouteCandidate) {
    for t in &c.topics {
        if !record.topics.contains(t) {
            record.topics.push(*t);
        }
    }
}

impl Care {
    /// Routes the posts a stored batch inserted (the ingest pipeline calls this).
    pub async fn route_ingested(
        &self,
        report: &IngestReport,
        routable: &Routable,
    ) -> Result<RouteSummary> {
        let ids: Vec<_> = report
            .outcomes
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                IngestOutcome::Inserted { id, is_mention } => {
                    (*is_mention || routable.get(i).copied().unwrap_or(true)).then_some(*id)
                }
                IngestOutcome::Duplicate { .. } => None,
            })
            .collect();
        if ids.is_empty() {
            return Ok(RouteSummary::default());
        }
        self.route_posts(&ids, Utc::now()).await
    }

    /// Routes stored posts, oldest first; SLA clocks are read at `now`.
    pub async fn route_posts(&self, ids: &[PostId], now: DateTime<Utc>) -> Result<RouteSummary> {
        let rules = self.rules().await?;
        let mut candidates = self.cs().route_candidates(ids).await?;
        candidates.sort_by_key(|c| (c.created_at, c.post_id));
        // Only posts that can open, join or answer a case are looked at; their conversations'
        // latest cases are read in one go.
        candidates
            .retain(|c| c.from_own_account || c.is_mention || c.is_reply || actionable(c, &rules));
        let conversations: Vec<_> = candidates
            .iter()
            .map(|c| c.conversation_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut latest: HashMap<ConversationId, Option<CaseRecord>> =
            conversations.iter().map(|c| (*c, None)).collect();
        for (conv, record) in self
            .cs()
            .latest_cases_in_conversations(&conversations)
            .await?
        {
            latest.insert(conv, Some(record));
        }
        // Posts a new case took in from its conversation while this batch was routed.
        let mut attached: HashSet<PostId> = HashSet::new();
        let mut summary = RouteSummary::default();
        for c in candidates {
            if attached.contains(&c.post_id) {
                continue;
            }
            let existing = latest.get(&c.conversation_id).cloned().flatten();
            let after = self
                .route_one(&c, existing, &rules, now, &mut summary, &mut attached)
                .await?;
            latest.insert(c.conversation_id, after);
        }
        Ok(summary)
    }

    async fn route_one(
        &self,
        c: &RouteCandidate,
        existing: Option<CaseRecord>,
        rules: &RoutingRules,
        now: DateTime<Utc>,
        summary: &mut RouteSummary,
        attached: &mut HashSet<PostId>,
    ) -> Result<Option<CaseRecord>> {
        if c.from_own_account {
            // A brand post after resolution answers nobody: the case stays as it is.
            let Some(mut record) = existing.clone().filter(|r| r.case.status.is_active()) else {
                return Ok(existing);
            };
            let post = CasePost {
                post_id: c.post_id,
                at: c.created_at,
                from_customer: false,
            };
            let events = vec![
                record
                    .case
                    .join_post(c.post_id, Actor::System, c.created_at),
            ];
            record.last_agent_reply_at = record.last_agent_reply_at.max(Some(c.created_at));
            record.last_activity_at = record.last_activity_at.max(c.created_at);
            self.reevaluate(&mut record, &[post], &events, rules, now)
                .await?;
            let saved = self.cs().save_case(&record, &[post], &events).await?;
            summary.agent_replies += 1;
            self.announce(&saved, ChangeKind::PostJoined, c.created_at);
            return Ok(Some(saved));
        }
        if c.intents.is_some_and(|i| i.has(Intent::Lead)) && actionable(c, rules) {
            summary.leads += u64::from(
                self.cs()
                    .flag_lead(c.contact_id, c.post_id, c.created_at)
                    .await?,
            );
        }
        let snapshot = existing.as_ref().map(|r| r.case.snapshot());
        let decision = on_customer_post(snapshot.as_ref(), c.created_at, rules.reopen_window());
        let customer = Actor::Customer(c.contact_id);
        let (mut record, action, kind) = match (decision, existing) {
            (CaseDecision::Join(_), Some(r)) => {
                (r, CaseAction::CustomerReplied, ChangeKind::PostJoined)
            }
            (CaseDecision::Reopen(_), Some(r)) => (r, CaseAction::Reopen, ChangeKind::Reopened),
            (_, existing) => {
                if !actionable(c, rules) {
                    return Ok(existing);
                }
                let opened = self.open_case(c, rules, now, attached).await?;
                summary.opened += 1;
                return Ok(Some(opened));
            }
        };
        let post = CasePost {
            post_id: c.post_id,
            at: c.created_at,
            from_customer: true,
        };
        let mut events = vec![record.case.join_post(c.post_id, customer, c.created_at)];
        events.extend(record.case.apply(action, customer, c.created_at)?);
        record.last_customer_post_at = record.last_customer_post_at.max(Some(c.created_at));
        record.last_activity_at = record.last_activity_at.max(c.created_at);
        record.preview = preview(&c.text);
        union_topics(&mut record, c);
        self.reevaluate(&mut record, &[post], &events, rules, now)
            .await?;
        let saved = self.cs().save_case(&record, &[post], &events).await?;
        match kind {
            ChangeKind::Reopened => summary.reopened += 1,
            _ => summary.joined += 1,
        }
        self.announce(&saved, kind, c.created_at);
        Ok(Some(saved))
    }

    async fn open_case(
        &self,
        c: &RouteCandidate,
        rules: &RoutingRules,
        now: DateTime<Utc>,
        attached: &mut HashSet<PostId>,
    ) -> Result<CaseRecord> {
        let at = c.created_at;
        let priority = c.urgency.map_or(Priority::Normal, Priority::from_urgency);
        let (mut case, opened) = Case::open(
            CaseId(0),
            c.conversation_id,
            c.contact_id,
            priority,
            Actor::System,
            at,
        );
        let mut events: Vec<CaseEvent> = vec![
            opened,
            case.join_post(c.post_id, Actor::Customer(c.contact_id), at),
        ];
        let team = match rules.team_for(&c.topics) {
            // A rule may still name a team that was removed since; the case then has none.
            Some(t) => self.cs().team(t).await?.map(|t| t.id),
            None => None,
        };
        if let Some(team) = team {
            events.extend(case.set_team(Some(team), Actor::System, at));
            if rules.round_robin {
                let next = self.cs().next_round_robin(team).await?;
                events.extend(case.assign(next, Actor::System, at));
            }
        }
        let mut posts = vec![CasePost {
            post_id: c.post_id,
            at,
            from_customer: true,
        }];
        let mut record = CaseRecord {
            case,
            network: c.network,
            version: 0,
            sla: Default::default(),
            last_customer_post_at: Some(at),
            last_agent_reply_at: None,
            last_activity_at: at,
            topics: c.topics.clone(),
            preview: preview(&c.text),
        };
        self.take_in_later_posts(&mut record, &mut posts, &mut events, c, attached)
            .await?;
        self.reevaluate(&mut record, &posts, &events, rules, now)
            .await?;
        let saved = self.cs().create_case(&record, &posts, &events).await?;
        self.announce(&saved, ChangeKind::Opened, at);
        Ok(saved)
    }
}

impl Care {
    /// Posts of the conversation that are later than the one opening the case but were
    /// stored before it (a file imported out of time order, a late parent): they belong to
    /// the new case, an own account's as agent replies.
    async fn take_in_later_posts(
        &self,
        record: &mut CaseRecord,
        posts: &mut Vec<CasePost>,
        events: &mut Vec<CaseEvent>,
        c: &RouteCandidate,
        attached: &mut HashSet<PostId>,
    ) -> Result<()> {
        for p in self.store.conversation(c.conversation_id).await? {
            let at = p.post.created_at;
            if (at, p.id) <= (c.created_at, c.post_id) || attached.contains(&p.id) {
                continue;
            }
            if self.cs().case_of_post(p.id).await?.is_some() {
                continue;
            }
            let (actor, from_customer) = if p.from_own_account {
                (Actor::System, false)
            } else {
                (Actor::Customer(p.contact_id), true)
            };
            events.push(record.case.join_post(p.id, actor, at));
            posts.push(CasePost {
                post_id: p.id,
                at,
                from_customer,
            });
            if from_customer {
                record.last_customer_post_at = record.last_customer_post_at.max(Some(at));
                record.preview = preview(&p.post.text);
            } else {
                record.last_agent_reply_at = record.last_agent_reply_at.max(Some(at));
            }
            record.last_activity_at = record.last_activity_at.max(at);
            attached.insert(p.id);
        }
        Ok(())
    }
}
