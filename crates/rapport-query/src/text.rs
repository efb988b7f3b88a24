//! Text normalization and the word tokenizer shared by queries and posts.
//!
//! Queries and posts go through the same two steps, so a query word is found exactly when the
//! post holds the same word: normalize (NFKC, full case folding, optionally accents stripped),
//! then split into tokens. ASCII text, most posts, skips the Unicode tables entirely.

use caseless::Caseless;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

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
        .filter(|c| !is_ignorable(*c))
        .map(|c| if c == '\u{2019}' { '\'' } else { c });
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
        } else if c == '\u{2019}' {
            // The typographic apostrophe is the ASCII one: `we’re` is the word `we're`.
            out.push('\'');
            changed = true;
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

/// Symbols other than emoji (`™`, `♫`) are words of their own, as they were before emoji had
/// a kind: a query may name them.
fn is_symbol_token(c: char) -> bool {
    !c.is_ascii() && c.general_category() == GeneralCategory::OtherSymbol
}

/// Scripts written without spaces (Han, kana): a store's full-text index may cut them
/// differently from the splitter, so the term filter leaves them out.
pub(crate) fn is_spaceless_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3134f}')
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

/// Splits normalized text into tokens with the one word splitter of Rapport
/// ([`rapport_domain::words`]: UAX #29 words, `we're` being one): `#tag`, `@handle` and `$tag`
/// are one token each, flagged and without the sigil; emoji and other symbols are tokens of
/// their own; links are skipped (and noted); punctuation separates tokens.
pub(crate) fn tokenize(text: &str, out: &mut Tokens) {
    use rapport_domain::words::{PieceKind, split};
    out.buf.clear();
    out.toks.clear();
    // Every token is followed by one space: at most twice the text, plus the leading space.
    out.buf.reserve(text.len() * 2 + 1);
    out.buf.push(' ');
    out.has_url = false;
    out.has_mention = false;
    out.has_hashtag = false;
    split(text, |p| {
        let piece = &text[p.start..p.end];
        match p.kind {
            PieceKind::Word | PieceKind::Number | PieceKind::Emoji => out.push(piece, 0),
            PieceKind::Mention => {
                out.push(&piece[1..], MENTION);
                out.has_mention = true;
            }
            PieceKind::Hashtag => {
                out.push(&piece[1..], HASHTAG);
                out.has_hashtag = true;
            }
            PieceKind::Cashtag => out.push(&piece[1..], CASHTAG),
            PieceKind::Url => out.has_url = true,
            PieceKind::Symbol if piece.chars().next().is_some_and(is_symbol_token) => {
                out.push(piece, 0)
            }
            _ => {}
        }
    });
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
            ("isn't", 0),
            ("working", 0),
            ("tmus", CASHTAG),
            ("🔥", 0),
            ("ok", 0),
            ("e", 0),
            ("mail.com", 0),
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
