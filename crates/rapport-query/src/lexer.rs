//! Splits a query into lexemes, each with the 1-based character column it starts at.

use crate::QueryError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    /// `"..."`, with the `~N` that may follow it.
    Quoted {
        text: String,
        slop: Option<u32>,
    },
    /// A `-` glued to the term, phrase or group after it.
    Minus,
    And,
    Or,
    Not,
    Near {
        distance: u32,
        ordered: bool,
    },
    /// Anything else up to whitespace, a parenthesis or a quote: a term, a tag, a field.
    Bare(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lexeme {
    pub tok: Tok,
    pub column: usize,
}

impl Lexeme {
    /// How the lexeme reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match &self.tok {
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Quoted { .. } => "a phrase".into(),
            Tok::Minus => "'-'".into(),
            Tok::And => "AND".into(),
            Tok::Or => "OR".into(),
            Tok::Not => "NOT".into(),
            Tok::Near { distance, ordered } => near_name(*distance, *ordered),
            Tok::Bare(s) => format!("'{s}'"),
        }
    }
}

pub(crate) fn near_name(distance: u32, ordered: bool) -> String {
    format!("NEAR/{distance}{}", if ordered { "f" } else { "" })
}

fn is_boundary(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

/// Lexes the whole query. The returned column past the last lexeme is `chars + 1`.
pub(crate) fn lex(query: &str) -> Result<Vec<Lexeme>, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '"' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '"')
                    .map(|p| p + i + 1)
                    .ok_or_else(|| QueryError::new(chars.len() + 1, "expected '\"'"))?;
                let text: String = chars[i + 1..close].iter().collect();
                i = close + 1;
                let mut slop = None;
                if chars.get(i) == Some(&'~') {
                    let digits = count_digits(&chars[i + 1..]);
                    if digits == 0 {
                        return Err(QueryError::new(i + 2, "expected a number after '~'"));
                    }
                    slop = Some(number(&chars[i + 1..i + 1 + digits], i + 2)?);
                    i += 1 + digits;
                }
                Tok::Quoted { text, slop }
            }
            '-' => {
                match chars.get(i + 1) {
                    Some(&next) if !next.is_whitespace() && next != ')' => {}
                    _ => return Err(QueryError::new(i + 2, "expected a term after '-'")),
                }
                i += 1;
                Tok::Minus
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_boundary(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                operator(&word, column)?.unwrap_or(Tok::Bare(word))
            }
        };
        out.push(Lexeme { tok, column });
    }
    Ok(out)
}

/// Operators are written in capitals, as in Brandwatch and Talkwalker: `or` is a word.
fn operator(word: &str, column: usize) -> Result<Option<Tok>, QueryError> {
    Ok(Some(match word {
        "AND" => Tok::And,
        "OR" => Tok::Or,
        "NOT" => Tok::Not,
        "NEAR" => {
            return Err(QueryError::new(
                column + 4,
                "expected '/' and a distance after NEAR (like NEAR/3)",
            ));
        }
        _ => match word.strip_prefix("NEAR/") {
            Some(rest) => {
                let chars: Vec<char> = rest.chars().collect();
                let digits = count_digits(&chars);
                if digits == 0 {
                    return Err(QueryError::new(
                        column + 5,
                        "expected a number after 'NEAR/'",
                    ));
                }
                let distance = number(&chars[..digits], column + 5)?;
                let ordered = match &chars[digits..] {
                    [] => false,
                    ['f'] => true,
                    _ => {
                        return Err(QueryError::new(
                            column + 5 + digits,
                            "expected 'f' or the end of the operator after the NEAR distance",
                        ));
                    }
                };
                Tok::Near { distance, ordered }
            }
            None => return Ok(None),
        },
    }))
}

fn count_digits(chars: &[char]) -> usize {
    chars.iter().take_while(|c| c.is_ascii_digit()).count()
}

fn number(digits: &[char], column: usize) -> Result<u32, QueryError> {
    let text: String = digits.iter().collect();
    text.parse::<u32>()
        .ok()
        .filter(|n| *n <= 1000)
        .ok_or_else(|| QueryError::new(column, "expected a distance of at most 1000 words"))
}
