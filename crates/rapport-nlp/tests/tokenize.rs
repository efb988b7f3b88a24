//! The tokenizer on real tweets from ../shared/data, quoted as they appear there.

use TokenKind::*;
use rapport_nlp::{TokenKind, tokenize};

/// (tweet, expected (kind, normalized) tokens of interest, in order).
const CASES: &[(&str, &[(TokenKind, &str)])] = &[
    // twitter-2013train-A.tsv: JSON escapes, money, repeated punctuation, emoticon.
    (
        "Gas by my house hit $3.39!!!! I\\u2019m going to Chapel Hill on Sat. :)",
        &[
            (Punct, "$"),
            (Number, "3.39"),
            (Punct, "!!"),
            (Word, "i'm"),
            (Emoticon, ":)"),
        ],
    ),
    // twitter-2013dev-A.tsv: `\u002c` is a comma.
    (
        "Won the match #getin . Plus\\u002c tomorrow is a very busy day\\u002c with Awareness Day\\u2019s and debates. Gulp. Debates...",
        &[
            (Hashtag, "#getin"),
            (Word, "plus"),
            (Punct, ","),
            // The possessive goes, as an English analyzer drops it.
            (Word, "day"),
            (Punct, "\u{2026}"),
        ],
    ),
    // twitter-2016train-A.tsv: HTML entity, mentions, `C'mon`.
    (
        "@MSAU @Microsoft spent over 40 mins &amp; gave up coz it changes just before you print every time. C'mon team. Earn your dosh pls.",
        &[
            (Mention, "@msau"),
            (Mention, "@microsoft"),
            (Number, "40"),
            (Punct, "&"),
            (Word, "c'mon"),
        ],
    ),
    // twitter-2016test-A.tsv: a link.
    (
        "Order Go Set a Watchman in store or through our website before Tuesday and get it half price! #GSAW @GSAWatchmanBook https://t.co/KET6EGD1an",
        &[
            (Punct, "!"),
            (Hashtag, "#gsaw"),
            (Mention, "@gsawatchmanbook"),
            (Url, "https://t.co/KET6EGD1an"),
        ],
    ),
    // twcs_head_5000.csv (tweet 660): elongation, emoji, link.
    (
        "@115840 ¡Que lindoooooooooo! 😍🐶🎃 ^JJ https://t.co/YSOVnjaPrO",
        &[
            (Mention, "@115840"),
            (Punct, "¡"),
            (Word, "que"),
            (Word, "lindoo"),
            (Punct, "!"),
            (Emoji, "😍"),
            (Emoji, "🐶"),
            (Emoji, "🎃"),
        ],
    ),
    // twcs_head_5000.csv (tweet 747): skin tones and a ZWJ sequence are one emoji each.
    (
        "Hola @AppleSupport necesito urgente la actualización de software. La batería me dura literal medio día 🙍🏼🙇🏼‍♀️",
        &[
            (Word, "actualización"),
            (Word, "batería"),
            (Emoji, "🙍"),
            (Emoji, "🙇\u{200D}♀"),
        ],
    ),
    // spotifycares_inbound_15096.csv (tweet 2667): an emoji glued before a word, a contraction
    // and a possessive, cut as the matcher cuts them (`rapport_domain::words`).
    (
        "@SpotifyCares Got it 😊Thanks admin. It's so helpful, we're fine with Spotify's app",
        &[
            (Emoji, "😊"),
            (Word, "thanks"),
            (Word, "it"),
            (Word, "we're"),
            (Word, "spotify"),
            (Word, "app"),
        ],
    ),
    // twitter-2014sarcasm-A.tsv: an emoticon glued to punctuation.
    (
        "ang sarap mging panganay. Pag ikaw may kylngan wala kang matakbuhan.:D 101 #realtalk #grind #onyourown",
        &[
            (Word, "matakbuhan"),
            (Punct, "."),
            (Emoticon, ":D"),
            (Number, "101"),
            (Hashtag, "#realtalk"),
        ],
    ),
];

#[test]
fn real_tweets_tokenize_into_social_units() {
    for (tweet, expected) in CASES {
        let tokens = tokenize(tweet);
        let got: Vec<(TokenKind, &str)> =
            tokens.iter().map(|t| (t.kind, t.norm.as_str())).collect();
        let mut at = 0;
        for want in *expected {
            match got[at..].iter().position(|g| g == want) {
                Some(p) => at += p + 1,
                None => panic!("{tweet:?}: expected {want:?} after position {at}, got {got:?}"),
            }
        }
    }
}

#[test]
fn flags_elongation_emphasis_and_negation() {
    // twitter-2016train-A.tsv
    let t = tokenize(
        "@Microsoft how about you make a system that doesn't eat my friggin discs. This is the 2nd time this has happened and I am so sick of it!",
    );
    let negated: Vec<&str> = t
        .iter()
        .filter(|t| t.negated)
        .map(|t| t.norm.as_str())
        .collect();
    assert_eq!(negated, ["eat", "my", "friggin", "discs"]);
    let t = tokenize("sooooo happy!!! not good?! :-((( <3");
    let so = &t[0];
    assert!(so.elongated && so.norm == "soo" && so.text == "sooooo");
    assert!(t[2].repeated && t[2].norm == "!!");
    assert!(t[4].negated && t[4].norm == "good");
    assert_eq!(
        (t[5].kind, t[5].norm.as_str(), t[5].repeated),
        (Punct, "?!", true)
    );
    assert_eq!((t[6].kind, t[6].norm.as_str()), (Emoticon, ":("));
    assert_eq!((t[7].kind, t[7].norm.as_str()), (Emoticon, "<3"));
}

#[test]
fn handles_cashtags_and_fediverse_handles() {
    let t = tokenize("$AAPL up, ask @alice.bsky.social or @bob@mastodon.social. 1️⃣ 🇫🇷");
    let got: Vec<(TokenKind, &str)> = t.iter().map(|t| (t.kind, t.norm.as_str())).collect();
    assert_eq!(got[0], (Cashtag, "$AAPL"));
    assert!(got.contains(&(Mention, "@alice.bsky.social")));
    assert!(got.contains(&(Mention, "@bob@mastodon.social")));
    assert!(got.contains(&(Emoji, "1\u{20E3}")));
    assert!(got.contains(&(Emoji, "🇫🇷")));
}
