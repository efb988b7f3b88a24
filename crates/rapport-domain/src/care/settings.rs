//! Care settings, typed: how posts become cases (routing rules, with the reopen window), and
//! the demo's progress. The store keeps each setting under its key as text (JSON for the
//! rules, a decimal case id for the demo) in the format written since the care tables were
//! added, so a database written before these types existed reads the same.

use crate::people::SecurityPolicy;
use crate::publication::PublishingPolicy;
use crate::{CaseId, Intent, TeamId, TopicId};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

/// How posts become cases; kept in the store so every process routes alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingRules {
    /// Intents that make a topic match actionable (mentions of own accounts always are).
    pub actionable: Vec<Intent>,
    /// Per-topic overrides of `actionable` and the team its cases go to.
    pub topics: Vec<TopicRule>,
    /// A customer writing at most this long after resolution reopens the case.
    pub reopen_window_secs: i64,
    /// The team new cases go to when no topic rule names one.
    pub default_team: Option<TeamId>,
    /// Assign new cases in a team to its members in turn.
    pub round_robin: bool,
    /// The SLA policy of cases without a team, or whose team names none.
    pub default_sla_policy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicRule {
    pub topic: TopicId,
    /// `None` keeps the default actionable intents; an empty list makes the topic listen only.
    #[serde(default)]
    pub intents: Option<Vec<Intent>>,
    #[serde(default)]
    pub team: Option<TeamId>,
}

impl Default for RoutingRules {
    fn default() -> Self {
        RoutingRules {
            actionable: vec![Intent::Question, Intent::Complaint, Intent::Lead],
            topics: Vec::new(),
            reopen_window_secs: crate::case::default_reopen_window().num_seconds(),
            default_team: None,
            round_robin: true,
            default_sla_policy: None,
        }
    }
}

impl RoutingRules {
    pub fn reopen_window(&self) -> TimeDelta {
        TimeDelta::seconds(self.reopen_window_secs)
    }

    fn topic(&self, id: TopicId) -> Option<&TopicRule> {
        self.topics.iter().find(|t| t.topic == id)
    }

    /// The intents that make a match of `topic` actionable.
    pub fn actionable_intents(&self, topic: TopicId) -> &[Intent] {
        self.topic(topic)
            .and_then(|t| t.intents.as_deref())
            .unwrap_or(&self.actionable)
    }

    /// The team for a case that came in by `topics`: the first topic rule naming one, else the
    /// default team.
    pub fn team_for(&self, topics: &[TopicId]) -> Option<TeamId> {
        topics
            .iter()
            .find_map(|t| self.topic(*t).and_then(|r| r.team))
            .or(self.default_team)
    }
}

/// Which setting: the key it is stored under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CareSettingKey {
    RoutingRules,
    /// The newest case the demo generator has worked (`rapport demo` runs again on the same
    /// store and works only the cases routing opened since).
    DemoWorkedThrough,
    /// Whether publications need approval ([`crate::publication::PublishingPolicy`]).
    PublishingPolicy,
    /// What sign-in requires ([`crate::people::SecurityPolicy`]).
    SecurityPolicy,
}

impl CareSettingKey {
    /// The stored key; these strings are in existing databases and never change.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RoutingRules => "routing_rules",
            Self::DemoWorkedThrough => "demo_worked_through",
            Self::PublishingPolicy => "publishing_policy",
            Self::SecurityPolicy => "security_policy",
        }
    }
}

/// One care setting with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CareSetting {
    RoutingRules(RoutingRules),
    DemoWorkedThrough(CaseId),
    PublishingPolicy(PublishingPolicy),
    SecurityPolicy(SecurityPolicy),
}

/// A stored setting that does not read as its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("care setting {key}: {reason}")]
pub struct SettingError {
    pub key: &'static str,
    pub reason: String,
}

impl CareSetting {
    pub fn key(&self) -> CareSettingKey {
        match self {
            Self::RoutingRules(_) => CareSettingKey::RoutingRules,
            Self::DemoWorkedThrough(_) => CareSettingKey::DemoWorkedThrough,
            Self::PublishingPolicy(_) => CareSettingKey::PublishingPolicy,
            Self::SecurityPolicy(_) => CareSettingKey::SecurityPolicy,
        }
    }

    /// The text the store keeps.
    pub fn encode(&self) -> String {
        match self {
            Self::RoutingRules(rules) => {
                serde_json::to_string(rules).expect("routing rules serialize")
            }
            Self::DemoWorkedThrough(id) => id.0.to_string(),
            Self::PublishingPolicy(policy) => {
                serde_json::to_string(policy).expect("publishing policy serializes")
            }
            Self::SecurityPolicy(policy) => {
                serde_json::to_string(policy).expect("security policy serializes")
            }
        }
    }

    /// Reads the text the store kept under `key`.
    pub fn decode(key: CareSettingKey, text: &str) -> Result<CareSetting, SettingError> {
        let err = |reason: String| SettingError {
            key: key.as_str(),
            reason,
        };
        Ok(match key {
            CareSettingKey::RoutingRules => {
                Self::RoutingRules(serde_json::from_str(text).map_err(|e| err(e.to_string()))?)
            }
            CareSettingKey::DemoWorkedThrough => Self::DemoWorkedThrough(CaseId(
                text.trim()
                    .parse()
                    .map_err(|_| err(format!("'{text}' is not a case id")))?,
            )),
            CareSettingKey::PublishingPolicy => {
                Self::PublishingPolicy(serde_json::from_str(text).map_err(|e| err(e.to_string()))?)
            }
            CareSettingKey::SecurityPolicy => {
                Self::SecurityPolicy(serde_json::from_str(text).map_err(|e| err(e.to_string()))?)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_the_text_stored_before_they_were_typed() {
        // As the engine wrote them when it kept settings as strings.
        let rules = r#"{"actionable":["question"],"topics":[{"topic":3,"intents":null,"team":2}],"reopen_window_secs":60,"default_team":null,"round_robin":false,"default_sla_policy":"gold"}"#;
        let CareSetting::RoutingRules(r) =
            CareSetting::decode(CareSettingKey::RoutingRules, rules).unwrap()
        else {
            panic!("rules read as rules")
        };
        assert_eq!(r.team_for(&[TopicId(3)]), Some(TeamId(2)));
        assert_eq!(r.reopen_window(), TimeDelta::seconds(60));
        assert_eq!(CareSetting::RoutingRules(r).encode(), rules);
        let worked = CareSetting::decode(CareSettingKey::DemoWorkedThrough, "42").unwrap();
        assert_eq!(worked, CareSetting::DemoWorkedThrough(CaseId(42)));
        assert_eq!(worked.encode(), "42");
        assert!(CareSetting::decode(CareSettingKey::DemoWorkedThrough, "x").is_err());
        assert!(CareSetting::decode(CareSettingKey::RoutingRules, "{\"nope\":1}").is_err());
    }
}
