//! Reading labelled posts: SemEval TSV (`id<TAB>label<TAB>text`), the airline CSV (columns
//! `airline_sentiment` and `text`), and plain TSV (`text<TAB>label`).

use crate::NlpError;
use rapport_domain::SentimentLabel;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPost {
    pub text: String,
    pub label: SentimentLabel,
}

fn read(path: &Path) -> Result<String, NlpError> {
    std::fs::read_to_string(path).map_err(|source| NlpError::Read {
        path: path.into(),
        source,
    })
}

fn label(path: &Path, line: u64, s: &str) -> Result<SentimentLabel, NlpError> {
    s.trim().parse().map_err(|reason| NlpError::BadData {
        path: path.into(),
        line,
        reason,
    })
}

/// SemEval 2017 task 4A files. Some texts are wrapped in double quotes, some lines end with a
/// stray tab; both are dropped.
pub fn read_semeval(path: &Path) -> Result<Vec<LabelledPost>, NlpError> {
    let content = read(path)?;
    let mut out = Vec::new();
    for (n, line) in content.lines().enumerate() {
        let line_no = n as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let (_id, tag, text) = match (parts.next(), parts.next(), parts.next()) {
            (Some(id), Some(tag), Some(text)) => (id, tag, text),
            _ => {
                return Err(NlpError::BadData {
                    path: path.into(),
                    line: line_no,
                    reason: "expected id<TAB>label<TAB>text".into(),
                });
            }
        };
        let text = text.trim_end_matches(['\t', '\r']);
        let text = text.strip_prefix('"').unwrap_or(text);
        let text = text.strip_suffix('"').unwrap_or(text);
        out.push(LabelledPost {
            text: text.to_string(),
            label: label(path, line_no, tag)?,
        });
    }
    Ok(out)
}

/// `text<TAB>label`, the label after the last tab.
pub fn read_tsv(path: &Path) -> Result<Vec<LabelledPost>, NlpError> {
    let content = read(path)?;
    let mut out = Vec::new();
    for (n, line) in content.lines().enumerate() {
        let line_no = n as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some((text, tag)) = line.trim_end_matches('\r').rsplit_once('\t') else {
            return Err(NlpError::BadData {
                path: path.into(),
                line: line_no,
                reason: "expected text<TAB>label".into(),
            });
        };
        out.push(LabelledPost {
            text: text.to_string(),
            label: label(path, line_no, tag)?,
        });
    }
    Ok(out)
}

/// The CrowdFlower airline sentiment CSV.
pub fn read_airline(path: &Path) -> Result<Vec<LabelledPost>, NlpError> {
    let file = std::fs::File::open(path).map_err(|source| NlpError::Read {
        path: path.into(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(std::io::BufReader::new(file));
    let bad = |line: u64, reason: String| NlpError::BadData {
        path: path.into(),
        line,
        reason,
    };
    let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(1, format!("no column '{name}'")))
    };
    let (label_col, text_col) = (column("airline_sentiment")?, column("text")?);
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| {
            record
                .get(i)
                .ok_or_else(|| bad(line, format!("missing field {}", i + 1)))
        };
        out.push(LabelledPost {
            text: field(text_col)?.to_string(),
            label: label(path, line, field(label_col)?)?,
        });
    }
    Ok(out)
}
