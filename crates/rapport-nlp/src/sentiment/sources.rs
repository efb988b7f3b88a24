//! Which labelled posts training reads, and which of them it keeps out to measure itself across
//! datasets: a model must serve general tweets (SemEval/TweetEval) and customer-care posts (the
//! airline tweets) at once, and the two pull apart.

use super::{LabelledPost, read_airline, read_semeval};
use crate::NlpError;
use std::path::Path;

/// The SemEval file kept out of training and scored after it when holding out.
pub const HELD_OUT: &str = "twitter-2016test-A.tsv";

/// The dev sets that tune the class-score shift; a post's `set` is its index here plus one
/// (0: training only). Each set counts equally, whatever its size.
pub const DEV_SETS: [&str; 2] = ["semeval 2016 dev", "airline dev"];

/// One training post: its weight relative to a SemEval post, and its dev set (0: none).
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    pub post: LabelledPost,
    pub weight: f32,
    pub set: u8,
    /// 0: SemEval (general tweets), 1: airline (customer care).
    pub domain: u8,
}

/// What [`load`] read.
pub(crate) struct Loaded {
    pub samples: Vec<Sample>,
    /// (file, posts used) per file.
    pub sources: Vec<(String, usize)>,
    /// [`HELD_OUT`] when holding out.
    pub semeval_held_out: Option<Vec<LabelledPost>>,
    /// One airline post in five, chosen by the hash of its text, when holding out.
    pub airline_held_out: Option<Vec<LabelledPost>>,
}

/// How [`load`] splits the data.
pub(crate) struct Split<'a> {
    /// SemEval files (names) in the first dev set.
    pub dev: &'a [String],
    /// Whether the airline training posts form the second dev set.
    pub airline_dev: bool,
    /// Keep [`HELD_OUT`] and a fifth of the airline posts out (the cross-dataset estimate);
    /// otherwise everything is trained on (the committed model).
    pub hold_out: bool,
    pub airline_weight: f32,
    pub recent_weight: f32,
    pub limit: Option<usize>,
}

pub(crate) fn load(data_dir: &Path, split: &Split) -> Result<Loaded, NlpError> {
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
    let mut loaded = Loaded {
        samples: Vec::new(),
        sources: Vec::new(),
        semeval_held_out: None,
        airline_held_out: None,
    };
    for file in &files {
        let mut read = read_semeval(file)?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if split.hold_out && name == HELD_OUT {
            loaded.semeval_held_out = Some(read);
            continue;
        }
        let set = u8::from(split.dev.contains(&name));
        let weight = if name.contains("2016") {
            split.recent_weight
        } else {
            1.0
        };
        read.truncate(split.limit.unwrap_or(usize::MAX));
        loaded
            .sources
            .push((file.display().to_string(), read.len()));
        let samples = read.into_iter().map(|post| Sample {
            post,
            weight,
            set,
            domain: 0,
        });
        loaded.samples.extend(samples);
    }
    let airline = data_dir.join("airline/airline_sentiment_train.csv");
    let mut read = read_airline(&airline)?;
    read.truncate(split.limit.unwrap_or(usize::MAX));
    if split.hold_out {
        // By the text's hash, so the duplicated tweets of the source land on one side.
        let (out, kept): (Vec<_>, Vec<_>) = read
            .into_iter()
            .partition(|p| fnv(&p.text).is_multiple_of(5));
        loaded.airline_held_out = Some(out);
        read = kept;
    }
    loaded
        .sources
        .push((airline.display().to_string(), read.len()));
    let set = if split.airline_dev { 2 } else { 0 };
    let weight = split.airline_weight;
    loaded.samples.extend(read.into_iter().map(|post| Sample {
        post,
        weight,
        set,
        domain: 1,
    }));
    if loaded.samples.is_empty() {
        return Err(NlpError::NoData {
            path: data_dir.into(),
        });
    }
    Ok(loaded)
}

/// FNV-1a: a hash that is the same on every machine and release, unlike std's.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
