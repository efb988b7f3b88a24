//! Rapport's sources and publishers per network, and the file importers.
//!
//! The importers live in [`import`]: [`read_records`] turns a file of one of the supported
//! [`Format`]s into a stream of normalized [`rapport_domain::Post`]s, one [`Record`] at a time,
//! in constant memory.
//!
//! The live sources live in [`live`]: a [`live::Source`] per network ([`live::JetstreamSource`],
//! [`live::MastodonSource`], [`live::XFilteredStream`]) hands over batches of posts with a
//! durable checkpoint, reconnecting by itself, and [`live::XRules`] keeps X's filtered-stream
//! rules in step with the topics.
//!
//! The publishers live in [`publish`]: a [`publish::Publisher`] per network sends one reply per
//! call and finds, when asked, a reply an earlier attempt may have made.
//!
//! [`oidc`] is the OpenID Connect client single sign-on uses, and email leaves through
//! [`mail`]: a [`mail::Mailer`] hands one message to an SMTP server ([`mail::SmtpMailer`],
//! lettre). These are the outside services Rapport calls besides the networks.

pub mod import;
pub mod live;
pub mod mail;
pub mod oidc;
pub mod publish;

/// Entry points for the `cargo fuzz` targets in `fuzz/`, which reach decoders the crate keeps
/// to itself. Not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    /// Decodes one firehose WebSocket message as the live source does: the frame's `Debug`
    /// text, or the error the source would log.
    pub fn firehose_frame(bytes: &[u8]) -> Result<String, String> {
        crate::live::decode_frame_blocking(bytes)
    }
}

pub use import::{Format, ParseFormatError, Record, Reject, read_records};
