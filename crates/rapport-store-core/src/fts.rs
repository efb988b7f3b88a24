//! Turning a [`TermFilter`] into full-text queries, and text into the words the PostgreSQL
//! index holds. User words never reach SQL as SQL: they are folded to letters and digits and
//! quoted as full-text terms, and the query string itself is bound as a parameter.

use rapport_domain::TermFilter;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// The words of `text` the way both indexes see them: compatibility-decomposed, accents
/// removed, lowercased, split on anything that is not a letter or a digit.
pub fn words(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            folded.extend(c.to_lowercase());
        } else {
            folded.push(' ');
        }
    }
    folded.split_whitespace().map(str::to_string).collect()
}

/// `text` reduced to its folded words separated by spaces, which PostgreSQL's `simple`
/// configuration then indexes one to one.
pub fn folded_text(text: &str) -> String {
    words(text).join(" ")
}

/// How many words of a case a similar-case search looks for.
pub const SIMILAR_WORDS: usize = 12;
/// How many of the most recent posts sharing a word with a case a similar-case search ranks.
/// It bounds the work per search whatever the store holds, and favours recent answers, which
/// are the ones still true.
pub const SIMILAR_CANDIDATES: i64 = 500;

/// Words too common to tell one case from another (English function words and the
/// politeness every customer post carries); left out of similar-case searches.
const COMMON_WORDS: &[&str] = &[
    "about", "after", "again", "all", "also", "and", "any", "are", "back", "because", "been",
    "before", "but", "can", "cant", "could", "did", "didnt", "does", "doesnt", "dont", "for",
    "from", "get", "got", "had", "has", "have", "hello", "help", "her", "here", "hey", "him",
    "his", "how", "its", "just", "know", "like", "make", "more", "need", "not", "now", "off",
    "one", "only", "our", "out", "please", "pls", "really", "same", "see", "she", "should",
    "still", "than", "thank", "thanks", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "time", "too", "very", "want", "was", "way", "were", "what", "when", "where",
    "which", "who", "why", "will", "with", "would", "you", "your",
];

/// At most `max` words of `text` that best tell it apart, for finding similar texts: distinct
/// folded words of three letters or more that are not `COMMON_WORDS`, longest first (a long
/// word is usually a rare one, and rare words are what make two texts similar).
pub fn distinctive_words(text: &str, max: usize) -> Vec<String> {
    let mut words = words(text);
    words.retain(|w| w.chars().count() > 2 && !COMMON_WORDS.contains(&w.as_str()));
    words.sort();
    words.dedup();
    // Longest first; ties in alphabetical order, so the same text gives the same query.
    words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    words.truncate(max);
    words
}

/// Ranks candidate posts against a case's distinctive `words`: each shared word counts its
/// inverse document frequency among the candidates (a word most candidates hold tells little),
/// a case scores its best post, best first, ties by case id. At most `limit` cases.
pub fn rank_similar<C: Copy + Ord>(
    words: &[String],
    candidates: &[(C, String)],
    limit: usize,
) -> Vec<(C, f64)> {
    let held: Vec<Vec<bool>> = candidates
        .iter()
        .map(|(_, text)| {
            let mine = self::words(text);
            words.iter().map(|w| mine.contains(w)).collect()
        })
        .collect();
    let n = candidates.len() as f64;
    let idf: Vec<f64> = (0..words.len())
        .map(|i| {
            let df = held.iter().filter(|h| h[i]).count() as f64;
            if df == 0.0 { 0.0 } else { (1.0 + n / df).ln() }
        })
        .collect();
    let mut best: std::collections::BTreeMap<C, f64> = std::collections::BTreeMap::new();
    for ((case, _), h) in candidates.iter().zip(&held) {
        let score: f64 = h
            .iter()
            .zip(&idf)
            .filter(|(h, _)| **h)
            .map(|(_, w)| w)
            .sum();
        if score > 0.0 {
            let e = best.entry(*case).or_insert(0.0);
            *e = e.max(score);
        }
    }
    let mut ranked: Vec<(C, f64)> = best.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(limit);
    ranked
}

struct Term {
    word: String,
    prefix: bool,
}

/// The groups of a filter as folded terms; `None` when some group has no usable word, which
/// means every post may match and the caller must scan.
fn groups(filter: &TermFilter) -> Option<Vec<Vec<Term>>> {
    if filter.is_scan_all() {
        return None;
    }
    let mut out = Vec::with_capacity(filter.any_of.len());
    for group in &filter.any_of {
        let mut terms = Vec::new();
        for w in group {
            let (body, prefix) = match w.strip_suffix('*') {
                Some(b) => (b, true),
                None => (w.as_str(), false),
            };
            let parts = words(body);
            let n = parts.len();
            // A word the tokenizer splits ("wi-fi") becomes all of its parts; only the last
            // keeps the prefix mark. Requiring every part is still a superset of the posts
            // that hold the word itself.
            terms.extend(parts.into_iter().enumerate().map(|(i, word)| Term {
                word,
                prefix: prefix && i + 1 == n,
            }));
        }
        if terms.is_empty() {
            return None;
        }
        out.push(terms);
    }
    Some(out)
}

