//! Training: multinomial logistic regression by stochastic gradient descent over hashed
//! features, in a seeded order, single-threaded so that the same data and seed give the same
//! weights bit for bit.

use super::eval::evaluate;
use super::features::{Sink, featurize, finish};
use super::shift::{self, Scored};
use super::sources::{DEV_SETS, Sample, Split, load};
use super::vectors::{WordScores, WordVectors};
use super::{CLASSES, EvalReport, LabelledPost, SentimentModel};
use crate::NlpError;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    /// Naive Bayes feature scaling: 0 is off, 1 is NBSVM's log-count ratios (see `nb_scale`).
    pub nb: f32,
    /// SemEval files (names) that tune the class-score shift: a first model is trained without
    /// them, the shift that maximises its macro recall on them is found, and the final model,
    /// trained on everything, gets that shift.
    pub dev: Vec<String>,
    /// Whether to tune the class-score shift on `dev` at all.
    pub tune_bias: bool,
    /// Weight of a post from a SemEval 2016 file (the newest tweets) relative to older ones.
    pub recent_weight: f32,
    /// 0: the shift is tuned on the dev split scored by one model trained without all of it;
    /// k > 1: the dev split is cut into k folds, each scored by a model trained on everything
    /// else (the other folds included), closer to the final model that sees all of it.
    pub shift_folds: u32,
    /// Models fitted with seeds `seed, seed + 1, ...` whose weights are averaged.
    pub seeds: u32,
    /// A word-vector file ([`WordVectors::load`]): the mean vector of a post's words becomes
    /// dense features, folded into per-word scores in the model.
    pub word_vectors: Option<PathBuf>,
    /// How many of the file's words (most frequent first) to use.
    pub vector_words: usize,
    /// Size of the standardized dense features relative to the hashed ones.
    pub vector_weight: f32,
    /// L2 penalty of the dense weights, which every step touches (the hashed weights are
    /// penalised only when a post has the feature).
    pub vector_l2: f32,
    /// Whether the airline training posts are a second dev set for the shift, counting as much
    /// as the SemEval one.
    pub airline_dev: bool,
    /// Keep `twitter-2016test-A.tsv` and a fifth of the airline posts out of training and score
    /// them: the cross-dataset estimate. The committed model trains on everything.
    pub hold_out: bool,
    /// Balance classes within each domain (SemEval, airline) rather than over all posts.
    pub balance_per_domain: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            bits: 18,
            epochs: 12,
            learning_rate: 0.5,
            l2: 1e-3,
            balance_classes: true,
            airline_weight: 0.5,
            limit: None,
            average: true,
            groups: super::features::groups::ALL,
            nb: 1.0,
            dev: vec![
                "twitter-2016train-A.tsv".to_string(),
                "twitter-2016dev-A.tsv".to_string(),
                "twitter-2016devtest-A.tsv".to_string(),
            ],
            tune_bias: true,
            recent_weight: 1.0,
            seeds: 1,
            shift_folds: 5,
            word_vectors: None,
            vector_words: 100_000,
            vector_weight: 0.1,
            vector_l2: 1e-3,
            airline_dev: true,
            hold_out: false,
            balance_per_domain: true,
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
    /// Added to the class scores (negative, neutral, positive), tuned on the dev split.
    pub bias_shift: [f32; 3],
    /// Scores on the dev split of the model trained without it (shift included).
    pub dev: Option<EvalReport>,
    /// The same, per dev set (`sources::DEV_SETS`).
    pub dev_sets: Vec<(String, EvalReport)>,
    /// Scores on `twitter-2016test-A.tsv`, which training never saw (with `hold_out`).
    pub held_out: Option<EvalReport>,
    /// Scores on the fifth of the airline posts training never saw (with `hold_out`).
    pub held_out_airline: Option<EvalReport>,
}

