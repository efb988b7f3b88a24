//! Single sign-on links: one SQL body for both backends.

use crate::sql::{Begin, Dialect, Row, SqlStore, query, query_scalar};
use crate::sso::{SsoLink, SsoStore};
use crate::users::{NewUser, conflict, from_millis, insert_user, millis};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{User, UserId};

const LINK_COLUMNS: &str = "issuer, subject, user_id, created_at, last_sign_in_at";

fn link(r: &Row) -> Result<SsoLink> {
    Ok(SsoLink {
        issuer: r.try_get("issuer")?,
        subject: r.try_get("subject")?,
        user_id: UserId(r.try_get("user_id")?),
        created_at: from_millis(r.try_get("created_at")?)?,
        last_sign_in_at: from_millis(r.try_get("last_sign_in_at")?)?,
    })
}

fn linked_already(e: StoreError, issuer: &str, subject: &str) -> StoreError {
    conflict(
        e,
        format!("the account '{subject}' of {issuer} is linked to a user already"),
    )
}

#[async_trait]
impl<D: Dialect> SsoStore for SqlStore<D> {
    async fn sso_link(&self, issuer: &str, subject: &str) -> Result<Option<SsoLink>> {
        let row = query(format!(
            "SELECT {LINK_COLUMNS} FROM user_identities WHERE issuer = $1 AND subject = $2"
        ))
        .bind(issuer)
        .bind(subject)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(link).transpose()
    }

    async fn sso_links_of(&self, user: UserId) -> Result<Vec<SsoLink>> {
        let rows = query(format!(
            "SELECT {LINK_COLUMNS} FROM user_identities WHERE user_id = $1 \
             ORDER BY created_at, issuer, subject"
        ))
        .bind(user.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(link).collect()
    }

    async fn create_sso_user(&self, new: &NewUser, issuer: &str, subject: &str) -> Result<User> {
        let mut tx = self.pool().begin(Begin::Write).await?;
        let user = insert_user(&mut tx, new).await?;
        query(
            "INSERT INTO user_identities (issuer, subject, user_id, created_at, last_sign_in_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(issuer)
        .bind(subject)
        .bind(user.id.0)
        .bind(millis(new.created_at))
        .execute(&mut tx)
        .await
        .map_err(|e| linked_already(e, issuer, subject))?;
        tx.commit().await?;
        Ok(user)
    }

    async fn link_sso(
        &self,
        user: UserId,
        issuer: &str,
        subject: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool().begin(Begin::Write).await?;
        let known: i64 = query_scalar("SELECT count(*) FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_one(&mut tx)
            .await?;
        if known == 0 {
            return Err(StoreError::NotFound(format!("user {user}")));
        }
        query(
            "INSERT INTO user_identities (issuer, subject, user_id, created_at, last_sign_in_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(issuer)
        .bind(subject)
        .bind(user.0)
        .bind(millis(at))
        .execute(&mut tx)
        .await
        .map_err(|e| linked_already(e, issuer, subject))?;
        tx.commit().await?;
        Ok(())
    }

    async fn touch_sso_link(&self, issuer: &str, subject: &str, at: DateTime<Utc>) -> Result<()> {
        query("UPDATE user_identities SET last_sign_in_at = $1 WHERE issuer = $2 AND subject = $3")
            .bind(millis(at))
            .bind(issuer)
            .bind(subject)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn unlink_sso(&self, issuer: &str, subject: &str) -> Result<bool> {
        let done = query("DELETE FROM user_identities WHERE issuer = $1 AND subject = $2")
            .bind(issuer)
            .bind(subject)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
