//! Training the intent model on the development part: one logistic regression per intent,
//! fitted by AdaGrad over seeded shuffles (the same posts and seed give the same weights), and
//! a threshold per intent chosen on k-fold cross-validated predictions of the development part.
//! The evaluation part is never read here.

use std::{collections::BTreeMap, path::Path};

use rapport_domain::{Intent, IntentSet};
use serde::Serialize;

use super::{
    IntentEvalReport, IntentModel, LabelledPost, Part,
    features::{Sink, extract},
    labelled::{IntentError, load_labelled},
    lexicon::CueLexicon,
};

/// How the intent model is trained; `Default` is what made the committed weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentTrainParams {
    pub epochs: usize,
    pub learning_rate: f64,
    /// L2 penalty, applied to the weights of the features a post has; the lexicon scores
    /// (`k:`) and the bias are not penalised: they carry the prior the words adjust.
    pub l2: f64,
    /// A feature must occur in this many training posts to get a weight.
    pub min_count: usize,
    /// Folds of the cross-validation that picks the thresholds.
    pub folds: usize,
    /// Times the cross-validation is run, each over its own shuffle; a post's out-of-fold
    /// probability is the mean over them, which steadies the thresholds.
    pub repeats: usize,
    /// Feature families left out (`"w:"`, `"b:"`, `"o:"`, `"c:"`, `"k:"`, `"s:"`), to
    /// measure what each one brings.
    pub without: Vec<String>,
    /// A post that carries an intent weighs `(negatives / positives)^positive_weight` in that
    /// intent's loss (0: every post weighs one), so the rare intents' words count for more.
    pub positive_weight: f64,
}

