//! Generated listening topics for the ingest benchmark.
//!
//! Topics are drawn, with a fixed seed, from the vocabulary of the benchmark's own texts so that
//! they hit real posts at realistic rates. The mix, per 100 topics:
//! - 30 single terms (`battery`)
//! - 20 two-word phrases taken from the texts (`"customer service"`)
//! - 15 OR groups with a required term (`(refund OR charged OR billing) card`)
//! - 10 term with an exclusion (`delay -weather`)
//! - 10 hashtag or mention topics (`#fail OR outage`, `@delta`)
//! - 10 proximity (`wifi NEAR/3 router`, `"app crash"~4`)
//! - 5 prefix wildcards with a field (`cancel* lang:en`)
//!
//! Words come from vocabulary ranks 40..4,000 (the very commonest words would match almost
//! everything, which no real topic does).

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use std::collections::HashMap;

pub struct Vocabulary {
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
            words: ranked(words, 40, 4_000),
            bigrams: ranked(bigrams, 20, 3_000),
            tags: ranked(tags, 0, 500)
                .into_iter()
                .filter(|t| has_letter(t))
                .collect(),
            mentions: ranked(mentions, 0, 300),
        }
    }

    pub fn is_usable(&self) -> bool {
        self.words.len() >= 50
    }
}

/// Networks only count `#` followed by at least one letter as a hashtag (`#1` is not one).
fn has_letter(w: &str) -> bool {
    w.chars().any(char::is_alphabetic)
}

fn is_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn ranked(counts: HashMap<String, u32>, skip: usize, take: usize) -> Vec<String> {
    let mut v: Vec<(String, u32)> = counts.into_iter().filter(|(_, n)| *n >= 2).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.into_iter()
        .skip(skip)
        .take(take)
        .map(|(w, _)| w)
        .collect()
}

/// `k` topic queries, the same for the same seed and vocabulary. A drawn query the language
/// refuses (a vocabulary word it does not take as a term) is replaced by a plain word.
pub fn generate(vocab: &Vocabulary, k: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let word = |rng: &mut StdRng| vocab.words.choose(rng).expect("vocabulary checked").clone();
    let mut fallback = StdRng::seed_from_u64(seed ^ 0x5eed);
    (0..k)
        .map(|_| draw(vocab, &mut rng, &word))
        .map(|q| {
            if rapport_query::parse(&q).is_ok() {
                q
            } else {
                word(&mut fallback)
            }
        })
        .collect()
}

fn draw(vocab: &Vocabulary, rng: &mut StdRng, word: &dyn Fn(&mut StdRng) -> String) -> String {
    let roll = rng.random_range(0..100);
    match roll {
        0..30 => word(rng),
        30..50 => match vocab.bigrams.choose(rng) {
            Some(b) => format!("\"{b}\""),
            None => word(rng),
        },
        50..65 => format!(
            "({} OR {} OR {}) {}",
            word(rng),
            word(rng),
            word(rng),
            word(rng)
        ),
        65..75 => format!("{} -{}", word(rng), word(rng)),
        75..85 => {
            let tag = vocab.tags.choose(rng).cloned();
            let mention = vocab.mentions.choose(rng).cloned();
            match (tag, mention, rng.random_bool(0.5)) {
                (Some(t), _, true) => format!("#{t} OR {}", word(rng)),
                (_, Some(m), _) => format!("@{m} {}", word(rng)),
                _ => word(rng),
            }
        }
        85..95 => {
            if rng.random_bool(0.5) {
                format!("{} NEAR/3 {}", word(rng), word(rng))
            } else {
                format!("\"{} {}\"~4", word(rng), word(rng))
            }
        }
        _ => {
            let w = word(rng);
            let stem: String = w.chars().take(4.max(w.chars().count() - 2)).collect();
            format!("{stem}* lang:en")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        let text = (0..300)
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
            rapport_query::parse(q).unwrap_or_else(|e| panic!("generated query {q:?}: {e}"));
        }
        assert!(a.iter().any(|q| q.contains("NEAR/3")));
        assert!(a.iter().any(|q| q.contains(" -")));
        assert!(a.iter().any(|q| q.starts_with('"')));
    }
}
