//! Parse errors that point at the column where the query went wrong.

/// A query that cannot be parsed. `column` is 1-based and counts characters, not bytes, so it
/// lines up with what the user typed; `message` says what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {column}")]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl QueryError {
    pub(crate) fn new(column: usize, message: impl Into<String>) -> Self {
        Self {
            column,
            message: message.into(),
        }
    }
}
