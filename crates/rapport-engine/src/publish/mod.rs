//! The publisher: sends every queued outbox entry through its channel, exactly once.
//!
//! One [`Worker`] per enabled channel takes the entries of its network one at a time
//! ([`rapport_store::PublishStore::claim_next`]: the entry is `sending`, under a lease, before
//! anything leaves) and ends each attempt in the ledger:
//!
//! - sent: the network's id and URL are recorded on the entry (the case page shows the link),
//!   and the reply is stored as a post by the brand's account in the customer's thread, mapped
//!   as the live source maps what it reads, so when the source reads it back it is a
//!   duplicate, not a second post;
//! - not sent (a 429, a local rate budget, a connection refused, a 402): queued again after
//!   the network's wait or an exponential backoff;
//! - unknown (a timeout or a reset after the request left, a 5xx, an unreadable answer): the
//!   entry is marked `unknown` and taken again after a settling delay; every attempt after
//!   an unknown one first asks the network ([`rapport_connectors::publish::Publisher::find`])
//!   and records the reply it finds instead of sending a second one;
//! - refused (credentials revoked, the post answered deleted, a reply not allowed, a text the
//!   network rejects): `failed` with the reason on the case, where the agent can edit the reply
//!   and send it again.
//!
//! A process killed between the send and the acknowledgement leaves the entry `sending`; when
//! its lease runs out, the next claim takes it with `reconcile` set. Entries are retried
//! without limit while the outcome is transient: the state and the last reason stay visible
//! on the case, and the agent decides.

//!
//! Publications (posts composed once for several channels: [`publications`]) go out through
//! the same ledger: the supervisor releases each due one into the outbox, and the workers send
//! its parts like replies, a thread's later parts answering the part before.

pub mod bench;
pub mod publications;
mod worker;

pub use publications::{ChannelText, Draft, PublicationView, Publications, VariantPreview};
pub use worker::{PublishConfig, PublisherSupervisor, Worker};
