//! Mentions, hashtags, cashtags and links found in plain text, for formats without entity
//! fields. The rules follow what Twitter links in a tweet: a sigil counts only after a
//! non-word character, so `me@example.com` holds no mention and `C#` no hashtag.

use super::dedup;

#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Entities {
    pub mentions: Vec<String>,
    pub hashtags: Vec<String>,
    pub cashtags: Vec<String>,
    pub links: Vec<String>,
}

pub(crate) fn extract(text: &str) -> Entities {
    let mut out = Entities::default();
    let spans = links(text, &mut out.links);
    let bytes = text.as_bytes();
    for i in memchr::memchr3_iter(b'@', b'#', b'$', bytes) {
        if spans.iter().any(|&(s, e)| (s..e).contains(&i)) || word_before(text, i) {
            continue;
        }
        let rest = &text[i + 1..];
        match bytes[i] {
            b'@' => {
                let name = take_while_ascii(rest, |b| b.is_ascii_alphanumeric() || b == b'_');
                if !name.is_empty() && !rest[name.len()..].starts_with('@') {
                    out.mentions.push(name.to_ascii_lowercase());
                }
            }
            b'#' => {
                if let Some(tag) = hashtag(rest) {
                    out.hashtags.push(tag.to_lowercase());
                }
            }
            _ => {
                if let Some(tag) = cashtag(rest) {
                    out.cashtags.push(tag.to_ascii_lowercase());
                }
            }
        }
    }
    dedup(&mut out.mentions);
    dedup(&mut out.hashtags);
    dedup(&mut out.cashtags);
    dedup(&mut out.links);
    out
}

/// Only the cashtags of `text`: for formats whose entity fields have none.
pub(crate) fn cashtags(text: &str) -> Vec<String> {
    extract(text).cashtags
}

fn word_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '&')
}

fn take_while_ascii(s: &str, keep: impl Fn(u8) -> bool) -> &str {
    let n = s.bytes().take_while(|&b| keep(b)).count();
    &s[..n]
}

/// Letters, digits, marks and `_`, with at least one that is not a digit (`#1` is no tag).
fn hashtag(rest: &str) -> Option<&str> {
    let end = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || is_mark(c)))
        .map_or(rest.len(), |(i, _)| i);
    let tag = &rest[..end];
    tag.chars().any(|c| !c.is_ascii_digit()).then_some(tag)
}

/// Combining marks keep a hashtag in scripts such as Devanagari or Thai together.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0DFF | 0x0E31..=0x0E4E | 0x200C | 0x200D)
}

/// `$` then 1 to 6 letters, optionally `.` or `_` and 1 or 2 letters (`$BRK.A`), then a
/// non-word character: `$5` and `$100k` are amounts, not cashtags.
fn cashtag(rest: &str) -> Option<&str> {
    let b = rest.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(1..=6).contains(&letters) {
        return None;
    }
    let mut end = letters;
    if matches!(b.get(end), Some(b'.' | b'_')) {
        let suffix = b[end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if (1..=2).contains(&suffix) {
            end += 1 + suffix;
        }
    }
    let next = rest[end..].chars().next();
    if next.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    Some(&rest[..end])
}

/// Pushes the `http://` and `https://` links of `text` and returns their byte spans.
fn links(text: &str, out: &mut Vec<String>) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&bytes[from..], b"http") {
        let start = from + found;
        let rest = &bytes[start..];
        let scheme = if rest.starts_with(b"https://") {
            8
        } else if rest.starts_with(b"http://") {
            7
        } else {
            from = start + 4;
            continue;
        };
        let len = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
            .unwrap_or(text.len() - start);
        let url = trim_url_end(&text[start..start + len]);
        from = start + len.max(scheme);
        if url.len() > scheme && !word_before(text, start) {
            spans.push((start, start + url.len()));
            out.push(url.to_string());
        }
    }
    spans
}

/// Drops punctuation that ends the sentence rather than the link; a `)` stays when the link
/// opened one (`https://en.wikipedia.org/wiki/Rust_(language)`).
fn trim_url_end(mut url: &str) -> &str {
    loop {
        let Some(last) = url.chars().next_back() else {
            return url;
        };
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '…' => true,
            ')' => url.matches('(').count() < url.matches(')').count(),
            ']' => url.matches('[').count() < url.matches(']').count(),
            _ => false,
        };
        if !strip {
            return url;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn extracts_every_kind_of_entity() {
        // (text, mentions, hashtags, cashtags, links)
        type Case<'a> = (
            &'a str,
            &'a [&'a str],
            &'a [&'a str],
            &'a [&'a str],
            &'a [&'a str],
        );
        let cases: &[Case] = &[
            (
                "@AppleSupport my iPhone #iOS11 broke, see https://t.co/AbC123.",
                &["applesupport"],
                &["ios11"],
                &[],
                &["https://t.co/AbC123"],
            ),
            (
                "@115712 I understand. cc @Sprint_Care @sprintcare",
                &["115712", "sprint_care", "sprintcare"],
                &[],
                &[],
                &[],
            ),
            (
                "$AAPL up, $brk.a flat, $5 fee, $100k, US$20 #1 #2020goals",
                &[],
                &["2020goals"],
                &["aapl", "brk.a"],
                &[],
            ),
            (
                "mail me@example.com, C# and foo#bar are not tags; #Café is",
                &[],
                &["café"],
                &[],
                &[],
            ),
            (
                "(see https://en.wikipedia.org/wiki/Rust_(language)) and http://x.co/a#frag?",
                &[],
                &[],
                &[],
                &[
                    "https://en.wikipedia.org/wiki/Rust_(language)",
                    "http://x.co/a#frag",
                ],
            ),
            (
                "https://x.com/?q=$AAPL&tag=#nope @ user, #日本語 #हिन्दी",
                &[],
                &["日本語", "हिन्दी"],
                &[],
                &["https://x.com/?q=$AAPL&tag=#nope"],
            ),
            (
                "@a@b.c not a mention; http:// alone; shttp://x",
                &[],
                &[],
                &[],
                &[],
            ),
        ];
        for &(text, mentions, hashtags, cashtags, links) in cases {
            let got = extract(text);
            assert_eq!(
                got,
                Entities {
                    mentions: list(mentions),
                    hashtags: list(hashtags),
                    cashtags: list(cashtags),
                    links: list(links),
                },
                "{text}"
            );
        }
    }
}
