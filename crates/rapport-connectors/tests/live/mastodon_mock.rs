//! Starts the real `mastodon_mock` (PyPI) through `scripts/mastodon-mock` on a free port of
//! 127.0.0.1, and kills it when dropped.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct MastodonMock {
    pub url: String,
    child: Child,
    _dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl MastodonMock {
    pub async fn start() -> MastodonMock {
        // A heartbeat every 0.3 s (Mastodon's is 15 s) keeps the read timeouts of the tests short.
        MastodonMock::start_with_heartbeat(0.3).await
    }

    /// Started with SSE heartbeats every `heartbeat` seconds.
    pub async fn start_with_heartbeat(heartbeat: f64) -> MastodonMock {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("mastodon_mock.toml");
        std::fs::write(
            &config,
            format!("[streaming]\nheartbeat_seconds = {heartbeat}\n"),
        )
        .unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/mastodon-mock");
        let child = Command::new("bash")
            .arg(script)
            .args([
                "serve",
                "--in-memory",
                "--host",
                "127.0.0.1",
                "--log-level",
                "warning",
            ])
            .args(["--port", &port.to_string(), "--config"])
            .arg(&config)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("scripts/mastodon-mock starts");
        let mock = MastodonMock {
            url: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
            http: reqwest::Client::new(),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        loop {
            let health = mock
                .http
                .get(format!("{}/api/v1/streaming/health", mock.url))
                .send()
                .await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return mock;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "mastodon_mock did not start in 120 s"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// A new local account: `(id, access token)`.
    pub async fn user(&self, name: &str) -> (String, String) {
        let v: Value = self
            .http
            .post(format!("{}/api/v1/_mock/dev_user", self.url))
            .json(&json!({"username": name}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            v["id"].as_str().unwrap().into(),
            v["access_token"].as_str().unwrap().into(),
        )
    }

    /// Posts a status as the token's account; returns the Status.
    pub async fn post(&self, token: &str, text: &str, reply_to: Option<&str>) -> Value {
        let mut body = json!({"status": text});
        if let Some(id) = reply_to {
            body["in_reply_to_id"] = json!(id);
        }
        let r = self
            .http
            .post(format!("{}/api/v1/statuses", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "posting failed: {}", r.status());
        r.json().await.unwrap()
    }

    /// Edits a status (`PUT /api/v1/statuses/:id`).
    pub async fn edit(&self, token: &str, id: &str, text: &str) {
        let url = format!("{}/api/v1/statuses/{id}", self.url);
        let r = self
            .http
            .put(url)
            .bearer_auth(token)
            .json(&json!({"status": text}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "editing failed: {}", r.status());
    }

    /// Deletes a status (`DELETE /api/v1/statuses/:id`).
    pub async fn delete(&self, token: &str, id: &str) {
        let url = format!("{}/api/v1/statuses/{id}", self.url);
        let r = self
            .http
            .delete(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "deleting failed: {}", r.status());
    }

    /// Adds a fault rule (`POST /api/v1/_mock/faults`).
    pub async fn fault(&self, rule: Value) {
        let r = self
            .http
            .post(format!("{}/api/v1/_mock/faults", self.url))
            .json(&rule)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "fault not accepted: {}",
            r.text().await.unwrap()
        );
    }

    /// The active fault rules.
    pub async fn faults(&self) -> Vec<Value> {
        let r = self
            .http
            .get(format!("{}/api/v1/_mock/faults", self.url))
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }
}

impl Drop for MastodonMock {
    fn drop(&mut self) {
        // The script execs mastodon_mock, so the child is the server itself.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
