//! Trains a sentiment model and prints the training report as JSON.
//!
//! `cargo run --release -p rapport-nlp --example train_sentiment -- [--out FILE] [--seed N]
//!  [--bits N] [--epochs N] [--lr X] [--l2 X] [--airline-weight X] [--groups MASK] [--no-balance] [--no-average]
//!  [--nb X] [--no-tune-bias] [--dev FILE,FILE] [--recent-weight X] [--seeds N] [--shift-folds K]
//!  [--word-vectors FILE] [--vector-words N] [--vector-weight X] [--hold-out] [--no-airline-dev]`
//!
//! The data directory is `../shared/data` relative to the repository root.

use rapport_nlp::sentiment::{TrainOptions, train_with};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut options = TrainOptions::default();
    let mut out = None;
    let mut seed = 42;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse()?,
            "--bits" => options.bits = value()?.parse()?,
            "--epochs" => options.epochs = value()?.parse()?,
            "--lr" => options.learning_rate = value()?.parse()?,
            "--l2" => options.l2 = value()?.parse()?,
            "--airline-weight" => options.airline_weight = value()?.parse()?,
            "--no-balance" => options.balance_classes = false,
            "--groups" => options.groups = value()?.parse()?,
            "--no-average" => options.average = false,
            "--nb" => options.nb = value()?.parse()?,
            "--no-tune-bias" => options.tune_bias = false,
            "--recent-weight" => options.recent_weight = value()?.parse()?,
            "--seeds" => options.seeds = value()?.parse()?,
            "--shift-folds" => options.shift_folds = value()?.parse()?,
            "--word-vectors" => options.word_vectors = Some(PathBuf::from(value()?)),
            "--vector-words" => options.vector_words = value()?.parse()?,
            "--vector-l2" => options.vector_l2 = value()?.parse()?,
            "--vector-weight" => options.vector_weight = value()?.parse()?,
            "--hold-out" => options.hold_out = true,
            "--balance-per-domain" => options.balance_per_domain = true,
            "--no-airline-dev" => options.airline_dev = false,
            "--dev" => options.dev = value()?.split(',').map(str::to_string).collect(),
            other => return Err(format!("unknown argument '{other}'").into()),
        }
    }
    let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let (model, report) = train_with(&data, seed, &options)?;
    if let Some(out) = out {
        model.save(&out)?;
    }
    // The cross-dataset table: dev sets (chose the settings) and held-out sets (never seen).
    let mut rows: Vec<(String, &rapport_nlp::sentiment::EvalReport)> = Vec::new();
    rows.extend(
        report
            .dev_sets
            .iter()
            .map(|(n, r)| (format!("dev: {n}"), r)),
    );
    rows.extend(
        report
            .held_out
            .iter()
            .map(|r| ("held out: twitter-2016test-A".into(), r)),
    );
    rows.extend(
        report
            .held_out_airline
            .iter()
            .map(|r| ("held out: airline fifth".into(), r)),
    );
    for (name, r) in rows {
        let recall = |i: usize| r.classes[i].recall;
        eprintln!(
            "{name:<32} posts {:>6}  macro recall {:.4}  accuracy {:.4}  recall neg/neu/pos {:.3}/{:.3}/{:.3}",
            r.posts,
            r.macro_recall,
            r.accuracy,
            recall(0),
            recall(1),
            recall(2)
        );
    }
    eprintln!("shift {:?}, {:.1}s", report.bias_shift, report.seconds);
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
