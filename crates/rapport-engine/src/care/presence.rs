//! Collision detection: who is viewing a case or typing a reply on it right now.
//!
//! Presence is ephemeral and lives in memory next to the live channel of the store: the web
//! layer reports an agent's activity every few seconds (a heartbeat), entries older than
//! [`PRESENCE_TTL`] no longer count, and every change is announced on the presence channel so
//! other agents on the case see it at once.

use super::Care;
use chrono::{DateTime, TimeDelta, Utc};
use rapport_domain::{CaseId, UserId};
use serde::Serialize;
use std::collections::HashMap;

/// How long a report of activity counts without a new one.
pub const PRESENCE_TTL: TimeDelta = TimeDelta::seconds(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Viewing,
    /// Writing a reply (the composer has text).
    Typing,
}

/// Someone on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Presence {
    pub user: UserId,
    pub activity: Activity,
    pub since: DateTime<Utc>,
    pub seen_at: DateTime<Utc>,
}

/// A change of who is on a case; `activity: None` means the user left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PresenceChanged {
    pub case_id: CaseId,
    pub user: UserId,
    pub activity: Option<Activity>,
    pub at: DateTime<Utc>,
}

#[derive(Default)]
pub(crate) struct Board {
    cases: HashMap<CaseId, Vec<Presence>>,
}

impl Board {
    fn prune(&mut self, case: CaseId, now: DateTime<Utc>) -> Vec<UserId> {
        let Some(list) = self.cases.get_mut(&case) else {
            return Vec::new();
        };
        let gone: Vec<_> = list
            .iter()
            .filter(|p| now - p.seen_at > PRESENCE_TTL)
            .map(|p| p.user)
            .collect();
        list.retain(|p| now - p.seen_at <= PRESENCE_TTL);
        if list.is_empty() {
            self.cases.remove(&case);
        }
        gone
    }
}

impl Care {
    /// Records what `user` is doing on a case (`None`: they left it) and returns everyone else
    /// on it, so the page can warn at once.
    pub fn report_presence(
        &self,
        case: CaseId,
        user: UserId,
        activity: Option<Activity>,
        now: DateTime<Utc>,
    ) -> Vec<Presence> {
        let mut changes = Vec::new();
        let others = {
            let mut board = self.presence.lock().expect("presence board lock");
            for gone in board.prune(case, now) {
                changes.push((gone, None));
            }
            let list = board.cases.entry(case).or_default();
            let before = list.iter().position(|p| p.user == user);
            match (before, activity) {
                (Some(i), Some(a)) if list[i].activity == a => list[i].seen_at = now,
                (Some(i), Some(a)) => {
                    list[i] = Presence {
                        user,
                        activity: a,
                        since: now,
                        seen_at: now,
                    };
                    changes.push((user, Some(a)));
                }
                (None, Some(a)) => {
                    list.push(Presence {
                        user,
                        activity: a,
                        since: now,
                        seen_at: now,
                    });
                    changes.push((user, Some(a)));
                }
                (Some(i), None) => {
                    list.remove(i);
                    changes.push((user, None));
                }
                (None, None) => {}
            }
            let others: Vec<_> = list.iter().filter(|p| p.user != user).copied().collect();
            if list.is_empty() {
                board.cases.remove(&case);
            }
            others
        };
        for (who, activity) in changes {
            // Nobody listening is fine.
            let _ = self.presence_tx.send(PresenceChanged {
                case_id: case,
                user: who,
                activity,
                at: now,
            });
        }
        others
    }

    /// Everyone on a case now.
    pub fn presence(&self, case: CaseId, now: DateTime<Utc>) -> Vec<Presence> {
        let mut board = self.presence.lock().expect("presence board lock");
        board.prune(case, now);
        board.cases.get(&case).cloned().unwrap_or_default()
    }

    /// Presence changes from now on.
    pub fn subscribe_presence(&self) -> tokio::sync::broadcast::Receiver<PresenceChanged> {
        self.presence_tx.subscribe()
    }
}
