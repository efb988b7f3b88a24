//! People and their accounts: a contact holds one or more identities, possibly on several
//! networks.

use crate::{ContactId, IdentityId, Network};
use serde::{Deserialize, Serialize};

/// One account on one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: IdentityId,
    pub contact_id: ContactId,
    pub network: Network,
    /// As last seen, original case.
    pub handle: String,
    pub native_id: Option<String>,
    pub display_name: Option<String>,
    pub followers: Option<u64>,
    /// One of the company's own (brand) accounts.
    pub own_account: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    /// Display name of the contact; defaults to the first identity's display name or handle.
    pub name: String,
    pub identities: Vec<Identity>,
}
