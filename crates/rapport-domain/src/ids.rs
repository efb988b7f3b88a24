//! Id newtypes. Rows are numbered by the store; the newtypes keep a post id from being passed
//! where a contact id is expected.

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
    /// A stored post.
    PostId
);
id_newtype!(
    /// A person or organisation, holding one or more identities.
    ContactId
);
id_newtype!(
    /// One account on one network.
    IdentityId
);
id_newtype!(
    /// A thread of posts linked by replies.
    ConversationId
);
id_newtype!(
    /// A stored listening topic.
    TopicId
);
id_newtype!(
    /// A publication: a post composed once and its variants per channel.
    PublicationId
);
id_newtype!(
    /// A channel: a network account Rapport listens and publishes through.
    ChannelId
);
id_newtype!(
    /// A saved inbox view: a named filter set.
    SavedViewId
);
