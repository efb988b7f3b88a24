//! File importers: read an export of social posts and hand over one normalized [`Post`] at a
//! time.
//!
//! [`read_records`] reads from any [`BufRead`] one record at a time and never holds more than
//! one record (at most [`MAX_RECORD_BYTES`]) in memory, whatever the size of the file: a JSON
//! array is split element by element, never parsed whole. A bad record never stops the import:
//! it comes out as a [`Record::Reject`] carrying the 1-based line where it starts, the reason and
//! its text, and reading goes on with the next record. Events of the source that are not posts
//! (a like, a delete, an identity change) come out as [`Record::Skipped`] so they can be
//! counted.
//!
//! # Formats and how each maps to a [`Post`]
//!
//! Every format keeps the source record exactly as it appeared in the file in [`Post::raw`]: the
//! CSV row text (without its line terminator) or the JSON value text. Entity lists follow the
//! domain's rules: mentions, hashtags and cashtags lowercased without their sigil, links as
//! written; duplicates within one post are dropped.
//!
//! ## `twcs`: Customer Support on Twitter (CSV)
//! - Network `x`: these are tweets; `tweet_id` is the dataset's own id (it is not the real tweet
//!   id, but it is stable within the dataset and the reply links use it).
//! - Columns are found by header name, so pandas index columns (unnamed or `index`) in front are
//!   ignored. Ids written as floats (`3.0`) are read as integers (`3`).
//! - `author_id` is the handle (a brand's handle, or the dataset's anonymised number for a
//!   customer); there is no separate account id. `inbound=False` sets
//!   [`Author::own_account`](rapport_domain::Author::own_account): the brand's own account.
//! - `in_response_to_tweet_id` is the reply link. `response_tweet_id` (possibly a
//!   comma-separated list) points the other way and is kept only in `raw`: the replies carry
//!   their own link.
//! - `created_at` is Twitter's `Tue Oct 31 22:10:47 +0000 2017`.
//! - `text` has its HTML entities decoded (`&amp;` becomes `&`); entities are extracted from the
//!   decoded text (see below).
//!
//! ## `airline`: Twitter US Airline Sentiment (CSV)
//! - Network `x`, `tweet_id` as native id, author handle = `name`, `tweet_created` like
//!   `2015-02-24 11:35:52 -0800`, `retweet_count` to `engagement.reposts`. The sentiment labels
//!   stay in `raw`. Tweet ids repeated in the file are all read: deduplication is the store's job.
//!
//! ## Entities from plain text (`twcs`, `airline`, and cashtags for `jetstream` and `mastodon`)
//! Where a format has no entity fields they are taken from the text: `@mention` and `#hashtag`
//! after a non-word character, `$cashtag` of letters only (`$AAPL`, `$BRK.A`, never `$5`), and
//! `http://` / `https://` links up to the next whitespace, without trailing punctuation.
//!
//! ## `x-v2`: X API v2 tweet objects (JSON)
//! A tweet object alone, an array of them, a response page `{"data":[...],"includes":{...}}`, or
//! NDJSON stream envelopes `{"data":{...},"includes":{"users":[...]}}`.
//! - Author from `includes.users` by `author_id`: `username` as handle, `name`,
//!   `public_metrics.followers_count`; without a matching user the handle is the `author_id`.
//! - `reply_to` = the `referenced_tweets` entry of type `replied_to`; `reply_to_handle` =
//!   `in_reply_to_user_id` resolved through `includes.users` (or the tweet's own mention
//!   entities); `root_id` = `conversation_id`; `lang` = `lang`.
//! - Entities from `entities.mentions[].username`, `hashtags[].tag`, `cashtags[].tag`,
//!   `urls[].expanded_url` (the `t.co` url when there is no expanded one). A long post's
//!   `note_tweet` gives the full text and its entities.
//! - `public_metrics` to engagement (`like_count`, `retweet_count`, `reply_count`,
//!   `quote_count`). Without `created_at` the time is read from the id (a snowflake id holds its
//!   creation time); a `created_at` that does not parse rejects the record.
//! - `raw`: the value as it appeared when it holds one tweet (the tweet, or the envelope with its
//!   includes); in a page of several tweets, each post keeps its own tweet object's text.
//!
//! ## `jetstream`: Bluesky Jetstream commit events (NDJSON)
//! - Only `kind=commit`, `operation=create`, `collection=app.bsky.feed.post` becomes a post;
//!   everything else (identity and account events, likes, follows, deletes, updates) is
//!   [`Record::Skipped`].
//! - Native id = `at://{did}/app.bsky.feed.post/{rkey}`. Jetstream carries no handle: the author
//!   handle and [`Author::native_id`](rapport_domain::Author::native_id) are the DID.
//! - `reply_to` = `record.reply.parent.uri`, `root_id` = `record.reply.root.uri`, `lang` = the
//!   first of `record.langs`, `created_at` = `record.createdAt`; `reply_to_handle` = the DID in
//!   the parent's URI (the parent author's handle in the same sense).
//! - Mentions (the DIDs), links and tags from `record.facets` features, plus `record.tags`;
//!   cashtags from the text. Jetstream carries no counts: engagement stays zero.
//!
//! ## `mastodon`: Mastodon Status entities (JSON)
//! A single Status, an array of them (a timeline page), or NDJSON.
//! - Native id = `id` (ids are those of the server the statuses were read from, which is also
//!   what `in_reply_to_id` refers to).
//! - Handle = `account.acct`, made fully qualified (`user@host`) with the host of `account.url`
//!   when the account is local to that server; the same for mentions (`mentions[].acct` with the
//!   host of `mentions[].url`).
//! - `content` HTML becomes plain text: paragraphs and `<br>` become line breaks, entities are
//!   decoded, every tag is dropped and the contents of `<script>` / `<style>` are never kept. A
//!   non-empty `spoiler_text` (content warning) comes first, followed by a blank line.
//! - Hashtags from `tags[].name`, links from the content's `<a href>` that are neither mentions
//!   nor hashtags, cashtags from the text.
//! - `reply_to` = `in_reply_to_id`; `reply_to_handle` = the mention whose `id` equals
//!   `in_reply_to_account_id` (the author's own handle on a self-reply); `lang` = `language`;
//!   `favourites_count`, `reblogs_count`, `replies_count`, `quotes_count` to engagement.
//! - A boost (a Status whose `reblog` is set) is skipped: it is not a post of its own.

