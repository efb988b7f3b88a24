//! Users, sessions and API tokens: one SQL body for both backends.

use crate::sql::{Begin, Dialect, On, Row, SqlStore, query, query_scalar};
use crate::users::{
    ApiToken, ApiTokenId, NewApiToken, NewUser, Session, SessionStore, TokenRow, UserRow,
    UserStore, UserUpdate, from_millis, millis, name_key, scopes_text,
};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{User, UserId};

const USER_COLUMNS: &str = "id, name, display_name, role, active, created_at, \
     (totp_secret IS NOT NULL) AS two_factor";
const TOKEN_COLUMNS: &str = "id, token_hash, name, scopes, created_by, created_at, last_used_at, revoked_at, \
     expires_at, role";
const SESSION_COLUMNS: &str = "token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, second_factor_due, \
     single_sign_on";

fn user(r: &Row) -> Result<User> {
    UserRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        display_name: r.try_get("display_name")?,
        role: r.try_get("role")?,
        active: r.try_get("active")?,
        created_at: r.try_get("created_at")?,
        two_factor: r.try_get("two_factor")?,
    }
    .into_user()
}

fn token(r: &Row) -> Result<ApiToken> {
    TokenRow {
        id: r.try_get("id")?,
        token_hash: r.try_get("token_hash")?,
        name: r.try_get("name")?,
        scopes: r.try_get("scopes")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
        expires_at: r.try_get("expires_at")?,
        role: r.try_get("role")?,
    }
    .into_token()
}

fn session(r: &Row) -> Result<Session> {
    Ok(Session {
        token_hash: r.try_get("token_hash")?,
        user_id: UserId(r.try_get("user_id")?),
        csrf_token: r.try_get("csrf_token")?,
        created_at: from_millis(r.try_get("created_at")?)?,
        last_seen_at: from_millis(r.try_get("last_seen_at")?)?,
        expires_at: from_millis(r.try_get("expires_at")?)?,
        second_factor_due: r.try_get("second_factor_due")?,
        single_sign_on: r.try_get("single_sign_on")?,
    })
}

pub(crate) fn conflict(e: StoreError, what: String) -> StoreError {
    if e.is_unique_violation() {
        StoreError::Conflict(what)
    } else {
        e
    }
}

pub(crate) async fn insert_user<'a>(on: impl Into<On<'a>>, new: &NewUser) -> Result<User> {
    let row = query(format!(
        "INSERT INTO users (name, name_key, display_name, role, active, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $6) RETURNING {USER_COLUMNS}"
    ))
    .bind(new.name.trim())
    .bind(name_key(&new.name))
    .bind(&new.display_name)
    .bind(new.role.as_str())
    .bind(&new.password_hash)
    .bind(millis(new.created_at))
    .fetch_one(on)
    .await
    .map_err(|e| conflict(e, format!("user '{}' already exists", new.name.trim())))?;
    user(&row)
}

#[async_trait]
impl<D: Dialect> UserStore for SqlStore<D> {
    async fn create_user(&self, new: &NewUser) -> Result<User> {
        insert_user(self.pool(), new).await
    }

    async fn create_first_user(&self, new: &NewUser) -> Result<Option<User>> {
        // The lock is taken before the count, so two setups cannot both see none.
        let mut tx = self.pool().begin(Begin::Write).await?;
        if let Some(lock) = D::LOCK_USERS {
            query(lock).execute(&mut tx).await?;
        }
        let n: i64 = query_scalar("SELECT count(*) FROM users")
            .fetch_one(&mut tx)
            .await?;
        if n > 0 {
            return Ok(None);
        }
        let created = insert_user(&mut tx, new).await?;
        tx.commit().await?;
        Ok(Some(created))
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = query(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn user_credentials(&self, name: &str) -> Result<Option<(User, String)>> {
        let row = query(format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE name_key = $1"
        ))
        .bind(name_key(name))
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => Ok(Some((user(&r)?, r.try_get("password_hash")?))),
            None => Ok(None),
        }
    }

    async fn users(&self) -> Result<Vec<User>> {
        let rows = query(format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user).collect()
    }

    async fn update_user(&self, id: UserId, update: &UserUpdate) -> Result<User> {
        let row = query(format!(
            "UPDATE users SET display_name = coalesce($1, display_name), \
             role = coalesce($2, role), active = coalesce($3, active) \
             WHERE id = $4 RETURNING {USER_COLUMNS}"
        ))
        .bind(update.display_name.as_deref())
        .bind(update.role.map(|r| r.as_str()))
        .bind(update.active)
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => user(&r),
            None => Err(StoreError::NotFound(format!("user {id}"))),
        }
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<()> {
        let done = query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.0)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        Ok(())
    }
}

#[async_trait]
impl<D: Dialect> SessionStore for SqlStore<D> {
    async fn create_session(&self, s: &Session) -> Result<()> {
        query(
            "INSERT INTO user_sessions \
             (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, \
              second_factor_due, single_sign_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id.0)
        .bind(&s.csrf_token)
        .bind(millis(s.created_at))
        .bind(millis(s.last_seen_at))
        .bind(millis(s.expires_at))
        .bind(s.second_factor_due)
        .bind(s.single_sign_on)
        .execute(self.pool())
        .await
        .map_err(|e| conflict(e, "session already exists".into()))?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = query(format!(
            "SELECT {SESSION_COLUMNS} FROM user_sessions WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(session).transpose()
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        query("UPDATE user_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(millis(last_seen_at))
            .bind(millis(expires_at))
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> Result<bool> {
        let done = query("DELETE FROM user_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_user_sessions(&self, id: UserId) -> Result<u64> {
        let done = query("DELETE FROM user_sessions WHERE user_id = $1")
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    async fn delete_other_sessions(&self, id: UserId, keep: &str) -> Result<u64> {
        let done = query("DELETE FROM user_sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id.0)
            .bind(keep)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    async fn user_sessions(&self, id: UserId) -> Result<Vec<Session>> {
        let rows = query(format!(
            "SELECT {SESSION_COLUMNS} FROM user_sessions \
             WHERE user_id = $1 AND second_factor_due = FALSE \
             ORDER BY created_at DESC, token_hash"
        ))
        .bind(id.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(session).collect()
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = query("DELETE FROM user_sessions WHERE expires_at < $1")
            .bind(millis(now))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_api_token(&self, t: &NewApiToken) -> Result<ApiToken> {
        let row = query(format!(
            "INSERT INTO api_tokens \
             (token_hash, name, scopes, created_by, created_at, expires_at, role) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TOKEN_COLUMNS}"
        ))
        .bind(&t.token_hash)
        .bind(&t.name)
        .bind(scopes_text(&t.scopes))
        .bind(t.created_by.0)
        .bind(millis(t.created_at))
        .bind(t.expires_at.map(millis))
        .bind(t.role.map(|r| r.as_str()))
        .fetch_one(self.pool())
        .await
        .map_err(|e| conflict(e, "api token already exists".into()))?;
        token(&row)
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        let row = query(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(token).transpose()
    }

    async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = query(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(token).collect()
    }

    async fn touch_api_token(&self, id: ApiTokenId, at: DateTime<Utc>) -> Result<()> {
        query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(millis(at))
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn revoke_api_token(&self, id: ApiTokenId, at: DateTime<Utc>) -> Result<bool> {
        let done =
            query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(millis(at))
                .bind(id.0)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() > 0)
    }
}
