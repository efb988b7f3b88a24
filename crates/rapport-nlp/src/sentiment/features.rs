//! Hashed features of a post, computed in one pass over the tokenizer's output with no
//! per-post allocation (a scratch buffer per thread holds decoded text and normalized tokens).
//!
//! Features: word unigrams (a separate space for words inside a negation scope, `good` vs
//! `NOT_good`), bigrams over the token stream (links, mentions and numbers collapsed to one unit
//! each), character 3- to 5-grams of each word with boundary marks (`<go`, `goo`, `od>` ...) that
//! catch spelling variants and word stems, emoticons with their polarity, emoji (skin tones
//! removed), hashtags both as tags and as words, and flags for elongation, punctuation runs,
//! all-caps words and negation.

use super::lexicon::{self, Tally};
use crate::tokenize::{RawToken, TokenKind, emoticon_polarity, normalize_into, scan};
use std::cell::RefCell;

const K: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn step(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(K)
}

#[inline]
fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed;
    for chunk in bytes.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = step(h, u64::from_le_bytes(w));
    }
    step(h, bytes.len() as u64)
}

/// Final avalanche so the top bits used as the bucket index depend on every input bit.
#[inline]
pub(crate) fn finish(h: u64) -> u64 {
    let h = (h ^ (h >> 32)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    h ^ (h >> 32)
}

// Feature spaces: a seed per kind of feature so equal strings in different spaces do not collide.
const WORD: u64 = 1;
const NEG_WORD: u64 = 2;
const BIGRAM: u64 = 3;
const CHARS: u64 = 4;
const UNIT: u64 = 5;
const FLAG: u64 = 6;
const LEXICON: u64 = 7;
const TRIGRAM: u64 = 8;
const AFTER_BUT: u64 = 9;

/// The hash of a word's unigram feature, which also keys the sentiment lexicon.
#[inline]
pub(crate) fn word_hash(word: &str) -> u64 {
    hash_bytes(WORD, word.as_bytes())
}

/// Flags that are features on their own.
#[derive(Clone, Copy)]
enum Flag {
    Elongated,
    Emphasis,
    AllCaps,
    Negation,
    PositiveEmoticon,
    NegativeEmoticon,
    Bias,
}

impl Flag {
    fn name(self) -> &'static str {
        match self {
            Flag::Elongated => "[elongated word]",
            Flag::Emphasis => "[!!! or ?!]",
            Flag::AllCaps => "[ALL CAPS word]",
            Flag::Negation => "[negation]",
            Flag::PositiveEmoticon => "[positive emoticon]",
            Flag::NegativeEmoticon => "[negative emoticon]",
            Flag::Bias => "[any post]",
        }
    }
}

/// Groups of features a model may use (a bit mask stored in the model file).
pub mod groups {
    pub const WORDS: u32 = 1;
    pub const BIGRAMS: u32 = 1 << 1;
    pub const CHAR_NGRAMS: u32 = 1 << 2;
    pub const NEGATION: u32 = 1 << 3;
    pub const EMOTICONS: u32 = 1 << 4;
    pub const FLAGS: u32 = 1 << 5;
    /// Ratings of the VADER lexicon ([`super::super::lexicon`]).
    pub const LEXICON: u32 = 1 << 6;
    pub const ALL: u32 = (1 << 7) - 1;
    /// Word trigrams over the token stream.
    pub const TRIGRAMS: u32 = 1 << 7;
    /// Lexicon ratings after `but`/`however` again in a space of their own.
    pub const CLAUSE: u32 = 1 << 8;
}

/// Receives features: a hash, and a way to name it that only explanations call.
pub(crate) trait Sink {
    fn feature(&mut self, hash: u64, name: impl FnOnce() -> String);

    /// Every word (hashtags without `#`), by its [`word_hash`], for word vectors. (Words in a
    /// negation scope count as they are: flipping their vector scored lower.)
    #[inline]
    fn word(&mut self, _word_hash: u64, _word: &str) {}
}

