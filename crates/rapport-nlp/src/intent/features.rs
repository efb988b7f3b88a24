//! The features of a post, as the trained intent model sees them. Each feature has a name
//! (`w:refund`, `b:not working`, `o:how`, `c:still waiting`, `s:question-mark`, `k:complaint`)
//! and a value; the model keys its weights by the FNV-1a hash of the name. Extraction streams
//! the name's parts into the hash, so predicting allocates nothing.
//!
//! - `w:` a word, lowercased; `'`, `’` and the `\u2019` escape are dropped inside words
//!   (`don't` = `dont`); a word with a digit is `w:#`. Mentions and links are not words.
//! - `b:` two words in a row within a sentence.
//! - `o:` the opening word, after the mentions and a greeting (`hi`, `hey`, `hello`).
//! - `c:` a hand-written cue of the lexicon that fired.
//! - `k:` the lexicon's score for an intent (cues, learned complaint words, structure).
//! - `s:` the shape of the post: question marks, `!`, addressed to an account, a link, length,
//!   shouting, an imperative opening.

use rapport_domain::Intent;

use super::lexicon::{CueLexicon, Signal};

/// The lexicon's thresholds from when it classified alone (complaint's is lower: posts to a
/// care account complain in many small ways that no single cue carries).
const LEXICON_THRESHOLDS: [f32; 5] = [1.0, 0.7, 1.0, 1.0, 1.0];

