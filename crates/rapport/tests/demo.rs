//! `rapport demo` end to end: the real program builds a workspace in a temporary data
//! directory (or a PostgreSQL database of its own), and the test reads back what it made
//! through the engine, logs in with the printed passwords, and talks to the served UI.

mod common;

use common::Workspace;
use rapport_domain::care::ReplyStatus;
use rapport_domain::{Actor, CaseId, Role};
use rapport_engine::accounts::{AccountError, Accounts, AccountsConfig};
use rapport_engine::care::Care;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Small enough to be quick, large enough for a case in every state.
const THREADS: &str = "60";

/// The users the demo printed: name -> (role, password).
fn printed_users(out: &str) -> BTreeMap<String, (String, String)> {
    out.lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [role, name, password, ..]
                    if name.starts_with("demo-") && role.parse::<Role>().is_ok() =>
                {
                    Some((name.to_string(), (role.to_string(), password.to_string())))
                }
                _ => None,
            }
        })
        .collect()
}

/// Statuses of every case, and the cases themselves, read through the care use cases.
async fn cases(care: &Care) -> Vec<rapport_domain::care::CaseRecord> {
    let mut out = Vec::new();
    let mut misses = 0;
    let mut id = 1;
    while misses < 64 {
        match care.case(CaseId(id)).await.unwrap() {
            Some(r) => {
                misses = 0;
                out.push(r);
            }
            None => misses += 1,
        }
        id += 1;
    }
    out
}

