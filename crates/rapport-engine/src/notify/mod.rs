//! Notifications for an agent: raised by the care use cases (assignment, a customer writing
//! on a case, a mention in a note, an SLA at risk or breached), kept by the store, shown by
//! the bell (live, over [`Notifier::subscribe`]) and sent by the email digest (`digest.rs`).
//!
//! The rules of who is told what are in [`rapport_domain::notify`]'s module docs; `raise.rs`
//! derives the notifications from a case's audit events. Raising never fails the action
//! that caused it: a notification the store could not keep is logged and dropped.
//! Every call reads or changes one user's notifications only, the caller's own.

pub mod digest;
mod raise;

pub use digest::{DigestScheduler, DigestSent, Digester};
pub(crate) use raise::{from_case_events, mentioned_in_note, sla_changed};

use crate::care::{CareError, Result};
use chrono::{DateTime, Utc};
use rapport_domain::UserId;
use rapport_domain::notify::{
    DigestFrequency, NewNotification, Notification, NotificationId, NotificationSettings,
};
use rapport_store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The most notifications one page lists.
pub const PAGE_MAX: u32 = 100;

/// A user's unread count changed (a notification was raised, or some were marked read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct UnreadChanged {
    pub user: UserId,
    pub unread: u64,
}

/// The notification use cases over one store, with the live channel the bell listens on.
#[derive(Clone)]
pub struct Notifier {
    store: Arc<dyn Store>,
    live: broadcast::Sender<UnreadChanged>,
}

impl Notifier {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            live: broadcast::channel(crate::care::LIVE_CAPACITY).0,
        }
    }

    /// Unread counts as they change, for every user (a subscriber keeps its own user's).
    pub fn subscribe(&self) -> broadcast::Receiver<UnreadChanged> {
        self.live.subscribe()
    }

    /// Records `notes` for the users whose settings want them; logs instead of failing.
    pub async fn raise(&self, notes: Vec<NewNotification>) {
        if notes.is_empty() {
            return;
        }
        if let Err(e) = self.try_raise(notes).await {
            tracing::warn!(error = %e, "notifications could not be recorded");
        }
    }

    async fn try_raise(&self, notes: Vec<NewNotification>) -> Result<()> {
        let mut wanted = Vec::with_capacity(notes.len());
        let mut settings: HashMap<UserId, NotificationSettings> = HashMap::new();
        for n in notes {
            if let std::collections::hash_map::Entry::Vacant(slot) = settings.entry(n.user) {
                slot.insert(
                    self.store
                        .notifications()
                        .notification_settings(n.user)
                        .await?,
                );
            }
            if settings[&n.user].wants(n.kind) {
                wanted.push(n);
            }
        }
        let raised = self.store.notifications().raise(&wanted).await?;
        let mut users: Vec<UserId> = raised.iter().map(|n| n.user).collect();
        users.sort();
        users.dedup();
        for user in users {
            self.announce(user).await?;
        }
        Ok(())
    }

    async fn announce(&self, user: UserId) -> Result<()> {
        let unread = self.store.notifications().unread_count(user).await?;
        // Nobody listening is no error: no bell is open.
        let _ = self.live.send(UnreadChanged { user, unread });
        Ok(())
    }

    /// `user`'s notifications, newest first; `before` pages back.
    pub async fn list(
        &self,
        user: UserId,
        unread_only: bool,
        before: Option<NotificationId>,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        Ok(self
            .store
            .notifications()
            .notifications(user, unread_only, before, limit.clamp(1, PAGE_MAX))
            .await?)
    }

    pub async fn unread(&self, user: UserId) -> Result<u64> {
        Ok(self.store.notifications().unread_count(user).await?)
    }

    /// Marks the caller's own notifications among `ids` read; another user's are untouched.
    pub async fn mark_read(
        &self,
        user: UserId,
        ids: &[NotificationId],
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let n = self.store.notifications().mark_read(user, ids, at).await?;
        if n > 0 {
            self.announce(user).await?;
        }
        Ok(n)
    }

    pub async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> Result<u64> {
        let n = self.store.notifications().mark_all_read(user, at).await?;
        if n > 0 {
            self.announce(user).await?;
        }
        Ok(n)
    }

    pub async fn settings(&self, user: UserId) -> Result<NotificationSettings> {
        Ok(self
            .store
            .notifications()
            .notification_settings(user)
            .await?)
    }

    /// Saves `user`'s settings: a digest needs an address that looks like one.
    pub async fn save_settings(&self, user: UserId, settings: &NotificationSettings) -> Result<()> {
        let mut settings = settings.clone();
        settings.email = settings
            .email
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty());
        if let Some(email) = &settings.email
            && !plausible_address(email)
        {
            return Err(CareError::invalid(
                "email",
                format!("'{email}' is not an email address"),
            ));
        }
        if settings.digest != DigestFrequency::Off && settings.email.is_none() {
            return Err(CareError::invalid(
                "email",
                "an email digest needs an address to send it to",
            ));
        }
        if let Some((start, end)) = settings.quiet
            && start == end
        {
            return Err(CareError::invalid(
                "quiet_hours",
                "quiet hours start and end at the same time",
            ));
        }
        Ok(self
            .store
            .notifications()
            .set_notification_settings(user, &settings)
            .await?)
    }
}

fn plausible_address(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
}
