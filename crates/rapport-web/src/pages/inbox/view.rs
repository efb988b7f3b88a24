//! What the inbox templates show, worked out in Rust so the templates stay plain: the view
//! named in the address, the sidebar of views with their counts, and one row per case.

use chrono::{DateTime, TimeDelta, Utc};
use rapport_domain::care::{InboxCounts, InboxItem, InboxSort, InboxView, Team};
use rapport_domain::{Priority, SlaState, TeamId, Topic, TopicId, User, UserId};

/// A view as the address names it. `Mine` is kept apart from the user it stands for, so the
/// address `view=mine` means "mine" for whoever opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKey {
    Mine(UserId),
    Unassigned,
    AllOpen,
    AtRisk,
    Team(TeamId),
    Topic(TopicId),
    Priority(Priority),
}

impl ViewKey {
    pub fn parse(s: &str, me: UserId) -> Result<ViewKey, String> {
        let bad = || {
            format!(
                "Unknown view '{s}' (expected mine, unassigned, all, at_risk, team:ID, topic:ID \
                 or priority:NAME); showing all open cases."
            )
        };
        Ok(match s {
            "mine" => ViewKey::Mine(me),
            "unassigned" => ViewKey::Unassigned,
            "all" => ViewKey::AllOpen,
            "at_risk" => ViewKey::AtRisk,
            _ => {
                let (kind, arg) = s.split_once(':').ok_or_else(bad)?;
                match kind {
                    "team" => ViewKey::Team(TeamId(arg.parse().map_err(|_| bad())?)),
                    "topic" => ViewKey::Topic(TopicId(arg.parse().map_err(|_| bad())?)),
                    "priority" => ViewKey::Priority(arg.parse().map_err(|_| bad())?),
                    _ => return Err(bad()),
                }
            }
        })
    }

    /// The address form (`team:3`).
    pub fn key(&self) -> String {
        match self {
            ViewKey::Mine(_) => "mine".into(),
            ViewKey::Unassigned => "unassigned".into(),
            ViewKey::AllOpen => "all".into(),
            ViewKey::AtRisk => "at_risk".into(),
            ViewKey::Team(t) => format!("team:{}", t.0),
            ViewKey::Topic(t) => format!("topic:{}", t.0),
            ViewKey::Priority(p) => format!("priority:{p}"),
        }
    }

    pub fn from_view(v: InboxView) -> ViewKey {
        match v {
            InboxView::Mine(me) => ViewKey::Mine(me),
            InboxView::Unassigned => ViewKey::Unassigned,
            InboxView::AllOpen => ViewKey::AllOpen,
            InboxView::AtRisk => ViewKey::AtRisk,
            InboxView::Team(t) => ViewKey::Team(t),
            InboxView::Topic(t) => ViewKey::Topic(t),
            InboxView::Priority(p) => ViewKey::Priority(p),
        }
    }

    pub fn to_view(self) -> InboxView {
        match self {
            ViewKey::Mine(me) => InboxView::Mine(me),
            ViewKey::Unassigned => InboxView::Unassigned,
            ViewKey::AllOpen => InboxView::AllOpen,
            ViewKey::AtRisk => InboxView::AtRisk,
            ViewKey::Team(t) => InboxView::Team(t),
            ViewKey::Topic(t) => InboxView::Topic(t),
            ViewKey::Priority(p) => InboxView::Priority(p),
        }
    }
}

/// One link of the sidebar.
pub struct ViewLink {
    pub key: String,
    pub label: String,
    pub count: u64,
    pub current: bool,
}

/// A heading of the sidebar and its links (empty groups are left out).
pub struct ViewGroup {
    pub heading: &'static str,
    pub links: Vec<ViewLink>,
}

pub struct SortChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub current: bool,
}

fn topic_name(topics: &[Topic], id: TopicId) -> String {
    topics
        .iter()
        .find(|t| t.id == id)
        .map_or_else(|| format!("Topic {}", id.0), |t| t.name.clone())
}

fn team_name(teams: &[Team], id: TeamId) -> String {
    teams
        .iter()
        .find(|t| t.id == id)
        .map_or_else(|| format!("Team {}", id.0), |t| t.name.clone())
}

fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Urgent => "Urgent",
        Priority::High => "High",
        Priority::Normal => "Normal",
        Priority::Low => "Low",
    }
}

/// The heading of the page for a view.
pub fn label(view: &ViewKey, topics: &[Topic], teams: &[Team]) -> String {
    match view {
        ViewKey::Mine(_) => "Mine".into(),
        ViewKey::Unassigned => "Unassigned".into(),
        ViewKey::AllOpen => "All open".into(),
        ViewKey::AtRisk => "SLA at risk".into(),
        ViewKey::Team(t) => format!("Team {}", team_name(teams, *t)),
        ViewKey::Topic(t) => format!("Topic {}", topic_name(topics, *t)),
        ViewKey::Priority(p) => format!("{} priority", priority_label(*p)),
    }
}

