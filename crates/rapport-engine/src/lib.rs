//! Rapport's use cases: ingest pipeline, topics, search, stats.
