//! `rapport train`, `rapport eval` and `rapport classify`.

use super::{print_json, shared_data};
use crate::cli::{ClassifyArgs, EvalCommand, TrainCommand};
use anyhow::{Context, Result, anyhow};
use rapport_nlp::intent::{IntentModel, Part, eval_intent, load_labelled};
use rapport_nlp::sentiment::{TrainOptions, train_with};
use rapport_nlp::{Classifier, EvalFormat, SentimentModel, eval_sentiment};
use std::path::PathBuf;

fn data_dir(given: Option<PathBuf>) -> Result<PathBuf> {
    given.or_else(shared_data).ok_or_else(|| {
        anyhow!("no ../shared/data here: name the labelled data directory with --data")
    })
}

pub fn train(cmd: TrainCommand) -> Result<()> {
    match cmd {
        TrainCommand::Sentiment {
            out,
            data,
            seed,
            word_vectors,
            hold_out,
            json,
        } => {
            let data = data_dir(data)?;
            if word_vectors.is_none() {
                eprintln!(
                    "note: no --word-vectors, so the model gets no word-vector scores (the \
                     committed one has them; scripts/fetch-word-vectors fetches the file)"
                );
            }
            let options = TrainOptions {
                word_vectors,
                hold_out,
                ..TrainOptions::default()
            };
            let (model, report) = train_with(&data, seed, &options)?;
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            model
                .save(&out)
                .with_context(|| format!("cannot write the model to {}", out.display()))?;
            if json {
                return print_json(&report);
            }
            println!(
                "trained in {:.1}s; model written to {}",
                report.seconds,
                out.display()
            );
            // One row per dataset: the dev sets chose the settings, the held-out ones never did.
            let rows = report
                .dev_sets
                .iter()
                .map(|(name, r)| (format!("dev: {name}"), r))
                .chain(
                    report
                        .held_out
                        .iter()
                        .map(|r| ("held out: twitter-2016test-A".into(), r)),
                )
                .chain(
                    report
                        .held_out_airline
                        .iter()
                        .map(|r| ("held out: airline fifth".into(), r)),
                );
            println!(
                "{:<30} {:>6} {:>12} {:>9}",
                "dataset", "posts", "macro recall", "accuracy"
            );
            for (name, r) in rows {
                println!(
                    "{name:<30} {:>6} {:>12.4} {:>9.4}",
                    r.posts, r.macro_recall, r.accuracy
                );
            }
            Ok(())
        }
    }
}

pub fn eval(cmd: EvalCommand) -> Result<()> {
    match cmd {
        EvalCommand::Sentiment {
            format,
            file,
            model,
            json,
        } => {
            let format: EvalFormat = format.parse()?;
            let loaded;
            let model = match model {
                Some(path) => {
                    loaded = SentimentModel::load(&path)?;
                    &loaded
                }
                None => SentimentModel::default_model(),
            };
            let report = eval_sentiment(model, format, &file)?;
            if json {
                print_json(&report)
            } else {
                println!("{report}");
                Ok(())
            }
        }
        EvalCommand::Intent { part, data, json } => {
            let part = match part.as_str() {
                "eval" => Part::Eval,
                "dev" => Part::Dev,
                "all" => Part::All,
                other => {
                    return Err(anyhow!(
                        "unknown part '{other}' (expected eval, dev or all)"
                    ));
                }
            };
            let posts = load_labelled(&data_dir(data)?, part)?;
            let report = eval_intent(IntentModel::default_model(), &posts);
            if json {
                print_json(&report)
            } else {
                println!("{report}");
                Ok(())
            }
        }
    }
}

pub fn classify(args: ClassifyArgs) -> Result<()> {
    let explanation =
        Classifier::new().explain(&args.text, args.lang.as_deref(), args.followers, 5);
    if args.json {
        return print_json(&explanation);
    }
    let l = &explanation.labels;
    println!(
        "sentiment  {} ({:.2})",
        l.sentiment.label, l.sentiment.score
    );
    for (feature, weight) in &explanation.sentiment {
        println!("             {weight:+.2}  {feature}");
    }
    println!("intents    {}", l.intents.names());
    for (intent, cues) in &explanation.intents {
        println!("             {intent}: {}", cues.join(", "));
    }
    println!(
        "language   {} ({})",
        l.lang.as_deref().unwrap_or("unknown"),
        explanation.lang
    );
    println!("urgency    {}", l.urgency.as_str());
    for reason in &explanation.urgency {
        println!("             {reason}");
    }
    Ok(())
}
