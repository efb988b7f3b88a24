//! Two-factor and audit SQL: one body for both backends.

use crate::security::{AuditStore, TwoFactor, TwoFactorStore};
use crate::sql::{Begin, Dialect, Row, SqlStore, query, query_scalar};
use crate::users::{from_millis, millis};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::UserId;
use rapport_domain::audit::{AuditEvent, AuditQuery, NewAuditEvent};

const AUDIT_COLUMNS: &str = "id, at, actor_id, actor_name, action, target, detail, address";

fn event(r: &Row) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: r.try_get("id")?,
        at: from_millis(r.try_get("at")?)?,
        actor: r.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
        actor_name: r.try_get("actor_name")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        detail: r.try_get("detail")?,
        address: r.try_get("address")?,
    })
}

fn no_user(user: UserId) -> StoreError {
    StoreError::NotFound(format!("user {user}"))
}

#[async_trait]
impl<D: Dialect> TwoFactorStore for SqlStore<D> {
    async fn two_factor(&self, user: UserId) -> Result<TwoFactor> {
        let row = query(
            "SELECT totp_secret, totp_pending, totp_enabled_at, \
             (SELECT count(*) FROM recovery_codes c WHERE c.user_id = u.id AND c.used_at IS NULL) \
             AS recovery_left \
             FROM users u WHERE id = $1",
        )
        .bind(user.0)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| no_user(user))?;
        Ok(TwoFactor {
            secret: row.try_get("totp_secret")?,
            pending: row.try_get("totp_pending")?,
            enabled_at: row
                .try_get::<Option<i64>, _>("totp_enabled_at")?
                .map(from_millis)
                .transpose()?,
            recovery_left: u32::try_from(row.try_get::<i64, _>("recovery_left")?).unwrap_or(0),
        })
    }

    async fn two_factor_users(&self) -> Result<Vec<UserId>> {
        let ids: Vec<i64> =
            query_scalar("SELECT id FROM users WHERE totp_secret IS NOT NULL ORDER BY id")
                .fetch_all(self.pool())
                .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn replace_totp_secret(&self, user: UserId, old: &str, new: &str) -> Result<bool> {
        let done = query(
            "UPDATE users SET \
             totp_secret = CASE WHEN totp_secret = $2 THEN $3 ELSE totp_secret END, \
             totp_pending = CASE WHEN totp_pending = $2 THEN $3 ELSE totp_pending END \
             WHERE id = $1 AND (totp_secret = $2 OR totp_pending = $2)",
        )
        .bind(user.0)
        .bind(old)
        .bind(new)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn offer_totp(&self, user: UserId, secret: &str) -> Result<()> {
        let done = query("UPDATE users SET totp_pending = $1 WHERE id = $2")
            .bind(secret)
            .bind(user.0)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(no_user(user));
        }
        Ok(())
    }

    async fn enable_totp(
        &self,
        user: UserId,
        secret: &str,
        recovery_hashes: &[String],
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.pool().begin(Begin::Write).await?;
        // A fresh secret starts with no step used: the codes of the old one mean nothing.
        let done = query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, \
             totp_enabled_at = $1, totp_last_step = NULL \
             WHERE id = $2 AND totp_pending = $3",
        )
        .bind(millis(at))
        .bind(user.0)
        .bind(secret)
        .execute(&mut tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut tx)
            .await?;
        for hash in recovery_hashes {
            query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user.0)
                .bind(hash.as_str())
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn disable_totp(&self, user: UserId) -> Result<()> {
        let mut tx = self.pool().begin(Begin::Write).await?;
        let done = query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL, \
             totp_last_step = NULL WHERE id = $1",
        )
        .bind(user.0)
        .execute(&mut tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(no_user(user));
        }
        query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        // One conditional write: two requests racing with one code cannot both win.
        let done = query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
             AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user.0)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = query(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(millis(at))
        .bind(user.0)
        .bind(code_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

#[async_trait]
impl<D: Dialect> AuditStore for SqlStore<D> {
    async fn append_audit(&self, e: &NewAuditEvent) -> Result<AuditEvent> {
        let row = query(format!(
            "INSERT INTO audit_log (at, actor_id, actor_name, action, target, detail, address) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {AUDIT_COLUMNS}"
        ))
        .bind(millis(e.at))
        .bind(e.actor.map(|u| u.0))
        .bind(e.actor_name.as_str())
        .bind(e.action.as_str())
        .bind(e.target.as_str())
        .bind(e.detail.as_str())
        .bind(e.address.as_deref())
        .fetch_one(self.pool())
        .await?;
        event(&row)
    }

    async fn audit_events(&self, q: &AuditQuery) -> Result<Vec<AuditEvent>> {
        let rows = query(format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log \
             WHERE ($1 IS NULL OR id < $1) AND ($2 IS NULL OR action = $2) \
             AND ($3 IS NULL OR actor_id = $3) \
             ORDER BY id DESC LIMIT $4"
        ))
        .bind(q.before)
        .bind(q.action.as_deref())
        .bind(q.actor.map(|u| u.0))
        .bind(i64::from(q.limit.max(1)))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event).collect()
    }
}