/// Trains on the labelled data under `data_dir` (the shared data directory): every SemEval file
/// and `airline/airline_sentiment_train.csv` (with `hold_out`, less the posts kept out to score
/// the model). The committed model is `TrainOptions::default()` with `word_vectors` set (see
/// README.md).
pub fn train_with(
    data_dir: &Path,
    seed: u64,
    options: &TrainOptions,
) -> Result<(SentimentModel, TrainReport), NlpError> {
    let started = Instant::now();
    let vectors = match &options.word_vectors {
        Some(path) => Some(WordVectors::load(path, options.vector_words)?),
        None => None,
    };
    let vectors = vectors.as_ref();
    let split = Split {
        dev: &options.dev,
        airline_dev: options.airline_dev,
        hold_out: options.hold_out,
        airline_weight: options.airline_weight,
        recent_weight: options.recent_weight,
        limit: options.limit,
    };
    let loaded = load(data_dir, &split)?;
    let posts = &loaded.samples;
    let mut class_counts = [0usize; 3];
    for s in posts {
        class_counts[class_index(&s.post)] += 1;
    }

    // The class-score shift is tuned on the dev sets, each post scored by a model that did not
    // see it: the dev posts are cut into k folds, each scored by a model trained on everything
    // else (the other folds included), close to the final model that sees all of them.
    let (mut shift, mut dev, mut dev_sets) = ([0f32; 3], None, Vec::new());
    if options.tune_bias && posts.iter().any(|s| s.set > 0) {
        let k = options.shift_folds.max(1) as usize;
        let mut scored: Vec<Scored> = Vec::new();
        for fold in 0..k {
            let mut dev_index = 0usize;
            let mut held = Vec::new();
            let train: Vec<&Sample> = posts
                .iter()
                .filter(|s| {
                    if s.set == 0 {
                        return true;
                    }
                    dev_index += 1;
                    let out = (dev_index - 1) % k == fold;
                    if out {
                        held.push(*s);
                    }
                    !out
                })
                .collect();
            let model = fit(&train, seed, options, vectors);
            scored.extend(
                held.iter()
                    .map(|s| (model.scores(&s.post.text), class_index(&s.post), s.set)),
            );
        }
        shift = shift::tune(&scored);
        let (all, per_set) = shift::reports(&scored, shift);
        dev = Some(all);
        dev_sets = per_set
            .into_iter()
            .map(|(s, r)| (DEV_SETS[s as usize - 1].to_string(), r))
            .collect();
    }
    let all: Vec<&Sample> = posts.iter().collect();
    let mut model = fit(&all, seed, options, vectors);
    model.shift(shift);

    let train_accuracy = evaluate(
        &model,
        &posts.iter().map(|s| s.post.clone()).collect::<Vec<_>>(),
    )
    .accuracy;
    let report = TrainReport {
        options: options.clone(),
        seed,
        sources: loaded.sources,
        class_counts,
        seconds: started.elapsed().as_secs_f64(),
        train_accuracy,
        bias_shift: shift,
        dev,
        dev_sets,
        held_out: loaded.semeval_held_out.map(|h| evaluate(&model, &h)),
        held_out_airline: loaded.airline_held_out.map(|h| evaluate(&model, &h)),
    };
    Ok((model, report))
}

