//! A strict reading of the tags in a rendered page, for the escaping tests.
//!
//! Rapport escapes every `<` that is not its own markup, so every `<` in a page starts one of
//! the templates' tags; reading them tells which elements and attributes the browser would
//! see, whatever text sits between them.

/// One start or end tag: its lowercased name and its attributes (names lowercased, values
/// as written, without their quotes).
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub closing: bool,
    pub attributes: Vec<(String, String)>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every tag in `html`, in order. Comments and the doctype are skipped.
pub fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if rest.starts_with("!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            rest = &rest[end..];
            continue;
        }
        let end = tag_end(rest);
        let inside = &rest[..end];
        rest = &rest[(end + 1).min(rest.len())..];
        if inside.starts_with('!') {
            continue;
        }
        out.push(parse(inside));
    }
    out
}

/// Where the tag that starts `s` ends: the first `>` outside a quoted attribute value.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            _ => {}
        }
    }
    s.len()
}

fn parse(inside: &str) -> Tag {
    let closing = inside.starts_with('/');
    let body = inside.trim_start_matches('/');
    let name_end = body
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(body.len());
    let name = body[..name_end].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut chars = body[name_end..].char_indices().peekable();
    let rest = &body[name_end..];
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() || c == '/' {
            continue;
        }
        // An attribute name runs to whitespace, '=' or the end.
        let mut end = rest.len();
        while let Some(&(j, d)) = chars.peek() {
            if d.is_whitespace() || d == '=' {
                end = j;
                break;
            }
            chars.next();
        }
        let key = rest[i..end.max(i)].to_ascii_lowercase();
        while chars.peek().is_some_and(|(_, d)| d.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek().is_some_and(|(_, d)| *d == '=') {
            chars.next();
            while chars.peek().is_some_and(|(_, d)| d.is_whitespace()) {
                chars.next();
            }
            match chars.peek().map(|(_, d)| *d) {
                Some(q @ ('"' | '\'')) => {
                    chars.next();
                    for (_, d) in chars.by_ref() {
                        if d == q {
                            break;
                        }
                        value.push(d);
                    }
                }
                _ => {
                    while let Some(&(_, d)) = chars.peek() {
                        if d.is_whitespace() {
                            break;
                        }
                        value.push(d);
                        chars.next();
                    }
                }
            }
        }
        attributes.push((key, value));
    }
    Tag {
        name,
        closing,
        attributes,
    }
}

/// What a reader sees of `html`: the text between the tags, character references decoded.
pub fn text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        rest = &rest[start + 1..];
        let end = tag_end(rest);
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    html_escape::decode_html_entities(&out).into_owned()
}

/// Why a page could run or load something it should not; empty when it is clean. A clean page
/// has only the elements Rapport's templates use, one script (the UI's own, from
/// `/assets/`), no event-handler attributes, and no `javascript:` (or other script) URL.
pub fn dangers(html: &str) -> Vec<String> {
    const OURS: &[&str] = &[
        "html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "ul",
        "li", "form", "input", "span", "button", "main", "h1", "h2", "p", "ol", "time", "strong",
        "code", "section", "table", "caption", "thead", "tbody", "tr", "th", "td", "div", "label",
        "textarea", "select", "option", "fieldset", "legend", "dl", "dt", "dd",
    ];
    let mut found = Vec::new();
    let tags = tags(html);
    for t in tags.iter().filter(|t| !t.closing) {
        if !OURS.contains(&t.name.as_str()) {
            found.push(format!("element <{}>", t.name));
        }
        if t.name == "script" && !t.attr("src").is_some_and(|s| s.starts_with("/assets/")) {
            found.push(format!("script {:?}", t.attributes));
        }
        for (k, v) in &t.attributes {
            if k.starts_with("on") {
                found.push(format!("handler {k}={v:?} on <{}>", t.name));
            }
            let url = v.trim().to_ascii_lowercase();
            let is_url = matches!(k.as_str(), "href" | "src" | "action" | "formaction");
            if is_url
                && ["javascript:", "vbscript:", "data:"]
                    .iter()
                    .any(|s| url.starts_with(s))
            {
                found.push(format!("{k}={v:?} on <{}>", t.name));
            }
        }
    }
    let scripts = tags
        .iter()
        .filter(|t| !t.closing && t.name == "script")
        .count();
    if scripts != 1 {
        found.push(format!("{scripts} script elements"));
    }
    found
}

#[test]
fn the_reader_sees_what_a_browser_would() {
    let page = r#"<!doctype html><p class="a">x &lt;script&gt; y</p><a href='javascript:go()' onclick=x>z</a><img src=x onerror=alert(1)><script src="/assets/app.js" defer></script>"#;
    let t = tags(page);
    let names: Vec<_> = t.iter().map(|t| (t.name.as_str(), t.closing)).collect();
    assert_eq!(
        names,
        [
            ("p", false),
            ("p", true),
            ("a", false),
            ("a", true),
            ("img", false),
            ("script", false),
            ("script", true)
        ]
    );
    assert_eq!(t[2].attr("href"), Some("javascript:go()"));
    assert_eq!(t[4].attr("onerror"), Some("alert(1)"));
    assert_eq!(t[5].attr("defer"), Some(""));
    let d = dangers(page);
    assert_eq!(d.len(), 4, "{d:?}");
    let clean = r#"<p>&lt;img src=x onerror=alert(1)&#62; &amp;lt;</p><script src="/assets/app.js"></script>"#;
    assert!(dangers(clean).is_empty());
    assert_eq!(text(clean), "<img src=x onerror=alert(1)> &lt;");
}
