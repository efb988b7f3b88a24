//! On the real posts of `twcs_head_5000.csv`: the all-topics matcher agrees with evaluating
//! every topic alone, and a topic's term filter never rules out a post the topic matches.

use chrono::Utc;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rapport_domain::{Author, Engagement, Network, Post, TermFilter, TopicId, TopicOptions};
use rapport_query::{Matcher, Query, index_text, matches, parse};
use std::collections::{BTreeMap, HashSet};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twcs/twcs_head_5000.csv"
);

/// Columns: (pandas index), tweet_id, author_id, inbound, created_at, text,
/// response_tweet_id, in_response_to_tweet_id.
fn load_posts() -> Vec<Post> {
    // Only `\n` ends a record: one text holds bare `\r` characters outside quotes.
    let mut reader = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(DATA)
        .expect("twcs_head_5000.csv is readable");
    reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV record");
            let text = r[5].to_string();
            let mentions = text
                .split_whitespace()
                .filter_map(|w| w.strip_prefix('@'))
                .map(|h| {
                    h.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_')
                        .to_lowercase()
                })
                .filter(|h| !h.is_empty())
                .collect();
            Post {
                network: Network::X,
                native_id: r[1].to_string(),
                author: Author {
                    handle: r[2].to_string(),
                    own_account: &r[3] == "False",
                    ..Author::default()
                },
                text,
                created_at: Utc::now(),
                lang: Some("en".into()),
                reply_to: (!r[7].is_empty()).then(|| r[7].trim_end_matches(".0").to_string()),
                reply_to_handle: None,
                root_id: None,
                mentions,
                hashtags: Vec::new(),
                cashtags: Vec::new(),
                links: Vec::new(),
                engagement: Engagement::default(),
                raw: String::new(),
            }
        })
        .collect()
}

const HANDWRITTEN: &[&str] = &[
    "refund",
    "\"customer service\"",
    "\"customer service\"~2 (bad OR worst OR terrible)",
    "@AppleSupport (battery OR update*)",
    "iphone OR ios OR #ios11",
    "delay* NEAR/3 flight*",
    "flight NEAR/2f delayed",
    "(wifi OR internet OR connection) -from:sprintcare",
    "to:AmazonHelp package",
    "from:ChipotleTweets sorry",
    "is:reply dm",
    "has:mention help",
    "has:link",
    "lang:en \"please send\"",
    "sprint* -\"sprint care\"",
    "order* AND (late OR missing OR never)",
    "\"let us know\" OR \"let me know\"",
    "thank* NEAR/5 help*",
    "uber OR lyft",
    "💯 OR 😡 OR 🙄",
    "don't",
    "café OR cafe",
    "@sprintcare OR @verizonsupport OR @tmobilehelp",
    "app crash* OR app NEAR/3 crashing",
];

fn topics(posts: &[Post]) -> Vec<(TopicId, Query, TopicOptions)> {
    let mut vocab: Vec<String> = posts
        .iter()
        .flat_map(|p| p.text.split(|c: char| !c.is_ascii_alphabetic()))
        .filter(|w| w.len() >= 4)
        .map(str::to_lowercase)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    vocab.sort();
    let mut rng = StdRng::seed_from_u64(5000);
    let mut queries: Vec<String> = HANDWRITTEN.iter().map(|q| q.to_string()).collect();
    for i in 0..96 {
        let mut w = || vocab[rng.random_range(0..vocab.len())].clone();
        let (a, b, c) = (w(), w(), w());
        queries.push(match i % 6 {
            0 => a,
            1 => format!("{a} OR {b} OR {c}"),
            2 => format!("{a} -{b}"),
            3 => format!("{}* OR #{b}", &a[..4]),
            4 => format!("{a} NEAR/4 {b} OR {c}"),
            _ => format!("\"{a} {b}\"~3 OR {c}"),
        });
    }
    queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let query = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
            // Every third topic ignores accents, so both kinds share one matcher.
            let options = TopicOptions {
                ignore_accents: i % 3 == 2,
            };
            (TopicId(i as i64 * 3 + 1), query, options)
        })
        .collect()
}

