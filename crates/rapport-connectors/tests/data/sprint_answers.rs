//! Real text for publishing tests: @sprintcare's answers from `twcs_head_5000.csv`, without
//! the customers' handles (an announcement names nobody), joined until longer than
//! `min_chars` characters. Included by path from the tests that publish.

pub fn sprint_answers(min_chars: usize) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/twcs/twcs_head_5000.csv"
    );
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut text = String::new();
    for row in reader.records().filter_map(|r| r.ok()) {
        // index, tweet_id, author_id, inbound, created_at, text, ...
        if &row[2] != "sprintcare" {
            continue;
        }
        let words: Vec<&str> = row[5]
            .split_whitespace()
            .filter(|w| !w.starts_with('@'))
            .collect();
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&words.join(" "));
        if text.chars().count() > min_chars {
            return text;
        }
    }
    panic!("the data holds fewer than {min_chars} characters of Sprint's answers");
}
