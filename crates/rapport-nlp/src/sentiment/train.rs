//! Training: multinomial logistic regression by stochastic gradient descent over hashed
//! features, in a seeded order, single-threaded so that the same data and seed give the same
//! weights bit for bit.

use super::eval::evaluate;
use super::features::{Sink, featurize, finish};
use super::{CLASSES, EvalReport, LabelledPost, SentimentModel, read_airline, read_semeval};
use crate::NlpError;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// The SemEval file kept out of training and scored after it.
pub const HELD_OUT: &str = "twitter-2016test-A.tsv";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainOptions {
    /// log2 of the number of feature buckets.
    pub bits: u8,
    pub epochs: u32,
    pub learning_rate: f32,
    /// L2 penalty, applied to the weights a post touches.
    pub l2: f32,
    /// Weight each post by the inverse frequency of its class, which is what macro recall rewards.
    pub balance_classes: bool,
    /// Weight of an airline post relative to a SemEval post.
    pub airline_weight: f32,
    /// Use at most this many posts of each source (all when `None`), for quick runs.
    pub limit: Option<usize>,
    /// Feature groups to use (bit mask of `features::groups`).
    pub groups: u32,
    /// Average the weights over the last epoch's steps (averaged SGD).
    pub average: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            bits: 18,
            epochs: 12,
            learning_rate: 0.5,
            l2: 1e-3,
            balance_classes: true,
            airline_weight: 1.0,
            limit: None,
            average: true,
            groups: super::features::groups::ALL,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub options: TrainOptions,
    pub seed: u64,
    /// (file, posts) for every training file.
    pub sources: Vec<(String, usize)>,
    /// Training posts per class: negative, neutral, positive.
    pub class_counts: [usize; 3],
    pub seconds: f64,
    pub train_accuracy: f64,
    /// Scores on [`HELD_OUT`], which training never saw.
    pub held_out: Option<EvalReport>,
}

/// Trains on the labelled data under `data_dir` (the shared data directory) with the default
/// options: every SemEval file except [`HELD_OUT`], and `airline/airline_sentiment_train.csv`.
pub fn train_sentiment(
    data_dir: &Path,
    seed: u64,
) -> Result<(SentimentModel, TrainReport), NlpError> {
    train_with(data_dir, seed, &TrainOptions::default())
}

