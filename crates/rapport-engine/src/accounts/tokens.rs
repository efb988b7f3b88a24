//! API tokens: created by admins with scopes, shown once, stored hashed, revocable.

use super::secret::{hash_token, random_hex};
use super::{AccountError, Accounts, AuditActor, Principal, Result, Via};
use chrono::{DateTime, Utc};
use rapport_domain::audit::AuditAction;
use rapport_domain::{Permission, Role, User};
use rapport_store::StoreError;
use rapport_store::users::{ApiToken, ApiTokenId, NewApiToken};

/// How precisely a token's `last_used_at` is kept (the token list shows it to the minute).
pub const LAST_USED_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// What every API token starts with, so a leaked one is easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "rap_";

/// What narrows a token beyond its scopes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenLimits {
    /// When it stops working; `None` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// The role it acts with; `None` for its creator's. Each use is allowed only what both
    /// this role and the creator's role (as it is then) allow.
    pub role: Option<Role>,
}

/// A token just made. `secret` is shown to its creator once and kept nowhere.
#[derive(Debug, Clone)]
pub struct NewApiTokenSecret {
    pub token: ApiToken,
    pub secret: String,
}

impl Accounts {
    /// Makes an API token acting as `creator`, limited to `scopes` (and, at each use, to what
    /// the creator's role still allows), that never expires. Only admins make tokens.
    pub async fn create_api_token(
        &self,
        creator: &User,
        name: &str,
        scopes: &[Permission],
    ) -> Result<NewApiTokenSecret> {
        self.create_limited_api_token(
            &AuditActor::user(creator, None),
            creator,
            name,
            scopes,
            TokenLimits::default(),
        )
        .await
    }

    /// [`Self::create_api_token`] with an expiry and a role of its own.
    pub async fn create_limited_api_token(
        &self,
        actor: &AuditActor,
        creator: &User,
        name: &str,
        scopes: &[Permission],
        limits: TokenLimits,
    ) -> Result<NewApiTokenSecret> {
        if !creator.can(Permission::ManageUsers) {
            return Err(AccountError::NotAllowed);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AccountError::BadTokenName);
        }
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(AccountError::NoScopes);
        }
        if limits.expires_at.is_some_and(|at| at <= self.now()) {
            return Err(AccountError::ExpiryInThePast);
        }
        let secret = format!("{TOKEN_PREFIX}{}", random_hex());
        let token = self
            .users
            .sessions()
            .create_api_token(&NewApiToken {
                token_hash: hash_token(&secret),
                name: name.to_string(),
                scopes,
                created_by: creator.id,
                created_at: self.now(),
                expires_at: limits.expires_at,
                role: limits.role,
            })
            .await?;
        let expiry = token
            .expires_at
            .map_or_else(|| "never expires".to_string(), |at| format!("expires {at}"));
        let role = token.role.map_or("the creator's role", |r| r.as_str());
        self.record(
            actor,
            AuditAction::TokenCreated,
            format!("token {}", token.id),
            format!(
                "'{}' with scopes {}; acts as {role}; {expiry}",
                token.name,
                token
                    .scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        )
        .await?;
        Ok(NewApiTokenSecret { token, secret })
    }

    /// The caller an API token names, or `None` when it is unknown, revoked, expired, or its
    /// creator is inactive. The lookup is by digest, so comparing takes no time that depends on the secret.
    pub async fn verify_api_token(&self, secret: &str) -> Result<Option<Principal>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some(token) = self
            .users
            .sessions()
            .api_token_by_hash(&hash_token(secret))
            .await?
        else {
            return Ok(None);
        };
        let now = self.now();
        if token.revoked_at.is_some() || token.expires_at.is_some_and(|at| at <= now) {
            return Ok(None);
        }
        let Some(user) = self.users.users().user(token.created_by).await? else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        // Recorded at most once a minute per token: a script calling the API in a loop would
        // otherwise turn every read into a write.
        if token
            .last_used_at
            .is_none_or(|last| now - last >= LAST_USED_GRANULARITY)
        {
            self.users.sessions().touch_api_token(token.id, now).await?;
        }
        Ok(Some(Principal {
            user,
            via: Via::Token {
                scopes: token.scopes,
                role: token.role,
            },
        }))
    }

    /// Revokes a token at once; `false` when unknown or revoked already.
    pub async fn revoke_api_token(&self, actor: &AuditActor, id: ApiTokenId) -> Result<bool> {
        let revoked = self
            .users
            .sessions()
            .revoke_api_token(id, self.now())
            .await
            .map_err(|e: StoreError| AccountError::from(e))?;
        if revoked {
            self.record(actor, AuditAction::TokenRevoked, format!("token {id}"), "")
                .await?;
        }
        Ok(revoked)
    }
}
