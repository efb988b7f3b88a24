//! Where a Bluesky post's mentions and links are: `app.bsky.richtext.facet` indexes count
//! UTF-8 bytes (not characters, not UTF-16 units), which is what a Rust `str` index is.

/// A mention or a link found in a text, at UTF-8 byte offsets `start..end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: SpanKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanKind {
    /// A handle (`alice.bsky.social`), without the `@`; the span covers the `@` too.
    Mention(String),
    Link(String),
}

/// The mentions (`@` and a handle with at least one dot, after a space or at the start) and
/// the `http://` / `https://` links of a text, in order. Punctuation that ends a sentence is
/// left out of both.
pub fn spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let at_word_start = i == 0 || !is_word(text[..i].chars().next_back().unwrap_or(' '));
        if at_word_start && bytes[i] == b'@' {
            let end = i
                + 1
                + text[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                    .unwrap_or(text.len() - i - 1);
            let handle = text[i + 1..end].trim_end_matches(['.', '-']);
            if handle.contains('.') && !handle.starts_with('.') {
                let end = i + 1 + handle.len();
                out.push(Span {
                    start: i,
                    end,
                    kind: SpanKind::Mention(handle.to_ascii_lowercase()),
                });
                i = end;
                continue;
            }
        }
        if at_word_start && (text[i..].starts_with("https://") || text[i..].starts_with("http://"))
        {
            let end = i + text[i..]
                .find(char::is_whitespace)
                .unwrap_or(text.len() - i);
            let link =
                text[i..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
            if link.len() > "https://".len() {
                out.push(Span {
                    start: i,
                    end: i + link.len(),
                    kind: SpanKind::Link(link.to_string()),
                });
                i += link.len();
                continue;
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '@'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_utf8_bytes_after_multibyte_text() {
        let text = "Désolé 😞 @alice.test, see https://example.com/help.";
        let found = spans(text);
        assert_eq!(found.len(), 2);
        let mention = &found[0];
        assert_eq!(&text[mention.start..mention.end], "@alice.test");
        // "Désolé 😞 " is 9 characters but 14 bytes (each é is 2, the emoji 4).
        assert_eq!(mention.start, 14);
        assert_eq!(mention.kind, SpanKind::Mention("alice.test".into()));
        let link = &found[1];
        assert_eq!(&text[link.start..link.end], "https://example.com/help");
        assert_eq!(link.kind, SpanKind::Link("https://example.com/help".into()));
    }

    #[test]
    fn emails_and_bare_words_are_not_mentions() {
        assert!(spans("write to help@brand.example or @nodot").is_empty());
        assert!(spans("xhttps://no").is_empty());
    }
}
