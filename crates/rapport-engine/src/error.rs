use thiserror::Error;

/// Messages carry their cause inline (no `source` chain), so a caller printing the chain does
/// not repeat it.
#[derive(Debug, Error)]
pub enum EngineError {
    /// Another change won the race (a name taken meanwhile, a stale version).
    #[error("{0}")]
    Conflict(String),
    /// What the call names is not stored (the message says what).
    #[error("{0} not found")]
    NotFound(String),
    /// A value the store refuses to keep (the message names it).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Any other storage failure; callers treat it as internal.
    #[error(transparent)]
    Store(rapport_store::StoreError),
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

// The store's refusals become variants of their own, so callers (the web layer) tell a
// conflict from a failure without knowing the store.
impl From<rapport_store::StoreError> for EngineError {
    fn from(e: rapport_store::StoreError) -> Self {
        use rapport_store::StoreError as S;
        match e {
            S::Conflict(m) => EngineError::Conflict(m),
            S::NotFound(m) => EngineError::NotFound(m),
            S::Invalid(m) => EngineError::InvalidInput(m),
            other => EngineError::Store(other),
        }
    }
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
