//! The topic generator of `rapport bench ingest`, line for line, so that this example measures
//! the matcher on the very topics the benchmark matches (this crate cannot depend on the
//! engine that holds it).
//!
//! Topics are drawn, with a fixed seed, from the vocabulary of the benchmark's own texts:
//! anchors from vocabulary rank 300 down (words seen at least three times), context words from
//! ranks 40..2,000. The mix, per 100 topics: 30 single anchors, 20 two-word phrases, 15 OR
//! groups of anchors with a context word, 10 anchors with an exclusion, 10 hashtag or mention
//! topics, 10 proximity (`NEAR/3`, `"a b"~4`), 5 prefix wildcards with `lang:en`.

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use std::collections::HashMap;

pub struct Vocabulary {
    anchors: Vec<String>,
    words: Vec<String>,
    bigrams: Vec<String>,
    tags: Vec<String>,
    mentions: Vec<String>,
}

impl Vocabulary {
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut words: HashMap<String, u32> = HashMap::new();
        let mut bigrams: HashMap<String, u32> = HashMap::new();
        let mut tags: HashMap<String, u32> = HashMap::new();
        let mut mentions: HashMap<String, u32> = HashMap::new();
        for text in texts {
            let mut prev: Option<String> = None;
            for raw in text.split_whitespace() {
                if let Some(t) = raw.strip_prefix('#').filter(|t| is_word(t)) {
                    *tags.entry(t.to_lowercase()).or_default() += 1;
                    prev = None;
                    continue;
                }
                if let Some(m) = raw.strip_prefix('@').filter(|t| is_word(t)) {
                    *mentions.entry(m.to_lowercase()).or_default() += 1;
                    prev = None;
                    continue;
                }
                let w = raw
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase();
                if !is_word(&w) || w.len() < 3 {
                    prev = None;
                    continue;
                }
                if let Some(p) = prev.take() {
                    *bigrams.entry(format!("{p} {w}")).or_default() += 1;
                }
                *words.entry(w.clone()).or_default() += 1;
                prev = Some(w);
            }
        }
        Self {
            anchors: ranked(words.iter().filter(|(_, n)| **n >= 3), 300, usize::MAX),
            words: ranked(words.iter(), 40, 2_000),
            bigrams: ranked(bigrams.iter(), 100, 5_000),
            tags: ranked(tags.iter(), 10, 500)
                .into_iter()
                .filter(|t| has_letter(t))
                .collect(),
            mentions: ranked(mentions.iter(), 10, 300),
        }
    }
}

fn has_letter(w: &str) -> bool {
    w.chars().any(char::is_alphabetic)
}

fn is_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn ranked<'a>(
    counts: impl Iterator<Item = (&'a String, &'a u32)>,
    skip: usize,
    take: usize,
) -> Vec<String> {
    let mut v: Vec<(&String, u32)> = counts
        .filter(|(_, n)| **n >= 2)
        .map(|(w, n)| (w, *n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter()
        .skip(skip)
        .take(take)
        .map(|(w, _)| w.clone())
        .collect()
}

/// `k` topic queries, the same for the same seed and vocabulary. A drawn query the language
/// refuses is replaced by a plain word.
pub fn generate(vocab: &Vocabulary, k: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut fallback = StdRng::seed_from_u64(seed ^ 0x5eed);
    (0..k)
        .map(|_| draw(vocab, &mut rng))
        .map(|q| {
            if rapport_query::parse(&q).is_ok() {
                q
            } else {
                pick(&vocab.anchors, &mut fallback)
            }
        })
        .collect()
}

fn pick(list: &[String], rng: &mut StdRng) -> String {
    list.choose(rng).expect("vocabulary has words").clone()
}

fn draw(vocab: &Vocabulary, rng: &mut StdRng) -> String {
    let anchor = |rng: &mut StdRng| pick(&vocab.anchors, rng);
    let context = |rng: &mut StdRng| pick(&vocab.words, rng);
    match rng.random_range(0..100) {
        0..30 => anchor(rng),
        30..50 => match vocab.bigrams.choose(rng) {
            Some(b) => format!("\"{b}\""),
            None => anchor(rng),
        },
        50..65 => format!(
            "({} OR {} OR {}) {}",
            anchor(rng),
            anchor(rng),
            anchor(rng),
            context(rng)
        ),
        65..75 => format!("{} -{}", anchor(rng), context(rng)),
        75..85 => {
            let tag = vocab.tags.choose(rng).cloned();
            let mention = vocab.mentions.choose(rng).cloned();
            match (tag, mention, rng.random_bool(0.5)) {
                (Some(t), _, true) => format!("#{t} OR {}", anchor(rng)),
                (_, Some(m), _) => format!("@{m} {}", context(rng)),
                _ => anchor(rng),
            }
        }
        85..95 => {
            if rng.random_bool(0.5) {
                format!("{} NEAR/3 {}", anchor(rng), context(rng))
            } else {
                format!("\"{} {}\"~4", anchor(rng), context(rng))
            }
        }
        _ => {
            let w = anchor(rng);
            let stem: String = w.chars().take(4.max(w.chars().count() - 2)).collect();
            format!("{stem}* lang:en")
        }
    }
}
