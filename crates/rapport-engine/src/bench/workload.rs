//! The benchmark's input: real post texts replayed with fresh ids as X API v2 stream envelopes
//! (NDJSON), so that the measured path starts at parsing the source JSON, as a live stream does.
//!
//! Threads keep the shape they have in the seed files: a seed post that replies to another
//! seed post replies, in the replay, to that post's copy from the same pass over the seeds.
//! (An earlier workload made every reply answer the post three lines up, which chained most
//! of a run into three conversations of hundreds of thousands of posts, a shape no network
//! produces, and which measured one case growing without end rather than the ingest path.)

use chrono::{DateTime, Duration, Utc};
use rapport_domain::Post;
use serde_json::json;
use std::collections::HashMap;

/// Builds `n` NDJSON lines from `seed_posts`, cycling through them. Every `dup_every`-th line
/// (when non-zero) repeats an earlier id, so dedupe is exercised.
pub fn ndjson(seed_posts: &[Post], n: usize, dup_every: usize) -> Vec<u8> {
    let start: DateTime<Utc> = DateTime::from_timestamp(1_700_000_000, 0).expect("valid time");
    let mut out = Vec::with_capacity(n * 400);
    let mut fresh = 0u64;
    // Seed native id -> its copy's id, in the current pass over the seeds.
    let mut copies: HashMap<&str, u64> = HashMap::new();
    for i in 0..n {
        if i % seed_posts.len() == 0 {
            copies.clear();
        }
        let src = &seed_posts[i % seed_posts.len()];
        let id = if dup_every > 0 && i % dup_every == dup_every - 1 && fresh > 0 {
            // The id of a post sent a little earlier: a replay, which must not be stored twice.
            1_000_000_000 + fresh.saturating_sub(7).max(1)
        } else {
            fresh += 1;
            copies.insert(src.native_id.as_str(), 1_000_000_000 + fresh);
            1_000_000_000 + fresh
        };
        let user = format!("{}", 10_000 + (i % 50_000));
        let created = start + Duration::seconds(i as i64);
        let mut data = json!({
            "id": id.to_string(),
            "text": src.text,
            "author_id": user,
            "created_at": created.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "lang": "en",
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": i % 7, "quote_count": 0},
        });
        // A reply to a seed post replayed earlier in this pass answers that post's copy; a
        // reply whose parent comes later in the file (or not at all) answers a post the
        // stream has not carried, as replies to deleted or unseen posts do.
        if let Some(parent) = &src.reply_to {
            let parent = copies
                .get(parent.as_str())
                .map_or_else(|| format!("9{parent}"), |id| id.to_string());
            data["referenced_tweets"] = json!([{"type": "replied_to", "id": parent}]);
        }
        let line = json!({
            "data": data,
            "includes": {"users": [{"id": user, "username": format!("user{user}"), "name": format!("User {user}")}]},
        });
        serde_json::to_writer(&mut out, &line).expect("writing to memory");
        out.push(b'\n');
    }
    out
}
