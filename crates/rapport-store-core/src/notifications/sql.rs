//! Notifications: one SQL body for both backends.

use super::{DigestSubscriber, NotificationStore};
use crate::sql::{Dialect, QueryBuilder, Row, SqlStore, query, query_scalar};
use crate::users::{from_millis, millis};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use rapport_domain::notify::{
    DigestFrequency, DigestMark, NewNotification, Notification, NotificationId, NotificationKind,
    NotificationSettings,
};
use rapport_domain::{CaseId, UserId};

const COLUMNS: &str = "id, user_id, kind, case_id, actor_id, summary, created_at, read_at";
const SETTINGS: &str = "user_id, events, digest, email, time_zone, quiet_start, quiet_end, \
     digest_through, digest_sent_at";

fn notification(r: &Row) -> Result<Notification> {
    let kind: String = r.try_get("kind")?;
    Ok(Notification {
        id: NotificationId(r.try_get("id")?),
        user: UserId(r.try_get("user_id")?),
        kind: NotificationKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("notification kind '{kind}'")))?,
        case_id: r.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        actor: r.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
        summary: r.try_get("summary")?,
        at: from_millis(r.try_get("created_at")?)?,
        read_at: r
            .try_get::<Option<i64>, _>("read_at")?
            .map(from_millis)
            .transpose()?,
    })
}

fn minutes(t: NaiveTime) -> i64 {
    i64::from(t.hour() * 60 + t.minute())
}

fn time_of(m: i64) -> Result<NaiveTime> {
    u32::try_from(m)
        .ok()
        .and_then(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
        .ok_or_else(|| StoreError::Corrupt(format!("quiet hour {m} minutes")))
}

fn settings(r: &Row) -> Result<(NotificationSettings, DigestMark)> {
    let digest: String = r.try_get("digest")?;
    let zone: String = r.try_get("time_zone")?;
    let start: Option<i64> = r.try_get("quiet_start")?;
    let end: Option<i64> = r.try_get("quiet_end")?;
    let quiet = match (start, end) {
        (Some(s), Some(e)) => Some((time_of(s)?, time_of(e)?)),
        _ => None,
    };
    let through: i64 = r.try_get("digest_through")?;
    Ok((
        NotificationSettings {
            events: NotificationSettings::parse_events(&r.try_get::<String, _>("events")?),
            digest: DigestFrequency::parse(&digest)
                .ok_or_else(|| StoreError::Corrupt(format!("digest frequency '{digest}'")))?,
            email: r.try_get("email")?,
            time_zone: zone
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("time zone '{zone}'")))?,
            quiet,
        },
        DigestMark {
            through: (through > 0).then_some(NotificationId(through)),
            sent_at: r
                .try_get::<Option<i64>, _>("digest_sent_at")?
                .map(from_millis)
                .transpose()?,
        },
    ))
}

#[async_trait]
impl<D: Dialect> NotificationStore for SqlStore<D> {
    async fn raise(&self, notes: &[NewNotification]) -> Result<Vec<Notification>> {
        let mut raised = Vec::new();
        for n in notes {
            let row = query(format!(
                "INSERT INTO notifications \
                 (user_id, kind, case_id, actor_id, summary, dedupe_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING {COLUMNS}"
            ))
            .bind(n.user.0)
            .bind(n.kind.as_str())
            .bind(n.case_id.map(|c| c.0))
            .bind(n.actor.map(|a| a.0))
            .bind(n.summary.as_str())
            .bind(n.dedupe_key.as_str())
            .bind(millis(n.at))
            .fetch_optional(self.pool())
            .await?;
            if let Some(row) = row {
                raised.push(notification(&row)?);
            }
        }
        Ok(raised)
    }

    async fn notifications(
        &self,
        user: UserId,
        unread_only: bool,
        before: Option<NotificationId>,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM notifications WHERE user_id = "
        ));
        qb.push_bind(user.0);
        if unread_only {
            qb.push(" AND read_at IS NULL");
        }
        if let Some(b) = before {
            qb.push(" AND id < ").push_bind(b.0);
        }
        qb.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(limit));
        qb.build()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(notification)
            .collect()
    }

    async fn unread_count(&self, user: UserId) -> Result<u64> {
        let n: i64 = query_scalar(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user.0)
        .fetch_one(self.pool())
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn mark_read(
        &self,
        user: UserId,
        ids: &[NotificationId],
        at: DateTime<Utc>,
    ) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut qb = QueryBuilder::new("UPDATE notifications SET read_at = ");
        qb.push_bind(millis(at));
        qb.push(" WHERE read_at IS NULL AND user_id = ")
            .push_bind(user.0);
        qb.push(" AND id IN (");
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        qb.push(")");
        Ok(qb.build().execute(self.pool()).await?.rows_affected())
    }

    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> Result<u64> {
        let done =
            query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(millis(at))
                .bind(user.0)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }

    async fn notification_settings(&self, user: UserId) -> Result<NotificationSettings> {
        let row = query(format!(
            "SELECT {SETTINGS} FROM notification_settings WHERE user_id = $1"
        ))
        .bind(user.0)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => Ok(settings(&row)?.0),
            None => Ok(NotificationSettings::default()),
        }
    }

    async fn set_notification_settings(
        &self,
        user: UserId,
        s: &NotificationSettings,
    ) -> Result<()> {
        query(
            "INSERT INTO notification_settings \
             (user_id, events, digest, email, time_zone, quiet_start, quiet_end) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id) DO UPDATE SET events = excluded.events, \
             digest = excluded.digest, email = excluded.email, \
             time_zone = excluded.time_zone, quiet_start = excluded.quiet_start, \
             quiet_end = excluded.quiet_end",
        )
        .bind(user.0)
        .bind(s.events_text())
        .bind(s.digest.as_str())
        .bind(s.email.clone())
        .bind(s.time_zone.name())
        .bind(s.quiet.map(|q| minutes(q.0)))
        .bind(s.quiet.map(|q| minutes(q.1)))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn digest_subscribers(&self) -> Result<Vec<DigestSubscriber>> {
        query(format!(
            "SELECT {SETTINGS} FROM notification_settings \
             WHERE digest <> 'off' AND email IS NOT NULL ORDER BY user_id"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let (settings, mark) = settings(r)?;
            Ok(DigestSubscriber {
                user: UserId(r.try_get("user_id")?),
                settings,
                mark,
            })
        })
        .collect()
    }

    async fn undigested(
        &self,
        user: UserId,
        after: Option<NotificationId>,
    ) -> Result<Vec<Notification>> {
        query(format!(
            "SELECT {COLUMNS} FROM notifications \
             WHERE user_id = $1 AND read_at IS NULL AND id > $2 ORDER BY id"
        ))
        .bind(user.0)
        .bind(after.map_or(0, |a| a.0))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(notification)
        .collect()
    }

    async fn claim_digest(
        &self,
        user: UserId,
        from: DigestMark,
        through: NotificationId,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = query(
            "UPDATE notification_settings SET digest_through = $1, digest_sent_at = $2 \
             WHERE user_id = $3 AND digest_through = $4",
        )
        .bind(through.0)
        .bind(millis(at))
        .bind(user.0)
        .bind(from.through.map_or(0, |t| t.0))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
