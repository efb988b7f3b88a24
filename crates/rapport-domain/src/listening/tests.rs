#![allow(clippy::type_complexity)]

use super::*;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn buckets_floor_to_utc_hours_days_and_monday_weeks() {
    let table = [
        (Bucket::Hour, "2017-10-31T22:10:47Z", "2017-10-31T22:00:00Z"),
        (Bucket::Hour, "2017-10-31T22:00:00Z", "2017-10-31T22:00:00Z"),
        (Bucket::Day, "2017-10-31T22:10:47Z", "2017-10-31T00:00:00Z"),
        (Bucket::Day, "2015-02-24T00:00:00Z", "2015-02-24T00:00:00Z"),
        // 2017-10-31 is a Tuesday; its week began on Monday the 30th
        (Bucket::Week, "2017-10-31T22:10:47Z", "2017-10-30T00:00:00Z"),
        (Bucket::Week, "2017-10-30T00:00:00Z", "2017-10-30T00:00:00Z"),
        // a Sunday belongs to the week of the Monday before
        (Bucket::Week, "2017-11-05T23:59:59Z", "2017-10-30T00:00:00Z"),
        // before the epoch's first Monday
        (Bucket::Week, "1970-01-01T00:00:00Z", "1969-12-29T00:00:00Z"),
    ];
    for (bucket, at, want) in table {
        assert_eq!(bucket.floor(t(at)), t(want), "{bucket} of {at}");
    }
}

#[test]
fn bucket_counts_and_starts_cover_the_period() {
    let table = [
        (
            Bucket::Hour,
            "2017-10-31T22:10:00Z",
            "2017-10-31T23:00:00Z",
            1,
        ),
        (
            Bucket::Hour,
            "2017-10-31T22:10:00Z",
            "2017-10-31T23:00:01Z",
            2,
        ),
        (
            Bucket::Day,
            "2017-10-01T00:00:00Z",
            "2017-11-01T00:00:00Z",
            31,
        ),
        (
            Bucket::Week,
            "2017-10-31T00:00:00Z",
            "2017-11-07T00:00:00Z",
            2,
        ),
        (
            Bucket::Day,
            "2017-10-02T00:00:00Z",
            "2017-10-01T00:00:00Z",
            0,
        ),
    ];
    for (bucket, from, to, n) in table {
        assert_eq!(bucket.count(t(from), t(to)), n, "{bucket} {from} {to}");
        assert_eq!(bucket.starts(t(from), t(to)).len() as i64, n);
    }
    assert_eq!(
        Bucket::auto(t("2017-10-01T00:00:00Z"), t("2017-10-03T00:00:00Z")),
        Bucket::Hour
    );
    assert_eq!(
        Bucket::auto(t("2017-01-01T00:00:00Z"), t("2017-06-01T00:00:00Z")),
        Bucket::Day
    );
    assert_eq!(
        Bucket::auto(t("2010-01-01T00:00:00Z"), t("2017-06-01T00:00:00Z")),
        Bucket::Week
    );
}

#[test]
fn a_filter_checks_its_period_and_knows_the_one_before() {
    let f = ListeningFilter::period(t("2017-10-10T00:00:00Z"), t("2017-10-17T00:00:00Z"));
    assert_eq!(f.check(Bucket::Hour), Ok(()));
    let p = f.previous();
    assert_eq!(
        (p.from, p.to),
        (t("2017-10-03T00:00:00Z"), t("2017-10-10T00:00:00Z"))
    );
    let year = ListeningFilter::period(t("2016-01-01T00:00:00Z"), t("2017-01-01T00:00:00Z"));
    assert_eq!(
        year.check(Bucket::Hour),
        Err(FilterError::TooManyBuckets(8784, Bucket::Hour))
    );
    let empty = ListeningFilter::period(f.to, f.from);
    assert_eq!(empty.check(Bucket::Day), Err(FilterError::EmptyPeriod));
    let w = f.within(t("2017-10-01T00:00:00Z"), t("2017-10-11T00:00:00Z"));
    assert_eq!(
        (w.from, w.to),
        (t("2017-10-10T00:00:00Z"), t("2017-10-11T00:00:00Z"))
    );
}

#[test]
fn net_sentiment_is_positive_minus_negative_over_labelled_posts() {
    let table: [(u64, u64, u64, u64, Option<f64>); 6] = [
        (0, 0, 0, 0, None),
        (0, 0, 0, 5, None),
        (3, 1, 1, 0, Some(0.4)),
        (1, 0, 3, 0, Some(-0.5)),
        (2, 6, 2, 7, Some(0.0)),
        (4, 0, 0, 1, Some(1.0)),
    ];
    for (positive, neutral, negative, unlabelled, want) in table {
        let c = SentimentCounts {
            positive,
            neutral,
            negative,
            unlabelled,
        };
        assert_eq!(c.net(), want, "{c:?}");
        assert_eq!(c.total(), positive + neutral + negative + unlabelled);
    }
}

