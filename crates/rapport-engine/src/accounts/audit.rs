//! The audit log, as the account use cases and the web layer write and read it.

use super::{Accounts, Result};
use rapport_domain::User;
use rapport_domain::audit::{AuditAction, AuditEvent, AuditQuery, NewAuditEvent};

/// Who acted, and from where, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub user: Option<rapport_domain::UserId>,
    pub name: String,
    pub address: Option<String>,
}

impl AuditActor {
    /// A known user.
    pub fn user(user: &User, address: Option<&str>) -> Self {
        Self {
            user: Some(user.id),
            name: user.name.clone(),
            address: address.map(str::to_string),
        }
    }

    /// A caller not known to be anyone (a failed login names the user it tried).
    pub fn unknown(name: &str, address: Option<&str>) -> Self {
        Self {
            user: None,
            name: name.chars().filter(|c| !c.is_control()).take(64).collect(),
            address: address.map(str::to_string),
        }
    }
}

/// The most entries one listing returns.
pub const MAX_AUDIT_PAGE: u32 = 1_000;

impl Accounts {
    /// Appends one entry. A failure is the caller's failure: an action whose record cannot
    /// be written is reported as failed rather than done unrecorded.
    pub async fn record(
        &self,
        actor: &AuditActor,
        action: AuditAction,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> Result<AuditEvent> {
        let event = NewAuditEvent {
            at: self.now(),
            actor: actor.user,
            actor_name: actor.name.clone(),
            action,
            target: target.into(),
            detail: detail.into(),
            address: actor.address.clone(),
        };
        Ok(self.users.audit().append_audit(&event).await?)
    }

    /// Entries, newest first; at most [`MAX_AUDIT_PAGE`] at a time.
    pub async fn audit_events(&self, mut query: AuditQuery) -> Result<Vec<AuditEvent>> {
        query.limit = query.limit.clamp(1, MAX_AUDIT_PAGE);
        Ok(self.users.audit().audit_events(&query).await?)
    }
}
