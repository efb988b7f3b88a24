//! Urgency rules, table-driven.

use rapport_domain::{Intent, IntentSet, Sentiment, SentimentLabel, Urgency};
use rapport_nlp::{Classifier, urgency};

fn s(label: SentimentLabel, score: f32) -> Sentiment {
    Sentiment { label, score }
}

#[test]
fn urgency_table() {
    use SentimentLabel::*;
    let none = IntentSet::empty();
    let complaint = none.with(Intent::Complaint);
    let question = none.with(Intent::Question);
    let cases: &[(&str, Sentiment, IntentSet, Option<u64>, Urgency)] = &[
        (
            "Thanks so much, the new app is lovely",
            s(Positive, 0.9),
            none.with(Intent::Praise),
            None,
            Urgency::Low,
        ),
        (
            "Where can I find my order number?",
            s(Neutral, 0.7),
            question,
            None,
            Urgency::Normal,
        ),
        (
            "my order is late again",
            s(Negative, 0.6),
            complaint,
            None,
            Urgency::Normal,
        ),
        (
            "@Uber_Support the app is down again",
            s(Negative, 0.6),
            complaint,
            None,
            Urgency::High,
        ),
        (
            "I want a refund, you charged me twice",
            s(Negative, 0.9),
            complaint,
            None,
            Urgency::Urgent,
        ),
        (
            "my account was hacked and someone bought stuff",
            s(Negative, 0.7),
            none,
            None,
            Urgency::Urgent,
        ),
        (
            "no, my account was not hacked, just asking",
            s(Neutral, 0.6),
            question,
            None,
            Urgency::Normal,
        ),
        (
            "wifi on board not working",
            s(Negative, 0.6),
            none,
            None,
            Urgency::High,
        ),
        (
            "calm down, it's fine",
            s(Neutral, 0.6),
            none,
            None,
            Urgency::Low,
        ),
        (
            "your food made me sick",
            s(Negative, 0.6),
            complaint,
            Some(2_000_000),
            Urgency::Urgent,
        ),
        (
            "your food made me sick",
            s(Negative, 0.6),
            complaint,
            Some(50_000),
            Urgency::High,
        ),
        (
            "&quot;This is unacceptable&quot; I&#39;m waiting 2 hours",
            s(Negative, 0.5),
            complaint,
            None,
            Urgency::High,
        ),
    ];
    for (text, sentiment, intents, followers, want) in cases {
        let (got, reasons) = urgency(text, sentiment, *intents, *followers);
        assert_eq!(got, *want, "{text}: {reasons:?}");
        assert!(
            reasons.last().is_some_and(|r| r.ends_with(want.as_str())),
            "{reasons:?}"
        );
    }
}

#[test]
fn reasons_name_the_words() {
    let (_, reasons) = urgency(
        "they stole my card, I will call my lawyer",
        &s(SentimentLabel::Negative, 0.9),
        IntentSet::empty(),
        Some(120_000),
    );
    assert!(reasons.iter().any(|r| r.contains("'stole'")), "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("120000 followers")),
        "{reasons:?}"
    );
}

#[test]
fn classifier_labels_and_explains_a_post() {
    let c = Classifier::new();
    let text = "@AmericanAir worst airline ever, my flight got cancelled and nobody will refund me";
    let labels = c.classify(text, None, Some(300));
    assert_eq!(labels.sentiment.label, SentimentLabel::Negative);
    assert_eq!(labels.lang.as_deref(), Some("en"));
    assert!(labels.urgency >= Urgency::High, "{labels:?}");
    let why = c.explain(text, Some("en-US"), Some(300), 4);
    assert_eq!(why.labels, c.classify(text, Some("en-US"), Some(300)));
    assert_eq!(why.sentiment.len(), 4);
    assert!(why.lang.contains("network tag"));
    assert!(labels.intents.has(Intent::Complaint), "{labels:?}");
    assert!(
        why.intents
            .iter()
            .any(|(intent, cues)| *intent == Intent::Complaint && !cues.is_empty()),
        "{:?}",
        why.intents
    );
    assert!(
        why.urgency.iter().any(|r| r.contains("cancelled")),
        "{:?}",
        why.urgency
    );
}
