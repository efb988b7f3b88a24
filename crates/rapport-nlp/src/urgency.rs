//! How soon a post needs a person: `low`, `normal`, `high` or `urgent`.
//!
//! Points are added up, each with a reason that explains the verdict:
//!
//! | signal | points |
//! |---|---|
//! | a security, legal or safety word: hacked, fraud, scam, stolen, lawsuit, lawyer, sue, emergency, safety, unsafe, injured, police, breach... (once) | +3 |
//! | a service failure or money word: outage, down (`is down`, `down again`), crashed, refund, cancel(led), overcharged, charged twice, stranded, lost, missing, delayed, locked; `not working`, `can't log in`, `won't load` (once) | +2 |
//! | an escalation word: unacceptable, ridiculous, worst, furious, disgusting, urgent, asap, immediately (once) | +1 |
//! | negative sentiment; +1 more when its score is 0.8 or above | +1 / +2 |
//! | positive sentiment | -1 |
//! | intent complaint; intent question (someone waits for an answer) | +1 each |
//! | the author's reach: 10k / 100k / 1M followers or more | +1 / +2 / +3 |
//!
//! 0 or less is `low`, 1–2 `normal`, 3–4 `high`, 5 or more `urgent`; a security, legal or safety
//! word with 4 points is already `urgent`. Words inside a negation scope do not count (`not
//! hacked`), except the verbs of failure (`not working`, `doesn't load`), which mean one.

use crate::tokenize::{TokenKind, scan};
use rapport_domain::{Intent, IntentSet, Sentiment, SentimentLabel, Urgency};
use std::cell::RefCell;

