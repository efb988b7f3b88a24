//! The hand-labelled intent set: `labels.tsv` names posts in `../shared/data` by source file and
//! tweet id; the texts are read from there, never copied into the repository.

use std::{collections::HashMap, fs::File, io::BufRead, path::Path};

use rapport_domain::{Intent, IntentSet};

/// The label lines, compiled in so that evaluation needs only the data directory.
pub const LABELS_TSV: &str = include_str!("../../data/intent/labels.tsv");

/// Percentage of the labelled posts that fall into the development part.
const DEV_PERCENT: u64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum IntentError {
    #[error("labels.tsv line {line}: {reason}")]
    BadLabelLine { line: usize, reason: String },
    #[error("intent weights line {line}: {reason}")]
    BadWeightLine { line: usize, reason: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot parse {path}: {source}")]
    Csv { path: String, source: csv::Error },
    #[error("{path} has no column '{column}'")]
    MissingColumn { path: String, column: &'static str },
    #[error("labels.tsv line {line}: post {id} not found in {source_file}")]
    MissingPost {
        line: usize,
        source_file: String,
        id: String,
    },
}

/// Which part of the labelled set to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The part the model is trained, cross-validated and tuned on.
    Dev,
    /// The held-out part the scores are reported on.
    Eval,
    All,
}

/// Deterministic split: FNV-1a 64 over `source<TAB>id`, the first 60 of every 100 buckets are dev.
pub fn part_of(source: &str, id: &str) -> Part {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source.bytes().chain([b'\t']).chain(id.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    if h % 100 < DEV_PERCENT {
        Part::Dev
    } else {
        Part::Eval
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPost {
    pub source: String,
    pub id: String,
    pub text: String,
    pub labels: IntentSet,
}

/// One parsed line of `labels.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelLine {
    pub line: usize,
    pub source: String,
    pub id: String,
    pub labels: IntentSet,
}

/// Parses `source<TAB>id<TAB>labels` lines; `#` starts a comment line.
pub fn parse_label_lines(tsv: &str) -> Result<Vec<LabelLine>, IntentError> {
    let mut out = Vec::new();
    for (i, raw) in tsv.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let bad = |reason: String| IntentError::BadLabelLine { line, reason };
        let mut cols = raw.split('\t');
        let (Some(source), Some(id), Some(names), None) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            return Err(bad("expected three tab-separated fields".into()));
        };
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("id '{id}' is not a tweet id")));
        }
        let mut labels = IntentSet::empty();
        if names != "other" {
            for name in names.split(',') {
                labels = labels.with(name.parse::<Intent>().map_err(bad)?);
            }
        }
        out.push(LabelLine {
            line,
            source: source.to_string(),
            id: id.to_string(),
            labels,
        });
    }
    Ok(out)
}

/// Loads the labelled posts of `part`, reading their texts from `data_dir` (the shared data dir).
pub fn load_labelled(data_dir: &Path, part: Part) -> Result<Vec<LabelledPost>, IntentError> {
    let lines: Vec<LabelLine> = parse_label_lines(LABELS_TSV)?
        .into_iter()
        .filter(|l| part == Part::All || part_of(&l.source, &l.id) == part)
        .collect();
    let mut texts: HashMap<String, HashMap<String, String>> = HashMap::new();
    for l in &lines {
        if !texts.contains_key(&l.source) {
            let wanted: Vec<&str> = lines
                .iter()
                .filter(|o| o.source == l.source)
                .map(|o| o.id.as_str())
                .collect();
            let found = read_source(&data_dir.join(&l.source), &wanted)?;
            texts.insert(l.source.clone(), found);
        }
    }
    lines
        .into_iter()
        .map(|l| {
            let text =
                texts[&l.source]
                    .get(&l.id)
                    .cloned()
                    .ok_or_else(|| IntentError::MissingPost {
                        line: l.line,
                        source_file: l.source.clone(),
                        id: l.id.clone(),
                    })?;
            Ok(LabelledPost {
                source: l.source,
                id: l.id,
                text,
                labels: l.labels,
            })
        })
        .collect()
}

/// Reads the texts of `wanted` ids from a twcs/airline CSV or a SemEval TSV; the first
/// occurrence of an id wins (the airline file repeats some ids).
fn read_source(path: &Path, wanted: &[&str]) -> Result<HashMap<String, String>, IntentError> {
    let shown = path.display().to_string();
    let io = |source| IntentError::Io {
        path: shown.clone(),
        source,
    };
    let mut found = HashMap::new();
    let mut keep = |id: &str, text: &str| {
        if wanted.contains(&id) && !found.contains_key(id) {
            found.insert(id.to_string(), text.to_string());
        }
    };
    if path.extension().is_some_and(|e| e == "tsv") {
        // SemEval: id<TAB>label<TAB>text, no quoting.
        let reader = std::io::BufReader::new(File::open(path).map_err(io)?);
        for line in reader.lines() {
            let line = line.map_err(io)?;
            let mut cols = line.splitn(3, '\t');
            if let (Some(id), Some(_), Some(text)) = (cols.next(), cols.next(), cols.next()) {
                keep(id, text);
            }
        }
    } else {
        let csv_err = |source| IntentError::Csv {
            path: shown.clone(),
            source,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(File::open(path).map_err(io)?);
        let headers = reader.headers().map_err(csv_err)?.clone();
        let column = |name: &'static str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or(IntentError::MissingColumn {
                    path: shown.clone(),
                    column: name,
                })
        };
        let (id_col, text_col) = (column("tweet_id")?, column("text")?);
        for record in reader.records() {
            let record = record.map_err(csv_err)?;
            if let (Some(id), Some(text)) = (record.get(id_col), record.get(text_col)) {
                keep(id, text);
            }
        }
    }
    Ok(found)
}
