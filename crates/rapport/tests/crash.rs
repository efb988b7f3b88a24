//! An import killed with SIGKILL at random points and imported again ends with the same store
//! as one clean import: no post without the case it should have, nothing counted twice.

mod common;

use common::Workspace;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(rel)
}

/// Small batches give an import many commits, so the kills land between many of them.
const BATCH_SIZE: &str = "50";
const KILLS: usize = 20;

/// xorshift64*: a seeded sequence of delays, the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// What two stores that imported the same posts must agree on.
fn counts(stats: &Value) -> Value {
    json!({
        "posts": stats["posts"],
        "contacts": stats["contacts"],
        "conversations": stats["conversations"],
        "cases": stats["cases"],
        "cases_by_status": stats["cases_by_status"],
        "case_posts": stats["case_posts"],
        "case_events": stats["case_events"],
        "leads": stats["leads"],
        "lead_flags": stats["lead_flags"],
    })
}

fn import(w: &Workspace, file: &str) -> std::process::Command {
    let mut cmd = w.command(&["import", "twcs", file, "--json"]);
    cmd.env("RAPPORT_INGEST__BATCH_SIZE", BATCH_SIZE)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

#[tokio::test]
async fn an_import_killed_twenty_times_ends_like_a_clean_one() {
    let file = data("twcs/twcs_head_5000.csv");
    let file = file.to_str().unwrap();

    let clean = Workspace::new().await;
    let started = Instant::now();
    assert!(import(&clean, file).status().unwrap().success());
    let one_import = started.elapsed();
    let expected = counts(&clean.json(&["stats", "--json"]));
    assert_eq!(expected["posts"], 5000);
    assert!(
        expected["cases"].as_u64().unwrap() > 100,
        "the file opens cases: {expected}"
    );

    let killed = Workspace::new().await;
    // The store exists (and is migrated) before the first run, so this process can watch it.
    let watch = killed.store().await;
    let posts = || async { watch.posts().stats().await.unwrap().posts };
    let mut rng = Rng(0x5eed_0fc0_ffee);
    let mut kills = 0;
    let mut at_kills = Vec::new();
    while kills < KILLS {
        let before = posts().await;
        let mut child = import(&killed, file).spawn().unwrap();
        // A run first reads back what is stored (duplicates, however long that takes), then
        // stores new batches. It is killed at a random point of that new part: once a random
        // number of new posts has committed, after a random delay (the gap between a batch's
        // commit and its routing's is where a lost case would come from).
        let wanted = before + 1 + rng.below(150);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut finished = false;
        while posts().await < wanted {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            assert!(
                Instant::now() < deadline,
                "run {kills} stored nothing new in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if finished {
            break;
        }
        tokio::time::sleep(Duration::from_millis(rng.below(25))).await;
        // `Child::kill` is SIGKILL on Unix: no destructor, no rollback handler runs.
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        at_kills.push(posts().await);
    }
    assert!(import(&killed, file).status().unwrap().success());
    let got = counts(&killed.json(&["stats", "--json"]));
    assert_eq!(
        got, expected,
        "after {kills} kills (posts stored at each: {at_kills:?}; one clean import took \
         {one_import:?}) the store differs from a clean import"
    );
    assert_eq!(
        kills, KILLS,
        "the import finished after {kills} kills (posts stored at each: {at_kills:?})"
    );
}
