//! Search everywhere: one query over posts, cases and contacts, for the search box every page
//! carries.
//!
//! **What is typed.** Plain words (no quotes, brackets, `*`, `~`, no capitalised `AND`, `OR`,
//! `NOT` or `NEAR/n`, no `-word` and no `field:value` of the language) mean: every word must
//! appear. They become the language's query of those words: a word as it is, a typed term of
//! several words or with inner punctuation as the phrase it is (`don't`, `wi-fi`), tags as
//! tags (`#iphone`, `@AppleSupport`), punctuation on its own left out. Anything else is the listening language itself
//! ([`rapport_query`]), with its errors (and their columns) and its length and depth limits.
//!
//! **What is found**, each group only for a caller allowed to read that kind:
//! - posts: the stored posts the query matches, as the posts search and a topic's backtest
//!   find them (full-text candidates, then the exact matcher), newest first;
//! - cases: the cases holding at least one of those posts, the case with the newest matching
//!   post first, each shown with that post;
//! - contacts: for plain words, the contacts whose name, a handle, email or company holds
//!   every word (as the contact list's search compares, word by word), the most recently
//!   active first; then, for any query, the customers who wrote a matching post (the company's
//!   own accounts left out), the newest matching post first.
//!
//! Everything runs under the engine's query deadline ([`EngineError::QueryTimeout`]).

use crate::{Engine, EngineError, Result, SearchHit};
use chrono::{DateTime, Utc};
use rapport_domain::care::ContactQuery;
use rapport_domain::words::{PieceKind, split};
use rapport_domain::{CaseId, CaseStatus, ContactId, Network, PostId, Priority, TopicOptions};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which kinds the caller may read; the others are neither searched nor shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Kinds {
    pub cases: bool,
    pub posts: bool,
    pub contacts: bool,
}

