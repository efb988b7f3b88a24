//! `/api/v1/publications`: an agent composes one post for an X and a Mastodon account (a real
//! Sprint answer from twcs, long enough to become a thread on X), previews it, submits it; an
//! admin approves it (the author may not; an agent has no right to); it is scheduled, taken
//! off the schedule, released into the outbox; and every refusal has its status and code.

mod common;

#[path = "../../rapport-connectors/tests/data/sprint_answers.rs"]
mod sprint_answers;
use axum::http::StatusCode;
use chrono::Utc;
use common::{Call, World};
use rapport_domain::channel::NewChannel;
use rapport_domain::publication::PublishingPolicy;
use rapport_domain::{Network, Permission, Role};
use rapport_web::WebConfig;
use serde_json::{Value, json};

/// Real answers by @sprintcare from the twcs head, joined past 300 characters (X's 280 makes
/// two posts of it; Mastodon's 500 one).
fn announcement() -> String {
    let text = sprint_answers::sprint_answers(320);
    assert!((320..480).contains(&text.chars().count()), "{}", text.len());
    text
}

struct Api {
    world: World,
    agent_token: String,
    admin_token: String,
    analyst_token: String,
}

struct Reply {
    status: StatusCode,
    body: Value,
}

impl Api {
    async fn call(
        &self,
        token: &str,
        method: &'static str,
        uri: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut call = Call::new(method, uri).bearer(token);
        if let Some(b) = body {
            call = call.json(&b.to_string());
        }
        let answer = self.world.send(call.build()).await;
        Reply {
            status: answer.status,
            body: serde_json::from_str(&answer.body).unwrap_or(Value::String(answer.body)),
        }
    }
}

async fn api() -> Api {
    let world = World::new(WebConfig::default()).await;
    let admin = world.user("admin", Role::Admin).await;
    let agent = world.user("agent", Role::Agent).await;
    let analyst = world.user("analyst", Role::Analyst).await;
    for (name, network) in [("x-brand", Network::X), ("masto-brand", Network::Mastodon)] {
        world
            .engine
            .store()
            .channels()
            .add_channel(&NewChannel {
                name: name.into(),
                network,
                config: "{}".into(),
                secret: "sealed".into(),
                created_at: Utc::now(),
            })
            .await
            .unwrap();
    }
    Api {
        agent_token: world.token_as(&agent, Role::Agent, &Permission::ALL).await,
        admin_token: world.token_as(&admin, Role::Admin, &Permission::ALL).await,
        analyst_token: world
            .token_as(&analyst, Role::Analyst, &Permission::ALL)
            .await,
        world,
    }
}

