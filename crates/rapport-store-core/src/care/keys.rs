//! Column encodings shared by both backends (the sort keys themselves are the domain's).

use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use rapport_domain::{Priority, SlaState};

pub(crate) use rapport_domain::care::priority_rank;

pub(crate) fn rank_priority(rank: i64) -> Result<Priority> {
    Ok(match rank {
        0 => Priority::Low,
        1 => Priority::Normal,
        2 => Priority::High,
        3 => Priority::Urgent,
        other => {
            return Err(StoreError::Corrupt(format!(
                "column priority: {other} is not 0 to 3"
            )));
        }
    })
}

pub(crate) fn sla_rank(state: Option<SlaState>) -> i64 {
    match state {
        None | Some(SlaState::Ok) => 0,
        Some(SlaState::AtRisk) => 1,
        Some(SlaState::Breached) => 2,
    }
}

pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn time(v: i64, column: &str) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(v)
        .ok_or_else(|| StoreError::Corrupt(format!("column {column}: {v} out of range")))
}
