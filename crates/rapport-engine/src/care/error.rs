use rapport_domain::case::TagError;
use rapport_domain::{CaseError, CaseId, Network, TemplateError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CareError {
    #[error(transparent)]
    Store(#[from] rapport_store::StoreError),
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Tag(#[from] TagError),
    #[error("saved reply: {0}")]
    Template(#[from] TemplateError),
    #[error("no case {0}")]
    NoSuchCase(CaseId),
    #[error("no saved reply named '{0}'")]
    NoSuchSavedReply(String),
    #[error("no team {0}")]
    NoSuchTeam(rapport_domain::TeamId),
    #[error("reply is {count} characters as {network} counts them, over its limit of {limit}")]
    TooLong {
        network: Network,
        count: usize,
        limit: usize,
    },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The network will not take this reply (said before it is queued).
    #[error("{0}")]
    ReplyNotAllowed(String),
    /// An idempotency key already queued a different reply on this case.
    #[error("the idempotency key '{0}' already queued a different reply")]
    KeyReused(String),
    #[error("routing rules in the store are unreadable: {0}")]
    Rules(String),
}

impl CareError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        CareError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl From<CareError> for crate::EngineError {
    fn from(e: CareError) -> Self {
        match e {
            CareError::Store(e) => crate::EngineError::Store(e),
            other => crate::EngineError::Pipeline(format!("care: {other}")),
        }
    }
}
