//! The intent model: one logistic regression per intent over the features of `features.rs`
//! (words, bigrams, the opening word, the cue lexicon and the shape of the post), with a
//! threshold per intent chosen by cross-validation. Its weights are `data/intent/weights.tsv`,
//! made by `train_intent` and compiled in.

use std::sync::OnceLock;

use rapport_domain::{Intent, IntentSet};
use rustc_hash::FxHashMap;

use super::{
    features::{Sink, describe, extract, key},
    labelled::IntentError,
    lexicon::CueLexicon,
};

/// The committed weights: a `threshold` line, then `feature<TAB>` five weights in
/// `Intent::ALL` order.
pub const WEIGHTS_TSV: &str = include_str!("../../data/intent/weights.tsv");

/// How many features `explain` names per intent, strongest first.
const EXPLAIN_TOP: usize = 6;

pub struct IntentModel {
    lexicon: CueLexicon,
    /// Feature key -> row of `rows`.
    index: FxHashMap<u64, u32>,
    rows: Vec<[f32; 5]>,
    names: Vec<String>,
    /// Probability at or above which an intent is given, in `Intent::ALL` order ...
    thresholds: [f32; 5],
    /// ... and the same as a raw score (its logit), so predicting needs no `exp`.
    cutoffs: [f32; 5],
}

struct Scores<'m> {
    model: &'m IntentModel,
    sums: [f32; 5],
}

impl Sink for Scores<'_> {
    fn feature(&mut self, name: &[&[u8]], value: f32) {
        if let Some(&row) = self.model.index.get(&key(name)) {
            for (s, w) in self.sums.iter_mut().zip(self.model.rows[row as usize]) {
                *s += value * w;
            }
        }
    }
}

/// Collects the rows that fired, for `explain`.
struct Fired<'m> {
    model: &'m IntentModel,
    rows: Vec<(u32, f32)>,
}

impl Sink for Fired<'_> {
    fn feature(&mut self, name: &[&[u8]], value: f32) {
        if let Some(&row) = self.model.index.get(&key(name)) {
            self.rows.push((row, value));
        }
    }
}

fn logit(p: f32) -> f32 {
    (p / (1.0 - p)).ln()
}

impl IntentModel {
    /// A model from feature names, their weights (in `Intent::ALL` order) and the thresholds.
    pub(super) fn from_parts(
        lexicon: CueLexicon,
        features: Vec<(String, [f32; 5])>,
        thresholds: [f32; 5],
    ) -> IntentModel {
        let mut index = FxHashMap::default();
        let (mut names, mut rows) = (Vec::new(), Vec::new());
        for (name, weights) in features {
            index.insert(key(&[name.as_bytes()]), rows.len() as u32);
            names.push(name);
            rows.push(weights);
        }
        IntentModel {
            lexicon,
            index,
            rows,
            names,
            cutoffs: thresholds.map(logit),
            thresholds,
        }
    }

