//! The `NotificationStore` capability (migration `0012`): each agent's notifications, their
//! read state, the user's notification settings and where their email digest stands.
//!
//! Who may read or mark a notification is the engine's rule, but every call here is scoped
//! to one user: a notification is only ever listed, counted or marked for its own user.

mod sql;

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::UserId;
use rapport_domain::notify::{
    DigestMark, NewNotification, Notification, NotificationId, NotificationSettings,
};

/// A user whose digest is switched on, with their settings and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSubscriber {
    pub user: UserId,
    pub settings: NotificationSettings,
    pub mark: DigestMark,
}

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Records notifications; one already kept for its user and dedupe key is skipped.
    /// Returns those recorded now.
    async fn raise(&self, notes: &[NewNotification]) -> Result<Vec<Notification>>;

    /// `user`'s notifications, newest first, those older than `before` when given.
    async fn notifications(
        &self,
        user: UserId,
        unread_only: bool,
        before: Option<NotificationId>,
        limit: u32,
    ) -> Result<Vec<Notification>>;

    async fn unread_count(&self, user: UserId) -> Result<u64>;

    /// Marks `user`'s notifications among `ids` read (another user's are left alone);
    /// returns how many changed.
    async fn mark_read(
        &self,
        user: UserId,
        ids: &[NotificationId],
        at: DateTime<Utc>,
    ) -> Result<u64>;

    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> Result<u64>;

    /// The settings `user` saved, or the defaults.
    async fn notification_settings(&self, user: UserId) -> Result<NotificationSettings>;

    /// Saves `user`'s settings; where the digest stands is kept.
    async fn set_notification_settings(
        &self,
        user: UserId,
        settings: &NotificationSettings,
    ) -> Result<()>;

    /// The users with a digest on and an address to send it to.
    async fn digest_subscribers(&self) -> Result<Vec<DigestSubscriber>>;

    /// `user`'s unread notifications newer than `after`, oldest first.
    async fn undigested(
        &self,
        user: UserId,
        after: Option<NotificationId>,
    ) -> Result<Vec<Notification>>;

    /// Records that a digest listing up to `through` goes out at `at`, only while the mark is
    /// still `from` (so of two schedulers, or a restarted one, exactly one sends it); `false`
    /// when it moved meanwhile.
    async fn claim_digest(
        &self,
        user: UserId,
        from: DigestMark,
        through: NotificationId,
        at: DateTime<Utc>,
    ) -> Result<bool>;
}