struct Scratch {
    decoded: String,
    norm: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch { decoded: String::new(), norm: String::new() })
    };
}

/// Feeds every feature of `text` to `sink`.
pub(crate) fn featurize<S: Sink>(text: &str, groups: u32, sink: &mut S) {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let Scratch { decoded, norm } = &mut *scratch;
        let text = if crate::text::needs_decoding(text) {
            crate::text::decode_into(text, decoded);
            decoded.as_str()
        } else {
            text
        };
        featurize_decoded(text, groups, norm, sink);
    });
}

fn featurize_decoded<S: Sink>(text: &str, g: u32, norm: &mut String, sink: &mut S) {
    let on = |group: u32| g & group != 0;
    sink.feature(step(FLAG, Flag::Bias as u64), || Flag::Bias.name().into());
    let mut prev_unit = step(UNIT, 0);
    let mut prev2_unit = step(UNIT, 0);
    let mut after_but = false;
    let mut prev_name_end = 0usize;
    let mut prev_start = 0usize;
    let mut tally = Tally::default();
    scan(text, |tok: RawToken| {
        normalize_into(text, &tok, norm);
        let unit = match tok.kind {
            TokenKind::Url => step(UNIT, 1),
            TokenKind::Mention => step(UNIT, 2),
            TokenKind::Number => step(UNIT, 3),
            _ => hash_bytes(UNIT, norm.as_bytes()),
        };
        let unit_name = || match tok.kind {
            TokenKind::Url => "<url>".to_string(),
            TokenKind::Mention => "@user".to_string(),
            TokenKind::Number => "<number>".to_string(),
            _ => norm.clone(),
        };
        match tok.kind {
            TokenKind::Word | TokenKind::Hashtag => {
                let word = norm.strip_prefix('#').unwrap_or(norm);
                let hash = word_hash(word);
                sink.word(hash, word);
                if tok.negated && on(groups::NEGATION) {
                    sink.feature(hash_bytes(NEG_WORD, word.as_bytes()), || {
                        format!("NOT_{word}")
                    });
                } else if on(groups::WORDS) {
                    sink.feature(hash, || word.to_string());
                }
                if on(groups::LEXICON)
                    && let Some(rated) = lexicon::valence(hash)
                {
                    let bin = tally.add(rated, tok.negated);
                    if bin != 0 {
                        sink.feature(step(LEXICON, bin as u64), || {
                            format!("[lexicon {}: {word}]", strength_name(bin))
                        });
                        if after_but && on(groups::CLAUSE) {
                            sink.feature(step(AFTER_BUT, bin as u64), || {
                                format!("[after but: lexicon {}: {word}]", strength_name(bin))
                            });
                        }
                    }
                }
                if tok.kind == TokenKind::Hashtag {
                    sink.feature(unit, || norm.clone());
                }
                if on(groups::CHAR_NGRAMS) {
                    char_ngrams(word, sink);
                }
                let raw = &text[tok.start..tok.end];
                if on(groups::CLAUSE) && matches!(word, "but" | "however" | "although" | "though") {
                    after_but = true;
                }
                if on(groups::FLAGS) {
                    word_flags(raw, tok.elongated, sink);
                }
            }
            TokenKind::Emoticon if on(groups::EMOTICONS) => {
                sink.feature(unit, || norm.clone());
                let flag = match emoticon_polarity(tok.emoticon as usize) {
                    p if p > 0 => Some(Flag::PositiveEmoticon),
                    p if p < 0 => Some(Flag::NegativeEmoticon),
                    _ => None,
                };
                if let Some(flag) = flag {
                    sink.feature(step(FLAG, flag as u64), || flag.name().into());
                }
            }
            TokenKind::Emoji if on(groups::EMOTICONS) => sink.feature(unit, || norm.clone()),
            TokenKind::Cashtag => sink.feature(unit, || norm.clone()),
            TokenKind::Punct if on(groups::FLAGS) && tok.repeated && norm.contains(['!', '?']) => {
                sink.feature(step(FLAG, Flag::Emphasis as u64), || {
                    Flag::Emphasis.name().into()
                });
            }
            _ => {}
        }
        if on(groups::BIGRAMS) {
            sink.feature(step(step(BIGRAM, prev_unit), unit), || {
                let prev = if prev_name_end == 0 {
                    "<start>"
                } else {
                    &text[prev_start..prev_name_end]
                };
                format!("{prev} {}", unit_name())
            });
        }
        if on(groups::TRIGRAMS) {
            sink.feature(
                step(step(step(TRIGRAM, prev2_unit), prev_unit), unit),
                || format!("[trigram ending] {}", unit_name()),
            );
        }
        prev2_unit = prev_unit;
        prev_unit = unit;
        prev_start = tok.start;
        prev_name_end = tok.end;
    });
    if on(groups::LEXICON) {
        lexicon_totals(&tally, sink);
    }
}

