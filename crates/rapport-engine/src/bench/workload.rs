//! The benchmark's input: real post texts replayed with fresh ids as X API v2 stream envelopes
//! (NDJSON), so that the measured path starts at parsing the source JSON, as a live stream does.

use chrono::{DateTime, Duration, Utc};
use rapport_domain::Post;
use serde_json::json;

/// Builds `n` NDJSON lines from `seed_posts`, cycling through them. Every `dup_every`-th line
/// (when non-zero) repeats an earlier id, so dedupe is exercised.
pub fn ndjson(seed_posts: &[Post], n: usize, dup_every: usize) -> Vec<u8> {
    let start: DateTime<Utc> = DateTime::from_timestamp(1_700_000_000, 0).expect("valid time");
    let mut out = Vec::with_capacity(n * 400);
    let mut fresh = 0u64;
    for i in 0..n {
        let src = &seed_posts[i % seed_posts.len()];
        let id = if dup_every > 0 && i % dup_every == dup_every - 1 && fresh > 0 {
            // The id of a post sent a little earlier: a replay, which must not be stored twice.
            1_000_000_000 + fresh.saturating_sub(7).max(1)
        } else {
            fresh += 1;
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
        // Replies in the seed text stay replies, to a post a little earlier in the stream.
        if src.reply_to.is_some() && fresh > 3 {
            let parent = (1_000_000_000 + fresh - 3).to_string();
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
