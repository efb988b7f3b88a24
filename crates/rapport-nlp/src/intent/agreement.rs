//! How far two labellings of the same posts agree, per label: Cohen's kappa, the agreement
//! beyond what two labellers with the same label rates would reach by chance. It bounds what a
//! model can score against either labelling.

use rapport_domain::{Intent, IntentSet};
use serde::Serialize;

/// A second, independent labelling of 200 evaluation-part posts (see `data/intent/README.md`).
pub const SECOND_LABELS_TSV: &str = include_str!("../../data/intent/second_labels.tsv");

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelAgreement {
    /// An intent name, or `other` (no intent).
    pub label: String,
    pub posts: usize,
    /// Share of posts on which both labellings give (or both withhold) the label.
    pub observed: f64,
    pub kappa: f64,
    /// Posts each labelling gave the label.
    pub first: usize,
    pub second: usize,
}

/// Kappa per label over `(first, second)` labellings of the same posts, in `Intent::ALL` order
/// then `other`. Kappa is 1 when both labellings never differ, whatever the rates; 0 when one
/// labelling never gives a label the other does not chance upon.
pub fn agreement(pairs: &[(IntentSet, IntentSet)]) -> Vec<LabelAgreement> {
    let mut out: Vec<LabelAgreement> = Intent::ALL
        .into_iter()
        .map(|i| kappa(i.as_str(), pairs, |s| s.has(i)))
        .collect();
    out.push(kappa("other", pairs, |s| s.is_empty()));
    out
}

fn kappa(
    label: &str,
    pairs: &[(IntentSet, IntentSet)],
    has: impl Fn(IntentSet) -> bool,
) -> LabelAgreement {
    let n = pairs.len();
    let first = pairs.iter().filter(|(a, _)| has(*a)).count();
    let second = pairs.iter().filter(|(_, b)| has(*b)).count();
    let same = pairs.iter().filter(|(a, b)| has(*a) == has(*b)).count();
    let ratio = |a: usize| if n == 0 { 0.0 } else { a as f64 / n as f64 };
    let (observed, p1, p2) = (ratio(same), ratio(first), ratio(second));
    let chance = p1 * p2 + (1.0 - p1) * (1.0 - p2);
    let kappa = if chance >= 1.0 {
        1.0
    } else {
        (observed - chance) / (1.0 - chance)
    };
    LabelAgreement {
        label: label.to_string(),
        posts: n,
        observed,
        kappa,
        first,
        second,
    }
}
