//! Routing a batch the pipeline has just stored, from what the pipeline already holds.
//!
//! The store's ingest says where it placed each new post (conversation after merges, identity,
//! contact, own-account flag); the pipeline still has the text, labels and topic matches. So
//! when the posts of this batch are all that routing owes (one row tells: the watermark and how
//! many posts lie above it), the pass is decided from memory and nothing is read back. Anything
//! else above the watermark (a crash's leftovers, another pipeline's posts) sends the pipeline
//! down the general path, which reads every owed post from the store.

use super::routing::{ROUTING_PASS, Routable, RouteSummary, passed_over};
use super::{Care, CareError, Result};
use chrono::{DateTime, Utc};
use rapport_domain::care::{RouteCandidate, RoutedThrough};
use rapport_domain::{IntentSet, Network, PostId, TopicId, Urgency};
use rapport_store::{IngestOutcome, IngestReport, NewPost};

/// What routing needs of one post of a batch, taken before the batch goes to the store.
struct Held {
    network: Network,
    created_at: DateTime<Utc>,
    is_reply: bool,
    intents: Option<IntentSet>,
    urgency: Option<Urgency>,
    topics: Vec<TopicId>,
    text: String,
}

/// A batch as routing sees it, in batch order.
pub struct BatchRouting {
    held: Vec<Held>,
    /// Posts that cannot matter to routing unless the store finds them a mention are `false`.
    routable: Routable,
}

impl BatchRouting {
    pub fn new(batch: &[NewPost]) -> Self {
        let routable = super::routing::routable(batch);
        let held = batch
            .iter()
            .map(|np| {
                let p = &np.post;
                let mut topics = np.topics.clone();
                topics.sort_unstable();
                topics.dedup();
                Held {
                    network: p.network,
                    // The store keeps microseconds; routing must see the time it would read.
                    created_at: DateTime::from_timestamp_micros(p.created_at.timestamp_micros())
                        .unwrap_or(p.created_at),
                    is_reply: p.reply_to.is_some(),
                    intents: np.labels.as_ref().map(|l| l.intents),
                    urgency: np.labels.as_ref().map(|l| l.urgency),
                    topics,
                    text: p.text.clone(),
                }
            })
            .collect();
        Self { held, routable }
    }

    /// The candidates of the inserted posts that may matter to routing (routable or a
    /// mention), and the highest post id inserted.
    fn candidates(self, report: &IngestReport) -> (Vec<RouteCandidate>, Option<PostId>) {
        let mut out = Vec::new();
        let mut last = None;
        for ((outcome, h), routable) in report.outcomes.iter().zip(self.held).zip(self.routable) {
            let IngestOutcome::Inserted {
                id,
                is_mention,
                conversation_id,
                identity_id,
                contact_id,
                from_own_account,
            } = *outcome
            else {
                continue;
            };
            last = last.max(Some(id));
            if !(routable || is_mention) {
                continue;
            }
            out.push(RouteCandidate {
                post_id: id,
                conversation_id,
                contact_id,
                identity_id,
                network: h.network,
                created_at: h.created_at,
                from_own_account,
                is_mention,
                is_reply: h.is_reply,
                intents: h.intents,
                urgency: h.urgency,
                topics: h.topics,
                text: h.text,
            });
        }
        (out, last)
    }
}

impl Care {
    /// Routes a batch the pipeline has just stored (see the module docs): from memory when
    /// its posts are all routing owes, otherwise through [`Care::route_stored`].
    pub async fn route_ingested(
        &self,
        routing: BatchRouting,
        report: &IngestReport,
    ) -> Result<RouteSummary> {
        let skip = passed_over(report, &routing.routable);
        let inserted: Vec<PostId> = report
            .outcomes
            .iter()
            .filter_map(|o| match o {
                IngestOutcome::Inserted { id, .. } => Some(*id),
                IngestOutcome::Duplicate { .. } => None,
            })
            .collect();
        let (through, owed) = self.store.routing().unrouted_count().await?;
        if owed == 0 {
            return Ok(RouteSummary::default());
        }
        let ours = owed == inserted.len() as u64
            && owed <= u64::from(ROUTING_PASS)
            && inserted.iter().all(|id| *id > through);
        if ours {
            let (candidates, last) = routing.candidates(report);
            let last = last.expect("a batch that inserted posts has a last one");
            let pass = RoutedThrough {
                from: through,
                to: last,
            };
            match self.route_pass(candidates, Utc::now(), pass).await {
                Ok(summary) => return Ok(summary),
                // Another pipeline routed meanwhile: the general path starts from its watermark.
                Err(CareError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.route_stored(&skip).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, EngineConfig};
    use rapport_connectors::{Format, Record};
    use rapport_domain::{Network, TopicOptions};
    use rapport_store::testing::{backend_from_env, fresh_store};

    /// The candidates routing builds from memory are the ones it would read back from the
    /// store, post for post, on real care threads: replies arriving before and after their
    /// parents, brand replies, mentions, labels and topic matches.
    #[tokio::test]
    async fn candidates_from_memory_equal_the_stored_posts() {
        let store = fresh_store(backend_from_env()).await;
        let engine = Engine::new(store.store(), EngineConfig::default())
            .await
            .unwrap();
        for brand in ["sprintcare", "AppleSupport", "Ask_Spectrum", "AmazonHelp"] {
            engine
                .care()
                .set_own_account(Network::X, brand, true)
                .await
                .unwrap();
        }
        let query = "phone OR service OR order OR account OR help";
        engine
            .add_topic("care", query, TopicOptions::default())
            .await
            .unwrap();
        let matcher = engine.topics.matcher();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/twcs/twcs_head_5000.csv"
        );
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut posts: Vec<_> = rapport_connectors::read_records(Format::Twcs, file)
            .filter_map(|r| match r {
                Record::Post(p) => Some(p),
                _ => None,
            })
            .collect();
        // Newest first, so most replies come before their parents and threads merge.
        posts.reverse();
        let (mut seen, mut mentions, mut own, mut matched) = (0, 0, 0, 0);
        for chunk in posts.chunks(700) {
            let batch: Vec<NewPost> = chunk
                .iter()
                .map(|p| {
                    let labels = engine.classifier.classify(&p.text, p.lang.as_deref(), None);
                    let mut topics = Vec::new();
                    matcher.match_post(p, Some(&labels), &mut topics);
                    NewPost {
                        post: p.clone(),
                        labels: Some(labels),
                        topics,
                    }
                })
                .collect();
            let routing = BatchRouting::new(&batch);
            let report = engine.store.posts().ingest(batch).await.unwrap();
            let (from_memory, _) = routing.candidates(&report);
            let ids: Vec<PostId> = from_memory.iter().map(|c| c.post_id).collect();
            let mut stored = engine.store.routing().route_candidates(&ids).await.unwrap();
            stored.sort_by_key(|c| c.post_id);
            let mut from_memory = from_memory;
            from_memory.sort_by_key(|c| c.post_id);
            for (m, s) in from_memory.iter().zip(&stored) {
                assert_eq!(m, s);
            }
            assert_eq!(from_memory.len(), stored.len());
            seen += from_memory.len();
            mentions += from_memory.iter().filter(|c| c.is_mention).count();
            own += from_memory.iter().filter(|c| c.from_own_account).count();
            matched += from_memory.iter().filter(|c| !c.topics.is_empty()).count();
        }
        assert!(seen > 3_000, "{seen} candidates");
        assert!(
            mentions > 500 && own > 500 && matched > 300,
            "{mentions} {own} {matched}"
        );
    }
}
