//! The inbox's filter bar and the sidebar's saved views, worked out in Rust so the templates
//! stay plain: the choices each filter offers with the current one selected, the filter's
//! address form (so a filtered inbox can be bookmarked), and each saved view's link and count.

use super::view::encode;
use rapport_domain::care::{InboxFilter, SlaFilter, Team};
use rapport_domain::{Identity, Intent, Network, SentimentLabel, SlaState, Topic, UserId};
use rapport_engine::care::ViewWithCount;

/// One option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(
    items: impl IntoIterator<Item = (String, String)>,
    current: Option<String>,
) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: current.as_deref() == Some(value.as_str()),
            value,
            label,
        })
        .collect()
}

/// What the filter bar offers and holds.
pub struct FilterBar {
    pub networks: Vec<Choice>,
    pub accounts: Vec<Choice>,
    pub topics: Vec<Choice>,
    pub sentiments: Vec<Choice>,
    pub intents: Vec<Choice>,
    pub assignees: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub slas: Vec<Choice>,
    pub tag: String,
    pub from: String,
    pub to: String,
    /// How many filters are set.
    pub active: usize,
    /// The filter as (name, value) pairs, for the hidden fields of the other forms.
    pub hidden: Vec<(&'static str, String)>,
    /// The teams the user may save a view for: (id, name).
    pub my_teams: Vec<(i64, String)>,
}

/// What the bar needs to know besides the filter.
pub struct Options<'a> {
    pub accounts: &'a [Identity],
    pub topics: &'a [Topic],
    pub agents: &'a [(i64, String)],
    pub teams: &'a [Team],
    pub me: UserId,
}

impl FilterBar {
    pub fn new(f: &InboxFilter, o: &Options<'_>) -> FilterBar {
        let value = |k: &str| {
            f.params()
                .into_iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v)
        };
        let mut topics: Vec<&Topic> = o.topics.iter().collect();
        topics.sort_by_key(|t| t.name.to_lowercase());
        FilterBar {
            networks: choices(
                Network::ALL
                    .into_iter()
                    .map(|n| (n.as_str().to_string(), network_label(n).to_string())),
                value("network"),
            ),
            accounts: choices(
                o.accounts
                    .iter()
                    .map(|a| (a.id.0.to_string(), format!("@{} ({})", a.handle, a.network))),
                value("account"),
            ),
            topics: choices(
                topics.iter().map(|t| (t.id.0.to_string(), t.name.clone())),
                value("topic"),
            ),
            sentiments: choices(
                SentimentLabel::ALL
                    .into_iter()
                    .map(|s| (s.as_str().to_string(), capital(s.as_str()))),
                value("sentiment"),
            ),
            intents: choices(
                Intent::ALL
                    .into_iter()
                    .map(|i| (i.as_str().to_string(), capital(i.as_str()))),
                value("intent"),
            ),
            assignees: choices(
                std::iter::once(("none".to_string(), "Nobody".to_string())).chain(
                    o.agents
                        .iter()
                        .map(|(id, name)| (id.to_string(), name.clone())),
                ),
                value("assignee"),
            ),
            teams: choices(
                o.teams.iter().map(|t| (t.id.0.to_string(), t.name.clone())),
                value("team"),
            ),
            slas: choices(
                [
                    (SlaFilter::State(SlaState::Breached), "Breached"),
                    (SlaFilter::State(SlaState::AtRisk), "At risk"),
                    (SlaFilter::State(SlaState::Ok), "On time"),
                    (SlaFilter::NoClock, "No SLA clock"),
                ]
                .into_iter()
                .map(|(s, label)| (sla_value(s), label.to_string())),
                value("sla"),
            ),
            tag: f.tag.clone().unwrap_or_default(),
            from: value("from").unwrap_or_default(),
            to: value("to").unwrap_or_default(),
            active: f.len(),
            hidden: f.params(),
            my_teams: o
                .teams
                .iter()
                .filter(|t| t.members.contains(&o.me))
                .map(|t| (t.id.0, t.name.clone()))
                .collect(),
        }
    }
}

fn sla_value(s: SlaFilter) -> String {
    InboxFilter {
        sla: Some(s),
        ..InboxFilter::default()
    }
    .params()
    .remove(0)
    .1
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn network_label(n: Network) -> &'static str {
    match n {
        Network::Bluesky => "Bluesky",
        Network::Mastodon => "Mastodon",
        Network::X => "X",
        Network::Import => "Imported",
    }
}

/// The filter as the rest of an address: `&network=x&tag=vip`, empty when nothing is set.
pub fn query(f: &InboxFilter) -> String {
    f.params()
        .iter()
        .map(|(k, v)| format!("&{k}={}", encode(v)))
        .collect()
}

/// One saved view in the sidebar.
pub struct SavedLink {
    pub id: i64,
    pub name: String,
    pub count: u64,
    pub current: bool,
    /// "Only you" or the team's name.
    pub scope: String,
    pub own: bool,
}

pub fn saved_links(
    views: &[ViewWithCount],
    teams: &[Team],
    current: Option<i64>,
) -> Vec<SavedLink> {
    views
        .iter()
        .map(|v| SavedLink {
            id: v.view.id.0,
            name: v.view.name.clone(),
            count: v.count,
            current: current == Some(v.view.id.0),
            scope: match v.view.team {
                None => "Only you".into(),
                Some(t) => teams
                    .iter()
                    .find(|x| x.id == t)
                    .map_or_else(|| format!("Team {t}"), |x| x.name.clone()),
            },
            own: v.own,
        })
        .collect()
}
