//! Mastodon's HTML `content` as plain text, with a WHATWG tokenizer (html5gum) rather than
//! pattern matching, so that hostile markup from a remote server cannot smuggle tags through.

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// The plain text of `html` and the targets of its links that are neither mentions nor
/// hashtags.
///
/// Paragraphs are separated by a blank line, `<br>` and other block ends give a line break,
/// character references are decoded, every tag and comment is dropped, and the contents of
/// `<script>`, `<style>`, `<template>` and similar elements are dropped whole.
pub(crate) fn to_text(html: &str) -> (String, Vec<String>) {
    let mut emitter = DefaultEmitter::default();
    // Lets `<script>` and `<style>` contents be read as raw text, as a browser would, so that
    // markup inside them is never taken for tags of the post.
    emitter.naively_switch_states(true);
    let mut text = String::with_capacity(html.len());
    let mut links = Vec::new();
    let mut hidden = 0usize;
    for token in Tokenizer::new_with_emitter(html, emitter) {
        let Ok(token) = token;
        match token {
            Token::StartTag(tag) => {
                let name = tag.name.as_slice();
                if is_hidden(name) {
                    if !tag.self_closing {
                        hidden += 1;
                    }
                    continue;
                }
                match name {
                    b"p" | b"div" | b"blockquote" | b"ul" | b"ol" | b"pre" | b"h1" | b"h2"
                    | b"h3" | b"h4" | b"h5" | b"h6" => paragraph(&mut text),
                    b"br" | b"li" => text.push('\n'),
                    b"a" if hidden == 0 => {
                        let attr = |k: &str| {
                            tag.attributes
                                .get(k.as_bytes())
                                .map(|v| String::from_utf8_lossy(v).into_owned())
                        };
                        let class = attr("class").unwrap_or_default();
                        let rel = attr("rel").unwrap_or_default();
                        let entity = class
                            .split_whitespace()
                            .any(|c| c == "mention" || c == "hashtag")
                            || rel.split_whitespace().any(|r| r == "tag");
                        if let Some(href) = attr("href").filter(|h| is_web_link(h))
                            && !entity
                        {
                            links.push(href);
                        }
                    }
                    _ => {}
                }
            }
            Token::EndTag(tag) if is_hidden(tag.name.as_slice()) => {
                hidden = hidden.saturating_sub(1);
            }
            Token::String(s) if hidden == 0 => text.push_str(&String::from_utf8_lossy(&s)),
            _ => {}
        }
    }
    super::dedup(&mut links);
    (text.trim().to_string(), links)
}

fn is_hidden(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"template"
            | b"noscript"
            | b"iframe"
            | b"object"
            | b"svg"
            | b"math"
            | b"head"
            | b"title"
            | b"textarea"
            | b"select"
            | b"xmp"
            | b"noembed"
            | b"noframes"
    )
}

/// Only web links are kept: `javascript:` and other schemes are not links a reader follows.
fn is_web_link(href: &str) -> bool {
    let lower = href.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Starts a new paragraph: a blank line after any text already there.
fn paragraph(text: &mut String) {
    let trimmed = text.trim_end_matches([' ', '\t']).len();
    text.truncate(trimmed);
    if text.is_empty() || text.ends_with("\n\n") {
        return;
    }
    text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_mastodon_content_into_plain_text() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "<p>Hello <span class=\"h-card\"><a href=\"https://mastodon.social/@Gargron\" class=\"u-url mention\">@<span>Gargron</span></a></span> &amp; all</p><p>second<br>line<br/>third</p>",
                "Hello @Gargron & all\n\nsecond\nline\nthird",
                &[],
            ),
            (
                "<p>Read <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener\" target=\"_blank\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">example.com/a?b=1&amp;</span><span class=\"invisible\">c=2</span></a> <a href=\"https://fosstodon.org/tags/rust\" class=\"mention hashtag\" rel=\"tag\">#<span>rust</span></a></p>",
                "Read https://example.com/a?b=1&c=2 #rust",
                &["https://example.com/a?b=1&c=2"],
            ),
            (
                "<p>hi</p><script>alert('<b>x</b>')</script><style>p{}</style><p onclick=\"evil()\">there &lt;script&gt; <a href=\"javascript:alert(1)\">click</a></p><!-- hidden -->",
                "hi\n\nthere <script> click",
                &[],
            ),
            (
                "plain &quot;text&quot; &#128512; &unknown;",
                "plain \"text\" 😀 &unknown;",
                &[],
            ),
            (
                "<p>unclosed <b>bold <i>and <img src=x onerror=alert(1)>",
                "unclosed bold and",
                &[],
            ),
        ];
        for &(html, want, links) in cases {
            let (text, got_links) = to_text(html);
            assert_eq!(text, want, "{html}");
            assert_eq!(got_links, links, "{html}");
        }
    }
}
