use rapport_domain::case::TagError;
use rapport_domain::{CaseError, CaseId, Network, TemplateError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CareError {
    /// Another change won the race (the case moved past the version the caller read, a name
    /// was taken meanwhile): reading again and retrying may succeed.
    #[error("{0}")]
    Conflict(String),
    /// What the action names is not stored (the message says what).
    #[error("{0} not found")]
    NotFound(String),
    /// A value the store refuses to keep (the message names it).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Any other storage failure; callers treat it as internal.
    #[error(transparent)]
    Store(rapport_store::StoreError),
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

// The store's refusals become variants of their own, so callers (the web layer) tell a
// conflict from a failure without knowing the store.
impl From<rapport_store::StoreError> for CareError {
    fn from(e: rapport_store::StoreError) -> Self {
        use rapport_store::StoreError as S;
        match e {
            S::Conflict(m) => CareError::Conflict(m),
            S::NotFound(m) => CareError::NotFound(m),
            S::Invalid(m) => CareError::InvalidInput(m),
            other => CareError::Store(other),
        }
    }
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
            CareError::Conflict(m) => crate::EngineError::Conflict(m),
            CareError::NotFound(m) => crate::EngineError::NotFound(m),
            CareError::InvalidInput(m) => crate::EngineError::InvalidInput(m),
            other => crate::EngineError::Pipeline(format!("care: {other}")),
        }
    }
}