/// One kind's results: how many there are, and the first of them.
#[derive(Debug, Clone, Serialize)]
pub struct Found<T> {
    pub count: u64,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FoundCase {
    pub id: CaseId,
    pub status: CaseStatus,
    pub priority: Priority,
    pub network: Network,
    pub contact_id: ContactId,
    pub contact_name: String,
    /// The case's newest matching post.
    pub post_id: PostId,
    pub text: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FoundContact {
    pub id: ContactId,
    pub name: String,
    /// `@handle` on each network, in the contact's order.
    pub handles: Vec<(Network, String)>,
    /// Matching posts the contact wrote.
    pub posts: u64,
    /// Found by their name, handle, email or company (plain words only).
    pub by_name: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Everywhere {
    /// What was typed.
    pub typed: String,
    /// The query in the listening language that ran.
    pub query: String,
    /// The typed text was plain words.
    pub plain: bool,
    pub cases: Option<Found<FoundCase>>,
    pub posts: Option<Found<SearchHit>>,
    pub contacts: Option<Found<FoundContact>>,
}

/// The listening-language query for what was typed, and whether it was plain words (see the
/// module's documentation). Plain words with nothing to search for are refused.
pub fn everywhere_query(typed: &str) -> Result<(String, bool)> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(EngineError::InvalidInput(
            "type something to search for".into(),
        ));
    }
    if is_language(typed) {
        return Ok((typed.to_string(), false));
    }
    let mut terms = Vec::new();
    for token in typed.split_whitespace() {
        let mut words = Vec::new();
        split(token, |p| {
            let piece = &token[p.start..p.end];
            match p.kind {
                PieceKind::Mention | PieceKind::Hashtag | PieceKind::Cashtag => {
                    terms.push(piece.to_string())
                }
                PieceKind::Word | PieceKind::Number | PieceKind::Emoji => words.push(piece),
                _ => {}
            }
        });
        match words.as_slice() {
            [] => {}
            [word] if word.chars().all(char::is_alphanumeric) => terms.push(word.to_string()),
            // `wi-fi`, `don't`: the words of one typed term, next to each other.
            _ => terms.push(format!("\"{}\"", words.join(" "))),
        }
    }
    if terms.is_empty() {
        return Err(EngineError::InvalidInput(format!(
            "'{typed}' holds no word to search for"
        )));
    }
    Ok((terms.join(" "), true))
}

/// The language's own syntax: quotes, brackets, prefixes, slop, operators, negation, fields.
fn is_language(typed: &str) -> bool {
    const FIELDS: [&str; 8] = [
        "from:",
        "to:",
        "lang:",
        "network:",
        "is:",
        "has:",
        "sentiment:",
        "intent:",
    ];
    typed.contains(['"', '(', ')', '*', '~'])
        || typed.split_whitespace().any(|t| {
            matches!(t, "AND" | "OR" | "NOT")
                || t.starts_with("NEAR/")
                || (t.len() > 1 && t.starts_with('-'))
                || FIELDS.iter().any(|f| {
                    t.len() > f.len() && t.get(..f.len()).is_some_and(|h| h.eq_ignore_ascii_case(f))
                })
        })
}

/// The lowercased words of plain text, as the contact search compares them.
fn plain_words(typed: &str) -> Vec<String> {
    rapport_domain::words::words(typed)
        .into_iter()
        .map(str::to_lowercase)
        .collect()
}

/// A matching post, as much as cases and contacts need of it.
struct Match {
    id: PostId,
    at: DateTime<Utc>,
    contact: ContactId,
    own: bool,
}

/// Runs out at the engine's query deadline.
#[derive(Clone, Copy)]
struct Clock(Option<(Duration, Instant)>);

impl Clock {
    fn check(self, scanned: u64) -> Result<()> {
        match self.0 {
            Some((limit, at)) if Instant::now() >= at => {
                Err(EngineError::QueryTimeout { limit, scanned })
            }
            _ => Ok(()),
        }
    }
}

impl Engine {
    /// Searches posts, cases and contacts at once (see the module's documentation); `limit`
    /// bounds the items listed per kind, not the counts.
    pub async fn search_everywhere(
        &self,
        typed: &str,
        kinds: Kinds,
        limit: usize,
    ) -> Result<Everywhere> {
        let (query, plain) = everywhere_query(typed)?;
        let parsed = Arc::new(rapport_query::parse(&query)?);
        let clock = Clock(
            self.config
                .query_deadline
                .map(|limit| (limit, Instant::now() + limit)),
        );
        let mut out = Everywhere {
            typed: typed.trim().to_string(),
            query,
            plain,
            cases: None,
            posts: None,
            contacts: None,
        };
        if !(kinds.posts || kinds.cases || kinds.contacts) {
            return Ok(out);
        }
        let mut matches = Vec::new();
        let mut newest = Vec::new();
        let scanned = self
            .each_match(parsed, TopicOptions::default(), |s| {
                matches.push(Match {
                    id: s.id,
                    at: s.post.created_at,
                    contact: s.contact_id,
                    own: s.from_own_account,
                });
                if kinds.posts {
                    newest.push(SearchHit::from(&s));
                    if newest.len() > limit.saturating_mul(2).max(1024) {
                        crate::search::newest_first(&mut newest, limit);
                    }
                }
            })
            .await?;
        // Newest first, as every group lists them.
        matches.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        if kinds.posts {
            crate::search::newest_first(&mut newest, limit);
            out.posts = Some(Found {
                count: matches.len() as u64,
                items: newest,
            });
        }
        if kinds.cases {
            out.cases = Some(self.found_cases(&matches, limit, clock, scanned).await?);
        }
        if kinds.contacts {
            let words = if plain {
                plain_words(typed)
            } else {
                Vec::new()
            };
            out.contacts = Some(
                self.found_contacts(&words, &matches, limit, clock, scanned)
                    .await?,
            );
        }
        Ok(out)
    }

    /// The cases holding the matching posts (newest first), the newest matching post of each.
    async fn found_cases(
        &self,
        matches: &[Match],
        limit: usize,
        clock: Clock,
        scanned: u64,
    ) -> Result<Found<FoundCase>> {
        let mut cases: Vec<(CaseId, &Match)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for m in matches {
            clock.check(scanned)?;
            if let Some(case) = self.store.cases().case_of_post(m.id).await?
                && seen.insert(case)
            {
                cases.push((case, m));
            }
        }
        let mut items = Vec::new();
        for (id, m) in cases.iter().take(limit) {
            let Some(record) = self.store.cases().case(*id).await? else {
                continue;
            };
            let text = match self.store.posts().post(m.id).await? {
                Some(p) => p.post.text,
                None => String::new(),
            };
            items.push(FoundCase {
                id: *id,
                status: record.case.status,
                priority: record.case.priority,
                network: record.network,
                contact_id: record.case.contact_id,
                contact_name: self.contact_name(record.case.contact_id).await?,
                post_id: m.id,
                text,
                at: m.at,
            });
        }
        Ok(Found {
            count: cases.len() as u64,
            items,
        })
    }

