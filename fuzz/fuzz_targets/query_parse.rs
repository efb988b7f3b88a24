//! The listening-query parser on arbitrary text, and the two matchers on what it accepts.
//!
//! The input is a query, then optionally a newline and a post's text. A query that parses is
//! matched against the post by the all-topics [`Matcher`] and by the plain [`matches`]: they
//! must agree, as the crate promises (the plain one is the reference). A query that does not
//! parse must say a column inside it; one that does is also translated to an X rule.
#![no_main]

use rapport_domain::{Author, Engagement, Network, Post, TopicId, TopicOptions};
use rapport_query::{Matcher, matches, parse, to_x_rule};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (query, post_text) = text.split_once('\n').unwrap_or((text, ""));
    let parsed = match parse(query) {
        Ok(parsed) => parsed,
        Err(e) => {
            // A 1-based column in characters, at most one past the end.
            let chars = query.chars().count();
            assert!(
                (1..=chars + 1).contains(&e.column),
                "error column {} in a query of {chars} characters: {e}",
                e.column
            );
            return;
        }
    };
    // The X translation must answer a rule or a reason, never panic.
    let _ = to_x_rule(&parsed);
    for ignore_accents in [false, true] {
        let options = TopicOptions { ignore_accents };
        let post = post(post_text);
        let reference = matches(&parsed, &options, &post, None);
        let matcher = Matcher::new([(TopicId(1), parsed.clone(), options.clone())]);
        let mut found = Vec::new();
        matcher.match_post(&post, None, &mut found);
        assert_eq!(
            reference,
            found == [TopicId(1)],
            "the matcher and the reference disagree on {query:?} against {post_text:?} \
             (ignore_accents {ignore_accents})"
        );
    }
});

fn post(text: &str) -> Post {
    Post {
        network: Network::Bluesky,
        native_id: "1".into(),
        author: Author {
            handle: "alice.example".into(),
            ..Author::default()
        },
        text: text.into(),
        created_at: chrono::DateTime::UNIX_EPOCH,
        lang: None,
        reply_to: None,
        reply_to_handle: None,
        root_id: None,
        mentions: Vec::new(),
        hashtags: Vec::new(),
        cashtags: Vec::new(),
        links: Vec::new(),
        engagement: Engagement::default(),
        raw: String::new(),
    }
}
