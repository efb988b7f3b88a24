//! The classifier's evidence in plain words. The sentiment model names its features the way
//! its training reads them (`[lexicon strongly negative: awful]`, `NOT_good`, `[word vector:
//! charged]`); an agent reads a short reason instead.

/// One feature of the sentiment model, with its weight towards the label it gave (`label`),
/// as a short reason.
pub fn sentiment_reason(feature: &str, weight: f32, label: &str) -> String {
    let toward = if weight >= 0.0 {
        label.to_string()
    } else {
        format!("other than {label}")
    };
    let f = feature.trim();
    if let Some(word) = bracketed(f, "word vector: ") {
        return format!("“{word}”, a word like others that read {toward}");
    }
    if let Some(rest) = bracketed(f, "after but: lexicon ") {
        let word = rest.split_once(": ").map_or(rest, |(_, w)| w);
        return format!("“{word}” after “but”");
    }
    if let Some(rest) = bracketed(f, "lexicon sum ") {
        return format!("the words' tone adds up to {rest}");
    }
    if let Some(rest) = bracketed(f, "last lexicon word ") {
        return format!("ends on a {rest} word");
    }
    if let Some(rest) = bracketed(f, "lexicon ")
        && let Some((strength, word)) = rest.split_once(": ")
    {
        return format!("“{word}” ({strength})");
    }
    if let Some((n, kind)) = f
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(" lexicon words]"))
        .and_then(|r| r.split_once(' '))
    {
        let n = if n == "3" { "3 or more" } else { n };
        return format!("{n} {kind} words");
    }
    if let Some(rest) = f.strip_prefix("[trigram ending] ") {
        return format!("the phrase ending “{rest}”");
    }
    if let Some(plain) = match f {
        "[mixed lexicon polarity]" => Some("both positive and negative words"),
        "[elongated word]" => Some("a stretched word (“sooo”)"),
        "[!!! or ?!]" => Some("!!! or ?!"),
        "[ALL CAPS word]" => Some("a word in capitals"),
        "[negation]" => Some("a negation"),
        "[positive emoticon]" => Some("a happy emoticon"),
        "[negative emoticon]" => Some("a sad emoticon"),
        "[any post]" => Some("the model's starting point"),
        _ => None,
    } {
        return plain.to_string();
    }
    if let Some(word) = f.strip_prefix("NOT_") {
        return format!("“not … {word}”");
    }
    if let Some(word) = f.strip_prefix("<start> ") {
        return format!("starts with “{word}”");
    }
    format!("“{f}”")
}

/// The inside of `[{prefix}...]`.
fn bracketed<'a>(f: &'a str, prefix: &str) -> Option<&'a str> {
    f.strip_prefix('[')?.strip_suffix(']')?.strip_prefix(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_features_read_as_short_reasons() {
        for (feature, weight, want) in [
            (
                "[word vector: charged]",
                0.4,
                "“charged”, a word like others that read negative",
            ),
            (
                "[word vector: lovely]",
                -0.2,
                "“lovely”, a word like others that read other than negative",
            ),
            (
                "[lexicon strongly negative: awful]",
                0.9,
                "“awful” (strongly negative)",
            ),
            (
                "[after but: lexicon positive: great]",
                0.3,
                "“great” after “but”",
            ),
            ("[2 negative lexicon words]", 0.5, "2 negative words"),
            (
                "[3 positive lexicon words]",
                -0.5,
                "3 or more positive words",
            ),
            ("[lexicon sum -4]", 0.7, "the words' tone adds up to -4"),
            (
                "[last lexicon word negative]",
                0.2,
                "ends on a negative word",
            ),
            (
                "[mixed lexicon polarity]",
                0.1,
                "both positive and negative words",
            ),
            ("[ALL CAPS word]", 0.1, "a word in capitals"),
            ("NOT_working", 0.6, "“not … working”"),
            ("<start> why", 0.1, "starts with “why”"),
            ("[trigram ending] down", 0.1, "the phrase ending “down”"),
            ("still down", 0.3, "“still down”"),
            ("refund", 0.3, "“refund”"),
        ] {
            let said = sentiment_reason(feature, weight, "negative");
            assert_eq!(said, want, "{feature}");
            assert!(!said.contains('['), "{said}");
        }
    }
}
