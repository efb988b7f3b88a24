//! Signing in through the single sign-on provider: what a verified identity may do here.
//!
//! - A provider account already linked signs in as its user, unless that user is deactivated.
//! - An unlinked one becomes a new user, made just in time and named after the provider's
//!   user name. It is never linked to an existing user by name or email: a provider that lets
//!   people pick those would let anyone take over an account here. When the name is taken,
//!   the sign-in is refused and an admin links the two (`rapport admin link-sso`).
//! - The role follows the person's groups at every sign-in ([`RoleMapping`]), so a change at
//!   the provider takes effect at the next sign-in; a person in no mapped group (and with no
//!   default role) is refused. The last active admin keeps the role, as everywhere.
//! - The session is marked as opened through the provider, which answers for the second
//!   factor; Rapport's own two-factor requirement applies to password sign-ins.
//!
//! Every refusal and every success is written to the audit log.
//!
//! [`RoleMapping`]: rapport_domain::sso::RoleMapping

use super::sso::{SingleSignOn, SsoError, user_name};
use super::{AccountError, Accounts, AuditActor, NewSession, Principal, Result, UserUpdate};
use rapport_connectors::oidc::{OidcCallback, OidcIdentity, OidcPending};
use rapport_domain::audit::AuditAction;
use rapport_domain::{Role, User, UserId};
use rapport_store::StoreError;
use rapport_store::sso::SsoLink;
use rapport_store::users::NewUser;

/// The password hash of a user made by single sign-on: not a PHC string, so no password
/// ever matches it and the user signs in only through the provider.
pub const NO_PASSWORD: &str = "!single-sign-on";

impl Accounts {
    /// Sign-in through `sso` becomes possible.
    pub fn with_sso(mut self, sso: SingleSignOn) -> Self {
        self.sso = Some(std::sync::Arc::new(sso));
        self
    }

    /// The provider, when single sign-on is set up.
    pub fn sso(&self) -> Option<&SingleSignOn> {
        self.sso.as_deref()
    }

    /// Finishes a sign-in the provider sent back: verifies it, finds or makes the user, sets
    /// their role from their groups, and opens their session.
    pub async fn sso_sign_in(
        &self,
        pending: &OidcPending,
        callback: &OidcCallback,
        address: Option<&str>,
    ) -> Result<(Principal, NewSession)> {
        let sso = self.sso().ok_or(SsoError::NotConfigured)?;
        let identity = match sso.client().identify(pending, callback).await {
            Ok(identity) => identity,
            Err(e) => {
                let e = SsoError::from(e);
                let from = AuditActor::unknown("single sign-on", address);
                return Err(self.refused(&from, "", &e).await?);
            }
        };
        let known = format!("{} at {}", identity.subject, identity.issuer);
        let from = AuditActor::unknown(
            user_name(&identity).as_deref().unwrap_or(&identity.subject),
            address,
        );
        let role = sso.roles().role_for(&identity.groups);
        let link = self
            .users
            .sso()
            .sso_link(&identity.issuer, &identity.subject)
            .await?;
        let user = match (link, role) {
            (_, None) => return Err(self.refused(&from, &known, &SsoError::NoRole).await?),
            (Some(link), Some(role)) => self.returning(&link, role, &from, &known).await?,
            (None, Some(role)) => self.just_in_time(&identity, role, &from, &known).await?,
        };
        let now = self.now();
        self.users
            .sso()
            .touch_sso_link(&identity.issuer, &identity.subject, now)
            .await?;
        self.users.sessions().delete_expired_sessions(now).await?;
        let session = self
            .open_session(&user, now, self.expiry(now, now), false, true)
            .await?;
        self.record(
            &AuditActor::user(&user, address),
            AuditAction::LoginSucceeded,
            format!("user {}", user.id),
            format!("single sign-on as {known}"),
        )
        .await?;
        let principal = self
            .principal(user, session.csrf_token.clone(), true)
            .await?;
        Ok((principal, session))
    }

