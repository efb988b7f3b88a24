//! Rapport's sources and publishers per network, and the file importers.
//!
//! The importers live in [`import`]: [`read_records`] turns a file of one of the supported
//! [`Format`]s into a stream of normalized [`rapport_domain::Post`]s, one [`Record`] at a time,
//! in constant memory.

pub mod import;

pub use import::{Format, ParseFormatError, Record, Reject, read_records};
