//! Every file in ../shared/data imports whole, twice without change, and builds the threads,
//! contacts and own accounts that counts computed independently from the file say it should.

mod common;

use common::{data, engine, fixture, import, twcs_counts};
use rapport_connectors::Format;

#[tokio::test]
async fn twcs_head_imports_whole_and_idempotently() {
    let e = engine().await;
    let path = data("twcs/twcs_head_5000.csv");
    let expected = twcs_counts(&path);
    assert_eq!(expected.posts, 5_000);

    let (first, rejects) = import(&e, Format::Twcs, &path).await;
    assert!(rejects.is_empty(), "rejects: {rejects:?}");
    assert_eq!(
        (first.imported, first.already_present, first.rejected),
        (5_000, 0, 0)
    );

    let stats = e.stats().await.unwrap();
    assert_eq!(stats.posts, expected.posts);
    assert_eq!(
        stats.conversations, expected.threads,
        "threads from reply links"
    );
    assert_eq!(stats.identities, expected.authors);
    assert_eq!(stats.contacts, expected.authors, "one contact per author");
    assert_eq!(
        stats.own_accounts, expected.brands,
        "inbound=False authors are own accounts"
    );

    let (again, rejects) = import(&e, Format::Twcs, &path).await;
    assert!(rejects.is_empty());
    assert_eq!((again.imported, again.already_present), (0, 5_000));
    assert_eq!(
        e.stats().await.unwrap(),
        stats,
        "a second import changes nothing"
    );
}

#[tokio::test]
async fn customer_posts_to_brands_are_mentions() {
    let e = engine().await;
    let (summary, _) = import(&e, Format::Twcs, &data("twcs/twcs_kaggle_sample_93.csv")).await;
    assert_eq!(summary.imported, 93);
    let stats = e.stats().await.unwrap();
    // Every customer post in this sample is addressed to a brand (by @mention or reply).
    let mut rdr = common::csv_reader(&data("twcs/twcs_kaggle_sample_93.csv"));
    let brands: std::collections::HashSet<String> = rdr
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[2] == "False")
        .map(|r| r[1].to_lowercase())
        .collect();
    let mut rdr = common::csv_reader(&data("twcs/twcs_kaggle_sample_93.csv"));
    let expected = rdr
        .records()
        .map(|r| r.unwrap())
        .filter(|r| {
            r[4].split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '@'))
                .filter_map(|w| w.strip_prefix('@'))
                .any(|m| brands.contains(&m.to_lowercase()))
        })
        .count() as u64;
    assert!(expected > 30);
    assert!(
        stats.mentions >= expected,
        "mentions {} < {expected}",
        stats.mentions
    );
    assert_eq!(summary.mentions, stats.mentions);
}

#[tokio::test]
async fn every_twcs_and_airline_file_imports_without_rejects() {
    let e = engine().await;
    for (format, rel) in [
        (Format::Twcs, "twcs/twcs_kaggle_sample_93.csv"),
        (Format::Twcs, "twcs/spotifycares_inbound_15096.csv"),
        (Format::Airline, "airline/airline_sentiment_train.csv"),
    ] {
        let path = data(rel);
        let (summary, rejects) = import(&e, format, &path).await;
        assert!(
            rejects.is_empty(),
            "{rel}: {:?}",
            &rejects[..rejects.len().min(3)]
        );
        let mut rdr = common::csv_reader(&path);
        let headers = rdr.headers().unwrap().clone();
        let id_col = headers.iter().position(|h| h == "tweet_id").unwrap();
        let rows: Vec<String> = rdr
            .records()
            .map(|r| r.unwrap()[id_col].to_string())
            .collect();
        let distinct: std::collections::HashSet<&String> = rows.iter().collect();
        assert_eq!(summary.read, rows.len() as u64, "{rel}: records read");
        assert_eq!(
            summary.imported,
            distinct.len() as u64,
            "{rel}: distinct ids stored"
        );
        assert_eq!(
            summary.already_present,
            (rows.len() - distinct.len()) as u64,
            "{rel}: repeats"
        );
    }
}

#[tokio::test]
async fn json_fixtures_import_and_reimport_as_duplicates() {
    let e = engine().await;
    for (format, file) in [
        (Format::XV2, "x_v2_stream.ndjson"),
        (Format::Jetstream, "jetstream.ndjson"),
        (Format::Mastodon, "mastodon_timeline.json"),
    ] {
        let path = fixture(file);
        let (first, rejects) = import(&e, format, &path).await;
        assert!(rejects.is_empty(), "{file}: {rejects:?}");
        assert!(first.imported >= 2, "{file}: {first:?}");
        let (second, _) = import(&e, format, &path).await;
        assert_eq!(second.imported, 0, "{file}");
        assert_eq!(second.already_present, first.imported, "{file}");
    }
}

#[tokio::test]
async fn a_bad_record_is_reported_and_the_rest_imported() {
    let e = engine().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.ndjson");
    let good = std::fs::read_to_string(fixture("x_v2_stream.ndjson")).unwrap();
    let good_lines: Vec<&str> = good.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut content = String::new();
    content.push_str(good_lines[0]);
    content.push_str("\n{\"data\": {\"id\": \"1\", \"text\": \n");
    for l in &good_lines[1..] {
        content.push_str(l);
        content.push('\n');
    }
    std::fs::write(&path, content).unwrap();
    let (summary, rejects) = import(&e, Format::XV2, &path).await;
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].line, 2);
    assert_eq!(summary.rejected, 1);
    assert!(summary.imported >= 2);
}
