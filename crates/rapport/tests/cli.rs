//! The `rapport` program end to end: real files in, JSON out, on the backend the run asks for.

mod common;

use common::Workspace;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(rel)
}

#[tokio::test]
async fn import_twice_then_stats() {
    let w = Workspace::new().await;
    let file = data("twcs/twcs_head_5000.csv");
    let file = file.to_str().unwrap();
    let first = w.json(&["import", "twcs", file, "--json"]);
    assert_eq!(
        (first["imported"].as_u64(), first["rejected"].as_u64()),
        (Some(5000), Some(0))
    );
    let again = w.json(&["import", "twcs", file, "--json"]);
    assert_eq!(
        (
            again["imported"].as_u64(),
            again["already_present"].as_u64()
        ),
        (Some(0), Some(5000))
    );
    let stats = w.json(&["stats", "--json"]);
    assert_eq!(stats["posts"], 5000);
    for key in [
        "conversations",
        "contacts",
        "identities",
        "own_accounts",
        "topics",
        "matches",
    ] {
        assert!(stats[key].is_u64(), "stats lacks {key}: {stats}");
    }
    assert_eq!(stats["own_accounts"], 76, "the 76 brands of the file");
}

#[tokio::test]
async fn topics_search_and_backtest_from_the_command_line() {
    let w = Workspace::new().await;
    w.ok(&[
        "import",
        "twcs",
        data("twcs/twcs_head_5000.csv").to_str().unwrap(),
    ]);
    let added = w.ok(&["topics", "add", "Battery", "battery OR charging"]);
    assert!(added.contains("added topic 'Battery'"), "{added}");
    let list = w.json(&["topics", "list", "--json"]);
    assert_eq!(list["count"], 1);
    let matched = list["topics"][0]["matches"].as_u64().unwrap();
    assert!(matched > 10);

    let test = w.json(&[
        "topics",
        "test",
        "battery OR charging",
        "--json",
        "--limit",
        "3",
    ]);
    assert_eq!(test["count"].as_u64(), Some(matched));
    assert_eq!(test["posts"].as_array().unwrap().len(), 3);
    let per_day: u64 = test["per_day"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(per_day, matched);

    let search = w.json(&["search", "battery OR charging", "--json"]);
    assert_eq!(search["count"].as_u64(), Some(matched));
    let text = w.ok(&["search", "from:AppleSupport battery", "--limit", "2"]);
    assert!(text.contains("AppleSupport"), "{text}");

    w.ok(&["topics", "rm", "Battery"]);
    assert_eq!(w.json(&["topics", "list", "--json"])["count"], 0);
}

#[tokio::test]
async fn mistakes_are_explained_and_exit_non_zero() {
    let w = Workspace::new().await;
    if w.store_is_sqlite() {
        // Outside a workspace, reading commands say so instead of making an empty one and
        // answering 0 from it.
        for args in [
            &["topics", "test", "refund"][..],
            &["search", "refund"],
            &["topics", "list"],
        ] {
            let out = w.run(args);
            assert!(!out.status.success(), "{args:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("no Rapport workspace in"), "{args:?}: {err}");
            assert!(
                !w.path().join("rapport.db").exists(),
                "{args:?} made a store"
            );
        }
    }
    w.ok(&[
        "import",
        "twcs",
        data("twcs/twcs_kaggle_sample_93.csv").to_str().unwrap(),
    ]);
    // A query may start with '-': it is the query, not an unknown flag.
    let hyphen = w.json(&["search", "-thank* help", "--json"]);
    assert!(hyphen["count"].as_u64().unwrap() > 0, "{hyphen}");
    let bad = w.run(&["topics", "add", "Broken", "(wifi OR router"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("column"), "{err}");

    let bad = w.run(&["import", "myspace", "x.csv"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("myspace"));

    let bad = w.run(&["import", "twcs", "/nonexistent/file.csv"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent/file.csv"));
}

#[tokio::test]
async fn rejected_records_are_written_with_their_lines() {
    let w = Workspace::new().await;
    let src = std::fs::read_to_string(data("twcs/twcs_kaggle_sample_93.csv")).unwrap();
    let mut lines: Vec<&str> = src.split('\n').collect();
    lines.insert(5, "not,a,valid\r");
    let file = w.path().join("broken.csv");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let rejects = w.path().join("rejects.ndjson");
    let out = w.json(&[
        "import",
        "twcs",
        file.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        (out["imported"].as_u64(), out["rejected"].as_u64()),
        (Some(93), Some(1))
    );
    let written = std::fs::read_to_string(&rejects).unwrap();
    let reject: Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    assert_eq!(reject["line"], 6);
    assert!(reject["raw"].as_str().unwrap().starts_with("not,a,valid"));
}

#[tokio::test]
async fn demo_makes_a_workspace_to_explore() {
    let w = Workspace::new().await;
    let out = w.ok(&["demo", "--threads", "80", "--no-serve"]);
    assert!(out.contains("Try next"), "{out}");
    assert!(out.contains("demo"), "{out}");
    let stats = w.json(&["stats", "--json"]);
    assert!(stats["posts"].as_u64().unwrap() > 80);
    assert!(stats["topics"].as_u64().unwrap() >= 5);
    assert!(stats["matches"].as_u64().unwrap() > 0);
    assert!(stats["mentions"].as_u64().unwrap() > 0);
    // A second run adds nothing.
    w.ok(&["demo", "--threads", "80", "--no-serve"]);
    assert_eq!(w.json(&["stats", "--json"])["posts"], stats["posts"]);
}

#[test]
fn config_example_is_printed_whole() {
    // The test suite's own RAPPORT_TEST_* variables are not configuration.
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .env("RAPPORT_TEST_BACKEND", "sqlite")
        .args(["config", "example"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[server]") && text.contains("database_url ="));
}

#[test]
fn classify_and_eval_print_labels_and_scores() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let c = run(&[
        "classify",
        "@AppleSupport my battery died after the update and nobody helps",
        "--json",
    ]);
    assert_eq!(c["labels"]["sentiment"]["label"], "negative");
    assert!(
        c["sentiment"].as_array().is_some_and(|r| !r.is_empty()),
        "reasons: {c}"
    );

    let data = data("");
    let e = run(&["eval", "intent", "--data", data.to_str().unwrap(), "--json"]);
    let labels = e["labels"].as_array().unwrap();
    let question = labels.iter().find(|l| l["label"] == "question").unwrap();
    assert!(question["f1"].as_f64().unwrap() > 0.6, "{question}");

    let semeval = data.join("sentiment/semeval2017-task4a/twitter-2013dev-A.tsv");
    let s = run(&[
        "eval",
        "sentiment",
        "--format",
        "semeval",
        semeval.to_str().unwrap(),
        "--json",
    ]);
    assert!(s["macro_recall"].as_f64().unwrap() > 0.55, "{s}");
    assert!(s["confusion"].is_array());
}

/// The data directory and the database were created readable by everyone on the machine;
/// they hold customers' posts and contacts, so they are the owner's alone now.
#[test]
fn a_new_workspace_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("fresh").join("rapport-data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["import", "twcs"])
        .arg(data("twcs/twcs_kaggle_sample_93.csv"))
        .env("RAPPORT_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "the data directory");
    let db = dir.join("rapport.db");
    assert_eq!(mode(&db), 0o600, "the database");
    for extra in ["rapport.db-wal", "rapport.db-shm"] {
        let path = dir.join(extra);
        if path.exists() {
            assert_eq!(mode(&path) & 0o077, 0, "{extra}");
        }
    }
}

/// `admin create` reads the password from standard input, stores a user who can log in with
/// it, never prints it, and refuses a missing password or an unknown role.
#[tokio::test]
async fn admin_create_makes_a_user_who_logs_in_with_the_password_from_stdin() {
    use std::io::Write;
    let w = Workspace::new().await;
    let password = "correct-horse-battery-9";
    let mut child = w
        .command(&["admin", "create", "--user", "alice", "--role", "agent"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("created agent 'alice'"), "{stdout}");
    assert!(!stdout.contains(password) && !stderr.contains(password));

    let accounts = rapport_engine::accounts::Accounts::new(
        w.store().await,
        rapport_engine::accounts::AccountsConfig::default(),
    );
    let (principal, _) = accounts.login("alice", password).await.expect("logs in");
    assert_eq!(principal.user.role, rapport_domain::Role::Agent);
    assert!(accounts.login("alice", "wrong-password-1").await.is_err());

    for (args, expected) in [
        (
            &["admin", "create", "--user", "bob", "--role", "agent"][..],
            "no password",
        ),
        (
            &["admin", "create", "--user", "bob", "--role", "overlord"],
            "overlord",
        ),
    ] {
        let out = w
            .command(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

/// `rapport import` settles history unless `--open-history`, and `rapport report care`
/// prints each own account's figures.
#[tokio::test]
async fn history_comes_in_resolved_and_the_care_report_prints_per_account() {
    let file = data("twcs/twcs_head_5000.csv");
    let file = file.to_str().unwrap();
    let settled = Workspace::new().await;
    let summary = settled.json(&["import", "twcs", file, "--json"]);
    let stats = settled.json(&["stats", "--json"]);
    let cases = stats["cases"].as_u64().unwrap();
    assert!(cases > 1_000, "{stats}");
    assert_eq!(summary["settled_history"].as_u64(), Some(cases));
    assert_eq!(stats["cases_by_status"]["resolved"].as_u64(), Some(cases));
    let open = Workspace::new().await;
    open.json(&["import", "twcs", file, "--open-history", "--json"]);
    let stats = open.json(&["stats", "--json"]);
    assert_eq!(stats["cases"].as_u64(), Some(cases));
    assert_eq!(stats["cases_by_status"].get("resolved"), None, "{stats}");

    let report = settled.json(&["report", "care", "--json"]);
    let accounts = report["accounts"].as_array().unwrap();
    let apple = accounts
        .iter()
        .find(|a| a["account"] == "AppleSupport")
        .unwrap_or_else(|| panic!("{report}"));
    let (inbound, answered) = (
        apple["inbound"].as_u64().unwrap(),
        apple["answered"].as_u64().unwrap(),
    );
    assert!(inbound >= answered && answered > 100, "{apple}");
    assert_eq!(
        apple["response_rate"].as_f64(),
        Some(answered as f64 / inbound as f64)
    );
    assert!(apple["median_reply_seconds"].as_f64().unwrap() > 0.0);
    let text = settled.ok(&["report", "care"]);
    assert!(text.contains("AppleSupport"), "{text}");
}
