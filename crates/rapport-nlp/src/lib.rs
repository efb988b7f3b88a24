//! Rapport's text understanding: social tokenizer, language, sentiment, intent and urgency.