/// Featurizes `posts` and fits a model to them.
fn fit(
    posts: &[&Sample],
    seed: u64,
    options: &TrainOptions,
    vectors: Option<&WordVectors>,
) -> SentimentModel {
    // Classes are balanced within each domain when asked: the airline posts are two-thirds
    // negative, general tweets mostly neutral, and pooled counts would teach the model that
    // domain cues are class cues.
    let mut class_counts = [[0usize; 3]; 2];
    for s in posts {
        let domain = if options.balance_per_domain {
            s.domain as usize
        } else {
            0
        };
        class_counts[domain][class_index(&s.post)] += 1;
    }
    let mut examples: Vec<Example> = posts
        .iter()
        .map(|sample| {
            let (p, weight) = (&sample.post, sample.weight);
            let mut sink = BucketSink {
                bits: options.bits,
                buckets: Vec::new(),
                words: Vec::new(),
            };
            featurize(&p.text, options.groups, &mut sink);
            let mean = vectors.and_then(|v| v.mean(&sink.words));
            let class = class_index(p);
            let domain = if options.balance_per_domain {
                sample.domain as usize
            } else {
                0
            };
            let counts = class_counts[domain];
            let total = counts.iter().sum::<usize>() as f32;
            let balance = if options.balance_classes {
                total / (3.0 * counts[class].max(1) as f32)
            } else {
                1.0
            };
            Example {
                buckets: sink.buckets,
                dense: mean.unwrap_or_default(),
                class,
                weight: weight * balance,
            }
        })
        .collect();
    let standard = vectors.map(|v| Standardize::fit(&mut examples, v.dim, options.vector_weight));
    let scale = (options.nb > 0.0).then(|| nb_scale(&examples, options));
    let runs = options.seeds.max(1);
    let mut fitted = sgd(&examples, seed, options, scale.as_deref());
    for k in 1..runs {
        let more = sgd(&examples, seed + u64::from(k), options, scale.as_deref());
        for (a, b) in fitted.w.iter_mut().zip(more.w) {
            *a += b;
        }
        for (a, b) in fitted.dense.iter_mut().zip(more.dense) {
            *a += b;
        }
        for c in 0..3 {
            fitted.bias[c] += more.bias[c];
        }
    }
    let k = runs as f32;
    fitted.w.iter_mut().for_each(|v| *v /= k);
    fitted.dense.iter_mut().for_each(|v| *v /= k);
    let mut bias = fitted.bias.map(|b| b / k);
    let words = match (vectors, standard) {
        (Some(vectors), Some(standard)) => {
            let (words, offset) = standard.fold(&fitted.dense, vectors);
            for c in 0..3 {
                bias[c] += offset[c];
            }
            Some(words)
        }
        _ => None,
    };
    let mut model = quantize(options.bits, options.groups, &fitted.w, bias);
    model.words = words;
    model
}

/// The centring and scaling of the dense features: `z = (mean - mu) / sd * weight`, with the
/// mean vector of a post without any known word taken as zero (as prediction does).
struct Standardize {
    mu: Vec<f32>,
    /// `weight / sd` per dimension.
    factor: Vec<f32>,
}

impl Standardize {
    /// Computes the statistics over `examples` and standardizes their dense features in place.
    fn fit(examples: &mut [Example], dim: usize, weight: f32) -> Standardize {
        let n = examples.len().max(1) as f64;
        let value = |ex: &Example, d: usize| ex.dense.get(d).copied().unwrap_or(0.0) as f64;
        let mu: Vec<f64> = (0..dim)
            .map(|d| examples.iter().map(|ex| value(ex, d)).sum::<f64>() / n)
            .collect();
        let factor: Vec<f32> = (0..dim)
            .map(|d| {
                let var = examples
                    .iter()
                    .map(|ex| (value(ex, d) - mu[d]).powi(2))
                    .sum::<f64>()
                    / n;
                (f64::from(weight) / (var.sqrt() + 1e-6)) as f32
            })
            .collect();
        let mu: Vec<f32> = mu.into_iter().map(|m| m as f32).collect();
        for ex in examples.iter_mut() {
            let z = (0..dim)
                .map(|d| (ex.dense.get(d).copied().unwrap_or(0.0) - mu[d]) * factor[d])
                .collect();
            ex.dense = z;
        }
        Standardize { mu, factor }
    }

