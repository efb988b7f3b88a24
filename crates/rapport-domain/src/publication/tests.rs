use super::*;
use chrono::TimeZone;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, h, 0, 0).unwrap()
}

fn variant(channel: i64, network: Network) -> Variant {
    Variant {
        channel: Some(ChannelId(channel)),
        channel_name: format!("{network}-{channel}"),
        network,
        text: None,
        parts: Vec::new(),
    }
}

fn draft(body: &str) -> Publication {
    Publication {
        id: PublicationId(1),
        author: UserId(1),
        body: body.to_string(),
        status: PublicationStatus::Draft,
        scheduled_for: Some(at(15)),
        time_zone: "Europe/Paris".into(),
        variants: vec![variant(1, Network::X), variant(2, Network::Mastodon)],
        reviewer: None,
        review_comment: None,
        released_at: None,
        published_at: None,
        created_at: at(9),
        updated_at: at(9),
        version: 1,
    }
}

const APPROVAL: PublishingPolicy = PublishingPolicy {
    approval_required: true,
};

#[test]
fn without_approval_a_submitted_draft_is_scheduled_with_its_parts() {
    let mut p = draft("Spring sale: 20% off every plan until Sunday.");
    p.submit(PublishingPolicy::default(), at(10)).unwrap();
    assert_eq!(p.status, PublicationStatus::Scheduled);
    for v in &p.variants {
        assert_eq!(v.parts, vec![p.body.clone()]);
    }
    assert!(!p.due(at(14)));
    assert!(p.due(at(15)));
}

#[test]
fn with_approval_another_user_approves_or_sends_back_with_a_comment() {
    let mut p = draft("Spring sale: 20% off every plan until Sunday.");
    p.submit(APPROVAL, at(10)).unwrap();
    assert_eq!(p.status, PublicationStatus::InReview);
    assert!(!p.due(at(16)), "nothing goes out before approval");
    assert_eq!(
        p.approve(UserId(1), at(11)),
        Err(PublicationError::OwnApproval)
    );
    assert_eq!(
        p.send_back(UserId(2), "  ", at(11)),
        Err(PublicationError::NoComment)
    );
    p.send_back(UserId(2), "Say which plans", at(11)).unwrap();
    assert_eq!(p.status, PublicationStatus::Draft);
    assert_eq!(p.review_comment.as_deref(), Some("Say which plans"));
    p.submit(APPROVAL, at(12)).unwrap();
    p.approve(UserId(2), at(13)).unwrap();
    assert_eq!(p.status, PublicationStatus::Scheduled);
    assert_eq!(p.reviewer, Some(UserId(2)));
    assert_eq!(p.review_comment, None);
}

#[test]
fn a_new_time_keeps_the_approval_and_a_new_text_does_not() {
    let mut p = draft("Spring sale: 20% off every plan until Sunday.");
    p.submit(APPROVAL, at(10)).unwrap();
    p.approve(UserId(2), at(11)).unwrap();
    let (body, variants) = (p.body.clone(), p.variants.clone());
    p.edit(
        body.clone(),
        variants.clone(),
        Some(at(18)),
        "UTC".into(),
        at(12),
    )
    .unwrap();
    assert_eq!(p.status, PublicationStatus::Scheduled);
    assert_eq!(p.scheduled_for, Some(at(18)));
    p.edit(
        format!("{body}!"),
        variants.clone(),
        Some(at(18)),
        "UTC".into(),
        at(12),
    )
    .unwrap();
    assert_eq!(p.status, PublicationStatus::Draft);
    // Channels count as content too.
    p.submit(APPROVAL, at(13)).unwrap();
    p.approve(UserId(2), at(13)).unwrap();
    p.edit(
        p.body.clone(),
        variants[..1].to_vec(),
        None,
        "UTC".into(),
        at(14),
    )
    .unwrap();
    assert_eq!(p.status, PublicationStatus::Draft);
}

#[test]
fn a_draft_may_be_saved_unfinished_but_not_submitted_so() {
    let mut p = draft("Spring sale");
    p.edit("".into(), vec![], None, "UTC".into(), at(10))
        .unwrap();
    assert_eq!(p.status, PublicationStatus::Draft);
    let before = p.clone();
    assert_eq!(
        p.submit(PublishingPolicy::default(), at(11)),
        Err(PublicationError::NoChannel)
    );
    assert_eq!(p, before, "a refused submit changes nothing");
    p.edit(
        " ".into(),
        vec![variant(1, Network::X)],
        None,
        "UTC".into(),
        at(12),
    )
    .unwrap();
    assert_eq!(
        p.submit(PublishingPolicy::default(), at(13)),
        Err(PublicationError::EmptyText)
    );
    p.status = PublicationStatus::Publishing;
    assert_eq!(
        p.edit("new".into(), vec![], None, "UTC".into(), at(14)),
        Err(PublicationError::NotEditable(PublicationStatus::Publishing))
    );
}

#[test]
fn a_removed_channel_stops_the_submit_and_names_the_channel() {
    let mut p = draft("Spring sale");
    p.variants[1].channel = None;
    assert_eq!(
        p.submit(PublishingPolicy::default(), at(10)),
        Err(PublicationError::ChannelRemoved("mastodon-2".into()))
    );
    assert_eq!(p.status, PublicationStatus::Draft);
}

#[test]
fn each_variant_is_split_as_its_network_counts() {
    // 320 characters: one Mastodon post, two on X.
    let body = "Battery drain after the 4.2 update: we found it. ".repeat(7);
    let mut p = draft(body.trim());
    p.submit(PublishingPolicy::default(), at(10)).unwrap();
    assert_eq!(p.variants[0].parts.len(), 2, "X");
    assert_eq!(p.variants[1].parts.len(), 1, "Mastodon");
    assert_eq!(p.part_count(), 3);
    // An edited variant is split from its own text.
    let mut variants = p.variants.clone();
    variants[0].text = Some("Battery drain after 4.2: fixed today.".into());
    p.edit(p.body.clone(), variants, None, "UTC".into(), at(11))
        .unwrap();
    assert_eq!(
        p.variants[0].parts,
        vec!["Battery drain after 4.2: fixed today.".to_string()]
    );
}

#[test]
fn statuses_read_back_from_their_stored_names() {
    for s in PublicationStatus::ALL {
        assert_eq!(s.as_str().parse::<PublicationStatus>(), Ok(s));
    }
    assert!("sent".parse::<PublicationStatus>().is_err());
}
