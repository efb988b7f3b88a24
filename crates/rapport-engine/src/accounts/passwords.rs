//! Passwords and sessions a user manages for themself, and the resets an admin makes.

use super::secret::{self, hash_token};
use super::{AccountError, Accounts, AuditActor, Result, check_password};
use rapport_domain::audit::AuditAction;
use rapport_domain::{Permission, User, UserId};
use rapport_store::users::Session;

impl Accounts {
    /// Changes the caller's own password after checking the current one. Their other
    /// sessions end (whoever else held one is out); the session `keep_token` names stays.
    pub async fn change_password(
        &self,
        actor: &AuditActor,
        user: &User,
        current: &str,
        new: &str,
        keep_token: &str,
    ) -> Result<u64> {
        let Some((_, hash)) = self.users.users().user_credentials(&user.name).await? else {
            return Err(AccountError::NoSuchUser(user.id));
        };
        if !secret::verify_password(current, &hash).await? {
            return Err(AccountError::WrongPassword);
        }
        if current == new {
            return Err(AccountError::WeakPassword(
                "the new password is the current one",
            ));
        }
        check_password(&user.name, new)?;
        let hash = secret::hash_password(new).await?;
        self.users.users().set_password_hash(user.id, &hash).await?;
        let ended = self
            .users
            .sessions()
            .delete_other_sessions(user.id, &hash_token(keep_token))
            .await?;
        self.record(
            actor,
            AuditAction::PasswordChanged,
            format!("user {}", user.id),
            format!("{ended} other session(s) ended"),
        )
        .await?;
        Ok(ended)
    }

    /// An admin sets another user's password (the user forgot theirs); all of that user's
    /// sessions end.
    pub async fn reset_password(
        &self,
        actor: &AuditActor,
        admin: &User,
        id: UserId,
        new: &str,
    ) -> Result<()> {
        if !admin.can(Permission::ManageUsers) {
            return Err(AccountError::NotAllowed);
        }
        let user = self.user(id).await?;
        self.set_password(id, new).await?;
        self.record(
            actor,
            AuditAction::PasswordReset,
            format!("user {}", user.id),
            format!(
                "password of {} set by an admin; their sessions ended",
                user.name
            ),
        )
        .await?;
        Ok(())
    }

    /// Ends every session of `user`, the caller's own included ("log me out everywhere").
    pub async fn end_all_sessions(&self, actor: &AuditActor, user: &User) -> Result<u64> {
        let ended = self.users.sessions().delete_user_sessions(user.id).await?;
        self.record(
            actor,
            AuditAction::SessionsEnded,
            format!("user {}", user.id),
            format!("{ended} session(s) ended"),
        )
        .await?;
        Ok(ended)
    }

    /// The user's live sessions (their second factor done), newest first.
    pub async fn sessions_of(&self, user: UserId) -> Result<Vec<Session>> {
        let now = self.now();
        let mut sessions = self.users.sessions().user_sessions(user).await?;
        sessions.retain(|s| s.expires_at > now);
        Ok(sessions)
    }
}
