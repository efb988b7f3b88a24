//! What the case page shows, worked out in Rust so the template only lays it out: names
//! instead of ids, times in one format, the reasons behind each label.

use super::{FormError, Typed};
use crate::AppState;
use crate::pages::Chrome;
use askama::Template;
use chrono::{DateTime, TimeDelta, Utc};
use rapport_domain::{
    Actor, CaseAction, CaseChange, CaseId, CaseStatus, ClockPhase, Permission, Priority, SlaState,
    SlaTarget, UserId,
};
use rapport_engine::accounts::Principal;
use rapport_engine::care::{CareError, TimelineEntry};
use std::collections::HashMap;

/// Sentiment features shown behind each sentiment badge.
const TOP_FEATURES: usize = 5;
/// Suggested answers offered in the composer.
const SUGGESTIONS: usize = 3;
/// Posts read for the contact's timeline.
const TIMELINE_POSTS: u32 = 50;
/// Characters of a timeline entry's text shown in the sidebar.
const EXCERPT: usize = 140;

/// The status changes the page offers, in the order the buttons appear.
const ACTIONS: [CaseAction; 5] = [
    CaseAction::Open,
    CaseAction::AwaitCustomer,
    CaseAction::Resolve,
    CaseAction::Close,
    CaseAction::Reopen,
];

/// The button text for a status change.
pub fn action_label(a: CaseAction) -> &'static str {
    match a {
        CaseAction::Open => "Open",
        CaseAction::AwaitCustomer => "Set pending (waiting on customer)",
        CaseAction::CustomerReplied => "Customer replied",
        CaseAction::Resolve => "Resolve",
        CaseAction::Reopen => "Reopen",
        CaseAction::Close => "Close",
        CaseAction::Undo => "Undo",
    }
}

/// A time as the page shows it, with the machine-readable form for `<time datetime>`.
pub struct Stamp {
    pub iso: String,
    pub text: String,
}

