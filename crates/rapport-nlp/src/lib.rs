//! Rapport's text understanding: social tokenizer, language, sentiment, intent and urgency.

mod classifier;
mod error;
pub mod intent;
mod lang;
pub mod sentiment;
pub mod text;
pub mod tokenize;
pub mod urgency;

pub use classifier::{Classifier, Explanation};
pub use error::NlpError;
pub use lang::detect_language;
pub use sentiment::{
    EvalFormat, EvalReport, SentimentModel, TrainReport, eval_sentiment, train_with,
};
pub use tokenize::{Token, TokenKind, tokenize};
pub use urgency::urgency;