#[tokio::test]
async fn a_post_is_composed_previewed_approved_by_another_and_released_once() {
    let api = api().await;
    api.world
        .engine
        .publications()
        .set_policy(PublishingPolicy {
            approval_required: true,
        })
        .await
        .unwrap();
    let text = announcement();
    let at = "2030-06-01T09:30:00+02:00";
    let input = json!({
        "text": text,
        "channels": [{"name": "x-brand"}, {"name": "masto-brand"}],
        "scheduled_for": at,
        "time_zone": "Europe/Paris",
    });

    let preview = api
        .call(
            &api.agent_token,
            "POST",
            "/api/v1/publications/preview",
            Some(input.clone()),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let variants = preview.body["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    let x_parts = variants[0]["parts"].as_array().unwrap();
    assert_eq!(x_parts.len(), 2, "X's 280 makes a thread of two");
    for part in x_parts {
        assert!(part["count"].as_u64().unwrap() <= 280, "{part}");
        assert_eq!(part["limit"], 280);
    }
    assert!(x_parts[0]["text"].as_str().unwrap().ends_with(" 1/2"));
    assert_eq!(
        variants[1]["parts"].as_array().unwrap().len(),
        1,
        "one Mastodon post"
    );
    assert_eq!(variants[1]["parts"][0]["text"], text.as_str());

    let created = api
        .call(
            &api.agent_token,
            "POST",
            "/api/v1/publications",
            Some(input.clone()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let p = &created.body;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["status"], "draft");
    assert_eq!(p["time_zone"], "Europe/Paris");
    assert_eq!(
        p["scheduled_for"], "2030-06-01T07:30:00+00:00",
        "stored as the instant"
    );
    assert_eq!(
        p["variants"][0]["parts"],
        variants_texts(&preview.body["variants"][0])
    );
    let v1 = p["version"].as_i64().unwrap();

    // A change names the version it read; a stale one is refused.
    let mut edit = input.clone();
    edit["version"] = json!(v1);
    edit["channels"] =
        json!([{"name": "x-brand"}, {"name": "masto-brand", "text": "Short for Mastodon."}]);
    let edited = api
        .call(
            &api.agent_token,
            "PUT",
            &format!("/api/v1/publications/{id}"),
            Some(edit.clone()),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(
        edited.body["variants"][1]["parts"],
        json!(["Short for Mastodon."])
    );
    let stale = api
        .call(
            &api.agent_token,
            "PUT",
            &format!("/api/v1/publications/{id}"),
            Some(edit),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(stale.body["error"]["code"], "conflict");
    let v2 = edited.body["version"].as_i64().unwrap();

    let submitted = api
        .call(
            &api.agent_token,
            "POST",
            &format!("/api/v1/publications/{id}/submit"),
            Some(json!({"version": v2})),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.body["status"], "in_review");
    let v3 = submitted.body["version"].as_i64().unwrap();

    // Approving is an admin's, and never the author's.
    let by_agent = api
        .call(
            &api.agent_token,
            "POST",
            &format!("/api/v1/publications/{id}/approve"),
            Some(json!({"version": v3})),
        )
        .await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN, "{}", by_agent.body);
    let back = api
        .call(
            &api.admin_token,
            "POST",
            &format!("/api/v1/publications/{id}/send-back"),
            Some(json!({"version": v3})),
        )
        .await;
    assert_eq!(
        back.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required: {}",
        back.body
    );
    let approved = api
        .call(
            &api.admin_token,
            "POST",
            &format!("/api/v1/publications/{id}/approve"),
            Some(json!({"version": v3})),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "scheduled");
    assert!(approved.body["reviewer_id"].is_i64());

    // The list by state and the calendar range find it; an analyst reads but cannot write.
    let scheduled = api
        .call(
            &api.analyst_token,
            "GET",
            "/api/v1/publications?status=scheduled",
            None,
        )
        .await;
    assert_eq!(scheduled.status, StatusCode::OK, "{}", scheduled.body);
    let ids: Vec<i64> = scheduled.body["publications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![id]);
    let june = api
        .call(
            &api.analyst_token,
            "GET",
            "/api/v1/publications?from=2030-06-01T00:00:00Z&until=2030-06-02T00:00:00Z",
            None,
        )
        .await;
    assert_eq!(june.body["publications"].as_array().unwrap().len(), 1);
    let july = api
        .call(
            &api.analyst_token,
            "GET",
            "/api/v1/publications?from=2030-07-01T00:00:00Z&until=2030-08-01T00:00:00Z",
            None,
        )
        .await;
    assert_eq!(july.body["publications"].as_array().unwrap().len(), 0);
    let analyst_write = api
        .call(
            &api.analyst_token,
            "POST",
            "/api/v1/publications",
            Some(input.clone()),
        )
        .await;
    assert_eq!(analyst_write.status, StatusCode::FORBIDDEN);

    // Nothing goes out before its time; at its time its parts enter the outbox, once.
    let publications = api.world.engine.publications();
    assert!(
        publications
            .release_due(Utc::now())
            .await
            .unwrap()
            .is_empty()
    );
    let due = chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(publications.release_due(due).await.unwrap().len(), 1);
    assert!(publications.release_due(due).await.unwrap().is_empty());
    let released = api
        .call(
            &api.agent_token,
            "GET",
            &format!("/api/v1/publications/{id}"),
            None,
        )
        .await;
    assert_eq!(released.body["status"], "publishing");
    let entries = released.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "two X parts and the Mastodon text");
    assert!(
        entries
            .iter()
            .all(|e| e["case_id"].is_null() && e["status"] == "queued")
    );
    let outbox = api
        .call(
            &api.agent_token,
            "GET",
            "/api/v1/outbox?status=queued",
            None,
        )
        .await;
    assert_eq!(outbox.body["entries"].as_array().unwrap().len(), 3);
    // Out of the author's hands now.
    let too_late = api
        .call(
            &api.agent_token,
            "POST",
            &format!("/api/v1/publications/{id}/unschedule"),
            Some(json!({"version": released.body["version"]})),
        )
        .await;
    assert_eq!(too_late.status, StatusCode::CONFLICT, "{}", too_late.body);
}

fn variants_texts(preview_variant: &Value) -> Value {
    Value::Array(
        preview_variant["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["text"].clone())
            .collect(),
    )
}

#[tokio::test]
async fn bad_input_is_refused_with_its_code_and_drafts_can_be_removed() {
    let api = api().await;
    let call = |body: Value| api.call(&api.agent_token, "POST", "/api/v1/publications", Some(body));
    let unknown = call(json!({"text": "Hi", "channels": [{"name": "nope"}]})).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope")
    );
    let zone =
        call(json!({"text": "Hi", "channels": [{"name": "x-brand"}], "time_zone": "Mars/Base"}))
            .await;
    assert_eq!(zone.status, StatusCode::UNPROCESSABLE_ENTITY);
    let when =
        call(json!({"text": "Hi", "channels": [{"name": "x-brand"}], "scheduled_for": "tomorrow"}))
            .await;
    assert_eq!(when.status, StatusCode::BAD_REQUEST);
    assert_eq!(when.body["error"]["code"], "invalid_parameter");
    let extra = call(json!({"text": "Hi", "channels": [], "colour": "red"})).await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);

    // Without approval a submitted draft with no time is scheduled at once.
    let draft = call(json!({"text": "Hi", "channels": [{"name": "x-brand"}]})).await;
    assert_eq!(draft.status, StatusCode::CREATED);
    let id = draft.body["id"].as_i64().unwrap();
    let submitted = api
        .call(
            &api.agent_token,
            "POST",
            &format!("/api/v1/publications/{id}/submit"),
            Some(json!({"version": draft.body["version"]})),
        )
        .await;
    assert_eq!(submitted.body["status"], "scheduled");
    let gone = api
        .call(
            &api.agent_token,
            "DELETE",
            &format!("/api/v1/publications/{id}"),
            None,
        )
        .await;
    assert_eq!(
        gone.status,
        StatusCode::CONFLICT,
        "a scheduled one is taken off the schedule first"
    );
    let off = api
        .call(
            &api.agent_token,
            "POST",
            &format!("/api/v1/publications/{id}/unschedule"),
            Some(json!({"version": submitted.body["version"]})),
        )
        .await;
    assert_eq!(off.body["status"], "draft");
    let gone = api
        .call(
            &api.agent_token,
            "DELETE",
            &format!("/api/v1/publications/{id}"),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let missing = api
        .call(
            &api.agent_token,
            "GET",
            &format!("/api/v1/publications/{id}"),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
