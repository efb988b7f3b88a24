use std::path::PathBuf;

/// Errors of model files and labelled data.
#[derive(Debug, thiserror::Error)]
pub enum NlpError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a rapport sentiment model: {reason}")]
    BadModel { path: PathBuf, reason: String },
    #[error("{path}, line {line}: {reason}")]
    BadData {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("{path}: not a word-vector file: {reason}")]
    BadVectors { path: PathBuf, reason: String },
    #[error("{path}: no labelled posts found")]
    NoData { path: PathBuf },
    #[error("unknown evaluation format '{0}' (expected semeval, airline or tsv)")]
    UnknownFormat(String),
}
