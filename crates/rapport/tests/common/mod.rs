//! What the program's end-to-end tests share: a workspace for one test (a data directory,
//! and on PostgreSQL a database of its own) and the real `rapport` binary run in it.
#![allow(dead_code)] // each test file uses its own part of this

use rapport_store::testing::{TestStore, backend_from_env, fresh_store, test_postgres_url};
use rapport_store::{Backend, Store};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Workspace {
    dir: tempfile::TempDir,
    store: Option<TestStore>,
}

impl Workspace {
    pub async fn new() -> Self {
        let store = match backend_from_env() {
            Backend::Postgres => Some(fresh_store(Backend::Postgres).await),
            Backend::Sqlite => None,
        };
        Self {
            dir: tempfile::tempdir().unwrap(),
            store,
        }
    }

    /// `rapport ARGS` on this workspace's data directory and store, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rapport"));
        cmd.arg("--data-dir")
            .arg(self.dir.path())
            .current_dir(self.dir.path());
        if let Some(store) = &self.store {
            let base = test_postgres_url();
            let (server, _) = base.rsplit_once('/').unwrap();
            cmd.arg("--database-url")
                .arg(format!("{server}/{}", store.location()));
        }
        cmd.args(args).env("RAPPORT_LOG", "warn");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "rapport {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let text = self.ok(args);
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("rapport {args:?}: not one JSON object ({e}): {text}"))
    }

    /// `rapport ARGS` started in the background (its standard output dropped), killed with
    /// SIGKILL when the returned guard goes.
    pub fn start(&self, args: &[&str]) -> Running {
        let child = self
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("rapport {args:?} starts: {e}"));
        Running(child)
    }

    /// `rapport channels add bluesky` with the app password on standard input; returns the
    /// command's output (standard output and error), whether it succeeded or not.
    pub fn add_bluesky_channel(&self, name: &str, c: &BlueskyChannel) -> Output {
        let mut add = self
            .command(&[
                "channels",
                "add",
                "bluesky",
                "--name",
                name,
                "--pds",
                c.pds,
                "--handle",
                c.handle,
                "--firehose",
                c.firehose,
                "--plc",
                c.plc,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(add.stdin.take().unwrap(), "{}", c.app_password).unwrap();
        add.wait_with_output().unwrap()
    }

    /// Waits (30 s at most) until the workspace's first channel says it is connected.
    pub async fn wait_connected(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let list = self.json(&["channels", "list", "--json"]);
            let channel = &list["channels"][0];
            if channel["state"] == "connected" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the channel did not connect: {channel}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether the program runs on the embedded SQLite store in the data directory.
    pub fn store_is_sqlite(&self) -> bool {
        self.store.is_none()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The store the program wrote, opened after it exited.
    pub async fn store(&self) -> Arc<dyn Store> {
        match &self.store {
            Some(s) => s.store(),
            None => rapport_store::open(&format!(
                "sqlite://{}?mode=rwc",
                self.dir.path().join("rapport.db").display()
            ))
            .await
            .unwrap(),
        }
    }
}

/// Where a Bluesky channel reads and who it speaks as.
pub struct BlueskyChannel<'a> {
    pub pds: &'a str,
    pub firehose: &'a str,
    pub plc: &'a str,
    pub handle: &'a str,
    pub app_password: &'a str,
}

/// A `rapport` process started by [`Workspace::start`], killed (SIGKILL) when dropped.
pub struct Running(Child);

impl Running {
    pub fn kill(self) {} // dropping it kills it
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (20 s at most) until the Bluesky post `uri` is stored and in a case; returns how long
/// that took from `since`.
pub async fn bluesky_case(store: &Arc<dyn Store>, uri: &str, since: Instant) -> Duration {
    let key = rapport_domain::PostKey {
        network: rapport_domain::Network::Bluesky,
        native_id: uri.to_string(),
    };
    case_of(store, &key, since).await
}

/// Waits (20 s at most) until the post `key` is stored and in a case; returns how long that
/// took from `since`.
pub async fn case_of(
    store: &Arc<dyn Store>,
    key: &rapport_domain::PostKey,
    since: Instant,
) -> Duration {
    let deadline = since + Duration::from_secs(20);
    loop {
        if let Some(post) = store.posts().post_by_key(key).await.unwrap()
            && store.cases().case_of_post(post.id).await.unwrap().is_some()
        {
            return since.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "post {} did not reach a case",
            key.native_id
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
