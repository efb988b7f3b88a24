//! Finding the URLs a network would shorten or count at a fixed length, following twitter-text's
//! extraction rules (which Mastodon reuses): a URL starts after a character that is not a letter,
//! digit, `@`, `$` or `#`; its host has valid labels and a top-level domain; a path does not end
//! in punctuation, except a closing parenthesis that closes one opened in the path.

use std::ops::Range;

/// What a network recognises as a URL.
pub(crate) struct UrlRules {
    /// Schemes accepted before `://`, lowercase.
    pub schemes: &'static [&'static str],
    /// Whether `example.com/path` without a scheme is a URL (X: yes, Mastodon: no).
    pub bare_domains: bool,
}

/// Generic top-level domains recognised without a scheme. All two-letter TLDs are taken as
/// country codes. twitter-text knows every delegated TLD; this list holds the common ones, so a
/// bare domain under a rare generic TLD is counted as plain text.
const GENERIC_TLDS: &[&str] = &[
    "aero", "app", "art", "asia", "biz", "blog", "cat", "cloud", "club", "com", "coop", "design",
    "dev", "edu", "email", "gov", "info", "int", "jobs", "link", "live", "media", "mil", "mobi",
    "museum", "name", "net", "news", "online", "org", "page", "pro", "shop", "site", "social",
    "store", "team", "tech", "tel", "travel", "xxx", "xyz",
];

/// Country codes that twitter-text accepts as `name.cc` with no path (`t.co`).
const SPECIAL_SHORT_CCTLDS: &[&str] = &["co", "tv"];

fn blocks_start(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '@' | '＠' | '$' | '#' | '＃' | '\u{202A}'..='\u{202E}')
}

fn blocks_bare_start(c: char) -> bool {
    blocks_start(c) || matches!(c, '-' | '_' | '.' | '/')
}

fn host_char(c: char, ascii_only: bool) -> bool {
    (c.is_alphanumeric() && (!ascii_only || c.is_ascii())) || matches!(c, '-' | '_' | '.')
}

/// Characters that end a path outright (twitter-text treats them as never part of a URL).
fn path_stop(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\u{FFFE}' | '\u{FEFF}')
}

fn path_may_end_with(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '=' | '_' | '#' | '/' | '+' | '-' | '&')
}

struct Host {
    labels: usize,
    tld: String,
}

fn valid_host(host: &str, with_scheme: bool) -> Option<Host> {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    if labels
        .iter()
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
    {
        let ip = with_scheme && labels.len() == 4 && labels.iter().all(|l| l.parse::<u8>().is_ok());
        return ip.then(|| Host {
            labels: 4,
            tld: String::new(),
        });
    }
    let n = labels.len();
    for (i, label) in labels.iter().enumerate() {
        let len = label.chars().count();
        let bad_edge = label.starts_with('-') || label.ends_with('-');
        // Underscores are allowed in subdomains only, not in the name or the TLD.
        let bad_underscore = i + 2 >= n && label.contains('_');
        if len == 0 || len > 63 || bad_edge || bad_underscore {
            return None;
        }
    }
    let tld = labels[n - 1].to_lowercase();
    if !tld.chars().all(char::is_alphabetic) || tld.chars().count() < 2 {
        return None;
    }
    if !with_scheme {
        let known = tld.len() == 2 && tld.is_ascii() || GENERIC_TLDS.contains(&tld.as_str());
        if !known {
            return None;
        }
    }
    Some(Host { labels: n, tld })
}

/// Byte offset just past a scheme and `://` starting at `i`, if one of `schemes` is there.
fn scheme_at(text: &str, i: usize, schemes: &[&str]) -> Option<usize> {
    let rest = text.as_bytes().get(i..)?;
    schemes.iter().find_map(|s| {
        let n = s.len();
        let matches = rest.len() > n + 3
            && rest[..n].eq_ignore_ascii_case(s.as_bytes())
            && &rest[n..n + 3] == b"://";
        matches.then_some(i + n + 3)
    })
}

/// The end of the path, query and fragment starting at `start` (at `/`, `?` or `#`).
fn path_end(text: &str, start: usize) -> usize {
    let mut end = text[start..]
        .find(path_stop)
        .map_or(text.len(), |n| start + n);
    // Trim trailing punctuation, keeping a `)` that closes a `(` of the path.
    loop {
        let Some(last) = text[start..end].chars().next_back() else {
            return end;
        };
        let balanced = last == ')' && {
            let path = &text[start..end];
            path.matches('(').count() >= path.matches(')').count()
        };
        if path_may_end_with(last) || balanced {
            return end;
        }
        end -= last.len_utf8();
    }
}

