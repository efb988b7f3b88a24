//! Recursive-descent parser: OR of ANDs of (negated) NEAR chains of primaries.
//!
//! ```text
//! query   = or
//! or      = and { "OR" and }
//! and     = unary { ["AND"] unary }
//! unary   = ("NOT" | "-") unary | near
//! near    = primary { "NEAR/n" ["f"] primary }
//! primary = "(" or ")" | phrase ["~" n] | term | prefix* | #tag | @handle | $tag | field:value
//! ```

use crate::ast::{Element, Field, Node, Query, TagKind};
use crate::lexer::{Lexeme, Tok, lex, near_name};
use crate::{QueryError, text};

/// The longest query accepted, in characters. Listening tools cap queries at a few thousand
/// characters; this leaves room for long OR lists of product names while keeping one query's
/// parse and match cost bounded.
pub const MAX_QUERY_CHARS: usize = 8_192;

/// The deepest nesting accepted: parentheses, `NOT`/`-` and `NEAR/n` links counted together.
/// Parsing, compiling, matching and dropping a query all recurse along its nesting, so without
/// a bound one request nested a few thousand deep would overflow a server thread's stack.
pub const MAX_DEPTH: usize = 32;

/// Parses a listening query. See the crate documentation for the language.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryError::new(
            MAX_QUERY_CHARS + 1,
            format!("query too long: {chars} characters, at most {MAX_QUERY_CHARS} allowed"),
        ));
    }
    let lexemes = lex(query)?;
    let mut p = Parser {
        lexemes,
        pos: 0,
        end_column: chars + 1,
        depth: 0,
    };
    let (root, negative_only) = p.or()?;
    if let Some(l) = p.peek() {
        return Err(QueryError::new(
            l.column,
            format!(
                "expected an operator or the end of the query, found {}",
                l.describe()
            ),
        ));
    }
    if let Some(column) = negative_only {
        return Err(QueryError::new(
            column,
            "expected at least one term that is not negated",
        ));
    }
    Ok(Query {
        source: query.to_string(),
        root,
    })
}

struct Parser {
    lexemes: Vec<Lexeme>,
    pos: usize,
    end_column: usize,
    /// How deeply the operand being parsed is nested (see [`MAX_DEPTH`]).
    depth: usize,
}

/// `Some(column)` when the parsed part can only hold for posts *lacking* something: it matches
/// almost everything, so a query must not be made of it alone.
type NegativeOnly = Option<usize>;

