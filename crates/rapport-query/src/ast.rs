//! The parsed form of a query. Words are already normalized (NFKC + case folding, accents kept);
//! a topic that ignores accents strips them when the query is compiled.

use rapport_domain::{Intent, Network, SentimentLabel};
use std::fmt;

/// A parsed listening query. Build one with [`crate::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub(crate) source: String,
    pub(crate) root: Node,
}

impl Query {
    /// The query text as the user wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Which entity a tag names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TagKind {
    Hashtag,
    Mention,
    Cashtag,
}

/// One element of a phrase: a word, or a prefix written `word*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Element {
    Word(String),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field {
    /// Author handle, lowercased, without `@`.
    From(String),
    /// Handle replied to, lowercased, without `@`.
    To(String),
    /// Language tag, lowercased.
    Lang(String),
    Network(Network),
    IsReply,
    HasLink,
    HasMention,
    HasHashtag,
    Sentiment(SentimentLabel),
    /// `None` is `intent:other`: labelled, with no intent.
    Intent(Option<Intent>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Word(String),
    Prefix(String),
    /// Words next to each other in order, or with `slop`, all within a window (any order).
    Phrase {
        elements: Vec<Element>,
        slop: Option<u32>,
    },
    Tag(TagKind, String),
    Field(Field),
    Near {
        left: Box<Node>,
        right: Box<Node>,
        distance: u32,
        ordered: bool,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

impl Node {
    /// Whether the node stands at word positions, so that NEAR can measure distances to it.
    pub(crate) fn is_positional(&self) -> bool {
        match self {
            Node::Word(_) | Node::Prefix(_) | Node::Phrase { .. } | Node::Tag(..) => true,
            Node::Near { .. } => true,
            Node::Or(children) => children.iter().all(Node::is_positional),
            Node::Field(_) | Node::And(_) | Node::Not(_) => false,
        }
    }
}