/// The byte ranges of the URLs in `text`, in order, not overlapping.
pub(crate) fn find_urls(text: &str, rules: &UrlRules) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut prev: Option<char> = None;
    let mut skip_to = 0;
    for (i, c) in text.char_indices() {
        let before = prev;
        prev = Some(c);
        if i < skip_to || before.is_some_and(blocks_start) {
            continue;
        }
        let (host_start, with_scheme) = match scheme_at(text, i, rules.schemes) {
            Some(after) => (after, true),
            None if rules.bare_domains
                && c.is_ascii_alphanumeric()
                && !before.is_some_and(blocks_bare_start) =>
            {
                (i, false)
            }
            None => continue,
        };
        let host_len = text[host_start..]
            .find(|ch| !host_char(ch, !with_scheme))
            .unwrap_or(text.len() - host_start);
        let host = text[host_start..host_start + host_len].trim_end_matches(['.', '-', '_']);
        let Some(parsed) = valid_host(host, with_scheme) else {
            // Skip the rest of this token so a suffix of it is not taken for a domain.
            skip_to = host_start + host_len;
            continue;
        };
        let mut end = host_start + host.len();
        if host.len() == host_len {
            // A port, then a path, query or fragment, directly after the host.
            let bytes = text.as_bytes();
            if bytes.get(end) == Some(&b':') {
                let digits = bytes[end + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if digits > 0 {
                    end += 1 + digits;
                }
            }
            if matches!(bytes.get(end), Some(b'/' | b'?' | b'#')) {
                end = path_end(text, end);
            }
        }
        let has_path = end > host_start + host.len();
        let short_cc = parsed.labels == 2
            && parsed.tld.len() == 2
            && !SPECIAL_SHORT_CCTLDS.contains(&parsed.tld.as_str());
        if !with_scheme && !has_path && short_cc {
            skip_to = end;
            continue;
        }
        found.push(i..end);
        skip_to = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: UrlRules = UrlRules {
        schemes: &["http", "https"],
        bare_domains: true,
    };
    const SCHEME_ONLY: UrlRules = UrlRules {
        schemes: &["http", "https"],
        bare_domains: false,
    };

    fn urls<'a>(text: &'a str, rules: &UrlRules) -> Vec<&'a str> {
        find_urls(text, rules)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn url_extraction_table() {
        let table: &[(&str, &[&str])] = &[
            ("see http://example.com now", &["http://example.com"]),
            (
                "HTTPS://www.ExaMPLE.COM/index.html",
                &["HTTPS://www.ExaMPLE.COM/index.html"],
            ),
            (
                "(https://example.com/a.html).",
                &["https://example.com/a.html"],
            ),
            (
                "https://en.wikipedia.org/wiki/Rust_(language), ok",
                &["https://en.wikipedia.org/wiki/Rust_(language)"],
            ),
            (
                "http://user.example.com:8080/login?x=1&y=2#top!",
                &["http://user.example.com:8080/login?x=1&y=2#top"],
            ),
            (
                "http://192.168.0.1/index.html",
                &["http://192.168.0.1/index.html"],
            ),
            ("http://256.1.2.3/", &[]),
            (
                "http://test_underscore.twitter.com",
                &["http://test_underscore.twitter.com"],
            ),
            ("http://domain_x.com", &[]),
            ("http://www.-domain.com/", &[]),
            (
                "http://example.com/Русские_слова",
                &["http://example.com/Русские_слова"],
            ),
            ("xhttp://example.com", &[]),
            ("ftp://example.com/file", &[]),
            (
                "example.com and www.example.de",
                &["example.com", "www.example.de"],
            ),
            (
                "t.co is short, bit.ly is not, bit.ly/x is",
                &["t.co", "bit.ly/x"],
            ),
            ("foo.co.jp", &["foo.co.jp"]),
            ("mail me@example.com", &[]),
            ("e.g. or i.e. are not domains, nor is end.of sentence.", &[]),
            ("@example.com", &[]),
            (
                "randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com",
                &[],
            ),
        ];
        for (text, expected) in table {
            assert_eq!(urls(text, &X), *expected, "{text}");
        }
        assert_eq!(
            urls("example.com and http://a.example.org/x", &SCHEME_ONLY),
            ["http://a.example.org/x"]
        );
    }
}
