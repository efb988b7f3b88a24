//! The scanner: one left-to-right pass over the text that finds token boundaries and flags
//! without allocating, so the sentiment model can hash features straight from it.

use super::TokenKind;
use super::emoticons::emoticon_at;
use rapport_domain::words::{PieceKind, split_claiming};
use std::cell::Cell;

/// A token as byte offsets into the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawToken {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    /// A letter repeated three or more times (`sooooo`).
    pub elongated: bool,
    /// Inside a negation scope (`not [good]`, `don't [like it]`).
    pub negated: bool,
    /// A run of punctuation (`!!!`, `?!`, `...`).
    pub repeated: bool,
    /// For emoticons, the index into the emoticon table.
    pub emoticon: u8,
}

/// Calls `emit` for every token of `text`, in order. Words are cut by the one word splitter
/// of Rapport ([`rapport_domain::words`], the matcher's too); emoticons are claimed before it.
pub(crate) fn scan(text: &str, mut emit: impl FnMut(RawToken)) {
    let mut negating = false;
    // The claim closure finds the emoticon; the emit closure reads which one it was.
    let emoticon = Cell::new(0u8);
    let claim = |at: usize, after_word: bool| {
        // `xD` glued to a word is part of it; `great:)` is a word and an emoticon.
        if after_word && text.as_bytes()[at].is_ascii_alphanumeric() {
            return None;
        }
        let (end, index) = emoticon_at(text, at)?;
        emoticon.set(index as u8);
        Some(end)
    };
    split_claiming(text, claim, |p| {
        let kind = match p.kind {
            PieceKind::Word => TokenKind::Word,
            PieceKind::Number => TokenKind::Number,
            PieceKind::Url => TokenKind::Url,
            PieceKind::Mention => TokenKind::Mention,
            PieceKind::Hashtag => TokenKind::Hashtag,
            PieceKind::Cashtag => TokenKind::Cashtag,
            PieceKind::Emoji => TokenKind::Emoji,
            PieceKind::Punct => TokenKind::Punct,
            PieceKind::Symbol => TokenKind::Symbol,
            PieceKind::Claimed => TokenKind::Emoticon,
        };
        let piece = &text[p.start..p.end];
        let mut tok = RawToken {
            kind,
            start: p.start,
            end: p.end,
            elongated: kind == TokenKind::Word && is_elongated(piece),
            negated: false,
            repeated: kind == TokenKind::Punct && piece.chars().nth(1).is_some(),
            emoticon: if kind == TokenKind::Emoticon {
                emoticon.get()
            } else {
                0
            },
        };
        // Negation scope: from a negator to the next clause boundary.
        match tok.kind {
            TokenKind::Word => {
                if is_scope_breaker(piece) {
                    negating = false;
                } else {
                    tok.negated = negating;
                    if is_negator(piece) {
                        negating = true;
                    }
                }
            }
            TokenKind::Punct if ends_clause(piece) => negating = false,
            TokenKind::Emoticon => negating = false,
            _ => {}
        }
        emit(tok);
    });
}

/// A letter written three or more times in a row (`sooooo`).
fn is_elongated(word: &str) -> bool {
    let (mut prev, mut run) = ('\0', 0);
    for c in word.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        if lower == prev && c.is_alphabetic() {
            run += 1;
            if run >= 3 {
                return true;
            }
        } else {
            (prev, run) = (lower, 1);
        }
    }
    false
}

fn ends_clause(punct: &str) -> bool {
    punct.chars().any(|c| {
        matches!(
            c,
            '.' | ',' | ';' | ':' | '!' | '?' | '\u{2026}' | '\u{3002}' | '\u{FF01}' | '\u{FF1F}'
        )
    })
}

/// Lowercases an ASCII word with `’` as `'` into `buf`; `None` when it is too long or not ASCII
/// (no negator is), so the check never allocates.
fn ascii_lower<'a>(word: &str, buf: &'a mut [u8; 16]) -> Option<&'a [u8]> {
    let mut n = 0;
    for c in word.chars() {
        let c = if c == '\u{2019}' { '\'' } else { c };
        if !c.is_ascii() || n == buf.len() {
            return None;
        }
        buf[n] = c.to_ascii_lowercase() as u8;
        n += 1;
    }
    Some(&buf[..n])
}

/// `not`, `never`, `no`, `nothing`, anything ending in `n't`, and the apostrophe-less spellings.
pub(crate) fn is_negator(word: &str) -> bool {
    let mut buf = [0u8; 16];
    let Some(w) = ascii_lower(word, &mut buf) else {
        return false;
    };
    // A `match` compiles to a switch on length and first bytes: this runs for every word.
    w.ends_with(b"n't")
        || matches!(
            w,
            b"not"
                | b"no"
                | b"never"
                | b"none"
                | b"nobody"
                | b"nothing"
                | b"nowhere"
                | b"neither"
                | b"nor"
                | b"cannot"
                | b"cant"
                | b"dont"
                | b"doesnt"
                | b"didnt"
                | b"isnt"
                | b"arent"
                | b"wasnt"
                | b"werent"
                | b"wont"
                | b"wouldnt"
                | b"shouldnt"
                | b"couldnt"
                | b"havent"
                | b"hasnt"
                | b"hadnt"
                | b"aint"
                | b"mustnt"
                | b"without"
                | b"nope"
                | b"nah"
        )
}

fn is_scope_breaker(word: &str) -> bool {
    let mut buf = [0u8; 16];
    matches!(
        ascii_lower(word, &mut buf),
        Some(b"but" | b"however" | b"although" | b"though")
    )
}
