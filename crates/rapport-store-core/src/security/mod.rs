//! Two-factor sign-in secrets, recovery codes, and the append-only audit log.
//!
//! The TOTP secret is kept as the base32 text authenticator apps take, because checking a
//! code needs the secret itself; recovery codes are kept only as SHA-256, like tokens.

mod sql;

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::UserId;
use rapport_domain::audit::{AuditEvent, AuditQuery, NewAuditEvent};

/// Where a user's two-factor sign-in stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TwoFactor {
    /// The confirmed secret (base32); `None` while two-factor sign-in is off.
    pub secret: Option<String>,
    /// A secret offered during set-up and not yet confirmed with a code.
    pub pending: Option<String>,
    pub enabled_at: Option<DateTime<Utc>>,
    /// Recovery codes not used yet.
    pub recovery_left: u32,
}

/// Two-factor secrets and recovery codes.
#[async_trait]
pub trait TwoFactorStore: Send + Sync {
    /// `StoreError::NotFound` for an unknown user.
    async fn two_factor(&self, user: UserId) -> Result<TwoFactor>;
    /// The users who have two-factor sign-in on.
    async fn two_factor_users(&self) -> Result<Vec<UserId>>;
    /// Keeps `secret` as the one offered to `user` (replacing an earlier offer).
    async fn offer_totp(&self, user: UserId, secret: &str) -> Result<()>;
    /// Turns two-factor sign-in on with the offered secret, and replaces the recovery codes,
    /// in one transaction; `false` when the offer is no longer `secret` (set up again
    /// elsewhere meanwhile).
    async fn enable_totp(
        &self,
        user: UserId,
        secret: &str,
        recovery_hashes: &[String],
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Replaces the stored secret or offer that is `old` with `new` (sealing one kept in the
    /// clear); `false` when neither is `old` any more.
    async fn replace_totp_secret(&self, user: UserId, old: &str, new: &str) -> Result<bool>;
    /// Turns it off: secret, offer and recovery codes gone.
    async fn disable_totp(&self, user: UserId) -> Result<()>;
    /// Records that a code of time step `step` was accepted, only if no code of that step or
    /// a later one was: `false` means the code was used already (a replay).
    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool>;
    /// Marks an unused recovery code used; `false` when it is unknown or used already.
    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
}

/// The audit log: appended to, listed, never changed.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, event: &NewAuditEvent) -> Result<AuditEvent>;
    /// Newest first, as the query narrows.
    async fn audit_events(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>>;
}
