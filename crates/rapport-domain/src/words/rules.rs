//! The rules behind [`super::split`]: where each kind of piece ends.

use unicode_segmentation::UnicodeSegmentation;

/// ASCII word characters: letters, digits and `_` (UAX #29's ALetter, Numeric, ExtendNumLet).
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

/// Characters a word may start with.
#[inline]
pub(super) fn is_word_start(c: char) -> bool {
    if c.is_ascii() {
        ASCII_WORD[c as usize]
    } else {
        c.is_alphanumeric()
    }
}

/// Characters a tag's name is made of: letters, digits, `_`, and the marks some scripts need.
fn is_tag_char(c: char) -> bool {
    if c.is_ascii() {
        return ASCII_WORD[c as usize];
    }
    !starts_emoji(c)
        && (c.is_alphanumeric()
            || matches!(c as u32,
                0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A
                | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x0900..=0x0DFF
                | 0x1AB0..=0x1AFF | 0x200C | 0x200D | 0x3099 | 0x309A))
}

/// The end of the word or number starting at `from` and whether it is a number (no letters).
/// ASCII runs are cut here by UAX #29's rules for ASCII (WB5-WB13: `'` and `.` join letters,
/// `'`, `.`, `,` and `;` join digits, the colon tailored out); anything else asks the crate.
pub(super) fn word_end(text: &str, from: usize) -> (usize, bool) {
    let b = text.as_bytes();
    let mut j = from;
    let mut letters = false;
    loop {
        while j < b.len() && b[j] < 0x80 && ASCII_WORD[b[j] as usize] {
            letters |= b[j].is_ascii_alphabetic();
            j += 1;
        }
        if j < b.len() && b[j] >= 0x80 {
            return unicode_word_end(text, from);
        }
        if j + 1 < b.len() && j > from {
            let (prev, mid, next) = (b[j - 1], b[j], b[j + 1]);
            if next >= 0x80 && matches!(mid, b'\'' | b'.') {
                return unicode_word_end(text, from);
            }
            let joins = match mid {
                b'\'' | b'.' => {
                    (prev.is_ascii_alphabetic() && next.is_ascii_alphabetic())
                        || (prev.is_ascii_digit() && next.is_ascii_digit())
                }
                b',' | b';' => prev.is_ascii_digit() && next.is_ascii_digit(),
                _ => false,
            };
            if joins {
                j += 1;
                continue;
            }
        }
        return (j, !letters);
    }
}

/// The first UAX #29 segment from `from`, with the colon tailored out.
fn unicode_word_end(text: &str, from: usize) -> (usize, bool) {
    let seg = text[from..].split_word_bounds().next().unwrap_or("");
    let seg = match seg.find([':', '\u{FE55}', '\u{FF1A}']) {
        Some(k) if k > 0 => &seg[..k],
        _ => seg,
    };
    let end = from
        + seg
            .len()
            .max(text[from..].chars().next().map_or(1, char::len_utf8));
    let numeric = !text[from..end].chars().any(char::is_alphabetic);
    (end, numeric)
}

/// Bytes of a trailing possessive `'s` (also with `’` or `＇`), or 0.
pub(super) fn possessive_suffix(word: &str) -> usize {
    let Some(rest) = word.strip_suffix(['s', 'S']) else {
        return 0;
    };
    match rest.chars().next_back() {
        Some(q @ ('\'' | '\u{2019}' | '\u{FF07}')) => 1 + q.len_utf8(),
        _ => 0,
    }
}

