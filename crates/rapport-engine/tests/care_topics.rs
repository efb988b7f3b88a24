//! Topic matches open cases only when their intent is actionable (question, complaint, lead by
//! default; configurable per topic); leads are flagged on the contact and listed; priority
//! comes from urgency.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, t};
use rapport_domain::care::LifecycleStage;
use rapport_domain::{Intent, Priority, TopicOptions};
use rapport_engine::care::{RoutingRules, TopicRule};

#[tokio::test]
async fn actionable_topic_matches_open_cases() {
    let k = kit().await;
    let (refunds, _) = k
        .engine
        .add_topic("refunds", "refund", TopicOptions::default())
        .await
        .unwrap();
    let (deliveries, _) = k
        .engine
        .add_topic("deliveries", "delivery", TopicOptions::default())
        .await
        .unwrap();
    let (laptops, _) = k
        .engine
        .add_topic("laptops", "laptop", TopicOptions::default())
        .await
        .unwrap();
    k.care
        .set_rules(&RoutingRules {
            topics: vec![TopicRule {
                topic: deliveries.id,
                intents: Some(vec![]),
                team: None,
            }],
            ..RoutingRules::default()
        })
        .await
        .unwrap();
    let question = "How do I get a refund for my order?";
    let praise = "Got my refund today, thank you so much, great service!";
    let delivery_q = "When will my delivery arrive?";
    let lead = "I want to buy a new laptop, can anyone recommend one?";
    let labels = |text: &str| k.engine.classifier().classify(text, Some("en"), None);
    // What the classifier says is the premise of each case below.
    assert!(
        labels(question).intents.has(Intent::Question),
        "{:?}",
        labels(question)
    );
    assert!(
        !labels(praise).intents.has(Intent::Question)
            && !labels(praise).intents.has(Intent::Complaint)
    );
    assert!(labels(delivery_q).intents.has(Intent::Question));
    assert!(labels(lead).intents.has(Intent::Lead), "{:?}", labels(lead));
    k.send(vec![
        post("1", "erin", question, t(0, 9, 0)),
        post("2", "frank", praise, t(0, 9, 1)),
        post("3", "gina", delivery_q, t(0, 9, 2)),
        post("4", "hugo", lead, t(0, 9, 3)),
    ])
    .await;
    let id = k
        .case_of("1")
        .await
        .expect("a question on a topic is actionable");
    let c = k.care.case(id).await.unwrap().unwrap();
    assert_eq!(c.topics, vec![refunds.id]);
    assert_eq!(
        c.case.priority,
        Priority::from_urgency(labels(question).urgency)
    );
    assert!(k.case_of("2").await.is_none(), "praise is not actionable");
    assert!(
        k.case_of("3").await.is_none(),
        "the deliveries topic only listens"
    );
    let lead_case = k.case_of("4").await.expect("a lead is actionable");
    assert_eq!(
        k.care.case(lead_case).await.unwrap().unwrap().topics,
        vec![laptops.id]
    );
    let leads = k.care.leads(None, 10).await.unwrap().items;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].contact_name, "hugo");
    assert_eq!(leads[0].stage, Some(LifecycleStage::Lead));
    let counts = k.care.counts(None).await.unwrap();
    assert_eq!(counts.by_topic, vec![(refunds.id, 1), (laptops.id, 1)]);
}
