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
        scan(text, |tok| {
            if matches!(tok.kind, TokenKind::Word | TokenKind::Punct) {
                let s = &text[tok.start..tok.end];
                for c in s.chars().filter(|c| c.is_alphabetic()) {
                    letters += 1;
                    dense += usize::from(is_dense_script(c));
                }
                words.push_str(s);
                words.push(' ');
            }
        });
        if letters < MIN_LETTERS && dense < MIN_LETTERS_DENSE {
            return None;
        }
        if looks_english(words) {
            return Some("en".to_string());
        }
        let info = whatlang::detect(truncate(words, 160))?;
        if info.confidence() < MIN_CONFIDENCE {
            return None;
        }
        iso639_1(info.lang().code()).map(str::to_string)
    })
}

/// English function words: a fifth of the words of nearly every English sentence, and rare
/// (as whole words) in other languages written in Latin letters.
const ENGLISH_FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "to", "of", "in", "on", "at", "for", "with", "from",
    "is", "are", "was", "were", "be", "been", "have", "has", "had", "do", "does", "did", "will",
    "would", "can", "could", "should", "i", "you", "he", "she", "it", "we", "they", "my", "your",
    "his", "her", "our", "their", "this", "that", "what", "when", "why", "how", "not", "just",
    "me", "him", "them", "us", "it's", "i'm", "don't", "can't", "there", "if", "so", "about",
];

/// A fast path for the commonest case, ASCII English, which whatlang takes tens of microseconds
/// to confirm: at least four words and a quarter of them English function words. The test
/// `english_shortcut_agrees_with_whatlang` measures its agreement with whatlang on real tweets.
fn looks_english(words: &str) -> bool {
    if !words.is_ascii() {
        return false;
    }
    let (mut total, mut function) = (0usize, 0usize);
    for w in words
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
    {
        total += 1;
        if w.len() <= 5
            && ENGLISH_FUNCTION_WORDS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(w))
        {
            function += 1;
        }
    }
    total >= 4 && function * 4 >= total
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

    /// On the customers' tweets in twcs where the English shortcut fires, whatlang (when sure)
    /// agrees that they are English.
    #[test]
    fn english_shortcut_agrees_with_whatlang() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/twcs/twcs_head_5000.csv"
        );
        // Only `\n` ends a record: tweet 3399 holds bare `\r` characters inside its text.
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
        let (mut fired, mut agreed) = (0, 0);
        for record in reader.records() {
            let text = record.unwrap()[text_col].to_string();
            if !looks_english(&text) {
                continue;
            }
            if let Some(info) = whatlang::detect(&text).filter(|i| i.is_reliable()) {
                fired += 1;
                agreed += usize::from(info.lang() == whatlang::Lang::Eng);
            }
        }
        assert!(fired > 1000, "shortcut fired on {fired} tweets");
        assert!(
            agreed as f64 / fired as f64 > 0.98,
            "{agreed} of {fired} agree"
        );
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
