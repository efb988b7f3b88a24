//! The notifications pages over cases made from the real twcs sample: each user lists and
//! marks only their own, the list links to each case and shows times in the user's time zone,
//! the header carries the bell, and the settings form is validated and saved.

mod common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use common::{Call, TWCS_SAMPLE, World};
use rapport_domain::Role;
use rapport_domain::care::{InboxQuery, InboxSort, InboxView, PageStart};
use rapport_domain::notify::{DigestFrequency, NotificationKind};
use rapport_web::WebConfig;

#[tokio::test]
async fn each_user_sees_and_marks_only_their_own_notifications() {
    let world = World::new(WebConfig::default()).await;
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let admin = world.user("admin", Role::Admin).await;
    let ana = world.user("ana", Role::Agent).await;
    let bo = world.user("bo", Role::Agent).await;
    let care = world.engine.care();
    let page = care
        .inbox(&InboxQuery {
            view: InboxView::AllOpen,
            sort: InboxSort::Oldest,
            limit: 10,
            start: PageStart::First,
        })
        .await
        .unwrap();
    assert!(page.items.len() >= 2, "the sample opens cases");
    let (c0, c1) = (page.items[0].id, page.items[1].id);
    // 2 March 2026 01:30 UTC is 10:30 in Tokyo.
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap();
    care.assign(c0, Some(ana.id), admin.id, at).await.unwrap();
    care.assign(c1, Some(bo.id), admin.id, at).await.unwrap();

    let ana_b = world.session("ana").await;
    let bo_b = world.session("bo").await;
    let list = world
        .send(Call::get("/notifications").by(&ana_b).build())
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(r#"id="bell""#),
        "the header has the bell"
    );
    assert!(
        list.body.contains(&format!(r#"href="/cases/{c0}""#)),
        "{}",
        list.body
    );
    assert!(!list.body.contains(&format!(r#"href="/cases/{c1}""#)));
    assert!(list.body.contains("2026-03-02 01:30 UTC"), "UTC until set");

    let n = world.engine.notifications();
    let anas = n.list(ana.id, false, None, 10).await.unwrap();
    assert_eq!(anas.len(), 1);
    let id = anas[0].id.0.to_string();
    // Bo marking Ana's notification changes nothing.
    let res = world
        .send(
            Call::post("/notifications/read")
                .by(&bo_b)
                .form(&[("csrf", &bo_b.csrf), ("id", &id)])
                .build(),
        )
        .await;
    assert!(res.is_redirect_to("/notifications"), "{res:?}");
    assert_eq!(n.unread(ana.id).await.unwrap(), 1);
    // Ana opens it from the list: read, and on to the case.
    let res = world
        .send(
            Call::post("/notifications/read")
                .by(&ana_b)
                .form(&[
                    ("csrf", &ana_b.csrf),
                    ("id", &id),
                    ("open", &c0.0.to_string()),
                ])
                .build(),
        )
        .await;
    assert!(res.is_redirect_to(&format!("/cases/{c0}")), "{res:?}");
    assert_eq!(n.unread(ana.id).await.unwrap(), 0);
    assert_eq!(n.unread(bo.id).await.unwrap(), 1);
    let res = world
        .send(
            Call::post("/notifications/read-all")
                .by(&bo_b)
                .form(&[("csrf", &bo_b.csrf)])
                .build(),
        )
        .await;
    assert!(res.is_redirect_to("/notifications"));
    assert_eq!(n.unread(bo.id).await.unwrap(), 0);

    // Settings: a bad time zone is refused and names the value; a good form is saved.
    let bad = world
        .send(
            Call::post("/account/notifications")
                .by(&ana_b)
                .form(&[
                    ("csrf", &ana_b.csrf),
                    ("digest", "daily"),
                    ("email", "ana@example.org"),
                    ("time_zone", "Mars/Olympus"),
                ])
                .build(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Mars/Olympus"), "{}", bad.body);
    let no_mail = world
        .send(
            Call::post("/account/notifications")
                .by(&ana_b)
                .form(&[
                    ("csrf", &ana_b.csrf),
                    ("digest", "hourly"),
                    ("time_zone", "Asia/Tokyo"),
                ])
                .build(),
        )
        .await;
    assert_eq!(
        no_mail.status,
        StatusCode::BAD_REQUEST,
        "a digest needs an address"
    );
    let ok = world
        .send(
            Call::post("/account/notifications")
                .by(&ana_b)
                .form(&[
                    ("csrf", &ana_b.csrf),
                    ("assigned", "1"),
                    ("mentioned", "1"),
                    ("digest", "daily"),
                    ("email", "ana@example.org"),
                    ("time_zone", "Asia/Tokyo"),
                    ("quiet_start", "22:00"),
                    ("quiet_end", "07:00"),
                ])
                .build(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let s = n.settings(ana.id).await.unwrap();
    assert_eq!(
        s.events,
        vec![NotificationKind::Assigned, NotificationKind::Mentioned]
    );
    assert_eq!(s.digest, DigestFrequency::Daily);
    assert_eq!(s.time_zone, chrono_tz::Asia::Tokyo);
    assert!(s.quiet.is_some());
    assert_eq!(
        n.settings(bo.id).await.unwrap().digest,
        DigestFrequency::Off
    );
    // The list now reads times in Tokyo.
    let list = world
        .send(Call::get("/notifications").by(&ana_b).build())
        .await;
    assert!(list.body.contains("2026-03-02 10:30 JST"), "{}", list.body);
    let form = world
        .send(Call::get("/account/notifications").by(&ana_b).build())
        .await;
    assert!(form.body.contains(r#"value="Asia/Tokyo""#));
    // Logged out: no notifications.
    let anon = world.send(Call::get("/notifications").build()).await;
    assert!(anon.status.is_redirection() || anon.status == StatusCode::UNAUTHORIZED);
}
