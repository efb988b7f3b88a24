//! The real exports in `../shared/data` import whole, and what they hold is checked against
//! figures computed here independently with the `csv` crate.

mod common;

use common::{data, post, read_file, strings};
use rapport_connectors::Format;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The file's rows as maps from column name to value, read with the `csv` crate. Only `\n` ends
/// a record: these files hold bare `\r` inside fields.
fn csv_rows(path: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(data(path))
        .unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_end_matches('\r').to_string())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(|v| v.trim_end_matches('\r').to_string()))
                .collect()
        })
        .collect()
}

/// `3.0` -> `3`, as the importer is meant to read float ids.
fn int_id(v: &str) -> String {
    v.split('.').next().unwrap().to_string()
}

const TWCS: [&str; 3] = [
    "twcs/twcs_head_5000.csv",
    "twcs/twcs_kaggle_sample_93.csv",
    "twcs/spotifycares_inbound_15096.csv",
];

#[test]
fn every_twcs_file_reads_whole_without_rejects() {
    for path in TWCS {
        let read = read_file(Format::Twcs, &data(path));
        let rows = csv_rows(path);
        assert_eq!(read.rejects, vec![], "{path}");
        assert!(read.skipped.is_empty(), "{path}");
        assert_eq!(read.posts.len(), rows.len(), "{path}");
        let got: Vec<&str> = read.posts.iter().map(|p| p.native_id.as_str()).collect();
        let want: Vec<String> = rows.iter().map(|r| int_id(&r["tweet_id"])).collect();
        assert_eq!(got, want, "{path}: ids in file order");
        // Each row is one distinct tweet in these files.
        assert_eq!(
            got.iter().collect::<BTreeSet<_>>().len(),
            rows.len(),
            "{path}"
        );
    }
    // The row counts the dataset documents.
    let counts: Vec<usize> = TWCS
        .iter()
        .map(|p| read_file(Format::Twcs, &data(p)).posts.len())
        .collect();
    assert_eq!(counts, [5000, 93, 15096]);
}

#[test]
fn twcs_own_accounts_are_the_brands_that_answer() {
    let path = "twcs/twcs_head_5000.csv";
    let read = read_file(Format::Twcs, &data(path));
    let own: BTreeSet<&str> = read
        .posts
        .iter()
        .filter(|p| p.author.own_account)
        .map(|p| p.author.handle.as_str())
        .collect();
    let rows = csv_rows(path);
    let want: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["inbound"] == "False")
        .map(|r| r["author_id"].as_str())
        .collect();
    assert_eq!(own, want);
    assert_eq!(own.len(), 76, "the dataset's documented brand count");
    assert!(own.contains("AppleSupport") && own.contains("sprintcare"));
    // No customer is taken for a brand.
    let customers = read.posts.iter().filter(|p| !p.author.own_account);
    assert!(
        customers
            .clone()
            .all(|p| !own.contains(p.author.handle.as_str()))
    );
    assert_eq!(
        customers.count(),
        rows.iter().filter(|r| r["inbound"] == "True").count()
    );
}

#[test]
fn twcs_reply_links_follow_in_response_to_tweet_id() {
    for path in TWCS {
        let read = read_file(Format::Twcs, &data(path));
        let rows = csv_rows(path);
        let want: Vec<Option<String>> = rows
            .iter()
            .map(|r| {
                Some(&r["in_response_to_tweet_id"])
                    .filter(|v| !v.is_empty())
                    .map(|v| int_id(v))
            })
            .collect();
        let got: Vec<Option<String>> = read.posts.iter().map(|p| p.reply_to.clone()).collect();
        assert_eq!(got, want, "{path}");
        assert!(
            got.iter().flatten().all(|id| !id.contains('.')),
            "{path}: float ids"
        );
    }
    let read = read_file(Format::Twcs, &data("twcs/twcs_head_5000.csv"));
    // `1,sprintcare,False,...,2,3.0`: tweet 1 answers tweet 3, and tweet 2 answers tweet 1.
    assert_eq!(post(&read, "1").reply_to.as_deref(), Some("3"));
    assert_eq!(post(&read, "2").reply_to.as_deref(), Some("1"));
    // Threads: every reply whose parent is in the file links to a post that exists.
    let ids: BTreeSet<&str> = read.posts.iter().map(|p| p.native_id.as_str()).collect();
    let linked = read
        .posts
        .iter()
        .filter_map(|p| p.reply_to.as_deref())
        .filter(|id| ids.contains(id))
        .count();
    assert!(linked > 3000, "only {linked} replies find their parent");
}

