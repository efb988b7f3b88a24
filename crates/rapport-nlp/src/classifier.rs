//! Everything the ingest path attaches to a post, in one call.

use crate::intent::IntentModel;
use crate::sentiment::SentimentModel;
use crate::{detect_language, urgency};
use rapport_domain::{Intent, Labels};
use serde::Serialize;

/// Sentiment, intents, language and urgency with the embedded models.
#[derive(Clone, Copy)]
pub struct Classifier {
    sentiment: &'static SentimentModel,
    intent: &'static IntentModel,
}

/// Labels with the reasons behind each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub labels: Labels,
    /// Features that weighed most for the sentiment label: (feature, weight towards the label).
    pub sentiment: Vec<(String, f32)>,
    /// The cues behind each intent label.
    pub intents: Vec<(Intent, Vec<String>)>,
    /// How the urgency points were added up.
    pub urgency: Vec<String>,
    /// Where the language came from.
    pub lang: String,
}

impl std::fmt::Debug for Classifier {
    // The models hold hundreds of thousands of weights: not worth printing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier").finish_non_exhaustive()
    }
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Classifier {
    pub fn new() -> Classifier {
        Classifier {
            sentiment: SentimentModel::default_model(),
            intent: IntentModel::default_model(),
        }
    }

    /// A classifier with another sentiment model (e.g. one loaded with [`SentimentModel::load`]
    /// and leaked, or a static one).
    pub fn with_sentiment(sentiment: &'static SentimentModel) -> Classifier {
        Classifier {
            sentiment,
            intent: IntentModel::default_model(),
        }
    }

    pub fn classify(
        &self,
        post_text: &str,
        network_lang: Option<&str>,
        followers: Option<u64>,
    ) -> Labels {
        let sentiment = self.sentiment.predict(post_text);
        let intents = self.intent.predict(post_text);
        let urgency = urgency::assess(post_text, &sentiment, intents, followers, None);
        Labels {
            sentiment,
            intents,
            lang: detect_language(post_text, network_lang),
            urgency,
        }
    }

    /// [`Classifier::classify`] with reasons: the `top` sentiment features, the intent cues and
    /// the urgency points.
    pub fn explain(
        &self,
        post_text: &str,
        network_lang: Option<&str>,
        followers: Option<u64>,
        top: usize,
    ) -> Explanation {
        let labels = self.classify(post_text, network_lang, followers);
        let (_, urgency) =
            urgency::urgency(post_text, &labels.sentiment, labels.intents, followers);
        let tagged = network_lang.and_then(crate::lang::normalize_tag).is_some();
        let lang = match (&labels.lang, network_lang) {
            (Some(l), Some(tag)) if tagged => format!("{l}: network tag '{tag}'"),
            (Some(l), _) => format!("{l}: detected from the words"),
            (None, _) => "unknown: too short or not clear".to_string(),
        };
        Explanation {
            sentiment: self.sentiment.explain(post_text, top),
            intents: self.intent.explain(post_text),
            urgency,
            lang,
            labels,
        }
    }
}