impl Parser {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.pos)
    }

    fn column(&self) -> usize {
        self.peek().map_or(self.end_column, |l| l.column)
    }

    /// Goes one level deeper at `column`, or says the query nests too deeply there.
    fn descend(&mut self, column: usize) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::new(
                column,
                format!(
                    "query nested too deeply: at most {MAX_DEPTH} levels of parentheses, NOT and NEAR"
                ),
            ));
        }
        Ok(())
    }

    fn starts_operand(&self) -> bool {
        matches!(
            self.peek().map(|l| &l.tok),
            Some(Tok::LParen | Tok::Quoted { .. } | Tok::Minus | Tok::Not | Tok::Bare(_))
        )
    }

    /// The error for a missing operand after `after` (an operator's name).
    fn missing_operand(&self, after: &str) -> QueryError {
        let found = self
            .peek()
            .map(|l| format!(", found {}", l.describe()))
            .unwrap_or_default();
        QueryError::new(
            self.column(),
            format!("expected a term after {after}{found}"),
        )
    }

    fn or(&mut self) -> Result<(Node, NegativeOnly), QueryError> {
        let (first, mut negative) = self.and()?;
        let mut branches = vec![first];
        while let Some(Tok::Or) = self.peek().map(|l| &l.tok) {
            self.pos += 1;
            if !self.starts_operand() {
                return Err(self.missing_operand("OR"));
            }
            let (node, neg) = self.and()?;
            negative = negative.or(neg);
            branches.push(node);
        }
        Ok((single_or(branches, Node::Or), negative))
    }

    fn and(&mut self) -> Result<(Node, NegativeOnly), QueryError> {
        if let Some(l) = self.peek() {
            let name = match &l.tok {
                Tok::And => Some("AND".to_string()),
                Tok::Or => Some("OR".to_string()),
                Tok::Near { distance, ordered } => Some(near_name(*distance, *ordered)),
                _ => None,
            };
            if let Some(name) = name {
                return Err(QueryError::new(
                    l.column,
                    format!("expected a term before {name}"),
                ));
            }
        }
        if !self.starts_operand() {
            let found = self
                .peek()
                .map(|l| format!(", found {}", l.describe()))
                .unwrap_or_default();
            return Err(QueryError::new(
                self.column(),
                format!("expected a term{found}"),
            ));
        }
        let mut parts = Vec::new();
        let mut negative: NegativeOnly = None;
        let mut any_positive = false;
        loop {
            if let Some(Tok::And) = self.peek().map(|l| &l.tok) {
                self.pos += 1;
                if !self.starts_operand() {
                    return Err(self.missing_operand("AND"));
                }
            } else if !self.starts_operand() {
                break;
            }
            let (node, neg) = self.unary()?;
            match neg {
                Some(c) => negative = negative.or(Some(c)),
                None => any_positive = true,
            }
            parts.push(node);
        }
        let negative = if any_positive { None } else { negative };
        Ok((single_or(parts, Node::And), negative))
    }

    fn unary(&mut self) -> Result<(Node, NegativeOnly), QueryError> {
        let l = self.peek().expect("unary is called on an operand");
        let column = l.column;
        if matches!(l.tok, Tok::Not | Tok::Minus) {
            let name = if l.tok == Tok::Not { "NOT" } else { "'-'" };
            self.pos += 1;
            if !self.starts_operand() {
                return Err(self.missing_operand(name));
            }
            self.descend(column)?;
            let (inner, _) = self.unary()?;
            self.depth -= 1;
            return Ok((Node::Not(Box::new(inner)), Some(column)));
        }
        self.near()
    }

    fn near(&mut self) -> Result<(Node, NegativeOnly), QueryError> {
        let left_column = self.column();
        let (mut left, negative) = self.primary()?;
        let depth = self.depth;
        while let Some(&Tok::Near { distance, ordered }) = self.peek().map(|l| &l.tok) {
            let name = near_name(distance, ordered);
            // A chain nests to the left: each link is one level deeper than the last.
            self.descend(self.column())?;
            self.pos += 1;
            let right_column = self.column();
            if !matches!(
                self.peek().map(|l| &l.tok),
                Some(Tok::LParen | Tok::Quoted { .. } | Tok::Bare(_))
            ) {
                return Err(self.missing_operand(&name));
            }
            let (right, _) = self.primary()?;
            for (node, column, side) in [
                (&left, left_column, "before"),
                (&right, right_column, "after"),
            ] {
                if !node.is_positional() {
                    return Err(QueryError::new(
                        column,
                        format!("expected a word, phrase or tag {side} {name}"),
                    ));
                }
            }
            left = Node::Near {
                left: Box::new(left),
                right: Box::new(right),
                distance,
                ordered,
            };
        }
        self.depth = depth;
        Ok((left, negative))
    }

    fn primary(&mut self) -> Result<(Node, NegativeOnly), QueryError> {
        let l = self
            .peek()
            .cloned()
            .expect("primary is called on an operand");
        self.pos += 1;
        match l.tok {
            Tok::LParen => {
                self.descend(l.column)?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Lexeme {
                        tok: Tok::RParen, ..
                    }) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    Some(other) => Err(QueryError::new(
                        other.column,
                        format!("expected ')', found {}", other.describe()),
                    )),
                    None => Err(QueryError::new(self.end_column, "expected ')'")),
                }
            }
            Tok::Quoted { text, slop } => Ok((phrase(&text, slop, l.column)?, None)),
            Tok::Bare(word) => Ok((bare(&word, l.column)?, None)),
            _ => Err(QueryError::new(
                l.column,
                format!("expected a term, found {}", l.describe()),
            )),
        }
    }
}

fn single_or(mut nodes: Vec<Node>, wrap: fn(Vec<Node>) -> Node) -> Node {
    if nodes.len() == 1 {
        nodes.pop().expect("one node")
    } else {
        wrap(nodes)
    }
}

fn phrase(text: &str, slop: Option<u32>, column: usize) -> Result<Node, QueryError> {
    let mut elements = Vec::new();
    for piece in text.split_whitespace() {
        match piece.strip_suffix('*') {
            Some(stem) => {
                let mut ws = text::words(stem);
                let last = ws.pop().ok_or_else(|| short_prefix(column))?;
                elements.extend(ws.into_iter().map(Element::Word));
                elements.push(Element::Prefix(checked_prefix(last, column)?));
            }
            None => elements.extend(text::words(piece).into_iter().map(Element::Word)),
        }
    }
    match elements.len() {
        0 => Err(QueryError::new(
            column + 1,
            "expected a word inside the quotes",
        )),
        1 => Ok(match elements.pop().expect("one element") {
            Element::Word(w) => Node::Word(w),
            Element::Prefix(p) => Node::Prefix(p),
        }),
        _ => Ok(Node::Phrase { elements, slop }),
    }
}

fn short_prefix(column: usize) -> QueryError {
    QueryError::new(column, "expected at least 3 letters before '*'")
}

fn checked_prefix(stem: String, column: usize) -> Result<String, QueryError> {
    if stem.chars().count() < 3 {
        return Err(short_prefix(column));
    }
    Ok(stem)
}