#[test]
fn twcs_keeps_quirky_rows_intact() {
    // Tweet 3399 holds bare `\r` characters in an unquoted field.
    let read = read_file(Format::Twcs, &data("twcs/twcs_head_5000.csv"));
    let p = post(&read, "3399");
    assert!(
        p.text
            .starts_with("@AskPayPal \r\rI just love the start of email")
    );
    assert!(p.raw.starts_with("2484,3399,116510,True,"));
    assert_eq!(p.reply_to, None);
    assert_eq!(p.links, strings(&["https://t.co/8u1Pf5rJoN"]));
    assert_eq!(p.created_at.to_rfc3339(), "2017-10-31T18:13:06+00:00");

    // CRLF line endings: no `\r` left at the end of the last field or of the raw row.
    let read = read_file(Format::Twcs, &data("twcs/twcs_kaggle_sample_93.csv"));
    assert!(read.posts.iter().all(|p| !p.raw.ends_with('\r')));
    let p = post(&read, "119238");
    assert_eq!(p.reply_to.as_deref(), Some("119239"));
    assert!(p.author.own_account);
    assert_eq!(p.author.handle, "ChaseSupport");
    assert_eq!(p.mentions, strings(&["105835"]));
    assert_eq!(p.links, strings(&["https://t.co/znUu1VJn9r"]));
    assert!(
        p.text.contains("Please DM your name, zip code and"),
        "quoted commas"
    );
    let p = post(&read, "119237");
    assert!(p.text.ends_with("opened😡😡😡"), "emoji: {:?}", p.text);

    // Two pandas index columns in front.
    let read = read_file(Format::Twcs, &data("twcs/spotifycares_inbound_15096.csv"));
    let p = &read.posts[0];
    assert_eq!(
        (p.native_id.as_str(), p.author.handle.as_str()),
        ("849", "115887")
    );
    assert_eq!(p.reply_to.as_deref(), Some("848"));
    assert_eq!(
        p.raw,
        "0,541,849,115887,True,Tue Oct 31 23:36:20 +0000 2017,@SpotifyCares doesn’t work and i even tried deleting the app,851,848.0"
    );
    // HTML entities are decoded in the text, kept in the raw row.
    let p = post(&read, "850");
    assert!(p.text.starts_with("@SpotifyCares Premium & when"));
    assert!(p.raw.contains("Premium &amp; when"));
    assert_eq!(p.mentions, strings(&["spotifycares"]));
}

#[test]
fn twcs_entities_match_the_text_of_every_row() {
    let read = read_file(Format::Twcs, &data("twcs/twcs_head_5000.csv"));
    for p in &read.posts {
        for m in &p.mentions {
            assert!(
                p.text.to_lowercase().contains(&format!("@{m}")),
                "{m} in {}",
                p.text
            );
        }
        for h in &p.hashtags {
            assert!(
                p.text.to_lowercase().contains(&format!("#{h}")),
                "{h} in {}",
                p.text
            );
        }
        for l in &p.links {
            assert!(p.text.contains(l.as_str()), "{l} in {}", p.text);
        }
        assert!(!p.text.contains("&amp;"), "{}", p.text);
    }
    let with = |f: fn(&rapport_domain::Post) -> bool| read.posts.iter().filter(|p| f(p)).count();
    // Nearly every tweet in a support thread addresses someone.
    assert!(with(|p| !p.mentions.is_empty()) > 4800);
    assert!(with(|p| !p.links.is_empty()) > 300);
    assert!(with(|p| !p.hashtags.is_empty()) > 20);
}

