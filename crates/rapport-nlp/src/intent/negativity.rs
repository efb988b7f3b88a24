//! Words that mark a complaint, learned from the crowd-labelled sentiment data: the share of
//! negative tweets that contain a word against the share of the others (airline train file and
//! SemEval training files, with every post of the intent set left out). The list is committed as
//! `data/intent/negative_words.tsv`; a test regenerates it and fails when the two differ.

use std::{
    collections::{HashMap, HashSet},
    fs::File,
    io::BufRead,
    path::Path,
};

use super::labelled::{IntentError, LABELS_TSV, parse_label_lines};

/// The committed list: `word<TAB>log-odds`, strongest first.
pub const NEGATIVE_WORDS_TSV: &str = include_str!("../../data/intent/negative_words.tsv");

/// A word must occur in this many negative tweets to be kept.
const MIN_NEGATIVE_DOCS: u32 = 25;
/// And be at least e^1.2 (about 3.3) times likelier in a negative tweet than in another one.
const MIN_LOG_ODDS: f64 = 1.2;

const AIRLINE: &str = "airline/airline_sentiment_train.csv";
const SEMEVAL: &[&str] = &[
    "sentiment/semeval2017-task4a/twitter-2013train-A.tsv",
    "sentiment/semeval2017-task4a/twitter-2015train-A.tsv",
    "sentiment/semeval2017-task4a/twitter-2016train-A.tsv",
    "sentiment/semeval2017-task4a/twitter-2016dev-A.tsv",
];

/// The words of `text` as the one word splitter of Rapport cuts them (`rapport_domain::words`,
/// after JSON escapes and HTML entities are decoded), lowercased, curly apostrophes made
/// straight: words of three characters or more made of ASCII letters and inner apostrophes
/// (the cue lexicon matches ASCII without regard to case), so `didn't` is one word, not `didn`,
/// and `🙂Thanks` holds `thanks`. Mentions, hashtags, cashtags, numbers and links are skipped.
pub fn negativity_words(text: &str) -> HashSet<String> {
    use rapport_domain::words::{PieceKind, split};
    let decoded = crate::text::decode(text);
    let text = decoded.as_ref();
    let mut out = HashSet::new();
    split(text, |p| {
        if p.kind != PieceKind::Word {
            return;
        }
        let w = text[p.start..p.end]
            .replace('\u{2019}', "'")
            .to_ascii_lowercase();
        if w.len() >= 3 && w.bytes().all(|b| b.is_ascii_alphabetic() || b == b'\'') {
            out.insert(w);
        }
    });
    out
}

/// Learns the list from `data_dir` (the shared data dir), as `word<TAB>log-odds` lines.
pub fn learn_negative_words(data_dir: &Path) -> Result<String, IntentError> {
    let held_out: HashSet<(String, String)> = parse_label_lines(LABELS_TSV)?
        .into_iter()
        .map(|l| (l.source, l.id))
        .collect();
    let mut docs: Vec<(bool, String)> = Vec::new();
    let io = |path: &str| {
        let path = path.to_string();
        move |source| IntentError::Io { path, source }
    };
    let csv_err = |source| IntentError::Csv {
        path: AIRLINE.to_string(),
        source,
    };
    let mut reader =
        csv::Reader::from_reader(File::open(data_dir.join(AIRLINE)).map_err(io(AIRLINE))?);
    for record in reader.records() {
        let r = record.map_err(csv_err)?;
        let (id, label, text) = (&r[0], &r[1], &r[10]);
        if !held_out.contains(&(AIRLINE.to_string(), id.to_string())) {
            docs.push((label == "negative", text.to_string()));
        }
    }
    for source in SEMEVAL {
        let file = File::open(data_dir.join(source)).map_err(io(source))?;
        for line in std::io::BufReader::new(file).lines() {
            let line = line.map_err(io(source))?;
            let mut cols = line.splitn(3, '\t');
            if let (Some(id), Some(label), Some(text)) = (cols.next(), cols.next(), cols.next())
                && !held_out.contains(&(source.to_string(), id.to_string()))
            {
                docs.push((label == "negative", text.to_string()));
            }
        }
    }
    let (mut neg_docs, mut other_docs) = (0u32, 0u32);
    let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
    for (negative, text) in &docs {
        if *negative {
            neg_docs += 1;
        } else {
            other_docs += 1;
        }
        for w in negativity_words(text) {
            let c = counts.entry(w).or_default();
            if *negative {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        }
    }
    let mut kept: Vec<(String, f64)> = counts
        .into_iter()
        .filter(|(_, (n, _))| *n >= MIN_NEGATIVE_DOCS)
        .map(|(w, (n, o))| {
            let p_neg = (f64::from(n) + 1.0) / (f64::from(neg_docs) + 2.0);
            let p_other = (f64::from(o) + 1.0) / (f64::from(other_docs) + 2.0);
            (w, (p_neg / p_other).ln())
        })
        .filter(|(_, lo)| *lo >= MIN_LOG_ODDS)
        .collect();
    kept.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = String::from("# word\tlog-odds of a negative tweet (see negativity.rs)\n");
    for (w, lo) in kept {
        out.push_str(&format!("{w}\t{lo:.2}\n"));
    }
    Ok(out)
}

/// Parses the committed list into `(word, log-odds)` pairs.
pub fn negative_words() -> impl Iterator<Item = (&'static str, f32)> {
    NEGATIVE_WORDS_TSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (w, lo) = l.split_once('\t')?;
            Some((w, lo.parse().ok()?))
        })
}
