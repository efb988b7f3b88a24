//! A tokenizer for social posts.
//!
//! It keeps what general-purpose tokenizers break apart: links, `@mentions` (including Bluesky
//! and Mastodon handles), `#hashtags`, `$cashtags`, emoji as whole grapheme clusters (ZWJ
//! sequences, skin tones, flags, keycaps), emoticons (`:)`, `:-(`, `<3`, `xD`). It notes what
//! carries tone: elongated words (`sooooo` is normalized to `soo` and flagged), runs of
//! punctuation (`!!!`, `?!`), and the scope of a negation (`not good`, `don't like it`: the words
//! after a negator up to the next clause punctuation or `but` are marked `negated`). JSON escapes
//! and HTML entities left in the text are decoded first (see [`crate::text`]).

mod emoticons;
mod scan;

use serde::Serialize;
use std::ops::Range;

pub(crate) use emoticons::{emoticon_canonical, emoticon_polarity, is_emoji_modifier};
pub(crate) use scan::{RawToken, is_negator, scan};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Word,
    Number,
    Url,
    Mention,
    Hashtag,
    Cashtag,
    Emoji,
    Emoticon,
    Punct,
    Symbol,
}

/// One token of a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub kind: TokenKind,
    /// As written (after decoding escapes).
    pub text: String,
    /// Normalized: see [`TokenKind`] rules in [`normalize_into`].
    pub norm: String,
    /// Byte range in the decoded text ([`crate::text::decode`] of the input).
    pub span: Range<usize>,
    /// A letter repeated three or more times (`sooooo`).
    pub elongated: bool,
    /// Inside a negation scope.
    pub negated: bool,
    /// A run of punctuation (`!!!`, `?!`, `...`).
    pub repeated: bool,
}

/// Tokenizes a post.
pub fn tokenize(text: &str) -> Vec<Token> {
    let decoded = crate::text::decode(text);
    let mut out = Vec::new();
    scan(&decoded, |raw| {
        let mut norm = String::new();
        normalize_into(&decoded, &raw, &mut norm);
        out.push(Token {
            kind: raw.kind,
            text: decoded[raw.start..raw.end].to_string(),
            norm,
            span: raw.start..raw.end,
            elongated: raw.elongated,
            negated: raw.negated,
            repeated: raw.repeated,
        });
    });
    out
}

/// Writes the normalized form of `tok` into `out` (cleared first):
/// words, mentions and hashtags are lowercased, with `’` as `'` and letter runs cut to two
/// (`Sooooo` -> `soo`); cashtags are uppercased; emoji lose skin tones and presentation selectors;
/// emoticons take their canonical form (`:-)))` -> `:)`); punctuation runs become `!!`, `??`, `?!`
/// or `…`; links and numbers stay as written.
pub(crate) fn normalize_into(text: &str, tok: &RawToken, out: &mut String) {
    out.clear();
    let s = &text[tok.start..tok.end];
    match tok.kind {
        TokenKind::Word | TokenKind::Mention | TokenKind::Hashtag if s.is_ascii() => {
            // The common case, byte by byte: the same result as the general branch below.
            let (mut prev, mut run) = (0u8, 0);
            for b in s.bytes() {
                let l = b.to_ascii_lowercase();
                if l == prev {
                    run += 1;
                } else {
                    (prev, run) = (l, 1);
                }
                if run <= 2 || !l.is_ascii_alphabetic() {
                    out.push(l as char);
                }
            }
        }
        TokenKind::Word | TokenKind::Mention | TokenKind::Hashtag => {
            let (mut prev, mut run) = ('\0', 0);
            for c in s.chars() {
                let c = if c == '\u{2019}' { '\'' } else { c };
                for l in c.to_lowercase() {
                    if l == prev {
                        run += 1;
                    } else {
                        (prev, run) = (l, 1);
                    }
                    if run <= 2 || !l.is_alphabetic() {
                        out.push(l);
                    }
                }
            }
        }
        TokenKind::Cashtag => out.extend(s.chars().map(|c| c.to_ascii_uppercase())),
        TokenKind::Emoji => out.extend(s.chars().filter(|c| !is_emoji_modifier(*c))),
        TokenKind::Emoticon => out.push_str(emoticon_canonical(tok.emoticon as usize)),
        TokenKind::Punct if tok.repeated => {
            let bang = s.contains(['!', '\u{FF01}']);
            let ask = s.contains(['?', '\u{FF1F}']);
            out.push_str(match (bang, ask) {
                (true, true) => "?!",
                (true, false) => "!!",
                (false, true) => "??",
                _ if s.starts_with('.') => "\u{2026}",
                _ => s,
            });
        }
        _ => out.push_str(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, String)> {
        tokenize(text)
            .into_iter()
            .map(|t| (t.kind, t.norm))
            .collect()
    }

    #[test]
    fn emoticons_attach_to_words_but_not_inside_them() {
        use TokenKind::*;
        assert_eq!(
            kinds("great:)"),
            [(Word, "great".into()), (Emoticon, ":)".into())]
        );
        assert_eq!(
            kinds(":Dexter"),
            [(Punct, ":".into()), (Word, "dexter".into())]
        );
        assert_eq!(kinds("xDrive"), [(Word, "xdrive".into())]);
        // Times split at the colon as every word does (UAX #29 as tailored in
        // `rapport_domain::words`), and `:0` is no emoticon.
        assert_eq!(
            kinds("8:08 pm"),
            [
                (Number, "8".into()),
                (Punct, ":".into()),
                (Number, "08".into()),
                (Word, "pm".into())
            ]
        );
    }

    #[test]
    fn scope_ends_at_but() {
        let toks = tokenize("not bad but not great either");
        let negated: Vec<_> = toks
            .iter()
            .filter(|t| t.negated)
            .map(|t| t.norm.as_str())
            .collect();
        assert_eq!(negated, ["bad", "great", "either"]);
    }
}
