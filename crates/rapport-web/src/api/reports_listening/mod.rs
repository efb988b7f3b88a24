//! `GET /api/v1/reports/listening/...`: the listening reports over any period, topics,
//! networks and languages. Every figure carries `posts_url`, the request that lists exactly
//! the posts it counts (`/api/v1/reports/listening/posts?...`). The DTOs are shared with the
//! HTML page, whose links point at its own posts page instead.

pub(super) mod authors;
pub(super) mod intents;
pub(super) mod posts;
pub(super) mod share;
pub(super) mod summary;
pub(super) mod trending;
pub(super) mod volume;

pub use authors::authors;
pub use intents::intents;
pub use posts::posts;
pub use share::share;
pub use summary::summary;
pub use trending::trending;
pub use volume::volume;

use crate::listening::{BadParam, Request, query_string};
use crate::{ApiError, AppState};
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use rapport_domain::listening::{
    AuthorRow, IntentMix, ListeningFilter, SentimentCounts, SentimentPick, Share, Trend,
    VolumePoint,
};
use rapport_domain::{SentimentLabel, TopicId};
use rapport_engine::Trending;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The API's posts list, the base of every `posts_url`.
pub const API_POSTS: &str = "/api/v1/reports/listening/posts";

/// The parameters every listening report takes. Lists repeat their key
/// (`topic=Brand&topic=Rival`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListeningParams {
    /// Start of the period: RFC 3339 or YYYY-MM-DD (UTC midnight). Default: 30 days before `to`.
    from: Option<String>,
    /// End of the period, excluded. Default: now.
    to: Option<String>,
    /// Topic names (or ids) to count; share of voice compares them (default: every topic).
    #[param(style = Form, explode)]
    topic: Option<Vec<String>>,
    /// `bluesky`, `mastodon`, `x` or `import`.
    #[param(style = Form, explode)]
    network: Option<Vec<String>>,
    /// Language tags (`en` also takes `en-gb`).
    #[param(style = Form, explode)]
    lang: Option<Vec<String>>,
    /// `hour`, `day` or `week`; default: the finest giving at most 200 buckets.
    bucket: Option<String>,
    /// `positive`, `neutral`, `negative` or `unlabelled`: a sentiment's posts.
    sentiment: Option<String>,
    /// `question`, `complaint`, `praise`, `lead`, `feedback`, `other` or `unlabelled`.
    intent: Option<String>,
    /// `network:handle`: one author's posts.
    author: Option<String>,
    /// A hashtag (with or without `#`).
    hashtag: Option<String>,
    /// Rows in the top lists (1 to 100, default 10).
    top: Option<u32>,
}

/// The posts list's parameters on top of the reports' ones.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PostsParams {
    /// Posts holding this term (a trending term's posts, among those its count read).
    term: Option<String>,
    /// Posts listed (1 to 500, default 50).
    limit: Option<u32>,
    offset: Option<u32>,
}

/// Reads the parameters, answering 400 `invalid_parameter` with the one that failed.
pub(crate) async fn request(
    state: &AppState,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Request, ApiError> {
    let pairs = super::care_common::query(pairs)?;
    crate::listening::parse(&state.engine, &pairs)
        .await
        .map_err(|BadParam(name, why)| super::care_common::bad_parameter(&name, why))
}

/// Where the posts behind a narrowed filter are listed.
pub(crate) fn link(base: &str, r: &Request, f: &ListeningFilter, term: Option<&str>) -> String {
    format!("{base}?{}", query_string(f, r.bucket, term, &r.topics))
}

/// Posts by sentiment, with their net sentiment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentimentDto {
    pub posts: u64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Not labelled yet: counted in `posts`, not in `net_sentiment`.
    pub unlabelled: u64,
    /// `(positive - negative) / (positive + neutral + negative)`, -1 to 1; null without labels.
    pub net_sentiment: Option<f64>,
}

impl From<&SentimentCounts> for SentimentDto {
    fn from(c: &SentimentCounts) -> Self {
        SentimentDto {
            posts: c.total(),
            positive: c.positive,
            neutral: c.neutral,
            negative: c.negative,
            unlabelled: c.unlabelled,
            net_sentiment: c.net(),
        }
    }
}

/// One bucket of the volume and sentiment charts.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolumePointDto {
    /// RFC 3339, UTC.
    pub start: String,
    pub end: String,
    #[serde(flatten)]
    pub sentiment: SentimentDto,
    /// The bucket's posts.
    pub posts_url: String,
    /// Its negative posts.
    pub negative_url: String,
}

/// Volume and sentiment over time.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeDto {
    pub from: String,
    pub to: String,
    /// `hour`, `day` or `week` (UTC; weeks start on Monday).
    pub bucket: String,
    /// The whole period.
    pub total: SentimentDto,
    pub posts_url: String,
    pub points: Vec<VolumePointDto>,
}

pub(crate) fn volume_dto(base: &str, r: &Request, points: &[VolumePoint]) -> VolumeDto {
    let mut total = SentimentCounts::default();
    for p in points {
        total.merge(&p.counts);
    }
    VolumeDto {
        from: r.filter.from.to_rfc3339(),
        to: r.filter.to.to_rfc3339(),
        bucket: r.bucket.as_str().into(),
        total: SentimentDto::from(&total),
        posts_url: link(base, r, &r.filter, None),
        points: points
            .iter()
            .map(|p| {
                let within = r.filter.within(p.start, p.end);
                let mut negative = within.clone();
                negative.sentiment = Some(SentimentPick::Label(SentimentLabel::Negative));
                VolumePointDto {
                    start: p.start.to_rfc3339(),
                    end: p.end.to_rfc3339(),
                    sentiment: SentimentDto::from(&p.counts),
                    posts_url: link(base, r, &within, None),
                    negative_url: link(base, r, &negative, None),
                }
            })
            .collect(),
    }
}

