//! Language of a post: the network's own tag when it has one, else whatlang on the words of the
//! post (links, mentions, hashtags, cashtags, emoji and emoticons removed: they are not written
//! in any language and mislead trigram statistics).

use crate::tokenize::{TokenKind, scan};
use std::cell::RefCell;

/// Letters needed before a guess is worth making; scripts written without spaces (Japanese,
/// Chinese, Korean, Thai) carry more per character.
const MIN_LETTERS: usize = 12;
const MIN_LETTERS_DENSE: usize = 4;
/// whatlang's own "reliable" bar (0.9) rejects most one-sentence posts; below this one its
/// guesses on tweets were mostly wrong.
const MIN_CONFIDENCE: f64 = 0.3;

thread_local! {
    static WORDS: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
}

/// ISO 639-1 code of the post's language (`en`, `es`, `ja`...), or `None` when the text is too
/// short or whatlang is not confident. A network tag (`en`, `pt-BR`) wins when present; the
/// "undetermined" tags (`und`, `zxx`, X's `qme`/`qht`...) count as absent.
pub fn detect_language(text: &str, network_tag: Option<&str>) -> Option<String> {
    if let Some(tag) = network_tag.and_then(normalize_tag) {
        return Some(tag);
    }
    detect_words(text, true)
}

/// Language of the words of `text`; with `shortcut`, English posts that [`Evidence`] settles
/// skip whatlang (the tests compare both paths on twcs).
fn detect_words(text: &str, shortcut: bool) -> Option<String> {
    WORDS.with(|cell| {
        let (decoded, words) = &mut *cell.borrow_mut();
        let text = if crate::text::needs_decoding(text) {
            crate::text::decode_into(text, decoded);
            decoded.as_str()
        } else {
            text
        };
        words.clear();
        let (mut letters, mut dense) = (0usize, 0usize);
        let mut evidence = Evidence::default();
        scan(text, |tok| {
            if matches!(tok.kind, TokenKind::Word | TokenKind::Punct) {
                let s = &text[tok.start..tok.end];
                for c in s.chars().filter(|c| c.is_alphabetic()) {
                    letters += 1;
                    dense += usize::from(is_dense_script(c));
                }
                if tok.kind == TokenKind::Word {
                    evidence.word(s);
                }
                words.push_str(s);
                words.push(' ');
            }
        });
        if letters < MIN_LETTERS && dense < MIN_LETTERS_DENSE {
            return None;
        }
        if shortcut && evidence.is_english() {
            return Some("en".to_string());
        }
        let info = whatlang::detect(truncate(words, 160))?;
        if info.confidence() < MIN_CONFIDENCE {
            return None;
        }
        iso639_1(info.lang().code()).map(str::to_string)
    })
}

/// Frequent English words. A few are also words of other languages (`is`, `was`, `me`, `no`);
/// a post in one of those languages also holds words of [`OTHER_LATIN`], which veto.
const ENGLISH_ONLY: &[&str] = &[
    "the", "and", "to", "of", "for", "with", "from", "are", "were", "be", "been", "have", "has",
    "had", "does", "did", "would", "can", "could", "should", "you", "she", "it", "they", "your",
    "his", "her", "our", "their", "this", "that", "what", "when", "why", "how", "not", "just",
    "them", "there", "if", "about", "it's", "i'm", "don't", "can't", "i've", "i'll", "you're",
    "get", "got", "my", "all", "out", "up", "now", "will", "like", "love", "thanks", "thank",
    "please", "help", "again", "still", "any", "who", "going", "today", "time", "day", "new",
    "good", "great", "after", "only", "didn't", "doesn't", "isn't", "won't", "we", "me", "is",
    "was", "at", "by", "but", "i", "an", "on", "so", "do", "no", "or",
];

/// Common function words of other languages written in Latin letters that are not English
/// words: one of them sends the post to whatlang.
const OTHER_LATIN: &[&str] = &[
    "de", "la", "el", "que", "y", "en", "los", "las", "por", "para", "con", "una", "es", "del",
    "lo", "se", "mi", "muy", "pero", "le", "les", "des", "et", "est", "pas", "une", "du", "je",
    "vous", "nous", "au", "der", "die", "das", "und", "ist", "nicht", "mit", "ich", "ein", "eine",
    "zu", "den", "auf", "für", "não", "um", "uma", "com", "você", "eu", "che", "il", "di", "per",
    "non", "sono", "het", "een", "van", "ik", "niet", "och", "att", "är", "jag", "og", "er",
    "ikke", "det", "bir", "ve", "bu", "ne", "ini", "itu", "yang", "dan", "aku", "ng", "sa", "ang",
    "si", "ako", "hai", "ya", "da", "na", "ke", "ga", "wa", "ni", "ta",
];

/// Words that settle a post as English without whatlang: at least three words, all in ASCII
/// letters, none a common word of another language, and a fifth of them English words.
#[derive(Default)]
struct Evidence {
    words: u32,
    english: u32,
    other: bool,
}

impl Evidence {
    fn word(&mut self, word: &str) {
        self.words += 1;
        let mut buf = [0u8; 8];
        let mut n = 0;
        for c in word.chars() {
            let c = if c == '\u{2019}' { '\'' } else { c };
            if !c.is_ascii() {
                self.other = true;
                return;
            }
            if n < buf.len() {
                buf[n] = c.to_ascii_lowercase() as u8;
            }
            n += 1;
        }
        if n > buf.len() {
            return;
        }
        let w = std::str::from_utf8(&buf[..n]).unwrap_or("");
        if ENGLISH_ONLY.contains(&w) {
            self.english += 1;
        } else if OTHER_LATIN.contains(&w) {
            self.other = true;
        }
    }

