//! The publishing pages without a browser: the composer's refusals name the field (a date that
//! is not one, a time the clocks skip, an unknown channel), a saved draft lands on its page
//! with the time shown in its zone, a stale edit is refused, and post text is escaped.

mod common;

use axum::http::StatusCode;
use chrono::Utc;
use common::{Answer, Browser, Call, World};
use rapport_domain::channel::NewChannel;
use rapport_domain::{Network, Role};
use rapport_web::WebConfig;

async fn post(world: &World, who: &Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    let mut pairs = vec![("csrf", who.csrf.as_str())];
    pairs.extend_from_slice(fields);
    world
        .send(Call::post(path).by(who).form(&pairs).build())
        .await
}

async fn world() -> (World, Browser) {
    let world = World::new(WebConfig::default()).await;
    world.user("admin", Role::Admin).await;
    world.user("maria", Role::Agent).await;
    world
        .engine
        .store()
        .channels()
        .add_channel(&NewChannel {
            name: "Brand on X".into(),
            network: Network::X,
            config: "{}".into(),
            secret: "sealed".into(),
            created_at: Utc::now(),
        })
        .await
        .unwrap();
    let maria = world.session("maria").await;
    (world, maria)
}

#[tokio::test]
async fn the_composer_names_what_it_refuses_and_keeps_what_was_typed() {
    let (world, maria) = world().await;
    let typed = "Our <b>spring</b> sale starts Monday";
    let bad_date = post(
        &world,
        &maria,
        "/publish",
        &[
            ("text", typed),
            ("channel", "Brand on X"),
            ("date", "31/12/2030"),
            ("time", "09:00"),
            ("time_zone", "Europe/Paris"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_date.body.contains("is not a date (YYYY-MM-DD)"),
        "{}",
        bad_date.body
    );
    assert!(
        bad_date.body.contains(
            "id=\"compose-date\" name=\"date\" value=\"31/12/2030\" aria-invalid=\"true\""
        )
    );
    assert!(
        bad_date.body.contains("Our &lt;b&gt;spring&lt;/b&gt; sale")
            || bad_date.body.contains("Our &#60;b&#62;spring"),
        "the text is kept, escaped"
    );
    assert!(!bad_date.body.contains("<b>spring</b>"));

    let skipped = post(
        &world,
        &maria,
        "/publish",
        &[
            ("text", typed),
            ("channel", "Brand on X"),
            ("date", "2030-03-31"),
            ("time", "02:30"),
            ("time_zone", "Europe/Paris"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(skipped.status, StatusCode::BAD_REQUEST);
    assert!(
        skipped.body.contains("does not exist in Europe/Paris"),
        "{}",
        skipped.body
    );

    let unknown = post(
        &world,
        &maria,
        "/publish",
        &[("text", typed), ("channel", "Nope"), ("action", "save")],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown
            .body
            .contains("no enabled channel named &#x27;Nope&#x27;")
            || unknown
                .body
                .contains("no enabled channel named &#39;Nope&#39;"),
        "{}",
        unknown.body
    );

    // Nothing was saved by the refusals.
    let list = world.send(Call::get("/publish").by(&maria).build()).await;
    assert!(list.body.contains("id=\"empty\""), "{}", list.body);
}

#[tokio::test]
async fn a_saved_draft_shows_its_time_in_its_zone_and_a_stale_edit_is_refused() {
    let (world, maria) = world().await;
    let saved = post(
        &world,
        &maria,
        "/publish",
        &[
            ("text", "Spring sale starts Monday"),
            ("channel", "Brand on X"),
            ("date", "2030-06-03"),
            ("time", "09:30"),
            ("time_zone", "America/New_York"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let at = saved.location().unwrap().to_string();
    let page = world.send(Call::get(&at).by(&maria).build()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Mon 3 Jun 2030, 09:30 (America/New_York)"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Draft<"));
    // 09:30 in New York in June is 13:30 UTC.
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let stored = world
        .engine
        .publications()
        .get(rapport_domain::PublicationId(id), Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.publication.scheduled_for.unwrap().to_rfc3339(),
        "2030-06-03T13:30:00+00:00"
    );
    // An agent is not offered the review.
    assert!(!page.body.contains("value=\"approve\""));

    let edit = |version: &'static str| {
        let maria = maria.clone();
        let world = &world;
        let at = at.clone();
        async move {
            post(
                world,
                &maria,
                &at,
                &[
                    ("text", "Spring sale starts Tuesday"),
                    ("channel", "Brand on X"),
                    ("time_zone", "UTC"),
                    ("version", version),
                    ("action", "save"),
                ],
            )
            .await
        }
    };
    let first = edit("1").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let stale = edit("1").await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("changed meanwhile"), "{}", stale.body);
}
