//! Rapport's text understanding: social tokenizer, language, sentiment, intent and urgency.

mod error;
pub mod intent;
pub mod sentiment;
pub mod text;
pub mod tokenize;

pub use error::NlpError;
pub use sentiment::{
    EvalFormat, EvalReport, SentimentModel, TrainReport, eval_sentiment, train_sentiment,
};
pub use tokenize::{Token, TokenKind, tokenize};
