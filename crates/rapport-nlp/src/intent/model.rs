//! The intent model: a weighted cue lexicon matched in one Aho-Corasick pass, plus a few
//! structural cues (a question mark, an opening interrogative). Each intent's score is the sum
//! of the weights that fired; the post gets the intent when the score reaches its threshold.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rapport_domain::{Intent, IntentSet};

use super::{
    cues::{CUES, Cue},
    negativity::negative_words,
};

/// A score at or above this gives the intent (in `Intent::ALL` order). Complaint's is lower:
/// posts to a care account complain in many small ways that no single cue carries.
const THRESHOLDS: [f32; 5] = [1.0, 0.7, 1.0, 1.0, 1.0];
/// Weight of a `?` anywhere in the post.
const QUESTION_MARK: f32 = 1.0;

/// Added to complaint when the post opens by addressing an account: posts written to a brand
/// are more often complaints, so weaker cues suffice.
const ADDRESSED: f32 = 0.3;

/// Added to praise when the post asks something.
const COURTESY: f32 = -0.4;

/// Words that open a question when they open the post (after mentions and a greeting).
const OPENERS: &[(&str, f32)] = &[
    ("how", 0.8),
    ("what", 0.8),
    ("when", 0.8),
    ("where", 0.8),
    ("which", 0.8),
    ("who", 0.8),
    ("why", 0.5),
    ("is", 0.6),
    ("are", 0.6),
    ("do", 0.6),
    ("does", 0.6),
    ("did", 0.5),
    ("can", 0.7),
    ("could", 0.7),
    ("will", 0.6),
    ("would", 0.5),
    ("should", 0.5),
    ("any", 0.6),
    ("anyone", 0.6),
    ("has", 0.5),
    ("have", 0.4),
];

/// Structural cues, reported by `explain` under these names.
#[derive(Clone, Copy)]
enum Signal {
    Cue(usize),
    QuestionMark,
    Opener(usize),
    Addressed,
}

/// Each learned word adds this much of its log-odds to complaint ...
const LEARNED_SCALE: f32 = 0.1;
/// ... and all of them together at most this much.
const LEARNED_CAP: f32 = 0.4;
/// Room for the hand-written and learned cues together in the per-post "seen" bit set.
const MAX_CUES: usize = 1024;

pub struct IntentModel {
    /// The hand-written cues, then the learned complaint words.
    cues: Vec<Cue>,
    learned_from: usize,
    matcher: AhoCorasick,
    /// For each matcher pattern, the cue it came from (several spellings share one cue).
    pattern_cue: Vec<usize>,
    /// Whether the cue's last word may run on (`cancel*`).
    prefix: Vec<bool>,
}

fn spellings(pattern: &str) -> Vec<String> {
    let base = pattern.trim_end_matches('*');
    if base.contains('\'') {
        ["'", "’", "\\u2019", ""]
            .iter()
            .map(|a| base.replace('\'', a))
            .collect()
    } else {
        vec![base.to_string()]
    }
}

impl IntentModel {
    fn build(hand: &[Cue]) -> IntentModel {
        let mut cues = hand.to_vec();
        for (word, log_odds) in negative_words() {
            if !hand.iter().any(|c| c.0.trim_end_matches('*') == word) {
                cues.push((word, Intent::Complaint, log_odds * LEARNED_SCALE));
            }
        }
        assert!(
            cues.len() <= MAX_CUES,
            "too many cues for the per-post bit set"
        );
        let mut patterns = Vec::new();
        let mut pattern_cue = Vec::new();
        for (i, (pattern, _, _)) in cues.iter().enumerate() {
            for s in spellings(pattern) {
                patterns.push(s);
                pattern_cue.push(i);
            }
        }
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("the cue lexicon is a valid Aho-Corasick pattern set");
        IntentModel {
            learned_from: hand.len(),
            matcher,
            pattern_cue,
            prefix: cues.iter().map(|c| c.0.ends_with('*')).collect(),
            cues,
        }
    }

