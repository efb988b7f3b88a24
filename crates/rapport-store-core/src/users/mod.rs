//! Who logs in: users, their sessions and API tokens.
//!
//! The store keeps what the engine decided; it never sees a password or a token, only the
//! argon2id PHC string of a password and the hex SHA-256 of a session or API token, so a copy
//! of the database lets no one in. Times are kept to the millisecond.

mod sql;

pub(crate) use sql::{conflict, insert_user};

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use rapport_domain::{Permission, Role, User, UserId};

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub display_name: String,
    pub role: Role,
    /// An argon2id PHC string.
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// A logged-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Hex SHA-256 of the cookie's token.
    pub token_hash: String,
    pub user_id: UserId,
    /// The token every form of this session carries.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The password was right but the two-factor code is still due: the session opens
    /// nothing but the code form.
    pub second_factor_due: bool,
    /// Opened through the single sign-on provider, which answers for the second factor.
    pub single_sign_on: bool,
}

/// A stored API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiTokenId(pub i64);

impl std::fmt::Display for ApiTokenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An API token to store.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    pub name: String,
    pub scopes: Vec<Permission>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    /// When it stops working; `None` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// The role it acts with, when narrower than its creator's.
    pub role: Option<Role>,
}

/// An API token as stored (the token itself is not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub token_hash: String,
    pub name: String,
    pub scopes: Vec<Permission>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub role: Option<Role>,
}

/// Users and their credentials.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user; `StoreError::Conflict` when the name is taken (in any case).
    async fn create_user(&self, user: &NewUser) -> Result<User>;
    /// Creates a user only when there is none yet, atomically (two first-run setups at once
    /// make one user); `None` when a user already exists.
    async fn create_first_user(&self, user: &NewUser) -> Result<Option<User>>;
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    /// A user and their password hash, by login name (case-insensitive).
    async fn user_credentials(&self, name: &str) -> Result<Option<(User, String)>>;
    /// Every user, by id.
    async fn users(&self) -> Result<Vec<User>>;
    /// How many users there are (every user, active or not).
    async fn user_count(&self) -> Result<u64> {
        Ok(self.users().await?.len() as u64)
    }
    /// `StoreError::NotFound` for an unknown id.
    async fn update_user(&self, id: UserId, update: &UserUpdate) -> Result<User>;
    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<()>;
}

/// Browser sessions and API tokens, both kept only as hashes of what the client holds.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &Session) -> Result<()>;
    async fn session(&self, token_hash: &str) -> Result<Option<Session>>;
    /// Records activity and moves the expiry of a session.
    async fn touch_session(
        &self,
        token_hash: &str,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// `false` when there was no such session.
    async fn delete_session(&self, token_hash: &str) -> Result<bool>;
    async fn delete_user_sessions(&self, user: UserId) -> Result<u64>;
    /// Ends every session of `user` but the one whose hash is `keep`.
    async fn delete_other_sessions(&self, user: UserId, keep: &str) -> Result<u64>;
    /// A user's sessions with their second factor done, newest first.
    async fn user_sessions(&self, user: UserId) -> Result<Vec<Session>>;
    /// Removes sessions that expired before `now`.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64>;

    /// Stores an API token; `StoreError::Conflict` on a repeated hash.
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken>;
    async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>>;
    /// Every token, revoked ones too, by id.
    async fn api_tokens(&self) -> Result<Vec<ApiToken>>;
    async fn touch_api_token(&self, id: ApiTokenId, at: DateTime<Utc>) -> Result<()>;
    /// Marks a token revoked; `false` when unknown or revoked already.
    async fn revoke_api_token(&self, id: ApiTokenId, at: DateTime<Utc>) -> Result<bool>;
}

pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| crate::StoreError::Corrupt(format!("time {ms} ms is out of range")))
}

pub(crate) fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub(crate) fn role_from(s: &str) -> Result<Role> {
    s.parse()
        .map_err(|e| crate::StoreError::Corrupt(format!("users.role: {e}")))
}

pub(crate) fn scopes_text(scopes: &[Permission]) -> String {
    scopes
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn scopes_from(s: &str) -> Result<Vec<Permission>> {
    s.split_whitespace()
        .map(|p| {
            p.parse()
                .map_err(|e| crate::StoreError::Corrupt(format!("api_tokens.scopes: {e}")))
        })
        .collect()
}

/// A raw user row, shared by both backends.
pub(crate) struct UserRow {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub created_at: i64,
    pub two_factor: bool,
}

impl UserRow {
    pub fn into_user(self) -> Result<User> {
        Ok(User {
            id: UserId(self.id),
            name: self.name,
            display_name: self.display_name,
            role: role_from(&self.role)?,
            active: self.active,
            created_at: from_millis(self.created_at)?,
            two_factor: self.two_factor,
        })
    }
}

/// A raw API token row, shared by both backends.
pub(crate) struct TokenRow {
    pub id: i64,
    pub token_hash: String,
    pub name: String,
    pub scopes: String,
    pub created_by: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub role: Option<String>,
}

impl TokenRow {
    pub fn into_token(self) -> Result<ApiToken> {
        Ok(ApiToken {
            id: ApiTokenId(self.id),
            token_hash: self.token_hash,
            name: self.name,
            scopes: scopes_from(&self.scopes)?,
            created_by: UserId(self.created_by),
            created_at: from_millis(self.created_at)?,
            last_used_at: self.last_used_at.map(from_millis).transpose()?,
            revoked_at: self.revoked_at.map(from_millis).transpose()?,
            expires_at: self.expires_at.map(from_millis).transpose()?,
            role: self.role.as_deref().map(role_from).transpose()?,
        })
    }
}