    /// The built-in model (built once, on first use) from the committed weights.
    pub fn default_model() -> &'static IntentModel {
        static MODEL: OnceLock<IntentModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            IntentModel::from_weights(WEIGHTS_TSV).expect("the committed intent weights parse")
        })
    }

    /// Reads a model from weights in the format of `to_weights`.
    pub fn from_weights(tsv: &str) -> Result<IntentModel, IntentError> {
        let mut thresholds = None;
        let mut features = Vec::new();
        for (i, raw) in tsv.lines().enumerate() {
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let bad = |reason: String| IntentError::BadWeightLine {
                line: i + 1,
                reason,
            };
            let mut cols = raw.split('\t');
            let name = cols.next().unwrap_or_default();
            let mut values = [0f32; 5];
            for (n, v) in values.iter_mut().enumerate() {
                let col = cols
                    .next()
                    .ok_or_else(|| bad(format!("expected 5 numbers, found {n}")))?;
                *v = col
                    .parse()
                    .map_err(|_| bad(format!("'{col}' is not a number")))?;
            }
            if cols.next().is_some() {
                return Err(bad("expected 5 numbers, found more".into()));
            }
            if name == "threshold" {
                if values.iter().any(|t| !(0.0..1.0).contains(t) || *t == 0.0) {
                    return Err(bad("thresholds must lie strictly between 0 and 1".into()));
                }
                thresholds = Some(values);
            } else {
                features.push((name.to_string(), values));
            }
        }
        let thresholds = thresholds.ok_or(IntentError::BadWeightLine {
            line: tsv.lines().count(),
            reason: "no threshold line".into(),
        })?;
        Ok(IntentModel::from_parts(
            CueLexicon::standard(),
            features,
            thresholds,
        ))
    }

    /// The weights as text: a `threshold` line, then one line per feature, sorted by name.
    pub fn to_weights(&self) -> String {
        let mut out = String::from(
            "# Intent model weights, made by rapport_nlp::intent::train_intent (see README.md).\n\
             # feature\tquestion\tcomplaint\tpraise\tlead\tfeedback\n",
        );
        let line = |out: &mut String, name: &str, v: &[f32; 5]| {
            out.push_str(name);
            for x in v {
                out.push_str(&format!("\t{x:.4}"));
            }
            out.push('\n');
        };
        line(&mut out, "threshold", &self.thresholds);
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_by(|a, b| self.names[*a].cmp(&self.names[*b]));
        for i in order {
            line(&mut out, &self.names[i], &self.rows[i]);
        }
        out
    }

    /// The probability thresholds, in `Intent::ALL` order.
    pub fn thresholds(&self) -> [f32; 5] {
        self.thresholds
    }

    /// Raw scores (log-odds) per intent, in `Intent::ALL` order.
    pub fn scores(&self, text: &str) -> [f32; 5] {
        let mut sink = Scores {
            model: self,
            sums: [0.0; 5],
        };
        extract(&self.lexicon, text, &mut sink);
        sink.sums
    }

    /// The intents of `text`; empty means `other`.
    pub fn predict(&self, text: &str) -> IntentSet {
        let scores = self.scores(text);
        Intent::ALL
            .into_iter()
            .zip(scores.into_iter().zip(self.cutoffs))
            .filter(|(_, (s, c))| s >= c)
            .fold(IntentSet::empty(), |set, (i, _)| set.with(i))
    }

    /// The predicted intents, each with the features that weighed most for it, strongest
    /// first: words (`"refund"`), word pairs (`"not working"`), cues of the lexicon, the
    /// opening word, and the shape of the post (`question mark`).
    pub fn explain(&self, text: &str) -> Vec<(Intent, Vec<String>)> {
        let mut fired = Fired {
            model: self,
            rows: Vec::new(),
        };
        extract(&self.lexicon, text, &mut fired);
        self.predict(text)
            .iter_intents()
            .map(|intent| {
                let k = Intent::ALL.iter().position(|i| *i == intent).unwrap_or(0);
                let mut own: Vec<(f32, String)> = fired
                    .rows
                    .iter()
                    .map(|&(row, value)| (value * self.rows[row as usize][k], row))
                    .filter(|(w, row)| *w > 0.0 && own_feature(&self.names[*row as usize], intent))
                    .map(|(w, row)| (w, describe(&self.names[row as usize])))
                    .collect();
                own.sort_by(|a, b| b.0.total_cmp(&a.0));
                let mut names: Vec<String> = Vec::new();
                for (_, name) in own {
                    if names.len() < EXPLAIN_TOP && !names.contains(&name) {
                        names.push(name);
                    }
                }
                (intent, names)
            })
            .collect()
    }
}

/// Whether a feature may explain `intent`: not the bias, and not the lexicon score of another
/// intent (a low praise score that speaks for a question reads as nonsense).
fn own_feature(name: &str, intent: Intent) -> bool {
    match name.strip_prefix("k:") {
        Some(rest) => rest.starts_with(intent.as_str()),
        None => name != "s:bias",
    }
}
