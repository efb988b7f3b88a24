//! Rapport's HTTP server: JSON API and, later, the HTML UI.
