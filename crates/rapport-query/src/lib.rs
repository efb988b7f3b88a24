//! Rapport's listening-query language: parser, errors with columns, and the all-topics matcher.