/// Longest word kept whole; longer ones are cut (they are links or noise).
const MAX_WORD: usize = 24;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a 64 over the concatenated parts: the key of a feature name.
pub(super) fn key(parts: &[&[u8]]) -> u64 {
    let mut h = FNV_OFFSET;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// Receives every feature of a post: its name in parts, and its value.
pub(super) trait Sink {
    fn feature(&mut self, name: &[&[u8]], value: f32);
}

/// Opening words that make a request or a demand.
const IMPERATIVES: &[&str] = &[
    "please", "pls", "plz", "add", "fix", "make", "bring", "give", "let", "help", "send", "check",
    "stop", "get", "put", "allow", "change", "sort", "tell", "update", "dm",
];
const GREETINGS: &[&str] = &["hi", "hey", "hello", "dear", "yo"];

struct Word {
    buf: [u8; MAX_WORD],
    len: usize,
    digit: bool,
}

impl Word {
    fn new() -> Word {
        Word {
            buf: [0; MAX_WORD],
            len: 0,
            digit: false,
        }
    }

    fn text(&self) -> &[u8] {
        if self.digit {
            b"#"
        } else {
            &self.buf[..self.len]
        }
    }
}

/// Sends every feature of `text` to `sink`.
pub(super) fn extract(lexicon: &CueLexicon, text: &str, sink: &mut impl Sink) {
    sink.feature(&[b"s:bias"], 1.0);
    let scores = lexicon.scores(text, |_, signal| {
        if let Signal::Cue(c) = signal
            && !lexicon.is_learned(c)
        {
            sink.feature(&[b"c:", lexicon.pattern(c).as_bytes()], 1.0);
        }
    });
    for intent in Intent::ALL {
        let k = super::lexicon::index(intent);
        let score = scores[k].clamp(-3.0, 4.0);
        sink.feature(&[b"k:", intent.as_str().as_bytes()], score);
        // The lexicon's own decision: its score reached the threshold it was tuned with.
        if scores[k] >= LEXICON_THRESHOLDS[k] {
            sink.feature(&[b"k:", intent.as_str().as_bytes(), b" reached"], 1.0);
        }
    }
    words(text, sink);
}

/// The running state of the word scan.
struct Scan {
    cur: Word,
    prev: Word,
    /// Whether `prev` is in the same sentence as `cur` (for bigrams).
    has_prev: bool,
    opened: bool,
    n_words: usize,
    caps_words: usize,
    /// Uppercase letters in the current word.
    caps_run: usize,
}

impl Scan {
    /// Ends the current word: emits it, its bigram and maybe the opener.
    fn end_word(&mut self, sink: &mut impl Sink) {
        if self.cur.len == 0 {
            return;
        }
        let w = self.cur.text();
        sink.feature(&[b"w:", w], 1.0);
        if self.has_prev {
            sink.feature(&[b"b:", self.prev.text(), b" ", w], 1.0);
        }
        if !self.opened && !GREETINGS.iter().any(|g| g.as_bytes() == w) {
            self.opened = true;
            sink.feature(&[b"o:", w], 1.0);
            if IMPERATIVES.iter().any(|v| v.as_bytes() == w) {
                sink.feature(&[b"s:imperative"], 1.0);
            }
        }
        self.n_words += 1;
        if self.caps_run >= 3 && self.caps_run == self.cur.len {
            self.caps_words += 1;
        }
        std::mem::swap(&mut self.cur, &mut self.prev);
        self.has_prev = true;
        self.cur.len = 0;
        self.cur.digit = false;
        self.caps_run = 0;
    }

    fn push(&mut self, c: u8) {
        if self.cur.len < MAX_WORD {
            self.cur.buf[self.cur.len] = c.to_ascii_lowercase();
            self.cur.len += 1;
            if c.is_ascii_uppercase() {
                self.caps_run += 1;
            }
        }
        self.cur.digit |= c.is_ascii_digit();
    }
}

/// The word, bigram, opener and shape features. Words are cut by the one word splitter of
/// Rapport (`rapport_domain::words`, as the matcher and the sentiment model cut them), after
/// JSON escapes and HTML entities are decoded; inside a word, apostrophes are dropped (`dont`
/// and `don't` are one feature) and any digit makes it the number feature.
fn words(text: &str, sink: &mut impl Sink) {
    use rapport_domain::words::{PieceKind, split};
    let decoded = crate::text::decode(text);
    let text = decoded.as_ref();
    let mut s = Scan {
        cur: Word::new(),
        prev: Word::new(),
        has_prev: false,
        opened: false,
        n_words: 0,
        caps_words: 0,
        caps_run: 0,
    };
    let (mut questions, mut last_question, mut exclaims, mut url) = (0, None, 0, false);
    let mut last_end = 0;
    split(text, |p| {
        // A line break between two pieces ends the sentence, as a full stop does.
        if text[last_end..p.start].contains(['\n', '\r']) {
            s.has_prev = false;
        }
        last_end = p.end;
        let piece = &text[p.start..p.end];
        match p.kind {
            PieceKind::Word | PieceKind::Number | PieceKind::Hashtag | PieceKind::Cashtag => {
                let name = piece.trim_start_matches(['#', '$']);
                let mut utf8 = [0u8; 4];
                for c in name.chars().filter(|c| !matches!(c, '\'' | '\u{2019}')) {
                    c.encode_utf8(&mut utf8).bytes().for_each(|b| s.push(b));
                }
                s.end_word(sink);
            }
            PieceKind::Mention => s.has_prev = false,
            PieceKind::Url => {
                url = true;
                s.has_prev = false;
            }
            PieceKind::Punct => {
                for (off, c) in piece.char_indices() {
                    match c {
                        '?' => {
                            questions += 1;
                            last_question = Some(p.start + off);
                            s.has_prev = false;
                        }
                        '!' => {
                            exclaims += 1;
                            s.has_prev = false;
                        }
                        '.' | ',' | ';' | ':' | '(' | ')' | '"' => s.has_prev = false,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    });
    shape(
        sink,
        text.as_bytes(),
        s.n_words,
        s.caps_words,
        questions,
        last_question,
        exclaims,
        url,
    );
}

#[allow(clippy::too_many_arguments)]
fn shape(
    sink: &mut impl Sink,
    b: &[u8],
    n_words: usize,
    caps_words: usize,
    questions: usize,
    last_question: Option<usize>,
    exclaims: usize,
    url: bool,
) {
    if let Some(last) = last_question {
        sink.feature(&[b"s:question-mark"], 1.0);
        // Nothing but mentions, links, emoji or punctuation after the last `?`.
        let tail = &b[last + 1..];
        let words_after = tail
            .split(|x| x.is_ascii_whitespace())
            .filter(|t| !t.starts_with(b"@") && !t.starts_with(b"http"))
            .any(|t| t.iter().any(u8::is_ascii_alphanumeric));
        if !words_after {
            sink.feature(&[b"s:ends-with-question"], 1.0);
        }
    }
    if questions >= 2 {
        sink.feature(&[b"s:questions"], 1.0);
    }
    if exclaims > 0 {
        sink.feature(&[b"s:exclamation"], 1.0);
    }
    let t = std::str::from_utf8(b).unwrap_or("").trim_start();
    if t.starts_with('@') || t.starts_with(".@") {
        sink.feature(&[b"s:addressed"], 1.0);
    }
    if url {
        sink.feature(&[b"s:link"], 1.0);
    }
    if caps_words >= 2 {
        sink.feature(&[b"s:shouting"], 1.0);
    }
    let length: &[u8] = match n_words {
        0..=3 => b"s:words-0-3",
        4..=10 => b"s:words-4-10",
        11..=25 => b"s:words-11-25",
        _ => b"s:words-26+",
    };
    sink.feature(&[length], 1.0);
}

/// A feature name as `explain` shows it.
pub(super) fn describe(name: &str) -> String {
    let (kind, rest) = name.split_at(name.find(':').map_or(0, |p| p + 1));
    match kind {
        "w:" if rest == "#" => "a number".to_string(),
        "w:" | "b:" | "c:" => format!("\"{rest}\""),
        "o:" => format!("opens with \"{rest}\""),
        "k:" => format!("{} cues of the lexicon", rest.trim_end_matches(" reached")),
        _ => match rest {
            "question-mark" => "question mark".to_string(),
            "ends-with-question" => "ends with a question".to_string(),
            "addressed" => "addressed to an account".to_string(),
            "imperative" => "opens with a request".to_string(),
            other => other.replace('-', " "),
        },
    }
}
