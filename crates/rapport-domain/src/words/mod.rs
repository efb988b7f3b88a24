//! The one word splitter of Rapport: listening queries, the matcher, full-text search and the
//! classifiers all cut a post into words here, so a word a query names is a word a post holds.
//!
//! Words follow Unicode's word boundaries (UAX #29, the rules of Lucene's and Elasticsearch's
//! standard tokenizer, through the `unicode-segmentation` crate): `we're`, `don't`, `3.39` and
//! `e.g` are one word each, a run of katakana is one word, and each Han or hiragana character is
//! a word of its own. On top of them come the entities of social posts, found first: links,
//! `@mentions` (with `_`, `.` and `-` inside, `@name@server` for Mastodon), `#hashtags`,
//! `$cashtags`, and emoji, each one token even when glued to a word (`🙂Thanks` is `🙂` and
//! `Thanks`). A trailing possessive `'s` is dropped as an English analyzer drops it (`John's` is
//! `John`), so `NEAR/n` counts it as one word and a query for `john` finds it.
//!
//! Two tailorings of UAX #29, both for posts: a colon does not join letters (`update:thanks` is
//! two words; the standard joins them, which hides words in posts written without spaces), and
//! text is scanned byte by byte while it is ASCII, asking the Unicode tables only for words that
//! hold other characters, because the matcher splits every post it sees.
//!
//! This lives in the domain because both `rapport-query` and `rapport-nlp` need it and may
//! import only the domain; it is pure computation on a `&str`, as the domain's other rules are.

mod rules;

use rules::{
    cashtag_end, emoji_end, hashtag_end, is_punct, is_word_start, mention_end, possessive_suffix,
    punct_run_end, url_end, word_end,
};

pub use rules::starts_emoji;

/// What a piece of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PieceKind {
    /// Letters (with digits, marks, `_` and inner joiners such as `'` and `.`).
    Word,
    /// Digits only, with inner `.`, `,` or `'` (`3.39`, `1,000`).
    Number,
    Url,
    /// `@name`; the span includes the `@`.
    Mention,
    /// `#tag`; the span includes the `#`.
    Hashtag,
    /// `$TAG`; the span includes the `$`.
    Cashtag,
    /// One emoji grapheme (with its skin tone, ZWJ sequence, keycap or flag pair).
    Emoji,
    /// A run of punctuation: `!?` mixed, or one mark repeated (`...`, `--`).
    Punct,
    /// Any other character that is not a space.
    Symbol,
    /// A span the caller's `claim` took (the sentiment model's emoticons).
    Claimed,
}

/// One piece of text: its kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub kind: PieceKind,
    pub start: usize,
    pub end: usize,
}

impl PieceKind {
    /// Words, numbers and tags: what a query can name and `NEAR/n` counts.
    pub fn is_wordlike(self) -> bool {
        matches!(
            self,
            Self::Word | Self::Number | Self::Mention | Self::Hashtag | Self::Cashtag
        )
    }
}

/// Splits `text` into pieces, spaces left out, calling `emit` for each in order.
pub fn split(text: &str, emit: impl FnMut(Piece)) {
    split_claiming(text, |_, _| None, emit)
}

/// The words of `text` (words, numbers and the names of tags, without sigils), for tests and
/// callers that want strings.
pub fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    split(text, |p| match p.kind {
        PieceKind::Word | PieceKind::Number => out.push(&text[p.start..p.end]),
        PieceKind::Mention | PieceKind::Hashtag | PieceKind::Cashtag => {
            out.push(&text[p.start + 1..p.end])
        }
        _ => {}
    });
    out
}

/// [`split`], letting the caller take a span first wherever a piece starts: `claim(at,
/// after_word)` returns the end of the caller's own entity starting at byte `at` (an emoticon),
/// `after_word` saying whether a word or tag ends right there.
pub fn split_claiming(
    text: &str,
    mut claim: impl FnMut(usize, bool) -> Option<usize>,
    mut emit: impl FnMut(Piece),
) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut after_word = false;
    while i < b.len() {
        let c = char_at(text, i);
        if c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}') {
            i += c.len_utf8();
            after_word = false;
            continue;
        }
        let (kind, end) = piece_at(text, i, c, after_word, &mut claim);
        // A possessive `'s` is dropped from a word, and after a tag (`@sprintcare's`) as well.
        let (shown, next) = match kind {
            PieceKind::Word => {
                let p = possessive_suffix(&text[i..end]);
                (if p < end - i { end - p } else { end }, end)
            }
            PieceKind::Mention | PieceKind::Hashtag => (end, end + possessive_after(text, end)),
            _ => (end, end),
        };
        emit(Piece {
            kind,
            start: i,
            end: shown,
        });
        after_word = kind.is_wordlike();
        i = next;
    }
}

/// The kind and end of the piece starting at byte `i` (character `c`), which is not a space.
fn piece_at(
    text: &str,
    i: usize,
    c: char,
    after_word: bool,
    claim: &mut impl FnMut(usize, bool) -> Option<usize>,
) -> (PieceKind, usize) {
    let b = text.as_bytes();
    if !after_word && let Some(end) = url_end(b, i) {
        return (PieceKind::Url, end);
    }
    if let Some(end) = claim(i, after_word) {
        return (PieceKind::Claimed, end);
    }
    let sigil = match c {
        '@' if !after_word => mention_end(text, i + 1).map(|e| (PieceKind::Mention, e)),
        '#' if !after_word => hashtag_end(text, i + 1).map(|e| (PieceKind::Hashtag, e)),
        '$' if !after_word => cashtag_end(b, i + 1).map(|e| (PieceKind::Cashtag, e)),
        _ => None,
    };
    if let Some(found) = sigil {
        return found;
    }
    if let Some(end) = emoji_end(text, i, c) {
        return (PieceKind::Emoji, end);
    }
    if is_word_start(c) {
        let (end, numeric) = word_end(text, i);
        if numeric {
            return (PieceKind::Number, end);
        }
        // Punctuation-only runs such as `__` are not words.
        if !text[i..end].chars().any(char::is_alphanumeric) {
            return (PieceKind::Punct, end);
        }
        return (PieceKind::Word, end);
    }
    if is_punct(c) {
        return (PieceKind::Punct, punct_run_end(text, i, c));
    }
    (PieceKind::Symbol, i + c.len_utf8())
}

/// Bytes of a possessive `'s` right after `end` that no word follows.
fn possessive_after(text: &str, end: usize) -> usize {
    let rest = &text[end..];
    let n = rest
        .char_indices()
        .take(3)
        .map(|(o, c)| o + c.len_utf8())
        .nth(1)
        .unwrap_or(0);
    if n == 0 || possessive_suffix(&rest[..n]) != n {
        return 0;
    }
    let next = rest[n..].chars().next();
    if next.is_some_and(is_word_start) {
        0
    } else {
        n
    }
}

#[inline]
fn char_at(text: &str, i: usize) -> char {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        b as char
    } else {
        text[i..].chars().next().unwrap_or(' ')
    }
}
