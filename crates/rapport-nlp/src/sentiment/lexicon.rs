//! The VADER sentiment lexicon (Hutto & Gilbert 2014, MIT licence, `models/VADER_LICENSE.txt`):
//! 7,265 words and slang terms rated by people from -4 (most negative) to +4 (most positive).
//!
//! The model does not score posts with it directly (VADER alone reaches about 0.57 macro recall
//! on SemEval tweets); it turns the ratings into features the regression weighs: the polarity and
//! strength of each rated word (flipped inside a negation scope), the counts of positive and
//! negative words, their sum, and the polarity of the last rated word. They generalise to rated
//! words the training posts never contained.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

static VADER: &str = include_str!("../../models/vader_lexicon.tsv");
static TABLE: OnceLock<FxHashMap<u64, i8>> = OnceLock::new();

/// Valence ×10 (-40..=40) of the word whose word-feature hash is `word_hash`, if rated.
#[inline]
pub(crate) fn valence(word_hash: u64) -> Option<i8> {
    TABLE.get_or_init(build).get(&word_hash).copied()
}

fn build() -> FxHashMap<u64, i8> {
    let mut table = FxHashMap::default();
    for (n, line) in VADER.lines().enumerate() {
        let parsed = line
            .split_once('\t')
            .and_then(|(word, v)| Some((word, v.trim().parse::<f32>().ok()?)));
        let Some((word, v)) = parsed else {
            panic!(
                "models/vader_lexicon.tsv, line {}: expected word<TAB>valence",
                n + 1
            );
        };
        let rated = (v * 10.0).round().clamp(-40.0, 40.0) as i8;
        table.insert(super::features::word_hash(word), rated);
    }
    table
}

/// Lexicon evidence gathered over a post, turned into features at its end.
#[derive(Default)]
pub(crate) struct Tally {
    pub positive: u32,
    pub negative: u32,
    /// Sum of the (negation-adjusted) valences ×10.
    pub sum: i32,
    /// Sign of the last rated word: -1, 0 (none) or 1.
    pub last: i8,
}

impl Tally {
    /// Adds a rated word; returns its feature bin: sign × strength (1 weak, 2 clear, 3 strong).
    pub fn add(&mut self, rated: i8, negated: bool) -> i8 {
        // VADER damps a negated word rather than mirroring it: "not great" is mildly negative.
        let v = if negated {
            -(rated as i32) * 3 / 4
        } else {
            rated as i32
        };
        self.sum += v;
        let sign = v.signum() as i8;
        match sign {
            1 => self.positive += 1,
            -1 => self.negative += 1,
            _ => {}
        }
        if sign != 0 {
            self.last = sign;
        }
        let strength = match v.abs() {
            0..=14 => 1,
            15..=24 => 2,
            _ => 3,
        };
        sign * strength
    }

    /// The sum of valences in bins of one point, clamped to -5..=5.
    pub fn sum_bin(&self) -> i8 {
        ((self.sum as f32) / 10.0).round().clamp(-5.0, 5.0) as i8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentiment::features::word_hash;

    #[test]
    fn rates_words_and_damps_negation() {
        assert_eq!(valence(word_hash("love")), Some(32));
        assert_eq!(valence(word_hash("horrible")), Some(-25));
        assert_eq!(valence(word_hash("table")), None);
        let mut tally = Tally::default();
        assert_eq!(tally.add(32, false), 3);
        assert_eq!(tally.add(19, true), -1);
        assert_eq!((tally.positive, tally.negative, tally.last), (1, 1, -1));
        assert_eq!(tally.sum_bin(), 2);
    }
}
