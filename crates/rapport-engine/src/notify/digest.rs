//! The email digest: every so often, each user whose digest is on and due (hourly, or daily
//! after 08:00 in their time zone, never in their quiet hours) gets one email listing their
//! unread notifications that no earlier digest listed, with times in their time zone and a
//! link to each case.
//!
//! Never twice: the store's mark moves (conditional on where it stood) **before** the email
//! is sent, so a second scheduler or a restarted one finds nothing left to send. The price is
//! at most once: a digest whose sending fails is logged and not retried (its notifications
//! still wait in the bell), which suits a digest better than a duplicate does.

use crate::care::Result;
use chrono::{DateTime, Utc};
use rapport_connectors::mail::{Mailer, OutgoingMail};
use rapport_domain::UserId;
use rapport_domain::notify::{Notification, NotificationSettings};
use rapport_store::Store;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// One digest handed to the mail server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSent {
    pub user: UserId,
    pub to: String,
    pub notifications: usize,
}

/// Builds and sends the digests.
#[derive(Clone)]
pub struct Digester {
    store: Arc<dyn Store>,
    mailer: Arc<dyn Mailer>,
    /// The web UI's address, which each case link starts with (`https://rapport.example`).
    app_url: String,
}

impl Digester {
    pub fn new(store: Arc<dyn Store>, mailer: Arc<dyn Mailer>, app_url: &str) -> Self {
        Self {
            store,
            mailer,
            app_url: app_url.trim_end_matches('/').to_string(),
        }
    }

    /// Sends every digest due at `now`; returns those handed to the mail server.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<Vec<DigestSent>> {
        let mut sent = Vec::new();
        for sub in self.store.notifications().digest_subscribers().await? {
            if !sub.settings.digest_due(sub.mark.sent_at, now) {
                continue;
            }
            let Some(to) = sub.settings.email.clone() else {
                continue;
            };
            match self.store.users().user(sub.user).await? {
                Some(u) if u.active => {}
                _ => continue,
            }
            let notes = self
                .store
                .notifications()
                .undigested(sub.user, sub.mark.through)
                .await?;
            let Some(last) = notes.last() else {
                continue;
            };
            if !self
                .store
                .notifications()
                .claim_digest(sub.user, sub.mark, last.id, now)
                .await?
            {
                continue;
            }
            let mail = compose(&to, &sub.settings, &notes, &self.app_url);
            match self.mailer.send(&mail).await {
                Ok(()) => sent.push(DigestSent {
                    user: sub.user,
                    to,
                    notifications: notes.len(),
                }),
                Err(e) => tracing::warn!(
                    user = %sub.user, error = %e,
                    "the notification digest could not be sent; its notifications stay in the app"
                ),
            }
        }
        Ok(sent)
    }
}

/// The digest email: one line per notification, oldest first, its time read in the user's
/// time zone.
pub fn compose(
    to: &str,
    settings: &NotificationSettings,
    notes: &[Notification],
    app_url: &str,
) -> OutgoingMail {
    let zone = settings.time_zone;
    let mut text = format!(
        "You have {} unread notification{} in Rapport (times in {}):\n\n",
        notes.len(),
        if notes.len() == 1 { "" } else { "s" },
        zone.name()
    );
    for n in notes {
        let at = n.at.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z");
        text.push_str(&format!("- {at}  {}\n", n.summary));
        if let Some(case) = n.case_id {
            text.push_str(&format!("  {app_url}/cases/{case}\n"));
        }
    }
    text.push_str(&format!(
        "\nAll of them: {app_url}/notifications\nChange what you get: {app_url}/account#notifications\n"
    ));
    OutgoingMail {
        to: to.to_string(),
        subject: format!(
            "Rapport: {} unread notification{}",
            notes.len(),
            if notes.len() == 1 { "" } else { "s" }
        ),
        text,
    }
}

/// Where the scheduler reads the time (tests move it).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Runs [`Digester::run_once`] on a timer, beside the SLA sweeper.
pub struct DigestScheduler {
    digester: Digester,
    every: Duration,
    clock: Clock,
}

impl DigestScheduler {
    /// How often a server looks for due digests.
    pub const EVERY: Duration = Duration::from_secs(60);

    pub fn new(digester: Digester, every: Duration) -> Self {
        Self {
            digester,
            every: every.max(Duration::from_millis(1)),
            clock: Arc::new(Utc::now),
        }
    }

    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Sends due digests every tick until `shutdown` resolves; a failed round is logged and
    /// tried again at the next tick.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        crate::ticker::every(self.every, shutdown, || async {
            match self.digester.run_once((self.clock)()).await {
                Ok(sent) if sent.is_empty() => {}
                Ok(sent) => tracing::info!(digests = sent.len(), "notification digests sent"),
                Err(e) => {
                    tracing::warn!(error = %e, "the digest round failed; trying again next tick")
                }
            }
        })
        .await
    }
}
