//! Text normalization and the word tokenizer shared by queries and posts.
//!
//! Queries and posts go through the same two steps, so a query word is found exactly when the
//! post holds the same word: normalize (NFKC, full case folding, optionally accents stripped),
//! then split into tokens. ASCII text, most posts, skips the Unicode tables entirely.

use caseless::Caseless;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Token flags: the token was written with a sigil.
pub(crate) const HASHTAG: u8 = 1;
pub(crate) const MENTION: u8 = 2;
pub(crate) const CASHTAG: u8 = 4;

/// Normalizes `text` into `out` (cleared first): NFKC + case folding, and with `strip_accents`
/// nonspacing marks removed after canonical decomposition. Returns whether `text` was ASCII, in
/// which case stripping accents changes nothing.
pub(crate) fn normalize_into(text: &str, strip_accents: bool, out: &mut String) -> bool {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return true;
    }
    if !strip_accents && fold_normalized(text, out) {
        return false;
    }
    out.clear();
    // Folding can undo NFKC for a few characters, hence the second NFKC.
    let folded = text
        .nfkc()
        .default_case_fold()
        .nfkc()
        .filter(|c| !is_ignorable(*c));
    if strip_accents {
        out.extend(
            folded
                .nfd()
                .filter(|c| c.general_category() != GeneralCategory::NonspacingMark)
                .nfc(),
        );
    } else {
        out.extend(folded);
    }
    false
}

/// The common case of non-ASCII text, emoji or curly quotes in a post already in NFKC: fold
/// character by character and skip the normalizer. Returns false (leaving `out` to be
/// overwritten) when the text needs the full treatment.
fn fold_normalized(text: &str, out: &mut String) -> bool {
    if is_nfkc_quick(text.chars()) != IsNormalized::Yes {
        return false;
    }
    let mut changed = false;
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if !is_ignorable(c) {
            let before = out.len();
            out.extend(std::iter::once(c).default_case_fold());
            changed |= out.len() != before + c.len_utf8() || !out[before..].starts_with(c);
        }
    }
    !changed || is_nfkc_quick(out.chars()) == IsNormalized::Yes
}

/// Normalizes text the way the matcher sees it (NFKC + case folding, accents stripped on
/// request), for indexes that must agree with [`crate::Query::term_filter`].
pub fn normalize_text(text: &str, strip_accents: bool) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, strip_accents, &mut out);
    out
}

/// The post's words as the matcher sees them, one space apart: normalized, tokenized, links
/// left out. A full-text index built over this text cuts words exactly where the matcher does
/// (even where letters touch Han or kana, or emoji), which is what lets
/// [`crate::Query::term_filter`] promise never to exclude a matching post.
pub fn index_text(text: &str) -> String {
    let mut norm = String::with_capacity(text.len());
    normalize_into(text, false, &mut norm);
    let mut toks = Tokens::default();
    tokenize(&norm, &mut toks);
    toks.buf.trim().to_string()
}

/// Characters that only shape how a neighbour is drawn: joiners, variation selectors, skin tones.
fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{fe0e}' | '\u{fe0f}' | '\u{1f3fb}'..='\u{1f3ff}')
}

#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return ASCII_WORD[c as usize];
    }
    is_unicode_word_char(c)
}

static ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'_';
        i += 1;
    }
    t
};

fn is_unicode_word_char(c: char) -> bool {
    !is_single_char_token(c)
        && (c.is_alphanumeric() || c.general_category_group() == GeneralCategoryGroup::Mark)
}

/// Scripts written without spaces (Han, kana) and symbols such as emoji: each character is a
/// token of its own, so a query word of several such characters becomes a phrase.
fn is_single_char_token(c: char) -> bool {
    !c.is_ascii()
        && (is_spaceless_script(c) || c.general_category() == GeneralCategory::OtherSymbol)
}

pub(crate) fn is_spaceless_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3134f}')
}

fn is_handle_char(c: char) -> bool {
    is_word_char(c) || c == '.' || c == '-' || c == '@'
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    /// Byte range of the token's text in [`Tokens::buf`].
    pub start: u32,
    pub end: u32,
    pub flags: u8,
}

/// A tokenized text: `buf` holds every token followed by one space, after a leading space
/// (` my wifi keeps dropping `), so that a whole word is the pattern ` word ` and a prefix is
/// ` pre` for the automaton.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub buf: String,
    pub toks: Vec<Token>,
    pub has_url: bool,
    pub has_mention: bool,
    pub has_hashtag: bool,
}

impl Tokens {
    pub(crate) fn text(&self, i: usize) -> &str {
        let t = self.toks[i];
        &self.buf[t.start as usize..t.end as usize]
    }

    fn push(&mut self, word: &str, flags: u8) {
        let start = self.buf.len() as u32;
        self.buf.push_str(word);
        self.toks.push(Token {
            start,
            end: self.buf.len() as u32,
            flags,
        });
        self.buf.push(' ');
    }
}

