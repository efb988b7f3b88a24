//! Translation of a listening query into X's filtered-stream rule syntax.
//!
//! X rules know words, `"phrases"`, `"a b"~N` proximity (N at most 6), `OR`, `-` and
//! parentheses, `#hashtag`, `@mention`, `$cashtag`, `from:`, `to:`, `lang:`, `is:reply` and
//! `has:links|mentions|hashtags`. What they cannot say (prefixes `foo*`, NEAR wider than 6 or
//! ordered, proximity between anything but two words, `sentiment:` and `intent:`) makes the
//! whole query [`Untranslatable`], with a message naming what. `network:x` is always true on
//! X and is dropped; another network never matches there. A rule also needs one positive term
//! X can match alone (not only `-`, `lang:`, `is:`, `has:`), and at most 512 characters.

use crate::ast::{Element, Field, Node, Query, TagKind};
use rapport_domain::Network;

/// The longest rule X accepts on the basic access levels.
pub const MAX_X_RULE_LEN: usize = 512;

/// Why a query has no X rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot be expressed as an x rule: {0}")]
pub struct Untranslatable(pub String);

/// A query part after translation: rule text, or a constant (a `network:` field).
enum Part {
    Rule {
        text: String,
        standalone: bool,
        or: bool,
    },
    Always,
    Never,
}

/// The query as an X rule; see the module docs for what translates.
pub fn to_x_rule(query: &Query) -> Result<String, Untranslatable> {
    match part(&query.root)? {
        Part::Rule {
            text,
            standalone: true,
            ..
        } if text.chars().count() <= MAX_X_RULE_LEN => Ok(text),
        Part::Rule {
            standalone: true,
            text,
            ..
        } => Err(Untranslatable(format!(
            "the rule is {} characters long, x accepts {MAX_X_RULE_LEN}",
            text.chars().count()
        ))),
        Part::Rule { .. } | Part::Always => Err(Untranslatable(
            "x needs a word, phrase, tag or from: that is not negated".into(),
        )),
        Part::Never => Err(Untranslatable("the query never matches a post on x".into())),
    }
}

fn untranslatable<T>(what: &str) -> Result<T, Untranslatable> {
    Err(Untranslatable(what.to_string()))
}

fn rule(text: String, standalone: bool) -> Part {
    Part::Rule {
        text,
        standalone,
        or: false,
    }
}

/// X usernames: 1-15 letters, digits or `_`.
fn username(handle: &str) -> Result<&str, Untranslatable> {
    let ok = (1..=15).contains(&handle.len())
        && handle
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(handle)
    } else {
        Err(Untranslatable(format!("'{handle}' is not an x username")))
    }
}

fn part(node: &Node) -> Result<Part, Untranslatable> {
    Ok(match node {
        Node::Word(w) => rule(w.clone(), true),
        Node::Prefix(p) => return Err(Untranslatable(format!("x has no prefix search ({p}*)"))),
        Node::Phrase { elements, slop } => {
            let mut words = Vec::with_capacity(elements.len());
            for e in elements {
                match e {
                    Element::Word(w) => words.push(w.as_str()),
                    Element::Prefix(p) => {
                        return Err(Untranslatable(format!("x has no prefix search ({p}*)")));
                    }
                }
            }
            let quoted = format!("\"{}\"", words.join(" "));
            match slop {
                None => rule(quoted, true),
                Some(n) if *n <= 6 => rule(format!("{quoted}~{n}"), true),
                Some(n) => {
                    return Err(Untranslatable(format!(
                        "x proximity reaches 6 words, not {n}"
                    )));
                }
            }
        }
        Node::Tag(kind, value) => match kind {
            TagKind::Hashtag => rule(format!("#{value}"), true),
            TagKind::Cashtag => rule(format!("${value}"), true),
            TagKind::Mention => rule(format!("@{}", username(value)?), true),
        },
        Node::Field(field) => match field {
            Field::From(h) => rule(format!("from:{}", username(h)?), true),
            Field::To(h) => rule(format!("to:{}", username(h)?), true),
            Field::Lang(l) => rule(format!("lang:{l}"), false),
            Field::Network(Network::X) => Part::Always,
            Field::Network(_) => Part::Never,
            Field::IsReply => rule("is:reply".into(), false),
            Field::HasLink => rule("has:links".into(), false),
            Field::HasMention => rule("has:mentions".into(), false),
            Field::HasHashtag => rule("has:hashtags".into(), false),
            Field::Sentiment(_) => return untranslatable("x rules cannot filter on sentiment:"),
            Field::Intent(_) => return untranslatable("x rules cannot filter on intent:"),
        },
        Node::Near {
            left,
            right,
            distance,
            ordered,
        } => {
            if *ordered {
                return untranslatable("x proximity has no order (NEAR/nf)");
            }
            if *distance > 6 {
                return Err(Untranslatable(format!(
                    "x proximity reaches 6 words, not {distance}"
                )));
            }
            match (left.as_ref(), right.as_ref()) {
                (Node::Word(a), Node::Word(b)) => rule(format!("\"{a} {b}\"~{distance}"), true),
                _ => return untranslatable("x proximity works between two words only"),
            }
        }
        Node::And(children) => and(children)?,
        Node::Or(children) => or(children)?,
        Node::Not(child) => match part(child)? {
            Part::Always => Part::Never,
            Part::Never => Part::Always,
            Part::Rule { text, or, .. } if or => rule(format!("-({text})"), false),
            Part::Rule { text, .. } => rule(format!("-{text}"), false),
        },
    })
}