thread_local! {
    static BUFFERS: RefCell<(String, String, String)> =
        const { RefCell::new((String::new(), String::new(), String::new())) };
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Signal {
    Critical,
    Service,
    Escalation,
}

fn word_signal(word: &str) -> Option<Signal> {
    Some(match word {
        "hacked" | "hack" | "hacker" | "hackers" | "fraud" | "fraudulent" | "scam" | "scammed"
        | "stolen" | "stole" | "theft" | "lawsuit" | "lawyer" | "lawyers" | "attorney" | "sue"
        | "suing" | "emergency" | "safety" | "unsafe" | "danger" | "dangerous" | "injured"
        | "injury" | "hospital" | "police" | "breach" | "leaked" | "unauthorized"
        | "unauthorised" | "identity" | "fire" | "smoke" | "harassed" | "harassment" | "threat"
        | "threatened" => Signal::Critical,
        "outage" | "outages" | "offline" | "crash" | "crashed" | "crashes" | "crashing"
        | "broken" | "refund" | "refunds" | "refunded" | "cancel" | "cancelled" | "canceled"
        | "cancellation" | "overcharged" | "chargeback" | "stranded" | "lost" | "missing"
        | "delayed" | "locked" | "stuck" | "disconnected" | "outtage" => Signal::Service,
        "unacceptable" | "ridiculous" | "worst" | "furious" | "disgusting" | "disgusted"
        | "urgent" | "urgently" | "asap" | "immediately" | "appalling" | "outrageous" => {
            Signal::Escalation
        }
        _ => return None,
    })
}

/// Verbs whose negation is a failure: `not working`, `won't load`, `can't login`.
fn is_failure_verb(word: &str) -> bool {
    matches!(
        word,
        "work"
            | "works"
            | "working"
            | "load"
            | "loading"
            | "loads"
            | "connect"
            | "connecting"
            | "login"
            | "log"
            | "open"
            | "opening"
            | "respond"
            | "responding"
            | "start"
            | "play"
            | "playing"
            | "stream"
            | "streaming"
            | "arrive"
            | "arrived"
            | "received"
            | "receive"
    )
}

/// Words after which `down` means not running: `is down`, `went down`, `still down`.
fn is_down_context(prev: &str) -> bool {
    matches!(
        prev,
        "is" | "are"
            | "was"
            | "were"
            | "still"
            | "been"
            | "went"
            | "goes"
            | "go"
            | "going"
            | "be"
            | "it's"
            | "its"
            | "site"
            | "app"
            | "server"
            | "servers"
            | "service"
            | "network"
            | "all"
    )
}

/// Urgency of a post and the reasons for it (see the module docs for the rules).
pub fn urgency(
    text: &str,
    sentiment: &Sentiment,
    intents: IntentSet,
    followers: Option<u64>,
) -> (Urgency, Vec<String>) {
    let mut reasons = Vec::new();
    let level = assess(text, sentiment, intents, followers, Some(&mut reasons));
    (level, reasons)
}

/// [`urgency`], building reasons only when asked for them (the ingest path does not).
pub(crate) fn assess(
    text: &str,
    sentiment: &Sentiment,
    intents: IntentSet,
    followers: Option<u64>,
    mut reasons: Option<&mut Vec<String>>,
) -> Urgency {
    let mut why = |r: &dyn Fn() -> String| {
        if let Some(reasons) = reasons.as_deref_mut() {
            reasons.push(r());
        }
    };
    let mut points = 0i32;
    let mut seen = [false; 3];
    BUFFERS.with(|cell| {
        // Reused per thread: the ingest path calls this for every post.
        let (decoded, lower, prev) = &mut *cell.borrow_mut();
        let text = if crate::text::needs_decoding(text) {
            crate::text::decode_into(text, decoded);
            decoded.as_str()
        } else {
            text
        };
        prev.clear();
        scan(text, |tok| {
            if tok.kind != TokenKind::Word {
                prev.clear();
                return;
            }
            lower.clear();
            lower.extend(
                text[tok.start..tok.end]
                    .chars()
                    .flat_map(char::to_lowercase)
                    .map(|c| if c == '\u{2019}' { '\'' } else { c }),
            );
            let signal = if tok.negated {
                is_failure_verb(lower).then_some(Signal::Service)
            } else if lower == "down" {
                is_down_context(prev).then_some(Signal::Service)
            } else if lower == "twice" && prev == "charged" {
                Some(Signal::Service)
            } else {
                word_signal(lower)
            };
            if let Some(signal) = signal {
                let slot = signal as usize;
                if !seen[slot] {
                    seen[slot] = true;
                    let (p, what) = match signal {
                        Signal::Critical => (3, "security, legal or safety"),
                        Signal::Service => (2, "service failure or money"),
                        Signal::Escalation => (1, "escalation"),
                    };
                    points += p;
                    let shown = if tok.negated {
                        format!("not {lower}")
                    } else {
                        lower.clone()
                    };
                    why(&|| format!("+{p}: '{shown}' ({what})"));
                }
            }
            std::mem::swap(prev, lower);
        });
    });
    match sentiment.label {
        SentimentLabel::Negative => {
            let p = if sentiment.score >= 0.8 { 2 } else { 1 };
            points += p;
            why(&|| format!("+{p}: negative sentiment ({:.2})", sentiment.score));
        }
        SentimentLabel::Positive => {
            points -= 1;
            why(&|| format!("-1: positive sentiment ({:.2})", sentiment.score));
        }
        SentimentLabel::Neutral => {}
    }
    for intent in [Intent::Complaint, Intent::Question] {
        if intents.has(intent) {
            points += 1;
            why(&|| format!("+1: intent {intent}"));
        }
    }
    if let Some(f) = followers {
        let p = match f {
            1_000_000.. => 3,
            100_000.. => 2,
            10_000.. => 1,
            _ => 0,
        };
        if p > 0 {
            points += p;
            why(&|| format!("+{p}: reach ({f} followers)"));
        }
    }
    let level = match points {
        ..=0 => Urgency::Low,
        1..=2 => Urgency::Normal,
        4 if seen[Signal::Critical as usize] => Urgency::Urgent,
        3..=4 => Urgency::High,
        _ => Urgency::Urgent,
    };
    why(&|| format!("= {points} points: {}", level.as_str()));
    level
}
