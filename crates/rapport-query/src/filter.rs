//! The words a store's full-text index can use to find a query's candidate posts.

use crate::ast::{Element, Node, Query};
use crate::compile::{Dnf, and_dnf, or_dnf};
use rapport_domain::{TermFilter, TopicOptions};

impl Query {
    /// Plain lowercase words a matching post must contain, in disjunctive normal form, for a
    /// full-text prefilter; a word ending in `*` is a prefix. Never excludes a post the exact
    /// matcher accepts, given an index over [`crate::index_text`] of each post (accents kept:
    /// see [`Query::term_filter_for`]); scan-all when the query
    /// names no such word. Tags, emoji, words with `_` or marks, and words of scripts written
    /// without spaces are left out, since an index may split them differently, and tags may be
    /// found in a post's entity lists rather than its text.
    pub fn term_filter(&self) -> TermFilter {
        match required_words(&self.root) {
            Some(any_of) => TermFilter { any_of },
            None => TermFilter::scan_all(),
        }
    }

    /// [`Query::term_filter`] for a topic's options: a topic that ignores accents can match a
    /// post holding any accented form of its words, which an index that keeps accents cannot
    /// list, so it scans everything.
    pub fn term_filter_for(&self, options: &TopicOptions) -> TermFilter {
        if options.ignore_accents {
            TermFilter::scan_all()
        } else {
            self.term_filter()
        }
    }
}

/// A word every full-text tokenizer cuts the same way: letters and digits only, with no
/// character that the matcher treats as a word of its own (Han, kana).
fn indexable(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_alphanumeric() && !crate::text::is_spaceless_script(c))
}

fn word(w: &str) -> Option<String> {
    indexable(w).then(|| w.to_string())
}

fn prefix(p: &str) -> Option<String> {
    indexable(p).then(|| format!("{p}*"))
}

fn required_words(node: &Node) -> Dnf<String> {
    match node {
        Node::Word(w) => word(w).map(|w| vec![vec![w]]),
        Node::Prefix(p) => prefix(p).map(|p| vec![vec![p]]),
        Node::Phrase { elements, .. } => {
            let mut group: Vec<String> = elements
                .iter()
                .filter_map(|e| match e {
                    Element::Word(w) => word(w),
                    Element::Prefix(p) => prefix(p),
                })
                .collect();
            group.sort();
            group.dedup();
            (!group.is_empty()).then(|| vec![group])
        }
        Node::Tag(..) | Node::Field(_) | Node::Not(_) => None,
        Node::Near { left, right, .. } => and_dnf([required_words(left), required_words(right)]),
        Node::And(children) => and_dnf(children.iter().map(required_words)),
        Node::Or(children) => or_dnf(children.iter().map(required_words)),
    }
}