    /// Contacts named by the words, then the customers who wrote a matching post.
    async fn found_contacts(
        &self,
        words: &[String],
        matches: &[Match],
        limit: usize,
        clock: Clock,
        scanned: u64,
    ) -> Result<Found<FoundContact>> {
        // Matching posts per author, in the order of each author's newest one.
        let mut authors: Vec<ContactId> = Vec::new();
        let mut per_author: HashMap<ContactId, u64> = HashMap::new();
        for m in matches.iter().filter(|m| !m.own) {
            let n = per_author.entry(m.contact).or_insert(0);
            if *n == 0 {
                authors.push(m.contact);
            }
            *n += 1;
        }
        let named = self.contacts_named(words, clock, scanned).await?;
        let mut order: Vec<(ContactId, bool)> = named.iter().map(|c| (c.id, true)).collect();
        let named_ids: std::collections::HashSet<ContactId> = named.iter().map(|c| c.id).collect();
        order.extend(
            authors
                .iter()
                .filter(|a| !named_ids.contains(a))
                .map(|a| (*a, false)),
        );
        let mut items = Vec::new();
        for (id, by_name) in order.iter().take(limit) {
            let posts = per_author.get(id).copied().unwrap_or(0);
            if let Some(c) = named.iter().find(|c| c.id == *id) {
                items.push(FoundContact {
                    id: *id,
                    name: c.name.clone(),
                    handles: c
                        .identities
                        .iter()
                        .map(|i| (i.network, i.handle.clone()))
                        .collect(),
                    posts,
                    by_name: *by_name,
                });
            } else if let Some(c) = self.store.contacts().contact(*id).await? {
                items.push(FoundContact {
                    id: *id,
                    name: self.contact_name(*id).await?,
                    handles: c
                        .identities
                        .iter()
                        .map(|i| (i.network, i.handle.clone()))
                        .collect(),
                    posts,
                    by_name: *by_name,
                });
            }
        }
        Ok(Found {
            count: order.len() as u64,
            items,
        })
    }

    /// Contacts whose name, a handle, email or company holds every word: the contact list's
    /// search finds those holding the longest word, and each other word is looked for in what
    /// the list gives back.
    async fn contacts_named(
        &self,
        words: &[String],
        clock: Clock,
        scanned: u64,
    ) -> Result<Vec<rapport_domain::care::ContactSummary>> {
        let Some(longest) = words.iter().max_by_key(|w| w.chars().count()) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let mut query = ContactQuery {
            text: longest.clone(),
            limit: 500,
            ..ContactQuery::default()
        };
        loop {
            clock.check(scanned)?;
            let page = self.store.contact_book().contacts(&query).await?;
            for c in page.items {
                let mut haystack = c.name.to_lowercase();
                for i in &c.identities {
                    haystack.push(' ');
                    haystack.push_str(&i.handle.to_lowercase());
                }
                for extra in [&c.email, &c.company].into_iter().flatten() {
                    haystack.push(' ');
                    haystack.push_str(&extra.to_lowercase());
                }
                if words.iter().all(|w| haystack.contains(w.as_str())) {
                    out.push(c);
                }
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        Ok(out)
    }

    /// The name a contact goes by: the one an agent gave, else the one from the network.
    async fn contact_name(&self, id: ContactId) -> Result<String> {
        if let Some(fields) = self.store.contact_book().contact_fields(id).await?
            && !fields.name.trim().is_empty()
        {
            return Ok(fields.name);
        }
        Ok(self
            .store
            .contacts()
            .contact(id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_become_quoted_words_and_tags_stay_tags() {
        assert_eq!(
            everywhere_query("refund  delayed").unwrap(),
            ("refund delayed".to_string(), true)
        );
        assert_eq!(
            everywhere_query("don't wi-fi #iPhone @AppleSupport !!!").unwrap(),
            (
                "\"don't\" \"wi fi\" #iPhone @AppleSupport".to_string(),
                true
            )
        );
        // Lower-case operators are words; a colon that is not a field is punctuation.
        let (q, plain) = everywhere_query("cancel or refund re: order").unwrap();
        assert!(plain);
        assert_eq!(q, "cancel or refund re order");
    }

    #[test]
    fn the_language_is_taken_as_written() {
        for q in [
            "\"lost luggage\"",
            "(wifi OR internet) down",
            "refund -spam",
            "from:delta",
            "Sentiment:negative refund",
            "connect*",
            "wifi NEAR/3 router",
            "a AND b",
        ] {
            assert_eq!(everywhere_query(q).unwrap(), (q.to_string(), false), "{q}");
        }
    }

    #[test]
    fn nothing_to_search_for_is_refused() {
        assert!(everywhere_query("   ").is_err());
        assert!(everywhere_query("!!! ...").is_err());
    }

    #[test]
    fn plain_words_of_contacts_are_lowercased() {
        assert_eq!(plain_words("Emma O'Brien"), ["emma", "o'brien"]);
    }
}
