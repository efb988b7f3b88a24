//! Counting a reply's length the way each network counts it, so the composer can show what is
//! left before the network would refuse the post.
//!
//! - X (twitter-text v3 weighting): the text is NFC-normalized; every URL counts 23; an emoji
//!   (a whole sequence: skin tones, ZWJ families, flags, keycaps) counts 2; other characters
//!   count 1 in Latin, Greek, Cyrillic, Arabic, Hebrew, Indic and other scripts below U+1100 and
//!   in parts of General Punctuation (U+2000–U+200D, U+2010–U+201F, U+2032–U+2037), 2 elsewhere
//!   (CJK, Hangul, most symbols). Limit 280.
//! - Bluesky: grapheme clusters of the text as written. Limit 300.
//! - Mastodon (`StatusLengthValidator`): grapheme clusters, after every URL with a scheme is
//!   replaced by 23 characters and every remote mention `@user@domain` by `@user`. Limit 500
//!   (the server default; the content warning counts too and is not part of the text here).
//! - Import: grapheme clusters, no limit.

mod url;

use crate::Network;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;
use url::{UrlRules, find_urls};

/// What a URL counts on X and Mastodon, whatever its length.
pub const URL_LENGTH: usize = 23;

const X_URLS: UrlRules = UrlRules {
    schemes: &["http", "https"],
    bare_domains: true,
};

/// Mastodon links these schemes too (its `valid_url` override of twitter-text).
const MASTODON_URLS: UrlRules = UrlRules {
    schemes: &[
        "http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini",
    ],
    bare_domains: false,
};

/// The most `count` may be for `network`; `None` where there is no limit.
pub fn limit(network: Network) -> Option<usize> {
    network.post_length_limit()
}

/// The length of `text` as `network` counts it.
pub fn count(network: Network, text: &str) -> usize {
    match network {
        Network::X => x_weighted_length(text),
        Network::Mastodon => mastodon_length(text),
        Network::Bluesky | Network::Import => text.graphemes(true).count(),
    }
}

/// The text a reply goes out with: on Mastodon the answered account's `@acct` goes in front
/// unless the reply names it already (a Mastodon reply reaches, and is threaded for, the people
/// it mentions), and that mention counts towards the length like the rest. Elsewhere the text
/// goes as written (Bluesky and X thread a reply by reference, not by mention).
pub fn as_posted<'a>(
    network: Network,
    text: &'a str,
    answered: Option<&str>,
) -> std::borrow::Cow<'a, str> {
    match answered {
        Some(acct) if names_answered(network) && !acct.is_empty() && !names(text, acct) => {
            format!("@{} {text}", acct.trim_start_matches('@')).into()
        }
        _ => text.into(),
    }
}

/// Whether a reply on `network` goes out naming the account it answers ([`as_posted`]), so
/// that a caller knows whether it needs that account at all.
pub fn names_answered(network: Network) -> bool {
    network == Network::Mastodon
}

/// Whether `text` already names `acct` (`@alice`, or `@alice@host` when `acct` is
/// `alice@host`; any case).
pub fn names(text: &str, acct: &str) -> bool {
    let acct = acct.trim_start_matches('@').to_lowercase();
    let local = acct.split('@').next().unwrap_or(&acct).to_string();
    text.split_whitespace().any(|w| {
        let w = w
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        w == format!("@{acct}") || w == format!("@{local}")
    })
}

/// What is left before the limit (negative when over); `None` where there is no limit.
pub fn remaining(network: Network, text: &str) -> Option<i64> {
    limit(network).map(|l| l as i64 - count(network, text) as i64)
}

/// Whether `network` would take `text` by length.
pub fn fits(network: Network, text: &str) -> bool {
    remaining(network, text).is_none_or(|r| r >= 0)
}

/// twitter-text v3: code points in these ranges weigh 1, all others 2.
const X_LIGHT_RANGES: [(u32, u32); 4] = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];

fn x_char_weight(c: char) -> usize {
    let cp = c as u32;
    if X_LIGHT_RANGES
        .iter()
        .any(|&(lo, hi)| (lo..=hi).contains(&cp))
    {
        1
    } else {
        2
    }
}

