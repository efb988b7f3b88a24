//! The contact list: what the store's contact list takes and gives back.
//!
//! The list is read with keyset pages: a cursor names the sort key and id of the last row of a
//! page, so a page stays put while contacts are added or touched elsewhere in the list.

use super::LifecycleStage;
use crate::{ContactId, IdentityId, Network};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::{fmt, str::FromStr};

/// How the contact list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactSort {
    /// The latest touchpoint first (the contact's latest post or case activity); contacts
    /// without one come last. Ties go to the higher id.
    #[default]
    LastActivity,
    /// By name, case-insensitively, A to Z; ties go to the lower id.
    Name,
}

impl ContactSort {
    pub const ALL: [ContactSort; 2] = [Self::LastActivity, Self::Name];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LastActivity => "last_activity",
            Self::Name => "name",
        }
    }
}

impl FromStr for ContactSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown sort '{s}' (expected last_activity or name)"))
    }
}

/// The position after the last row of a page, for the same filters and sort. It prints as
/// `a<micros>.<id>` (last activity; `-1` micros for none) or `n<id>.<lowercased name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactCursor {
    LastActivity { micros: i64, id: ContactId },
    Name { key: String, id: ContactId },
}

impl fmt::Display for ContactCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LastActivity { micros, id } => write!(f, "a{micros}.{id}"),
            Self::Name { key, id } => write!(f, "n{id}.{key}"),
        }
    }
}

impl FromStr for ContactCursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid contacts cursor '{s}'");
        if let Some(rest) = s.strip_prefix('a') {
            let (m, id) = rest.split_once('.').ok_or_else(bad)?;
            Ok(Self::LastActivity {
                micros: m.parse().map_err(|_| bad())?,
                id: ContactId(id.parse().map_err(|_| bad())?),
            })
        } else if let Some(rest) = s.strip_prefix('n') {
            let (id, key) = rest.split_once('.').ok_or_else(bad)?;
            Ok(Self::Name {
                key: key.to_string(),
                id: ContactId(id.parse().map_err(|_| bad())?),
            })
        } else {
            Err(bad())
        }
    }
}

/// Which contacts to list, in which order, from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactQuery {
    /// Case-insensitive substring of the contact's name, any identity's handle (a leading `@`
    /// is ignored) or display name, the email or the company. Empty or blank matches every
    /// contact. SQLite folds only ASCII letters for this; PostgreSQL folds every letter.
    pub text: String,
    /// Only contacts at this lifecycle stage.
    pub stage: Option<LifecycleStage>,
    /// Only contacts carrying this tag (tags are lowercase; the filter is lowercased).
    pub tag: Option<String>,
    /// Lists the company's own accounts too; they are left out by default.
    pub include_own: bool,
    pub sort: ContactSort,
    /// 1 to 500.
    pub limit: u32,
    /// Where the page starts; `None` for the first page. A cursor from another sort is
    /// refused.
    pub after: Option<ContactCursor>,
}

impl Default for ContactQuery {
    fn default() -> Self {
        ContactQuery {
            text: String::new(),
            stage: None,
            tag: None,
            include_own: false,
            sort: ContactSort::LastActivity,
            limit: 50,
            after: None,
        }
    }
}

/// One account of a listed contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactIdentity {
    pub id: IdentityId,
    pub network: Network,
    pub handle: String,
    pub followers: Option<u64>,
}

/// One row of the contact list. Contacts merged into another are never listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSummary {
    pub id: ContactId,
    pub name: String,
    /// In network, then handle order.
    pub identities: Vec<ContactIdentity>,
    pub email: Option<String>,
    pub company: Option<String>,
    pub stage: Option<LifecycleStage>,
    pub tags: BTreeSet<String>,
    /// Posts written by any of the contact's identities.
    pub posts: u64,
    /// Active cases (new, open, pending) of the contact.
    pub open_cases: u64,
    /// The latest of the contact's posts and its cases' activity.
    pub last_activity_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPage {
    pub items: Vec<ContactSummary>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<ContactCursor>,
}
