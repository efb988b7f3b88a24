//! Undoing the encodings that datasets and network APIs leave in post text.
//!
//! Some datasets keep JSON string escapes verbatim (`I\u2019m`, `Plus\u002c tomorrow`) and the X API
//! (and many scrapes of it) HTML-escape `&`, `<` and `>`. Both are decoded before tokenizing so that
//! `&amp;` is an ampersand and `\u002c` a comma, not a word.

use std::borrow::Cow;

/// True when `text` may hold a JSON `\uXXXX` escape or an HTML entity; a cheap check that lets the
/// hot path skip decoding for the common case.
pub fn needs_decoding(text: &str) -> bool {
    memchr::memchr2(b'\\', b'&', text.as_bytes()).is_some()
}

/// Decodes JSON `\uXXXX` escapes (surrogate pairs included) and HTML entities.
pub fn decode(text: &str) -> Cow<'_, str> {
    if !needs_decoding(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    decode_into(text, &mut out);
    Cow::Owned(out)
}

/// [`decode`] into a reused buffer (cleared first), for callers that avoid allocating per post.
pub fn decode_into(text: &str, out: &mut String) {
    out.clear();
    if text.contains("\\u") {
        let mut unescaped = String::with_capacity(text.len());
        decode_json_escapes(text, &mut unescaped);
        html_escape::decode_html_entities_to_string(&unescaped, out);
    } else {
        html_escape::decode_html_entities_to_string(text, out);
    }
}

fn decode_json_escapes(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    while i + 6 <= bytes.len() {
        if bytes[i] == b'\\'
            && bytes[i + 1] == b'u'
            && let Some(unit) = hex4(&bytes[i + 2..i + 6])
        {
            let (ch, used) = if (0xD800..0xDC00).contains(&unit) {
                // A high surrogate only makes a character together with the low one after it.
                match low_surrogate(bytes, i + 6) {
                    Some(low) => {
                        let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                        (char::from_u32(c), 12)
                    }
                    None => (None, 6),
                }
            } else {
                (char::from_u32(unit), 6)
            };
            out.push_str(&text[copied..i]);
            out.push(ch.unwrap_or(char::REPLACEMENT_CHARACTER));
            i += used;
            copied = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
}

fn low_surrogate(bytes: &[u8], at: usize) -> Option<u32> {
    if at + 6 <= bytes.len() && bytes[at] == b'\\' && bytes[at + 1] == b'u' {
        hex4(&bytes[at + 2..at + 6]).filter(|u| (0xDC00..0xE000).contains(u))
    } else {
        None
    }
}

fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        let v = (d as char).to_digit(16)?;
        Some(acc * 16 + v)
    })
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_json_escapes_and_entities() {
        let cases = [
            ("Plus\\u002c tomorrow", "Plus, tomorrow"),
            ("I\\u2019m going", "I\u{2019}m going"),
            ("spent 40 mins &amp; gave up", "spent 40 mins & gave up"),
            ("&lt;3 you", "<3 you"),
            ("\\ud83d\\ude00 ok", "\u{1F600} ok"),
            ("a\\ud83d b", "a\u{FFFD} b"),
            ("no escapes \\n here", "no escapes \\n here"),
            ("AT&T rocks", "AT&T rocks"),
        ];
        for (input, want) in cases {
            assert_eq!(decode(input), want, "input {input:?}");
        }
    }
}
