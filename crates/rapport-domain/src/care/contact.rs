//! What the care desk keeps about a contact: fields, lifecycle stage, lead flags.

use crate::{ContactId, PostId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::str::FromStr;

/// Where a contact stands with the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    Subscriber,
    Lead,
    Opportunity,
    Customer,
    Evangelist,
    Other,
}

impl LifecycleStage {
    pub const ALL: [LifecycleStage; 6] = [
        Self::Subscriber,
        Self::Lead,
        Self::Opportunity,
        Self::Customer,
        Self::Evangelist,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subscriber => "subscriber",
            Self::Lead => "lead",
            Self::Opportunity => "opportunity",
            Self::Customer => "customer",
            Self::Evangelist => "evangelist",
            Self::Other => "other",
        }
    }
}

impl FromStr for LifecycleStage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown lifecycle stage '{s}' (expected subscriber, lead, opportunity, \
                     customer, evangelist or other)"
                )
            })
    }
}

/// The fields a contact carries beyond its identities.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactFields {
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub crm_id: Option<String>,
    pub tags: BTreeSet<String>,
    pub stage: Option<LifecycleStage>,
    /// Read only: the contact this one was merged into.
    pub merged_into: Option<ContactId>,
}

/// A contact flagged as a lead by a post's intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub contact_id: ContactId,
    pub contact_name: String,
    pub post_id: PostId,
    pub at: DateTime<Utc>,
    pub stage: Option<LifecycleStage>,
}
