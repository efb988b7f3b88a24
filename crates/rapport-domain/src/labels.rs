//! What the classifiers say about a post.

use bitflags::bitflags;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    Negative,
    Neutral,
    Positive,
}

impl SentimentLabel {
    pub const ALL: [SentimentLabel; 3] = [Self::Negative, Self::Neutral, Self::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Negative => "negative",
            Self::Neutral => "neutral",
            Self::Positive => "positive",
        }
    }
}

impl FromStr for SentimentLabel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "negative" | "neg" => Ok(Self::Negative),
            "neutral" | "neu" => Ok(Self::Neutral),
            "positive" | "pos" => Ok(Self::Positive),
            _ => Err(format!(
                "unknown sentiment '{s}' (expected negative, neutral or positive)"
            )),
        }
    }
}

impl fmt::Display for SentimentLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub label: SentimentLabel,
    /// Confidence of `label`, 0..=1.
    pub score: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    Question,
    Complaint,
    Praise,
    /// Looking to buy, or asking for a recommendation.
    Lead,
    /// A suggestion or a feature request.
    Feedback,
}

impl Intent {
    pub const ALL: [Intent; 5] = [
        Self::Question,
        Self::Complaint,
        Self::Praise,
        Self::Lead,
        Self::Feedback,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::Complaint => "complaint",
            Self::Praise => "praise",
            Self::Lead => "lead",
            Self::Feedback => "feedback",
        }
    }

    fn flag(self) -> IntentSet {
        match self {
            Self::Question => IntentSet::QUESTION,
            Self::Complaint => IntentSet::COMPLAINT,
            Self::Praise => IntentSet::PRAISE,
            Self::Lead => IntentSet::LEAD,
            Self::Feedback => IntentSet::FEEDBACK,
        }
    }
}

impl FromStr for Intent {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Intent::ALL
            .into_iter()
            .find(|i| i.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown intent '{s}' (expected question, complaint, praise, lead or feedback)"
                )
            })
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

bitflags! {
    /// A post's intents (multi-label). Empty means `other`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct IntentSet: u8 {
        const QUESTION = 1;
        const COMPLAINT = 1 << 1;
        const PRAISE = 1 << 2;
        const LEAD = 1 << 3;
        const FEEDBACK = 1 << 4;
    }
}

impl IntentSet {
    pub fn has(self, intent: Intent) -> bool {
        self.contains(intent.flag())
    }

    pub fn with(self, intent: Intent) -> Self {
        self | intent.flag()
    }

    pub fn iter_intents(self) -> impl Iterator<Item = Intent> {
        Intent::ALL.into_iter().filter(move |i| self.has(*i))
    }

    /// `question,complaint`, or `other` when empty.
    pub fn names(self) -> String {
        if self.is_empty() {
            return "other".to_string();
        }
        self.iter_intents()
            .map(Intent::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    Low,
    Normal,
    High,
    Urgent,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }
}

impl FromStr for Urgency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Self::Low),
            "normal" => Ok(Self::Normal),
            "high" => Ok(Self::High),
            "urgent" => Ok(Self::Urgent),
            _ => Err(format!(
                "unknown urgency '{s}' (expected low, normal, high or urgent)"
            )),
        }
    }
}

/// Everything the classifiers attach to one post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    pub sentiment: Sentiment,
    pub intents: IntentSet,
    /// Detected (or network-tagged) language, `None` when too short to tell.
    pub lang: Option<String>,
    pub urgency: Urgency,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_sets_name_their_members() {
        let s = IntentSet::empty().with(Intent::Question).with(Intent::Lead);
        assert_eq!(s.names(), "question,lead");
        assert_eq!(IntentSet::empty().names(), "other");
        assert!(s.has(Intent::Lead) && !s.has(Intent::Praise));
    }

    #[test]
    fn labels_parse_case_insensitively() {
        assert_eq!(
            "NEG".parse::<SentimentLabel>().unwrap(),
            SentimentLabel::Negative
        );
        assert_eq!("Complaint".parse::<Intent>().unwrap(), Intent::Complaint);
        assert!("angry".parse::<Intent>().is_err());
        assert!(Urgency::Urgent > Urgency::High);
    }
}