/// A grapheme cluster that X counts as one emoji.
fn is_emoji(cluster: &str) -> bool {
    cluster.chars().any(|c| {
        matches!(c as u32,
            0x1F000..=0x1FAFF // pictographs, emoticons, transport, flags' regional indicators
            | 0x2600..=0x27BF // miscellaneous symbols and dingbats
            | 0x2300..=0x23FF // technical (watch, hourglass)
            | 0x2B00..=0x2BFF // arrows and stars
            | 0xFE0F          // emoji presentation of a text character (©️, ‼️)
            | 0x20E3          // keycap (1️⃣)
        )
    })
}

fn x_weighted_length(text: &str) -> usize {
    let text: String = text.nfc().collect();
    let mut total = 0;
    let mut at = 0;
    let weigh = |s: &str| -> usize {
        s.graphemes(true)
            .map(|g| {
                if is_emoji(g) {
                    2
                } else {
                    g.chars().map(x_char_weight).sum()
                }
            })
            .sum()
    };
    for url in find_urls(&text, &X_URLS) {
        total += weigh(&text[at..url.start]) + URL_LENGTH;
        at = url.end;
    }
    total + weigh(&text[at..])
}

/// Ruby's `[[:word:]]`: letters, marks, numbers and connector punctuation.
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || matches!(c, '\u{0300}'..='\u{036F}')
}

fn username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Length in bytes of `first+([.-]+first+)*` at the start of `s`.
fn dotted_run(s: &str, first: fn(char) -> bool) -> usize {
    let run = |s: &str| s.find(|c: char| !first(c)).unwrap_or(s.len());
    let mut end = run(s);
    if end == 0 {
        return 0;
    }
    loop {
        let seps = s[end..]
            .find(|c| !matches!(c, '.' | '-'))
            .unwrap_or(s.len() - end);
        let more = if seps > 0 { run(&s[end + seps..]) } else { 0 };
        if more == 0 {
            return end;
        }
        end += seps + more;
    }
}

/// Remote mentions (`@user@domain`) with the byte length of their `@user` part, following
/// Mastodon's `Account::MENTION_RE`: not after `=`, `/` or a word character, and not followed by
/// another `@` or `://`.
fn remote_mentions(text: &str) -> Vec<(std::ops::Range<usize>, usize)> {
    let mut found = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let before = prev.replace(c);
        if c != '@' || before.is_some_and(|p| p == '=' || p == '/' || word_char(p)) {
            continue;
        }
        let user = dotted_run(&text[i + 1..], username_char);
        if user == 0 {
            continue;
        }
        let mut end = i + 1 + user;
        let domain = match text[end..].strip_prefix('@') {
            Some(rest) => dotted_run(rest, word_char),
            None => 0,
        };
        if domain > 0 {
            end += 1 + domain;
        }
        let after = &text[end..];
        if after.starts_with(['@', '＠']) || after.starts_with("://") || domain == 0 {
            continue;
        }
        found.push((i..end, 1 + user));
    }
    found
}

fn mastodon_length(text: &str) -> usize {
    // Entities sorted by start; a later one overlapping an earlier one is dropped, as Mastodon's
    // `remove_overlapping_entities` does.
    let mut entities: Vec<(std::ops::Range<usize>, Option<usize>)> =
        find_urls(text, &MASTODON_URLS)
            .into_iter()
            .map(|r| (r, None))
            .chain(
                remote_mentions(text)
                    .into_iter()
                    .map(|(r, keep)| (r, Some(keep))),
            )
            .collect();
    entities.sort_by_key(|(r, _)| r.start);
    let mut countable = String::with_capacity(text.len());
    let mut at = 0;
    for (range, keep) in entities {
        if range.start < at {
            continue;
        }
        countable.push_str(&text[at..range.start]);
        match keep {
            Some(n) => countable.push_str(&text[range.start..range.start + n]),
            None => countable.extend(std::iter::repeat_n('x', URL_LENGTH)),
        }
        at = range.end;
    }
    countable.push_str(&text[at..]);
    countable.graphemes(true).count()
}