fn strength_name(bin: i8) -> &'static str {
    match bin {
        ..=-3 => "strongly negative",
        -2 => "negative",
        -1 => "mildly negative",
        1 => "mildly positive",
        2 => "positive",
        _ => "strongly positive",
    }
}

/// Post-level lexicon features: counts of positive and negative words (capped at 3), the summed
/// valence in bins, the last rated word's polarity, and whether both polarities occur.
fn lexicon_totals<S: Sink>(t: &Tally, sink: &mut S) {
    let (pos, neg) = (t.positive.min(3) as u64, t.negative.min(3) as u64);
    sink.feature(step(step(LEXICON, 100), pos), || {
        format!("[{pos} positive lexicon words]")
    });
    sink.feature(step(step(LEXICON, 101), neg), || {
        format!("[{neg} negative lexicon words]")
    });
    let sum = t.sum_bin();
    sink.feature(step(step(LEXICON, 102), sum as u64), || {
        format!("[lexicon sum {sum:+}]")
    });
    if t.last != 0 {
        let last = t.last;
        sink.feature(step(step(LEXICON, 103), last as u64), || {
            let polarity = if last > 0 { "positive" } else { "negative" };
            format!("[last lexicon word {polarity}]")
        });
    }
    if pos > 0 && neg > 0 {
        sink.feature(step(LEXICON, 104), || "[mixed lexicon polarity]".into());
    }
}

fn word_flags<S: Sink>(raw: &str, elongated: bool, sink: &mut S) {
    if elongated {
        sink.feature(step(FLAG, Flag::Elongated as u64), || {
            Flag::Elongated.name().into()
        });
    }
    if raw.len() >= 3 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
        sink.feature(step(FLAG, Flag::AllCaps as u64), || {
            Flag::AllCaps.name().into()
        });
    }
    if crate::tokenize::is_negator(raw) {
        sink.feature(step(FLAG, Flag::Negation as u64), || {
            Flag::Negation.name().into()
        });
    }
}

/// Character 3- to 5-grams of `<word>`, hashed incrementally from each start position.
fn char_ngrams<S: Sink>(word: &str, sink: &mut S) {
    let mut padded = [0u32; 34];
    let mut n = 0;
    padded[n] = '<' as u32;
    n += 1;
    for c in word.chars() {
        if n == padded.len() - 1 {
            // Very long "words" are links or noise; their first 32 characters say enough.
            break;
        }
        padded[n] = c as u32;
        n += 1;
    }
    padded[n] = '>' as u32;
    n += 1;
    for start in 0..n {
        let mut h = CHARS;
        for len in 1..=5usize {
            let Some(&c) = padded.get(start + len - 1).filter(|_| start + len <= n) else {
                break;
            };
            h = step(h, c as u64);
            if len >= 3 {
                sink.feature(h, || {
                    padded[start..start + len]
                        .iter()
                        .filter_map(|c| char::from_u32(*c))
                        .collect()
                });
            }
        }
    }
}
