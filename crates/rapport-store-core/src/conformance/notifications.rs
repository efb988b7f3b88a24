//! Notifications (migration 0012): recorded once per event, listed and counted for their own
//! user only, marked read, settings kept, the digest claimed once.

use crate::Store;
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use rapport_domain::notify::{
    DigestFrequency, DigestMark, NewNotification, NotificationId, NotificationKind,
    NotificationSettings,
};
use rapport_domain::{CaseId, UserId};
use std::sync::Arc;

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap() + Duration::minutes(minute)
}

fn note(user: i64, kind: NotificationKind, case: i64, key: &str, minute: i64) -> NewNotification {
    NewNotification {
        user: UserId(user),
        kind,
        case_id: Some(CaseId(case)),
        actor: Some(UserId(9)),
        summary: format!("case {case}: {}", kind.as_str()),
        dedupe_key: key.into(),
        at: t(minute),
    }
}

pub async fn notifications_are_kept_once_and_only_for_their_user(store: Arc<dyn Store>) {
    let n = store.notifications();
    let ana = UserId(1);
    let bo = UserId(2);
    let first = n
        .raise(&[
            note(1, NotificationKind::Assigned, 10, "assigned:10:1", 0),
            note(1, NotificationKind::SlaBreached, 11, "breach:11", 1),
            note(2, NotificationKind::Mentioned, 10, "note:5", 2),
        ])
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first[0].summary, "case 10: assigned");
    assert_eq!((first[0].at, first[0].read_at), (t(0), None));
    assert_eq!(first[1].case_id, Some(CaseId(11)));
    // The same event again is no new notification; another user's same key is.
    let again = n
        .raise(&[
            note(1, NotificationKind::SlaBreached, 11, "breach:11", 5),
            note(2, NotificationKind::SlaBreached, 11, "breach:11", 5),
        ])
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].user, bo);

    assert_eq!(n.unread_count(ana).await.unwrap(), 2);
    assert_eq!(n.unread_count(bo).await.unwrap(), 2);
    let listed = n.notifications(ana, false, None, 10).await.unwrap();
    let kinds: Vec<_> = listed.iter().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        vec![NotificationKind::SlaBreached, NotificationKind::Assigned]
    );
    assert!(listed.iter().all(|x| x.user == ana));
    let older = n
        .notifications(ana, false, Some(listed[0].id), 10)
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0].id, listed[1].id);

    // Bo cannot mark Ana's: nothing changes.
    let anas: Vec<NotificationId> = listed.iter().map(|x| x.id).collect();
    assert_eq!(n.mark_read(bo, &anas, t(10)).await.unwrap(), 0);
    assert_eq!(n.unread_count(ana).await.unwrap(), 2);
    assert_eq!(n.mark_read(ana, &anas[..1], t(10)).await.unwrap(), 1);
    assert_eq!(n.mark_read(ana, &anas[..1], t(11)).await.unwrap(), 0);
    assert_eq!(n.unread_count(ana).await.unwrap(), 1);
    let unread = n.notifications(ana, true, None, 10).await.unwrap();
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0].id, anas[1]);
    let read = n.notifications(ana, false, None, 1).await.unwrap();
    assert_eq!(read[0].read_at, Some(t(10)));
    assert_eq!(n.mark_all_read(bo, t(12)).await.unwrap(), 2);
    assert_eq!(n.unread_count(bo).await.unwrap(), 0);
    assert_eq!(n.unread_count(ana).await.unwrap(), 1);
}

pub async fn notification_settings_and_the_digest_claim(store: Arc<dyn Store>) {
    let n = store.notifications();
    let ana = UserId(1);
    assert_eq!(
        n.notification_settings(ana).await.unwrap(),
        NotificationSettings::default()
    );
    assert!(n.digest_subscribers().await.unwrap().is_empty());
    let mine = NotificationSettings {
        events: vec![NotificationKind::Assigned, NotificationKind::SlaBreached],
        digest: DigestFrequency::Daily,
        email: Some("ana@example.org".into()),
        time_zone: chrono_tz::Asia::Kolkata,
        quiet: Some((
            NaiveTime::from_hms_opt(22, 30, 0).unwrap(),
            NaiveTime::from_hms_opt(6, 15, 0).unwrap(),
        )),
    };
    n.set_notification_settings(ana, &mine).await.unwrap();
    assert_eq!(n.notification_settings(ana).await.unwrap(), mine);
    // A user without an address gets no digest.
    let no_mail = NotificationSettings {
        digest: DigestFrequency::Hourly,
        ..Default::default()
    };
    n.set_notification_settings(UserId(2), &no_mail)
        .await
        .unwrap();
    let subs = n.digest_subscribers().await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(
        (subs[0].user, &subs[0].settings, subs[0].mark),
        (ana, &mine, DigestMark::default())
    );

    let raised = n
        .raise(&[
            note(1, NotificationKind::Assigned, 10, "a", 0),
            note(1, NotificationKind::Assigned, 11, "b", 1),
            note(2, NotificationKind::Assigned, 12, "c", 1),
        ])
        .await
        .unwrap();
    n.mark_read(ana, &[raised[0].id], t(2)).await.unwrap();
    // Unread ones only, and only Ana's.
    let due = n.undigested(ana, None).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, raised[1].id);
    assert!(
        n.claim_digest(ana, DigestMark::default(), raised[1].id, t(3))
            .await
            .unwrap()
    );
    // A second claim from the same mark (a restarted scheduler) loses.
    assert!(
        !n.claim_digest(ana, DigestMark::default(), raised[1].id, t(4))
            .await
            .unwrap()
    );
    let mark = n.digest_subscribers().await.unwrap()[0].mark;
    assert_eq!(
        mark,
        DigestMark {
            through: Some(raised[1].id),
            sent_at: Some(t(3))
        }
    );
    assert!(n.undigested(ana, mark.through).await.unwrap().is_empty());
    // Saving settings again keeps the mark.
    n.set_notification_settings(ana, &mine).await.unwrap();
    assert_eq!(n.digest_subscribers().await.unwrap()[0].mark, mark);
}
