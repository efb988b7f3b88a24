use super::support::{P, ingest};
use crate::Store;
use chrono::TimeDelta;
use rapport_domain::Network;
use rapport_domain::care::AccountResponse;
use std::sync::Arc;

/// Inbound posts are counted once per account they address (by mention, by replying to its
/// post, or both), by customers only; answered ones are those the account replied to
/// directly, timed to its first reply; the median of an even count is the mean of the two
/// middle delays; an account nobody addressed is listed with zeros.
pub async fn account_responses_count_addressed_and_answered_posts(store: Arc<dyn Store>) {
    for own in ["brand", "other", "quiet"] {
        store
            .contacts()
            .set_own_account(Network::X, own, true)
            .await
            .unwrap();
    }
    ingest(
        store.as_ref(),
        vec![
            // addressed to brand by mention; answered after 2 minutes, then again later
            P::new("1", "alice").mention("@Brand").at(1),
            P::new("2", "brand").own().reply("1").at(3),
            P::new("3", "brand").own().reply("1").at(10),
            // addressed by replying to brand's post; answered after 5 minutes
            P::new("4", "bob").reply("2").at(4),
            P::new("5", "brand").own().reply("4").at(9),
            // mention and reply at once: one inbound post, unanswered
            P::new("6", "carol").mention("brand").reply("2").at(6),
            // addressed to both; only other answers, after a minute
            P::new("7", "dave").mention("other").mention("brand").at(7),
            P::new("8", "other").own().reply("7").at(8),
            // an own account mentioning another is no customer
            P::new("11", "brand").own().mention("other").at(11),
            // not addressed to anyone, so brand's reply to it counts nowhere
            P::new("12", "erin").at(12),
            P::new("13", "frank").reply("12").at(13),
            P::new("14", "brand").own().reply("12").at(14),
        ],
    )
    .await;
    let got = store.reports().account_responses().await.unwrap();
    let row = |handle: &str, inbound, answered, median: Option<i64>| AccountResponse {
        network: Network::X,
        handle: handle.into(),
        inbound,
        answered,
        median_reply: median.map(TimeDelta::seconds),
    };
    assert_eq!(
        got,
        [
            row("brand", 4, 2, Some(210)),
            row("other", 1, 1, Some(60)),
            row("quiet", 0, 0, None),
        ]
    );
    assert_eq!(got[0].response_rate(), Some(0.5));
    assert_eq!(got[0].median_reply_seconds(), Some(210.0));
}
