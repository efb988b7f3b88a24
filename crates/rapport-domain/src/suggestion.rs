//! Another case's reply turned into a template for this one.
//!
//! A suggested answer starts as a reply an agent gave on a similar case, to another customer.
//! Offered word for word it would put that customer's name, handle, case number or order
//! number into a public reply to this one, so [`generalize`] rewrites it before it is shown:
//!
//! | in the source reply | becomes |
//! |---|---|
//! | the source customer's name, or a capitalised name after a greeting (`Hi Mia,`, `Thanks Mia!`) | `{{contact.first_name}}` (`{{contact.name}}` for a full name) |
//! | `case 871`, `case #871`, the source case's number | `{{case.id}}` |
//! | the addressees that open a reply (`@yuki20@example.social ...`) | dropped: the reply is addressed to this case's customer when it is sent |
//! | any other mention of someone who is not one of our own accounts | `[handle]` |
//! | order, ticket, tracking and other reference numbers (a run of 5 or more digits, or a code mixing letters and 4 or more digits) | `[number]` |
//! | links | `[link]` |
//! | e-mail addresses | `[email]` |
//! | an agent's sign-off initials (`^JK`) | `^{{agent.first_name}}` |
//!
//! The result is a [`Template`](crate::Template) source: rendered with this case's context, the
//! variables take this customer's and this agent's values, and the bracketed blanks stay
//! visible so the agent fills them in before sending. Mentions of our own accounts, short
//! numbers (`24 hours`, `iOS 11`, `1-800-275-2273`) and everything else pass through unchanged.

use crate::CaseId;

/// What is known of the case a reply was written for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceCase {
    pub case_id: Option<CaseId>,
    /// Names the source customer goes by: the contact's name and its identities' display names
    /// and handles.
    pub names: Vec<String>,
}

const GREETINGS: [&str; 9] = [
    "hi", "hey", "hello", "dear", "hiya", "thanks", "thx", "sorry", "welcome",
];

/// Capitalised words that follow a greeting without being a name.
const NOT_NAMES: [&str; 12] = [
    "there", "all", "team", "everyone", "folks", "again", "for", "so", "you", "and", "guys",
    "friend",
];

const REFERENCE_WORDS: [&str; 9] = [
    "order",
    "ticket",
    "ref",
    "reference",
    "confirmation",
    "booking",
    "tracking",
    "account",
    "reservation",
];

/// Rewrites `reply`, written on `source`, as a template for another case. `own_handles` are
/// the company's own accounts (compared without `@` and case), whose mentions are kept.
pub fn generalize(reply: &str, source: &SourceCase, own_handles: &[String]) -> String {
    let names = name_words(source);
    let own: Vec<String> = own_handles.iter().map(|h| fold_handle(h)).collect();
    let mut out = String::with_capacity(reply.len());
    // Still inside the run of addressees a reply opens with.
    let mut addressing = true;
    let mut previous = Word::default();
    // Where the last word written began when it was the contact's first name, so a surname
    // right after it makes one `{{contact.name}}`.
    let mut name_at: Option<usize> = None;
    for (word, space) in words(reply) {
        // `{{` in a reply would read as a variable: keep it as the text it was.
        let word = word.replace("{{", "{ {");
        let parts = Word::split(&word);
        let mention = parts.core.starts_with('@') && parts.core.len() > 1;
        if addressing && mention && parts.lead.is_empty() {
            if !own.contains(&fold_handle(&parts.core)) {
                continue;
            }
        } else {
            addressing = false;
        }
        let lower = parts.core.to_lowercase();
        let is_name = !names.is_empty() && names.contains(&lower)
            || previous.is_greeting() && looks_like_greeted_name(&parts, &lower);
        if is_name {
            match name_at.take() {
                Some(at) if previous.trail.is_empty() && parts.lead.is_empty() => {
                    out.truncate(at);
                    out.push_str("{{contact.name}}");
                    out.push_str(&parts.trail);
                }
                _ => {
                    name_at = Some(out.len() + parts.lead.len());
                    push_parts(&mut out, &parts, "{{contact.first_name}}");
                }
            }
            out.push_str(space);
            previous = parts;
            continue;
        }
        name_at = None;
        let replacement = if is_link(&parts.core) {
            Some("[link]".to_string())
        } else if is_email(&parts.core) {
            Some("[email]".to_string())
        } else if mention {
            (!own.contains(&fold_handle(&parts.core))).then(|| "[handle]".to_string())
        } else if let Some(initials) = parts.core.strip_prefix('^') {
            (!initials.is_empty()
                && initials.len() <= 3
                && initials.chars().all(char::is_alphanumeric))
            .then(|| "^{{agent.first_name}}".to_string())
        } else if has_digits(&parts.core) {
            number(&parts, &previous, source.case_id)
        } else {
            None
        };
        match replacement {
            Some(r) => push_parts(&mut out, &parts, &r),
            None => out.push_str(&word),
        }
        out.push_str(space);
        previous = parts;
    }
    out.trim().to_string()
}

fn push_parts(out: &mut String, parts: &Word, core: &str) {
    out.push_str(&parts.lead);
    out.push_str(core);
    out.push_str(&parts.trail);
}

/// A whitespace-separated word, split into leading punctuation, the word, and trailing
/// punctuation (`(#871),` is `(`, `#871`, `),`).
#[derive(Debug, Default, Clone)]
struct Word {
    lead: String,
    core: String,
    trail: String,
}

