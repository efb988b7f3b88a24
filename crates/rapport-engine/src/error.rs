use thiserror::Error;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] rapport_store::StoreError),
    #[error("invalid query: {0}")]
    Query(#[from] rapport_query::QueryError),
    #[error("topic '{0}' already exists")]
    TopicExists(String),
    #[error("no topic named '{0}'")]
    NoSuchTopic(String),
    #[error("invalid topic name '{0}': use 1 to 100 characters, no control characters")]
    BadTopicName(String),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the ingest pipeline stopped: {0}")]
    Pipeline(String),
}
