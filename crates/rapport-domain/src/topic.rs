//! Listening topics: a name and a query in Rapport's boolean query language.

use crate::TopicId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicOptions {
    /// Match `cafe` against `café` and the other way round.
    pub ignore_accents: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub id: TopicId,
    pub name: String,
    pub query: String,
    pub options: TopicOptions,
}
