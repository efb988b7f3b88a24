//! Trending terms: the words of a post as the reports count them, and how a term's count in a
//! period is compared with the period before.

use crate::words::{PieceKind, split};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// English function words and social-post filler that would top every list.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "but", "by", "can", "could", "did", "do", "does", "don't", "for", "from", "get",
    "got", "had", "has", "have", "he", "her", "here", "him", "his", "how", "i", "i'm", "if", "in",
    "into", "is", "it", "it's", "its", "just", "me", "my", "no", "not", "now", "of", "on", "one",
    "or", "our", "out", "please", "so", "some", "than", "that", "the", "their", "them", "then",
    "there", "they", "this", "to", "too", "up", "us", "was", "we", "were", "what", "when", "which",
    "who", "why", "will", "with", "would", "you", "your", "you're", "can't", "im", "dm", "rt",
    "via", "amp", "thanks", "thank", "hi", "hello", "hey",
];

/// Whether a lowercased word is a stopword the term counts leave out.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

/// The distinct terms of a post, lowercased: words of three letters or more that are no
/// stopword. Numbers, links, mentions, hashtags (counted apart) and emoji are left out.
pub fn post_terms(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    split(text, |p| {
        if p.kind == PieceKind::Word {
            let w = text[p.start..p.end].to_lowercase();
            if w.chars().count() >= 3 && !is_stopword(&w) {
                out.insert(w);
            }
        }
    });
    out
}

/// A term whose count rose against the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub term: String,
    /// Posts holding it in the period.
    pub current: u64,
    /// Posts holding it in the period of equal length before.
    pub previous: u64,
    /// `(current - previous) / sqrt(previous + 1)`: the rise in standard deviations of a
    /// Poisson count, so a jump from 0 to 5 ranks above one from 100 to 105.
    pub score: f64,
}

/// The terms that rose most, best first: those with at least `min_count` posts in the period
/// and more than in the previous one, by score, then by count, then by term; at most `limit`.
pub fn trending(
    current: &[(String, u64)],
    previous: &[(String, u64)],
    min_count: u64,
    limit: usize,
) -> Vec<Trend> {
    let before: HashMap<&str, u64> = previous.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    let mut out: Vec<Trend> = current
        .iter()
        .filter(|(_, n)| *n >= min_count.max(1))
        .map(|(term, n)| {
            let n = *n;
            let p = before.get(term.as_str()).copied().unwrap_or(0);
            Trend {
                term: term.clone(),
                current: n,
                previous: p,
                score: (n as f64 - p as f64) / ((p + 1) as f64).sqrt(),
            }
        })
        .filter(|t| t.current > t.previous)
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.current.cmp(&a.current))
            .then_with(|| a.term.cmp(&b.term))
    });
    out.truncate(limit);
    out
}