fn by_status(cases: &[rapport_domain::care::CaseRecord]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for c in cases {
        *m.entry(c.case.status.as_str()).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn demo_without_serving_makes_users_and_worked_cases() {
    let w = Workspace::new().await;
    let out = w.ok(&["demo", "--threads", THREADS, "--no-serve"]);
    assert!(out.contains("Try next"), "{out}");
    assert!(
        !out.contains("listening on"),
        "--no-serve serves nothing: {out}"
    );
    let users = printed_users(&out);
    let names: Vec<&str> = users.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["demo-admin", "demo-agent1", "demo-agent2", "demo-analyst"],
        "{out}"
    );

    let store = w.store().await;
    let accounts = Accounts::new(store.clone(), AccountsConfig::default());
    for (name, (role, password)) in &users {
        let user = accounts.verify_login(name, password).await.unwrap();
        assert_eq!(user.role.as_str(), role);
    }
    assert!(matches!(
        accounts
            .verify_login("demo-agent1", "not-the-password")
            .await,
        Err(AccountError::InvalidCredentials)
    ));

    let care = Care::new(store.clone());
    let all = cases(&care).await;
    let statuses = by_status(&all);
    for status in ["new", "open", "pending", "resolved", "closed"] {
        assert!(
            statuses.get(status).copied().unwrap_or(0) > 0,
            "no {status} case: {statuses:?}"
        );
    }
    // Open cases are assigned; a reopened case is open again and says so in its log.
    for c in all.iter().filter(|c| c.case.status.as_str() == "open") {
        assert!(
            c.case.assignee.is_some(),
            "open case {} unassigned",
            c.case.id
        );
    }
    let mut notes = 0;
    let mut reopened = 0;
    let mut by_users = 0;
    for c in &all {
        notes += care.store().notes().notes(c.case.id).await.unwrap().len();
        let events = care.store().cases().case_events(c.case.id).await.unwrap();
        by_users += events
            .iter()
            .filter(|e| matches!(e.actor, Actor::User(_)))
            .count();
        reopened += events
            .iter()
            .filter(|e| {
                matches!(
                    e.change,
                    rapport_domain::CaseChange::Status {
                        action: rapport_domain::CaseAction::Reopen,
                        ..
                    }
                )
            })
            .count();
    }
    assert!(notes > 0, "no internal notes");
    assert!(reopened > 0, "no reopened case");
    assert!(by_users > all.len(), "the agents' actions are audited");
    let queued = care.outbox(Some(ReplyStatus::Queued), 500).await.unwrap();
    assert!(!queued.is_empty(), "no reply waits in the outbox");
    assert!(
        queued
            .iter()
            .all(|r| r.idempotency_key.starts_with("demo-"))
    );
    let saved = care.saved_replies().await.unwrap();
    assert!(
        saved
            .iter()
            .any(|r| r.body.contains("{{contact.first_name}}")),
        "saved replies with variables: {saved:?}"
    );
    let teams = store.settings().teams().await.unwrap();
    let team = teams.iter().find(|t| t.name == "Demo care team").unwrap();
    assert_eq!(team.members.len(), 2);
    assert!(team.sla_policy.is_some());

    // Again: nothing is duplicated, the users get new passwords, the cases stay as they were.
    let again = w.ok(&["demo", "--threads", THREADS, "--no-serve"]);
    let users_again = printed_users(&again);
    assert_eq!(users_again.len(), 4, "{again}");
    assert_eq!(accounts.users().await.unwrap().len(), 4);
    for (name, (_, password)) in &users_again {
        assert_ne!(password, &users[name].1, "{name} got a new password");
        accounts.verify_login(name, password).await.unwrap();
        assert!(accounts.verify_login(name, &users[name].1).await.is_err());
    }
    let all_again = cases(&care).await;
    assert_eq!(all_again.len(), all.len());
    assert_eq!(by_status(&all_again), statuses);
    assert_eq!(
        care.outbox(Some(ReplyStatus::Queued), 500)
            .await
            .unwrap()
            .len(),
        queued.len()
    );
    assert_eq!(store.settings().teams().await.unwrap().len(), teams.len());
    assert_eq!(care.saved_replies().await.unwrap().len(), saved.len());
}

#[tokio::test]
async fn demo_over_a_real_export_gets_the_same_users_and_care_desk() {
    let w = Workspace::new().await;
    let file = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/twcs/twcs_kaggle_sample_93.csv"
    ));
    let out = w.ok(&[
        "demo",
        "--from",
        file.to_str().unwrap(),
        "--format",
        "twcs",
        "--no-serve",
    ]);
    assert!(out.contains("imported 93 posts"), "{out}");
    let users = printed_users(&out);
    assert_eq!(users.len(), 4, "{out}");
    let store = w.store().await;
    let accounts = Accounts::new(store.clone(), AccountsConfig::default());
    let (_, password) = &users["demo-agent2"];
    assert_eq!(
        accounts
            .verify_login("demo-agent2", password)
            .await
            .unwrap()
            .role,
        Role::Agent
    );
    let care = Care::new(store.clone());
    let statuses = by_status(&cases(&care).await);
    // Every thread of this export has the brand's reply, which is the agent's reply on its
    // case (it leaves the case pending), so none is left new.
    for status in ["open", "pending", "resolved", "closed"] {
        assert!(
            statuses.get(status).copied().unwrap_or(0) > 0,
            "no {status} case: {statuses:?}"
        );
    }
    assert_eq!(statuses.get("new"), None, "{statuses:?}");
    let rules = care.rules().await.unwrap();
    assert!(
        rules.topics.iter().any(|t| t.team.is_some()),
        "a twcs topic routes to the team: {rules:?}"
    );
}

/// Kills the server if the test fails before it stops it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn get(addr: &str, path: &str) -> String {
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
}

/// The value of a cookie the answer sets.
fn set_cookie<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    answer
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or(l.strip_prefix("Set-Cookie: "))
        })
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap())
}

#[tokio::test]
async fn demo_serves_the_ui_and_stops_on_interrupt() {
    let w = Workspace::new().await;
    let child = w
        .command(&["demo", "--threads", "20", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let addr = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("demo ended before serving: {printed}"))
            .unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim().to_string();
        }
    };
    let users = printed_users(&printed);
    assert_eq!(users.len(), 4, "{printed}");

    let health = get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let login = get(&addr, "/login");
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(login.contains("name=\"password\""), "{login}");

    // Log in as an agent with the printed password.
    let csrf = set_cookie(&login, "rapport_csrf").expect("the login form's cookie");
    let (_, password) = &users["demo-agent1"];
    let body = format!("csrf={csrf}&name=demo-agent1&password={password}");
    let answer = http(
        &addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nCookie: rapport_csrf={csrf}\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(set_cookie(&answer, "rapport_session").is_some(), "{answer}");

    // Ctrl-C: the server finishes and the program exits cleanly.
    let pid = server.0.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = server.0.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not stop on SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    assert!(
        TcpStream::connect(&addr).is_err(),
        "nothing listens any more"
    );
}