fn and(children: &[Node]) -> Result<Part, Untranslatable> {
    let (mut texts, mut standalone) = (Vec::new(), false);
    for child in children {
        match part(child)? {
            Part::Never => return Ok(Part::Never),
            Part::Always => {}
            Part::Rule {
                text,
                standalone: s,
                or,
            } => {
                standalone |= s;
                texts.push(if or { format!("({text})") } else { text });
            }
        }
    }
    Ok(match texts.len() {
        0 => Part::Always,
        _ => Part::Rule {
            text: texts.join(" "),
            standalone,
            or: false,
        },
    })
}

fn or(children: &[Node]) -> Result<Part, Untranslatable> {
    let (mut texts, mut standalone) = (Vec::new(), true);
    for child in children {
        match part(child)? {
            Part::Always => return Ok(Part::Always),
            Part::Never => {}
            Part::Rule {
                text,
                standalone: s,
                ..
            } => {
                standalone &= s;
                texts.push(text);
            }
        }
    }
    Ok(match texts.len() {
        0 => Part::Never,
        1 => rule(texts.pop().expect("one"), standalone),
        _ => Part::Rule {
            text: texts.join(" OR "),
            standalone,
            or: true,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_what_x_rules_can_say() {
        let table = [
            ("router", "router"),
            ("\"lotus connections\"", "\"lotus connections\""),
            ("wifi OR router", "wifi OR router"),
            ("(wifi OR router) dropping", "(wifi OR router) dropping"),
            ("a b OR c", "a b OR c"),
            ("outage -#ad", "outage -#ad"),
            ("outage -(spam OR scam)", "outage -(spam OR scam)"),
            ("@AppleSupport #iPhone $AAPL", "@applesupport #iphone $aapl"),
            ("from:delta to:united refund", "from:delta to:united refund"),
            ("refund lang:en is:reply", "refund lang:en is:reply"),
            (
                "broken has:link has:mention has:hashtag",
                "broken has:links has:mentions has:hashtags",
            ),
            ("\"wifi dropping\"~3", "\"wifi dropping\"~3"),
            ("wifi NEAR/6 router", "\"wifi router\"~6"),
            ("delay network:x", "delay"),
            ("delay OR (late network:bluesky)", "delay"),
            ("Wi-Fi", "\"wi fi\""),
        ];
        for (query, want) in table {
            let q = crate::parse(query).unwrap();
            assert_eq!(to_x_rule(&q).as_deref(), Ok(want), "query {query}");
        }
    }

    #[test]
    fn says_why_a_query_cannot_be_a_rule() {
        let table = [
            ("connect*", "x has no prefix search (connect*)"),
            ("\"wifi drop*\"", "x has no prefix search (drop*)"),
            ("wifi NEAR/7 router", "x proximity reaches 6 words, not 7"),
            ("\"a b\"~9", "x proximity reaches 6 words, not 9"),
            ("wifi NEAR/3f router", "x proximity has no order (NEAR/nf)"),
            (
                "(wifi OR modem) NEAR/3 router",
                "x proximity works between two words only",
            ),
            (
                "refund sentiment:negative",
                "x rules cannot filter on sentiment:",
            ),
            ("refund intent:question", "x rules cannot filter on intent:"),
            (
                "refund network:mastodon",
                "the query never matches a post on x",
            ),
            (
                "lang:en is:reply",
                "x needs a word, phrase, tag or from: that is not negated",
            ),
            (
                "from:bob@mastodon.social",
                "'bob@mastodon.social' is not an x username",
            ),
        ];
        for (query, want) in table {
            let q = crate::parse(query).unwrap();
            let err = to_x_rule(&q).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("cannot be expressed as an x rule: {want}"),
                "query {query}"
            );
        }
        let long = vec!["averyveryverylongword"; 30].join(" ");
        let err = to_x_rule(&crate::parse(&long).unwrap()).unwrap_err();
        assert!(err.0.contains("x accepts 512"), "{err}");
    }
}
