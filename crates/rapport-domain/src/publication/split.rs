//! A text too long for one post becomes a numbered thread: each part fits the network's limit
//! as [`crate::compose::count`] counts it, with its number (`1/3`) at the end.
//!
//! Parts break between words, never inside a link (X and Mastodon count a link as 23
//! whatever its length, and a link cut in two is two broken links). A paragraph break is
//! preferred to a space when the part is at least half full, so a thread reads as written.
//! A word longer than a whole part (rare: a run of characters without a space) is cut at
//! grapheme boundaries.

use crate::Network;
use crate::compose::{count, limit};
use unicode_segmentation::UnicodeSegmentation;

/// The parts `text` goes out as on `network`: one part when it fits (or the network has no
/// limit), else a numbered thread. Empty when `text` is blank.
pub fn thread_parts(network: Network, text: &str) -> Vec<String> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let Some(max) = limit(network) else {
        return vec![text.to_string()];
    };
    if count(network, text) <= max {
        return vec![text.to_string()];
    }
    // The numbering's width depends on how many parts there are, which depends on the room
    // the numbering leaves: split again until the count is stable.
    let mut total = 2;
    loop {
        let parts = fill(network, text, max, total);
        if parts.len() <= total || total >= 999 {
            let n = parts.len();
            return parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| format!("{p}{}", number(i + 1, n)))
                .collect();
        }
        total = parts.len();
    }
}

/// The suffix of part `i` of `n`.
fn number(i: usize, n: usize) -> String {
    format!(" {i}/{n}")
}

/// Words (with the space or break before them) packed greedily into parts that leave room
/// for a suffix as long as ` n/n`.
fn fill(network: Network, text: &str, max: usize, total: usize) -> Vec<String> {
    let room = max
        .saturating_sub(count(network, &number(total, total)))
        .max(1);
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    for (sep, word) in words(text) {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current}{sep}{word}")
        };
        if count(network, &candidate) <= room {
            // A paragraph break past half a part ends the part there.
            if sep.contains("\n\n") && count(network, &current) * 2 >= room {
                parts.push(std::mem::take(&mut current));
                current = word.to_string();
            } else {
                current = candidate;
            }
            continue;
        }
        if !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        if count(network, word) <= room {
            current = word.to_string();
        } else {
            let mut pieces = cut(network, word, room);
            current = pieces.pop().unwrap_or_default();
            parts.extend(pieces);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// `(separator before, word)` pairs; the first separator is empty.
fn words(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut sep_start = 0;
    let mut offset = 0;
    while !rest.is_empty() {
        let word_start = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        let after = &rest[word_start..];
        let word_len = after.find(char::is_whitespace).unwrap_or(after.len());
        if word_len == 0 {
            break;
        }
        let sep = &text[sep_start..offset + word_start];
        let word = &text[offset + word_start..offset + word_start + word_len];
        out.push((sep, word));
        offset += word_start + word_len;
        sep_start = offset;
        rest = &text[offset..];
    }
    out
}

/// A word longer than `room` in pieces that each fit.
fn cut(network: Network, word: &str, room: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for g in word.graphemes(true) {
        let next = format!("{piece}{g}");
        if count(network, &next) > room && !piece.is_empty() {
            pieces.push(std::mem::replace(&mut piece, g.to_string()));
        } else {
            piece = next;
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_that_fits_goes_out_whole() {
        let text = "Our spring sale starts Monday: 20% off every plan.";
        assert_eq!(thread_parts(Network::X, text), vec![text.to_string()]);
        assert!(thread_parts(Network::X, "   ").is_empty());
    }

    #[test]
    fn a_long_text_becomes_a_numbered_thread_whose_parts_each_fit() {
        // 3 sentences of about 130 characters: 390+ characters, over X's 280 and Bluesky's 300.
        let sentence = "We heard you: battery life on the new firmware was not what it should be, and today's update fixes the drain for most devices.";
        let text = [sentence; 3].join(" ");
        for network in [Network::X, Network::Bluesky] {
            let parts = thread_parts(network, &text);
            assert_eq!(parts.len(), 2, "{network}: {parts:?}");
            assert!(parts[0].ends_with(" 1/2"), "{}", parts[0]);
            assert!(parts[1].ends_with(" 2/2"), "{}", parts[1]);
            for p in &parts {
                assert!(
                    count(network, p) <= limit(network).unwrap(),
                    "{network}: {p}"
                );
            }
            // Nothing lost, nothing added but the numbers.
            let rejoined: Vec<&str> = parts
                .iter()
                .map(|p| p.rsplit_once(' ').unwrap().0)
                .collect();
            assert_eq!(rejoined.join(" "), text);
        }
        // Mastodon takes 500: one part.
        assert_eq!(thread_parts(Network::Mastodon, &text).len(), 1);
        assert_eq!(thread_parts(Network::Import, &text).len(), 1);
    }

    #[test]
    fn links_are_never_cut_and_count_as_the_network_counts_them() {
        let link = "https://example.com/a/very/long/path/that/goes/on/and/on/for/a/while/to/show/how/links/count/on/each/network/123456789";
        let words = "word ".repeat(50);
        let text = format!("{words}{link} {words}");
        let parts = thread_parts(Network::X, &text);
        assert!(parts.len() >= 2);
        assert_eq!(parts.iter().filter(|p| p.contains(link)).count(), 1);
        for p in &parts {
            assert!(count(Network::X, p) <= 280, "{p}");
        }
    }

    #[test]
    fn a_paragraph_break_ends_a_part_once_it_is_half_full() {
        let first = "a".repeat(10) + &" first paragraph words".repeat(8);
        let second = " second paragraph words".repeat(12);
        let text = format!("{first}\n\n{}", second.trim());
        let parts = thread_parts(Network::X, &text);
        assert_eq!(parts[0], format!("{first} 1/{}", parts.len()));
    }

    #[test]
    fn a_word_longer_than_a_part_is_cut_between_graphemes() {
        let text = "ab".repeat(400);
        let parts = thread_parts(Network::Bluesky, &text);
        assert_eq!(parts.len(), 3);
        for p in &parts {
            assert!(count(Network::Bluesky, p) <= 300);
        }
    }
}
