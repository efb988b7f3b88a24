//! A backend-neutral description of which words a post must contain, used to ask a store's
//! full-text index for candidates before the exact matcher decides.

use serde::{Deserialize, Serialize};

/// Disjunctive normal form over plain words: a post is a candidate when, for at least one group,
/// it contains every word of that group. Words are lowercased, already normalized the way the
/// store's tokenizer sees them; a word ending in `*` is a prefix.
///
/// `any_of` empty means "no usable words": the caller must scan every post.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TermFilter {
    pub any_of: Vec<Vec<String>>,
}

impl TermFilter {
    pub fn scan_all() -> Self {
        Self::default()
    }

    pub fn is_scan_all(&self) -> bool {
        self.any_of.is_empty()
    }
}
