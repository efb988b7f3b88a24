//! Starts a real Bluesky PDS (npm's `@atproto/dev-env`) through `scripts/atproto-pds start`,
//! and drives it over the script's JSON-lines protocol (accounts, posts, replies, deletes).
//! The PDS stops when this is dropped: its standard input closes and it shuts itself down
//! (which also happens when the test process dies).

use serde_json::{Value, json};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// One account of the PDS.
#[derive(Debug, Clone)]
pub struct Account {
    pub did: String,
    pub handle: String,
    pub password: String,
    pub app_password: String,
}

pub struct AtprotoPds {
    /// The PDS, e.g. `http://localhost:PORT`.
    pub url: String,
    /// The PLC directory it registers DIDs in.
    pub plc: String,
    _child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
}

fn account(v: &Value) -> Account {
    let s = |k: &str| {
        v[k].as_str()
            .unwrap_or_else(|| panic!("{k} in {v}"))
            .to_string()
    };
    Account {
        did: s("did"),
        handle: s("handle"),
        password: s("password"),
        app_password: s("app_password"),
    }
}

impl AtprotoPds {
    /// Starts the network with these accounts (`NAME.test` each); installs the PDS the first
    /// time (minutes).
    pub async fn start(names: &[&str]) -> (AtprotoPds, Vec<Account>) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/atproto-pds");
        let mut cmd = Command::new("bash");
        cmd.arg(script).arg("start");
        for name in names {
            cmd.args(["--account", name]);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("scripts/atproto-pds starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(600), stdout.next_line())
            .await
            .expect("the PDS is ready within 10 minutes (install included)")
            .unwrap()
            .expect("the PDS printed its address");
        let ready: Value = serde_json::from_str(&ready).unwrap();
        assert_eq!(ready["ready"], true, "the PDS did not start: {ready}");
        let accounts = names
            .iter()
            .map(|n| account(&ready["accounts"][n]))
            .collect();
        let pds = AtprotoPds {
            url: ready["pds"].as_str().unwrap().to_string(),
            plc: ready["plc"].as_str().unwrap().to_string(),
            _child: child,
            stdin: Some(stdin),
            stdout,
            next_id: 0,
        };
        (pds, accounts)
    }

    /// The firehose of the PDS.
    pub fn subscribe_repos(&self) -> String {
        format!(
            "{}/xrpc/com.atproto.sync.subscribeRepos",
            self.url.replacen("http://", "ws://", 1)
        )
    }

    /// Sends one command and returns its answer (panics when it failed).
    pub async fn call(&mut self, mut cmd: Value) -> Value {
        self.next_id += 1;
        cmd["id"] = json!(self.next_id);
        let line = format!("{cmd}\n");
        let stdin = self.stdin.as_mut().expect("running");
        stdin.write_all(line.as_bytes()).await.unwrap();
        stdin.flush().await.unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(30), self.stdout.next_line())
            .await
            .expect("the PDS answers within 30 s")
            .unwrap()
            .expect("the PDS is running");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["ok"], true, "{cmd} failed: {answer}");
        assert_eq!(answer["id"], json!(self.next_id));
        answer
    }

    /// Posts as `name` (`@handle` mentions become facets); returns the post's at:// URI.
    pub async fn post(&mut self, name: &str, text: &str) -> String {
        let answer = self
            .call(json!({"op": "post", "as": name, "text": text}))
            .await;
        answer["uri"].as_str().unwrap().to_string()
    }

    /// Replies as `name` to the post `parent`; returns the reply's URI.
    pub async fn reply(&mut self, name: &str, parent: &str, text: &str) -> String {
        let answer = self
            .call(json!({"op": "post", "as": name, "text": text, "reply_to": parent}))
            .await;
        answer["uri"].as_str().unwrap().to_string()
    }

    pub async fn delete(&mut self, name: &str, uri: &str) {
        self.call(json!({"op": "delete", "as": name, "uri": uri}))
            .await;
    }
}

impl Drop for AtprotoPds {
    fn drop(&mut self) {
        // Closing its standard input makes the harness close the network and exit.
        self.stdin.take();
    }
}
