//! What the care desk keeps about a contact: fields, lifecycle stage, lead flags.

use crate::{ContactId, PostId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
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

/// The position after the last row of a leads page: the flag time (microseconds) and the
/// contact of that row. Leads are listed latest flag first, then highest contact id first, so
/// this pair is unique. It prints as `<micros>.<contact id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadCursor {
    pub micros: i64,
    pub contact: ContactId,
}

impl LeadCursor {
    /// The cursor just after `lead`.
    pub fn after(lead: &Lead) -> Self {
        LeadCursor {
            micros: lead.at.timestamp_micros(),
            contact: lead.contact_id,
        }
    }
}

impl fmt::Display for LeadCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.micros, self.contact)
    }
}

impl FromStr for LeadCursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid leads cursor '{s}' (expected MICROS.CONTACT)");
        let (m, id) = s.split_once('.').ok_or_else(bad)?;
        let micros: i64 = m.parse().map_err(|_| bad())?;
        let contact: i64 = id.parse().map_err(|_| bad())?;
        if DateTime::<Utc>::from_timestamp_micros(micros).is_none() || contact < 0 {
            return Err(bad());
        }
        Ok(LeadCursor {
            micros,
            contact: ContactId(contact),
        })
    }
}

/// One page of leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadPage {
    pub items: Vec<Lead>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<LeadCursor>,
}
