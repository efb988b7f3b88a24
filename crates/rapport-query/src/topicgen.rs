//! Generated listening topics for benchmarks (`rapport bench ingest`, the matcher's throughput
//! example): seeded, so the same texts and seed give the same topics.
//!
//! Topics are drawn, with a fixed seed, from the vocabulary of the benchmark's own texts. A real
//! deployment's topics are anchored on names and specific terms (a product, a brand, a place)
//! that few posts contain, with common words only as context; the generator does the same:
//! anchors come from vocabulary rank 300 down (words seen at least three times, each in well
//! under 1% of posts), context words from ranks 40..2,000. The mix, per 100 topics:
//! - 30 single anchors (`airpods`)
//! - 20 two-word phrases from the texts, ranks 100 down (`"boarding pass"`)
//! - 15 OR groups of anchors with a context word (`(refund OR chargeback OR overcharged) card`)
//! - 10 anchor with an exclusion (`layover -weather`)
//! - 10 hashtag or mention topics (`#fail OR layover`, `@delta upgrade`)
//! - 10 proximity (`wifi NEAR/3 router`, `"app crash"~4`)
//! - 5 prefix wildcards with a field (`firmw* lang:en`)
//!
//! The benchmark reports how many topics an average post matched, so the selectivity of the
//! workload is part of the figures.

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

    pub fn is_usable(&self) -> bool {
        self.words.len() >= 50 && self.anchors.len() >= 50
    }
}

/// Networks only count `#` followed by at least one letter as a hashtag (`#1` is not one).
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
/// refuses (a vocabulary word it does not take as a term) is replaced by a plain word.
pub fn generate(vocab: &Vocabulary, k: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut fallback = StdRng::seed_from_u64(seed ^ 0x5eed);
    (0..k)
        .map(|_| draw(vocab, &mut rng))
        .map(|q| {
            if crate::parse(&q).is_ok() {
                q
            } else {
                pick(&vocab.anchors, &mut fallback)
            }
        })
        .collect()
}

fn pick(list: &[String], rng: &mut StdRng) -> String {
    list.choose(rng).expect("vocabulary checked").clone()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        let text = (0..1_000)
            .map(|i| {
                format!(
                    "word{i} other{} #tag{} @brand{} customer service",
                    i % 7,
                    i % 5,
                    i % 3
                )
            })
            .collect::<Vec<_>>();
        let mut all = text.clone();
        all.extend(text.clone());
        all.extend(text);
        Vocabulary::from_texts(all.iter().map(String::as_str))
    }

    #[test]
    fn generation_is_seeded_and_every_topic_parses() {
        let v = vocab();
        let a = generate(&v, 500, 7);
        assert_eq!(a, generate(&v, 500, 7));
        assert_ne!(a, generate(&v, 500, 8));
        for q in &a {
            crate::parse(q).unwrap_or_else(|e| panic!("generated query {q:?}: {e}"));
        }
        assert!(a.iter().any(|q| q.contains("NEAR/3")));
        assert!(a.iter().any(|q| q.contains(" -")));
        assert!(a.iter().any(|q| q.starts_with('"')));
    }
}