mod csv_rows;
mod dates;
mod entities;
pub(crate) mod html;
mod jetstream;
mod json_stream;
mod mastodon;

pub(crate) use mastodon::qualified as mastodon_handle;
mod tabular;
mod x_v2;

use rapport_domain::Post;
use std::{fmt, io::BufRead, str::FromStr};

/// The largest record an importer accepts. A longer one is rejected without being held whole in
/// memory; no real post comes near it.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// A file format `rapport import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Customer Support on Twitter CSV.
    Twcs,
    /// X API v2 tweet objects, response pages or stream envelopes.
    XV2,
    /// Bluesky Jetstream commit events, NDJSON.
    Jetstream,
    /// Mastodon Status entities.
    Mastodon,
    /// Twitter US Airline Sentiment CSV.
    Airline,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Twcs,
        Format::XV2,
        Format::Jetstream,
        Format::Mastodon,
        Format::Airline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Twcs => "twcs",
            Format::XV2 => "x-v2",
            Format::Jetstream => "jetstream",
            Format::Mastodon => "mastodon",
            Format::Airline => "airline",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown import format '{0}' (expected twcs, x-v2, jetstream, mastodon or airline)")]
pub struct ParseFormatError(pub String);

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseFormatError(s.to_string()))
    }
}

/// A record that could not be read as a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// 1-based line of the file where the record starts.
    pub line: u64,
    /// Why it was rejected, naming the field or position where the input went wrong.
    pub reason: String,
    /// The record's text as read (invalid UTF-8 replaced; an oversized record cut to its first
    /// kilobytes).
    pub raw: String,
}

