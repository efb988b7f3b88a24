//! Routing: which stored posts open or join cases.
//!
//! - A post from an own account in a conversation with an active case joins it as an agent
//!   reply, whoever sent it (Rapport's outbox, the network's own app, another tool, an
//!   imported archive): the SLA clocks count it (it stops the first-response clock) and the
//!   case waits on the customer (pending; `rapport_domain::case::on_agent_reply`). A customer
//!   post afterwards opens it again.
//! - With [`Care::settling_history`] (an import), a case whose latest post is older than the
//!   reopen window when it is written comes in resolved at that post (`status.rs`).
//! - Any other post in a conversation whose latest case is active joins it (a pending case
//!   opens again); within the reopen window after resolution it reopens the case
//!   (`rapport_domain::case::on_customer_post`).
//! - Otherwise an actionable post opens a new case: every mention of / reply to an own
//!   account, and topic matches whose intents are actionable for that topic. Priority comes
//!   from the post's urgency; the team from the topic rules; the assignee by round-robin.
//! - A customer post with the lead intent flags its author's contact as a lead.
//!
//! ## Crash safety: a watermark, not one transaction
//!
//! Ingest commits a batch of posts, then routing commits the cases they touched. A process
//! killed between the two commits must not leave posts that no case will ever pick up, so
//! routing keeps a durable watermark: the highest post id it has finished with. A routing pass
//! reads the watermark and the posts above it ([`rapport_store::RoutingStore::unrouted_posts`]),
//! decides, and commits its case writes together with the move of the watermark
//! ([`rapport_store::RoutingStore::write_cases`] with a [`RoutedThrough`]), on the condition that
//! the watermark is still where it read it. Whatever is above the watermark is owed: the next
//! ingest (an import started again, a live source, the API) routes it before its own posts, on
//! the store as the killed run left it, so the cases come out as a run without the crash
//! would have made them. Two pipelines routing at once cannot both commit a pass over the same
//! posts: the second one's condition fails and it starts again from the new watermark.
//!
//! This relies on post ids growing in commit order, which both backends guarantee: SQLite has
//! one writer at a time, and PostgreSQL hands post ids out under the ingest advisory lock that
//! is held until commit. A reader that sees post N committed sees every post below N.
//!
//! A pipeline that has just stored a batch usually owes routing exactly that batch; it then
//! routes it from memory (`ingested.rs`) under the same watermark rule, and goes through the
//! store as above whenever anything else lies above the watermark.
//!
//! Routing's writes could instead commit in the ingest transaction itself, but routing reads
//! as it decides (the latest case of each conversation, teams, round-robin cursors, posts of a
//! conversation stored earlier), so the store's ingest would have to run the engine's routing
//! inside its transaction on both backends; the watermark keeps the two steps apart and needs
//! one row and one conditional update. Lead flags and round-robin cursors are written before
//! the pass commits: a pass run again after a crash flags the same (contact, post) pairs,
//! which the store ignores, and may move a team's cursor one member further.

use super::status::{agent_replied, settle, settled_thread};
use super::{Care, CareError, ChangeKind, Result, RoutingRules};
use chrono::{DateTime, Utc};
use rapport_domain::care::{CasePost, CaseRecord, CaseWrite, RouteCandidate, RoutedThrough};
use rapport_domain::case::on_customer_post;
use rapport_domain::{
    Actor, Case, CaseAction, CaseDecision, CaseEvent, CaseId, ConversationId, Intent, PostId,
    Priority,
};
use rapport_domain::{BusinessCalendar, SlaPolicy, TeamId};
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
    /// Cases opened resolved, as history (an import's old conversations:
    /// `Care::settling_history`).
    pub settled: u64,
}

impl RouteSummary {
    fn add(&mut self, other: &RouteSummary) {
        self.opened += other.opened;
        self.joined += other.joined;
        self.reopened += other.reopened;
        self.agent_replies += other.agent_replies;
        self.leads += other.leads;
        self.settled += other.settled;
    }
}

