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
    /// `None` for posts that cannot matter to routing unless the store finds them a mention.
    held: Vec<Option<Held>>,
    routable: Routable,
}

impl BatchRouting {
    pub fn new(batch: &[NewPost]) -> Self {
        let routable = super::routable(batch);
        let held = batch
            .iter()
            .map(|np| {
                let p = &np.post;
                let mut topics = np.topics.clone();
                topics.sort_unstable();
                topics.dedup();
                Some(Held {
                    network: p.network,
                    // The store keeps microseconds; routing must see the time it would read.
                    created_at: DateTime::from_timestamp_micros(p.created_at.timestamp_micros())
                        .unwrap_or(p.created_at),
                    is_reply: p.reply_to.is_some(),
                    intents: np.labels.as_ref().map(|l| l.intents),
                    urgency: np.labels.as_ref().map(|l| l.urgency),
                    topics,
                    text: p.text.clone(),
                })
            })
            .collect();
        Self { held, routable }
    }

    /// The candidates of the inserted posts that may matter to routing (routable or a
    /// mention), and the highest post id inserted.
    fn candidates(self, report: &IngestReport) -> (Vec<RouteCandidate>, Option<PostId>) {
        let mut out = Vec::new();
        let mut last = None;
        for ((outcome, held), routable) in report.outcomes.iter().zip(self.held).zip(self.routable)
        {
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
            let Some(h) = held.filter(|_| routable || is_mention) else {
                continue;
            };
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
        let (through, owed) = self.cs().unrouted_count().await?;
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
