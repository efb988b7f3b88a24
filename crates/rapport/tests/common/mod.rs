//! What the program's end-to-end tests share: a workspace for one test (a data directory,
//! and on PostgreSQL a database of its own) and the real `rapport` binary run in it.
#![allow(dead_code)] // each test file uses its own part of this

use rapport_store::testing::{TestStore, backend_from_env, fresh_store, test_postgres_url};
use rapport_store::{Backend, Store};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

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
