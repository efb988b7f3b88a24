//! The listening reports' parameters, shared by the page and the API: read from a query
//! string (repeated keys for lists, as a form's checkboxes send them) into the engine's
//! [`ListeningFilter`], and written back as the query string of the posts behind a figure, so
//! every bar and row links to exactly the posts it counts.

use crate::pages::encode;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rapport_domain::listening::{Bucket, ListeningFilter};
use rapport_domain::{Topic, TopicId};
use rapport_engine::Engine;

/// The period shown when none is asked for: the 30 days before now.
const DEFAULT_DAYS: i64 = 30;

/// What a listening request asks for.
#[derive(Debug, Clone)]
pub struct Request {
    pub filter: ListeningFilter,
    pub bucket: Bucket,
    /// A term the posts must hold (the posts behind a trending term).
    pub term: Option<String>,
    pub top: u32,
    pub limit: u32,
    pub offset: u32,
    /// Every topic, to name the filter's ids and to offer them.
    pub topics: Vec<Topic>,
}

/// A parameter that cannot be read: its name and why.
#[derive(Debug, Clone)]
pub struct BadParam(pub String, pub String);

fn time(name: &str, v: &str) -> Result<DateTime<Utc>, BadParam> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        .map_err(|_| BadParam(name.into(), "expected RFC 3339 or YYYY-MM-DD".into()))
}

fn number(name: &str, v: &str, max: u32) -> Result<u32, BadParam> {
    v.parse::<u32>()
        .map(|n| n.min(max))
        .map_err(|_| BadParam(name.into(), format!("expected a whole number up to {max}")))
}

/// Reads the parameters; an empty value is as good as none (a form's blank field).
pub async fn parse(engine: &Engine, pairs: &[(String, String)]) -> Result<Request, BadParam> {
    let topics = engine
        .topic_list()
        .await
        .map_err(|e| BadParam("topic".into(), e.to_string()))?;
    let (mut from, mut to, mut bucket) = (None, None, None);
    let mut r = Request {
        filter: ListeningFilter::period(Utc::now(), Utc::now()),
        bucket: Bucket::Day,
        term: None,
        top: 10,
        limit: 50,
        offset: 0,
        topics: Vec::new(),
    };
    let bad = |name: &str, e: String| BadParam(name.into(), e);
    for (k, v) in pairs {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match k.as_str() {
            "from" => from = Some(time(k, v)?),
            "to" => to = Some(time(k, v)?),
            "bucket" => bucket = Some(v.parse::<Bucket>().map_err(|e| bad(k, e))?),
            "topic" => {
                let t = topics
                    .iter()
                    .find(|t| t.name == v || t.id.0.to_string() == v)
                    .ok_or_else(|| bad(k, format!("no topic named '{v}'")))?;
                if !r.filter.topics.contains(&t.id) {
                    r.filter.topics.push(t.id);
                }
            }
            "network" => r
                .filter
                .networks
                .push(v.parse().map_err(|e| bad(k, format!("{e}")))?),
            "lang" => r.filter.langs.push(v.to_lowercase()),
            "sentiment" => r.filter.sentiment = Some(v.parse().map_err(|e| bad(k, e))?),
            "intent" => r.filter.intent = Some(v.parse().map_err(|e| bad(k, e))?),
            "author" => r.filter.author = Some(v.parse().map_err(|e| bad(k, e))?),
            "hashtag" => r.filter.hashtag = Some(v.trim_start_matches('#').to_lowercase()),
            "term" => r.term = Some(v.to_lowercase()),
            "top" => r.top = number(k, v, 100)?.max(1),
            "limit" => r.limit = number(k, v, 500)?.max(1),
            "offset" => r.offset = number(k, v, 10_000)?,
            _ => {}
        }
    }
    let to = to.unwrap_or_else(Utc::now);
    let from = from.unwrap_or(to - TimeDelta::days(DEFAULT_DAYS));
    r.filter.from = from;
    r.filter.to = to;
    r.bucket = bucket.unwrap_or_else(|| Bucket::auto(from, to));
    r.filter
        .check(r.bucket)
        .map_err(|e| BadParam("from".into(), e.to_string()))?;
    r.topics = topics;
    Ok(r)
}

/// The name of a topic id, or the id itself.
fn topic_name(topics: &[Topic], id: TopicId) -> String {
    topics
        .iter()
        .find(|t| t.id == id)
        .map_or_else(|| id.0.to_string(), |t| t.name.clone())
}

/// The query string (without `?`) that asks for `filter` (and `term`): the posts behind a
/// figure counted under it.
pub fn query_string(
    filter: &ListeningFilter,
    bucket: Bucket,
    term: Option<&str>,
    topics: &[Topic],
) -> String {
    let mut q: Vec<(&str, String)> = vec![
        ("from", filter.from.to_rfc3339()),
        ("to", filter.to.to_rfc3339()),
        ("bucket", bucket.as_str().to_string()),
    ];
    for t in &filter.topics {
        q.push(("topic", topic_name(topics, *t)));
    }
    for n in &filter.networks {
        q.push(("network", n.to_string()));
    }
    for l in &filter.langs {
        q.push(("lang", l.clone()));
    }
    if let Some(s) = filter.sentiment {
        q.push(("sentiment", s.to_string()));
    }
    if let Some(i) = filter.intent {
        q.push(("intent", i.to_string()));
    }
    if let Some(a) = &filter.author {
        q.push(("author", a.to_string()));
    }
    if let Some(h) = &filter.hashtag {
        q.push(("hashtag", h.clone()));
    }
    if let Some(t) = term {
        q.push(("term", t.to_string()));
    }
    q.iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}
