//! Sentiment: a multinomial logistic regression over hashed features ([`features`]), trained by
//! [`train_with`] and evaluated by [`eval_sentiment`].
//!
//! The weights are 16-bit integers with one scale per model, laid out class-interleaved so the
//! three classes of a feature share a cache line; prediction sums integers and applies the scale
//! once. The committed model is embedded in the library, so [`SentimentModel::default_model`]
//! reads no file.

mod data;
mod eval;
mod features;
mod format;
mod lexicon;
mod shift;
mod sources;
mod train;
mod vectors;

pub use data::{LabelledPost, read_airline, read_semeval, read_tsv};
pub use eval::{ClassScores, EvalFormat, EvalReport, eval_sentiment};
pub use sources::{DEV_SETS, HELD_OUT};
pub use train::{TrainOptions, TrainReport, train_with};
pub use vectors::{WordScores, WordVectors};

use crate::NlpError;
use features::{Sink, featurize};
use rapport_domain::{Sentiment, SentimentLabel};
use std::path::Path;
use std::sync::OnceLock;

/// Classes in weight order.
const CLASSES: [SentimentLabel; 3] = SentimentLabel::ALL;

/// A trained sentiment model.
#[derive(Debug, Clone, PartialEq)]
pub struct SentimentModel {
    /// log2 of the number of feature buckets.
    bits: u8,
    /// Feature groups ([`features::groups`]) the model was trained with.
    groups: u32,
    /// `weights[bucket * 3 + class] * scale` is the weight of a feature for a class.
    weights: Vec<i16>,
    scale: f32,
    bias: [f32; 3],
    /// Each word's share of the scores learnt from pre-trained word vectors ([`vectors`]), if
    /// the model was trained with them.
    words: Option<WordScores>,
}

static DEFAULT: OnceLock<SentimentModel> = OnceLock::new();
static DEFAULT_BYTES: &[u8] = include_bytes!("../../models/sentiment.bin");

impl SentimentModel {
    /// The model committed with Rapport (`models/sentiment.bin`), decoded on first use.
    pub fn default_model() -> &'static SentimentModel {
        DEFAULT.get_or_init(|| {
            format::decode(DEFAULT_BYTES).unwrap_or_else(|reason| {
                panic!("the embedded sentiment model is invalid: {reason}")
            })
        })
    }

    pub fn load(path: &Path) -> Result<Self, NlpError> {
        let bytes = std::fs::read(path).map_err(|source| NlpError::Read {
            path: path.into(),
            source,
        })?;
        format::decode(&bytes).map_err(|reason| NlpError::BadModel {
            path: path.into(),
            reason,
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), NlpError> {
        std::fs::write(path, format::encode(self)).map_err(|source| NlpError::Write {
            path: path.into(),
            source,
        })
    }

    /// The model as bytes of the model file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        format::encode(self)
    }

    fn bucket(&self, hash: u64) -> usize {
        (features::finish(hash) >> (64 - self.bits as u32)) as usize
    }

    /// Per-class scores (logits) of `text`.
    pub fn scores(&self, text: &str) -> [f32; 3] {
        let mut sink = SumSink {
            model: self,
            sums: [0; 3],
            count: 0,
            word_sums: [0; 3],
            words_found: 0,
        };
        featurize(text, self.groups, &mut sink);
        let norm = self.scale / (sink.count.max(1) as f32).sqrt();
        let word_norm = match &self.words {
            Some(words) if sink.words_found > 0 => words.scale / sink.words_found as f32,
            _ => 0.0,
        };
        std::array::from_fn(|c| {
            self.bias[c] + sink.sums[c] as f32 * norm + sink.word_sums[c] as f32 * word_norm
        })
    }

    /// How many words carry a score learnt from word vectors (0 without them).
    pub fn vector_words(&self) -> usize {
        self.words.as_ref().map_or(0, WordScores::len)
    }

    pub fn predict(&self, text: &str) -> Sentiment {
        let scores = self.scores(text);
        let best = argmax(&scores);
        let max = scores[best];
        let total: f32 = scores.iter().map(|s| (s - max).exp()).sum();
        Sentiment {
            label: CLASSES[best],
            score: 1.0 / total,
        }
    }

    /// The features that pushed most towards the predicted label (positive weight) or away from
    /// it (negative), largest magnitude first, merged by name.
    pub fn explain(&self, text: &str, top: usize) -> Vec<(String, f32)> {
        let label = argmax(&self.scores(text));
        let mut sink = NameSink {
            model: self,
            items: Vec::new(),
            words: Vec::new(),
        };
        featurize(text, self.groups, &mut sink);
        // Contribution towards `label` relative to the mean of the other two classes.
        let towards = |w: [f32; 3]| {
            let others = (0..3).filter(|c| *c != label).map(|c| w[c]).sum::<f32>() / 2.0;
            w[label] - others
        };
        let norm = self.scale / (sink.items.len().max(1) as f32).sqrt();
        let mut merged: Vec<(String, f32)> = Vec::new();
        let mut add = |name: String, push: f32| match merged.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 += push,
            None => merged.push((name, push)),
        };
        for (name, bucket) in sink.items {
            let w = &self.weights[bucket * 3..bucket * 3 + 3];
            add(name, towards(std::array::from_fn(|c| w[c] as f32)) * norm);
        }
        if let Some(words) = &self.words
            && !sink.words.is_empty()
        {
            let norm = words.scale / sink.words.len() as f32;
            for (name, w) in sink.words {
                let push = towards(std::array::from_fn(|c| w[c] as f32)) * norm;
                add(format!("[word vector: {name}]"), push);
            }
        }
        merged.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        merged.truncate(top);
        merged
    }
}

fn argmax(scores: &[f32; 3]) -> usize {
    let mut best = 0;
    for c in 1..3 {
        if scores[c] > scores[best] {
            best = c;
        }
    }
    best
}

struct SumSink<'a> {
    model: &'a SentimentModel,
    sums: [i32; 3],
    count: u32,
    word_sums: [i32; 3],
    words_found: u32,
}

impl Sink for SumSink<'_> {
    #[inline]
    fn feature(&mut self, hash: u64, _name: impl FnOnce() -> String) {
        let b = self.model.bucket(hash) * 3;
        let w = &self.model.weights[b..b + 3];
        self.sums[0] += w[0] as i32;
        self.sums[1] += w[1] as i32;
        self.sums[2] += w[2] as i32;
        self.count += 1;
    }

    #[inline]
    fn word(&mut self, word_hash: u64, _word: &str) {
        if let Some(w) = self.model.words.as_ref().and_then(|t| t.get(word_hash)) {
            self.word_sums[0] += w[0] as i32;
            self.word_sums[1] += w[1] as i32;
            self.word_sums[2] += w[2] as i32;
            self.words_found += 1;
        }
    }
}

struct NameSink<'a> {
    model: &'a SentimentModel,
    items: Vec<(String, usize)>,
    /// Words with a word-vector score.
    words: Vec<(String, [i16; 3])>,
}

impl Sink for NameSink<'_> {
    fn feature(&mut self, hash: u64, name: impl FnOnce() -> String) {
        let bucket = self.model.bucket(hash);
        self.items.push((name(), bucket));
    }

    fn word(&mut self, word_hash: u64, word: &str) {
        if let Some(w) = self.model.words.as_ref().and_then(|t| t.get(word_hash)) {
            self.words.push((word.to_string(), *w));
        }
    }
}