#[test]
fn airline_file_reads_every_row_duplicates_included() {
    let path = "airline/airline_sentiment_train.csv";
    let read = read_file(Format::Airline, &data(path));
    let rows = csv_rows(path);
    assert_eq!(read.rejects, vec![]);
    assert_eq!(read.posts.len(), rows.len());
    assert_eq!(read.posts.len(), 8757);
    let mut per_id: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &read.posts {
        *per_id.entry(p.native_id.as_str()).or_default() += 1;
    }
    let distinct: BTreeSet<&str> = rows.iter().map(|r| r["tweet_id"].as_str()).collect();
    assert_eq!(per_id.len(), distinct.len());
    assert!(
        per_id.values().any(|&n| n > 1),
        "the file's duplicated ids are all read"
    );

    for (p, r) in read.posts.iter().zip(&rows) {
        assert_eq!(p.native_id, r["tweet_id"]);
        assert_eq!(p.author.handle, r["name"]);
        assert_eq!(p.engagement.reposts.to_string(), r["retweet_count"]);
        assert_eq!(p.network, rapport_domain::Network::X);
        assert!(!p.author.own_account);
    }
    let p = &read.posts[0];
    assert_eq!(p.native_id, "570306133677760513");
    assert_eq!(p.author.handle, "cairdin");
    assert_eq!(p.text, "@VirginAmerica What @dhepburn said.");
    assert_eq!(p.mentions, strings(&["virginamerica", "dhepburn"]));
    assert_eq!(p.created_at.to_rfc3339(), "2015-02-24T19:35:52+00:00");
    let p = post(&read, "569625739231948800");
    assert_eq!(p.engagement.reposts, 1);
    assert_eq!(p.hashtags, strings(&["oscars", "redcarpet", "oscars2015"]));
}

/// One stray quote once turned the next thousand valid rows into one reject. Now the row with
/// the quote is the only one lost, and its reject says how far the quote ran.
#[test]
fn a_stray_quote_in_a_real_export_loses_only_its_own_line() {
    let path = "twcs/twcs_head_5000.csv";
    let file = std::fs::read_to_string(data(path)).unwrap();
    let rows = csv_rows(path);
    // Open a quote at the start of the text of a plain record past the 100th line, and never
    // close it: a CSV reader then reads on to the next quote in the file.
    let mut lines: Vec<String> = file.split('\n').map(str::to_string).collect();
    let at = (100..lines.len())
        .find(|&i| {
            let parts: Vec<&str> = lines[i].split(',').collect();
            parts.len() == 8 && !lines[i].contains('"') && parts[1].parse::<u64>().is_ok()
        })
        .expect("a plain record");
    let mut parts: Vec<String> = lines[at].split(',').map(str::to_string).collect();
    let victim_id = int_id(&parts[1]);
    parts[5] = format!("\"{}", parts[5]);
    lines[at] = parts.join(",");
    let text = lines.join("\n");
    let read = common::read_bytes(Format::Twcs, text.as_bytes());
    assert_eq!(read.rejects.len(), 1, "{:?}", read.rejects);
    let reject = &read.rejects[0];
    assert_eq!(reject.line as usize, at + 1);
    assert!(
        reject
            .reason
            .contains("is not closed properly and ran over"),
        "{}",
        reject.reason
    );
    assert!(!reject.raw.contains('\n'), "only the broken line is kept");
    assert_eq!(read.posts.len(), rows.len() - 1);
    assert!(read.posts.iter().all(|p| p.native_id != victim_id));
}