/// A link: `http://`, `https://` or `www.` up to the next space, less the sentence punctuation
/// that follows it.
pub(super) fn url_end(b: &[u8], i: usize) -> Option<usize> {
    if !matches!(b[i], b'h' | b'H' | b'w' | b'W') {
        return None;
    }
    let rest = &b[i..];
    let prefix = [&b"https://"[..], b"http://", b"www."]
        .into_iter()
        .find(|p| rest.len() > p.len() && rest[..p.len()].eq_ignore_ascii_case(p))?;
    let mut end = i + prefix.len();
    while end < b.len() && !b[end].is_ascii_whitespace() && !is_unicode_space_at(b, end) {
        end += 1;
    }
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

/// U+00A0, U+2000..U+200B and U+3000 end a link as an ASCII space does.
fn is_unicode_space_at(b: &[u8], i: usize) -> bool {
    (b[i] == 0xC2 && b.get(i + 1) == Some(&0xA0))
        || (b[i] == 0xE2 && b.get(i + 1) == Some(&0x80) && b.get(i + 2).is_some_and(|x| *x <= 0x8B))
        || (b[i] == 0xE3 && b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0x80))
}

/// `@name`, `@first.last`, `@name.bsky.social`, `@name@mastodon.social`: tag characters joined
/// by single `.`, `-` or `@`; trailing punctuation is the sentence's.
pub(super) fn mention_end(text: &str, from: usize) -> Option<usize> {
    let mut end = from;
    let mut chars = text[from..].chars().peekable();
    while let Some(c) = chars.next() {
        let joiner = matches!(c, '.' | '-' | '@')
            && end > from
            && chars.peek().is_some_and(|n| is_tag_char(*n));
        if !(is_tag_char(c) || joiner) {
            break;
        }
        end += c.len_utf8();
    }
    (end > from).then_some(end)
}

/// `#tag`: tag characters, not only digits (`#1` is a number).
pub(super) fn hashtag_end(text: &str, from: usize) -> Option<usize> {
    let mut end = from;
    let mut letter = false;
    for c in text[from..].chars() {
        if !is_tag_char(c) {
            break;
        }
        letter |= !c.is_ascii_digit();
        end += c.len_utf8();
    }
    (end > from && letter).then_some(end)
}

/// `$AAPL`: one to six ASCII letters, not followed by a word character (`$5` is money).
pub(super) fn cashtag_end(b: &[u8], from: usize) -> Option<usize> {
    let mut end = from;
    while end < b.len() && b[end].is_ascii_alphabetic() && end - from < 6 {
        end += 1;
    }
    let ok = end > from
        && b.get(end)
            .is_none_or(|x| !x.is_ascii_alphanumeric() && *x != b'_');
    ok.then_some(end)
}

/// Characters that start an emoji grapheme. Ranges from Unicode's emoji data, kept coarse on
/// purpose: a symbol inside these blocks is almost always used as an emoji in posts.
pub fn starts_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF
        | 0x2600..=0x27BF
        | 0x2300..=0x23FF
        | 0x2B00..=0x2BFF
        | 0x2190..=0x21FF
        | 0x3030 | 0x303D | 0x3297 | 0x3299
        | 0x00A9 | 0x00AE | 0x203C | 0x2049 | 0x2122 | 0x2139
        | 0xE0000..=0xE007F)
}

/// The end of the emoji grapheme at `i` (character `c`), keycaps (`1️⃣`) included.
pub(super) fn emoji_end(text: &str, i: usize, c: char) -> Option<usize> {
    let keycap = matches!(c, '0'..='9' | '#' | '*')
        && matches!(text[i + 1..].chars().next(), Some('\u{FE0F}' | '\u{20E3}'));
    if !(keycap || (!c.is_ascii() && starts_emoji(c))) {
        return None;
    }
    let g = text[i..].graphemes(true).next().unwrap_or("");
    Some(i + g.len().max(c.len_utf8()))
}

/// Punctuation marks, ASCII and the common Unicode ones (general punctuation, CJK, Arabic,
/// Devanagari, fullwidth).
pub(super) fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3000..=0x303F | 0xFF01..=0xFF0F
            | 0xFF1A..=0xFF1F | 0x00A1 | 0x00BF | 0x00AB | 0x00BB | 0x060C | 0x061B | 0x061F
            | 0x06D4 | 0x0964 | 0x0965)
}

/// Runs of `!`/`?` (mixed), and of any one repeated mark, are one piece.
pub(super) fn punct_run_end(text: &str, from: usize, first: char) -> usize {
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