impl Word {
    fn split(word: &str) -> Word {
        let keep_lead = |c: char| c.is_alphanumeric() || matches!(c, '@' | '#' | '^' | '$');
        let start = word.find(keep_lead).unwrap_or(word.len());
        let rest = &word[start..];
        let end = rest
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_alphanumeric() || *c == '/')
            .map_or(0, |(i, c)| i + c.len_utf8());
        Word {
            lead: word[..start].to_string(),
            core: rest[..end].to_string(),
            trail: rest[end..].to_string(),
        }
    }

    fn is_greeting(&self) -> bool {
        self.trail.is_empty() && GREETINGS.contains(&self.core.to_lowercase().as_str())
    }
}

/// The words of `text` with the whitespace after each.
fn words(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = text.trim_start();
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        let space_end = after
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(after.len());
        let (space, next) = after.split_at(space_end);
        rest = next;
        Some((word, space))
    })
}

/// A capitalised plain word followed by punctuation, after a greeting: `Hi Mia,`.
fn looks_like_greeted_name(parts: &Word, lower: &str) -> bool {
    let mut chars = parts.core.chars();
    chars.next().is_some_and(char::is_uppercase)
        && parts.core.chars().count() >= 2
        && parts.core.chars().all(char::is_alphabetic)
        && !NOT_NAMES.contains(&lower)
        && parts.trail.starts_with([',', '!', '.', ':', ';', '-'])
}

/// The source customer's name words, lower-cased: each word of each name that is a plain
/// word of two letters or more, and each handle without its `@` and instance.
fn name_words(source: &SourceCase) -> Vec<String> {
    let mut out = Vec::new();
    for name in &source.names {
        for w in name.split_whitespace() {
            let w = w.trim_start_matches('@');
            let w = w.split('@').next().unwrap_or(w);
            let plain = w
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
            if plain && w.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                out.push(w.to_lowercase());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn fold_handle(handle: &str) -> String {
    handle.trim_start_matches('@').to_lowercase()
}

fn is_link(core: &str) -> bool {
    let lower = core.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.")
}

fn is_email(core: &str) -> bool {
    match core.split_once('@') {
        Some((user, domain)) => !user.is_empty() && domain.contains('.') && !domain.ends_with('.'),
        None => false,
    }
}

fn has_digits(core: &str) -> bool {
    core.chars().any(|c| c.is_ascii_digit())
}

/// What a word holding digits becomes: this case's number after `case`, a blank for a
/// reference number, or `None` to keep it.
fn number(parts: &Word, previous: &Word, source_case: Option<CaseId>) -> Option<String> {
    let digits = parts.core.trim_start_matches('#');
    let before = previous.core.to_lowercase();
    let after_case = matches!(before.as_str(), "case" | "case#") && previous.trail.is_empty();
    let only_digits = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
    if only_digits && (after_case || source_case.is_some_and(|id| id.to_string() == digits)) {
        return Some("{{case.id}}".to_string());
    }
    let longest_run = digits
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    let digit_count = digits.chars().filter(char::is_ascii_digit).count();
    let letters = digits.chars().any(char::is_alphabetic);
    let reference = REFERENCE_WORDS.contains(&before.as_str()) && digit_count >= 3;
    let code = letters && digit_count >= 4 && digits.chars().count() >= 6;
    (longest_run >= 5 || code || reference).then(|| "[number]".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(case: i64, names: &[&str]) -> SourceCase {
        SourceCase {
            case_id: Some(CaseId(case)),
            names: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn own() -> Vec<String> {
        vec!["AppleSupport".into(), "brand@example.social".into()]
    }

    #[test]
    fn names_handles_case_and_order_numbers_become_variables_or_blanks() {
        let s = source(871, &["Mia Rossi", "mia_r"]);
        let cases = [
            (
                "Hi Mia, your refund is on its way, case 871. Order 55512345 ships today.",
                "Hi {{contact.first_name}}, your refund is on its way, case {{case.id}}. Order [number] ships today.",
            ),
            (
                "@yuki20@mastodon.example could you send us a DM? ^JK",
                "could you send us a DM? ^{{agent.first_name}}",
            ),
            (
                "@115712 @AppleSupport Thanks Mia Rossi! See https://t.co/abc or mail help@brand.example",
                "@AppleSupport Thanks {{contact.name}}! See [link] or mail [email]",
            ),
            (
                "Sorry Jonas. Please DM us (#871) and ask @someone_else or @AppleSupport",
                "Sorry {{contact.first_name}}. Please DM us ({{case.id}}) and ask [handle] or @AppleSupport",
            ),
            (
                "Try iOS 11 for 24 hours or call 1-800-275-2273, ticket 4411, code AB1234C.",
                "Try iOS 11 for 24 hours or call 1-800-275-2273, ticket [number], code [number].",
            ),
            (
                "Hi there, thanks mia_r for the {{ note",
                "Hi there, thanks {{contact.first_name}} for the { { note",
            ),
        ];
        for (reply, want) in cases {
            assert_eq!(generalize(reply, &s, &own()), want, "{reply}");
        }
    }

    #[test]
    fn every_result_is_a_template_that_renders_for_another_customer() {
        let s = source(871, &["Mia"]);
        let t = generalize("Hi Mia, case 871 is fixed {{contact.nickname}}", &s, &[]);
        let ctx = crate::TemplateContext {
            contact: crate::PersonVars {
                name: Some("Emma Stone".into()),
                first_name: None,
            },
            case_id: Some(CaseId(12)),
            ..Default::default()
        };
        let text = crate::template::render(&t, &ctx).unwrap();
        assert_eq!(text, "Hi Emma, case 12 is fixed { {contact.nickname}}");
    }
}
