//! Reply length as each network counts it. The X cases follow twitter-text's v3 conformance
//! suite (`validate.yml`, WeightedTweetsWithDiscountedEmojiCounterTest).

use rapport_domain::Network;
use rapport_domain::compose::{URL_LENGTH, count, fits, limit, remaining};

#[test]
fn x_weighted_length_table() {
    let cjk_160 = "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。遥知兄弟登高处，遍插茱萸少一人。";
    let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}";
    let long_285 = format!("285 chars-{}", "xxxxxxxxxx-".repeat(25));
    let ten_urls = "https://www.twitter.com/aloha ".repeat(10);
    let table: &[(&str, &str, usize)] = &[
        ("plain", "I am a Tweet", 12),
        ("empty", "", 0),
        ("url with text", "Hi http://test.co", 26),
        ("just a url", "http://test.co", 23),
        (
            "a very long url still counts 23",
            "https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            23,
        ),
        (
            "a bare domain is a url",
            "example.com/path/to/resource?search=foo&lang=en",
            23,
        ),
        ("long text", &long_285, 285),
        ("ten urls", &ten_urls, 240),
        ("160 CJK characters count double", cjk_160, 320),
        ("3 latin + 160 CJK", &format!("the{cjk_160}"), 323),
        ("160 emoji", &"😷".repeat(160), 320),
        ("140 ZWJ families are 280", &family.repeat(140), 280),
        (
            "decomposed Á is normalized to one character",
            "A\u{301}B",
            2,
        ),
        ("emoji in and outside the BMP", "😷👾😡🔥💩", 10),
        (
            "skin tone and ZWJ sequences",
            "\u{1F64B}\u{1F3FD}\u{1F468}\u{200D}\u{1F3A4}",
            4,
        ),
        (
            "Unicode 10 emoji, tag-sequence flag",
            "Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; 🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
            34,
        ),
        (
            "keycap and regional-indicator flag",
            "1\u{FE0F}\u{20E3}🇩🇪",
            4,
        ),
        (
            "general punctuation weighs 1",
            "\u{2000}\u{2001}\u{2010}\u{2014}\u{201C}\u{201D}\u{2032}",
            7,
        ),
        ("bullet and ellipsis weigh 2", "\u{2022}\u{2026}", 4),
        (
            "Cyrillic, Arabic and Devanagari weigh 1 per code point",
            "Привет مرحبا नमस्ते",
            19,
        ),
        ("Hangul weighs 2", "트위터", 6),
        (
            "a 64-character label is not a domain",
            "randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com",
            68,
        ),
    ];
    for (name, text, expected) in table {
        assert_eq!(count(Network::X, text), *expected, "{name}");
    }
}

#[test]
fn bluesky_counts_grapheme_clusters() {
    let table: &[(&str, usize)] = &[
        ("hello", 5),
        (
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}",
            1,
        ),
        ("e\u{301}", 1),
        ("🇩🇪🇫🇷", 2),
        ("故人西辞", 4),
        ("https://example.com/a-rather-long-path", 38),
        ("नमस्ते", 3),
    ];
    for (text, expected) in table {
        assert_eq!(count(Network::Bluesky, text), *expected, "{text}");
    }
}

#[test]
fn mastodon_counts_urls_as_23_and_remote_mentions_by_username() {
    let table: &[(&str, usize)] = &[
        ("hello", 5),
        (
            "see https://example.com/a/very/long/path/that/goes/on/and/on",
            4 + URL_LENGTH,
        ),
        ("gemini://example.org/capsule", URL_LENGTH),
        ("a bare example.com is text", 26),
        ("@alice@mastodon.social hi", 9),
        ("@alice hi", 9),
        ("cc @bob@example.org.", 8),
        ("@a@x.org @b@y.org", 5),
        ("email me: alice@example.org", 27),
        ("https://mastodon.social/@alice", URL_LENGTH),
        (
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466} @x@y.z",
            4,
        ),
    ];
    for (text, expected) in table {
        assert_eq!(count(Network::Mastodon, text), *expected, "{text}");
    }
}