pub fn train_with(
    data_dir: &Path,
    seed: u64,
    options: &TrainOptions,
) -> Result<(SentimentModel, TrainReport), NlpError> {
    let started = Instant::now();
    let semeval_dir = data_dir.join("sentiment/semeval2017-task4a");
    let mut files: Vec<_> = std::fs::read_dir(&semeval_dir)
        .map_err(|source| NlpError::Read {
            path: semeval_dir.clone(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    let mut sources = Vec::new();
    let mut posts: Vec<(LabelledPost, f32)> = Vec::new();
    let mut held_out = None;
    for file in &files {
        let mut read = read_semeval(file)?;
        if file.file_name().is_some_and(|n| n == HELD_OUT) {
            held_out = Some(read);
            continue;
        }
        read.truncate(options.limit.unwrap_or(usize::MAX));
        sources.push((file.display().to_string(), read.len()));
        posts.extend(read.into_iter().map(|p| (p, 1.0)));
    }
    let airline = data_dir.join("airline/airline_sentiment_train.csv");
    let mut read = read_airline(&airline)?;
    read.truncate(options.limit.unwrap_or(usize::MAX));
    sources.push((airline.display().to_string(), read.len()));
    posts.extend(read.into_iter().map(|p| (p, options.airline_weight)));
    if posts.is_empty() {
        return Err(NlpError::NoData {
            path: data_dir.into(),
        });
    }

    let mut class_counts = [0usize; 3];
    for (p, _) in &posts {
        class_counts[class_index(p)] += 1;
    }
    if options.balance_classes {
        let total = posts.len() as f32;
        for (p, w) in &mut posts {
            *w *= total / (3.0 * class_counts[class_index(p)].max(1) as f32);
        }
    }

    let examples: Vec<Example> = posts
        .iter()
        .map(|(p, weight)| {
            let mut sink = BucketSink {
                bits: options.bits,
                buckets: Vec::new(),
            };
            featurize(&p.text, options.groups, &mut sink);
            Example {
                buckets: sink.buckets,
                class: class_index(p),
                weight: *weight,
            }
        })
        .collect();
    let model = sgd(&examples, seed, options);

    let train_accuracy = evaluate(
        &model,
        &posts.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
    )
    .accuracy;
    let held_out = held_out.map(|h| evaluate(&model, &h));
    let report = TrainReport {
        options: options.clone(),
        seed,
        sources,
        class_counts,
        seconds: started.elapsed().as_secs_f64(),
        train_accuracy,
        held_out,
    };
    Ok((model, report))
}

fn class_index(p: &LabelledPost) -> usize {
    CLASSES
        .iter()
        .position(|c| *c == p.label)
        .expect("three classes")
}

struct Example {
    buckets: Vec<u32>,
    class: usize,
    weight: f32,
}

struct BucketSink {
    bits: u8,
    buckets: Vec<u32>,
}

impl Sink for BucketSink {
    fn feature(&mut self, hash: u64, _name: impl FnOnce() -> String) {
        self.buckets
            .push((finish(hash) >> (64 - self.bits as u32)) as u32);
    }
}

/// SplitMix64: a tiny, well-known generator, enough for a reproducible shuffle.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

fn sgd(examples: &[Example], seed: u64, o: &TrainOptions) -> SentimentModel {
    let n_buckets = 1usize << o.bits;
    let mut w = vec![0f32; n_buckets * 3];
    let mut bias = [0f32; 3];
    // Averaged SGD keeps a running sum of the weights over the final epoch.
    let mut sum_w = vec![0f32; if o.average { n_buckets * 3 } else { 0 }];
    let mut sum_b = [0f32; 3];
    let mut averaged_steps = 0u64;
    let mut rng = SplitMix(seed);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let total_steps = (examples.len() as u64 * o.epochs as u64).max(1) as f32;
    let mut step = 0u64;
    for epoch in 0..o.epochs {
        rng.shuffle(&mut order);
        let last = epoch + 1 == o.epochs;
        for &i in &order {
            let ex = &examples[i];
            let lr = o.learning_rate * (1.0 - step as f32 / total_steps).max(0.05);
            step += 1;
            let x = 1.0 / (ex.buckets.len().max(1) as f32).sqrt();
            let mut logits = bias;
            for &b in &ex.buckets {
                let b = b as usize * 3;
                for c in 0..3 {
                    logits[c] += w[b + c] * x;
                }
            }
            let max = logits.iter().copied().fold(f32::MIN, f32::max);
            let exps = logits.map(|l| (l - max).exp());
            let total: f32 = exps.iter().sum();
            let grad: [f32; 3] = std::array::from_fn(|c| {
                let target = if c == ex.class { 1.0 } else { 0.0 };
                (exps[c] / total - target) * ex.weight
            });
            for c in 0..3 {
                bias[c] -= lr * grad[c] * 0.1;
            }
            for &b in &ex.buckets {
                let b = b as usize * 3;
                for c in 0..3 {
                    w[b + c] -= lr * (grad[c] * x + o.l2 * w[b + c]);
                }
            }
            if o.average && last {
                // Adding the full vector each step would cost O(buckets); instead add it every
                // 64 steps, which averages the tail of training just as well.
                if step.is_multiple_of(64) {
                    for (s, v) in sum_w.iter_mut().zip(&w) {
                        *s += v;
                    }
                    for c in 0..3 {
                        sum_b[c] += bias[c];
                    }
                    averaged_steps += 1;
                }
            }
        }
    }
    if o.average && averaged_steps > 0 {
        let k = averaged_steps as f32;
        w = sum_w.into_iter().map(|s| s / k).collect();
        bias = sum_b.map(|s| s / k);
    }
    quantize(o.bits, o.groups, &w, bias)
}

fn quantize(bits: u8, groups: u32, w: &[f32], bias: [f32; 3]) -> SentimentModel {
    let max = w.iter().fold(0f32, |m, v| m.max(v.abs()));
    let scale = if max == 0.0 {
        1.0
    } else {
        max / i16::MAX as f32
    };
    let weights = w.iter().map(|v| (v / scale).round() as i16).collect();
    SentimentModel {
        bits,
        groups,
        weights,
        scale,
        bias,
    }
}
