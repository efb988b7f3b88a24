//! Rapport's sources and publishers per network, and the file importers.
