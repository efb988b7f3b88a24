//! The scanner: one left-to-right pass over the text that finds token boundaries and flags
//! without allocating, so the sentiment model can hash features straight from it.

use super::TokenKind;
use super::emoticons::{emoticon_at, starts_emoji};
use unicode_segmentation::UnicodeSegmentation;

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

/// Calls `emit` for every token of `text`, in order.
pub(crate) fn scan(text: &str, mut emit: impl FnMut(RawToken)) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut negating = false;
    while i < b.len() {
        let c = char_at(text, i);
        if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
            i += c.len_utf8();
            continue;
        }
        let after_word = i > 0 && is_word_char(char_before(text, i));
        let mut tok = RawToken {
            kind: TokenKind::Symbol,
            start: i,
            end: i + c.len_utf8(),
            elongated: false,
            negated: false,
            repeated: false,
            emoticon: 0,
        };
        if let Some(end) = url_at(b, i) {
            (tok.kind, tok.end) = (TokenKind::Url, end);
        } else if let Some((end, index)) = (!(after_word && c.is_ascii_alphanumeric()))
            .then(|| emoticon_at(text, i))
            .flatten()
        {
            (tok.kind, tok.end, tok.emoticon) = (TokenKind::Emoticon, end, index as u8);
        } else if c == '@'
            && !after_word
            && let Some(end) = mention_end(b, i + 1)
        {
            (tok.kind, tok.end) = (TokenKind::Mention, end);
        } else if c == '#'
            && !after_word
            && let Some(end) = hashtag_end(text, i + 1)
        {
            (tok.kind, tok.end) = (TokenKind::Hashtag, end);
        } else if c == '$'
            && !after_word
            && let Some(end) = cashtag_end(b, i + 1)
        {
            (tok.kind, tok.end) = (TokenKind::Cashtag, end);
        } else if starts_emoji(c) || is_keycap(text, i) {
            let g = text[i..].graphemes(true).next().unwrap_or("");
            (tok.kind, tok.end) = (TokenKind::Emoji, i + g.len().max(c.len_utf8()));
        } else if is_word_char(c) {
            let (end, kind, elongated) = word_end(text, i);
            (tok.kind, tok.end, tok.elongated) = (kind, end, elongated);
        } else if c == '$' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let (end, _, _) = word_end(text, i + 1);
            (tok.kind, tok.end) = (TokenKind::Number, end);
        } else if is_punct(c) {
            let end = punct_run_end(text, i, c);
            tok.kind = TokenKind::Punct;
            tok.repeated = text[i..end].chars().count() > 1;
            tok.end = end;
        }
        // Negation scope: from a negator to the next clause boundary.
        match tok.kind {
            TokenKind::Word => {
                let word = &text[tok.start..tok.end];
                if is_scope_breaker(word) {
                    negating = false;
                } else {
                    tok.negated = negating;
                    if is_negator(word) {
                        negating = true;
                    }
                }
            }
            TokenKind::Punct if ends_clause(&text[tok.start..tok.end]) => negating = false,
            TokenKind::Emoticon => negating = false,
            _ => {}
        }
        i = tok.end;
        emit(tok);
    }
}

fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or(' ')
}

fn char_before(text: &str, i: usize) -> char {
    text[..i].chars().next_back().unwrap_or(' ')
}

/// Letters, digits and the combining marks that some scripts write words with.
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric()
        || matches!(c as u32,
            0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A
            | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x0900..=0x0DFF | 0x0E00..=0x0EFF
            | 0x1AB0..=0x1AFF | 0x200C | 0x200D | 0x3099 | 0x309A)
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3000..=0x303F | 0xFF01..=0xFF0F
            | 0xFF1A..=0xFF1F | 0x00A1 | 0x00BF | 0x00AB | 0x00BB)
}

fn is_keycap(text: &str, i: usize) -> bool {
    let mut cs = text[i..].chars();
    matches!(cs.next(), Some('0'..='9' | '#' | '*'))
        && matches!(cs.next(), Some('\u{FE0F}' | '\u{20E3}'))
}

