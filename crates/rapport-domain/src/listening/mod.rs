//! The listening reports' nouns and arithmetic: the filter every figure is counted under (and
//! that lists the posts behind it), time buckets, sentiment counts and net sentiment, share of
//! voice and trending terms. The store counts; this module only divides, fills and ranks, so the
//! rules are tested here on plain numbers.

mod terms;
#[cfg(test)]
mod tests;

pub use terms::{Trend, is_stopword, post_terms, trending};

use crate::{Intent, Network, SentimentLabel, TopicId};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;
/// 1970-01-05, the first Monday after the epoch: weeks start on Mondays (ISO 8601).
const MONDAY: i64 = 4 * DAY;

/// The most buckets one chart holds, so a year by the hour is refused rather than drawn.
pub const MAX_BUCKETS: i64 = 2_000;

/// How a period is cut for the charts over time. Buckets are UTC; weeks start on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Hour,
    Day,
    Week,
}

impl Bucket {
    pub const ALL: [Bucket; 3] = [Bucket::Hour, Bucket::Day, Bucket::Week];

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }

    /// The bucket's length in microseconds.
    pub fn micros(self) -> i64 {
        match self {
            Bucket::Hour => HOUR,
            Bucket::Day => DAY,
            Bucket::Week => WEEK,
        }
    }

    /// Where bucket boundaries sit relative to the epoch, in microseconds.
    pub fn offset_micros(self) -> i64 {
        match self {
            Bucket::Week => MONDAY,
            _ => 0,
        }
    }

    /// The start of the bucket holding `micros` (microseconds since the epoch).
    pub fn floor_micros(self, micros: i64) -> i64 {
        let (len, off) = (self.micros(), self.offset_micros());
        (micros - off).div_euclid(len) * len + off
    }

    /// The start of the bucket holding `t`.
    pub fn floor(self, t: DateTime<Utc>) -> DateTime<Utc> {
        from_micros(self.floor_micros(t.timestamp_micros()))
    }

    /// The starts of every bucket that overlaps `[from, to)`, in order.
    pub fn starts(self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut at = self.floor_micros(from.timestamp_micros());
        let end = to.timestamp_micros();
        while at < end {
            out.push(from_micros(at));
            at += self.micros();
        }
        out
    }

    /// How many buckets `[from, to)` overlaps.
    pub fn count(self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let (a, b) = (from.timestamp_micros(), to.timestamp_micros());
        if b <= a {
            return 0;
        }
        (self.floor_micros(b - 1) - self.floor_micros(a)) / self.micros() + 1
    }

    /// The finest bucket that cuts `[from, to)` into at most 200 bars.
    pub fn auto(from: DateTime<Utc>, to: DateTime<Utc>) -> Bucket {
        Bucket::ALL
            .into_iter()
            .find(|b| b.count(from, to) <= 200)
            .unwrap_or(Bucket::Week)
    }
}

impl FromStr for Bucket {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Bucket::ALL
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown bucket '{s}' (expected hour, day or week)"))
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A post's sentiment as a report filters on it: a label, or none yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentPick {
    Label(SentimentLabel),
    Unlabelled,
}

/// A post's intents as a report filters on them: one intent, `other` (labelled, no intent) or
/// not labelled yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IntentPick {
    Intent(Intent),
    Other,
    Unlabelled,
}

impl FromStr for IntentPick {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "other" => Ok(IntentPick::Other),
            "unlabelled" => Ok(IntentPick::Unlabelled),
            _ => s.parse().map(IntentPick::Intent),
        }
    }
}

impl FromStr for SentimentPick {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "unlabelled" => Ok(SentimentPick::Unlabelled),
            _ => s.parse().map(SentimentPick::Label),
        }
    }
}

impl fmt::Display for SentimentPick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SentimentPick::Label(l) => l.fmt(f),
            SentimentPick::Unlabelled => f.write_str("unlabelled"),
        }
    }
}

impl fmt::Display for IntentPick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntentPick::Intent(i) => i.fmt(f),
            IntentPick::Other => f.write_str("other"),
            IntentPick::Unlabelled => f.write_str("unlabelled"),
        }
    }
}

/// An author as a report names one: network and handle (matched without case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuthorKey {
    pub network: Network,
    pub handle: String,
}

