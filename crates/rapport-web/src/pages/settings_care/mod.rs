//! Care settings for admins: teams (members, calendar, SLA policy), SLA policies, routing
//! rules, the company's own accounts and saved replies. Every page carries the settings
//! sub-navigation (`settings_nav.html`, shared with users and tokens); every form re-renders
//! with what was typed and an error that names the field when the input is refused.

pub mod accounts;
pub mod publishing;
pub mod replies;
pub mod routing;
pub mod sla;
pub mod teams;

use super::{Chrome, message};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::TimeDelta;
use rapport_engine::accounts::Principal;
use rapport_engine::care::CareError;

/// A form, as name/value pairs in order; checkboxes and repeated fields come as several pairs.
pub type FormPairs = Vec<(String, String)>;

pub fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

pub fn fields<'a>(form: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    form.iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub fn checked(form: &[(String, String)], name: &str) -> bool {
    form.iter().any(|(k, _)| k == name)
}

/// An error to show above a form, and the input it is about (`aria-invalid` goes there).
#[derive(Debug, Default, Clone)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn is(&self, field: &str) -> bool {
        self.field == field
    }
}

/// What went wrong, for the admin (400/404 with the field named) or for the log (500).
pub enum Refusal {
    Input(StatusCode, Problem),
    Failed(CareError),
}

impl From<CareError> for Refusal {
    fn from(e: CareError) -> Self {
        match e {
            CareError::Invalid { field, reason } => {
                Refusal::Input(StatusCode::BAD_REQUEST, Problem::new(field, reason))
            }
            CareError::Template(t) => {
                Refusal::Input(StatusCode::BAD_REQUEST, Problem::new("body", t.to_string()))
            }
            e @ (CareError::NoSuchTeam(_) | CareError::NoSuchSavedReply(_)) => {
                Refusal::Input(StatusCode::NOT_FOUND, Problem::new("", e.to_string()))
            }
            other => Refusal::Failed(other),
        }
    }
}

impl From<Problem> for Refusal {
    fn from(p: Problem) -> Self {
        Refusal::Input(StatusCode::BAD_REQUEST, p)
    }
}

/// The answer when the store fails: logged, never shown.
pub fn failed(p: &Principal, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "care settings page failed");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        Chrome::for_principal(p, "Error", "settings"),
        "Something went wrong",
        "The request failed; try again.",
    )
}

pub fn not_found(p: &Principal, what: &str) -> Response {
    message(
        StatusCode::NOT_FOUND,
        Chrome::for_principal(p, "Not found", "settings"),
        "Not found",
        what,
    )
}

/// Reads a duration typed by an admin: whole minutes (`90`), or amounts with units `d`, `h`
/// and `m` (`1h30m`, `2h`, `1d 4h`). Empty means "not set". Zero and negatives are refused.
pub fn parse_duration(text: &str) -> Result<Option<TimeDelta>, String> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || {
        format!(
            "'{}' is not a duration (use minutes, or e.g. 1h30m)",
            text.trim()
        )
    };
    if t.starts_with('-') {
        return Err(format!("'{}' must be positive", text.trim()));
    }
    let minutes: i64 = if t.bytes().all(|b| b.is_ascii_digit()) {
        t.parse().map_err(|_| bad())?
    } else {
        let mut total: i64 = 0;
        let mut number = String::new();
        let mut units_seen = String::new();
        for c in t.chars().filter(|c| !c.is_whitespace()) {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let per = match c {
                'd' => 1440,
                'h' => 60,
                'm' => 1,
                _ => return Err(bad()),
            };
            if number.is_empty() || units_seen.contains(c) {
                return Err(bad());
            }
            units_seen.push(c);
            let n: i64 = number.parse().map_err(|_| bad())?;
            total = n
                .checked_mul(per)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(bad)?;
            number.clear();
        }
        if !number.is_empty() {
            return Err(bad());
        }
        total
    };
    // A year is more than any service target; beyond it a typo is likelier.
    if minutes > 366 * 1440 {
        return Err(format!("'{}' is longer than a year", text.trim()));
    }
    if minutes <= 0 {
        return Err(format!("'{}' must be positive", text.trim()));
    }
    Ok(Some(TimeDelta::minutes(minutes)))
}

/// A duration as the forms show it: `1d 2h 30m`, `45m`; empty when not set.
pub fn show_duration(d: Option<TimeDelta>) -> String {
    let Some(d) = d else {
        return String::new();
    };
    let mins = d.num_minutes();
    let (days, hours, m) = (mins / 1440, mins % 1440 / 60, mins % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if m > 0 || parts.is_empty() {
        parts.push(format!("{m}m"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_minutes_or_with_units() {
        let m = |n| Ok(Some(TimeDelta::minutes(n)));
        assert_eq!(parse_duration("90"), m(90));
        assert_eq!(parse_duration(" 1h30m "), m(90));
        assert_eq!(parse_duration("2H"), m(120));
        assert_eq!(parse_duration("1d 4h"), m(1680));
        assert_eq!(parse_duration(""), Ok(None));
        for bad in ["0", "0m", "-5", "1x", "h", "1h1h", "30m5", "1.5h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(show_duration(Some(TimeDelta::minutes(1680))), "1d 4h");
        assert_eq!(show_duration(Some(TimeDelta::minutes(90))), "1h 30m");
        assert_eq!(
            parse_duration(&show_duration(Some(TimeDelta::minutes(1530)))),
            m(1530)
        );
    }
}