fn url_at(b: &[u8], i: usize) -> Option<usize> {
    if !matches!(b[i], b'h' | b'H' | b'w' | b'W') {
        return None;
    }
    let rest = &b[i..];
    let prefix = [&b"https://"[..], b"http://", b"www."]
        .into_iter()
        .find(|p| rest.len() > p.len() && rest[..p.len()].eq_ignore_ascii_case(p))?;
    let mut end = i + prefix.len();
    while end < b.len() && !(b[end] as char).is_ascii_whitespace() && !is_unicode_space_at(b, end) {
        end += 1;
    }
    // Sentence punctuation right after a link belongs to the sentence.
    while end > i + prefix.len()
        && matches!(
            b[end - 1],
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b'"' | b'\''
        )
    {
        end -= 1;
    }
    (end > i + prefix.len()).then_some(end)
}

fn is_unicode_space_at(b: &[u8], i: usize) -> bool {
    // U+00A0, U+2000..U+200B, U+3000 appear in pasted text; ends a link like ASCII space does.
    (b[i] == 0xC2 && b.get(i + 1) == Some(&0xA0))
        || (b[i] == 0xE2 && b.get(i + 1) == Some(&0x80) && b.get(i + 2).is_some_and(|x| *x <= 0x8B))
        || (b[i] == 0xE3 && b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0x80))
}

/// `@name`, `@name.bsky.social`, `@name@mastodon.social`.
fn mention_end(b: &[u8], from: usize) -> Option<usize> {
    let handle = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    let mut end = from;
    while end < b.len() {
        let joiner = matches!(b[end], b'.' | b'@' | b'-')
            && b.get(end + 1).is_some_and(|x| handle(*x))
            && end > from;
        if handle(b[end]) || joiner {
            end += 1;
        } else {
            break;
        }
    }
    (end > from).then_some(end)
}

/// `#tag`: letters, digits and underscores, not only digits (`#1` is a number).
fn hashtag_end(text: &str, from: usize) -> Option<usize> {
    let mut end = from;
    let mut letter = false;
    for c in text[from..].chars() {
        if !is_word_char(c) {
            break;
        }
        letter |= !c.is_ascii_digit();
        end += c.len_utf8();
    }
    (end > from && letter).then_some(end)
}

/// `$AAPL`: one to six ASCII letters.
fn cashtag_end(b: &[u8], from: usize) -> Option<usize> {
    let mut end = from;
    while end < b.len() && b[end].is_ascii_alphabetic() && end - from < 6 {
        end += 1;
    }
    let ok = end > from
        && b.get(end)
            .is_none_or(|x| !x.is_ascii_alphanumeric() && *x != b'_');
    ok.then_some(end)
}

/// A word or number from `from`: word characters, joined by inner apostrophes (`don't`, `I’m`);
/// digits joined by `.`, `,`, `:` or `/` (`3.39`, `8:08`). Returns (end, kind, elongated).
fn word_end(text: &str, from: usize) -> (usize, TokenKind, bool) {
    let mut end = from;
    let mut all_digits = true;
    let mut elongated = false;
    let (mut prev, mut run) = ('\0', 0);
    let mut chars = text[from..].char_indices().peekable();
    while let Some((off, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        let joins = match c {
            '\'' | '\u{2019}' => !all_digits && next.is_some_and(|n| n.is_alphabetic()),
            '.' | ',' | ':' | '/' => all_digits && next.is_some_and(|n| n.is_ascii_digit()),
            _ => is_word_char(c),
        };
        if !joins {
            break;
        }
        all_digits &= c.is_ascii_digit() || matches!(c, '.' | ',' | ':' | '/');
        let lower = c.to_lowercase().next().unwrap_or(c);
        if lower == prev && c.is_alphabetic() {
            run += 1;
            elongated |= run >= 3;
        } else {
            (prev, run) = (lower, 1);
        }
        end = from + off + c.len_utf8();
    }
    let kind = if all_digits {
        TokenKind::Number
    } else {
        TokenKind::Word
    };
    (end, kind, elongated)
}

/// Runs of `!`/`?` (mixed), of dots, and of any one repeated punctuation mark are one token.
fn punct_run_end(text: &str, from: usize, first: char) -> usize {
    let emphatic = |c: char| matches!(c, '!' | '?' | '\u{FF01}' | '\u{FF1F}');
    let mut end = from + first.len_utf8();
    for c in text[end..].chars() {
        let same = if emphatic(first) {
            emphatic(c)
        } else {
            c == first
        };
        if !same {
            break;
        }
        end += c.len_utf8();
    }
    end
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