/// One topic's share of voice.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareRowDto {
    pub topic: String,
    /// This topic's posts over all compared topics' posts (a post in two topics counts for both).
    pub share: f64,
    #[serde(flatten)]
    pub sentiment: SentimentDto,
    pub posts_url: String,
}

/// Share of voice between topics.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareDto {
    pub topics: Vec<ShareRowDto>,
}

pub(crate) fn share_dto(base: &str, r: &Request, rows: &[Share]) -> ShareDto {
    ShareDto {
        topics: rows
            .iter()
            .map(|s| {
                let mut f = r.filter.clone();
                f.topics = vec![TopicId(s.topic.0)];
                ShareRowDto {
                    topic: s.name.clone(),
                    share: s.share,
                    sentiment: SentimentDto::from(&s.counts),
                    posts_url: link(base, r, &f, None),
                }
            })
            .collect(),
    }
}

/// One intent's posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntentRowDto {
    /// An intent, `other` (labelled, none) or `unlabelled`.
    pub intent: String,
    pub posts: u64,
    /// Over every post of the period (a post with two intents counts for both).
    pub share: f64,
    pub posts_url: String,
}

/// The intent mix.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntentsDto {
    pub posts: u64,
    pub intents: Vec<IntentRowDto>,
}

pub(crate) fn intents_dto(base: &str, r: &Request, mix: &IntentMix) -> IntentsDto {
    IntentsDto {
        posts: mix.total,
        intents: mix
            .rows()
            .into_iter()
            .map(|(pick, n)| {
                let mut f = r.filter.clone();
                f.intent = Some(pick);
                IntentRowDto {
                    intent: pick.to_string(),
                    posts: n,
                    share: mix.share(pick),
                    posts_url: link(base, r, &f, None),
                }
            })
            .collect(),
    }
}

/// One author's line.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorDto {
    pub network: String,
    pub handle: String,
    pub posts: u64,
    /// The most followers the period's posts gave; null where no source said.
    pub followers: Option<u64>,
    /// Likes, reposts, replies and quotes of the period's posts.
    pub engagement: u64,
    pub posts_url: String,
}

/// Top authors.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorsDto {
    /// `volume` (most posts) or `reach` (most followers; authors without a follower count
    /// after, by engagement, then posts).
    pub order: String,
    /// Whether any listed author has a follower count; when not, reach is engagement.
    pub followers_known: bool,
    pub authors: Vec<AuthorDto>,
}

pub(crate) fn authors_dto(base: &str, r: &Request, order: &str, rows: &[AuthorRow]) -> AuthorsDto {
    AuthorsDto {
        order: order.into(),
        followers_known: rows.iter().any(|a| a.followers.is_some()),
        authors: rows
            .iter()
            .map(|a| {
                let mut f = r.filter.clone();
                f.author = Some(a.author.clone());
                AuthorDto {
                    network: a.author.network.to_string(),
                    handle: a.author.handle.clone(),
                    posts: a.posts,
                    followers: a.followers,
                    engagement: a.engagement,
                    posts_url: link(base, r, &f, None),
                }
            })
            .collect(),
    }
}

/// A term or hashtag that rose.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendDto {
    pub term: String,
    /// Posts holding it in the period.
    pub current: u64,
    /// In the period of equal length before.
    pub previous: u64,
    /// `(current - previous) / sqrt(previous + 1)`.
    pub score: f64,
    pub posts_url: String,
}

/// Trending terms and hashtags against the previous period of equal length.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendingDto {
    pub terms: Vec<TrendDto>,
    pub hashtags: Vec<TrendDto>,
    /// Posts whose words were counted (the newest, at most 20,000 per period).
    pub terms_sampled: u64,
    pub previous_terms_sampled: u64,
    /// Whether the term counts read every post of both periods.
    pub terms_complete: bool,
}

pub(crate) fn trending_dto(base: &str, r: &Request, t: &Trending) -> TrendingDto {
    let row = |t: &Trend, hashtag: bool| {
        let mut f = r.filter.clone();
        let term = if hashtag {
            f.hashtag = Some(t.term.clone());
            None
        } else {
            Some(t.term.as_str())
        };
        TrendDto {
            term: t.term.clone(),
            current: t.current,
            previous: t.previous,
            score: t.score,
            posts_url: link(base, r, &f, term),
        }
    };
    TrendingDto {
        terms: t.terms.iter().map(|t| row(t, false)).collect(),
        hashtags: t.hashtags.iter().map(|t| row(t, true)).collect(),
        terms_sampled: t.terms_sampled,
        previous_terms_sampled: t.previous_terms_sampled,
        terms_complete: t.terms_complete,
    }
}

/// Every listening report of one request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListeningDto {
    pub volume: VolumeDto,
    pub share_of_voice: ShareDto,
    pub intents: IntentsDto,
    pub authors_by_volume: AuthorsDto,
    pub authors_by_reach: AuthorsDto,
    pub trending: TrendingDto,
}

pub(crate) fn listening_dto(
    base: &str,
    r: &Request,
    report: &rapport_engine::ListeningReport,
) -> ListeningDto {
    ListeningDto {
        volume: volume_dto(base, r, &report.volume),
        share_of_voice: share_dto(base, r, &report.share_of_voice),
        intents: intents_dto(base, r, &report.intents),
        authors_by_volume: authors_dto(base, r, "volume", &report.authors_by_volume),
        authors_by_reach: authors_dto(base, r, "reach", &report.authors_by_reach),
        trending: trending_dto(base, r, &report.trending),
    }
}