/// A term, prefix, tag or field: whatever runs up to whitespace, a parenthesis or a quote.
fn bare(word: &str, column: usize) -> Result<Node, QueryError> {
    let mut chars = word.chars();
    let sigil = chars.next().expect("bare words are not empty");
    let rest = chars.as_str();
    let tag = match sigil {
        '#' => Some((TagKind::Hashtag, "a hashtag after '#'")),
        '@' => Some((TagKind::Mention, "a handle after '@'")),
        '$' => Some((TagKind::Cashtag, "a cashtag after '$'")),
        _ => None,
    };
    if let Some((kind, expected)) = tag {
        let value = tag_value(kind, rest)
            .ok_or_else(|| QueryError::new(column + 1, format!("expected {expected}")))?;
        return Ok(Node::Tag(kind, value));
    }
    if let Some((name, value)) = word.split_once(':')
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphabetic())
        && !value.starts_with('/')
    {
        return field(name, value, column);
    }
    if let Some(stem) = word.strip_suffix('*') {
        let mut ws = text::words(stem);
        let last = ws.pop().ok_or_else(|| short_prefix(column))?;
        let prefix = checked_prefix(last, column)?;
        if ws.is_empty() {
            return Ok(Node::Prefix(prefix));
        }
        let mut elements: Vec<Element> = ws.into_iter().map(Element::Word).collect();
        elements.push(Element::Prefix(prefix));
        return Ok(Node::Phrase {
            elements,
            slop: None,
        });
    }
    let mut ws = text::words(word);
    match ws.len() {
        0 => Err(QueryError::new(
            column,
            format!("expected letters, digits or an emoji in '{word}'"),
        )),
        1 => Ok(Node::Word(ws.pop().expect("one word"))),
        _ => Ok(Node::Phrase {
            elements: ws.into_iter().map(Element::Word).collect(),
            slop: None,
        }),
    }
}

/// The normalized value of `#tag`, `@handle` or `$tag`: exactly one token, as the tokenizer
/// would read it after the sigil.
fn tag_value(kind: TagKind, rest: &str) -> Option<String> {
    let sigil = match kind {
        TagKind::Hashtag => '#',
        TagKind::Mention => '@',
        TagKind::Cashtag => '$',
    };
    let mut norm = String::new();
    text::normalize_into(&format!("{sigil}{rest}"), false, &mut norm);
    let mut toks = text::Tokens::default();
    text::tokenize(&norm, &mut toks);
    let flag = match kind {
        TagKind::Hashtag => text::HASHTAG,
        TagKind::Mention => text::MENTION,
        TagKind::Cashtag => text::CASHTAG,
    };
    let whole =
        toks.toks.len() == 1 && toks.toks[0].flags == flag && toks.text(0).len() + 1 == norm.len();
    whole.then(|| toks.text(0).to_string())
}

const FIELDS: &str = "from:, to:, lang:, network:, is:, has:, sentiment: or intent:";

fn field(name: &str, value: &str, column: usize) -> Result<Node, QueryError> {
    let value_column = column + name.chars().count() + 1;
    let known = [
        "from",
        "to",
        "lang",
        "network",
        "is",
        "has",
        "sentiment",
        "intent",
    ];
    if !known.contains(&name) {
        return Err(QueryError::new(
            column,
            format!("unknown field '{name}:' (expected {FIELDS})"),
        ));
    }
    if value.is_empty() {
        return Err(QueryError::new(
            value_column,
            format!("expected a value after '{name}:'"),
        ));
    }
    let bad = |expected: &str| {
        QueryError::new(
            value_column,
            format!("unknown value '{value}' for '{name}:' (expected {expected})"),
        )
    };
    let lower = value.to_lowercase();
    let field = match name {
        "from" | "to" => {
            let handle = lower.strip_prefix('@').unwrap_or(&lower);
            if handle.is_empty() || handle.chars().any(char::is_whitespace) {
                return Err(bad("a handle"));
            }
            let handle = caseless::default_case_fold_str(handle);
            if name == "from" {
                Field::From(handle)
            } else {
                Field::To(handle)
            }
        }
        "lang" => {
            if !lower.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(bad("a language tag such as en or pt-br"));
            }
            Field::Lang(lower)
        }
        "network" => Field::Network(
            lower
                .parse()
                .map_err(|_| bad("bluesky, mastodon, x or import"))?,
        ),
        "is" => match lower.as_str() {
            "reply" => Field::IsReply,
            _ => return Err(bad("reply")),
        },
        "has" => match lower.as_str() {
            "link" => Field::HasLink,
            "mention" => Field::HasMention,
            "hashtag" => Field::HasHashtag,
            _ => return Err(bad("link, mention or hashtag")),
        },
        "sentiment" => Field::Sentiment(
            lower
                .parse()
                .map_err(|_| bad("negative, neutral or positive"))?,
        ),
        _ => match lower.as_str() {
            "other" => Field::Intent(None),
            _ => Field::Intent(Some(lower.parse().map_err(|_| {
                bad("question, complaint, praise, lead, feedback or other")
            })?)),
        },
    };
    Ok(Node::Field(field))
}