    /// The built-in model (built once, on first use).
    pub fn default_model() -> &'static IntentModel {
        static MODEL: OnceLock<IntentModel> = OnceLock::new();
        MODEL.get_or_init(|| IntentModel::build(CUES))
    }

    /// The intents of `text`; empty means `other`.
    pub fn predict(&self, text: &str) -> IntentSet {
        let scores = self.scores(text, |_, _| {});
        decide(&scores)
    }

    /// The predicted intents, each with the cues that spoke for it, strongest first.
    pub fn explain(&self, text: &str) -> Vec<(Intent, Vec<String>)> {
        let mut fired: Vec<(Intent, f32, Signal)> = Vec::new();
        let scores = self.scores(text, |intent, signal| {
            fired.push((intent, self.weight_of(signal), signal));
        });
        decide(&scores)
            .iter_intents()
            .map(|intent| {
                let mut own: Vec<&(Intent, f32, Signal)> = fired
                    .iter()
                    .filter(|(i, w, _)| *i == intent && *w > 0.0)
                    .collect();
                own.sort_by(|a, b| b.1.total_cmp(&a.1));
                let mut names: Vec<String> = Vec::new();
                for (_, _, signal) in own {
                    let name = self.signal_name(*signal);
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                (intent, names)
            })
            .collect()
    }

    /// Sums the weights per intent (in `Intent::ALL` order), telling `seen` about every signal.
    fn scores(&self, text: &str, mut seen: impl FnMut(Intent, Signal)) -> [f32; 5] {
        let mut scores = [0.0f32; 5];
        let bytes = text.as_bytes();
        // A cue counts once per post, however often it occurs.
        let mut counted = [0u64; MAX_CUES / 64];
        let mut learned = 0.0f32;
        for m in self.matcher.find_overlapping_iter(text) {
            let cue = self.pattern_cue[m.pattern().as_usize()];
            let (pattern, intent, weight) = self.cues[cue];
            let first = pattern.as_bytes()[0];
            let last = pattern.trim_end_matches('*').as_bytes().last().copied();
            let left_ok = !is_word(first) || m.start() == 0 || !is_word(bytes[m.start() - 1]);
            let right_ok = self.prefix[cue]
                || !last.is_some_and(is_word)
                || m.end() == bytes.len()
                || !is_word(bytes[m.end()]);
            let bit = 1u64 << (cue % 64);
            if !left_ok || !right_ok || counted[cue / 64] & bit != 0 {
                continue;
            }
            counted[cue / 64] |= bit;
            if cue >= self.learned_from {
                learned += weight;
            } else {
                scores[index(intent)] += weight;
            }
            seen(intent, Signal::Cue(cue));
        }
        scores[index(Intent::Complaint)] += learned.min(LEARNED_CAP);
        if memchr::memchr(b'?', bytes).is_some() {
            scores[index(Intent::Question)] += QUESTION_MARK;
            seen(Intent::Question, Signal::QuestionMark);
            // A thanks that closes a question is courtesy, not praise.
            scores[index(Intent::Praise)] += COURTESY;
        }
        if addressed(text) {
            scores[index(Intent::Complaint)] += ADDRESSED;
            seen(Intent::Complaint, Signal::Addressed);
        }
        if let Some(o) = opener(text) {
            scores[index(Intent::Question)] += OPENERS[o].1;
            seen(Intent::Question, Signal::Opener(o));
        }
        scores
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn index(intent: Intent) -> usize {
    match intent {
        Intent::Question => 0,
        Intent::Complaint => 1,
        Intent::Praise => 2,
        Intent::Lead => 3,
        Intent::Feedback => 4,
    }
}

fn decide(scores: &[f32; 5]) -> IntentSet {
    Intent::ALL
        .into_iter()
        .filter(|i| scores[index(*i)] >= THRESHOLDS[index(*i)])
        .fold(IntentSet::empty(), IntentSet::with)
}

impl IntentModel {
    fn weight_of(&self, signal: Signal) -> f32 {
        match signal {
            Signal::Cue(c) => self.cues[c].2,
            Signal::QuestionMark => QUESTION_MARK,
            Signal::Opener(o) => OPENERS[o].1,
            Signal::Addressed => ADDRESSED,
        }
    }

    fn signal_name(&self, signal: Signal) -> String {
        match signal {
            Signal::Cue(c) if c >= self.learned_from => format!("\"{}\" (learned)", self.cues[c].0),
            Signal::Cue(c) => format!("\"{}\"", self.cues[c].0.trim_end_matches('*')),
            Signal::QuestionMark => "question mark".to_string(),
            Signal::Opener(o) => format!("opens with \"{}\"", OPENERS[o].0),
            Signal::Addressed => "addressed to an account".to_string(),
        }
    }
}

fn addressed(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('@') || t.starts_with(".@")
}

/// The opening word, if it is a question opener: leading @mentions, `.`, and a greeting
/// (`hi`, `hey`, `hello`) are skipped, as posts to a brand start with them.
fn opener(text: &str) -> Option<usize> {
    let mut words = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == '!')
        .filter(|w| !w.is_empty() && !w.starts_with('@'));
    let mut word = words.next()?;
    if ["hi", "hey", "hello"]
        .iter()
        .any(|g| g.eq_ignore_ascii_case(word))
    {
        word = words.next()?;
    }
    OPENERS
        .iter()
        .position(|(o, _)| o.eq_ignore_ascii_case(word))
}
