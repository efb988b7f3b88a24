//! The cue lexicon: weighted phrases matched in one Aho-Corasick pass, plus a few structural cues
//! (a question mark, an opening interrogative). Each intent's lexicon score is the sum of the
//! weights that fired; the trained model (`model.rs`) takes these scores and the cues that fired
//! as features next to the words of the post.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use rapport_domain::Intent;

use super::{
    cues::{CUES, Cue},
    negativity::negative_words,
};

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
pub(super) enum Signal {
    Cue(usize),
    QuestionMark,
    Opener,
    Addressed,
}

/// Each learned word adds this much of its log-odds to complaint ...
const LEARNED_SCALE: f32 = 0.1;
/// ... and all of them together at most this much.
const LEARNED_CAP: f32 = 0.4;
/// Room for the hand-written and learned cues together in the per-post "seen" bit set.
const MAX_CUES: usize = 1024;

pub(super) struct CueLexicon {
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

impl CueLexicon {
    pub(super) fn build(hand: &[Cue]) -> CueLexicon {
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
            // A full DFA: a few hundred KB for the whole lexicon, and the overlapping scan
            // that every post goes through runs several times faster than on the NFA.
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("the cue lexicon is a valid Aho-Corasick pattern set");
        CueLexicon {
            learned_from: hand.len(),
            matcher,
            pattern_cue,
            prefix: cues.iter().map(|c| c.0.ends_with('*')).collect(),
            cues,
        }
    }

    /// The built-in lexicon: the hand-written cues and the learned complaint words.
    pub(super) fn standard() -> CueLexicon {
        CueLexicon::build(CUES)
    }

    /// The pattern of cue `c`, without its run-on `*`.
    pub(super) fn pattern(&self, c: usize) -> &'static str {
        self.cues[c].0.trim_end_matches('*')
    }

    /// Whether cue `c` is a learned complaint word rather than a hand-written cue.
    pub(super) fn is_learned(&self, c: usize) -> bool {
        c >= self.learned_from
    }

    /// Sums the weights per intent (in `Intent::ALL` order), telling `seen` about every signal.
    pub(super) fn scores(&self, text: &str, mut seen: impl FnMut(Intent, Signal)) -> [f32; 5] {
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
            seen(Intent::Question, Signal::Opener);
        }
        scores
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(super) fn index(intent: Intent) -> usize {
    match intent {
        Intent::Question => 0,
        Intent::Complaint => 1,
        Intent::Praise => 2,
        Intent::Lead => 3,
        Intent::Feedback => 4,
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
