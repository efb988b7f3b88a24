//! The ingest pipeline: records in, stored posts out.
//!
//! Two stages run side by side so both cores are busy: a blocking thread reads records,
//! classifies and matches them in batches (CPU work, off the async threads), and the async
//! side writes each finished batch to the store in one transaction while the next is prepared.

use crate::{Engine, EngineError, Result, matching};
use rapport_connectors::{Record, Reject};
use rapport_domain::{IntentSet, Labels, Network, Post, PostKey, Urgency};
use rapport_nlp::Classifier;
use rapport_query::Matcher;
use rapport_store::{IngestOutcome, IngestReport, NewPost};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Counters a caller can watch while an import runs (for a progress bar).
#[derive(Debug, Default)]
pub struct IngestProgress {
    pub read: AtomicU64,
    pub stored: AtomicU64,
    /// Per committed batch: the time from its first post being read to the commit, and its size.
    latencies: Mutex<Vec<(Duration, usize)>>,
}

impl IngestProgress {
    /// The latency (read to committed) that `q` of the posts stayed under, e.g. `0.99`.
    pub fn latency_percentile(&self, q: f64) -> Duration {
        let mut batches = self.latencies.lock().expect("latency lock").clone();
        batches.sort();
        let total: usize = batches.iter().map(|b| b.1).sum();
        let wanted = (total as f64 * q).ceil() as usize;
        let mut seen = 0;
        for (latency, n) in batches {
            seen += n;
            if seen >= wanted {
                return latency;
            }
        }
        Duration::ZERO
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestSummary {
    /// Records read from the source (posts, skipped events and rejects).
    pub read: u64,
    pub imported: u64,
    pub already_present: u64,
    pub rejected: u64,
    /// Records that are not posts (likes, deletes, ...), left aside on purpose.
    pub skipped: u64,
    /// New posts that mention or reply to an own account.
    pub mentions: u64,
    /// Topic matches recorded for new posts.
    pub matches: u64,
    /// Cases routing opened resolved, as history (older than the reopen window; only when the
    /// engine settles history, as `rapport import` does).
    pub settled_history: u64,
    pub seconds: f64,
}

impl IngestSummary {
    pub fn posts_per_sec(&self) -> f64 {
        if self.seconds > 0.0 {
            (self.imported + self.already_present) as f64 / self.seconds
        } else {
            0.0
        }
    }
}

struct Prepared {
    batch: Vec<NewPost>,
    /// Posts repeated inside the batch; counted as already present without a store call.
    repeats: u64,
    /// When the batch's first post was read.
    first_read: Instant,
}

impl Engine {
    /// Runs records through the pipeline. `on_reject` is called for every bad record (it may
    /// write it to a rejects file); the import goes on after it.
    pub async fn ingest_records<I, F>(
        &self,
        records: I,
        progress: Arc<IngestProgress>,
        mut on_reject: F,
    ) -> Result<IngestSummary>
    where
        I: Iterator<Item = Record> + Send + 'static,
        F: FnMut(&Reject) + Send,
    {
        let started = Instant::now();
        // Posts an earlier run stored but did not route (it was killed in between) are routed
        // first, on the store as that run left it, as they would have been then.
        let leftovers = self.care().route_stored(&HashSet::new()).await?;
        let (tx, mut rx) = mpsc::channel::<Prepared>(2);
        let (reject_tx, mut reject_rx) = mpsc::unbounded_channel::<Reject>();
        let own_accounts = self
            .store
            .contacts()
            .own_accounts()
            .await?
            .into_iter()
            .map(|i| (i.network, i.handle.to_lowercase()))
            .collect();
        let prep = Preparer {
            matcher: self.topics.matcher(),
            classifier: (!self.config.skip_classification).then(|| self.classifier.clone()),
            own_accounts,
            batch_size: self.config.batch_size,
        };
        let progress_reader = progress.clone();
        let reader = tokio::task::spawn_blocking(move || {
            prep.run(records, &progress_reader, &tx, &reject_tx)
        });

        let mut summary = IngestSummary {
            settled_history: leftovers.settled,
            ..IngestSummary::default()
        };
        loop {
            tokio::select! {
                biased;
                Some(reject) = reject_rx.recv() => {
                    summary.rejected += 1;
                    on_reject(&reject);
                }
                prepared = rx.recv() => {
                    let Some(prepared) = prepared else { break };
                    let size = prepared.batch.len() + prepared.repeats as usize;
                    let report = self.store_batch(prepared.batch, &mut summary).await?;
                    summary.already_present += prepared.repeats;
                    progress.stored.fetch_add(report.outcomes.len() as u64 + prepared.repeats, Ordering::Relaxed);
                    progress.latencies.lock().expect("latency lock").push((prepared.first_read.elapsed(), size));
                }
            }
        }
        while let Ok(reject) = reject_rx.try_recv() {
            summary.rejected += 1;
            on_reject(&reject);
        }
        let counts = reader
            .await
            .map_err(|e| EngineError::Pipeline(e.to_string()))??;
        summary.read = counts.read;
        summary.skipped = counts.skipped;
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }

    /// Ingests posts already in memory (live sources, the API, the demo).
    pub async fn ingest_posts(&self, posts: Vec<Post>) -> Result<IngestSummary> {
        let records = posts.into_iter().map(Record::Post);
        self.ingest_records(records, Arc::new(IngestProgress::default()), |_| {})
            .await
    }

    async fn store_batch(
        &self,
        batch: Vec<NewPost>,
        summary: &mut IngestSummary,
    ) -> Result<IngestReport> {
        let matches: Vec<usize> = batch.iter().map(|p| p.topics.len()).collect();
        let routing = crate::care::BatchRouting::new(&batch);
        let report = self.store.posts().ingest(batch).await?;
        // The posts are committed; routing them commits with the watermark, so a crash in
        // between leaves them above it for the next pass (see `care::routing`).
        let routed = self.care().route_ingested(routing, &report).await?;
        summary.settled_history += routed.settled;
        for (outcome, n) in report.outcomes.iter().zip(matches) {
            match outcome {
                IngestOutcome::Inserted { is_mention, .. } => {
                    summary.imported += 1;
                    summary.mentions += u64::from(*is_mention);
                    summary.matches += n as u64;
                }
                IngestOutcome::Duplicate { .. } => summary.already_present += 1,
            }
        }
        Ok(report)
    }
}

struct ReadCounts {
    read: u64,
    skipped: u64,
}

struct Preparer {
    matcher: Arc<Matcher>,
    classifier: Option<Arc<Classifier>>,
    /// The company's own accounts (network, lowercased handle) when the import started.
    own_accounts: HashSet<(Network, String)>,
    batch_size: usize,
}

impl Preparer {
    fn run<I: Iterator<Item = Record>>(
        &self,
        records: I,
        progress: &IngestProgress,
        tx: &mpsc::Sender<Prepared>,
        rejects: &mpsc::UnboundedSender<Reject>,
    ) -> Result<ReadCounts> {
        let mut counts = ReadCounts {
            read: 0,
            skipped: 0,
        };
        let mut posts = Vec::with_capacity(self.batch_size);
        let mut last_flush = Instant::now();
        let mut first_read = Instant::now();
        for record in records {
            if posts.is_empty() {
                first_read = Instant::now();
            }
            counts.read += 1;
            progress.read.fetch_add(1, Ordering::Relaxed);
            match record {
                Record::Post(post) => posts.push(post),
                Record::Skipped { .. } => counts.skipped += 1,
                Record::Reject(reject) => {
                    // The receiver lives as long as the pipeline; a send error means it is
                    // shutting down after a store failure, which the caller reports.
                    let _ = rejects.send(reject);
                }
            }
            // A slow source (a live stream) should not hold posts back for long.
            if posts.len() >= self.batch_size
                || (!posts.is_empty() && last_flush.elapsed() > Duration::from_millis(500))
            {
                self.send(std::mem::take(&mut posts), first_read, tx)?;
                last_flush = Instant::now();
            }
        }
        if !posts.is_empty() {
            self.send(posts, first_read, tx)?;
        }
        Ok(counts)
    }

    fn send(
        &self,
        posts: Vec<Post>,
        first_read: Instant,
        tx: &mpsc::Sender<Prepared>,
    ) -> Result<()> {
        let prepared = self.prepare(posts, first_read);
        tx.blocking_send(prepared)
            .map_err(|_| EngineError::Pipeline("the store writer stopped".into()))
    }

    /// Classifies and matches a batch. Classification comes first because topics may filter on
    /// its labels (`sentiment:negative`) and on the detected language (`lang:fr`).
    fn is_own(&self, post: &Post) -> bool {
        post.author.own_account
            || self
                .own_accounts
                .contains(&(post.network, post.author.handle.to_lowercase()))
    }

    fn prepare(&self, posts: Vec<Post>, first_read: Instant) -> Prepared {
        let mut seen: HashSet<PostKey> = HashSet::with_capacity(posts.len());
        let mut batch = Vec::with_capacity(posts.len());
        let mut repeats = 0;
        let mut matched = Vec::new();
        for mut post in posts {
            if !seen.insert(post.key()) {
                repeats += 1;
                continue;
            }
            let labels = self.classifier.as_ref().map(|c| {
                let mut labels =
                    c.classify(&post.text, post.lang.as_deref(), post.author.followers);
                if self.is_own(&post) {
                    without_customer_intent(&mut labels);
                }
                labels
            });
            if post.lang.is_none() {
                post.lang = labels.as_ref().and_then(|l| l.lang.clone());
            }
            matching::match_into(&self.matcher, &post, labels.as_ref(), &mut matched);
            batch.push(NewPost {
                post,
                labels,
                topics: matched.clone(),
            });
        }
        Prepared {
            batch,
            repeats,
            first_read,
        }
    }
}

/// Intents and urgency describe what a customer wants from the company; the company's own posts
/// (an apology reads like a complaint to a text model) carry none. Their sentiment stays: the
/// tone of the answers is worth reporting.
fn without_customer_intent(labels: &mut Labels) {
    labels.intents = IntentSet::empty();
    labels.urgency = Urgency::Low;
}
