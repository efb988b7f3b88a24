//! Service-level agreements: targets per priority, counted in business time on a team's
//! calendar, paused while a case waits on the customer.

mod calendar;
mod clock;

pub use calendar::{BusinessCalendar, CalendarError, OpenWindow};
pub use clock::{CaseHistory, ClockPhase, ClockReading, SlaClock, SlaReport};

use crate::Priority;
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What an SLA target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// From the case opening to the first agent reply.
    FirstResponse,
    /// From a customer post that follows an agent reply to the next agent reply.
    NextResponse,
    /// From the case opening to its resolution.
    Resolution,
}

impl SlaTarget {
    pub const ALL: [SlaTarget; 3] = [Self::FirstResponse, Self::NextResponse, Self::Resolution];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::NextResponse => "next_response",
            Self::Resolution => "resolution",
        }
    }
}

impl fmt::Display for SlaTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a clock stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    Ok,
    /// At least the policy's at-risk fraction of the target is used up.
    AtRisk,
    /// More than the whole target is used up.
    Breached,
}

impl SlaState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::AtRisk => "at_risk",
            Self::Breached => "breached",
        }
    }

    /// `Breached` once `elapsed` exceeds `goal` (a reply at the due instant meets the target),
    /// `AtRisk` from `at_risk_fraction` of `goal` on (inclusive), `Ok` before.
    pub fn of(elapsed: TimeDelta, goal: TimeDelta, at_risk_fraction: f64) -> SlaState {
        if elapsed > goal {
            return SlaState::Breached;
        }
        // Rounded to the millisecond so that 80% of an hour is exactly 48 minutes.
        let threshold = (goal.num_milliseconds() as f64 * at_risk_fraction).round() as i64;
        if elapsed.num_milliseconds() >= threshold {
            SlaState::AtRisk
        } else {
            SlaState::Ok
        }
    }
}

impl fmt::Display for SlaState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Targets for one priority, in business time; `None` means not measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Targets {
    #[serde(with = "opt_secs", rename = "first_response_secs", default)]
    pub first_response: Option<TimeDelta>,
    #[serde(with = "opt_secs", rename = "next_response_secs", default)]
    pub next_response: Option<TimeDelta>,
    #[serde(with = "opt_secs", rename = "resolution_secs", default)]
    pub resolution: Option<TimeDelta>,
}

impl Targets {
    pub fn get(&self, target: SlaTarget) -> Option<TimeDelta> {
        match target {
            SlaTarget::FirstResponse => self.first_response,
            SlaTarget::NextResponse => self.next_response,
            SlaTarget::Resolution => self.resolution,
        }
    }
}

mod opt_secs {
    use chrono::TimeDelta;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<TimeDelta>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_some(&d.num_seconds()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TimeDelta>, D::Error> {
        Ok(Option::<i64>::deserialize(d)?.map(TimeDelta::seconds))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("at-risk fraction {0} is outside 0 to 1 (exclusive of 0)")]
    AtRiskFraction(f64),
    #[error("{priority} {target} target must be positive, got {seconds} s")]
    NonPositiveTarget {
        priority: Priority,
        target: SlaTarget,
        seconds: i64,
    },
}

/// The default share of a target after which a clock is at risk.
pub const DEFAULT_AT_RISK_FRACTION: f64 = 0.8;

/// An SLA policy: targets per priority and when a clock counts as at risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub name: String,
    urgent: Targets,
    high: Targets,
    normal: Targets,
    low: Targets,
    at_risk_fraction: f64,
    /// Whether clocks count only the team's opening hours (`false`: around the clock, in the
    /// team's zone). Policies stored before this flag existed count business hours.
    #[serde(default = "counts_business_hours")]
    business_hours: bool,
}

fn counts_business_hours() -> bool {
    true
}

impl SlaPolicy {
    /// A policy with no targets yet and the default at-risk fraction (80%).
    pub fn new(name: impl Into<String>) -> Self {
        SlaPolicy {
            name: name.into(),
            urgent: Targets::default(),
            high: Targets::default(),
            normal: Targets::default(),
            low: Targets::default(),
            at_risk_fraction: DEFAULT_AT_RISK_FRACTION,
            business_hours: true,
        }
    }

    /// Count only the team's opening hours (the default), or every hour of the week.
    pub fn with_business_hours(mut self, business_hours: bool) -> Self {
        self.business_hours = business_hours;
        self
    }

    pub fn business_hours(&self) -> bool {
        self.business_hours
    }

    pub fn with_targets(
        mut self,
        priority: Priority,
        targets: Targets,
    ) -> Result<Self, PolicyError> {
        for target in SlaTarget::ALL {
            if let Some(d) = targets.get(target).filter(|d| *d <= TimeDelta::zero()) {
                return Err(PolicyError::NonPositiveTarget {
                    priority,
                    target,
                    seconds: d.num_seconds(),
                });
            }
        }
        *self.slot(priority) = targets;
        Ok(self)
    }

    /// A fraction in `(0, 1]`: 0.8 means at risk once 80% of a target is used.
    pub fn with_at_risk_fraction(mut self, fraction: f64) -> Result<Self, PolicyError> {
        if !(fraction > 0.0 && fraction <= 1.0) {
            return Err(PolicyError::AtRiskFraction(fraction));
        }
        self.at_risk_fraction = fraction;
        Ok(self)
    }

    fn slot(&mut self, priority: Priority) -> &mut Targets {
        match priority {
            Priority::Urgent => &mut self.urgent,
            Priority::High => &mut self.high,
            Priority::Normal => &mut self.normal,
            Priority::Low => &mut self.low,
        }
    }

    pub fn targets(&self, priority: Priority) -> Targets {
        match priority {
            Priority::Urgent => self.urgent,
            Priority::High => self.high,
            Priority::Normal => self.normal,
            Priority::Low => self.low,
        }
    }

    pub fn target(&self, priority: Priority, target: SlaTarget) -> Option<TimeDelta> {
        self.targets(priority).get(target)
    }

    pub fn at_risk_fraction(&self) -> f64 {
        self.at_risk_fraction
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_stored_before_the_business_hours_flag_count_business_hours() {
        let mut json = serde_json::to_value(SlaPolicy::new("old")).unwrap();
        json.as_object_mut().unwrap().remove("business_hours");
        let read: SlaPolicy = serde_json::from_value(json).unwrap();
        assert!(read.business_hours());
        let around = SlaPolicy::new("24/7").with_business_hours(false);
        let back: SlaPolicy =
            serde_json::from_str(&serde_json::to_string(&around).unwrap()).unwrap();
        assert!(!back.business_hours());
    }
}