impl Stamp {
    pub fn of(at: DateTime<Utc>) -> Self {
        Stamp {
            iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            text: at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// `3d 4h`, `2h 5m`, `12m`, `under a minute`.
pub fn span(d: TimeDelta) -> String {
    let mins = d.num_minutes().abs();
    let (days, hours, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    match (days, hours, m) {
        (0, 0, 0) => "under a minute".into(),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ClockView {
    pub name: &'static str,
    /// `ok`, `at_risk` or `breached` (a CSS class too).
    pub state: &'static str,
    pub state_text: &'static str,
    /// `running`, `paused` or `completed`.
    pub phase: &'static str,
    pub due: Option<Stamp>,
    /// "2h 5m left", "breached 1h ago", "met".
    pub detail: String,
}

pub struct Reason {
    pub label: String,
    pub reasons: Vec<String>,
    /// A CSS modifier: `positive`, `negative`, `neutral`, `intent`, `urgency`.
    pub class: String,
}

pub struct ThreadItem {
    /// `customer`, `agent` (a reply seen on the network), `outbox` or `note`.
    pub kind: &'static str,
    pub at: Stamp,
    pub author: String,
    pub handle: String,
    pub network: String,
    pub text: String,
    /// Outbox entries: `queued`, `sending`, `sent`, `failed` or `unknown`, and the last error.
    pub status: String,
    pub error: String,
    pub badges: Vec<Reason>,
    /// Outbox entries: what the state means for the agent.
    pub state_text: String,
    /// A sent reply's address on the network (http or https only).
    pub url: String,
    /// The outbox entry's id (0 for other items), for the resend form of a failed reply.
    pub entry: i64,
}

pub struct AuditRow {
    pub at: Stamp,
    pub who: String,
    pub what: String,
}

pub struct IdentityView {
    pub network: String,
    pub handle: String,
    pub display_name: String,
    pub followers: String,
}

pub struct TimelineView {
    pub at: Stamp,
    /// `post`, `case`, `reply`, `note`.
    pub kind: &'static str,
    pub text: String,
    /// A case link, when the entry is a case.
    pub case_id: Option<i64>,
    /// This case.
    pub current: bool,
}

pub struct ContactView {
    pub id: i64,
    pub name: String,
    pub identities: Vec<IdentityView>,
    pub email: String,
    pub company: String,
    pub stage: String,
    pub tags: Vec<String>,
    pub leads: Vec<Stamp>,
    pub timeline: Vec<TimelineView>,
}

/// A saved reply as the composer offers it: by name, and by `/shortcut` in the reply box.
pub struct SavedView {
    pub name: String,
    /// What follows `/` to pick it: its shortcut, else its name in lowercase with dashes.
    pub key: String,
}

impl SavedView {
    fn of(s: rapport_domain::care::SavedReply) -> Self {
        let key = match s.shortcut.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => k.trim_start_matches('/').to_string(),
            _ => s
                .name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("-")
                .to_lowercase(),
        };
        SavedView { name: s.name, key }
    }
}

pub struct Other {
    pub name: String,
    pub typing: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CaseView {
    pub chrome: Chrome,
    pub id: i64,
    pub version: i64,
    pub status: &'static str,
    pub priority: &'static str,
    pub network: &'static str,
    pub assignee: String,
    pub team: String,
    pub tags: Vec<String>,
    pub opened: Stamp,
    pub clocks: Vec<ClockView>,
    /// Why there are no clocks, or that they are paused.
    pub sla_note: String,
    /// When the first running clock turns at risk, as last evaluated (still ahead).
    pub at_risk_from: Option<Stamp>,
    pub thread: Vec<ThreadItem>,
    pub audit: Vec<AuditRow>,
    pub contact: ContactView,
    pub can_write: bool,
    pub agents: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub actions: Vec<(&'static str, &'static str)>,
    pub priorities: Vec<Choice>,
    pub saved_replies: Vec<SavedView>,
    /// Why the network will not take a reply on this case, said before one is written.
    pub reply_rule: String,
    pub suggestions: Vec<String>,
    pub limit: String,
    pub count: String,
    pub flash: &'static str,
    /// The token of the undo toast after a status change (empty: no toast).
    pub undo: String,
    /// What the undo toast says, and the case page an undo comes back to (this one, or the
    /// case resolved before the agent was sent here).
    pub undo_text: String,
    pub undo_back: String,
    /// The case the agent left for this one ("Send and next case", a resolve).
    pub came_from: Option<i64>,
    pub error: String,
    /// The form the error belongs to.
    pub error_form: &'static str,
    pub typed: Typed,
    /// Other agents on the case when the page was made.
    pub others: Vec<Other>,
    /// The reply's idempotency key: a double click queues it once.
    pub reply_key: String,
}

/// Why the page could not be made.
pub enum Failure {
    NoSuchCase,
    Other(String),
}

impl From<CareError> for Failure {
    fn from(e: CareError) -> Self {
        match e {
            CareError::NoSuchCase(_) => Failure::NoSuchCase,
            e => Failure::Other(e.to_string()),
        }
    }
}

fn user_name(users: &HashMap<UserId, String>, id: UserId) -> String {
    users
        .get(&id)
        .cloned()
        .unwrap_or_else(|| format!("user {id}"))
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        out.push('…');
    }
    out
}

fn clock(r: &rapport_domain::ClockReading, now: DateTime<Utc>) -> ClockView {
    let name = match r.target {
        SlaTarget::FirstResponse => "First response",
        SlaTarget::NextResponse => "Next response",
        SlaTarget::Resolution => "Resolution",
    };
    let (state, state_text) = match r.state {
        SlaState::Ok => ("ok", "on time"),
        SlaState::AtRisk => ("at_risk", "at risk"),
        SlaState::Breached => ("breached", "breached"),
    };
    let phase = match r.phase {
        ClockPhase::Running => "running",
        ClockPhase::Paused => "paused",
        ClockPhase::Completed => "completed",
    };
    let detail = match (r.phase, r.state) {
        (ClockPhase::Completed, SlaState::Breached) => {
            format!("met {} late", span(-r.remaining))
        }
        (ClockPhase::Completed, _) => "met".into(),
        (_, SlaState::Breached) => match r.due_at {
            Some(due) if due <= now => format!("breached {} ago", span(now - due)),
            _ => format!("breached by {}", span(-r.remaining)),
        },
        (ClockPhase::Paused, _) => format!("paused, {} left", span(r.remaining)),
        (_, _) => format!("{} left", span(r.remaining)),
    };
    ClockView {
        name,
        state,
        state_text,
        phase,
        due: r.due_at.map(Stamp::of),
        detail,
    }
}

/// The badges of a customer post, each with the reasons the classifier gives.
fn badges(e: &rapport_engine::Explanation) -> Vec<Reason> {
    let s = &e.labels.sentiment;
    let mut out = vec![Reason {
        label: format!("{} {:.2}", s.label.as_str(), s.score),
        reasons: e
            .sentiment
            .iter()
            .map(|(f, w)| {
                format!(
                    "{} ({w:+.2})",
                    super::reasons::sentiment_reason(f, *w, s.label.as_str())
                )
            })
            .collect(),
        class: s.label.as_str().to_string(),
    }];
    for intent in e.labels.intents.iter_intents() {
        let cues = e
            .intents
            .iter()
            .find(|(i, _)| *i == intent)
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        out.push(Reason {
            label: intent.as_str().to_string(),
            reasons: cues,
            class: "intent".into(),
        });
    }
    if !e.urgency.is_empty() {
        out.push(Reason {
            label: format!("urgency {}", e.labels.urgency.as_str()),
            reasons: e.urgency.clone(),
            class: "urgency".into(),
        });
    }
    out
}

/// A line of the case's history in the words of the people in it.
fn describe(
    change: &CaseChange,
    users: &HashMap<UserId, String>,
    teams: &HashMap<i64, String>,
    writers: &HashMap<rapport_domain::PostId, (String, bool)>,
) -> String {
    let who = |u: &Option<UserId>| u.map_or_else(|| "nobody".into(), |u| user_name(users, u));
    let team = |t: &Option<rapport_domain::TeamId>| {
        t.map_or_else(
            || "no team".into(),
            |t| {
                teams
                    .get(&t.0)
                    .cloned()
                    .unwrap_or_else(|| format!("team {t}"))
            },
        )
    };
    match change {
        CaseChange::Assignee { from, to } => format!("assignee {} → {}", who(from), who(to)),
        CaseChange::Team { from, to } => format!("team {} → {}", team(from), team(to)),
        CaseChange::Status { from, to, .. } => format!("status {from} → {to}"),
        CaseChange::Priority { from, to } => format!("priority {from} → {to}"),
        CaseChange::Opened { priority, .. } => format!("case opened, priority {priority}"),
        CaseChange::PostJoined { post_id } => match writers.get(post_id) {
            Some((name, false)) => format!("{name} wrote again"),
            Some((name, true)) => format!("{name} replied on the network"),
            None => "a later post joined the conversation".into(),
        },
        other => other.to_string(),
    }
}

/// Everything the page shows for case `id`.
pub async fn build(
    state: &AppState,
    p: &Principal,
    id: CaseId,
    flash: &'static str,
    error: Option<FormError>,
    typed: Typed,
) -> Result<CaseView, Failure> {
    let care = state.engine.care();
    let now = Utc::now();
    let page = care.case_page(id).await?;
    let record = &page.record;
    let case = &record.case;
    let all_users = state
        .accounts
        .users()
        .await
        .map_err(|e| Failure::Other(e.to_string()))?;
    let users: HashMap<UserId, String> = all_users
        .iter()
        .map(|u| {
            let name = if u.display_name.trim().is_empty() {
                u.name.clone()
            } else {
                u.display_name.clone()
            };
            (u.id, name)
        })
        .collect();
    let team_list = care.teams().await?;
    let teams: HashMap<i64, String> = team_list.iter().map(|t| (t.id.0, t.name.clone())).collect();

    // SLA clocks, read now from the case's history.
    let report = care.sla_report(id, now).await?;
    let clocks: Vec<ClockView> = report
        .iter()
        .flat_map(|r| r.readings())
        .map(|r| clock(r, now))
        .collect();
    let sla_note = match (&report, case.status) {
        (None, _) => "No SLA policy applies to this case.".to_string(),
        (Some(_), CaseStatus::Pending) => {
            "Clocks are paused while the case waits on the customer.".to_string()
        }
        (Some(_), _) if clocks.is_empty() => "No clock is running.".to_string(),
        _ => String::new(),
    };

    // The thread: posts, outbox replies and notes, oldest first.
    let mut thread: Vec<(DateTime<Utc>, u8, ThreadItem)> = Vec::new();
    // A reply sent from here comes back as a post by the brand's account: it is shown once,
    // as the outbox entry with its link.
    let published: std::collections::HashSet<&str> = page
        .replies
        .iter()
        .filter_map(|r| r.entry.sent_native_id.as_deref())
        .collect();
    for post in page
        .posts
        .iter()
        .filter(|p| !(p.from_own_account && published.contains(p.post.native_id.as_str())))
    {
        let customer = !post.from_own_account;
        let a = &post.post.author;
        let author = a
            .display_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| a.handle.clone());
        let badges = if customer && post.labels.is_some() {
            badges(&state.engine.explain_post(post, TOP_FEATURES))
        } else {
            Vec::new()
        };
        thread.push((
            post.post.created_at,
            0,
            ThreadItem {
                kind: if customer { "customer" } else { "agent" },
                at: Stamp::of(post.post.created_at),
                author,
                handle: a.handle.clone(),
                network: post.post.network.as_str().to_string(),
                text: post.post.text.clone(),
                status: String::new(),
                error: String::new(),
                badges,
                state_text: String::new(),
                url: String::new(),
                entry: 0,
            },
        ));
    }
    for p in &page.replies {
        let r = &p.entry;
        thread.push((
            r.created_at,
            1,
            ThreadItem {
                kind: "outbox",
                at: Stamp::of(r.created_at),
                author: user_name(&users, r.author),
                handle: String::new(),
                network: r.network.as_str().to_string(),
                text: r.body.clone(),
                status: r.status.as_str().to_string(),
                error: r.last_error.clone().unwrap_or_default(),
                badges: Vec::new(),
                state_text: reply_state_text(p),
                url: p
                    .sent_url
                    .clone()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .unwrap_or_default(),
                entry: r.id.0,
            },
        ));
    }
    for n in &page.notes {
        thread.push((
            n.created_at,
            2,
            ThreadItem {
                kind: "note",
                at: Stamp::of(n.created_at),
                author: user_name(&users, n.author),
                handle: String::new(),
                network: String::new(),
                text: n.body.clone(),
                status: String::new(),
                error: String::new(),
                badges: Vec::new(),
                state_text: String::new(),
                url: String::new(),
                entry: 0,
            },
        ));
    }
    thread.sort_by_key(|(at, rank, _)| (*at, *rank));

    // The contact.
    let fields = page.contact_fields.clone();
    let contact_name = fields
        .as_ref()
        .map(|f| f.name.clone())
        .or_else(|| page.contact.as_ref().map(|c| c.name.clone()))
        .unwrap_or_else(|| format!("contact {}", case.contact_id));
    let identities = page
        .contact
        .as_ref()
        .map(|c| {
            c.identities
                .iter()
                .map(|i| IdentityView {
                    network: i.network.as_str().to_string(),
                    handle: i.handle.clone(),
                    display_name: i.display_name.clone().unwrap_or_default(),
                    followers: i.followers.map(|f| f.to_string()).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let leads = care
        .contact_leads(case.contact_id)
        .await?
        .into_iter()
        .map(|l| Stamp::of(l.at))
        .collect();
    let timeline = care
        .timeline(case.contact_id, TIMELINE_POSTS)
        .await?
        .into_iter()
        .map(|e| {
            let at = Stamp::of(e.at());
            match e {
                TimelineEntry::Post { post, .. } => TimelineView {
                    at,
                    kind: "post",
                    text: excerpt(&post.post.text),
                    case_id: None,
                    current: false,
                },
                TimelineEntry::CaseOpened {
                    case_id, status, ..
                } => TimelineView {
                    at,
                    kind: "case",
                    text: format!("Case {case_id} opened (now {status})"),
                    case_id: Some(case_id.0),
                    current: case_id == id,
                },
                TimelineEntry::Reply { reply, .. } => TimelineView {
                    at,
                    kind: "reply",
                    text: format!("{} · {}", reply.status.as_str(), excerpt(&reply.body)),
                    case_id: reply.case_id.map(|c| c.0),
                    current: reply.case_id == Some(id),
                },
                TimelineEntry::Note { note, .. } => TimelineView {
                    at,
                    kind: "note",
                    text: excerpt(&note.body),
                    case_id: Some(note.case_id.0),
                    current: note.case_id == id,
                },
            }
        })
        .collect();
    let contact = ContactView {
        id: case.contact_id.0,
        name: contact_name.clone(),
        identities,
        email: fields
            .as_ref()
            .and_then(|f| f.email.clone())
            .unwrap_or_default(),
        company: fields
            .as_ref()
            .and_then(|f| f.company.clone())
            .unwrap_or_default(),
        stage: fields
            .as_ref()
            .and_then(|f| f.stage)
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        tags: fields
            .as_ref()
            .map(|f| f.tags.iter().cloned().collect())
            .unwrap_or_default(),
        leads,
        timeline,
    };

    // The audit log, naming who wrote each post that joined the case.
    let writers: HashMap<rapport_domain::PostId, (String, bool)> = page
        .posts
        .iter()
        .map(|p| {
            let a = &p.post.author;
            let name = a
                .display_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("@{}", a.handle));
            (p.id, (name, p.from_own_account))
        })
        .collect();
    let audit = page
        .events
        .iter()
        .map(|e| AuditRow {
            at: Stamp::of(e.at),
            who: match e.actor {
                Actor::User(u) => user_name(&users, u),
                Actor::Customer(_) => format!("{contact_name} (customer)"),
                Actor::System => "Rapport".into(),
            },
            what: describe(&e.change, &users, &teams, &writers),
        })
        .collect();

    // The forms.
    let can_write = p.can(Permission::WriteCases);
    let mut agents = vec![Choice {
        value: String::new(),
        label: "Unassigned".into(),
        selected: case.assignee.is_none(),
    }];
    agents.extend(
        all_users
            .iter()
            .filter(|u| u.can(Permission::WriteCases) || Some(u.id) == case.assignee)
            .map(|u| Choice {
                value: u.id.0.to_string(),
                label: user_name(&users, u.id),
                selected: Some(u.id) == case.assignee,
            }),
    );
    let mut team_choices = vec![Choice {
        value: String::new(),
        label: "No team".into(),
        selected: case.team.is_none(),
    }];
    team_choices.extend(team_list.iter().map(|t| Choice {
        value: t.id.0.to_string(),
        label: t.name.clone(),
        selected: Some(t.id) == case.team,
    }));
    let priorities = Priority::ALL
        .into_iter()
        .map(|pr| Choice {
            value: pr.as_str().into(),
            label: pr.as_str().into(),
            selected: pr == case.priority,
        })
        .collect();
    let actions = ACTIONS
        .into_iter()
        .filter(|a| case.status.transition(*a).is_ok())
        .map(|a| (a.as_str(), action_label(a)))
        .collect();
    let (saved_replies, suggestions) = if can_write {
        (
            care.saved_replies()
                .await?
                .into_iter()
                .map(SavedView::of)
                .collect(),
            care.suggest_replies(id, super::live::agent_vars(p), SUGGESTIONS)
                .await?
                .into_iter()
                .map(|s| s.text)
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let reply_rule = if can_write {
        care.reply_rule(id).await?.unwrap_or_default()
    } else {
        String::new()
    };
    let count = care.reply_count(id, &typed.reply).await?;
    let others = care
        .presence(id, now)
        .into_iter()
        .filter(|o| o.user != p.user.id)
        .map(|o| Other {
            name: user_name(&users, o.user),
            typing: o.activity == rapport_engine::care::Activity::Typing,
        })
        .collect();
    let (error_text, error_form) = match error {
        Some(e) => (e.text, e.form),
        None => (String::new(), ""),
    };
    let key: [u8; 16] = rand::random();
    Ok(CaseView {
        chrome: Chrome::for_principal(p, &format!("Case {id}"), "inbox"),
        id: id.0,
        version: record.version,
        status: case.status.as_str(),
        priority: case.priority.as_str(),
        network: record.network.as_str(),
        assignee: case
            .assignee
            .map_or_else(|| "Unassigned".into(), |u| user_name(&users, u)),
        team: case.team.map_or_else(
            || "No team".into(),
            |t| {
                teams
                    .get(&t.0)
                    .cloned()
                    .unwrap_or_else(|| format!("team {t}"))
            },
        ),
        tags: case.tags.iter().cloned().collect(),
        opened: Stamp::of(case.opened_at),
        clocks,
        sla_note,
        at_risk_from: record
            .sla
            .at_risk_at
            .filter(|t| *t > now && case.status.clocks_run())
            .map(Stamp::of),
        thread: thread.into_iter().map(|(_, _, t)| t).collect(),
        audit,
        contact,
        can_write,
        agents,
        teams: team_choices,
        actions,
        priorities,
        saved_replies,
        reply_rule,
        suggestions,
        limit: count.limit.map(|l| l.to_string()).unwrap_or_default(),
        count: count.count.to_string(),
        flash,
        undo: String::new(),
        undo_text: "Status changed.".into(),
        undo_back: format!("/cases/{}", id.0),
        came_from: None,
        error: error_text,
        error_form,
        typed,
        others,
        reply_key: hex::encode(key),
    })
}

/// What a reply's publishing state means, in the agent's words.
fn reply_state_text(p: &rapport_domain::publish::PublishEntry) -> String {
    use rapport_domain::care::ReplyStatus as S;
    let at = |t: DateTime<Utc>| Stamp::of(t).text;
    match p.entry.status {
        S::Queued if p.entry.attempts == 0 => "Waiting for the publisher.".into(),
        S::Queued => format!(
            "Not sent yet; trying again at {} (attempt {} so far).",
            at(p.not_before),
            p.entry.attempts
        ),
        S::Sending => "Sending now.".into(),
        S::Sent => match p.sent_at {
            Some(t) => format!("Published at {}.", at(t)),
            None => "Published.".into(),
        },
        S::Unknown => format!(
            "The network did not confirm the last attempt: Rapport checks whether it went out \
             before sending again (at {}), so it is never posted twice.",
            at(p.not_before)
        ),
        S::Failed => {
            "Not published. Edit the reply and send it again, or answer another way.".into()
        }
    }
}