/// The sidebar: the fixed views, the user's teams, priorities and topics, each with its
/// count of active cases.
pub fn groups(
    current: &ViewKey,
    counts: &InboxCounts,
    topics: &[Topic],
    teams: &[Team],
    me: UserId,
) -> Vec<ViewGroup> {
    let link = |view: ViewKey, label: String, count: u64| ViewLink {
        key: view.key(),
        label,
        count,
        current: view == *current,
    };
    let team_count = |id: TeamId| {
        counts
            .by_team
            .iter()
            .find(|(t, _)| *t == id)
            .map_or(0, |(_, n)| *n)
    };
    let prio_count = |p: Priority| {
        counts
            .by_priority
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(0, |(_, n)| *n)
    };
    let mut my_teams: Vec<ViewLink> = teams
        .iter()
        .filter(|t| t.members.contains(&me))
        .map(|t| link(ViewKey::Team(t.id), t.name.clone(), team_count(t.id)))
        .collect();
    // A team opened by address that the user is not in still shows where they are.
    if let ViewKey::Team(id) = current
        && !my_teams.iter().any(|l| l.current)
    {
        my_teams.push(link(*current, team_name(teams, *id), team_count(*id)));
    }
    let mut by_topic: Vec<ViewLink> = counts
        .by_topic
        .iter()
        .map(|(id, n)| link(ViewKey::Topic(*id), topic_name(topics, *id), *n))
        .collect();
    if let ViewKey::Topic(id) = current
        && !by_topic.iter().any(|l| l.current)
    {
        by_topic.push(link(*current, topic_name(topics, *id), 0));
    }
    let groups = vec![
        ViewGroup {
            heading: "Views",
            links: vec![
                link(ViewKey::Mine(me), "Mine".into(), counts.mine),
                link(ViewKey::Unassigned, "Unassigned".into(), counts.unassigned),
                link(ViewKey::AllOpen, "All open".into(), counts.all_open),
                link(ViewKey::AtRisk, "SLA at risk".into(), counts.at_risk),
            ],
        },
        ViewGroup {
            heading: "My teams",
            links: my_teams,
        },
        ViewGroup {
            heading: "Priority",
            links: Priority::ALL
                .into_iter()
                .map(|p| {
                    link(
                        ViewKey::Priority(p),
                        priority_label(p).into(),
                        prio_count(p),
                    )
                })
                .collect(),
        },
        ViewGroup {
            heading: "Topics",
            links: by_topic,
        },
    ];
    groups.into_iter().filter(|g| !g.links.is_empty()).collect()
}

pub fn sorts(current: InboxSort) -> Vec<SortChoice> {
    [
        (InboxSort::Priority, "Priority"),
        (InboxSort::SlaDue, "SLA due"),
        (InboxSort::Newest, "Newest activity"),
        (InboxSort::Oldest, "Oldest activity"),
    ]
    .into_iter()
    .map(|(s, label)| SortChoice {
        value: s.as_str(),
        label,
        current: s == current,
    })
    .collect()
}

/// How a user is named in the inbox.
pub fn user_label(u: &User) -> String {
    if u.display_name.trim().is_empty() {
        u.name.clone()
    } else {
        u.display_name.clone()
    }
}

/// One case of the list.
pub struct Row {
    pub id: i64,
    pub contact: String,
    pub network: &'static str,
    pub preview: String,
    pub status: &'static str,
    pub priority: &'static str,
    /// Empty when unassigned.
    pub assignee: String,
    /// `ok`, `at_risk`, `breached`, or empty without a running clock.
    pub sla: &'static str,
    pub sla_label: &'static str,
    /// "due in 25m" or "overdue by 3h"; empty without a due time.
    pub due: String,
    pub due_at: String,
    pub tags: Vec<String>,
    /// How long ago the case opened ("3h").
    pub age: String,
    pub opened_at: String,
}

/// A short span: "45s", "12m", "3h", "5d".
pub fn span(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m", s / 60),
        3_600..86_400 => format!("{}h", s / 3_600),
        _ => format!("{}d", s / 86_400),
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Row {
    pub fn new(i: &InboxItem, users: &[User], now: DateTime<Utc>) -> Row {
        let assignee = i.assignee.map_or_else(String::new, |id| {
            users
                .iter()
                .find(|u| u.id == id)
                .map_or_else(|| format!("user {}", id.0), user_label)
        });
        let (sla, sla_label) = match i.sla_state {
            None => ("", ""),
            Some(SlaState::Ok) => ("ok", "On time"),
            Some(SlaState::AtRisk) => ("at_risk", "At risk"),
            Some(SlaState::Breached) => ("breached", "Breached"),
        };
        let due = i.next_due.map_or_else(String::new, |d| {
            if d >= now {
                format!("due in {}", span(d - now))
            } else {
                format!("overdue by {}", span(now - d))
            }
        });
        Row {
            id: i.id.0,
            contact: i.contact_name.clone(),
            network: i.network.as_str(),
            preview: i.preview.clone(),
            status: i.status.as_str(),
            priority: i.priority.as_str(),
            assignee,
            sla,
            sla_label,
            due,
            due_at: i.next_due.map(iso).unwrap_or_default(),
            tags: i.tags.iter().cloned().collect(),
            age: span(now - i.opened_at),
            opened_at: iso(i.opened_at),
        }
    }
}

/// Percent-encoding of a query value (a view key or a cursor).
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_keys_round_trip_and_bad_ones_are_explained() {
        let me = UserId(7);
        for key in [
            "mine",
            "unassigned",
            "all",
            "at_risk",
            "team:3",
            "topic:12",
            "priority:urgent",
        ] {
            assert_eq!(ViewKey::parse(key, me).unwrap().key(), key);
        }
        assert_eq!(
            ViewKey::parse("mine", me).unwrap().to_view(),
            InboxView::Mine(me)
        );
        for bad in ["", "everything", "team:x", "priority:soon", "topic"] {
            let e = ViewKey::parse(bad, me).unwrap_err();
            assert!(e.contains("Unknown view"), "{bad}: {e}");
        }
    }

    #[test]
    fn spans_read_in_the_largest_whole_unit() {
        assert_eq!(span(TimeDelta::seconds(-5)), "0s");
        assert_eq!(span(TimeDelta::seconds(59)), "59s");
        assert_eq!(span(TimeDelta::minutes(61)), "1h");
        assert_eq!(span(TimeDelta::hours(49)), "2d");
    }
}