/// Splits normalized text into tokens. Words are runs of letters, digits, marks and `_`;
/// `#tag`, `@handle` and `$tag` are one token each, flagged; URLs are skipped (and noted);
/// everything else separates tokens.
pub(crate) fn tokenize(text: &str, out: &mut Tokens) {
    out.buf.clear();
    out.toks.clear();
    // Every token is followed by one space: at most twice the text, plus the leading space.
    out.buf.reserve(text.len() * 2 + 1);
    out.buf.push(' ');
    out.has_url = false;
    out.has_mention = false;
    out.has_hashtag = false;
    let bytes = text.as_bytes();
    let mut prev_word = false;
    let mut i = 0;
    while i < text.len() {
        let c = char_at(text, i);
        let len = c.len_utf8();
        if is_word_char(c) {
            if (c == 'h' || c == 'w') && is_url_at(bytes, i) {
                out.has_url = true;
                i += text[i..]
                    .find(char::is_whitespace)
                    .unwrap_or(text.len() - i);
                prev_word = false;
                continue;
            }
            let end = run_end(text, i, is_word_char);
            out.push(&text[i..end], 0);
            i = end;
            prev_word = true;
            continue;
        }
        let sigil = match c {
            '#' => Some(HASHTAG),
            '@' => Some(MENTION),
            '$' => Some(CASHTAG),
            _ => None,
        };
        // Only a sigil needs the next character decoded.
        let next = sigil.and_then(|_| text[i + len..].chars().next());
        if let (Some(flag), Some(n), false) = (sigil, next, prev_word) {
            let starts = match flag {
                CASHTAG => n.is_alphabetic(),
                _ => is_word_char(n),
            };
            if starts {
                let begin = i + len;
                let mut end = if flag == MENTION {
                    run_end(text, begin, is_handle_char)
                } else {
                    run_end(text, begin, is_word_char)
                };
                // A handle ends before trailing punctuation: `@support.` is `support`.
                while flag == MENTION && matches!(bytes[end - 1], b'.' | b'-' | b'@') {
                    end -= 1;
                }
                // As on the networks, `#1` is not a hashtag: the word stays, the sigil goes.
                if flag == HASHTAG && text[begin..end].bytes().all(|b| b.is_ascii_digit()) {
                    prev_word = false;
                    i = begin;
                    continue;
                }
                out.push(&text[begin..end], flag);
                out.has_mention |= flag == MENTION;
                out.has_hashtag |= flag == HASHTAG;
                i = end;
                prev_word = true;
                continue;
            }
        }
        if is_single_char_token(c) {
            out.push(&text[i..i + len], 0);
        }
        prev_word = false;
        i += len;
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

#[inline]
fn run_end(text: &str, start: usize, keep: impl Fn(char) -> bool) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < text.len() {
        let b = bytes[i];
        if b < 0x80 {
            if !keep(b as char) {
                break;
            }
            i += 1;
        } else {
            let c = char_at(text, i);
            if !keep(c) {
                break;
            }
            i += c.len_utf8();
        }
    }
    i
}

fn is_url_at(bytes: &[u8], i: usize) -> bool {
    let rest = &bytes[i..];
    rest.starts_with(b"http://") || rest.starts_with(b"https://") || rest.starts_with(b"www.")
}

/// The normalized words of a piece of query text, as the tokenizer would see them in a post.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut norm = String::new();
    normalize_into(text, false, &mut norm);
    let mut toks = Tokens::default();
    tokenize(&norm, &mut toks);
    (0..toks.toks.len())
        .map(|i| toks.text(i).to_string())
        .collect()
}

/// Strips accents from one normalized word; a word made only of marks keeps them.
pub(crate) fn strip_accents(word: &str) -> String {
    if word.is_ascii() {
        return word.to_string();
    }
    let mut out = String::new();
    normalize_into(word, true, &mut out);
    if out.is_empty() {
        word.to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<(String, u8)> {
        let mut norm = String::new();
        normalize_into(text, false, &mut norm);
        let mut t = Tokens::default();
        tokenize(&norm, &mut t);
        (0..t.toks.len())
            .map(|i| (t.text(i).to_string(), t.toks[i].flags))
            .collect()
    }

    #[test]
    fn splits_words_tags_and_skips_urls() {
        let got = toks("@Sprint_Care my #WiFi isn't working $TMUS https://t.co/x 🔥ok e@mail.com");
        let want: Vec<(String, u8)> = [
            ("sprint_care", MENTION),
            ("my", 0),
            ("wifi", HASHTAG),
            ("isn", 0),
            ("t", 0),
            ("working", 0),
            ("tmus", CASHTAG),
            ("🔥", 0),
            ("ok", 0),
            ("e", 0),
            ("mail", 0),
            ("com", 0),
        ]
        .iter()
        .map(|(w, f)| (w.to_string(), *f))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn folds_and_composes_unicode() {
        assert_eq!(
            normalize_text("STRASSE Straße ＷｉＦｉ ΣΊΣΥΦΟΣ", false),
            "strasse strasse wifi σίσυφοσ"
        );
        assert_eq!(normalize_text("Café Crème", true), "cafe creme");
        assert_eq!(words("東京"), vec!["東", "京"]);
    }
}