impl Default for IntentTrainParams {
    fn default() -> Self {
        IntentTrainParams {
            epochs: 30,
            learning_rate: 0.1,
            l2: 0.2,
            min_count: 2,
            folds: 5,
            repeats: 3,
            without: Vec::new(),
            positive_weight: 0.5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentTrainReport {
    pub seed: u64,
    pub params: IntentTrainParams,
    /// Development posts trained on.
    pub posts: usize,
    /// Features with a weight in the final model.
    pub features: usize,
    /// The chosen probability threshold per intent, in `Intent::ALL` order.
    pub thresholds: Vec<(String, f64)>,
    /// Scores of the out-of-fold predictions on the development part, at those thresholds.
    pub cross_validated: IntentEvalReport,
}

/// Trains on the development part of the labelled set (texts read from `data_dir`, the shared
/// data dir) with the default parameters.
pub fn train_intent(
    data_dir: &Path,
    seed: u64,
) -> Result<(IntentModel, IntentTrainReport), IntentError> {
    let dev = load_labelled(data_dir, Part::Dev)?;
    Ok(train_intent_on(&dev, seed, &IntentTrainParams::default()))
}

/// Trains on `posts`: thresholds from cross-validation, weights from all of them.
pub fn train_intent_on(
    posts: &[LabelledPost],
    seed: u64,
    params: &IntentTrainParams,
) -> (IntentModel, IntentTrainReport) {
    let lexicon = CueLexicon::standard();
    let examples: Vec<Example> = posts
        .iter()
        .map(|p| Example {
            features: features_of(&lexicon, &p.text, &params.without),
            labels: p.labels,
        })
        .collect();
    // Out-of-fold probabilities for every post, averaged over the repeats.
    let folds = params.folds.max(2);
    let repeats = params.repeats.max(1);
    let mut oof = vec![[0f64; 5]; posts.len()];
    for repeat in 0..repeats {
        let mut order: Vec<usize> = (0..posts.len()).collect();
        shuffle(
            &mut order,
            &mut SplitMix(seed ^ 0x5eed_f01d ^ (repeat as u64).wrapping_mul(0x9e37_79b9)),
        );
        let mut fold_of = vec![0; posts.len()];
        for (pos, &i) in order.iter().enumerate() {
            fold_of[i] = pos % folds;
        }
        for fold in 0..folds {
            let train: Vec<&Example> = examples
                .iter()
                .zip(&fold_of)
                .filter(|(_, f)| **f != fold)
                .map(|(e, _)| e)
                .collect();
            let run_seed = seed
                .wrapping_add(fold as u64 + 1)
                .wrapping_add(100 * repeat as u64);
            let fit = fit(&train, run_seed, params);
            for (i, e) in examples.iter().enumerate() {
                if fold_of[i] == fold {
                    let p = fit.probabilities(&e.features);
                    for k in 0..5 {
                        oof[i][k] += p[k] / repeats as f64;
                    }
                }
            }
        }
    }
    let mut thresholds = [0.5f64; 5];
    for (k, t) in thresholds.iter_mut().enumerate() {
        let pairs: Vec<(bool, f64)> = examples
            .iter()
            .zip(&oof)
            .map(|(e, p)| (e.labels.has(Intent::ALL[k]), p[k]))
            .collect();
        *t = best_threshold(&pairs);
    }
    let pairs: Vec<(IntentSet, IntentSet)> = examples
        .iter()
        .zip(&oof)
        .map(|(e, p)| (e.labels, decide(p, &thresholds)))
        .collect();
    let all: Vec<&Example> = examples.iter().collect();
    let fit = fit(&all, seed, params);
    let features: Vec<(String, [f32; 5])> = fit
        .names
        .into_iter()
        .zip(fit.weights)
        .map(|(name, w)| (name, w.map(|x| round4(x) as f32)))
        .filter(|(_, w)| w.iter().any(|x| *x != 0.0))
        .collect();
    let report = IntentTrainReport {
        seed,
        params: params.clone(),
        posts: posts.len(),
        features: features.len(),
        thresholds: Intent::ALL
            .iter()
            .zip(thresholds)
            .map(|(i, t)| (i.as_str().to_string(), t))
            .collect(),
        cross_validated: IntentEvalReport::from_pairs(&pairs),
    };
    let thresholds = thresholds.map(|t| t as f32);
    (
        IntentModel::from_parts(lexicon, features, thresholds),
        report,
    )
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

struct Example {
    /// Feature names and values, summed over repeats, sorted by name.
    features: Vec<(String, f64)>,
    labels: IntentSet,
}

struct Collect<'a> {
    without: &'a [String],
    features: BTreeMap<String, f64>,
}

impl Sink for Collect<'_> {
    fn feature(&mut self, name: &[&[u8]], value: f32) {
        let name: String = name.iter().map(|p| String::from_utf8_lossy(p)).collect();
        if !self.without.iter().any(|w| name.starts_with(w.as_str())) {
            *self.features.entry(name).or_default() += f64::from(value);
        }
    }
}

fn features_of(lexicon: &CueLexicon, text: &str, without: &[String]) -> Vec<(String, f64)> {
    let mut sink = Collect {
        without,
        features: BTreeMap::new(),
    };
    extract(lexicon, text, &mut sink);
    sink.features.into_iter().collect()
}

/// A fitted set of weights over the features seen often enough in training.
struct Fit {
    index: BTreeMap<String, usize>,
    names: Vec<String>,
    weights: Vec<[f64; 5]>,
}

impl Fit {
    fn probabilities(&self, features: &[(String, f64)]) -> [f64; 5] {
        let mut z = [0f64; 5];
        for (name, value) in features {
            if let Some(&j) = self.index.get(name) {
                for (zk, w) in z.iter_mut().zip(self.weights[j]) {
                    *zk += value * w;
                }
            }
        }
        z.map(sigmoid)
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// A training post as feature rows and values, with its five 0/1 targets.
type Row = (Vec<(usize, f64)>, [f64; 5]);

fn fit(train: &[&Example], seed: u64, params: &IntentTrainParams) -> Fit {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in train {
        for (name, _) in &e.features {
            *counts.entry(name.as_str()).or_default() += 1;
        }
    }
    let names: Vec<String> = counts
        .into_iter()
        .filter(|(name, c)| *c >= params.min_count || name.starts_with("s:bias"))
        .map(|(name, _)| name.to_string())
        .collect();
    let index: BTreeMap<String, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    let rows: Vec<Row> = train
        .iter()
        .map(|e| {
            let x = e
                .features
                .iter()
                .filter_map(|(n, v)| index.get(n).map(|&j| (j, *v)))
                .collect();
            let y = Intent::ALL.map(|i| if e.labels.has(i) { 1.0 } else { 0.0 });
            (x, y)
        })
        .collect();
    let penalty: Vec<f64> = names
        .iter()
        .map(|n| {
            if n.starts_with("k:") || n == "s:bias" {
                0.0
            } else {
                params.l2
            }
        })
        .collect();
    let class_weight: [f64; 5] = std::array::from_fn(|k| {
        let pos = rows.iter().filter(|(_, y)| y[k] > 0.5).count().max(1) as f64;
        ((rows.len() as f64 - pos).max(1.0) / pos).powf(params.positive_weight)
    });
    let mut weights = vec![[0f64; 5]; names.len()];
    let mut squares = vec![[0f64; 5]; names.len()];
    let mut rng = SplitMix(seed);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    for _ in 0..params.epochs {
        shuffle(&mut order, &mut rng);
        for &r in &order {
            let (x, y) = &rows[r];
            let mut z = [0f64; 5];
            for &(j, v) in x {
                for (zk, w) in z.iter_mut().zip(weights[j]) {
                    *zk += v * w;
                }
            }
            for &(j, v) in x {
                for k in 0..5 {
                    let cw = if y[k] > 0.5 { class_weight[k] } else { 1.0 };
                    let g = cw * (sigmoid(z[k]) - y[k]) * v + penalty[j] * weights[j][k];
                    squares[j][k] += g * g;
                    weights[j][k] -= params.learning_rate * g / (squares[j][k].sqrt() + 1e-8);
                }
            }
        }
    }
    Fit {
        index,
        names,
        weights,
    }
}

fn decide(p: &[f64; 5], thresholds: &[f64; 5]) -> IntentSet {
    Intent::ALL
        .into_iter()
        .zip(p.iter().zip(thresholds))
        .filter(|(_, (p, t))| p >= t)
        .fold(IntentSet::empty(), |s, (i, _)| s.with(i))
}

/// The threshold with the best F1, averaged with its neighbours so that one lucky post does
/// not pick it.
fn best_threshold(pairs: &[(bool, f64)]) -> f64 {
    let f1_at = |t: f64| {
        let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
        for &(gold, p) in pairs {
            match (gold, p >= t) {
                (true, true) => tp += 1.0,
                (false, true) => fp += 1.0,
                (true, false) => fn_ += 1.0,
                _ => {}
            }
        }
        if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (2.0 * tp + fp + fn_)
        }
    };
    let grid: Vec<f64> = (5..=95).map(|i| f64::from(i) / 100.0).collect();
    let f1: Vec<f64> = grid.iter().map(|&t| f1_at(t)).collect();
    let smooth = |i: usize| {
        let lo = i.saturating_sub(2);
        let hi = (i + 2).min(f1.len() - 1);
        f1[lo..=hi].iter().sum::<f64>() / (hi - lo + 1) as f64
    };
    let mut best = 0;
    for i in 1..grid.len() {
        if smooth(i) > smooth(best) {
            best = i;
        }
    }
    grid[best]
}

/// SplitMix64: a small seeded generator, so training needs no random-number crate.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Fisher-Yates.
fn shuffle(items: &mut [usize], rng: &mut SplitMix) {
    for i in (1..items.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}
