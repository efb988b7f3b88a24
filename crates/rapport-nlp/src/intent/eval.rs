//! Per-intent precision, recall and F1 of a model on labelled posts.

use std::fmt;

use rapport_domain::{Intent, IntentSet};
use serde::Serialize;

use super::{IntentModel, LabelledPost};

/// Scores for one label (`question` ... `feedback`, or `other` = no intent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelScore {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Posts that carry the label.
    pub support: usize,
    /// Posts the model gave the label.
    pub predicted: usize,
    pub true_positives: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentEvalReport {
    pub posts: usize,
    /// One row per intent in `Intent::ALL` order, then `other`.
    pub labels: Vec<LabelScore>,
    /// Share of posts whose whole intent set was predicted exactly.
    pub exact_match: f64,
    /// `confusion[gold][predicted]` over the labels of `labels`, in their order: a post counts
    /// once for every pair of a label it carries (`other` when none) and a label it was given
    /// (`other` when none). Posts carry several intents, so a row sums to more than its
    /// support when the model gives a post more than one label.
    pub confusion: Vec<Vec<usize>>,
}

impl IntentEvalReport {
    /// The row for `label` (an intent name or `other`).
    pub fn label(&self, label: &str) -> Option<&LabelScore> {
        self.labels.iter().find(|l| l.label == label)
    }
}

fn score(
    label: &str,
    pairs: &[(IntentSet, IntentSet)],
    has: impl Fn(IntentSet) -> bool,
) -> LabelScore {
    let (mut tp, mut support, mut predicted) = (0, 0, 0);
    for &(gold, pred) in pairs {
        let (g, p) = (has(gold), has(pred));
        support += usize::from(g);
        predicted += usize::from(p);
        tp += usize::from(g && p);
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    LabelScore {
        label: label.to_string(),
        precision,
        recall,
        f1,
        support,
        predicted,
        true_positives: tp,
    }
}

pub fn eval_intent(model: &IntentModel, posts: &[LabelledPost]) -> IntentEvalReport {
    let pairs: Vec<(IntentSet, IntentSet)> = posts
        .iter()
        .map(|p| (p.labels, model.predict(&p.text)))
        .collect();
    IntentEvalReport::from_pairs(&pairs)
}

impl IntentEvalReport {
    /// The report for `(gold, predicted)` pairs.
    pub fn from_pairs(pairs: &[(IntentSet, IntentSet)]) -> IntentEvalReport {
        report(pairs)
    }
}

fn report(pairs: &[(IntentSet, IntentSet)]) -> IntentEvalReport {
    let mut labels: Vec<LabelScore> = Intent::ALL
        .into_iter()
        .map(|i| score(i.as_str(), pairs, |s| s.has(i)))
        .collect();
    labels.push(score("other", pairs, |s| s.is_empty()));
    let exact = pairs.iter().filter(|(g, p)| g == p).count();
    IntentEvalReport {
        posts: pairs.len(),
        confusion: confusion(pairs),
        labels,
        exact_match: if pairs.is_empty() {
            0.0
        } else {
            exact as f64 / pairs.len() as f64
        },
    }
}

/// Indexes into `Intent::ALL` of the labels of `set`, `other` (the last) when it is empty.
fn indexes(set: IntentSet) -> Vec<usize> {
    let mut out: Vec<usize> = (0..Intent::ALL.len())
        .filter(|&i| set.has(Intent::ALL[i]))
        .collect();
    if out.is_empty() {
        out.push(Intent::ALL.len());
    }
    out
}

fn confusion(pairs: &[(IntentSet, IntentSet)]) -> Vec<Vec<usize>> {
    let n = Intent::ALL.len() + 1;
    let mut m = vec![vec![0; n]; n];
    for &(gold, pred) in pairs {
        let predicted = indexes(pred);
        for g in indexes(gold) {
            for &p in &predicted {
                m[g][p] += 1;
            }
        }
    }
    m
}

impl fmt::Display for IntentEvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>9} {:>7} {:>6} {:>8} {:>10}",
            "label", "precision", "recall", "f1", "support", "predicted"
        )?;
        for l in &self.labels {
            writeln!(
                f,
                "{:<10} {:>9.3} {:>7.3} {:>6.3} {:>8} {:>10}",
                l.label, l.precision, l.recall, l.f1, l.support, l.predicted
            )?;
        }
        writeln!(
            f,
            "posts {}, exact set match {:.3}",
            self.posts, self.exact_match
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "confusion (rows gold, columns predicted; a post counts once per pair)"
        )?;
        write!(f, "{:<10}", "")?;
        for l in &self.labels {
            write!(f, " {:>9}", l.label)?;
        }
        for (l, row) in self.labels.iter().zip(&self.confusion) {
            write!(f, "\n{:<10}", l.label)?;
            for n in row {
                write!(f, " {n:>9}")?;
            }
        }
        Ok(())
    }
}
