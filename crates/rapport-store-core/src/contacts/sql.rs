//! Identities, contacts, own accounts and conversations read back: one SQL body for both
//! backends. Marking an own account is the backend's write path ([`crate::sql::Writer`]),
//! because ingest marks the same posts.

use crate::Result;
use crate::contacts::ContactStore;
use crate::plan::handle_key;
use crate::posts::sql::{decode_all, post_select};
use crate::record::{IdentityRecord, contact};
use crate::sql::{Dialect, Row, SqlStore, query, query_scalar};
use async_trait::async_trait;
use rapport_domain::{Contact, ContactId, ConversationId, Identity, Network, PostId, StoredPost};

const IDENTITY_COLUMNS: &str = "SELECT id, contact_id, network, handle, native_id, \
     display_name, followers, own_account FROM identities";

fn decode(r: &Row) -> Result<IdentityRecord> {
    Ok(IdentityRecord {
        id: r.try_get("id")?,
        contact_id: r.try_get("contact_id")?,
        network: r.try_get("network")?,
        handle: r.try_get("handle")?,
        native_id: r.try_get("native_id")?,
        display_name: r.try_get("display_name")?,
        followers: r.try_get("followers")?,
        own_account: r.try_get("own_account")?,
    })
}

#[async_trait]
impl<D: Dialect> ContactStore for SqlStore<D> {
    async fn identity(&self, network: Network, handle: &str) -> Result<Option<Identity>> {
        let row = query(format!(
            "{IDENTITY_COLUMNS} WHERE network = $1 AND handle_key = $2"
        ))
        .bind(network.as_str())
        .bind(handle_key(handle))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(|r| decode(r)?.into_identity()).transpose()
    }

    async fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        let name: Option<String> = query_scalar("SELECT name FROM contacts WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        let Some(name) = name else { return Ok(None) };
        let rows = query(format!(
            "{IDENTITY_COLUMNS} WHERE contact_id = $1 ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(self.pool())
        .await?;
        let identities = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        contact(id.0, name, identities).map(Some)
    }

    async fn contact_timeline(&self, id: ContactId, limit: u32) -> Result<Vec<StoredPost>> {
        let rows = query(post_select!(
            "WHERE i.contact_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT $2"
        ))
        .bind(id.0)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        // The newest posts were read; they are returned oldest first.
        let mut posts = decode_all(rows)?;
        posts.reverse();
        Ok(posts)
    }

    async fn set_own_account(&self, network: Network, handle: &str, own: bool) -> Result<()> {
        self.writer().set_own_account(network, handle, own).await
    }

    async fn own_accounts(&self) -> Result<Vec<Identity>> {
        let rows = query(format!(
            "{IDENTITY_COLUMNS} WHERE own_account ORDER BY network, handle_key"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| decode(r)?.into_identity()).collect()
    }

    async fn conversation(&self, id: ConversationId) -> Result<Vec<StoredPost>> {
        let live: Option<i64> =
            query_scalar("SELECT COALESCE(merged_into, id) FROM conversations WHERE id = $1")
                .bind(id.0)
                .fetch_optional(self.pool())
                .await?;
        let Some(live) = live else {
            return Ok(Vec::new());
        };
        let rows = query(post_select!(
            "WHERE p.conversation_id = $1 ORDER BY p.created_at, p.id"
        ))
        .bind(live)
        .fetch_all(self.pool())
        .await?;
        decode_all(rows)
    }

    async fn conversation_root(&self, id: ConversationId) -> Result<Option<PostId>> {
        let root: Option<Option<i64>> = query_scalar(
            "SELECT c.root_post_id FROM conversations m \
             JOIN conversations c ON c.id = COALESCE(m.merged_into, m.id) WHERE m.id = $1",
        )
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(root.flatten().map(PostId))
    }
}