/// Posts one routing pass takes at most. A pass routes its posts in time order, so the
/// cases a batch makes do not depend on how the posts above the watermark were split into
/// passes only as long as a batch (2,000 posts by default) fits in one.
pub const ROUTING_PASS: u32 = 10_000;

/// Whether each post of a batch may matter to routing, worked out before the batch is
/// stored: it matched a topic, replies to something, or comes from an own account (mentions
/// are known from the store's outcome).
pub(super) type Routable = Vec<bool>;

/// The posts a stored batch inserted that routing may pass over: neither routable nor a
/// mention. Anything else above the watermark (a crash's leftovers) is looked at.
pub(super) fn passed_over(report: &IngestReport, routable: &Routable) -> HashSet<PostId> {
    report
        .outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            IngestOutcome::Inserted { id, is_mention, .. } => {
                (!*is_mention && !routable.get(i).copied().unwrap_or(true)).then_some(*id)
            }
            IngestOutcome::Duplicate { .. } => None,
        })
        .collect()
}

pub(super) fn routable(batch: &[NewPost]) -> Routable {
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

/// Later posts a new case takes in at most from its conversation.
const LATER_POSTS: u32 = 500;

/// A case touched while routing one batch, written with the others at the end.
struct Pending {
    record: CaseRecord,
    posts: Vec<CasePost>,
    events: Vec<CaseEvent>,
    kind: ChangeKind,
    at: DateTime<Utc>,
}

/// A case's opening post: its conversation, time and id (later posts come after it).
type LaterKey = (ConversationId, DateTime<Utc>, PostId);

/// What routing one batch works on: every case it touched, by conversation.
#[derive(Default)]
struct Batch {
    work: Vec<Pending>,
    /// The latest case of each conversation: in `work`, or as stored (`None`: no case).
    latest: HashMap<ConversationId, Latest>,
    /// Posts already placed in a case during this batch.
    placed: HashSet<PostId>,
    /// Cases this batch opened (index in `work`) and their opening post's (conversation,
    /// time, id), for taking in the conversation's later posts.
    opened: Vec<(usize, LaterKey)>,
    terms: HashMap<Option<TeamId>, (Option<SlaPolicy>, BusinessCalendar)>,
}

#[derive(Clone)]
enum Latest {
    Stored(Option<Box<CaseRecord>>),
    Working(usize),
}

impl Batch {
    fn current(&self, conv: ConversationId) -> Option<&CaseRecord> {
        match self.latest.get(&conv)? {
            Latest::Stored(r) => r.as_deref(),
            Latest::Working(i) => Some(&self.work[*i].record),
        }
    }

    /// The pending entry for the conversation's latest case, made from the stored record on
    /// first touch.
    fn touch(&mut self, conv: ConversationId, kind: ChangeKind, at: DateTime<Utc>) -> &mut Pending {
        let i = match self.latest.get(&conv).cloned() {
            Some(Latest::Working(i)) => i,
            Some(Latest::Stored(Some(record))) => {
                self.work.push(Pending {
                    record: *record,
                    posts: Vec::new(),
                    events: Vec::new(),
                    kind,
                    at,
                });
                let i = self.work.len() - 1;
                self.latest.insert(conv, Latest::Working(i));
                i
            }
            _ => unreachable!("touch is only called for a conversation with a case"),
        };
        let p = &mut self.work[i];
        // Reopening or opening outranks a post joining, for the live event.
        if p.kind == ChangeKind::PostJoined {
            p.kind = kind;
        }
        p.at = p.at.max(at);
        p
    }
}

impl Care {
    /// Routes every post stored after routing's watermark, in passes of at most
    /// [`ROUTING_PASS`] posts; each pass commits its case writes together with the move of the
    /// watermark. The ingest pipeline calls it before its first batch (what a crash left
    /// behind) and after every stored batch. `skip` holds posts known not to matter (the
    /// pipeline knows which posts of its batch match no topic, reply to nothing, are no
    /// mention and come from no own account); every other post above the watermark is read
    /// back and looked at, whoever stored it.
    pub async fn route_stored(&self, skip: &HashSet<PostId>) -> Result<RouteSummary> {
        let mut total = RouteSummary::default();
        let mut tries = 0;
        loop {
            let owed = self.store.routing().unrouted_posts(ROUTING_PASS).await?;
            let Some(&last) = owed.posts.last() else {
                return Ok(total);
            };
            let ids: Vec<PostId> = owed
                .posts
                .into_iter()
                .filter(|id| !skip.contains(id))
                .collect();
            let pass = RoutedThrough {
                from: owed.routed_through,
                to: last,
            };
            // When an agent changed one of the cases meanwhile, or another process routed
            // these posts first, the pass starts again from the fresh state.
            match self.route_once(&ids, Utc::now(), pass).await {
                Ok(summary) => {
                    total.add(&summary);
                    tries = 0;
                }
                Err(CareError::Conflict(_)) if tries < 3 => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Routes stored posts, oldest first, and writes every case they touched and the move of
    /// the watermark in one transaction; SLA clocks are read at `now`.
    async fn route_once(
        &self,
        ids: &[PostId],
        now: DateTime<Utc>,
        pass: RoutedThrough,
    ) -> Result<RouteSummary> {
        let candidates = self.store.routing().route_candidates(ids).await?;
        self.route_pass(candidates, now, pass).await
    }

    /// One routing pass over `candidates` (the posts of `pass`, as stored or as the pipeline
    /// that stored them knows them).
    pub(super) async fn route_pass(
        &self,
        mut candidates: Vec<RouteCandidate>,
        now: DateTime<Utc>,
        pass: RoutedThrough,
    ) -> Result<RouteSummary> {
        let rules = self.rules().await?;
        candidates.sort_by_key(|c| (c.created_at, c.post_id));
        // Only posts that can open, join or answer a case are looked at.
        candidates
            .retain(|c| c.from_own_account || c.is_mention || c.is_reply || actionable(c, &rules));
        let mut batch = Batch::default();
        let conversations: Vec<_> = candidates
            .iter()
            .map(|c| c.conversation_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for conv in &conversations {
            batch.latest.insert(*conv, Latest::Stored(None));
        }
        for (conv, record) in self
            .store
            .cases()
            .latest_cases_in_conversations(&conversations)
            .await?
        {
            batch
                .latest
                .insert(conv, Latest::Stored(Some(Box::new(record))));
        }
        let in_batch: HashSet<PostId> = candidates.iter().map(|c| c.post_id).collect();
        let mut summary = RouteSummary::default();
        for c in &candidates {
            if !batch.placed.contains(&c.post_id) {
                self.route_one(c, &rules, &mut batch, &mut summary).await?;
            }
        }
        self.take_in_later_posts(&mut batch, &in_batch, pass)
            .await?;
        if self.settle_history {
            let window = rules.reopen_window();
            for p in &mut batch.work {
                let settled = settle(&mut p.record, &mut p.events, now, window)?;
                // Counted once per case: a case of an earlier pass that a later post of its
                // thread reopened is settled again, but it is no new case.
                summary.settled += u64::from(settled && p.kind == ChangeKind::Opened);
            }
        }
        let mut writes = Vec::with_capacity(batch.work.len());
        let mut announce = Vec::with_capacity(batch.work.len());
        for mut p in std::mem::take(&mut batch.work) {
            let team = p.record.case.team;
            if let std::collections::hash_map::Entry::Vacant(slot) = batch.terms.entry(team) {
                slot.insert(self.sla_terms(&p.record, &rules).await?);
            }
            let terms = &batch.terms[&team];
            self.reevaluate_with(&mut p.record, &p.posts, &p.events, terms, now)
                .await?;
            announce.push((p.kind, p.at));
            writes.push(CaseWrite {
                record: p.record,
                posts: p.posts,
                events: p.events,
            });
        }
        let saved = self
            .store
            .routing()
            .write_cases(&writes, Some(pass))
            .await?;
        for (record, (kind, at)) in saved.iter().zip(announce) {
            self.announce(record, kind, at);
        }
        // An archive being imported is history: nobody is told of it.
        if !self.settle_history {
            for (record, write) in saved.iter().zip(&writes) {
                self.notify_events(record, &write.events).await;
            }
        }
        Ok(summary)
    }

    async fn route_one(
        &self,
        c: &RouteCandidate,
        rules: &RoutingRules,
        batch: &mut Batch,
        summary: &mut RouteSummary,
    ) -> Result<()> {
        let current = batch.current(c.conversation_id);
        if c.from_own_account {
            // A brand post with no active case answers nobody: nothing changes. Except in an
            // import that settles history: the case this pass or an earlier one resolved as
            // history still takes the brand's later replies in (the file split its thread
            // across batches), so its figures are those of the whole thread.
            let joins = current.is_some_and(|r| {
                r.case.status.is_active()
                    || (self.settle_history
                        && settled_thread(r, c.created_at, rules.reopen_window()))
            });
            if !joins {
                return Ok(());
            }
            let p = batch.touch(c.conversation_id, ChangeKind::PostJoined, c.created_at);
            p.events.push(
                p.record
                    .case
                    .join_post(c.post_id, Actor::System, c.created_at),
            );
            agent_replied(&mut p.record, &mut p.events, c.created_at)?;
            p.posts.push(CasePost {
                post_id: c.post_id,
                at: c.created_at,
                from_customer: false,
            });
            p.record.last_agent_reply_at = p.record.last_agent_reply_at.max(Some(c.created_at));
            p.record.last_activity_at = p.record.last_activity_at.max(c.created_at);
            batch.placed.insert(c.post_id);
            summary.agent_replies += 1;
            return Ok(());
        }
        if c.intents.is_some_and(|i| i.has(Intent::Lead)) && actionable(c, rules) {
            summary.leads += u64::from(
                self.store
                    .as_ref()
                    .leads()
                    .flag_lead(c.contact_id, c.post_id, c.created_at)
                    .await?,
            );
        }
        let snapshot = current.map(|r| r.case.snapshot());
        let decision = on_customer_post(snapshot.as_ref(), c.created_at, rules.reopen_window());
        let (action, kind) = match decision {
            CaseDecision::Join(_) => (CaseAction::CustomerReplied, ChangeKind::PostJoined),
            CaseDecision::Reopen(_) => (CaseAction::Reopen, ChangeKind::Reopened),
            CaseDecision::OpenNew => {
                if actionable(c, rules) {
                    self.open_case(c, rules, batch).await?;
                    summary.opened += 1;
                }
                return Ok(());
            }
        };
        let customer = Actor::Customer(c.contact_id);
        let p = batch.touch(c.conversation_id, kind, c.created_at);
        p.events
            .push(p.record.case.join_post(c.post_id, customer, c.created_at));
        p.events
            .extend(p.record.case.apply(action, customer, c.created_at)?);
        p.posts.push(CasePost {
            post_id: c.post_id,
            at: c.created_at,
            from_customer: true,
        });
        let r = &mut p.record;
        r.last_customer_post_at = r.last_customer_post_at.max(Some(c.created_at));
        r.last_activity_at = r.last_activity_at.max(c.created_at);
        r.preview = preview(&c.text);
        union_topics(r, c);
        batch.placed.insert(c.post_id);
        match kind {
            ChangeKind::Reopened => summary.reopened += 1,
            _ => summary.joined += 1,
        }
        Ok(())
    }

    async fn open_case(
        &self,
        c: &RouteCandidate,
        rules: &RoutingRules,
        batch: &mut Batch,
    ) -> Result<()> {
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
            Some(t) => self.store.settings().team(t).await?.map(|t| t.id),
            None => None,
        };
        if let Some(team) = team {
            events.extend(case.set_team(Some(team), Actor::System, at));
            // A thread imported as history comes in resolved: handing it to an agent would
            // fill their queue and figures with archive work, and move the rotation past
            // agents who then miss live cases.
            let history = self.settle_history
                && rapport_domain::case::is_history(at, chrono::Utc::now(), rules.reopen_window());
            if rules.round_robin && !history {
                let next = self.store.settings().next_round_robin(team).await?;
                events.extend(case.assign(next, Actor::System, at));
            }
        }
        let pending = Pending {
            record: CaseRecord {
                case,
                network: c.network,
                version: 0,
                sla: Default::default(),
                last_customer_post_at: Some(at),
                last_agent_reply_at: None,
                last_activity_at: at,
                topics: c.topics.clone(),
                preview: preview(&c.text),
            },
            posts: vec![CasePost {
                post_id: c.post_id,
                at,
                from_customer: true,
            }],
            events,
            kind: ChangeKind::Opened,
            at,
        };
        batch.placed.insert(c.post_id);
        batch.work.push(pending);
        batch.opened.push((
            batch.work.len() - 1,
            (c.conversation_id, c.created_at, c.post_id),
        ));
        batch
            .latest
            .insert(c.conversation_id, Latest::Working(batch.work.len() - 1));
        Ok(())
    }

    /// Posts of a conversation later than the one opening its case but stored before it (a
    /// file imported out of time order, a late parent): they belong to the new case, an own
    /// account's as agent replies. Posts of this pass are left to their own turn, and so are
    /// posts above it (stored meanwhile by another pipeline): their own pass routes them. One
    /// look-up for every case the pass opened.
    async fn take_in_later_posts(
        &self,
        batch: &mut Batch,
        in_batch: &HashSet<PostId>,
        pass: RoutedThrough,
    ) -> Result<()> {
        if batch.opened.is_empty() {
            return Ok(());
        }
        let keys: Vec<_> = batch.opened.iter().map(|(_, key)| *key).collect();
        let by_conversation: HashMap<ConversationId, usize> = batch
            .opened
            .iter()
            .map(|(i, (conv, _, _))| (*conv, *i))
            .collect();
        let mut owner: HashMap<PostId, usize> = HashMap::new();
        for (conv, id) in self
            .store
            .routing()
            .later_unattached_posts(&keys, LATER_POSTS)
            .await?
        {
            if id <= pass.to && !in_batch.contains(&id) && !batch.placed.contains(&id) {
                owner.insert(id, by_conversation[&conv]);
            }
        }
        if owner.is_empty() {
            return Ok(());
        }
        let mut later: Vec<PostId> = owner.keys().copied().collect();
        later.sort_unstable();
        let mut found = self.store.routing().route_candidates(&later).await?;
        found.sort_by_key(|p| (p.created_at, p.post_id));
        for p in found {
            let pending = &mut batch.work[owner[&p.post_id]];
            let at = p.created_at;
            let (actor, from_customer) = if p.from_own_account {
                (Actor::System, false)
            } else {
                (Actor::Customer(p.contact_id), true)
            };
            let r = &mut pending.record;
            pending.events.push(r.case.join_post(p.post_id, actor, at));
            if from_customer {
                // A customer writing after the brand's reply takes the case back from pending.
                pending
                    .events
                    .extend(r.case.apply(CaseAction::CustomerReplied, actor, at)?);
            } else {
                agent_replied(r, &mut pending.events, at)?;
            }
            pending.posts.push(CasePost {
                post_id: p.post_id,
                at,
                from_customer,
            });
            if from_customer {
                // The preview is the latest customer post, whichever came in first.
                if r.last_customer_post_at.is_none_or(|last| at >= last) {
                    r.preview = preview(&p.text);
                }
                r.last_customer_post_at = r.last_customer_post_at.max(Some(at));
            } else {
                r.last_agent_reply_at = r.last_agent_reply_at.max(Some(at));
            }
            r.last_activity_at = r.last_activity_at.max(at);
            batch.placed.insert(p.post_id);
        }
        Ok(())
    }
}
