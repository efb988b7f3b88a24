//! `rapport bench inbox` end to end on a small store: the figures it prints are there and
//! consistent, for the engine calls and for the pages as the server answers them. (How fast
//! they are is for the benchmark itself to report, not for a test to judge.)

use serde_json::Value;
use std::process::Command;

#[test]
fn the_inbox_benchmark_times_the_served_pages_too() {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/twcs/twcs_kaggle_sample_93.csv"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["bench", "inbox", "--cases", "3000", "--samples", "24"])
        .args(["--source", &format!("twcs:{sample}"), "--json"])
        .env("RAPPORT_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bench inbox failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(report["cases"].as_u64().unwrap() >= 3000, "{report}");
    let pages = &report["pages"];
    for kind in ["inbox_page", "case_page"] {
        let l = &pages[kind];
        assert_eq!(l["samples"], 24, "{kind}: {l}");
        let (p50, p95, max) = (
            l["p50_ms"].as_f64().unwrap(),
            l["p95_ms"].as_f64().unwrap(),
            l["max_ms"].as_f64().unwrap(),
        );
        assert!(0.0 < p50 && p50 <= p95 && p95 <= max, "{kind}: {l}");
        assert!(
            l["mean_bytes"].as_u64().unwrap() > 1_000,
            "{kind} is a page: {l}"
        );
    }
    let views: Vec<&str> = pages["inbox_page_by_view"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["view"].as_str().unwrap())
        .collect();
    for view in ["mine", "unassigned", "all", "at_risk", "priority:urgent"] {
        assert!(views.contains(&view), "{view} is timed: {views:?}");
    }
}
