//! Scoring a model on labelled posts, with the SemEval/TweetEval metric (macro-averaged recall).

use super::{CLASSES, LabelledPost, SentimentModel, read_airline, read_semeval, read_tsv};
use crate::NlpError;
use rapport_domain::SentimentLabel;
use serde::Serialize;
use std::{fmt, path::Path, str::FromStr};

/// The layout of a labelled file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalFormat {
    /// `id<TAB>label<TAB>text`
    Semeval,
    /// CSV with `airline_sentiment` and `text` columns
    Airline,
    /// `text<TAB>label`
    Tsv,
}

impl FromStr for EvalFormat {
    type Err = NlpError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "semeval" => Ok(Self::Semeval),
            "airline" => Ok(Self::Airline),
            "tsv" => Ok(Self::Tsv),
            _ => Err(NlpError::UnknownFormat(s.to_string())),
        }
    }
}

impl EvalFormat {
    pub fn read(self, file: &Path) -> Result<Vec<LabelledPost>, NlpError> {
        match self {
            Self::Semeval => read_semeval(file),
            Self::Airline => read_airline(file),
            Self::Tsv => read_tsv(file),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassScores {
    pub label: SentimentLabel,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Posts with this gold label.
    pub support: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub posts: u64,
    pub accuracy: f64,
    /// Mean of the three recalls: the official SemEval 2017 / TweetEval metric.
    pub macro_recall: f64,
    pub macro_f1: f64,
    /// Mean F1 of positive and negative: the SemEval 2016 metric.
    pub f1_pn: f64,
    pub classes: Vec<ClassScores>,
    /// `confusion[gold][predicted]`, classes in the order negative, neutral, positive.
    pub confusion: [[u64; 3]; 3],
}

impl EvalReport {
    /// Scores predictions against gold labels, given as (gold, predicted) pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (SentimentLabel, SentimentLabel)>) -> Self {
        let index =
            |l: SentimentLabel| CLASSES.iter().position(|c| *c == l).expect("three classes");
        let mut confusion = [[0u64; 3]; 3];
        for (gold, pred) in pairs {
            confusion[index(gold)][index(pred)] += 1;
        }
        let posts: u64 = confusion.iter().flatten().sum();
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let classes: Vec<ClassScores> = (0..3)
            .map(|c| {
                let tp = confusion[c][c];
                let support: u64 = confusion[c].iter().sum();
                let predicted: u64 = (0..3).map(|g| confusion[g][c]).sum();
                let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
                let f1 = if precision + recall == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                };
                ClassScores {
                    label: CLASSES[c],
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let correct: u64 = (0..3).map(|c| confusion[c][c]).sum();
        EvalReport {
            posts,
            accuracy: ratio(correct, posts),
            macro_recall: classes.iter().map(|c| c.recall).sum::<f64>() / 3.0,
            macro_f1: classes.iter().map(|c| c.f1).sum::<f64>() / 3.0,
            f1_pn: (classes[0].f1 + classes[2].f1) / 2.0,
            classes,
            confusion,
        }
    }
}

/// Predicts every post of `file` and scores the predictions.
pub fn eval_sentiment(
    model: &SentimentModel,
    format: EvalFormat,
    file: &Path,
) -> Result<EvalReport, NlpError> {
    let posts = format.read(file)?;
    if posts.is_empty() {
        return Err(NlpError::NoData { path: file.into() });
    }
    Ok(evaluate(model, &posts))
}

pub(crate) fn evaluate(model: &SentimentModel, posts: &[LabelledPost]) -> EvalReport {
    EvalReport::from_pairs(
        posts
            .iter()
            .map(|p| (p.label, model.predict(&p.text).label)),
    )
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "posts          {}", self.posts)?;
        writeln!(f, "accuracy       {:.4}", self.accuracy)?;
        writeln!(f, "macro recall   {:.4}", self.macro_recall)?;
        writeln!(f, "macro F1       {:.4}", self.macro_f1)?;
        writeln!(f, "F1 (pos+neg)/2 {:.4}", self.f1_pn)?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<10} {:>9} {:>9} {:>9} {:>8}",
            "class", "precision", "recall", "F1", "support"
        )?;
        for c in &self.classes {
            writeln!(
                f,
                "{:<10} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                c.label, c.precision, c.recall, c.f1, c.support
            )?;
        }
        writeln!(f)?;
        writeln!(f, "confusion (rows gold, columns predicted)")?;
        writeln!(
            f,
            "{:<10} {:>9} {:>9} {:>9}",
            "", "negative", "neutral", "positive"
        )?;
        for (c, row) in self.confusion.iter().enumerate() {
            writeln!(
                f,
                "{:<10} {:>9} {:>9} {:>9}",
                CLASSES[c], row[0], row[1], row[2]
            )?;
        }
        Ok(())
    }
}
