//! Starts the real OpenID Connect provider (npm's `oidc-provider`, through
//! `scripts/oidc-provider`) on a free port of 127.0.0.1, kills it when dropped, and signs
//! people in on its own login page the way a browser does.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct OidcProvider {
    pub issuer: String,
    child: Child,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The client Rapport is registered as.
pub const CLIENT_ID: &str = "rapport";
pub const CLIENT_SECRET: &str = "rapport-test-secret-7c1f";

impl OidcProvider {
    /// A provider with one client (`CLIENT_ID`, sending people back to `redirect_uri`) and
    /// `accounts` as `(login, groups)`. With `conform`, the ID token carries only what the
    /// standard puts there and the groups are at the userinfo endpoint alone.
    pub fn start(redirect_uri: &str, accounts: &[(&str, &[&str])], conform: bool) -> OidcProvider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/oidc-provider");
        let mut command = Command::new("bash");
        command.arg(script).arg("start").args([
            "--client",
            &format!("{CLIENT_ID}:{CLIENT_SECRET}:{redirect_uri}"),
        ]);
        for (login, groups) in accounts {
            command.args(["--account", &format!("{login}:{}", groups.join(","))]);
        }
        if conform {
            command.args(["--id-token-claims", "conform"]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("scripts/oidc-provider starts");
        let stdout = child.stdout.take().unwrap();
        // The provider prints {"issuer": ...} once it listens (after a first install, which
        // may take a minute).
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep reading: the provider writes to stdout later, and a closed pipe kills it.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = rx
            .recv_timeout(Duration::from_secs(300))
            .expect("the OIDC provider printed its issuer");
        let printed: serde_json::Value =
            serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        OidcProvider {
            issuer: printed["issuer"].as_str().expect("an issuer").to_string(),
            child,
        }
    }
}

/// A browser at the provider: follows its redirects and keeps its cookies, signs in on its
/// login form as `login`, and stops at the redirect back to the client, whose URL it returns.
pub async fn sign_in_at_provider(authorization_url: &str, login: &str, back_to: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let mut url = authorization_url.to_string();
    let mut form_posted = false;
    for _ in 0..12 {
        let cookies = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let response = http
            .get(&url)
            .header(reqwest::header::COOKIE, &cookies)
            .send()
            .await
            .unwrap();
        keep_cookies(&mut jar, &response);
        if response.status().is_redirection() {
            let location = location(&response, &url);
            if location.starts_with(back_to) {
                return location;
            }
            url = location;
            continue;
        }
        let status = response.status();
        let html = response.text().await.unwrap();
        assert!(status.is_success(), "{status} at {url}: {html}");
        assert!(
            !form_posted,
            "the provider showed a page after the login: {html}"
        );
        // The development login form: post the login (any password) to its action.
        let action = html
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no form at {url}: {html}"));
        let action = reqwest::Url::parse(&url)
            .unwrap()
            .join(action)
            .unwrap()
            .to_string();
        let cookies = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let posted = http
            .post(&action)
            .header(reqwest::header::COOKIE, &cookies)
            .form(&[("prompt", "login"), ("login", login), ("password", "any")])
            .send()
            .await
            .unwrap();
        keep_cookies(&mut jar, &posted);
        assert!(
            posted.status().is_redirection(),
            "the login form answered {}",
            posted.status()
        );
        url = location(&posted, &action);
        form_posted = true;
    }
    panic!("the provider never sent the browser back to {back_to}");
}

fn location(response: &reqwest::Response, base: &str) -> String {
    let to = response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("a redirect names where")
        .to_str()
        .unwrap();
    reqwest::Url::parse(base)
        .unwrap()
        .join(to)
        .unwrap()
        .to_string()
}

fn keep_cookies(jar: &mut BTreeMap<String, String>, response: &reqwest::Response) {
    for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
        let pair = set.to_str().unwrap().split(';').next().unwrap();
        if let Some((k, v)) = pair.split_once('=') {
            if v.is_empty() {
                jar.remove(k.trim());
            } else {
                jar.insert(k.trim().to_string(), v.to_string());
            }
        }
    }
}
