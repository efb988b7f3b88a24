//! The care API (`/api/v1/cases`, `/contacts`, `/leads`) over cases that routing made from
//! the real twcs sample: lists and their cursors, counts, the case page, every action and the
//! audit event it writes, contacts, and the errors with their codes.

mod common;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use common::{Call, TWCS_SAMPLE, World};
use rapport_domain::care::TeamSpec;
use rapport_domain::{BusinessCalendar, Permission, Role, User, UserId};
use rapport_web::WebConfig;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A world with the sample imported (and routed into cases), a topic, an admin, an agent and
/// an analyst, and a token of the agent holding every scope.
struct Desk {
    world: World,
    agent: User,
    analyst: User,
    /// The agent's token, every scope.
    token: String,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
}

async fn desk() -> Desk {
    let world = World::new(WebConfig::default()).await;
    world
        .engine
        .add_topic("Help", "help OR please", Default::default())
        .await
        .unwrap();
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    world.user("admin", Role::Admin).await;
    let agent = world.user("agent", Role::Agent).await;
    let analyst = world.user("analyst", Role::Analyst).await;
    let token = world.token_as(&agent, Role::Agent, &Permission::ALL).await;
    Desk {
        world,
        agent,
        analyst,
        token,
    }
}

impl Desk {
    async fn call_with(
        &self,
        method: &'static str,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
        if_match: Option<&str>,
    ) -> Reply {
        let mut call = Call::new(method, uri);
        if let Some(t) = token {
            call = call.bearer(t);
        }
        if let Some(b) = body {
            call = call.json(b);
        }
        let mut request = call.build();
        if let Some(v) = if_match {
            request
                .headers_mut()
                .insert(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
        }
        let answer = self.world.send(request).await;
        let body = serde_json::from_str(&answer.body).unwrap_or(Value::String(answer.body));
        Reply {
            status: answer.status,
            headers: answer.headers,
            body,
        }
    }

    /// As the agent.
    async fn call(&self, method: &'static str, uri: &str, body: Option<&str>) -> Reply {
        self.call_with(method, uri, Some(&self.token), body, None)
            .await
    }

    async fn get(&self, uri: &str) -> Value {
        let r = self.call("GET", uri, None).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        r.body
    }

    /// Every case of a view, page by page; fails on a case listed twice.
    async fn walk(&self, query: &str, limit: usize) -> Vec<i64> {
        self.pages("cases", query, limit)
            .await
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    }

    /// Every item of a paged list (`/api/v1/{list}`, items under the key `list`), following
    /// the cursors; fails on an item listed twice or pages without end.
    async fn pages(&self, list: &str, query: &str, limit: usize) -> Vec<Value> {
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1_000 {
            let mut uri = format!("/api/v1/{list}?{query}&limit={limit}");
            if let Some(c) = &cursor {
                uri.push_str(&format!("&cursor={c}"));
            }
            let page = self.get(&uri).await;
            let items = page[list].as_array().unwrap();
            assert!(items.len() <= limit, "{uri}: {} {list}", items.len());
            rows.extend(items.iter().cloned());
            match page["next"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => {
                    let ids: BTreeSet<i64> =
                        rows.iter().map(|c| c["id"].as_i64().unwrap()).collect();
                    assert_eq!(
                        ids.len(),
                        rows.len(),
                        "{query}: an item of {list} listed twice"
                    );
                    return rows;
                }
            }
        }
        panic!("{query}: the pages never end");
    }

    /// The first case of the all-open list, oldest first.
    async fn some_case(&self) -> i64 {
        self.walk("sort=oldest", 500).await[0]
    }

    async fn events(&self, case: i64) -> Vec<Value> {
        self.get(&format!("/api/v1/cases/{case}")).await["events"]
            .as_array()
            .unwrap()
            .clone()
    }
}

#[tokio::test]
async fn every_case_is_listed_exactly_once_and_the_counts_agree_with_the_lists() {
    let d = desk().await;
    let all = d.walk("view=all_open", 500).await;
    assert!(all.len() > 10, "the sample makes cases: {}", all.len());
    let everything: BTreeSet<i64> = all.iter().copied().collect();
    for sort in ["priority", "sla_due", "newest", "oldest"] {
        let paged = d.walk(&format!("sort={sort}"), 7).await;
        assert_eq!(
            paged.iter().copied().collect::<BTreeSet<_>>(),
            everything,
            "sort={sort}"
        );
    }
    // Oldest first really is by last activity.
    let page = d.get("/api/v1/cases?sort=oldest&limit=500").await;
    let times: Vec<&str> = page["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["last_activity_at"].as_str().unwrap())
        .collect();
    let parsed: Vec<chrono::DateTime<chrono::FixedOffset>> = times
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // Assign three cases to the agent so `mine` holds some.
    for id in &all[..3] {
        let r = d
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/assign"),
                Some(&format!(r#"{{"user_id": {}}}"#, d.agent.id.0)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let counts = d.get("/api/v1/cases/counts").await;
    assert_eq!(counts["all_open"].as_u64(), Some(all.len() as u64));
    assert_eq!(counts["mine"].as_u64(), Some(3));
    for view in ["mine", "unassigned", "at_risk"] {
        let listed = d.walk(&format!("view={view}"), 5).await;
        assert_eq!(
            counts[view].as_u64(),
            Some(listed.len() as u64),
            "view={view}"
        );
    }
    let by_priority = counts["by_priority"].as_array().unwrap();
    let mut summed = 0;
    for p in ["urgent", "high", "normal", "low"] {
        let listed = d.walk(&format!("view=priority&priority={p}"), 9).await;
        let counted = by_priority
            .iter()
            .find(|c| c["priority"] == p)
            .map_or(0, |c| c["count"].as_u64().unwrap());
        assert_eq!(counted, listed.len() as u64, "priority {p}");
        summed += listed.len();
    }
    assert_eq!(summed, all.len());
    let by_topic = counts["by_topic"].as_array().unwrap();
    assert!(
        !by_topic.is_empty(),
        "the Help topic routed cases: {counts}"
    );
    for t in by_topic {
        let listed = d
            .walk(&format!("view=topic&topic={}", t["topic_id"]), 4)
            .await;
        assert_eq!(t["count"].as_u64(), Some(listed.len() as u64), "{t}");
    }
}

#[tokio::test]
async fn bad_list_parameters_and_cursors_get_their_codes() {
    let d = desk().await;
    let first = d.get("/api/v1/cases?limit=2").await;
    let cursor = first["next"].as_str().unwrap().to_string();
    for (uri, code) in [
        (
            "/api/v1/cases?cursor=zz-not-a-cursor".to_string(),
            "invalid_cursor",
        ),
        ("/api/v1/cases?cursor=3132".to_string(), "invalid_cursor"),
        // A cursor of another view or sort.
        (
            format!("/api/v1/cases?sort=newest&cursor={cursor}"),
            "invalid_cursor",
        ),
        (
            format!("/api/v1/cases?view=unassigned&cursor={cursor}"),
            "invalid_cursor",
        ),
        (
            "/api/v1/cases?view=everything".to_string(),
            "invalid_parameter",
        ),
        ("/api/v1/cases?view=team".to_string(), "invalid_parameter"),
        (
            "/api/v1/cases?view=priority&priority=soon".to_string(),
            "invalid_parameter",
        ),
        ("/api/v1/cases?sort=random".to_string(), "invalid_parameter"),
        ("/api/v1/cases?limit=many".to_string(), "invalid_parameter"),
    ] {
        let r = d.call("GET", &uri, None).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, code),
            "{uri}: {}",
            r.body
        );
        assert!(!r.message().is_empty());
    }
    // The same cursor with its own view and sort goes on.
    let second = d
        .get(&format!("/api/v1/cases?limit=2&cursor={cursor}"))
        .await;
    assert_ne!(second["cases"][0]["id"], first["cases"][0]["id"]);
    // Limits are held to 1..=500.
    let one = d.get("/api/v1/cases?limit=0").await;
    assert_eq!(one["cases"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_case_page_has_posts_events_and_its_version() {
    let d = desk().await;
    let id = d.some_case().await;
    let r = d.call("GET", &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = &r.body;
    assert_eq!(page["case"]["id"].as_i64(), Some(id));
    let version = page["case"]["version"].as_i64().unwrap();
    assert_eq!(
        r.headers.get(header::ETAG).unwrap().to_str().unwrap(),
        format!("\"{version}\"")
    );
    let posts = page["posts"].as_array().unwrap();
    assert!(!posts.is_empty());
    assert!(posts[0]["from_customer"].as_bool().unwrap());
    assert!(!posts[0]["text"].as_str().unwrap().is_empty());
    assert_eq!(page["events"][0]["change"], "opened");
    assert_eq!(
        page["contact"]["id"].as_i64(),
        page["case"]["contact_id"].as_i64()
    );
    assert!(!page["contact"]["identities"].as_array().unwrap().is_empty());
    // Domain field names do not leak: the API says `text`, the store `body`.
    assert!(page.get("record").is_none());

    let r = d.call("GET", "/api/v1/cases/999999", None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = d.call("GET", "/api/v1/cases/first", None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_id")
    );
}

/// The last audit event of the case, which must name the agent.
async fn last_event_by_agent(d: &Desk, case: i64) -> Value {
    let events = d.events(case).await;
    let last = events.last().unwrap().clone();
    assert_eq!(last["actor"], "user", "{last}");
    assert_eq!(last["actor_id"].as_i64(), Some(d.agent.id.0), "{last}");
    last
}

#[tokio::test]
async fn each_action_changes_the_case_and_writes_its_audit_event() {
    let d = desk().await;
    let id = d.some_case().await;
    let url = |tail: &str| format!("/api/v1/cases/{id}/{tail}");

    // Assignment.
    let body = format!(r#"{{"user_id": {}}}"#, d.agent.id.0);
    let r = d.call("POST", &url("assign"), Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["assignee_id"].as_i64(), Some(d.agent.id.0));
    let e = last_event_by_agent(&d, id).await;
    assert_eq!(
        (&e["change"], e["to"].as_str()),
        (
            &Value::from("assignee"),
            Some(d.agent.id.0.to_string().as_str())
        )
    );
    for (body, code) in [
        (r#"{"user_id": 424242}"#.to_string(), "unknown_user"),
        (
            format!(r#"{{"user_id": {}}}"#, d.analyst.id.0),
            "not_assignable",
        ),
        (r#"{"team_id": 77}"#.to_string(), "unknown_team"),
        (
            r#"{"user_id": null, "team_id": 77}"#.to_string(),
            "unknown_team",
        ),
    ] {
        let r = d.call("POST", &url("assign"), Some(&body)).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{body}: {}",
            r.body
        );
    }
    let page = d.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        page["case"]["assignee_id"].as_i64(),
        Some(d.agent.id.0),
        "a refused team left the assignee as it was"
    );
    let team = d
        .world
        .engine
        .care()
        .store()
        .settings()
        .put_team(&TeamSpec {
            name: "support".into(),
            members: vec![d.agent.id],
            calendar: BusinessCalendar::always_open(BusinessCalendar::parse_tz("UTC").unwrap()),
            sla_policy: None,
        })
        .await
        .unwrap();
    let r = d
        .call(
            "POST",
            &url("assign"),
            Some(&format!(r#"{{"team_id": {}}}"#, team.id.0)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["team_id"].as_i64(), Some(team.id.0));
    assert_eq!(r.body["assignee_id"].as_i64(), Some(d.agent.id.0), "kept");
    assert_eq!(last_event_by_agent(&d, id).await["change"], "team");
    let r = d
        .call("POST", &url("assign"), Some(r#"{"user_id": null}"#))
        .await;
    assert_eq!(r.body["assignee_id"], Value::Null);
    assert_eq!(last_event_by_agent(&d, id).await["to"], Value::Null);

    // Status through the state machine.
    for (action, status) in [
        ("open", "open"),
        ("pending", "pending"),
        ("resolve", "resolved"),
    ] {
        let r = d
            .call(
                "POST",
                &url("status"),
                Some(&format!(r#"{{"action": "{action}"}}"#)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
        assert_eq!(r.body["status"], status);
        let e = last_event_by_agent(&d, id).await;
        assert_eq!(
            (e["change"].as_str(), e["to"].as_str()),
            (Some("status"), Some(status))
        );
    }
    let before = d.events(id).await.len();
    let r = d
        .call("POST", &url("status"), Some(r#"{"action": "pending"}"#))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "illegal_transition"),
        "{}",
        r.body
    );
    assert!(
        r.message().contains("resolved") && r.message().contains("pending"),
        "names the move: {}",
        r.message()
    );
    assert!(r.message().contains("reopen, close") || r.message().contains("close, reopen"));
    assert_eq!(
        d.events(id).await.len(),
        before,
        "a refused move writes nothing"
    );
    for action in ["close"] {
        let r = d
            .call(
                "POST",
                &url("status"),
                Some(&format!(r#"{{"action": "{action}"}}"#)),
            )
            .await;
        assert_eq!(r.body["status"], "closed", "{}", r.body);
    }
    let r = d
        .call("POST", &url("status"), Some(r#"{"action": "reopen"}"#))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "illegal_transition")
    );
    assert!(
        r.message().contains("closed") && r.message().contains("nothing"),
        "{}",
        r.message()
    );

    // Priority: to one the case does not have yet.
    let was = d.get(&format!("/api/v1/cases/{id}")).await["case"]["priority"].clone();
    let to = if was == "urgent" { "low" } else { "urgent" };
    let r = d
        .call(
            "POST",
            &url("priority"),
            Some(&format!(r#"{{"priority": "{to}"}}"#)),
        )
        .await;
    assert_eq!(r.body["priority"], to, "{}", r.body);
    let e = last_event_by_agent(&d, id).await;
    assert_eq!(
        (e["change"].as_str(), e["to"].as_str()),
        (Some("priority"), Some(to))
    );
    assert_eq!(e["from"], was);
    let r = d
        .call("POST", &url("priority"), Some(r#"{"priority": "soon"}"#))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value")
    );

    // Tags.
    let r = d
        .call("POST", &url("tags"), Some(r#"{"tag": "Billing"}"#))
        .await;
    assert_eq!(r.body["tags"], serde_json::json!(["billing"]), "{}", r.body);
    let e = last_event_by_agent(&d, id).await;
    assert_eq!(
        (e["change"].as_str(), e["tag"].as_str()),
        (Some("tag_added"), Some("billing"))
    );
    let r = d
        .call("POST", &url("tags"), Some(r#"{"tag": "two words"}"#))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_tag")
    );
    let r = d.call("DELETE", &url("tags/billing"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["tags"], serde_json::json!([]));
    assert_eq!(last_event_by_agent(&d, id).await["change"], "tag_removed");

    // Notes.
    let r = d
        .call(
            "POST",
            &url("notes"),
            Some(r#"{"text": "called them back"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["author_id"].as_i64(), Some(d.agent.id.0));
    assert_eq!(last_event_by_agent(&d, id).await["change"], "note_added");
    let r = d
        .call("POST", &url("notes"), Some(r#"{"text": "  "}"#))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value")
    );

    // Replies go to the outbox, once per idempotency key.
    let reply = r#"{"text": "We are on it.", "idempotency_key": "k1"}"#;
    let first = d.call("POST", &url("replies"), Some(reply)).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    assert_eq!(first.body["status"], "queued");
    assert_eq!(first.body["author_id"].as_i64(), Some(d.agent.id.0));
    let again = d.call("POST", &url("replies"), Some(reply)).await;
    assert_eq!(again.body["id"], first.body["id"]);
    let other = d
        .call("POST", &url("replies"), Some(r#"{"text": "And again."}"#))
        .await;
    assert_eq!(other.status, StatusCode::ACCEPTED);
    assert_ne!(other.body["id"], first.body["id"]);
    let long = format!(r#"{{"text": "{}"}}"#, "a".repeat(400));
    let r = d.call("POST", &url("replies"), Some(&long)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "reply_too_long"),
        "{}",
        r.body
    );
    assert!(r.message().contains("400"), "{}", r.message());

    let page = d.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(page["replies"].as_array().unwrap().len(), 2);
    assert_eq!(page["notes"][0]["text"], "called them back");
    let queued = d.world.engine.care().outbox(None, 100).await.unwrap();
    assert_eq!(queued.len(), 2);
    assert!(queued.iter().all(|e| e.author == UserId(d.agent.id.0)));
}

#[tokio::test]
async fn stale_versions_malformed_bodies_and_unknown_cases_change_nothing() {
    let d = desk().await;
    let id = d.some_case().await;
    let url = format!("/api/v1/cases/{id}/priority");
    let page = d.call("GET", &format!("/api/v1/cases/{id}"), None).await;
    let etag = page.headers[header::ETAG].to_str().unwrap().to_string();
    let version = page.body["case"]["version"].as_i64().unwrap();

    // With the version just read, the change is made and the version moves on.
    let r = d
        .call_with(
            "POST",
            &url,
            Some(&d.token),
            Some(r#"{"priority": "high"}"#),
            Some(&etag),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["version"].as_i64().unwrap() > version);
    // The old version is refused, as header or in the body.
    let r = d
        .call_with(
            "POST",
            &url,
            Some(&d.token),
            Some(r#"{"priority": "low"}"#),
            Some(&etag),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "version_conflict"),
        "{}",
        r.body
    );
    let stale = format!(r#"{{"priority": "low", "version": {version}}}"#);
    let r = d.call("POST", &url, Some(&stale)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "version_conflict")
    );
    let r = d
        .call_with(
            "DELETE",
            &format!("/api/v1/cases/{id}/tags/x"),
            Some(&d.token),
            None,
            Some("\"0\""),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "version_conflict")
    );
    let r = d
        .call_with(
            "POST",
            &url,
            Some(&d.token),
            Some(r#"{"priority": "low"}"#),
            Some("seven"),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_header")
    );
    let now = d.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        now["case"]["priority"], "high",
        "refused changes made nothing"
    );

    // Bodies: broken JSON names where, unknown fields and values are refused.
    let r = d.call("POST", &url, Some(r#"{"priority": "#)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_body")
    );
    assert!(r.message().contains("line 1 column"), "{}", r.message());
    let r = d
        .call(
            "POST",
            &url,
            Some(r#"{"priority": "low", "colour": "red"}"#),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_body")
    );
    assert!(r.message().contains("colour"), "{}", r.message());
    let r = d
        .call(
            "POST",
            &format!("/api/v1/cases/{id}/status"),
            Some(r#"{"action": "explode"}"#),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_body")
    );
    assert!(r.message().contains("explode"), "{}", r.message());
    let r = d
        .call("POST", &format!("/api/v1/cases/{id}/notes"), Some("{}"))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_body")
    );
    assert!(r.message().contains("text"), "{}", r.message());

    // Unknown cases.
    for (method, tail, body) in [
        ("POST", "assign", Some(r#"{"user_id": null}"#)),
        ("POST", "status", Some(r#"{"action": "open"}"#)),
        ("POST", "priority", Some(r#"{"priority": "low"}"#)),
        ("POST", "tags", Some(r#"{"tag": "x"}"#)),
        ("DELETE", "tags/x", None),
        ("POST", "notes", Some(r#"{"text": "x"}"#)),
        ("POST", "replies", Some(r#"{"text": "x"}"#)),
    ] {
        let r = d
            .call(method, &format!("/api/v1/cases/999999/{tail}"), body)
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{method} {tail}"
        );
    }
    assert_eq!(d.events(id).await.last().unwrap()["change"], "priority");
}

/// Two cases of different customers.
async fn two_contacts(d: &Desk) -> (i64, i64) {
    let mut seen = Vec::new();
    for id in d.walk("sort=oldest", 500).await {
        let c = d.get(&format!("/api/v1/cases/{id}")).await["case"]["contact_id"]
            .as_i64()
            .unwrap();
        if !seen.contains(&c) {
            seen.push(c);
        }
        if seen.len() == 2 {
            return (seen[0], seen[1]);
        }
    }
    panic!("fewer than two customers");
}

#[tokio::test]
async fn contacts_are_read_changed_merged_and_split() {
    let d = desk().await;
    let (keep, absorb) = two_contacts(&d).await;
    let c = d.get(&format!("/api/v1/contacts/{keep}")).await;
    assert_eq!(c["contact"]["id"].as_i64(), Some(keep));
    assert_eq!(c["contact"]["identities"].as_array().unwrap().len(), 1);
    assert!(!c["cases"].as_array().unwrap().is_empty());

    // Fields: the ones named change, the others stay.
    let r = d
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{keep}"),
            Some(r#"{"email": "kim@example.org", "company": "Example", "tags": ["VIP"], "stage": "customer"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let name = c["contact"]["name"].clone();
    assert_eq!(r.body["contact"]["name"], name);
    assert_eq!(r.body["contact"]["email"], "kim@example.org");
    assert_eq!(r.body["contact"]["tags"], serde_json::json!(["vip"]));
    assert_eq!(r.body["contact"]["stage"], "customer");
    let r = d
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{keep}"),
            Some(r#"{"company": null, "name": "Kim"}"#),
        )
        .await;
    assert_eq!(r.body["contact"]["company"], Value::Null);
    assert_eq!(r.body["contact"]["email"], "kim@example.org");
    assert_eq!(r.body["contact"]["name"], "Kim");
    for (body, field) in [
        (r#"{"email": "kim at example"}"#, "email"),
        (r#"{"stage": "royalty"}"#, "stage"),
        (r#"{"name": "  "}"#, "name"),
    ] {
        let r = d
            .call("PATCH", &format!("/api/v1/contacts/{keep}"), Some(body))
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"),
            "{body}"
        );
        assert!(r.message().contains(field), "{}", r.message());
    }

    // The timeline, oldest first; a limit keeps its newest entries.
    let t = d.get(&format!("/api/v1/contacts/{keep}/timeline")).await;
    let entries = t["entries"].as_array().unwrap();
    let kinds: BTreeSet<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains("post") && kinds.contains("case_opened"),
        "{kinds:?}"
    );
    assert_eq!(t["truncated"], false);
    let cut = d
        .get(&format!("/api/v1/contacts/{keep}/timeline?limit=1"))
        .await;
    assert_eq!(cut["entries"].as_array().unwrap().len(), 1);
    assert_eq!(&cut["entries"][0], entries.last().unwrap());
    assert_eq!(cut["truncated"], entries.len() > 1);

    // Merge, then split the absorbed identity off again.
    let absorbed = d.get(&format!("/api/v1/contacts/{absorb}")).await;
    let identity = absorbed["contact"]["identities"][0]["id"].as_i64().unwrap();
    let r = d
        .call(
            "POST",
            &format!("/api/v1/contacts/{keep}/merge"),
            Some(&format!(r#"{{"absorb": {absorb}}}"#)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ids: BTreeSet<i64> = r.body["contact"]["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&identity), "{ids:?}");
    let gone = d.get(&format!("/api/v1/contacts/{absorb}")).await;
    assert_eq!(gone["contact"]["merged_into"].as_i64(), Some(keep));
    for (who, absorb_id, code) in [
        (keep, absorb, "invalid_value"),
        (keep, keep, "invalid_value"),
        (keep, 99_999_999, "unknown_contact"),
        (absorb, keep, "invalid_value"),
    ] {
        let r = d
            .call(
                "POST",
                &format!("/api/v1/contacts/{who}/merge"),
                Some(&format!(r#"{{"absorb": {absorb_id}}}"#)),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{who} absorbs {absorb_id}: {}",
            r.body
        );
    }

    let r = d
        .call(
            "POST",
            &format!("/api/v1/contacts/{keep}/split"),
            Some(&format!(
                r#"{{"identity_id": {identity}, "name": "Split off"}}"#
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let new = r.body["contact"]["id"].as_i64().unwrap();
    assert_ne!(new, keep);
    assert_eq!(r.body["contact"]["name"], "Split off");
    assert_eq!(
        r.body["contact"]["identities"][0]["id"].as_i64(),
        Some(identity)
    );
    let kept = d.get(&format!("/api/v1/contacts/{keep}")).await;
    assert_eq!(kept["contact"]["identities"].as_array().unwrap().len(), 1);
    // Its only identity cannot be split off, and another contact's is not its own.
    let r = d
        .call(
            "POST",
            &format!("/api/v1/contacts/{new}/split"),
            Some(&format!(
                r#"{{"identity_id": {identity}, "name": "Again"}}"#
            )),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"),
        "{}",
        r.body
    );
    let r = d
        .call(
            "POST",
            &format!("/api/v1/contacts/{keep}/split"),
            Some(&format!(
                r#"{{"identity_id": {identity}, "name": "Again"}}"#
            )),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_identity")
    );

    for (method, uri, body) in [
        ("GET", "/api/v1/contacts/99999999", None),
        (
            "PATCH",
            "/api/v1/contacts/99999999",
            Some(r#"{"name": "x"}"#),
        ),
        ("GET", "/api/v1/contacts/99999999/timeline", None),
        (
            "POST",
            "/api/v1/contacts/99999999/merge",
            Some(r#"{"absorb": 1}"#),
        ),
        (
            "POST",
            "/api/v1/contacts/99999999/split",
            Some(r#"{"identity_id": 1, "name": "x"}"#),
        ),
    ] {
        let r = d.call(method, uri, body).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{method} {uri}"
        );
    }
    let r = d
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{keep}"),
            Some(r#"{"name": "x",}"#),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_body")
    );
}

/// The first 5,000 posts of the twcs dataset, where some customers ask what to buy.
const TWCS_HEAD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twcs/twcs_head_5000.csv"
);

/// Customers of `TWCS_HEAD` who ask a brand's own account what to buy, read from the file:
/// (tweet id, author). (Posts that only mention a brand's anonymized id, such as 4081 "how much
/// for the iPhone x", reach no own account and so open no case and flag no lead.)
const SHOPPING: &[(&str, &str)] = &[
    // "@AskPlayStation ... Was thinking of getting a vita but i don't know if I can play my
    // games remotely with it."
    ("2270", "116221"),
    // "@nationalrailenq how much is a ticket from SOU to London Zones 1-4."
    ("5687", "117049"),
    // "@SouthwestAir Are children allowed to sign up for Rapid Rewards?"
    ("4665", "116817"),
];

#[tokio::test]
async fn leads_list_the_customers_asking_what_to_buy() {
    let world = World::new(WebConfig::default()).await;
    world.import_twcs(TWCS_HEAD.as_ref()).await;
    world.user("admin", Role::Admin).await;
    let agent = world.user("agent", Role::Agent).await;
    let token = world.token_as(&agent, Role::Agent, &Permission::ALL).await;
    let d = Desk {
        world,
        analyst: agent.clone(),
        agent,
        token,
    };
    let all = d.get("/api/v1/leads?limit=500").await;
    let leads = all["leads"].as_array().unwrap();
    assert!(
        !leads.is_empty(),
        "the file holds customers asking what to buy"
    );
    let store = d.world.engine.store();
    let mut missing = Vec::new();
    for (tweet, author) in SHOPPING {
        let key = rapport_domain::PostKey {
            network: rapport_domain::Network::X,
            native_id: (*tweet).into(),
        };
        let post = store.posts().post_by_key(&key).await.unwrap().unwrap();
        assert_eq!(post.post.author.handle, *author, "tweet {tweet}");
        // One row per contact, for its latest flagged post.
        if !leads
            .iter()
            .any(|l| l["contact_id"].as_i64() == Some(post.contact_id.0))
        {
            missing.push(format!("{tweet} by {author}: {:?}", post.labels));
        }
    }
    assert!(missing.is_empty(), "not flagged as leads: {missing:#?}");
    // Each contact once, the latest flag first.
    let contacts: BTreeSet<i64> = leads
        .iter()
        .map(|l| l["contact_id"].as_i64().unwrap())
        .collect();
    assert_eq!(contacts.len(), leads.len(), "one row per contact");
    let one = d.get("/api/v1/leads?limit=1").await;
    assert_eq!(one["leads"].as_array().unwrap()[..], leads[..1]);
    let r = d.call("GET", "/api/v1/leads?limit=-1", None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_parameter")
    );
}

#[tokio::test]
async fn leads_pages_walk_every_lead_once_latest_flag_first() {
    let world = World::new(WebConfig::default()).await;
    world.import_twcs(TWCS_HEAD.as_ref()).await;
    world.user("admin", Role::Admin).await;
    let agent = world.user("agent", Role::Agent).await;
    let token = world.token_as(&agent, Role::Agent, &Permission::ALL).await;
    let d = Desk {
        world,
        analyst: agent.clone(),
        agent,
        token,
    };
    let store = d.world.engine.store();
    // How many contacts are leads, counted by the store's figures, not the list.
    let expected = d.world.engine.stats().await.unwrap().leads as usize;
    assert!(
        expected > 4,
        "the file holds more than one page of leads: {expected}"
    );
    let mut shopping = BTreeSet::new();
    for (tweet, _) in SHOPPING {
        let key = rapport_domain::PostKey {
            network: rapport_domain::Network::X,
            native_id: (*tweet).into(),
        };
        shopping.insert(
            store
                .posts()
                .post_by_key(&key)
                .await
                .unwrap()
                .unwrap()
                .contact_id
                .0,
        );
    }
    for limit in [1, 4, 500] {
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut uri = format!("/api/v1/leads?limit={limit}");
            if let Some(c) = &cursor {
                uri.push_str(&format!("&cursor={c}"));
            }
            let page = d.get(&uri).await;
            pages += 1;
            let items = page["leads"].as_array().unwrap();
            assert!(
                !items.is_empty() && items.len() <= limit,
                "{uri}: {}",
                items.len()
            );
            rows.extend(items.iter().cloned());
            match page["next"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
            assert!(pages <= expected, "limit {limit}: the pages never end");
        }
        assert_eq!(pages, expected.div_ceil(limit), "limit {limit}: pages");
        let keys: Vec<(chrono::DateTime<chrono::Utc>, i64)> = rows
            .iter()
            .map(|l| {
                (
                    l["at"].as_str().unwrap().parse().unwrap(),
                    l["contact_id"].as_i64().unwrap(),
                )
            })
            .collect();
        let contacts: BTreeSet<i64> = keys.iter().map(|k| k.1).collect();
        assert_eq!(
            contacts.len(),
            rows.len(),
            "limit {limit}: a contact listed twice"
        );
        assert_eq!(rows.len(), expected, "limit {limit}: every lead");
        assert!(
            keys.windows(2).all(|w| w[0] > w[1]),
            "limit {limit}: the latest flag first, then the highest contact: {keys:?}"
        );
        assert!(shopping.is_subset(&contacts), "limit {limit}: {shopping:?}");
        // Each row is its contact's latest flag, as the contact's own flags say.
        for l in &rows {
            let id = rapport_domain::ContactId(l["contact_id"].as_i64().unwrap());
            let flags = store.leads().contact_leads(id).await.unwrap();
            let latest = flags.iter().max_by_key(|f| (f.at, f.post_id)).unwrap();
            assert_eq!(
                l["post_id"].as_i64(),
                Some(latest.post_id.0),
                "contact {id}"
            );
        }
    }
    // Cursors are opaque and checked: 400 invalid_cursor, never a 500.
    let contacts_cursor = d.get("/api/v1/contacts?limit=1").await["next"]
        .as_str()
        .unwrap()
        .to_string();
    let edited = hex::encode(r#"["leads","12.x"]"#);
    for bad in ["zzz", "31.7", contacts_cursor.as_str(), edited.as_str()] {
        let r = d
            .call("GET", &format!("/api/v1/leads?cursor={bad}"), None)
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, "invalid_cursor"),
            "{bad}: {}",
            r.body
        );
    }
}

/// Every contact of a list query, page by page; fails on a contact listed twice.
async fn walk_contacts(d: &Desk, query: &str, limit: usize) -> Vec<Value> {
    d.pages("contacts", query, limit).await
}

#[tokio::test]
async fn the_contact_list_pages_searches_and_filters() {
    let d = desk().await;
    let ids = |rows: &[Value]| -> BTreeSet<i64> {
        rows.iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };
    let everyone = walk_contacts(&d, "sort=name", 500).await;
    assert!(everyone.len() > 10, "{}", everyone.len());
    // Every customer with a case is listed; the brands' own accounts are not, unless asked.
    let mut customers = BTreeSet::new();
    for case in d.walk("sort=oldest", 500).await {
        let page = d.get(&format!("/api/v1/cases/{case}")).await;
        customers.insert(page["case"]["contact_id"].as_i64().unwrap());
    }
    assert!(customers.is_subset(&ids(&everyone)));
    let with_own = walk_contacts(&d, "include_own=true&sort=name", 500).await;
    assert!(
        with_own.len() > everyone.len(),
        "the sample has brand accounts"
    );
    for sort in ["name", "last_activity"] {
        let paged = walk_contacts(&d, &format!("sort={sort}"), 4).await;
        assert_eq!(ids(&paged), ids(&everyone), "sort={sort}");
    }
    let names: Vec<String> = everyone
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");

    // Search by a handle, and filter by the stage and tag a PATCH set.
    let first = &everyone[0];
    let handle = first["identities"][0]["handle"]
        .as_str()
        .unwrap()
        .to_string();
    let found = walk_contacts(&d, &format!("q=%40{handle}"), 50).await;
    assert!(
        ids(&found).contains(&first["id"].as_i64().unwrap()),
        "{handle}"
    );
    let id = first["id"].as_i64().unwrap();
    let r = d
        .call(
            "PATCH",
            &format!("/api/v1/contacts/{id}"),
            Some(r#"{"stage": "evangelist", "tags": ["fan"]}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for query in ["stage=evangelist", "tag=FAN", "stage=evangelist&tag=fan"] {
        let rows = walk_contacts(&d, query, 10).await;
        assert_eq!(ids(&rows), BTreeSet::from([id]), "{query}");
        assert_eq!(rows[0]["stage"], "evangelist");
    }

    // Cursors are bound to their query; bad parameters are named.
    let page = d.get("/api/v1/contacts?sort=name&limit=2").await;
    let cursor = page["next"].as_str().unwrap().to_string();
    for (uri, code) in [
        (
            format!("/api/v1/contacts?sort=last_activity&cursor={cursor}"),
            "invalid_cursor",
        ),
        (
            format!("/api/v1/contacts?sort=name&q=a&cursor={cursor}"),
            "invalid_cursor",
        ),
        ("/api/v1/contacts?cursor=nope".to_string(), "invalid_cursor"),
        (
            "/api/v1/contacts?stage=royalty".to_string(),
            "invalid_parameter",
        ),
        ("/api/v1/contacts?sort=age".to_string(), "invalid_parameter"),
        (
            "/api/v1/contacts?include_own=perhaps".to_string(),
            "invalid_parameter",
        ),
        (
            format!("/api/v1/contacts?q={}", "a".repeat(201)),
            "invalid_parameter",
        ),
    ] {
        let r = d.call("GET", &uri, None).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, code),
            "{uri}: {}",
            r.body
        );
    }
    let next = d
        .get(&format!(
            "/api/v1/contacts?sort=name&limit=2&cursor={cursor}"
        ))
        .await;
    assert_eq!(next["contacts"][0]["id"], everyone[2]["id"]);
}

/// Every care route with the scope it needs and a call that would otherwise succeed.
fn care_routes(
    case: i64,
    contact: i64,
) -> Vec<(&'static str, String, Option<&'static str>, Permission)> {
    use Permission::*;
    vec![
        ("GET", "/api/v1/cases".into(), None, ReadInbox),
        ("GET", "/api/v1/cases/counts".into(), None, ReadInbox),
        ("GET", format!("/api/v1/cases/{case}"), None, ReadInbox),
        (
            "POST",
            format!("/api/v1/cases/{case}/assign"),
            Some(r#"{"user_id": null}"#),
            WriteCases,
        ),
        (
            "POST",
            format!("/api/v1/cases/{case}/status"),
            Some(r#"{"action": "resolve"}"#),
            WriteCases,
        ),
        (
            "POST",
            format!("/api/v1/cases/{case}/priority"),
            Some(r#"{"priority": "low"}"#),
            WriteCases,
        ),
        (
            "POST",
            format!("/api/v1/cases/{case}/tags"),
            Some(r#"{"tag": "x"}"#),
            WriteCases,
        ),
        (
            "DELETE",
            format!("/api/v1/cases/{case}/tags/x"),
            None,
            WriteCases,
        ),
        (
            "POST",
            format!("/api/v1/cases/{case}/notes"),
            Some(r#"{"text": "x"}"#),
            WriteCases,
        ),
        (
            "POST",
            format!("/api/v1/cases/{case}/replies"),
            Some(r#"{"text": "x"}"#),
            WriteCases,
        ),
        (
            "GET",
            format!("/api/v1/contacts/{contact}"),
            None,
            ReadContacts,
        ),
        (
            "PATCH",
            format!("/api/v1/contacts/{contact}"),
            Some(r#"{"company": "x"}"#),
            WriteContacts,
        ),
        (
            "GET",
            format!("/api/v1/contacts/{contact}/timeline"),
            None,
            ReadContacts,
        ),
        (
            "POST",
            format!("/api/v1/contacts/{contact}/merge"),
            Some(r#"{"absorb": 1}"#),
            WriteContacts,
        ),
        (
            "POST",
            format!("/api/v1/contacts/{contact}/split"),
            Some(r#"{"identity_id": 1, "name": "x"}"#),
            WriteContacts,
        ),
        ("GET", "/api/v1/contacts".into(), None, ReadContacts),
        ("GET", "/api/v1/leads".into(), None, ReadContacts),
    ]
}

#[tokio::test]
async fn tokens_without_the_scope_get_403_and_strangers_401() {
    let d = desk().await;
    let case = d.some_case().await;
    let contact = d.get(&format!("/api/v1/cases/{case}")).await["case"]["contact_id"]
        .as_i64()
        .unwrap();
    // An agent token holding every scope but the one each route needs, and an analyst's
    // holding every scope (the role does not allow care work).
    let mut others: BTreeMap<Permission, String> = BTreeMap::new();
    for p in Permission::ALL {
        let scopes: Vec<Permission> = Permission::ALL.into_iter().filter(|x| *x != p).collect();
        others.insert(p, d.world.token_as(&d.agent, Role::Agent, &scopes).await);
    }
    let analyst = d
        .world
        .token_as(&d.analyst, Role::Analyst, &Permission::ALL)
        .await;
    let events = d.events(case).await.len();
    for (method, uri, body, needs) in care_routes(case, contact) {
        let r = d.call_with(method, &uri, None, body, None).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{method} {uri}"
        );
        let r = d
            .call_with(method, &uri, Some("not-a-token"), body, None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        for token in [&others[&needs], &analyst] {
            let r = d.call_with(method, &uri, Some(token), body, None).await;
            assert_eq!(
                (r.status, r.code()),
                (StatusCode::FORBIDDEN, "forbidden"),
                "{method} {uri}"
            );
            assert!(r.message().contains(needs.as_str()), "{}", r.message());
        }
        // The admin's browser session does not open the API either.
        let mut call = Call::new(method, uri.clone()).by(&d.world.session("admin").await);
        if let Some(b) = body {
            call = call.json(b);
        }
        assert_eq!(
            d.world.send(call.build()).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        d.events(case).await.len(),
        events,
        "refused calls changed nothing"
    );
    let page = d.get(&format!("/api/v1/cases/{case}")).await;
    assert!(page["notes"].as_array().unwrap().is_empty());
    assert!(page["replies"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_openapi_document_describes_the_care_endpoints() {
    let d = desk().await;
    let r = d
        .call_with("GET", "/api/v1/openapi.json", None, None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.body;
    for (method, uri, _, _) in care_routes(0, 0) {
        let path = uri
            .replace("/cases/0", "/cases/{id}")
            .replace("/contacts/0", "/contacts/{id}")
            .replace("/tags/x", "/tags/{tag}");
        let op = &doc["paths"][&path][method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not documented");
        assert!(op["responses"]["401"].is_object(), "{method} {path}");
        assert!(op["responses"]["403"].is_object(), "{method} {path}");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "CaseList",
        "CaseCounts",
        "CaseDetail",
        "CaseDto",
        "EventDto",
        "StatusAction",
        "ContactDetail",
        "Timeline",
        "LeadList",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    let actions = &schemas["StatusAction"]["enum"];
    assert_eq!(
        actions,
        &serde_json::json!(["open", "pending", "resolve", "close", "reopen"])
    );
}

/// `view=at_risk` with an SLA policy in force (see `inbox.rs` for the same cases on the page):
/// customer 105848's posts to AppleSupport after its answer (tweets 119290, 119291, October
/// 2017) were never answered, so the case is breached and listed; customer 105840's four posts
/// to SpotifyCares were each answered within the hour, so that case is on time and not listed.
#[tokio::test]
async fn the_at_risk_list_holds_the_customer_still_waiting_for_an_answer() {
    let world = World::new(WebConfig::default()).await;
    common::day_policy(&world).await;
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    world.user("admin", Role::Admin).await;
    let agent = world.user("agent", Role::Agent).await;
    let token = world.token_as(&agent, Role::Agent, &Permission::ALL).await;
    let d = Desk {
        world,
        analyst: agent.clone(),
        agent,
        token,
    };
    let waiting = common::case_of_tweet(&d.world, "119290").await.0;
    let answered = common::case_of_tweet(&d.world, "119260").await.0;
    let list = d.get("/api/v1/cases?view=at_risk&limit=200").await;
    let cases = list["cases"].as_array().unwrap();
    let ids: Vec<i64> = cases.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&waiting), "case {waiting}: {ids:?}");
    assert!(!ids.contains(&answered), "case {answered}: {ids:?}");
    let row = cases.iter().find(|c| c["id"] == waiting).unwrap();
    assert_eq!(row["sla_state"], "breached", "{row}");
    let paged = d.walk("view=at_risk", 2).await;
    assert_eq!(paged, ids, "the pages hold the same cases");
    let counts = d.get("/api/v1/cases/counts").await;
    assert_eq!(counts["at_risk"].as_u64(), Some(ids.len() as u64));
    let all = d.get("/api/v1/cases?view=all_open&limit=200").await;
    let on_time = all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == answered)
        .expect("the answered case is open");
    // Every clock of the answered case stopped in time: no state, or a good one.
    assert!(
        !matches!(on_time["sla_state"].as_str(), Some("at_risk" | "breached")),
        "{on_time}"
    );
}

/// `GET /api/v1/users`: every user with the name, role and state an admin gave them, in pages.
#[tokio::test]
async fn the_users_api_lists_each_user_with_role_and_state() {
    let world = World::new(WebConfig::default()).await;
    let admin = world.user("ada", Role::Admin).await;
    world
        .accounts
        .create_user("grace", "Grace H.", Role::Agent, common::PASSWORD)
        .await
        .unwrap();
    let linus = world
        .accounts
        .create_user("linus", "Linus T.", Role::Analyst, common::PASSWORD)
        .await
        .unwrap();
    world
        .accounts
        .update_user(
            &rapport_engine::accounts::AuditActor::unknown("test", None),
            linus.id,
            rapport_engine::accounts::UserUpdate {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let token = world.token_as(&admin, Role::Admin, &Permission::ALL).await;
    let get = |uri: &'static str| {
        let token = token.clone();
        let world = &world;
        async move {
            let answer = world.send(Call::get(uri).bearer(&token).build()).await;
            assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
            serde_json::from_str::<Value>(&answer.body).unwrap()
        }
    };
    let all = get("/api/v1/users").await;
    assert_eq!(all["count"], 3, "{all}");
    let mut seen: Vec<(String, String, String, bool)> = all["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            assert!(
                u.get("password_hash").is_none() && u.get("password").is_none(),
                "{u}"
            );
            assert!(u["id"].as_i64().is_some_and(|id| id > 0), "{u}");
            assert!(
                chrono::DateTime::parse_from_rfc3339(u["created_at"].as_str().unwrap()).is_ok(),
                "{u}"
            );
            (
                u["name"].as_str().unwrap().to_string(),
                u["display_name"].as_str().unwrap().to_string(),
                u["role"].as_str().unwrap().to_string(),
                u["active"].as_bool().unwrap(),
            )
        })
        .collect();
    seen.sort();
    let want =
        |n: &str, d: &str, r: &str, a: bool| (n.to_string(), d.to_string(), r.to_string(), a);
    assert_eq!(
        seen[1..],
        [
            want("grace", "Grace H.", "agent", true),
            want("linus", "Linus T.", "analyst", false),
        ]
    );
    assert_eq!(
        (seen[0].0.as_str(), seen[0].2.as_str(), seen[0].3),
        ("ada", "admin", true)
    );
    let first = get("/api/v1/users?limit=2").await;
    let rest = get("/api/v1/users?offset=2&limit=2").await;
    assert_eq!(
        (first["count"].clone(), rest["count"].clone()),
        (Value::from(3), Value::from(3))
    );
    let mut paged: Vec<i64> = first["users"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["users"].as_array().unwrap())
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(paged.len(), 3);
    paged.sort();
    paged.dedup();
    assert_eq!(paged.len(), 3, "no user on two pages");
}

/// The care report through the API: an analyst reads every own account's figures, as the
/// engine computes them (checked against the twcs file itself in the engine's tests).
#[tokio::test]
async fn the_care_report_lists_each_own_accounts_figures() {
    let world = World::new(WebConfig::default()).await;
    world.import_twcs(TWCS_HEAD.as_ref()).await;
    world.user("admin", Role::Admin).await;
    let analyst = world.user("analyst", Role::Analyst).await;
    let token = world
        .token_as(&analyst, Role::Analyst, &[Permission::ReadReports])
        .await;
    let d = Desk {
        world,
        analyst: analyst.clone(),
        agent: analyst,
        token,
    };
    let report = d.get("/api/v1/reports/care").await;
    let got = report["accounts"].as_array().unwrap();
    let expected = d.world.engine.account_responses().await.unwrap();
    assert_eq!(got.len(), expected.len());
    assert!(
        expected.len() > 50,
        "every brand of the file is an own account"
    );
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g["account"], e.handle.as_str());
        assert_eq!(g["network"], "x");
        assert_eq!(g["inbound"].as_u64(), Some(e.inbound));
        assert_eq!(g["answered"].as_u64(), Some(e.answered));
        // JSON numbers come back within a rounding of the engine's.
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (a, b) => a == b,
        };
        assert!(close(g["response_rate"].as_f64(), e.response_rate()), "{g}");
        assert!(
            close(g["median_reply_seconds"].as_f64(), e.median_reply_seconds()),
            "{g}"
        );
    }
    let apple = got.iter().find(|a| a["account"] == "AppleSupport").unwrap();
    assert!(apple["answered"].as_u64().unwrap() > 100, "{apple}");
}
