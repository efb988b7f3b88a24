//! Business calendars: opening hours per weekday and holidays, in a team's IANA time zone.
//!
//! Hours are wall-clock times, so a 09:00–17:00 day stays 09:00–17:00 local on both sides of a
//! DST change; the instants are worked out per day from the zone's rules (chrono-tz).

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeSet, fmt, str::FromStr};

const DAY_SECS: u32 = 86_400;

/// One opening interval of a day, `start` inclusive, `end` exclusive, in seconds after local
/// midnight; `end` may be 86,400 (24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpenWindow {
    start: u32,
    end: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("opening window {0} ends before it starts")]
    EmptyWindow(OpenWindow),
    #[error("opening windows {0} and {1} on {2} overlap")]
    Overlap(OpenWindow, OpenWindow, Weekday),
    #[error("invalid time '{text}' at column {column} (expected HH:MM, 00:00 to 24:00)")]
    BadTime { text: String, column: usize },
    #[error("invalid opening window '{text}' at column {column} (expected HH:MM-HH:MM)")]
    BadWindow { text: String, column: usize },
    #[error(
        "unknown weekday '{text}' at column {column} (expected mon, tue, wed, thu, fri, sat or sun)"
    )]
    BadWeekday { text: String, column: usize },
    #[error("unknown time zone '{0}' (expected an IANA name such as Europe/Berlin)")]
    UnknownTimeZone(String),
}

impl OpenWindow {
    /// `end_hour` may be 24 (with `end_minute` 0) for "until midnight".
    pub fn hm(
        start_hour: u32,
        start_minute: u32,
        end_hour: u32,
        end_minute: u32,
    ) -> Result<Self, CalendarError> {
        let secs = |h: u32, m: u32| {
            let s = h * 3600 + m * 60;
            (m < 60 && s <= DAY_SECS)
                .then_some(s)
                .ok_or_else(|| CalendarError::BadTime {
                    text: format!("{h:02}:{m:02}"),
                    column: 1,
                })
        };
        Self::from_secs(secs(start_hour, start_minute)?, secs(end_hour, end_minute)?)
    }

    fn from_secs(start: u32, end: u32) -> Result<Self, CalendarError> {
        let w = OpenWindow { start, end };
        if start >= end {
            return Err(CalendarError::EmptyWindow(w));
        }
        Ok(w)
    }

    /// The whole day, 00:00–24:00.
    pub const ALL_DAY: OpenWindow = OpenWindow {
        start: 0,
        end: DAY_SECS,
    };

    pub fn start_seconds(self) -> u32 {
        self.start
    }

    pub fn end_seconds(self) -> u32 {
        self.end
    }

    /// Parses `HH:MM-HH:MM`; columns in errors count from `column` (1-based) so a caller parsing
    /// a longer line can point into it.
    pub(crate) fn parse_at(text: &str, column: usize) -> Result<Self, CalendarError> {
        let Some((a, b)) = text.split_once('-') else {
            return Err(CalendarError::BadWindow {
                text: text.into(),
                column,
            });
        };
        let start = parse_hm(a, column)?;
        let end = parse_hm(b, column + a.chars().count() + 1)?;
        Self::from_secs(start, end)
    }
}

fn parse_hm(text: &str, column: usize) -> Result<u32, CalendarError> {
    let bad = || CalendarError::BadTime {
        text: text.into(),
        column,
    };
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let ok_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !ok_digits(h) || m.len() != 2 || !ok_digits(m) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let secs = h * 3600 + m * 60;
    if m >= 60 || secs > DAY_SECS {
        return Err(bad());
    }
    Ok(secs)
}

impl FromStr for OpenWindow {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_at(s, 1)
    }
}

impl fmt::Display for OpenWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |s: u32| format!("{:02}:{:02}", s / 3600, s % 3600 / 60);
        write!(f, "{}-{}", hm(self.start), hm(self.end))
    }
}

/// When a team counts time: opening windows per weekday, holidays, all in the team's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessCalendar {
    #[serde(with = "tz_name")]
    tz: Tz,
    /// Indexed by `Weekday::num_days_from_monday`; each day's windows sorted, not overlapping.
    week: [Vec<OpenWindow>; 7],
    holidays: BTreeSet<NaiveDate>,
}

mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        name.parse()
            .map_err(|_| serde::de::Error::custom(format!("unknown time zone '{name}'")))
    }
}

/// Which instant a wall-clock time stands for when the zone repeats it (DST fall-back).
#[derive(Clone, Copy)]
enum Pick {
    Earliest,
    Latest,
}

impl BusinessCalendar {
    /// A calendar that is never open (add hours with `with_hours`).
    pub fn closed(tz: Tz) -> Self {
        BusinessCalendar {
            tz,
            week: Default::default(),
            holidays: BTreeSet::new(),
        }
    }

    /// Open around the clock every day (a 24/7 team); holidays may still be added.
    pub fn always_open(tz: Tz) -> Self {
        let mut cal = Self::closed(tz);
        cal.week = std::array::from_fn(|_| vec![OpenWindow::ALL_DAY]);
        cal
    }

    /// Resolves an IANA zone name.
    pub fn parse_tz(name: &str) -> Result<Tz, CalendarError> {
        name.parse()
            .map_err(|_| CalendarError::UnknownTimeZone(name.to_string()))
    }