#[test]
fn filled_buckets_hold_zeros_and_drop_counts_outside_the_period() {
    let f = ListeningFilter::period(t("2017-10-31T22:30:00Z"), t("2017-11-01T01:00:00Z"));
    let h = |s: &str| Bucket::Hour.floor(t(s)).timestamp_micros();
    let rows = [
        (h("2017-10-31T22:45:00Z"), Some(SentimentLabel::Negative), 2),
        (h("2017-10-31T22:45:00Z"), None, 1),
        (h("2017-11-01T00:10:00Z"), Some(SentimentLabel::Positive), 4),
        (h("2017-11-01T05:00:00Z"), Some(SentimentLabel::Positive), 9),
    ];
    let points = fill_buckets(&f, Bucket::Hour, &rows);
    let got: Vec<(DateTime<Utc>, DateTime<Utc>, u64, u64, u64)> = points
        .iter()
        .map(|p| {
            (
                p.start,
                p.end,
                p.counts.total(),
                p.counts.negative,
                p.counts.positive,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                t("2017-10-31T22:30:00Z"),
                t("2017-10-31T23:00:00Z"),
                3,
                2,
                0
            ),
            (
                t("2017-10-31T23:00:00Z"),
                t("2017-11-01T00:00:00Z"),
                0,
                0,
                0
            ),
            (
                t("2017-11-01T00:00:00Z"),
                t("2017-11-01T01:00:00Z"),
                4,
                0,
                4
            ),
        ]
    );
}

#[test]
fn share_of_voice_divides_by_every_topic_compared() {
    let c = |n| SentimentCounts {
        neutral: n,
        ..Default::default()
    };
    let table: [(Vec<(&str, u64)>, Vec<(&str, f64)>); 3] = [
        (
            vec![("us", 30), ("rival", 60), ("other", 10)],
            vec![("rival", 0.6), ("us", 0.3), ("other", 0.1)],
        ),
        (vec![("b", 1), ("a", 1)], vec![("a", 0.5), ("b", 0.5)]),
        (vec![("a", 0), ("b", 0)], vec![("a", 0.0), ("b", 0.0)]),
    ];
    for (rows, want) in table {
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, (name, n))| (TopicId(i as i64), name.to_string(), c(n)))
            .collect();
        let got: Vec<(String, f64)> = share_of_voice(rows)
            .into_iter()
            .map(|s| (s.name, s.share))
            .collect();
        let want: Vec<(String, f64)> = want.into_iter().map(|(n, s)| (n.into(), s)).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn trending_ranks_rises_against_the_previous_period() {
    let counts =
        |v: &[(&str, u64)]| -> Counts { v.iter().map(|(t, n)| (t.to_string(), *n)).collect() };
    let table: [(Counts, Counts, u64, Vec<(&str, f64)>); 3] = [
        (
            counts(&[("outage", 5), ("refund", 105), ("flight", 3), ("delay", 2)]),
            counts(&[("refund", 100), ("flight", 3)]),
            3,
            // outage: 5/1; refund: 5/sqrt(101); flight did not rise; delay under the minimum
            vec![("outage", 5.0), ("refund", 5.0 / 101f64.sqrt())],
        ),
        (
            counts(&[("b", 4), ("a", 4)]),
            counts(&[("a", 3), ("b", 3)]),
            1,
            vec![("a", 0.5), ("b", 0.5)],
        ),
        (counts(&[("x", 1)]), counts(&[("x", 9)]), 1, vec![]),
    ];
    for (current, previous, min, want) in table {
        let got: Vec<(String, f64)> = trending(&current, &previous, min, 10)
            .into_iter()
            .map(|t| (t.term, t.score))
            .collect();
        let want: Vec<(String, f64)> = want.into_iter().map(|(n, s)| (n.into(), s)).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn a_post_s_terms_are_its_distinct_words_without_stopwords_or_entities() {
    let table = [
        (
            "@AmericanAir My flight is Cancelled Flightled, flight 1234 #fail http://t.co/x 😡",
            vec!["cancelled", "flight", "flightled"],
        ),
        ("I'm SO done with this", vec!["done"]),
        ("", vec![]),
    ];
    for (text, want) in table {
        let got: Vec<String> = post_terms(text).into_iter().collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn picks_and_authors_parse_from_their_link_form() {
    assert_eq!(
        "x:@AppleSupport".parse::<AuthorKey>(),
        Ok(AuthorKey {
            network: Network::X,
            handle: "AppleSupport".into()
        })
    );
    assert!("AppleSupport".parse::<AuthorKey>().is_err());
    assert_eq!("other".parse::<IntentPick>(), Ok(IntentPick::Other));
    assert_eq!(
        "Complaint".parse::<IntentPick>(),
        Ok(IntentPick::Intent(Intent::Complaint))
    );
    assert_eq!(
        "unlabelled".parse::<SentimentPick>(),
        Ok(SentimentPick::Unlabelled)
    );
    assert_eq!("week".parse::<Bucket>(), Ok(Bucket::Week));
    assert!("month".parse::<Bucket>().is_err());
}