/// An FTS5 MATCH expression: `("a" AND "b"*) OR ("c")`; `None` to scan everything.
pub fn fts5_query(filter: &TermFilter) -> Option<String> {
    let groups = groups(filter)?;
    let expr = groups
        .iter()
        .map(|g| {
            let and = g
                .iter()
                .map(|t| {
                    let quoted = format!("\"{}\"", t.word.replace('"', "\"\""));
                    if t.prefix { quoted + "*" } else { quoted }
                })
                .collect::<Vec<_>>()
                .join(" AND ");
            format!("({and})")
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    Some(expr)
}

/// A `to_tsquery('simple', ...)` argument: `('a' & 'b':*) | ('c')`; `None` to scan everything.
pub fn tsquery(filter: &TermFilter) -> Option<String> {
    let groups = groups(filter)?;
    let expr = groups
        .iter()
        .map(|g| {
            let and = g
                .iter()
                .map(|t| {
                    let quoted = format!("'{}'", t.word.replace('\'', "''").replace('\\', "\\\\"));
                    if t.prefix { quoted + ":*" } else { quoted }
                })
                .collect::<Vec<_>>()
                .join(" & ");
            format!("({and})")
        })
        .collect::<Vec<_>>()
        .join(" | ");
    Some(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(groups: &[&[&str]]) -> TermFilter {
        TermFilter {
            any_of: groups
                .iter()
                .map(|g| g.iter().map(|w| w.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn words_fold_accents_case_and_punctuation() {
        let w = words("Café CRÈME, wi-fi!! ｆｕｌｌ #Tag @you");
        assert_eq!(w, ["cafe", "creme", "wi", "fi", "full", "tag", "you"]);
        assert_eq!(folded_text("  Naïve   Ärger "), "naive arger");
    }

    #[test]
    fn distinctive_words_drop_common_ones_and_keep_the_longest() {
        assert_eq!(
            distinctive_words(
                "Hi, can you HELP? My iPhone battery dies after the iOS update!",
                3
            ),
            ["battery", "iphone", "update"]
        );
        assert!(distinctive_words("Thanks, please help, what now?", 5).is_empty());
        assert_eq!(distinctive_words("Récupérer récupérer", 5), ["recuperer"]);
    }

    #[test]
    fn similar_posts_rank_by_the_rare_words_they_share() {
        let words = distinctive_words("battery drains fast since the update", 12);
        let candidates = [
            (1, "my battery drains overnight".to_string()),
            (2, "the update broke my wifi".to_string()),
            (3, "battery died".to_string()),
            (2, "update update".to_string()),
            (4, "nothing in common".to_string()),
        ];
        let ranked = rank_similar(&words, &candidates, 10);
        let order: Vec<i32> = ranked.iter().map(|r| r.0).collect();
        // Case 1 shares two words; 2 and 3 one each, held by as many candidates: a tie, by id.
        assert_eq!(order, [1, 2, 3], "{ranked:?}");
        assert!(ranked[0].1 > ranked[1].1 && ranked[1].1 == ranked[2].1);
        assert_eq!(rank_similar(&words, &candidates, 1).len(), 1);
    }

    #[test]
    fn fts5_queries_quote_every_word() {
        let f = filter(&[&["router", "conn*"], &["wi-fi"], &["say\"what"]]);
        assert_eq!(
            fts5_query(&f).unwrap(),
            r#"("router" AND "conn"*) OR ("wi" AND "fi") OR ("say" AND "what")"#
        );
        assert_eq!(
            fts5_query(&filter(&[&["OR", "NOT"]])).unwrap(),
            r#"("or" AND "not")"#
        );
    }

    #[test]
    fn tsqueries_mark_prefixes() {
        let f = filter(&[&["Crème", "conn*"], &["o'neil"]]);
        assert_eq!(
            tsquery(&f).unwrap(),
            "('creme' & 'conn':*) | ('o' & 'neil')"
        );
    }

    #[test]
    fn a_group_without_words_means_scan_everything() {
        assert!(fts5_query(&TermFilter::scan_all()).is_none());
        assert!(fts5_query(&filter(&[&["router"], &["!!", "*"]])).is_none());
        assert!(tsquery(&filter(&[&["🙂"]])).is_none());
    }
}