    /// The user a linked account signs in as, with the role their groups give now.
    async fn returning(
        &self,
        link: &SsoLink,
        role: Role,
        from: &AuditActor,
        known: &str,
    ) -> Result<User> {
        let user = self.user(link.user_id).await?;
        if !user.active {
            return Err(self.refused(from, known, &SsoError::Deactivated).await?);
        }
        if user.role == role {
            return Ok(user);
        }
        let provider = AuditActor {
            user: Some(user.id),
            name: format!("{} (single sign-on)", user.name),
            address: from.address.clone(),
        };
        let update = UserUpdate {
            role: Some(role),
            ..Default::default()
        };
        match self.update_user(&provider, user.id, update).await {
            Ok(user) => Ok(user),
            Err(AccountError::LastAdmin) => {
                tracing::warn!(user = %user.name, groups_role = %role, "single sign-on keeps the last admin an admin");
                Ok(user)
            }
            Err(e) => Err(e),
        }
    }

    /// A new user for a provider account seen for the first time.
    async fn just_in_time(
        &self,
        identity: &OidcIdentity,
        role: Role,
        from: &AuditActor,
        known: &str,
    ) -> Result<User> {
        let Some(name) = user_name(identity) else {
            return Err(self.refused(from, known, &SsoError::NoName).await?);
        };
        let display_name = identity
            .name
            .as_deref()
            .unwrap_or(&name)
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect::<String>();
        let new = NewUser {
            name: name.clone(),
            display_name: if display_name.trim().is_empty() {
                name.clone()
            } else {
                display_name.trim().to_string()
            },
            role,
            password_hash: NO_PASSWORD.into(),
            created_at: self.now(),
        };
        let user = match self
            .users
            .sso()
            .create_sso_user(&new, &identity.issuer, &identity.subject)
            .await
        {
            Ok(user) => user,
            Err(StoreError::Conflict(_)) => {
                // Either the name is taken, or a sign-in running at the same moment linked
                // this account first: then it is that user's.
                if let Some(link) = self
                    .users
                    .sso()
                    .sso_link(&identity.issuer, &identity.subject)
                    .await?
                {
                    return self.returning(&link, role, from, known).await;
                }
                return Err(self
                    .refused(from, known, &SsoError::NameTaken(name))
                    .await?);
            }
            Err(e) => return Err(e.into()),
        };
        self.record(
            &AuditActor::user(&user, from.address.as_deref()),
            AuditAction::UserCreated,
            format!("user {}", user.id),
            format!(
                "{} as {} by single sign-on as {known}",
                user.name, user.role
            ),
        )
        .await?;
        Ok(user)
    }

    /// Writes a refused sign-in to the audit log and gives the error back to return.
    async fn refused(
        &self,
        from: &AuditActor,
        known: &str,
        why: &SsoError,
    ) -> Result<AccountError> {
        let detail = if known.is_empty() {
            why.to_string()
        } else {
            format!("{known}: {why}")
        };
        self.record(from, AuditAction::SsoRefused, "single sign-on", detail)
            .await?;
        Ok(AccountError::Sso(why.clone()))
    }

    /// Links a provider account to an existing user (an admin's decision, from the CLI):
    /// their next sign-in through the provider is as that user.
    pub async fn link_sso(
        &self,
        actor: &AuditActor,
        user: UserId,
        issuer: &str,
        subject: &str,
    ) -> Result<()> {
        let target = self.user(user).await?;
        self.users
            .sso()
            .link_sso(user, issuer.trim(), subject.trim(), self.now())
            .await?;
        self.record(
            actor,
            AuditAction::UserChanged,
            format!("user {}", target.id),
            format!(
                "{}: linked to {} at {} for single sign-on",
                target.name,
                subject.trim(),
                issuer.trim()
            ),
        )
        .await?;
        Ok(())
    }

    /// Whether the user has a Rapport password (users made by single sign-on have none).
    pub async fn has_password(&self, user: &User) -> Result<bool> {
        Ok(self
            .users
            .users()
            .user_credentials(&user.name)
            .await?
            .is_some_and(|(_, hash)| hash != NO_PASSWORD))
    }

    /// The provider accounts a user signs in with.
    pub async fn sso_links_of(&self, user: UserId) -> Result<Vec<SsoLink>> {
        Ok(self.users.sso().sso_links_of(user).await?)
    }
}
