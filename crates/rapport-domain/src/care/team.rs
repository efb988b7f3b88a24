//! Teams: groups of agents with a queue, business hours and an SLA policy.

use crate::{BusinessCalendar, TeamId, UserId};
use serde::{Deserialize, Serialize};

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
