//! The API's own wire types.

use rapport_engine::{SearchHit, TopicInfo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
pub struct PostDto {
    pub id: i64,
    pub network: String,
    pub native_id: String,
    pub author: String,
    pub created_at: String,
    pub text: String,
}

impl From<SearchHit> for PostDto {
    fn from(h: SearchHit) -> Self {
        Self {
            id: h.id.0,
            network: h.network,
            native_id: h.native_id,
            author: h.author,
            created_at: h.created_at,
            text: h.text,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TopicDto {
    pub id: i64,
    pub name: String,
    pub query: String,
    pub ignore_accents: bool,
    pub matches: u64,
}

impl From<TopicInfo> for TopicDto {
    fn from(t: TopicInfo) -> Self {
        Self {
            id: t.topic.id.0,
            name: t.topic.name,
            query: t.topic.query,
            ignore_accents: t.topic.options.ignore_accents,
            matches: t.matches,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTopic {
    pub name: String,
    pub query: String,
    #[serde(default)]
    pub ignore_accents: bool,
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    pub limit: Option<usize>,
}
