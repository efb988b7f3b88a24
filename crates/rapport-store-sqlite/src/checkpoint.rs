//! WAL checkpoints off the write path.
//!
//! SQLite's default copies the write-ahead log back into the database from inside whichever
//! commit pushes the log past 1,000 pages, so an ingest or routing commit pays, now and then,
//! for copying and syncing everything written since the last checkpoint. Here the store's
//! connections never checkpoint on commit (`wal_autocheckpoint = 0`); a task with a connection
//! of its own runs a PASSIVE checkpoint a few times a second instead. A passive checkpoint
//! takes no lock a writer needs, so commits go on while it copies. When the store is dropped
//! the task stops and the pool closes; the last connection to close checkpoints what is left.

use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use std::time::Duration;

/// How often the checkpointer runs. At a sustained 50,000 posts/s the log grows by about a
/// hundred megabytes a second; a short period keeps it (and the reads that must consult it)
/// small.
const PERIOD: Duration = Duration::from_millis(250);

/// Runs until aborted (the store's drop aborts it).
pub(super) fn spawn(options: SqliteConnectOptions) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut conn = match options.connect().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "the WAL checkpointer cannot connect; commits checkpoint instead");
                return;
            }
        };
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut conn)
                .await
            {
                // Busy or locked only delays this round; anything else is worth a line.
                tracing::debug!(error = %e, "WAL checkpoint skipped");
            }
        }
    })
}
