//! Publishing for the marketer: the list of publications by state, the composer (one text,
//! each channel's variant side by side, counted as its network counts), the review (approve
//! or send back with a comment), and the calendar of the queue by week and month.
//!
//! Times are entered and shown in a time zone the person picks (the composer fills in the
//! browser's own zone when script runs; UTC otherwise): a publication keeps the zone it was
//! scheduled in and is shown back in it.

mod calendar;
mod compose;
mod list;
mod show;

pub use calendar::calendar;
pub use compose::{create, edit_form, new_form, save};
pub use list::list;
pub use show::{delete, review, schedule, show};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// `Thu 3 Dec 2026, 17:05` in `zone` (UTC when the name is not a zone).
pub(crate) fn local(at: DateTime<Utc>, zone: &str) -> String {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    at.with_timezone(&tz)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// The first `n` characters of `text` on one line, with an ellipsis when cut.
pub(crate) fn excerpt(text: &str, n: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= n {
        return line;
    }
    let cut: String = line.chars().take(n).collect();
    format!("{}…", cut.trim_end())
}

/// The instant a date and time mean in `zone`; `None` when no date is given. A time that does
/// not exist there (skipped by a daylight-saving change) is refused; one that exists twice is
/// the first.
pub(crate) fn instant(date: &str, time: &str, zone: &str) -> Result<Option<DateTime<Utc>>, String> {
    let (date, time) = (date.trim(), time.trim());
    if date.is_empty() {
        if !time.is_empty() {
            return Err("give a date for the time".into());
        }
        return Ok(None);
    }
    let tz: Tz = if zone.trim().is_empty() {
        Tz::UTC
    } else {
        zone.trim()
            .parse()
            .map_err(|_| format!("unknown time zone '{}'", zone.trim()))?
    };
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| format!("'{date}' is not a date (YYYY-MM-DD)"))?;
    let at = if time.is_empty() {
        NaiveTime::MIN
    } else {
        NaiveTime::parse_from_str(time, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M:%S"))
            .map_err(|_| format!("'{time}' is not a time (HH:MM)"))?
    };
    match tz.from_local_datetime(&day.and_time(at)).earliest() {
        Some(t) => Ok(Some(t.with_timezone(&Utc))),
        None => Err(format!(
            "{date} {time} does not exist in {tz} (the clocks skip it)"
        )),
    }
}

/// The date and time fields that show `at` in `zone`.
pub(crate) fn fields_of(at: Option<DateTime<Utc>>, zone: &str) -> (String, String) {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    match at {
        Some(t) => {
            let t = t.with_timezone(&tz);
            (
                t.format("%Y-%m-%d").to_string(),
                t.format("%H:%M").to_string(),
            )
        }
        None => (String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_time_is_read_in_its_zone() {
        let at = instant("2026-12-03", "17:30", "Europe/Paris")
            .unwrap()
            .unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 12, 3, 16, 30, 0).unwrap());
        assert_eq!(
            fields_of(Some(at), "Europe/Paris"),
            ("2026-12-03".into(), "17:30".into())
        );
        assert_eq!(local(at, "America/New_York"), "Thu 3 Dec 2026, 11:30");
        assert_eq!(instant("", "", "UTC"), Ok(None));
        assert!(instant("", "10:00", "UTC").is_err());
        assert!(instant("2026-12-03", "10:00", "Mars/Olympus").is_err());
        // 02:30 on the last Sunday of March does not exist in Paris.
        assert!(
            instant("2026-03-29", "02:30", "Europe/Paris")
                .unwrap_err()
                .contains("skip")
        );
    }

    #[test]
    fn excerpts_cut_on_characters_and_say_so() {
        assert_eq!(excerpt("a  b\nc", 10), "a b c");
        assert_eq!(excerpt("ééééé ééééé", 5), "ééééé…");
    }
}
