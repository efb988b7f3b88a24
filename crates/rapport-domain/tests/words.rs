//! The word splitter on the examples of UAX #29 and on real posts from ../shared/data, quoted as
//! they appear there.

use rapport_domain::words::{PieceKind, split, words};

/// (text, its words in order: words, numbers and tag names).
const WORDS: &[(&str, &[&str])] = &[
    // UAX #29, section 4 ("Word Boundaries"), its example sentence.
    (
        "The quick (\u{201C}brown\u{201D}) fox can\u{2019}t jump 32.3 feet, right?",
        &[
            "The",
            "quick",
            "brown",
            "fox",
            "can\u{2019}t",
            "jump",
            "32.3",
            "feet",
            "right",
        ],
    ),
    // UAX #29 rules WB6/WB7 (letters around `.` and `'`), WB11/WB12 (digits around `,` `.`),
    // WB13 (katakana runs), WB13a/b (`_` joins); Han and hiragana are one word per character.
    ("e.g. U.S.A. rock'n'roll", &["e.g", "U.S.A", "rock'n'roll"]),
    (
        "1,000,000 and 3.14; 8.4.24.871",
        &["1,000,000", "and", "3.14", "8.4.24.871"],
    ),
    ("snake_case __init__", &["snake_case", "__init__"]),
    ("アマゾン公式です", &["アマゾン", "公", "式", "で", "す"]),
    // Contractions are one word; the possessive goes as an English analyzer drops it.
    (
        "we're sure it isn't John's",
        &["we're", "sure", "it", "isn't", "John"],
    ),
    ("we\u{2019}re Day\u{2019}s", &["we\u{2019}re", "Day"]),
    // The colon is tailored out: no word hides behind it.
    ("update:thanks 8:08", &["update", "thanks", "8", "08"]),
    // spotifycares_inbound_15096.csv (tweet 2667): an emoji glued before a word.
    (
        "@SpotifyCares Got it 😊Thanks admin. It's so helpful",
        &[
            "SpotifyCares",
            "Got",
            "it",
            "Thanks",
            "admin",
            "It",
            "so",
            "helpful",
        ],
    ),
    // spotifycares_inbound_15096.csv (tweet 17): an emoji glued after a word, a version.
    (
        "Spotify 8.4.24.871 Android version 7.0 ... just updates😊",
        &[
            "Spotify",
            "8.4.24.871",
            "Android",
            "version",
            "7.0",
            "just",
            "updates",
        ],
    ),
    // twcs: handles with underscores; Bluesky and Mastodon handles with dots and a server.
    (
        "@Ask_Spectrum @alice.bsky.social @bob@mastodon.social thanks @sprintcare's",
        &[
            "Ask_Spectrum",
            "alice.bsky.social",
            "bob@mastodon.social",
            "thanks",
            "sprintcare",
        ],
    ),
    // spotifycares_inbound_15096.csv (tweet 4892): Arabic, with emoji.
    (
        "@SpotifyCares @340574 اكو عندهم Arabic support اكو 😂😂 اهرب بعييييد !!",
        &[
            "SpotifyCares",
            "340574",
            "اكو",
            "عندهم",
            "Arabic",
            "support",
            "اكو",
            "اهرب",
            "بعييييد",
        ],
    ),
    // twcs_head_5000.csv (tweet 3854): Devanagari words keep their vowel signs and viramas.
    (
        "@115850 का एकाउंट परमानेंटली डिलीट कैसे करते है?",
        &[
            "115850",
            "का",
            "एकाउंट",
            "परमानेंटली",
            "डिलीट",
            "कैसे",
            "करते",
            "है",
        ],
    ),
    // Links are not words; `#1` is a number; `$5` is money, `$AAPL` a cashtag; e-mail addresses
    // are not mentions.
    (
        "see https://t.co/x, #1 #WiFi $5 $AAPL e@mail.com",
        &["see", "1", "WiFi", "5", "AAPL", "e", "mail.com"],
    ),
];

#[test]
fn words_follow_unicode_boundaries_and_social_entities() {
    for (text, want) in WORDS {
        assert_eq!(words(text), *want, "{text}");
    }
}

fn kinds(text: &str) -> Vec<(PieceKind, &str)> {
    let mut out = Vec::new();
    split(text, |p| out.push((p.kind, &text[p.start..p.end])));
    out
}

#[test]
fn entities_and_emoji_are_pieces_of_their_own() {
    use PieceKind::*;
    assert_eq!(
        kinds("🙂Thanks!!! 👍🏽ok 🙇🏼‍♀️ 🇺🇸 1️⃣ @a_b.c #tag's $TMUS http://x.co/a."),
        [
            (Emoji, "🙂"),
            (Word, "Thanks"),
            (Punct, "!!!"),
            (Emoji, "👍🏽"),
            (Word, "ok"),
            (Emoji, "🙇🏼\u{200D}♀\u{FE0F}"),
            (Emoji, "🇺🇸"),
            (Emoji, "1️⃣"),
            (Mention, "@a_b.c"),
            (Hashtag, "#tag"),
            (Cashtag, "$TMUS"),
            (Url, "http://x.co/a"),
            (Punct, "."),
        ]
    );
}

/// Every real post splits into pieces in order, without overlaps, covering every non-space
/// character except dropped possessives.
#[test]
fn pieces_tile_real_posts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/twcs");
    let text = std::fs::read_to_string(dir.join("twcs_head_5000.csv")).expect("shared data");
    let mut last = 0;
    let mut pieces = 0;
    for line in text.lines() {
        last = 0;
        split(line, |p| {
            assert!(p.start >= last && p.end > p.start, "{line}");
            let gap = &line[last..p.start];
            assert!(
                gap.chars().all(|c| c.is_whitespace()
                    || matches!(c, '\'' | '\u{2019}' | 's' | 'S' | '\u{200B}' | '\u{FEFF}')),
                "{gap:?} skipped in {line}"
            );
            last = p.end;
            pieces += 1;
        });
    }
    assert!(pieces > 100_000, "{pieces}");
    let _ = last;
}