    /// Replaces `day`'s opening windows.
    pub fn with_hours(
        mut self,
        day: Weekday,
        windows: &[OpenWindow],
    ) -> Result<Self, CalendarError> {
        let mut ws = windows.to_vec();
        ws.sort();
        for pair in ws.windows(2) {
            if pair[1].start < pair[0].end {
                return Err(CalendarError::Overlap(pair[0], pair[1], day));
            }
        }
        self.week[day.num_days_from_monday() as usize] = ws;
        Ok(self)
    }

    /// The same windows Monday to Friday.
    pub fn with_weekday_hours(self, windows: &[OpenWindow]) -> Result<Self, CalendarError> {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .into_iter()
        .try_fold(self, |cal, day| cal.with_hours(day, windows))
    }

    /// Closed all day on these local dates.
    pub fn with_holidays(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(dates);
        self
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn hours(&self, day: Weekday) -> &[OpenWindow] {
        &self.week[day.num_days_from_monday() as usize]
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    fn never_open(&self) -> bool {
        self.week.iter().all(Vec::is_empty)
    }

    fn is_24_7(&self) -> bool {
        self.holidays.is_empty() && self.week.iter().all(|d| d[..] == [OpenWindow::ALL_DAY])
    }

    /// The instant a local wall-clock time stands for. A time that does not exist (skipped by
    /// a spring-forward) means the first instant after the gap; a repeated one is picked by `pick`.
    fn instant(&self, date: NaiveDate, secs: u32, pick: Pick) -> DateTime<Utc> {
        let (date, secs) = if secs == DAY_SECS {
            (date + Duration::days(1), 0)
        } else {
            (date, secs)
        };
        let naive = date
            .and_hms_opt(secs / 3600, secs % 3600 / 60, secs % 60)
            .expect("secs < 24h");
        if let Some(t) = self.resolve(naive, pick) {
            return t;
        }
        // In a gap: zone transitions fall on whole minutes, so the first valid minute after the
        // wall time is the transition instant itself.
        let minute = naive - Duration::seconds(i64::from(secs % 60));
        (1..=24 * 60)
            .find_map(|m| self.resolve(minute + Duration::minutes(m), Pick::Earliest))
            .expect("a zone's gap is shorter than a day")
    }

    fn resolve(&self, naive: NaiveDateTime, pick: Pick) -> Option<DateTime<Utc>> {
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(a, b) => Some(match pick {
                Pick::Earliest => a.min(b).with_timezone(&Utc),
                Pick::Latest => a.max(b).with_timezone(&Utc),
            }),
            LocalResult::None => None,
        }
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The open intervals of one local day, in order, as UTC instants.
    fn day_intervals(
        &self,
        date: NaiveDate,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let windows: &[OpenWindow] = if self.holidays.contains(&date) {
            &[]
        } else {
            &self.week[date.weekday().num_days_from_monday() as usize]
        };
        windows.iter().filter_map(move |w| {
            let start = self.instant(date, w.start, Pick::Earliest);
            // A window's end inside a repeated hour takes the later instant, so no business
            // time is lost; 24:00 is the next day's first instant.
            let pick = if w.end == DAY_SECS {
                Pick::Earliest
            } else {
                Pick::Latest
            };
            let end = self.instant(date, w.end, pick);
            (start < end).then_some((start, end))
        })
    }

    /// Open intervals from the local day containing `from` onwards (the first ones may end
    /// before `from`).
    fn intervals_from(
        &self,
        from: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        // Start a day early: a window of the previous local day never reaches into this one, but
        // it costs nothing to be sure across odd zone offsets.
        let first = self.local_date(from) - Duration::days(1);
        first.iter_days().flat_map(move |d| self.day_intervals(d))
    }

    /// Whether the team is open at `t`.
    pub fn is_open_at(&self, t: DateTime<Utc>) -> bool {
        let date = self.local_date(t);
        [date - Duration::days(1), date]
            .into_iter()
            .any(|d| self.day_intervals(d).any(|(s, e)| s <= t && t < e))
    }

    /// Business time between two instants: the length of `[from, to)` that falls in opening
    /// hours. Zero when `to` is not after `from`.
    pub fn elapsed(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        if to <= from {
            return TimeDelta::zero();
        }
        if self.is_24_7() {
            return to - from;
        }
        // Bounded by dates, not by intervals: a calendar may have none for a long stretch.
        let last = self.local_date(to);
        (self.local_date(from) - Duration::days(1))
            .iter_days()
            .take_while(|d| *d <= last)
            .flat_map(|d| self.day_intervals(d))
            .map(|(s, e)| (s.max(from), e.min(to)))
            .filter(|(s, e)| s < e)
            .map(|(s, e)| e - s)
            .sum()
    }

    /// The instant at which `target` business time has passed since `from`; `from` itself for a
    /// zero target. A target used up exactly at closing time is due at closing time, not at the
    /// next opening. `None` when the calendar is never open.
    pub fn due(&self, from: DateTime<Utc>, target: TimeDelta) -> Option<DateTime<Utc>> {
        if target <= TimeDelta::zero() {
            return Some(from);
        }
        if self.is_24_7() {
            return Some(from + target);
        }
        if self.never_open() {
            return None;
        }
        let mut left = target;
        for (s, e) in self.intervals_from(from) {
            if e <= from {
                continue;
            }
            let s = s.max(from);
            if e - s >= left {
                return Some(s + left);
            }
            left -= e - s;
        }
        unreachable!("a calendar with opening hours opens again after any finite set of holidays")
    }
}
