use thiserror::Error;

/// Messages carry their cause inline (no `source` chain), so a caller printing the chain does
/// not repeat it.
#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] rapport_store::StoreError),
    #[error("invalid query: {0}")]
    Query(rapport_query::QueryError),
    #[error("topic '{0}' already exists")]
    TopicExists(String),
    #[error("no topic named '{0}'")]
    NoSuchTopic(String),
    #[error("invalid topic name '{0}': use 1 to 100 characters, no control characters")]
    BadTopicName(String),
    #[error("io error: {0}")]
    Io(std::io::Error),
    #[error("the ingest pipeline stopped: {0}")]
    Pipeline(String),
    /// A search or backtest that ran past the engine's query deadline.
    #[error(
        "the query ran past its {} s limit after checking {scanned} posts: make it narrower \
         (fewer OR alternatives, more required words, or a topic, which is matched as posts arrive)",
        limit.as_secs_f64()
    )]
    QueryTimeout {
        limit: std::time::Duration,
        scanned: u64,
    },
    /// A channel that cannot be added or started (the message says why; never a credential).
    #[error("{0}")]
    Channel(String),
}

impl From<rapport_query::QueryError> for EngineError {
    fn from(e: rapport_query::QueryError) -> Self {
        Self::Query(e)
    }
}

impl From<std::io::Error> for EngineError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}
