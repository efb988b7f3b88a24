//! Notifications for an agent: what happened on the cases they own, and how they want to hear
//! of it.
//!
//! Decisions where the issue is silent, made as Zendesk, Front and Chatwoot users expect:
//! - an agent is told of a case **assigned to them by someone else** (assigning oneself, or
//!   taking a case, tells nobody), of a **customer writing on their case**, of a **mention**
//!   (`@name`) in an internal note, and of an **SLA at risk or breached** on their case; an
//!   unassigned case's SLA event goes to every member of its team;
//! - every event is on by default; an event turned off is not recorded at all (neither the
//!   bell nor the digest shows it), as Zendesk's per-trigger settings do;
//! - the email digest is off by default (it needs an address); hourly or daily, it lists the
//!   notifications still unread that no earlier digest listed, with times in the user's time
//!   zone; a daily digest goes out at the first sweep after 08:00 local time;
//! - quiet hours hold the digest back (the bell still counts): a digest due in them goes out
//!   at the first sweep after they end.

use crate::{CaseId, UserId};
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A stored notification's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotificationId(pub i64);

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Assigned,
    CustomerReplied,
    Mentioned,
    SlaAtRisk,
    SlaBreached,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 5] = [
        Self::Assigned,
        Self::CustomerReplied,
        Self::Mentioned,
        Self::SlaAtRisk,
        Self::SlaBreached,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::CustomerReplied => "customer_replied",
            Self::Mentioned => "mentioned",
            Self::SlaAtRisk => "sla_at_risk",
            Self::SlaBreached => "sla_breached",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The words a settings page shows for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Assigned => "A case is assigned to me",
            Self::CustomerReplied => "A customer writes on my case",
            Self::Mentioned => "Someone mentions me in a note",
            Self::SlaAtRisk => "An SLA is about to breach on my case or my team's",
            Self::SlaBreached => "An SLA is breached on my case or my team's",
        }
    }
}

/// A notification to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub user: UserId,
    pub kind: NotificationKind,
    pub case_id: Option<CaseId>,
    /// Who caused it, when a user did.
    pub actor: Option<UserId>,
    /// One line in plain words ("Case 12 was assigned to you by Ana").
    pub summary: String,
    /// The same event raised twice (a sweep run again, a retried action) is recorded once:
    /// the store keeps one notification per user and key.
    pub dedupe_key: String,
    pub at: DateTime<Utc>,
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: NotificationId,
    pub user: UserId,
    pub kind: NotificationKind,
    pub case_id: Option<CaseId>,
    pub actor: Option<UserId>,
    pub summary: String,
    pub at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// How often the email digest goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DigestFrequency {
    #[default]
    Off,
    Hourly,
    Daily,
}

impl DigestFrequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Hourly => "hourly",
            Self::Daily => "daily",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Off, Self::Hourly, Self::Daily]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// The local hour a daily digest goes out at.
pub const DAILY_DIGEST_HOUR: u32 = 8;

/// A user's notification settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationSettings {
    /// The events recorded for this user.
    pub events: Vec<NotificationKind>,
    pub digest: DigestFrequency,
    /// Where the digest goes; no digest without one.
    pub email: Option<String>,
    pub time_zone: Tz,
    /// Local times between which no digest is sent (`start > end` spans midnight).
    pub quiet: Option<(NaiveTime, NaiveTime)>,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            events: NotificationKind::ALL.to_vec(),
            digest: DigestFrequency::Off,
            email: None,
            time_zone: Tz::UTC,
            quiet: None,
        }
    }
}

/// Where a user's digest stands: the newest notification an earlier digest listed and when
/// the last one went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DigestMark {
    pub through: Option<NotificationId>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl NotificationSettings {
    pub fn wants(&self, kind: NotificationKind) -> bool {
        self.events.contains(&kind)
    }

    /// `events` as stored: the kinds' names, comma-separated.
    pub fn events_text(&self) -> String {
        self.events
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads `events_text`'s form back; unknown names are skipped.
    pub fn parse_events(text: &str) -> Vec<NotificationKind> {
        text.split(',')
            .filter_map(|s| NotificationKind::parse(s.trim()))
            .collect()
    }

    /// Whether `at` falls in the quiet hours, read in the user's time zone.
    pub fn is_quiet(&self, at: DateTime<Utc>) -> bool {
        let Some((start, end)) = self.quiet else {
            return false;
        };
        let local = at.with_timezone(&self.time_zone).time();
        if start <= end {
            start <= local && local < end
        } else {
            local >= start || local < end
        }
    }

    /// Whether a digest is due at `now`, given the last one.
    pub fn digest_due(&self, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        if self.email.is_none() || self.is_quiet(now) {
            return false;
        }
        match self.digest {
            DigestFrequency::Off => false,
            DigestFrequency::Hourly => last.is_none_or(|l| now - l >= chrono::Duration::hours(1)),
            DigestFrequency::Daily => {
                let local = now.with_timezone(&self.time_zone);
                if local.hour() < DAILY_DIGEST_HOUR {
                    return false;
                }
                // One a local day: due when the last went out on an earlier local date.
                last.is_none_or(|l| {
                    l.with_timezone(&self.time_zone).date_naive() < local.date_naive()
                })
            }
        }
    }
}

/// The user names mentioned in a note (`@ana`, `@Ana.B`), lower-cased, each once, in order.
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '@' && (i == 0 || !(chars[i - 1].is_alphanumeric()));
        if starts {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_alphanumeric() || "_-.".contains(chars[j])) {
                j += 1;
            }
            let name: String = chars[i + 1..j].iter().collect();
            let name = name.trim_end_matches(['.', '-']).to_lowercase();
            if !name.is_empty() && !found.contains(&name) {
                found.push(name);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn mentions_are_found_once_without_trailing_punctuation() {
        assert_eq!(
            mentions("@Ana can you look? cc @demo-agent2. mail me@x.org, @ana"),
            vec!["ana", "demo-agent2"]
        );
    }

    #[test]
    fn quiet_hours_span_midnight_in_the_users_zone() {
        let s = NotificationSettings {
            time_zone: chrono_tz::Asia::Tokyo,
            quiet: Some((
                NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
                NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            )),
            ..Default::default()
        };
        // 14:00 UTC is 23:00 in Tokyo: quiet; 00:30 UTC is 09:30: not.
        assert!(s.is_quiet(Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap()));
        assert!(!s.is_quiet(Utc.with_ymd_and_hms(2026, 3, 2, 0, 30, 0).unwrap()));
    }

    #[test]
    fn a_daily_digest_waits_for_eight_local_and_goes_once_a_local_day() {
        let s = NotificationSettings {
            time_zone: chrono_tz::America::New_York,
            digest: DigestFrequency::Daily,
            email: Some("a@example.org".into()),
            ..Default::default()
        };
        // 12:00 UTC in March 2026 (EDT from the 8th) is 08:00 in New York.
        let at = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap();
        assert!(!s.digest_due(None, at - chrono::Duration::minutes(1)));
        assert!(s.digest_due(None, at));
        assert!(!s.digest_due(Some(at), at + chrono::Duration::hours(10)));
        assert!(s.digest_due(Some(at), at + chrono::Duration::hours(24)));
    }
}
