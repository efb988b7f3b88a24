//! Text output shared by the commands.

use rapport_engine::SearchHit;

/// One line per post: date, network, author, text on one line.
pub fn print_hits(hits: &[SearchHit]) {
    for h in hits {
        let day = h
            .created_at
            .get(..16)
            .unwrap_or(&h.created_at)
            .replace('T', " ");
        println!(
            "{day}  {:<8} @{:<20} {}",
            h.network,
            h.author,
            one_line(&h.text, 110)
        );
    }
}

/// The text on one line, cut at `max` characters. Terminal control characters in post text
/// are dropped so a hostile post cannot move the cursor or recolour the terminal.
pub fn one_line(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .take(max)
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(one_line("a\u{1b}[31mred\nnext", 50), "a[31mred next");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }
}