    /// Folds the dense weights (`dense[d * 3 + c]`) into a score per word and an offset for the
    /// bias: `W·z = mean_w(W·(factor ∘ e_w)) - W·(factor ∘ mu)`.
    fn fold(&self, dense: &[f32], vectors: &WordVectors) -> (WordScores, [f32; 3]) {
        let project = |v: &[f32]| -> [f32; 3] {
            let mut s = [0f64; 3];
            for (d, x) in v.iter().enumerate() {
                for (c, sc) in s.iter_mut().enumerate() {
                    *sc += f64::from(dense[d * 3 + c]) * f64::from(x * self.factor[d]);
                }
            }
            s.map(|x| x as f32)
        };
        let offset = project(&self.mu).map(|x| -x);
        let scores: Vec<(u64, [f32; 3])> = vectors
            .vectors
            .iter()
            .map(|(h, v)| (*h, project(v)))
            .collect();
        let max = scores
            .iter()
            .flat_map(|(_, s)| s.iter())
            .fold(0f32, |m, v| m.max(v.abs()));
        let scale = if max == 0.0 {
            1.0
        } else {
            max / i16::MAX as f32
        };
        let entries = scores
            .into_iter()
            .map(|(h, s)| (h, s.map(|v| (v / scale).round() as i16)));
        (WordScores::new(scale, entries), offset)
    }
}

/// Naive Bayes log-count ratios (Wang & Manning 2012), one-vs-rest per class: how much more
/// often a feature occurs in posts of the class than in the others. Each feature's value for a
/// class's weights is scaled by `(1 - nb) + nb * ratio` during training; the scale is folded into
/// the stored weights afterwards, so prediction is unchanged in cost.
fn nb_scale(examples: &[Example], options: &TrainOptions) -> Vec<f32> {
    let n = 1usize << options.bits;
    let mut counts = vec![0f32; n * 3];
    let mut seen = vec![u32::MAX; n];
    for (i, ex) in examples.iter().enumerate() {
        for &b in &ex.buckets {
            // Binarized: a feature counts once per post.
            if seen[b as usize] != i as u32 {
                seen[b as usize] = i as u32;
                counts[b as usize * 3 + ex.class] += ex.weight;
            }
        }
    }
    let alpha = 1.0;
    let mut totals = [0f64; 3];
    for b in 0..n {
        for c in 0..3 {
            totals[c] += f64::from(counts[b * 3 + c] + alpha);
        }
    }
    let all: f64 = totals.iter().sum();
    let mut scale = vec![0f32; n * 3];
    for b in 0..n {
        let row = &counts[b * 3..b * 3 + 3];
        let sum: f32 = row.iter().sum::<f32>() + 3.0 * alpha;
        for c in 0..3 {
            let p = f64::from(row[c] + alpha) / totals[c];
            let q = f64::from(sum - row[c] - alpha) / (all - totals[c]);
            let ratio = (p / q).ln() as f32;
            scale[b * 3 + c] = (1.0 - options.nb) + options.nb * ratio;
        }
    }
    scale
}

impl SentimentModel {
    fn shift(&mut self, shift: [f32; 3]) {
        for (b, s) in self.bias.iter_mut().zip(shift) {
            *b += s;
        }
    }
}

fn class_index(p: &LabelledPost) -> usize {
    CLASSES
        .iter()
        .position(|c| *c == p.label)
        .expect("three classes")
}

struct Example {
    buckets: Vec<u32>,
    /// Standardized dense features (the mean word vector), empty without word vectors.
    dense: Vec<f32>,
    class: usize,
    weight: f32,
}

struct BucketSink {
    bits: u8,
    buckets: Vec<u32>,
    words: Vec<u64>,
}

impl Sink for BucketSink {
    fn feature(&mut self, hash: u64, _name: impl FnOnce() -> String) {
        self.buckets
            .push((finish(hash) >> (64 - self.bits as u32)) as u32);
    }

