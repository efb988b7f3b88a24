//! Shared by the table-driven suites: a post builder and the runner that checks every case
//! with the one-query evaluator, a one-topic matcher, and one matcher holding every case.

#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use rapport_domain::{
    Author, Engagement, Intent, IntentSet, Labels, Network, Post, Sentiment, SentimentLabel,
    TopicId, TopicOptions, Urgency,
};
use rapport_query::{Matcher, matches, parse};

pub struct P {
    pub post: Post,
    pub labels: Option<Labels>,
    pub options: TopicOptions,
}

pub fn p(text: &str) -> P {
    P {
        post: Post {
            network: Network::X,
            native_id: "1".into(),
            author: Author {
                handle: "someone".into(),
                ..Author::default()
            },
            text: text.into(),
            created_at: Utc.with_ymd_and_hms(2017, 10, 31, 22, 10, 47).unwrap(),
            lang: None,
            reply_to: None,
            reply_to_handle: None,
            root_id: None,
            mentions: Vec::new(),
            hashtags: Vec::new(),
            cashtags: Vec::new(),
            links: Vec::new(),
            engagement: Engagement::default(),
            raw: String::new(),
        },
        labels: None,
        options: TopicOptions::default(),
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl P {
    pub fn from(mut self, handle: &str) -> Self {
        self.post.author.handle = handle.into();
        self
    }
    pub fn reply(mut self, to_handle: Option<&str>) -> Self {
        self.post.reply_to = Some("0".into());
        self.post.reply_to_handle = to_handle.map(str::to_string);
        self
    }
    pub fn lang(mut self, lang: &str) -> Self {
        self.post.lang = Some(lang.into());
        self
    }
    pub fn network(mut self, n: Network) -> Self {
        self.post.network = n;
        self
    }
    pub fn hashtags(mut self, v: &[&str]) -> Self {
        self.post.hashtags = strings(v);
        self
    }
    pub fn mentions(mut self, v: &[&str]) -> Self {
        self.post.mentions = strings(v);
        self
    }
    pub fn cashtags(mut self, v: &[&str]) -> Self {
        self.post.cashtags = strings(v);
        self
    }
    pub fn links(mut self, v: &[&str]) -> Self {
        self.post.links = strings(v);
        self
    }
    pub fn labelled(
        mut self,
        sentiment: SentimentLabel,
        intents: &[Intent],
        lang: Option<&str>,
    ) -> Self {
        self.labels = Some(Labels {
            sentiment: Sentiment {
                label: sentiment,
                score: 0.9,
            },
            intents: intents.iter().fold(IntentSet::empty(), |s, i| s.with(*i)),
            lang: lang.map(str::to_string),
            urgency: Urgency::Normal,
        });
        self
    }
    /// The topic ignores accents.
    pub fn accents(mut self) -> Self {
        self.options.ignore_accents = true;
        self
    }
}

pub enum Want {
    Match(P),
    NoMatch(P),
    /// The error's Display text.
    Error(&'static str),
}

pub struct Case {
    pub query: &'static str,
    pub want: Want,
}

pub fn m(query: &'static str, post: P) -> Case {
    Case {
        query,
        want: Want::Match(post),
    }
}
pub fn n(query: &'static str, post: P) -> Case {
    Case {
        query,
        want: Want::NoMatch(post),
    }
}
pub fn e(query: &'static str, error: &'static str) -> Case {
    Case {
        query,
        want: Want::Error(error),
    }
}

/// Runs every case three ways and reports all failures at once.
pub fn run(cases: Vec<Case>) {
    let mut failures = Vec::new();
    let mut topics = Vec::new();
    let mut posts = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let parsed = parse(case.query);
        let (post, expected) = match (&case.want, parsed) {
            (Want::Error(msg), Err(err)) => {
                if err.to_string() != *msg {
                    failures.push(format!(
                        "{:?}: error {:?}, want {:?}",
                        case.query,
                        err.to_string(),
                        msg
                    ));
                }
                continue;
            }
            (Want::Error(msg), Ok(_)) => {
                failures.push(format!("{:?}: parsed, want error {:?}", case.query, msg));
                continue;
            }
            (_, Err(err)) => {
                failures.push(format!("{:?}: unexpected error {err}", case.query));
                continue;
            }
            (Want::Match(post), Ok(q)) => (post, (q, true)),
            (Want::NoMatch(post), Ok(q)) => (post, (q, false)),
        };
        let (query, want) = expected;
        let alone = matches(&query, &post.options, &post.post, post.labels.as_ref());
        let one = Matcher::new([(TopicId(7), query.clone(), post.options.clone())]);
        let mut out = Vec::new();
        one.match_post(&post.post, post.labels.as_ref(), &mut out);
        if alone != want || out.is_empty() == want {
            failures.push(format!(
                "{:?} on {:?}: matches() = {alone}, Matcher = {}, want {want}",
                case.query,
                post.post.text,
                !out.is_empty()
            ));
        }
        topics.push((TopicId(i as i64), query, post.options.clone()));
        posts.push((i, post, want));
    }
    // Every case's topic together: each post must match its own topic exactly as alone, and
    // whatever else it matches must agree with evaluating those topics one by one.
    let all = Matcher::new(topics.clone());
    let mut out = Vec::new();
    for (i, post, want) in &posts {
        out.clear();
        all.match_post(&post.post, post.labels.as_ref(), &mut out);
        if out.contains(&TopicId(*i as i64)) != *want {
            failures.push(format!(
                "{:?}: all-topics matcher disagrees on {:?}",
                cases[*i].query, post.post.text
            ));
        }
        let expected: Vec<TopicId> = topics
            .iter()
            .filter(|(_, q, o)| matches(q, o, &post.post, post.labels.as_ref()))
            .map(|(id, _, _)| *id)
            .collect();
        if out != expected {
            failures.push(format!(
                "{:?}: all-topics {out:?}, one by one {expected:?}",
                post.post.text
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