/// One thing read from an import file.
// Posts are nearly every record: boxing each one would cost an allocation per record for the
// sake of the rare skip or reject.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Post(Post),
    /// An event of the source that is not a post (a like, a delete, a boost): counted, not
    /// rejected. `what` names it, e.g. `commit delete app.bsky.feed.post`.
    Skipped {
        line: u64,
        what: String,
    },
    Reject(Reject),
}

impl Record {
    /// A reject keeping at most [`REJECT_EXCERPT_BYTES`] of the record's text (a 1 MB record
    /// once went whole into the rejects file), with the record's full length said after the
    /// cut.
    fn reject(line: u64, reason: impl Into<String>, raw: impl AsRef<str>) -> Record {
        let raw = raw.as_ref();
        let raw = if raw.len() > REJECT_EXCERPT_BYTES {
            let mut cut = REJECT_EXCERPT_BYTES;
            while !raw.is_char_boundary(cut) {
                cut -= 1;
            }
            format!("{}… ({} bytes in all)", &raw[..cut], raw.len())
        } else {
            raw.to_string()
        };
        Record::Reject(Reject {
            line,
            reason: reason.into(),
            raw,
        })
    }
}

/// The most of a rejected record's text kept in its [`Reject`].
pub const REJECT_EXCERPT_BYTES: usize = 4096;

/// Reads `format` records from `reader`, one at a time, in constant memory.
///
/// The iterator never fails: unreadable records come out as [`Record::Reject`] and reading goes
/// on; an IO error of the reader itself comes out as one last reject.
pub fn read_records<R: BufRead + Send + 'static>(
    format: Format,
    reader: R,
) -> Box<dyn Iterator<Item = Record> + Send> {
    match format {
        Format::Twcs => Box::new(tabular::CsvRecords::new(reader, tabular::Kind::Twcs)),
        Format::Airline => Box::new(tabular::CsvRecords::new(reader, tabular::Kind::Airline)),
        Format::XV2 => Box::new(json_stream::JsonRecords::new(reader, x_v2::map_value)),
        Format::Jetstream => Box::new(json_stream::JsonRecords::new(reader, jetstream::map_value)),
        Format::Mastodon => Box::new(json_stream::JsonRecords::new(reader, mastodon::map_value)),
    }
}

/// The creation time a snowflake id (X, and many Mastodon servers) holds.
pub(crate) use dates::snowflake as snowflake_time;

/// Maps one Jetstream event received live (see [`Format::Jetstream`]).
pub(crate) fn map_jetstream(text: &str) -> Record {
    map_one(jetstream::map_value, text)
}

/// Maps one Mastodon Status received live (see [`Format::Mastodon`]).
pub(crate) fn map_mastodon(text: &str) -> Record {
    map_one(mastodon::map_value, text)
}

/// Maps one X v2 stream envelope received live (see [`Format::XV2`]).
pub(crate) fn map_x(text: &str) -> Record {
    map_one(x_v2::map_value, text)
}

fn map_one(map: fn(u64, &str, &mut std::collections::VecDeque<Record>), text: &str) -> Record {
    let mut out = std::collections::VecDeque::with_capacity(1);
    map(0, text, &mut out);
    out.pop_front()
        .unwrap_or_else(|| Record::reject(0, "no record in the value", text))
}

/// The text of a record for a [`Reject`]: invalid UTF-8 replaced, and no longer than a few
/// kilobytes so that a rejects file stays readable.
fn reject_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(REJECT_EXCERPT_BYTES)];
    String::from_utf8_lossy(cut).into_owned()
}

/// Keeps the first occurrence of each value, in order.
fn dedup(values: &mut Vec<String>) {
    if values.len() < 2 {
        return;
    }
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    values.retain(|v| seen.insert(v.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_through_their_names() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
        }
        assert_eq!("X-V2".parse::<Format>().unwrap(), Format::XV2);
        let err = "csv".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown import format 'csv' (expected twcs, x-v2, jetstream, mastodon or airline)"
        );
    }

    #[test]
    fn dedup_keeps_first_occurrences_in_order() {
        let mut v: Vec<String> = ["b", "a", "b", "c", "a"].map(String::from).to_vec();
        dedup(&mut v);
        assert_eq!(v, ["b", "a", "c"]);
    }
}