impl FromStr for AuthorKey {
    type Err = String;
    /// `network:handle`, as the reports' links write it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (network, handle) = s
            .split_once(':')
            .ok_or_else(|| format!("expected network:handle, got '{s}'"))?;
        let handle = handle.trim_start_matches('@');
        if handle.is_empty() {
            return Err(format!("expected network:handle, got '{s}'"));
        }
        Ok(AuthorKey {
            network: network.parse().map_err(|e| format!("{e}"))?,
            handle: handle.to_string(),
        })
    }
}

impl fmt::Display for AuthorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.network, self.handle)
    }
}

/// Which posts a listening report counts: those created in `[from, to)`, matched by any of
/// `topics`, on any of `networks`, in any of `langs` (an empty list does not narrow). The
/// narrower fields pick the posts behind one point of a chart (a sentiment, an intent, an
/// author, a hashtag), so a figure and the list of its posts come from one filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListeningFilter {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub topics: Vec<TopicId>,
    pub networks: Vec<Network>,
    /// Language tags, lowercased; `en` also takes `en-gb`.
    pub langs: Vec<String>,
    pub sentiment: Option<SentimentPick>,
    pub intent: Option<IntentPick>,
    pub author: Option<AuthorKey>,
    /// Without `#`, lowercased, as posts keep their hashtags.
    pub hashtag: Option<String>,
}

/// Why a filter cannot be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("'from' must be before 'to'")]
    EmptyPeriod,
    #[error("{0} buckets of one {1} are too many (at most {MAX_BUCKETS}); pick a longer bucket")]
    TooManyBuckets(i64, Bucket),
}

impl ListeningFilter {
    /// Every post of `[from, to)`.
    pub fn period(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        ListeningFilter {
            from,
            to,
            topics: Vec::new(),
            networks: Vec::new(),
            langs: Vec::new(),
            sentiment: None,
            intent: None,
            author: None,
            hashtag: None,
        }
    }

    /// Checks the period, and that `bucket` cuts it into a drawable number of bars.
    pub fn check(&self, bucket: Bucket) -> Result<(), FilterError> {
        if self.from >= self.to {
            return Err(FilterError::EmptyPeriod);
        }
        let n = bucket.count(self.from, self.to);
        if n > MAX_BUCKETS {
            return Err(FilterError::TooManyBuckets(n, bucket));
        }
        Ok(())
    }

    /// The period's length.
    pub fn span(&self) -> TimeDelta {
        self.to - self.from
    }

    /// The same filter over the period of equal length just before this one.
    pub fn previous(&self) -> Self {
        ListeningFilter {
            from: self.from - self.span(),
            to: self.from,
            ..self.clone()
        }
    }

    /// The same filter over `[from, to)` cut to this period: one bucket's posts.
    pub fn within(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        ListeningFilter {
            from: from.max(self.from),
            to: to.min(self.to),
            ..self.clone()
        }
    }
}

/// Posts by sentiment label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SentimentCounts {
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Posts not labelled yet: in the volume, not in net sentiment.
    pub unlabelled: u64,
}

impl SentimentCounts {
    pub fn add(&mut self, sentiment: Option<SentimentLabel>, n: u64) {
        match sentiment {
            Some(SentimentLabel::Positive) => self.positive += n,
            Some(SentimentLabel::Neutral) => self.neutral += n,
            Some(SentimentLabel::Negative) => self.negative += n,
            None => self.unlabelled += n,
        }
    }

    pub fn get(&self, pick: SentimentPick) -> u64 {
        match pick {
            SentimentPick::Label(SentimentLabel::Positive) => self.positive,
            SentimentPick::Label(SentimentLabel::Neutral) => self.neutral,
            SentimentPick::Label(SentimentLabel::Negative) => self.negative,
            SentimentPick::Unlabelled => self.unlabelled,
        }
    }

    /// Every post, labelled or not.
    pub fn total(&self) -> u64 {
        self.labelled() + self.unlabelled
    }

    pub fn labelled(&self) -> u64 {
        self.positive + self.neutral + self.negative
    }

    /// Net sentiment, `(positive - negative) / labelled`, from -1 to 1; `None` without a
    /// labelled post.
    pub fn net(&self) -> Option<f64> {
        let n = self.labelled();
        (n > 0).then(|| (self.positive as f64 - self.negative as f64) / n as f64)
    }

    pub fn merge(&mut self, other: &SentimentCounts) {
        self.positive += other.positive;
        self.neutral += other.neutral;
        self.negative += other.negative;
        self.unlabelled += other.unlabelled;
    }
}