#[test]
fn all_topics_matcher_agrees_with_each_topic_alone() {
    let posts = load_posts();
    assert_eq!(posts.len(), 5000);
    let topics = topics(&posts);
    let matcher = Matcher::new(topics.clone());
    assert_eq!(matcher.len(), topics.len());
    let mut out = Vec::new();
    let mut per_topic: BTreeMap<TopicId, usize> = BTreeMap::new();
    for post in &posts {
        out.clear();
        matcher.match_post(post, None, &mut out);
        let alone: Vec<TopicId> = topics
            .iter()
            .filter(|(_, q, o)| matches(q, o, post, None))
            .map(|(id, _, _)| *id)
            .collect();
        assert_eq!(out, alone, "post {} {:?}", post.native_id, post.text);
        for id in &out {
            *per_topic.entry(*id).or_default() += 1;
        }
    }
    // The comparison means something only if many topics match many posts.
    assert!(
        per_topic.len() >= 60,
        "only {} topics matched anything",
        per_topic.len()
    );
    let total: usize = per_topic.values().sum();
    assert!(total >= 3000, "only {total} matches");
    // Hand-checked anchors: brand replies keep asking customers to let them know, and
    // refunds come up.
    let count = |q: &str| {
        let i = HANDWRITTEN
            .iter()
            .position(|h| *h == q)
            .expect("a handwritten query");
        per_topic
            .get(&TopicId(i as i64 * 3 + 1))
            .copied()
            .unwrap_or(0)
    };
    assert!(count("\"let us know\" OR \"let me know\"") >= 20);
    assert!(count("refund") >= 5);
}

/// A full-text index as a store builds one over `index_text`: runs of letters and digits.
fn index_words(post: &Post) -> HashSet<String> {
    index_text(&post.text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn accepts(filter: &TermFilter, words: &HashSet<String>) -> bool {
    filter.is_scan_all()
        || filter.any_of.iter().any(|group| {
            group.iter().all(|w| match w.strip_suffix('*') {
                Some(stem) => words.iter().any(|x| x.starts_with(stem)),
                None => words.contains(w),
            })
        })
}

#[test]
fn term_filter_never_excludes_a_matching_post() {
    let posts = load_posts();
    let topics = topics(&posts);
    let indexed: Vec<HashSet<String>> = posts.iter().map(index_words).collect();
    let mut narrowing = 0;
    for (_, query, options) in &topics {
        let filter = query.term_filter_for(options);
        let mut candidates = 0;
        for (post, words) in posts.iter().zip(&indexed) {
            let candidate = accepts(&filter, words);
            candidates += usize::from(candidate);
            if matches(query, options, post, None) {
                assert!(
                    candidate,
                    "{query} filter {filter:?} excludes {:?}",
                    post.text
                );
            }
        }
        if candidates < posts.len() / 2 {
            narrowing += 1;
        }
    }
    // Most topics name words, so their filters must actually narrow the search.
    assert!(
        narrowing >= topics.len() / 2,
        "only {narrowing} filters narrow the search"
    );
}

#[test]
fn term_filter_shapes() {
    let f = |q: &str| parse(q).unwrap().term_filter().any_of;
    let v = |groups: &[&[&str]]| -> Vec<Vec<String>> {
        groups
            .iter()
            .map(|g| g.iter().map(|w| w.to_string()).collect())
            .collect()
    };
    assert_eq!(f("Router"), v(&[&["router"]]));
    assert_eq!(
        f("apple (pie OR tart)"),
        v(&[&["apple", "pie"], &["apple", "tart"]])
    );
    assert_eq!(f("\"wifi dropping\"~3 -spam"), v(&[&["dropping", "wifi"]]));
    assert_eq!(f("connect* NEAR/2 lost"), v(&[&["connect*", "lost"]]));
    assert_eq!(f("apple #sale"), v(&[&["apple"]]));
    assert_eq!(f("Straße"), v(&[&["strasse"]]));
    assert!(parse("#sale OR apple").unwrap().term_filter().is_scan_all());
    assert!(
        parse("lang:fr is:reply")
            .unwrap()
            .term_filter()
            .is_scan_all()
    );
    assert!(parse("covid_19").unwrap().term_filter().is_scan_all());
    assert!(parse("🔥 OR fire").unwrap().term_filter().is_scan_all());
    let q = parse("café").unwrap();
    assert!(!q.term_filter_for(&TopicOptions::default()).is_scan_all());
    assert!(
        q.term_filter_for(&TopicOptions {
            ignore_accents: true
        })
        .is_scan_all()
    );
}

#[test]
fn matcher_is_shared_across_threads_and_reports_each_id_once() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Matcher>();
    let q = |s: &str| parse(s).unwrap();
    let opts = TopicOptions::default();
    // The same id twice, and a caller's buffer that already holds ids.
    let matcher = Matcher::new([
        (TopicId(9), q("refund"), opts.clone()),
        (TopicId(4), q("refund OR money"), opts.clone()),
        (TopicId(9), q("money"), opts.clone()),
    ]);
    let posts = load_posts();
    let post = posts
        .iter()
        .find(|p| p.text.contains("refund") && p.text.contains("money"))
        .expect("a post about a refund and money");
    let mut out = vec![TopicId(9)];
    matcher.match_post(post, None, &mut out);
    assert_eq!(out, vec![TopicId(9), TopicId(4), TopicId(9)]);
    let handle = std::thread::spawn(move || {
        let mut out = Vec::new();
        matcher.match_post(&posts[0], None, &mut out);
        out
    });
    assert_eq!(handle.join().unwrap(), Vec::<TopicId>::new());
}
