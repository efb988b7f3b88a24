//! What a health panel shows of each running channel, kept in memory by the supervisor.

use chrono::{DateTime, NaiveDate, Utc};
use rapport_domain::Network;
use rapport_domain::channel::ChannelState;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One channel's health, as of the call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelHealth {
    pub name: String,
    pub network: Network,
    pub state: ChannelState,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The checkpoint of the last batch stored, as JSON.
    pub cursor: Option<String>,
    pub cursor_at: Option<DateTime<Utc>>,
    /// Posts stored in the last minute.
    pub posts_per_minute: u64,
    pub posts_total: u64,
    /// Reconnects since midnight UTC (or since the process started, if later).
    pub reconnects_today: u64,
    /// Posts read this month (UTC), for channels with a read budget.
    pub reads_this_month: u64,
    pub read_budget: Option<u64>,
}

#[derive(Debug)]
struct Entry {
    health: ChannelHealth,
    recent: VecDeque<(Instant, u64)>,
    day: NaiveDate,
}

/// Every channel's health, shared between the supervisor's tasks and readers.
#[derive(Debug, Default)]
pub struct HealthBoard {
    entries: Mutex<BTreeMap<String, Entry>>,
}

impl HealthBoard {
    pub(crate) fn update(&self, name: &str, network: Network, f: impl FnOnce(&mut ChannelHealth)) {
        let mut entries = self.entries.lock().expect("health lock");
        let entry = entries.entry(name.to_string()).or_insert_with(|| Entry {
            health: ChannelHealth {
                name: name.to_string(),
                network,
                state: ChannelState::New,
                last_error: None,
                last_error_at: None,
                cursor: None,
                cursor_at: None,
                posts_per_minute: 0,
                posts_total: 0,
                reconnects_today: 0,
                reads_this_month: 0,
                read_budget: None,
            },
            recent: VecDeque::new(),
            day: Utc::now().date_naive(),
        });
        let today = Utc::now().date_naive();
        if entry.day != today {
            entry.day = today;
            entry.health.reconnects_today = 0;
        }
        f(&mut entry.health);
    }

    pub(crate) fn stored(&self, name: &str, network: Network, posts: u64) {
        self.update(name, network, |h| h.posts_total += posts);
        let mut entries = self.entries.lock().expect("health lock");
        if let Some(entry) = entries.get_mut(name) {
            entry.recent.push_back((Instant::now(), posts));
        }
    }

    pub(crate) fn remove(&self, name: &str) {
        self.entries.lock().expect("health lock").remove(name);
    }

    /// Every channel's health, by name.
    pub fn snapshot(&self) -> Vec<ChannelHealth> {
        let mut entries = self.entries.lock().expect("health lock");
        let minute = Duration::from_secs(60);
        entries
            .values_mut()
            .map(|e| {
                while e
                    .recent
                    .front()
                    .is_some_and(|(at, _)| at.elapsed() > minute)
                {
                    e.recent.pop_front();
                }
                let mut h = e.health.clone();
                h.posts_per_minute = e.recent.iter().map(|(_, n)| n).sum();
                h
            })
            .collect()
    }
}
