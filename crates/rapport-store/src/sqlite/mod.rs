//! The embedded backend: one SQLite file in WAL mode (or an in-memory database for tests).

mod accounts;
mod care;
mod checkpoint;
mod db;
mod ingest;
mod read;
mod topics;

use crate::{Backend, IngestReport, NewPost, Result, Stats, Store};
use async_trait::async_trait;
use rapport_domain::{
    Contact, ContactId, ConversationId, Identity, Labels, Network, PostId, PostKey, StoredPost,
    TermFilter, Topic, TopicId, TopicOptions,
};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub(crate) struct SqliteStore {
    pool: SqlitePool,
    /// The queries both backends share, on the same pool.
    sql: crate::sql::SqlStore<care::Sqlite>,
    /// The WAL checkpointer of a file database (see `checkpoint`).
    checkpointer: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        if let Some(task) = &self.checkpointer {
            task.abort();
        }
    }
}

impl SqliteStore {
    /// Opens `sqlite://PATH[?mode=..]` or `sqlite::memory:`, creating the file unless the URL
    /// sets a mode, and migrates it.
    pub async fn open(url: &str) -> Result<Self> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let mut options = SqliteConnectOptions::from_str(url)?
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .synchronous(SqliteSynchronous::Normal)
            // SQLite's default page cache is 2 MB a connection: an ingest batch's index and
            // full-text updates then read pages back from the OS on every statement.
            .pragma("cache_size", "-32768")
            .statement_cache_capacity(256);
        if !url.contains("mode=") {
            options = options.create_if_missing(true);
        }
        let mut checkpointer = None;
        let pool = if memory {
            // One connection that never closes: an in-memory database lives as long as it.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await?
        } else {
            let options = options.journal_mode(SqliteJournalMode::Wal);
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
                .await?;
            checkpointer = Some(checkpoint::spawn(options));
            pool
        };
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let sql =
            crate::sql::SqlStore::new(std::sync::Arc::new(db::SqliteDb { pool: pool.clone() }));
        Ok(Self {
            pool,
            sql,
            checkpointer,
        })
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn posts(&self) -> &dyn crate::PostStore {
        self
    }

    fn topics(&self) -> &dyn crate::TopicStore {
        self
    }

    fn contacts(&self) -> &dyn crate::ContactStore {
        self
    }

    fn contact_book(&self) -> &dyn crate::ContactBookStore {
        &self.sql
    }

    fn leads(&self) -> &dyn crate::LeadStore {
        &self.sql
    }

    fn settings(&self) -> &dyn crate::SettingsStore {
        &self.sql
    }

    fn routing(&self) -> &dyn crate::RoutingStore {
        &self.sql
    }

    fn cases(&self) -> &dyn crate::CaseStore {
        &self.sql
    }

    fn inbox(&self) -> &dyn crate::InboxStore {
        &self.sql
    }

    fn notes(&self) -> &dyn crate::NoteStore {
        &self.sql
    }

    fn outbox(&self) -> &dyn crate::OutboxStore {
        &self.sql
    }

    fn publish(&self) -> &dyn crate::PublishStore {
        &self.sql
    }

    fn channels(&self) -> &dyn crate::ChannelStore {
        &self.sql
    }

    fn deletions(&self) -> &dyn crate::DeletionStore {
        &self.sql
    }

    fn users(&self) -> &dyn crate::UserStore {
        &self.sql
    }

    fn sessions(&self) -> &dyn crate::SessionStore {
        &self.sql
    }
}

#[async_trait]
impl crate::PostStore for SqliteStore {
    async fn ingest(&self, batch: Vec<NewPost>) -> Result<IngestReport> {
        ingest::ingest(&self.pool, batch).await
    }

    async fn set_labels(&self, labels: &[(PostId, Labels)]) -> Result<()> {
        topics::set_labels(&self.pool, labels).await
    }

    async fn add_matches(&self, matches: &[(PostId, TopicId)]) -> Result<u64> {
        topics::add_matches(&self.pool, matches).await
    }

    async fn post(&self, id: PostId) -> Result<Option<StoredPost>> {
        read::post(&self.pool, id).await
    }

    async fn post_by_key(&self, key: &PostKey) -> Result<Option<StoredPost>> {
        read::post_by_key(&self.pool, key).await
    }

    async fn scan_posts(&self, after: Option<PostId>, limit: u32) -> Result<Vec<StoredPost>> {
        read::scan(&self.pool, after, limit).await
    }

    async fn search_candidates(
        &self,
        filter: &TermFilter,
        after: Option<PostId>,
        limit: u32,
    ) -> Result<Vec<StoredPost>> {
        read::search(&self.pool, filter, after, limit).await
    }

    async fn post_topics(&self, id: PostId) -> Result<Vec<TopicId>> {
        read::post_topics(&self.pool, id).await
    }

    async fn topic_posts(&self, topic: TopicId, limit: u32) -> Result<Vec<StoredPost>> {
        read::topic_posts(&self.pool, topic, limit).await
    }

    async fn mentions(&self, limit: u32) -> Result<Vec<StoredPost>> {
        read::mentions(&self.pool, limit).await
    }

    async fn stats(&self) -> Result<Stats> {
        topics::stats(&self.pool).await
    }
}

#[async_trait]
impl crate::TopicStore for SqliteStore {
    async fn add_topic(&self, name: &str, query: &str, options: &TopicOptions) -> Result<Topic> {
        topics::add_topic(&self.pool, name, query, options).await
    }

    async fn update_topic(
        &self,
        id: TopicId,
        query: &str,
        options: &TopicOptions,
    ) -> Result<Topic> {
        topics::update_topic(&self.pool, id, query, options).await
    }

    async fn topics(&self) -> Result<Vec<Topic>> {
        topics::topics(&self.pool).await
    }

    async fn topic_by_name(&self, name: &str) -> Result<Option<Topic>> {
        topics::topic_by_name(&self.pool, name).await
    }

    async fn remove_topic(&self, name: &str) -> Result<bool> {
        topics::remove_topic(&self.pool, name).await
    }

    async fn topic_match_counts(&self) -> Result<Vec<(TopicId, u64)>> {
        topics::topic_match_counts(&self.pool).await
    }
}

#[async_trait]
impl crate::ContactStore for SqliteStore {
    async fn identity(&self, network: Network, handle: &str) -> Result<Option<Identity>> {
        accounts::identity(&self.pool, network, handle).await
    }

    async fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        accounts::contact_by_id(&self.pool, id).await
    }

    async fn contact_timeline(&self, id: ContactId, limit: u32) -> Result<Vec<StoredPost>> {
        read::contact_timeline(&self.pool, id.0, limit).await
    }

    async fn set_own_account(&self, network: Network, handle: &str, own: bool) -> Result<()> {
        accounts::set_own_account(&self.pool, network, handle, own).await
    }

    async fn own_accounts(&self) -> Result<Vec<Identity>> {
        accounts::own_accounts(&self.pool).await
    }

    async fn conversation(&self, id: ConversationId) -> Result<Vec<StoredPost>> {
        read::conversation(&self.pool, id).await
    }

    async fn conversation_root(&self, id: ConversationId) -> Result<Option<PostId>> {
        read::conversation_root(&self.pool, id).await
    }
}
