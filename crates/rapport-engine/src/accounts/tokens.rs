//! API tokens: created by admins with scopes, shown once, stored hashed, revocable.

use super::secret::{hash_token, random_hex};
use super::{AccountError, Accounts, Principal, Result, Via};
use rapport_domain::{Permission, User};
use rapport_store::StoreError;
use rapport_store::users::{ApiToken, ApiTokenId, NewApiToken};

/// How precisely a token's `last_used_at` is kept (the token list shows it to the minute).
pub const LAST_USED_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// What every API token starts with, so a leaked one is easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "rap_";

/// A token just made. `secret` is shown to its creator once and kept nowhere.
#[derive(Debug, Clone)]
pub struct NewApiTokenSecret {
    pub token: ApiToken,
    pub secret: String,
}

impl Accounts {
    /// Makes an API token acting as `creator`, limited to `scopes` (and, at each use, to what
    /// the creator's role still allows). Only admins make tokens.
    pub async fn create_api_token(
        &self,
        creator: &User,
        name: &str,
        scopes: &[Permission],
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
            })
            .await?;
        Ok(NewApiTokenSecret { token, secret })
    }

    /// The caller an API token names, or `None` when it is unknown, revoked, or its creator is
    /// inactive. The lookup is by digest, so comparing takes no time that depends on the secret.
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
        if token.revoked_at.is_some() {
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
        let now = self.now();
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
            },
        }))
    }

    /// Revokes a token at once; `false` when unknown or revoked already.
    pub async fn revoke_api_token(&self, id: ApiTokenId) -> Result<bool> {
        self.users
            .sessions()
            .revoke_api_token(id, self.now())
            .await
            .map_err(|e: StoreError| e.into())
    }
}