    fn is_english(&self) -> bool {
        !self.other && self.words >= 3 && self.english * 5 >= self.words
    }
}

/// At most `max` bytes of `s`, cut at a character boundary: a tweet's first sentences decide.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn is_dense_script(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0x0E00..=0x0E7F)
}

/// `pt-BR` -> `pt`, `EN` -> `en`; `None` for undetermined or malformed tags.
pub(crate) fn normalize_tag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    let valid = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    let undetermined =
        matches!(primary.as_str(), "und" | "zxx" | "mul" | "mis") || primary.starts_with('q');
    if !valid || undetermined {
        return None;
    }
    // Three-letter tags that have a two-letter code are reported with it, like whatlang's.
    Some(iso639_1(&primary).map_or(primary.clone(), str::to_string))
}

/// ISO 639-3 (as whatlang names languages) to ISO 639-1.
fn iso639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "spa" => "es",
        "fra" => "fr",
        "deu" => "de",
        "ita" => "it",
        "por" => "pt",
        "nld" => "nl",
        "rus" => "ru",
        "ukr" => "uk",
        "pol" => "pl",
        "ces" => "cs",
        "slk" => "sk",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "bul" => "bg",
        "mkd" => "mk",
        "bel" => "be",
        "ron" => "ro",
        "hun" => "hu",
        "fin" => "fi",
        "est" => "et",
        "lav" => "lv",
        "lit" => "lt",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "nb",
        "cat" => "ca",
        "lat" => "la",
        "epo" => "eo",
        "cym" => "cy",
        "afr" => "af",
        "tur" => "tr",
        "aze" => "az",
        "uzb" => "uz",
        "tuk" => "tk",
        "ell" => "el",
        "heb" => "he",
        "yid" => "yi",
        "ara" => "ar",
        "pes" => "fa",
        "urd" => "ur",
        "hin" => "hi",
        "mar" => "mr",
        "nep" => "ne",
        "ben" => "bn",
        "guj" => "gu",
        "pan" => "pa",
        "ori" => "or",
        "tam" => "ta",
        "tel" => "te",
        "kan" => "kn",
        "mal" => "ml",
        "sin" => "si",
        "tha" => "th",
        "khm" => "km",
        "mya" => "my",
        "vie" => "vi",
        "ind" => "id",
        "jav" => "jv",
        "tgl" => "tl",
        "cmn" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "kat" => "ka",
        "hye" => "hy",
        "amh" => "am",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_tags_win_and_are_normalized() {
        assert_eq!(
            detect_language("bonjour à tous", Some("en")).as_deref(),
            Some("en")
        );
        assert_eq!(detect_language("x", Some("pt-BR")).as_deref(), Some("pt"));
        assert_eq!(detect_language("x", Some("jpn")).as_deref(), Some("ja"));
        assert_eq!(detect_language("ok", Some("und")), None);
        assert_eq!(detect_language("ok", Some("qme")), None);
    }

    fn texts(file: &str) -> Vec<String> {
        let path = format!(
            "{}/../../../shared/data/twcs/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        // Only `\n` ends a record: tweet 3399 of the head file holds bare `\r` characters.
        let mut reader = csv::ReaderBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_path(path)
            .unwrap();
        let text_col = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "text")
            .unwrap();
        reader
            .records()
            .map(|r| r.unwrap()[text_col].to_string())
            .collect()
    }

    /// On the twcs tweets where whatlang gives an answer, the answer with the English shortcut
    /// is the same nearly always (the rest are mostly whatlang's mistakes on short English
    /// posts: `We understand.` as German), and the shortcut settles most posts.
    #[test]
    fn english_shortcut_agrees_with_whatlang() {
        for file in ["twcs_head_5000.csv", "spotifycares_inbound_15096.csv"] {
            let (mut posts, mut answered, mut same, mut settled) = (0usize, 0, 0, 0);
            for text in texts(file) {
                let slow = detect_words(&text, false);
                let fast = detect_words(&text, true);
                posts += 1;
                if slow.is_some() {
                    answered += 1;
                    same += usize::from(fast == slow);
                }
                let mut evidence = Evidence::default();
                scan(&text, |tok| {
                    if tok.kind == TokenKind::Word {
                        evidence.word(&text[tok.start..tok.end]);
                    }
                });
                settled += usize::from(evidence.is_english());
            }
            let agreement = same as f64 / answered as f64;
            let settled = settled as f64 / posts as f64;
            eprintln!(
                "{file}: agreement {agreement:.4} on {answered} posts whatlang answers, settled without whatlang {settled:.4}"
            );
            assert!(agreement > 0.98, "{file}: agreement {agreement:.4}");
            assert!(settled > 0.6, "{file}: shortcut settled {settled:.4}");
        }
    }

    #[test]
    fn too_short_or_only_entities_is_unknown() {
        assert_eq!(detect_language("lol", None), None);
        assert_eq!(
            detect_language("@AmazonHelp https://t.co/abc #fail 😢😢", None),
            None
        );
    }
}
