//! Id newtypes for care work, in the style of `crate::ids`.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }
    };
}

id_newtype!(
    /// A stored case.
    CaseId
);
id_newtype!(
    /// A person who logs in to Rapport (admin, agent, analyst).
    UserId
);
id_newtype!(
    /// A group of agents sharing a queue, business hours and an SLA policy.
    TeamId
);
id_newtype!(
    /// An internal note on a case.
    NoteId
);
id_newtype!(
    /// A saved reply (a named answer template).
    SavedReplyId
);
id_newtype!(
    /// A reply in the outbox, from the moment it is queued until the network holds it.
    ReplyId
);