    fn word(&mut self, word_hash: u64, _word: &str) {
        self.words.push(word_hash);
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

/// The result of one SGD fit.
struct Fitted {
    /// Hashed-feature weights, NB scale folded in.
    w: Vec<f32>,
    /// Dense-feature weights, `dense[d * 3 + class]`.
    dense: Vec<f32>,
    bias: [f32; 3],
}

/// One SGD fit.
fn sgd(examples: &[Example], seed: u64, o: &TrainOptions, scale: Option<&[f32]>) -> Fitted {
    let one = [1f32; 3];
    let factor = |b: usize| -> &[f32] { scale.map_or(&one[..], |s| &s[b..b + 3]) };
    let n_buckets = 1usize << o.bits;
    let mut w = vec![0f32; n_buckets * 3];
    let dim = examples.first().map_or(0, |ex| ex.dense.len());
    let mut dense = vec![0f32; dim * 3];
    let mut sum_dense = vec![0f32; dense.len()];
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
                let f = factor(b);
                for c in 0..3 {
                    logits[c] += w[b + c] * x * f[c];
                }
            }
            for (d, z) in ex.dense.iter().enumerate() {
                for c in 0..3 {
                    logits[c] += dense[d * 3 + c] * z;
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
                let f = factor(b);
                for c in 0..3 {
                    w[b + c] -= lr * (grad[c] * x * f[c] + o.l2 * w[b + c]);
                }
            }
            for (d, z) in ex.dense.iter().enumerate() {
                for c in 0..3 {
                    let v = &mut dense[d * 3 + c];
                    *v -= lr * (grad[c] * z + o.vector_l2 * *v);
                }
            }
            if o.average && last {
                // Adding the full vector each step would cost O(buckets); instead add it every
                // 64 steps, which averages the tail of training just as well.
                if step.is_multiple_of(64) {
                    for (s, v) in sum_w.iter_mut().zip(&w) {
                        *s += v;
                    }
                    for (s, v) in sum_dense.iter_mut().zip(&dense) {
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
        dense = sum_dense.into_iter().map(|s| s / k).collect();
        bias = sum_b.map(|s| s / k);
    }
    if let Some(scale) = scale {
        for (v, f) in w.iter_mut().zip(scale) {
            *v *= f;
        }
    }
    Fitted { w, dense, bias }
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
        words: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folding the dense weights into per-word scores gives the scores the dense features gave.
    #[test]
    fn folded_word_scores_equal_the_dense_features() {
        let vectors = WordVectors::from_pairs(vec![
            ("good".into(), vec![1.0, 0.5]),
            ("bad".into(), vec![-1.0, 0.25]),
            ("day".into(), vec![0.1, -0.3]),
        ]);
        let posts = [
            vec!["good", "day"],
            vec!["bad"],
            vec!["day", "bad", "good"],
            vec![],
        ];
        let mut examples: Vec<Example> = posts
            .iter()
            .map(|words| {
                let hashes: Vec<u64> = words
                    .iter()
                    .map(|w| super::super::features::word_hash(w))
                    .collect();
                Example {
                    buckets: Vec::new(),
                    dense: vectors.mean(&hashes).unwrap_or_default(),
                    class: 0,
                    weight: 1.0,
                }
            })
            .collect();
        let standard = Standardize::fit(&mut examples, 2, 0.3);
        let dense = [0.4, -0.2, 0.1, -0.7, 0.3, 0.05];
        let (words, offset) = standard.fold(&dense, &vectors);
        for (words_of, ex) in posts.iter().zip(&examples) {
            let direct: [f32; 3] = std::array::from_fn(|c| {
                (0..2).map(|d| dense[d * 3 + c] * ex.dense[d]).sum::<f32>()
            });
            let found: Vec<[i16; 3]> = words_of
                .iter()
                .filter_map(|w| words.get(super::super::features::word_hash(w)).copied())
                .collect();
            let folded: [f32; 3] = std::array::from_fn(|c| {
                let mean = if found.is_empty() {
                    0.0
                } else {
                    found.iter().map(|s| s[c] as f32).sum::<f32>() / found.len() as f32
                };
                mean * words.scale + offset[c]
            });
            for c in 0..3 {
                assert!(
                    (direct[c] - folded[c]).abs() < 1e-3,
                    "{words_of:?}: {direct:?} vs {folded:?}"
                );
            }
        }
    }
}
