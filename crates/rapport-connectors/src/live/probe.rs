//! Trying a source out: start it, see whether it connects, count what it reads for a while.

use super::{Source, SourceError, SourceStats};
use std::time::Duration;
use tokio::time::Instant;

/// What a source did while it was tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// How long it took to connect (stream open; for Mastodon, back-fill done too).
    pub connected_after: Duration,
    /// Posts and deletes read while listening.
    pub posts: u64,
    pub deletes: u64,
    /// Frames that could not be read, events of kinds not used.
    pub bad_frames: u64,
    pub skipped: u64,
}

/// Runs `source` until it connects (at most `connect_within`), then listens `listen` longer.
/// A fatal error, or no connection in time, is an error saying why (the source's last one).
pub async fn probe(
    mut source: Box<dyn Source>,
    connect_within: Duration,
    listen: Duration,
) -> Result<Probe, SourceError> {
    let stats = source.stats();
    // The source runs in its own task: its batches must not be cut off half-read.
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let task = tokio::spawn(async move {
        loop {
            let read = source
                .next_batch()
                .await
                .map(|b| (b.posts.len() as u64, b.deletes.len() as u64));
            let fatal = read.is_err();
            if tx.send(read).await.is_err() || fatal {
                return;
            }
        }
    });
    let _abort = AbortOnDrop(task);
    let started = Instant::now();
    let mut connected_at: Option<Instant> = None;
    let (mut posts, mut deletes) = (0u64, 0u64);
    loop {
        if connected_at.is_none() && SourceStats::get(&stats.connects) > 0 {
            connected_at = Some(Instant::now());
        }
        let now = Instant::now();
        let until = match connected_at {
            Some(at) if now >= at + listen => break,
            Some(at) => at + listen,
            None if now >= started + connect_within => {
                let why = stats
                    .last_error()
                    .unwrap_or_else(|| "no answer".to_string());
                return Err(SourceError::Connection {
                    network: "probe",
                    detail: format!("did not connect within {connect_within:?}: {why}"),
                });
            }
            None => (started + connect_within).min(now + Duration::from_millis(50)),
        };
        tokio::select! {
            read = rx.recv() => match read {
                Some(Ok((p, d))) => {
                    posts += p;
                    deletes += d;
                }
                Some(Err(e)) => return Err(e),
                None => break,
            },
            _ = tokio::time::sleep_until(until) => {}
        }
    }
    Ok(Probe {
        connected_after: connected_at.map_or(Duration::ZERO, |at| at - started),
        posts,
        deletes,
        bad_frames: SourceStats::get(&stats.bad_frames),
        skipped: SourceStats::get(&stats.skipped),
    })
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
