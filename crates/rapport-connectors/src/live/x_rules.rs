//! X filtered-stream rules: list them, plan the change to a desired set, dry-run, apply.

use super::x_stream::checked;
use super::{SourceError, SourceStats};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// One rule of the filtered stream: its value (X rule syntax) and its tag (which topic).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct XRule {
    pub value: String,
    #[serde(default)]
    pub tag: String,
}

/// What [`XRules::sync`] did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleChange {
    pub add: Vec<XRule>,
    /// Ids of rules to delete.
    pub delete: Vec<String>,
}

impl RuleChange {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.delete.is_empty()
    }
}

/// A rule as X lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ListedRule {
    pub id: String,
    pub value: String,
    #[serde(default)]
    pub tag: String,
}

#[derive(Deserialize)]
struct Listing {
    #[serde(default)]
    data: Vec<ListedRule>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

/// The rules endpoints (`/2/tweets/search/stream/rules`) with the app's bearer token.
pub struct XRules {
    client: reqwest::Client,
    api: String,
    bearer_token: String,
    stats: Arc<SourceStats>,
}

impl XRules {
    pub fn new(api: &str, bearer_token: &str) -> Result<XRules, SourceError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SourceError::Config(format!("http client: {e}")))?;
        Ok(XRules {
            client,
            api: api.trim_end_matches('/').to_string(),
            bearer_token: bearer_token.to_string(),
            stats: Arc::default(),
        })
    }

    /// Counts of the requests made (`reads` counts rule listings).
    pub fn stats(&self) -> Arc<SourceStats> {
        self.stats.clone()
    }

    fn url(&self) -> String {
        format!("{}/2/tweets/search/stream/rules", self.api)
    }

    fn error(e: reqwest::Error) -> SourceError {
        SourceError::connection("x", e.without_url())
    }

    /// The rules the stream has now.
    pub async fn list(&self) -> Result<Vec<ListedRule>, SourceError> {
        let request = self.client.get(self.url()).bearer_auth(&self.bearer_token);
        let response = checked(request.send().await.map_err(Self::error)?).await?;
        SourceStats::add(&self.stats.reads, 1);
        let listing: Listing = response.json().await.map_err(Self::error)?;
        Ok(listing.data)
    }

    /// What to add and delete so that the stream has exactly `desired` (value and tag).
    pub fn plan(current: &[ListedRule], desired: &[XRule]) -> RuleChange {
        let want: BTreeSet<&XRule> = desired.iter().collect();
        let have: BTreeSet<(&str, &str)> = current
            .iter()
            .map(|r| (r.value.as_str(), r.tag.as_str()))
            .collect();
        RuleChange {
            add: want
                .into_iter()
                .filter(|r| !have.contains(&(r.value.as_str(), r.tag.as_str())))
                .cloned()
                .collect(),
            delete: current
                .iter()
                .filter(|r| !desired.iter().any(|d| d.value == r.value && d.tag == r.tag))
                .map(|r| r.id.clone())
                .collect(),
        }
    }

    /// Sends the change; with `dry_run`, X only validates it.
    pub async fn apply(&self, change: &RuleChange, dry_run: bool) -> Result<(), SourceError> {
        if !change.delete.is_empty() {
            let body = serde_json::json!({ "delete": { "ids": change.delete } });
            self.post(body, dry_run).await?;
        }
        if !change.add.is_empty() {
            self.post(serde_json::json!({ "add": change.add }), dry_run)
                .await?;
        }
        Ok(())
    }

    async fn post(&self, body: serde_json::Value, dry_run: bool) -> Result<(), SourceError> {
        let request = self
            .client
            .post(self.url())
            .query(&[("dry_run", dry_run.to_string())])
            .bearer_auth(&self.bearer_token)
            .json(&body);
        let response = checked(request.send().await.map_err(Self::error)?).await?;
        let answer: Answer = response.json().await.map_err(Self::error)?;
        if answer.errors.is_empty() {
            return Ok(());
        }
        let details: Vec<String> = answer.errors.iter().map(|e| e.to_string()).collect();
        Err(SourceError::Config(format!(
            "x rejected the rules: {}",
            details.join("; ")
        )))
    }

    /// Makes the stream's rules equal `desired`: lists them, plans the change, dry-runs it
    /// (nothing changes when X rejects a rule), then applies it. Returns the change made.
    pub async fn sync(&self, desired: &[XRule]) -> Result<RuleChange, SourceError> {
        let current = self.list().await?;
        let change = Self::plan(&current, desired);
        if change.is_empty() {
            return Ok(change);
        }
        self.apply(&change, true).await?;
        self.apply(&change, false).await?;
        tracing::info!(
            added = change.add.len(),
            deleted = change.delete.len(),
            "x rules synced"
        );
        Ok(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_adds_missing_and_deletes_stale_rules() {
        let current = [
            ListedRule {
                id: "1".into(),
                value: "keep".into(),
                tag: "a".into(),
            },
            ListedRule {
                id: "2".into(),
                value: "old".into(),
                tag: "b".into(),
            },
            ListedRule {
                id: "3".into(),
                value: "retag".into(),
                tag: "c".into(),
            },
        ];
        let desired = [
            XRule {
                value: "keep".into(),
                tag: "a".into(),
            },
            XRule {
                value: "retag".into(),
                tag: "d".into(),
            },
            XRule {
                value: "new".into(),
                tag: "e".into(),
            },
        ];
        let change = XRules::plan(&current, &desired);
        assert_eq!(change.delete, ["2", "3"]);
        assert_eq!(
            change.add,
            [
                XRule {
                    value: "new".into(),
                    tag: "e".into()
                },
                XRule {
                    value: "retag".into(),
                    tag: "d".into()
                },
            ]
        );
        assert!(XRules::plan(&current[..1], &desired[..1]).is_empty());
    }
}
