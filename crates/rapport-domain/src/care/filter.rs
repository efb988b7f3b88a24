//! Inbox filters: what narrows a view beyond its own condition, and their form in an address
//! (`network=x&sentiment=negative&from=2017-10-01`), read and written in one place so the
//! pages, the API and saved views agree.

use crate::{IdentityId, Intent, IntentSet, Network, SentimentLabel, SlaState, TeamId, TopicId};
use crate::{UserId, care::InboxView};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Whose cases: one user's, or nobody's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeFilter {
    Nobody,
    User(UserId),
}

/// A case's SLA state at its last evaluation; `NoClock` for cases without a running clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaFilter {
    NoClock,
    State(SlaState),
}

/// Narrows an inbox view. Every field left empty lets every case through; the fields that
/// are set must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InboxFilter {
    /// The network the case is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// An own account (brand) the case came to: a customer post of the case mentions it or
    /// replies to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<IdentityId>,
    /// A topic that routed posts into the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<TopicId>,
    /// A customer post of the case has this sentiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<SentimentLabel>,
    /// A customer post of the case has this intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<Intent>,
    /// The case carries this tag (lowercase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<AssigneeFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaFilter>,
    /// Opened on or after this day (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Opened on or before this day (UTC), the whole day included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

/// The parameter names a filter takes in an address, in the order they are written.
pub const FILTER_PARAMS: [&str; 11] = [
    "network",
    "account",
    "topic",
    "sentiment",
    "intent",
    "tag",
    "assignee",
    "team",
    "sla",
    "from",
    "to",
];

impl InboxFilter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// How many of the dimensions are set.
    pub fn len(&self) -> usize {
        self.params().len()
    }

    /// The intent as the store's bit set.
    pub fn intent_bits(&self) -> Option<i64> {
        self.intent
            .map(|i| i64::from(IntentSet::empty().with(i).bits()))
    }

    /// The opening instants the date range allows: `[start, end)`.
    pub fn opened_range(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        (
            self.from.and_then(midnight),
            self.to.and_then(|d| d.succ_opt()).and_then(midnight),
        )
    }

    /// The set fields as address parameters, in [`FILTER_PARAMS`] order.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut put = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                out.push((k, v));
            }
        };
        put("network", self.network.map(|n| n.as_str().to_string()));
        put("account", self.account.map(|a| a.0.to_string()));
        put("topic", self.topic.map(|t| t.0.to_string()));
        put("sentiment", self.sentiment.map(|s| s.as_str().to_string()));
        put("intent", self.intent.map(|i| i.as_str().to_string()));
        put("tag", self.tag.clone());
        put(
            "assignee",
            self.assignee.map(|a| match a {
                AssigneeFilter::Nobody => "none".to_string(),
                AssigneeFilter::User(u) => u.0.to_string(),
            }),
        );
        put("team", self.team.map(|t| t.0.to_string()));
        put(
            "sla",
            self.sla.map(|s| match s {
                SlaFilter::NoClock => "none".to_string(),
                SlaFilter::State(s) => s.as_str().to_string(),
            }),
        );
        put("from", self.from.map(|d| d.to_string()));
        put("to", self.to.map(|d| d.to_string()));
        out
    }

    /// Reads the filter from address parameters (`get` answers a parameter's value); empty
    /// values are left out, and each value that cannot be read is left out with a sentence
    /// saying why.
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> (Self, Vec<String>) {
        let mut problems = Vec::new();
        let mut f = InboxFilter::default();
        let value = |k: &str| get(k).map(str::trim).filter(|v| !v.is_empty());
        let id = |k: &str, v: &str, problems: &mut Vec<String>| match v.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                problems.push(format!(
                    "The {k} filter '{v}' is not an id; it was left out."
                ));
                None
            }
        };
        if let Some(v) = value("network") {
            f.network = keep(&mut problems, v.parse());
        }
        if let Some(v) = value("account") {
            f.account = id("account", v, &mut problems).map(IdentityId);
        }
        if let Some(v) = value("topic") {
            f.topic = id("topic", v, &mut problems).map(TopicId);
        }
        if let Some(v) = value("sentiment") {
            f.sentiment = keep(&mut problems, v.parse());
        }
        if let Some(v) = value("intent") {
            f.intent = keep(&mut problems, v.parse());
        }
        if let Some(v) = value("tag") {
            let tag = v.to_lowercase();
            if tag.chars().count() > 64 {
                problems.push("A tag filter is at most 64 characters; it was left out.".into());
            } else {
                f.tag = Some(tag);
            }
        }
        if let Some(v) = value("assignee") {
            f.assignee = if v == "none" {
                Some(AssigneeFilter::Nobody)
            } else {
                id("assignee", v, &mut problems).map(|n| AssigneeFilter::User(UserId(n)))
            };
        }
        if let Some(v) = value("team") {
            f.team = id("team", v, &mut problems).map(TeamId);
        }
        if let Some(v) = value("sla") {
            f.sla = match v {
                "none" => Some(SlaFilter::NoClock),
                "ok" => Some(SlaFilter::State(SlaState::Ok)),
                "at_risk" => Some(SlaFilter::State(SlaState::AtRisk)),
                "breached" => Some(SlaFilter::State(SlaState::Breached)),
                _ => {
                    problems.push(format!(
                        "Unknown SLA state '{v}' (expected ok, at_risk, breached or none); \
                         it was left out."
                    ));
                    None
                }
            };
        }
        for (k, slot) in [("from", &mut f.from), ("to", &mut f.to)] {
            if let Some(v) = value(k) {
                match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                    Ok(d) => *slot = Some(d),
                    Err(_) => problems.push(format!(
                        "The date '{v}' is not a day as YYYY-MM-DD; it was left out."
                    )),
                }
            }
        }
        (f, problems)
    }
}

fn keep<T, E: std::fmt::Display>(problems: &mut Vec<String>, r: Result<T, E>) -> Option<T> {
    r.map_err(|e| problems.push(format!("{e}; it was left out.")))
        .ok()
}

/// A named filter set over a view, saved by one user for themselves or for a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: SavedViewId,
    pub name: String,
    pub owner: UserId,
    /// The team that sees it; `None` for a personal view only its owner sees.
    pub team: Option<TeamId>,
    pub view: InboxView,
    pub filter: InboxFilter,
}

/// A view to save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSavedView {
    pub name: String,
    pub owner: UserId,
    pub team: Option<TeamId>,
    pub view: InboxView,
    pub filter: InboxFilter,
}

pub use crate::ids::SavedViewId;