/// One bucket of the volume and sentiment charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumePoint {
    pub start: DateTime<Utc>,
    /// The bucket's end, cut to the period's.
    pub end: DateTime<Utc>,
    pub counts: SentimentCounts,
}

/// Every bucket of the filter's period in order, empty ones at zero, from the store's counts
/// per (bucket start in microseconds, sentiment). Counts outside the period are dropped.
pub fn fill_buckets(
    filter: &ListeningFilter,
    bucket: Bucket,
    rows: &[(i64, Option<SentimentLabel>, u64)],
) -> Vec<VolumePoint> {
    let mut points: Vec<VolumePoint> = bucket
        .starts(filter.from, filter.to)
        .into_iter()
        .map(|start| VolumePoint {
            start: start.max(filter.from),
            end: (start + TimeDelta::microseconds(bucket.micros())).min(filter.to),
            counts: SentimentCounts::default(),
        })
        .collect();
    let first = bucket.floor_micros(filter.from.timestamp_micros());
    for &(start, sentiment, n) in rows {
        let i = (start - first).div_euclid(bucket.micros());
        if let Some(p) = usize::try_from(i).ok().and_then(|i| points.get_mut(i)) {
            p.counts.add(sentiment, n);
        }
    }
    points
}

/// A topic's part of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub topic: TopicId,
    pub name: String,
    pub counts: SentimentCounts,
    /// This topic's posts over the posts of every topic compared (a post matched by two
    /// topics counts for both), 0 to 1.
    pub share: f64,
}

/// Share of voice: each topic's posts over the sum of all topics' posts, biggest first (ties by
/// name); every share is 0 when no topic has a post.
pub fn share_of_voice(rows: Vec<(TopicId, String, SentimentCounts)>) -> Vec<Share> {
    let sum: u64 = rows.iter().map(|r| r.2.total()).sum();
    let mut out: Vec<Share> = rows
        .into_iter()
        .map(|(topic, name, counts)| Share {
            topic,
            name,
            share: if sum == 0 {
                0.0
            } else {
                counts.total() as f64 / sum as f64
            },
            counts,
        })
        .collect();
    out.sort_by(|a, b| {
        b.counts
            .total()
            .cmp(&a.counts.total())
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// Posts per intent. A post with two intents counts for both, so the intents may add up to
/// more than `total`; `other` is labelled posts with none, `unlabelled` posts not labelled yet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IntentMix {
    pub total: u64,
    pub question: u64,
    pub complaint: u64,
    pub praise: u64,
    pub lead: u64,
    pub feedback: u64,
    pub other: u64,
    pub unlabelled: u64,
}

impl IntentMix {
    /// Each pick with its count, in a fixed order.
    pub fn rows(&self) -> Vec<(IntentPick, u64)> {
        let mut rows: Vec<(IntentPick, u64)> = Intent::ALL
            .into_iter()
            .map(|i| (IntentPick::Intent(i), self.get(IntentPick::Intent(i))))
            .collect();
        rows.push((IntentPick::Other, self.other));
        rows.push((IntentPick::Unlabelled, self.unlabelled));
        rows
    }

    pub fn get(&self, pick: IntentPick) -> u64 {
        match pick {
            IntentPick::Intent(Intent::Question) => self.question,
            IntentPick::Intent(Intent::Complaint) => self.complaint,
            IntentPick::Intent(Intent::Praise) => self.praise,
            IntentPick::Intent(Intent::Lead) => self.lead,
            IntentPick::Intent(Intent::Feedback) => self.feedback,
            IntentPick::Other => self.other,
            IntentPick::Unlabelled => self.unlabelled,
        }
    }

    /// A pick's posts over every post counted, 0 to 1 (0 without posts).
    pub fn share(&self, pick: IntentPick) -> f64 {
        ratio(self.get(pick), self.total)
    }
}

fn ratio(n: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        n as f64 / total as f64
    }
}

/// How the top authors are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthorOrder {
    /// Most posts in the period.
    Volume,
    /// Most followers as last seen on their posts in the period; authors whose followers no
    /// source gave come after, by engagement (likes, reposts, replies, quotes), then posts.
    Reach,
}

/// One author's line of the top authors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorRow {
    pub author: AuthorKey,
    pub posts: u64,
    /// The most followers any of the period's posts gave; `None` when no source said.
    pub followers: Option<u64>,
    /// Likes, reposts, replies and quotes of the period's posts.
    pub engagement: u64,
}

/// Hashtag or term counts of a period, as the store or the term counter gives them.
pub type Counts = Vec<(String, u64)>;
