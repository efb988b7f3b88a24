//! Every stored post carries labels, and on real customer-care traffic they are sane.

mod common;

use common::{data, engine, import};
use rapport_connectors::Format;
use rapport_domain::{Intent, SentimentLabel, TopicOptions};

#[tokio::test]
async fn twcs_posts_are_labelled_sanely() {
    let e = engine().await;
    import(&e, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    let mut after = None;
    let (mut brand, mut brand_complaints, mut brand_negative) = (0u32, 0u32, 0u32);
    let (mut asking, mut asking_questions) = (0u32, 0u32);
    let mut customers = 0u32;
    let mut customer_negative = 0u32;
    let mut customer_complaints = 0u32;
    let mut unlabelled = 0u32;
    loop {
        let page = e.store().posts().scan_posts(after, 1_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for p in &page {
            let Some(l) = &p.labels else {
                unlabelled += 1;
                continue;
            };
            if p.post.author.own_account {
                brand += 1;
                brand_complaints += u32::from(l.intents.has(Intent::Complaint));
                brand_negative += u32::from(l.sentiment.label == SentimentLabel::Negative);
            } else {
                customers += 1;
                customer_negative += u32::from(l.sentiment.label == SentimentLabel::Negative);
                customer_complaints += u32::from(l.intents.has(Intent::Complaint));
                if p.post.text.contains('?') {
                    asking += 1;
                    asking_questions += u32::from(l.intents.has(Intent::Question));
                }
            }
        }
    }
    assert_eq!(unlabelled, 0, "every stored post has labels");
    assert!(brand > 2_000 && customers > 2_000, "{brand} {customers}");
    // Brand replies apologise and help; they are rarely complaints and less often negative.
    assert!(
        brand_complaints * 10 < brand,
        "{brand_complaints} of {brand} brand replies called complaints"
    );
    assert!(
        (brand_negative as f64 / brand as f64) < (customer_negative as f64 / customers as f64),
        "brands {brand_negative}/{brand} negative vs customers {customer_negative}/{customers}"
    );
    // Customers writing to care accounts complain a lot: more than a fifth, less than all.
    assert!(
        customer_complaints * 5 > customers && customer_complaints < customers,
        "{customer_complaints} of {customers} customer posts are complaints"
    );
    // Most customer posts with a question mark ask something.
    assert!(
        asking_questions * 10 > asking * 6,
        "{asking_questions} of {asking} '?' posts are questions"
    );
}

#[tokio::test]
async fn topics_filter_on_sentiment_and_intent() {
    let e = engine().await;
    import(&e, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    let all = e
        .search("battery OR charging OR charger", 1)
        .await
        .unwrap()
        .count;
    let (_, negative) = e
        .add_topic(
            "Battery anger",
            "(battery OR charging OR charger) sentiment:negative",
            TopicOptions::default(),
        )
        .await
        .unwrap();
    let (_, asking) = e
        .add_topic(
            "Battery questions",
            "(battery OR charging OR charger) intent:question",
            TopicOptions::default(),
        )
        .await
        .unwrap();
    assert!(negative > 0 && negative < all, "{negative} of {all}");
    assert!(asking > 0 && asking < all, "{asking} of {all}");
    let positive = e
        .search("(battery OR charging OR charger) sentiment:positive", 1)
        .await
        .unwrap()
        .count;
    let neutral = e
        .search("(battery OR charging OR charger) sentiment:neutral", 1)
        .await
        .unwrap()
        .count;
    assert_eq!(
        negative + positive + neutral,
        all,
        "every post has exactly one sentiment"
    );
    let other = e
        .search("(battery OR charging OR charger) intent:other", 1)
        .await
        .unwrap()
        .count;
    assert!(other + asking <= all);
}
