//! The audit log's shapes: who did what to whom, when, and from where.
//!
//! The log is append-only (the store refuses to change or remove a row), so it says what
//! happened even when an admin would rather it did not. It holds no secrets: a password, a
//! token or a two-factor code is never written to it, only that one was set or used.

use crate::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The user who acted; `None` for a caller not (yet) known, such as a failed login.
    pub actor: Option<UserId>,
    /// The actor's login name as it was then, or the name a failed login tried.
    pub actor_name: String,
    /// What happened, as a dotted name (`login.failed`, `user.role_changed`); see
    /// [`AuditAction`] for the ones Rapport writes.
    pub action: String,
    /// What it happened to (`user 4`, `POST /settings/sla/{name}`).
    pub target: String,
    /// The particulars in words (`role agent -> admin`).
    pub detail: String,
    /// The client's address, where the event came through a request.
    pub address: Option<String>,
}

/// An entry to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub actor_name: String,
    pub action: AuditAction,
    pub target: String,
    pub detail: String,
    pub address: Option<String>,
}

/// Which entries to list: newest first, before an id (for paging), of one action or actor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub before: Option<i64>,
    pub action: Option<String>,
    pub actor: Option<UserId>,
    pub limit: u32,
}

macro_rules! actions {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// The events Rapport writes to the audit log. The names are stored and never change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $(#[doc = $doc] $variant,)*
        }

        impl AuditAction {
            pub const ALL: [AuditAction; [$($name),*].len()] = [$(Self::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }
    };
}

actions! {
    LoginSucceeded => "login.succeeded", "A login succeeded: a password (and its second factor, if any), or single sign-on.";
    LoginFailed => "login.failed", "A login gave a wrong user name or password.";
    SecondFactorFailed => "login.second_factor_failed", "A login's password was right and its two-factor code wrong.";
    SsoRefused => "login.sso_refused", "A single sign-on was refused: the provider's answer failed a check, or the person has no role or user here.";
    RecoveryCodeUsed => "login.recovery_code_used", "A login used one of the user's recovery codes.";
    Logout => "logout", "A user logged out.";
    PasswordChanged => "password.changed", "A user changed their own password.";
    PasswordReset => "password.reset", "An admin set another user's password.";
    SessionsEnded => "sessions.ended", "A user ended all their sessions.";
    TwoFactorEnabled => "two_factor.enabled", "A user turned two-factor sign-in on.";
    TwoFactorDisabled => "two_factor.disabled", "A user turned their two-factor sign-in off.";
    TwoFactorReset => "two_factor.reset", "An admin removed another user's two-factor sign-in.";
    UserCreated => "user.created", "A user was created.";
    UserChanged => "user.changed", "A user's role, name or active flag changed.";
    TokenCreated => "token.created", "An API token was made.";
    TokenRevoked => "token.revoked", "An API token was revoked.";
    SettingsChanged => "settings.changed", "An admin changed a setting.";
    Deleted => "deleted", "Something was deleted.";
    Exported => "exported", "Data was exported.";
    ContactErased => "contact.erased", "What was held on a contact was erased.";
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_are_distinct_and_dotted_lowercase() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert!(names.iter().all(|n| {
            n.chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
        }));
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "two actions share a name");
        assert_eq!(AuditAction::LoginFailed.as_str(), "login.failed");
    }
}
