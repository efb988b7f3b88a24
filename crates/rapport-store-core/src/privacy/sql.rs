//! Erasure SQL: one body for both backends; where a post's search index lives in a column
//! (PostgreSQL) the dialect empties it too.

use crate::care::micros;
use crate::privacy::{ERASED, Erasure, PrivacyStore};
use crate::sql::{Begin, Dialect, SqlStore, Tx, query, query_scalar};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::ContactId;

/// Empties the content of the posts `posts_where` selects (a condition on `posts`), marking
/// them deleted at `$1` when they were not. Binds `$1` = the time, then whatever the
/// condition needs from `$2`.
pub(crate) fn empty_posts_sql<D: Dialect>(posts_where: &str) -> String {
    format!(
        "UPDATE posts SET text = '', raw = '{{}}', mentions = {empty}, hashtags = {empty}, \
         cashtags = {empty}, links = {empty}, author_handle = 'erased', \
         author_display_name = NULL, author_native_id = NULL, author_followers = NULL, \
         reply_to_handle = NULL, deleted_at = coalesce(deleted_at, $1){search} \
         WHERE {posts_where}",
        empty = D::json("'[]'"),
        search = D::ERASED_SEARCH,
    )
}

async fn erase(tx: &mut dyn Tx, contact: i64, at: i64, search: &str) -> Result<Erasure> {
    let mut erasure = Erasure::default();
    let in_flight: i64 = query_scalar(
        "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id \
         WHERE c.contact_id = $1 AND o.status IN ('sending', 'unknown')",
    )
    .bind(contact)
    .fetch_one(&mut *tx)
    .await?;
    if in_flight > 0 {
        return Err(StoreError::Conflict(format!(
            "a reply to contact {contact} is being sent; erase it once it is settled"
        )));
    }
    erasure.posts = query(search)
        .bind(at)
        .bind(contact)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    query(
        "DELETE FROM post_mentions WHERE post_id IN (SELECT p.id FROM posts p \
         JOIN identities i ON i.id = p.identity_id WHERE i.contact_id = $1)",
    )
    .bind(contact)
    .execute(&mut *tx)
    .await?;
    // The handle key stays unique per network: `erased-<id>`.
    erasure.identities = query(
        "UPDATE identities SET handle = 'erased-' || id, handle_key = 'erased-' || id, \
         display_name = NULL, native_id = NULL, followers = NULL WHERE contact_id = $1",
    )
    .bind(contact)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    query("UPDATE contacts SET name = 'Erased contact' WHERE id = $1")
        .bind(contact)
        .execute(&mut *tx)
        .await?;
    query(
        "UPDATE contact_fields SET email = NULL, company = NULL, crm_id = NULL, tags = '[]', \
         stage = NULL WHERE contact_id = $1",
    )
    .bind(contact)
    .execute(&mut *tx)
    .await?;
    erasure.leads = query("DELETE FROM leads WHERE contact_id = $1")
        .bind(contact)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    erasure.cases = query("UPDATE cases SET preview = '' WHERE contact_id = $1")
        .bind(contact)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    query("DELETE FROM case_search WHERE case_id IN (SELECT id FROM cases WHERE contact_id = $1)")
        .bind(contact)
        .execute(&mut *tx)
        .await?;
    erasure.notes = query(
        "UPDATE case_notes SET body = $2 \
         WHERE case_id IN (SELECT id FROM cases WHERE contact_id = $1)",
    )
    .bind(contact)
    .bind(ERASED)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    erasure.replies = query(
        "UPDATE outbox SET body = $2, \
         status = CASE WHEN status IN ('queued', 'failed') THEN 'failed' ELSE status END, \
         last_error = CASE WHEN status IN ('queued', 'failed') THEN 'the contact was erased' \
                      ELSE last_error END \
         WHERE case_id IN (SELECT id FROM cases WHERE contact_id = $1)",
    )
    .bind(contact)
    .bind(ERASED)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(erasure)
}

#[async_trait]
impl<D: Dialect> PrivacyStore for SqlStore<D> {
    async fn erase_contact(&self, contact: ContactId, at: DateTime<Utc>) -> Result<Erasure> {
        let mut tx = self.pool().begin(Begin::Write).await?;
        let known: i64 = query_scalar("SELECT count(*) FROM contacts WHERE id = $1")
            .bind(contact.0)
            .fetch_one(&mut tx)
            .await?;
        if known == 0 {
            return Err(StoreError::NotFound(format!("contact {contact}")));
        }
        let posts = empty_posts_sql::<D>(
            "identity_id IN (SELECT id FROM identities WHERE contact_id = $2)",
        );
        let erasure = erase(tx.as_mut(), contact.0, micros(at), &posts).await?;
        tx.commit().await?;
        Ok(erasure)
    }
}
