//! The care report per own account, checked against figures computed from the twcs file
//! alone (the csv crate, no importer, no store): inbound, answered, response rate and median
//! reply time for every brand.

mod common;

use chrono::DateTime;
use common::{csv_reader, data, engine, import};
use rapport_connectors::Format;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// One brand's figures as the file says them.
#[derive(Debug, PartialEq)]
struct Figures {
    inbound: u64,
    answered: u64,
    median_reply_seconds: Option<f64>,
}

struct Row {
    author: String,
    brand: bool,
    at: i64,
    text: String,
    parent: Option<String>,
}

/// Per brand (lowercased author_id of the `inbound=False` rows): the customer rows that
/// @mention it or reply to one of its rows, those one of its rows replies to, and the median
/// over those of the seconds to its earliest such reply.
fn figures_from_csv(path: &PathBuf) -> BTreeMap<String, Figures> {
    let mut rdr = csv_reader(path);
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_c, author_c, inbound_c, at_c, text_c, parent_c) = (
        col("tweet_id"),
        col("author_id"),
        col("inbound"),
        col("created_at"),
        col("text"),
        col("in_response_to_tweet_id"),
    );
    let mut rows: HashMap<String, Row> = HashMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let parent = r[parent_c].trim_end_matches('\r').trim_end_matches(".0");
        let at = DateTime::parse_from_str(&r[at_c], "%a %b %d %H:%M:%S %z %Y").unwrap();
        rows.insert(
            r[id_c].to_string(),
            Row {
                author: r[author_c].to_lowercase(),
                brand: &r[inbound_c] == "False",
                at: at.timestamp(),
                text: r[text_c].to_string(),
                parent: (!parent.is_empty()).then(|| parent.to_string()),
            },
        );
    }
    let brands: HashSet<&str> = rows
        .values()
        .filter(|r| r.brand)
        .map(|r| r.author.as_str())
        .collect();
    // Each brand's direct replies, by the row they answer: the earliest time.
    let mut first_reply: HashMap<(&str, &str), i64> = HashMap::new();
    for r in rows.values().filter(|r| r.brand) {
        if let Some(p) = &r.parent {
            let e = first_reply
                .entry((r.author.as_str(), p.as_str()))
                .or_insert(r.at);
            *e = (*e).min(r.at);
        }
    }
    let mut delays: BTreeMap<String, (u64, Vec<i64>)> = BTreeMap::new();
    for (id, r) in rows.iter().filter(|(_, r)| !r.brand) {
        // A handle is @ followed by letters, digits and underscores.
        let mut addressed: HashSet<&str> = r
            .text
            .split('@')
            .skip(1)
            .map(|rest| {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                rest[..end].to_lowercase()
            })
            .filter_map(|h| brands.get(h.as_str()).copied())
            .collect();
        if let Some(parent) = r.parent.as_ref().and_then(|p| rows.get(p))
            && parent.brand
        {
            addressed.insert(parent.author.as_str());
        }
        for brand in addressed {
            let entry = delays.entry(brand.to_string()).or_default();
            entry.0 += 1;
            if let Some(reply) = first_reply.get(&(brand, id.as_str())) {
                entry.1.push(reply - r.at);
            }
        }
    }
    delays
        .into_iter()
        .map(|(brand, (inbound, mut d))| {
            d.sort_unstable();
            let n = d.len();
            let median = (n > 0).then(|| (d[(n - 1) / 2] + d[n / 2]) as f64 / 2.0);
            (
                brand,
                Figures {
                    inbound,
                    answered: n as u64,
                    median_reply_seconds: median,
                },
            )
        })
        .collect()
}

#[tokio::test]
async fn the_care_report_agrees_with_the_twcs_file() {
    let path = data("twcs/twcs_head_5000.csv");
    let expected = figures_from_csv(&path);
    // The file holds what the check needs: many brands addressed, many answering.
    let answering = expected.values().filter(|f| f.answered > 0).count();
    assert!(expected.len() > 50 && answering > 30, "{expected:?}");
    assert!(expected["applesupport"].answered > 100);

    let engine = engine().await;
    let (summary, rejects) = import(&engine, Format::Twcs, &path).await;
    assert!(rejects.is_empty() && summary.imported == 5_000);
    let report = engine.account_responses().await.unwrap();
    let mut got = BTreeMap::new();
    for a in &report {
        let rate = a.response_rate();
        if a.inbound == 0 {
            assert_eq!(rate, None, "{a:?}");
            continue;
        }
        assert_eq!(rate, Some(a.answered as f64 / a.inbound as f64));
        got.insert(
            a.handle.to_lowercase(),
            Figures {
                inbound: a.inbound,
                answered: a.answered,
                median_reply_seconds: a.median_reply_seconds(),
            },
        );
    }
    assert_eq!(got, expected);
    // Most addressed first.
    assert!(report.windows(2).all(|w| w[0].inbound >= w[1].inbound));
}
