//! Rapport's listening-query language: parser, errors with columns, and the all-topics matcher.
//!
//! ```
//! use rapport_query::{parse, Matcher};
//! use rapport_domain::{TopicId, TopicOptions};
//!
//! let q = parse(r#"(wifi OR "internet connection") NEAR/3 dropping -#ad"#).unwrap();
//! let matcher = Matcher::new([(TopicId(1), q, TopicOptions::default())]);
//! assert_eq!(matcher.len(), 1);
//! assert_eq!(
//!     parse("(router OR modem").unwrap_err().to_string(),
//!     "expected ')' at column 17"
//! );
//! ```
//!
//! # The language
//!
//! | written | matches a post that |
//! |---|---|
//! | `router` | holds the word `router` (words, not substrings: `apple` is not in `pineapple`) |
//! | `"lotus connections"` | holds the words next to each other, in order |
//! | `connect*` | holds a word starting with `connect` (at least 3 letters before `*`) |
//! | `#tag`, `@handle`, `$tag` | holds the hashtag, mention or cashtag in its text or its entity lists |
//! | `a b`, `a AND b` | holds both |
//! | `a OR b` | holds either; AND binds tighter, so `a b OR c` is `(a b) OR c` |
//! | `NOT a`, `-a`, `-(a OR b)`, `-"a b"` | does not hold it |
//! | `"wifi dropping"~3` | holds all the phrase's words, any order, with at most 3 other words among them |
//! | `wifi NEAR/3 router` | holds both with at most 3 words between them, either order |
//! | `wifi NEAR/3f router` | the same, `wifi` first |
//! | `from:handle` | was written by `handle` |
//! | `to:handle` | replies to `handle` |
//! | `lang:en`, `network:bluesky`, `is:reply`, `has:link`, `has:mention`, `has:hashtag` | has that property |
//! | `sentiment:negative`, `intent:question` | was labelled so by the classifiers |
//!
//! Operators are written in capitals (`AND`, `OR`, `NOT`, `NEAR/n`): lower-case `or` is a word.
//! A query made only of negations (`-spam`, `a OR -b`) is rejected: it would match almost
//! every post. Errors give a 1-based column, in characters, and say what was expected there.
//!
//! # How text is compared
//!
//! Post text and query words go through the same steps, so they meet exactly when the words do:
//! - **Normalization**: NFKC, then full Unicode case folding (`Straße` = `strasse`,
//!   `ＷｉＦｉ` = `wifi`, `ΣΟΦΙΑ` = `σοφια`). Zero-width spaces and joiners, variation selectors and
//!   skin-tone modifiers are dropped. A topic with [`TopicOptions::ignore_accents`](rapport_domain::TopicOptions)
//!   also removes nonspacing marks after canonical decomposition (`café` = `cafe`), on both sides.
//! - **Words** are runs of letters, digits, combining marks and `_`. Every other character
//!   separates words: `wi-fi` and `don't` are two words each, so a query term holding
//!   punctuation is the phrase of its words (`wi-fi` = `"wi fi"`). Emoji and other symbols are
//!   one-character words (`🔥` can be searched; `love🔥` holds `love`); so are Han and kana
//!   characters, which lets `東京` find `東京` inside unspaced text as a two-character phrase.
//! - **Tags**: `#word`, `@handle` and `$word` are single tokens flagged with their sigil, not
//!   preceded by a letter or digit (`c#` and `me@example.com` are not tags). A handle may hold
//!   `.`, `-` and `@` (`@alice.bsky.social`, `@bob@mastodon.social`), minus trailing
//!   punctuation. A cashtag starts with a letter (`$5` is the word `5`),
//!   and a hashtag holds a letter (`#1` is the word `1`). A plain term also
//!   matches the tagged token: `iphone` matches `#iPhone`, `applesupport` matches
//!   `@AppleSupport`; `#iphone` matches only the hashtag, in the text or in `Post::hashtags`
//!   (likewise `@handle` with `Post::mentions`, `$tag` with `Post::cashtags`).
//! - **Links** (`http://`, `https://`, `www.` up to the next space) are not words: `apple`
//!   does not match `https://apple.com`. They count for `has:link`, as do `Post::links`.
//!
//! # Proximity
//!
//! Positions count tokens (words, tags, emoji). `a NEAR/n b` holds when an occurrence of `a` and
//! one of `b` have at most `n` tokens between them; `NEAR/nf` also wants `a` first. The sides
//! may be words, prefixes, tags, phrases or OR groups of them, and chains nest to the left
//! (`a NEAR/2 b NEAR/5 c` measures `c` from the span of `a`..`b`). `"w1 .. wk"~n` holds when all
//! k words fall in a window of at most `k + n` tokens, in any order; so `"a b"~n` is the same
//! as `a NEAR/n b`. Tags known only from entity lists have no position and never satisfy
//! proximity.
//!
//! # Fields
//!
//! - `from:h` compares the author's handle case-insensitively, ignoring a leading `@`;
//!   `from:bob` also matches `bob@any.instance`, `from:bob@mastodon.social` only that one.
//! - `to:h` compares `Post::reply_to_handle` the same way; when the source did not give it, a
//!   reply whose text starts with `@h` is taken to answer `h`.
//! - `lang:en` reads `Post::lang`, else the classifiers' `Labels::lang`; `en` also matches `en-US`.
//! - `network:` takes `bluesky`, `mastodon`, `x` (or `twitter`) and `import`.
//! - `is:reply` is `Post::reply_to` being set.
//! - `has:link|mention|hashtag` reads the entity lists or, failing them, the text.
//! - `sentiment:negative|neutral|positive` and `intent:question|complaint|praise|lead|feedback|other`
//!   read the labels passed in; a post without labels matches none of them (`intent:other` is a
//!   labelled post with no intent).
//!
//! # Matching many topics
//!
//! [`Matcher`] compiles every topic together. A post is normalized once (ASCII text skips the
//! Unicode tables) and tokenized into ` word word ` form; one Aho-Corasick automaton over every
//! topic's literals (`word ` for whole words, `pre` for prefixes) is walked anchored from each
//! token's start, so a walk stops at the token's end or as soon as no literal begins that way,
//! and finds the literals the post holds with their positions. Each topic registers, for every
//! conjunct group of the literals it needs (its disjunctive normal form), the literal least
//! likely to be common (or one literal all groups share): judged from the literal's shape at
//! first, then from how many of the first 2,000 posts held it (any choice finds the same
//! matches, so only speed depends on it); a topic so woken is first checked against all its groups on the
//! post's literal stamps (a few loads; most woken topics stop there), and only then is its
//! postfix program run, unless that program is only terms under AND and OR, which the check
//! already decided. Topics that need no literal at all (`lang:fr is:reply`) are evaluated for
//! every post. Buffers live in a [`Scratch`] (one per thread behind [`Matcher::match_post`]),
//! so a warm matcher allocates nothing per post.
//! `cargo run --release -p rapport-query --example match_throughput` measures it on the
//! workload of `rapport bench ingest` (its texts and generated topics). With 10,000 topics a
//! post costs about 17,000 instructions: a third normalizing and tokenizing, a fifth walking
//! the automaton, a fifth waking and checking topics (about 39 woken for 5.8 matched), the
//! rest evaluating programs; and the walk and the wake wait on memory (the automaton, the
//! per-topic stamps), which holds one core near 300,000 posts/s.
//! [`matches()`] evaluates one query directly by walking the tokens, and is the reference the
//! matcher is tested against.
//!
//! [`Query::term_filter`] gives a store's full-text index the words to ask for. The index should
//! hold [`index_text`] of each post (its words as the matcher cuts them, one space apart) so
//! that both agree on where words start and end.

mod ast;
mod compile;
mod error;
mod eval;
mod filter;
mod lexer;
mod matcher;
mod parser;
mod program;
mod single;
mod text;
pub mod topicgen;
mod triggers;
mod x_rule;

pub use ast::Query;
pub use error::QueryError;
pub use matcher::{Matcher, Scratch};
pub use parser::{MAX_DEPTH, MAX_QUERY_CHARS, parse};
pub use single::matches;
pub use text::{index_text, normalize_text};
pub use x_rule::{MAX_X_RULE_LEN, Untranslatable, to_x_rule};