#[test]
fn limits_come_from_the_network() {
    assert_eq!(limit(Network::X), Some(280));
    assert_eq!(limit(Network::Bluesky), Some(300));
    assert_eq!(limit(Network::Mastodon), Some(500));
    assert_eq!(limit(Network::Import), None);
    let at_limit = "a".repeat(277) + "故人";
    assert_eq!(count(Network::X, &at_limit), 281);
    assert_eq!(remaining(Network::X, &at_limit), Some(-1));
    assert!(!fits(Network::X, &at_limit));
    assert!(
        fits(Network::Bluesky, &at_limit),
        "279 graphemes fit in 300"
    );
    // 256 + space + a 120-character URL counted as 23.
    let url_heavy = format!(
        "{} https://example.com/{}",
        "a".repeat(256),
        "p".repeat(100)
    );
    assert_eq!(count(Network::X, &url_heavy), 280);
    assert!(fits(Network::X, &url_heavy) && fits(Network::Import, &"x".repeat(100_000)));
}

/// Splits one CSV record per line-joined chunk, handling quotes; enough for the twcs files.
fn csv_records(data: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = data.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            _ => field.push(c),
        }
    }
    records
}

/// The part of a tweet X counted: since 2017 the @mentions that open a reply and the link X
/// appends for attached media or a quoted tweet sit outside `display_text_range`.
fn display_text(text: &str) -> &str {
    let mut rest = text.trim_start();
    while rest.starts_with('@') {
        rest = rest
            .find(char::is_whitespace)
            .map_or("", |n| rest[n..].trim_start());
    }
    match rest.rfind(" https://t.co/") {
        Some(n) if !rest[n + 1..].contains(char::is_whitespace) => &rest[..n],
        _ => rest,
    }
}

#[test]
fn every_real_tweet_fits_the_limit_x_enforced() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/twcs/twcs_head_5000.csv"
    );
    let data = std::fs::read_to_string(path).expect("twcs sample");
    let records = csv_records(&data);
    assert_eq!(records[0][5], "text");
    let texts: Vec<String> = records[1..]
        .iter()
        // The API escaped these three characters; X counted the characters themselves.
        .map(|r| {
            r[5].replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect();
    assert_eq!(texts.len(), 5000);
    let counts: Vec<usize> = texts
        .iter()
        .map(|t| count(Network::X, display_text(t)))
        .collect();
    let over: Vec<_> = texts
        .iter()
        .zip(&counts)
        .filter(|(_, c)| **c > 280)
        .collect();
    assert!(
        over.is_empty(),
        "tweets X accepted count over 280: {over:?}"
    );
    // Some real tweets use the whole allowance: the count does not run short either.
    let at_limit: Vec<_> = texts
        .iter()
        .zip(&counts)
        .filter(|(_, c)| **c == 280)
        .collect();
    assert!(
        !at_limit.is_empty(),
        "longest tweet counts {:?}",
        counts.iter().max()
    );
    // One of them holds a link (23), `’` (weight 1) and an escaped `&`: each counted right, or
    // it would not land on 280 exactly.
    assert!(
        at_limit
            .iter()
            .any(|(t, _)| t.contains("https://t.co/") && t.contains('’') && t.contains('&')),
        "{at_limit:?}"
    );
}

#[test]
fn a_mastodon_reply_names_the_answered_account_once() {
    use rapport_domain::compose::{as_posted, names};
    assert_eq!(
        as_posted(
            Network::Mastodon,
            "We are on it",
            Some("alice@mastodon.example")
        ),
        "@alice@mastodon.example We are on it"
    );
    // Named already, by local part or whole, in any case: nothing is added.
    for text in ["@Alice we are on it", "thanks @alice@mastodon.example!"] {
        assert_eq!(
            as_posted(Network::Mastodon, text, Some("alice@mastodon.example")),
            text
        );
    }
    // A name that only starts like hers is someone else.
    assert!(!names("@alicea thanks", "alice"));
    assert!(!names("thanks alice", "alice"));
    // Bluesky and X thread by reference: the text goes as written.
    for network in [Network::Bluesky, Network::X] {
        assert_eq!(
            as_posted(network, "We are on it", Some("alice")),
            "We are on it"
        );
    }
    assert_eq!(
        as_posted(Network::Mastodon, "We are on it", None),
        "We are on it"
    );
}
