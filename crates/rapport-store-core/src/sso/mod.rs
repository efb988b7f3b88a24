//! Single sign-on links: which account at an OpenID Connect provider signs in as which user.
//!
//! A link is keyed by the provider's issuer and its subject, the id OpenID Connect promises
//! never to reassign; names and emails at the provider may change without breaking it.

mod sql;

use crate::Result;
use crate::users::NewUser;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{User, UserId};

/// One provider account linked to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoLink {
    pub issuer: String,
    pub subject: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: DateTime<Utc>,
}

#[async_trait]
pub trait SsoStore: Send + Sync {
    /// The link of a provider account, if it has one.
    async fn sso_link(&self, issuer: &str, subject: &str) -> Result<Option<SsoLink>>;
    /// A user's links, oldest first.
    async fn sso_links_of(&self, user: UserId) -> Result<Vec<SsoLink>>;
    /// Creates a user and links the provider account to them, in one transaction:
    /// `StoreError::Conflict` when the name is taken or the account is linked already, and
    /// then neither is written.
    async fn create_sso_user(&self, user: &NewUser, issuer: &str, subject: &str) -> Result<User>;
    /// Links a provider account to an existing user; `StoreError::Conflict` when it is
    /// linked already (to anyone), `StoreError::NotFound` for an unknown user.
    async fn link_sso(
        &self,
        user: UserId,
        issuer: &str,
        subject: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Records a sign-in through the link.
    async fn touch_sso_link(&self, issuer: &str, subject: &str, at: DateTime<Utc>) -> Result<()>;
    /// Removes a link; `false` when there was none.
    async fn unlink_sso(&self, issuer: &str, subject: &str) -> Result<bool>;
}
