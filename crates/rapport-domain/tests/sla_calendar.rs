//! Business-time maths on real zones: weekends, holidays, DST in Europe/Berlin and
//! America/New_York, starts outside opening hours, 24/7 teams.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::{America::New_York, Europe::Berlin, Tz};
use rapport_domain::sla::{BusinessCalendar, CalendarError, OpenWindow};

/// A local wall-clock time in `tz` (must exist and be unambiguous).
fn local(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("unambiguous local time")
        .with_timezone(&Utc)
}

/// name, calendar, from, to, expected business time
type ElapsedRow<'a, C> = (&'a str, C, DateTime<Utc>, DateTime<Utc>, TimeDelta);
/// name, calendar, from, target, expected due instant
type DueRow<'a> = (
    &'a str,
    &'a BusinessCalendar,
    DateTime<Utc>,
    TimeDelta,
    DateTime<Utc>,
);

fn office(tz: Tz) -> BusinessCalendar {
    BusinessCalendar::closed(tz)
        .with_weekday_hours(&["09:00-17:00".parse().unwrap()])
        .unwrap()
}

fn mins(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

#[test]
fn elapsed_business_time_table() {
    let berlin = office(Berlin);
    // Easter Monday and Good Friday 2024 are holidays in Berlin.
    let berlin_holidays = office(Berlin).with_holidays([
        NaiveDate::from_ymd_opt(2024, 3, 29).unwrap(),
        NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
    ]);
    let ny = office(New_York);
    let b = |d, h, m| local(Berlin, 2024, 3, d, h, m);
    let ba = |d, h, m| local(Berlin, 2024, 4, d, h, m);
    let n = |mo, d, h, m| local(New_York, 2024, mo, d, h, m);

    let table: &[ElapsedRow<&BusinessCalendar>] = &[
        ("same day", &berlin, b(4, 10, 0), b(4, 12, 30), mins(150)),
        (
            "reversed interval",
            &berlin,
            b(4, 12, 0),
            b(4, 10, 0),
            mins(0),
        ),
        (
            "before opening to after closing",
            &berlin,
            b(4, 6, 0),
            b(4, 20, 0),
            mins(480),
        ),
        ("overnight", &berlin, b(4, 16, 0), b(5, 10, 0), mins(120)),
        (
            "over the weekend",
            &berlin,
            b(8, 16, 0),
            b(11, 10, 0),
            mins(120),
        ),
        (
            "start on a Saturday",
            &berlin,
            b(9, 12, 0),
            b(11, 9, 30),
            mins(30),
        ),
        ("whole weekend", &berlin, b(9, 0, 0), b(11, 0, 0), mins(0)),
        (
            "a full week",
            &berlin,
            b(4, 0, 0),
            b(11, 0, 0),
            mins(5 * 480),
        ),
        // Thu 28 Mar 16:00 -> Tue 2 Apr 10:00 over Good Friday, the weekend (with the
        // spring-forward night) and Easter Monday: 1 h + 1 h.
        (
            "Easter holidays",
            &berlin_holidays,
            b(28, 16, 0),
            ba(2, 10, 0),
            mins(120),
        ),
        (
            "same span without holidays",
            &berlin,
            b(28, 16, 0),
            ba(2, 10, 0),
            mins(120 + 2 * 480),
        ),
        // Fri 8 Mar 16:00 EST -> Mon 11 Mar 10:00 EDT: clocks went forward on Sunday; business
        // hours stay 09:00-17:00 local.
        (
            "New York spring forward",
            &ny,
            n(3, 8, 16, 0),
            n(3, 11, 10, 0),
            mins(120),
        ),
        // Fri 1 Nov 16:00 EDT -> Mon 4 Nov 10:00 EST.
        (
            "New York fall back",
            &ny,
            n(11, 1, 16, 0),
            n(11, 4, 10, 0),
            mins(120),
        ),
    ];
    for (name, cal, from, to, expected) in table {
        assert_eq!(cal.elapsed(*from, *to), *expected, "{name}");
    }
}

#[test]
fn dst_days_are_as_long_as_the_zone_says() {
    let all_berlin = BusinessCalendar::always_open(Berlin);
    let all_ny = BusinessCalendar::always_open(New_York);
    let sundays = |tz, w: &str| {
        BusinessCalendar::closed(tz)
            .with_hours(Weekday::Sun, &[w.parse().unwrap()])
            .unwrap()
    };
    let table: &[ElapsedRow<BusinessCalendar>] = &[
        // 24/7: Saturday noon to Sunday noon around each change.
        (
            "Berlin 24/7 spring",
            all_berlin.clone(),
            local(Berlin, 2024, 3, 30, 12, 0),
            local(Berlin, 2024, 3, 31, 12, 0),
            TimeDelta::hours(23),
        ),
        (
            "Berlin 24/7 fall",
            all_berlin.clone(),
            local(Berlin, 2024, 10, 26, 12, 0),
            local(Berlin, 2024, 10, 27, 12, 0),
            TimeDelta::hours(25),
        ),
        (
            "NY 24/7 spring",
            all_ny.clone(),
            local(New_York, 2024, 3, 9, 12, 0),
            local(New_York, 2024, 3, 10, 12, 0),
            TimeDelta::hours(23),
        ),
        (
            "NY 24/7 fall",
            all_ny.clone(),
            local(New_York, 2024, 11, 2, 12, 0),
            local(New_York, 2024, 11, 3, 12, 0),
            TimeDelta::hours(25),
        ),
        // A Sunday-only calendar: the whole Sunday, and windows across the changed hour.
        (
            "Berlin all-day Sunday, spring",
            sundays(Berlin, "00:00-24:00"),
            local(Berlin, 2024, 3, 30, 0, 0),
            local(Berlin, 2024, 4, 1, 0, 0),
            TimeDelta::hours(23),
        ),
        (
            "Berlin all-day Sunday, fall",
            sundays(Berlin, "00:00-24:00"),
            local(Berlin, 2024, 10, 26, 0, 0),
            local(Berlin, 2024, 10, 28, 0, 0),
            TimeDelta::hours(25),
        ),
        (
            "Berlin 01-04 spring",
            sundays(Berlin, "01:00-04:00"),
            local(Berlin, 2024, 3, 31, 0, 0),
            local(Berlin, 2024, 3, 31, 12, 0),
            TimeDelta::hours(2),
        ),
        (
            "Berlin 01-04 fall",
            sundays(Berlin, "01:00-04:00"),
            local(Berlin, 2024, 10, 27, 0, 0),
            local(Berlin, 2024, 10, 27, 12, 0),
            TimeDelta::hours(4),
        ),
        // 02:30 does not exist on 31 Mar in Berlin: the window opens when the clocks jump to 03:00.
        (
            "Berlin opening inside the gap",
            sundays(Berlin, "02:30-05:00"),
            local(Berlin, 2024, 3, 31, 0, 0),
            local(Berlin, 2024, 3, 31, 12, 0),
            TimeDelta::hours(2),
        ),
        (
            "NY 01-04 spring",
            sundays(New_York, "01:00-04:00"),
            local(New_York, 2024, 3, 10, 0, 0),
            local(New_York, 2024, 3, 10, 12, 0),
            TimeDelta::hours(2),
        ),
        (
            "NY 01-04 fall",
            sundays(New_York, "01:00-04:00"),
            local(New_York, 2024, 11, 3, 0, 0),
            local(New_York, 2024, 11, 3, 12, 0),
            TimeDelta::hours(4),
        ),
    ];
    for (name, cal, from, to, expected) in table {
        assert_eq!(cal.elapsed(*from, *to), *expected, "{name}");
    }
}

#[test]
fn due_instants_table() {
    let berlin = office(Berlin).with_holidays([NaiveDate::from_ymd_opt(2024, 3, 29).unwrap()]);
    let ny = office(New_York);
    let b = |d, h, m| local(Berlin, 2024, 3, d, h, m);
    let table: &[DueRow] = &[
        (
            "within the day",
            &berlin,
            b(4, 10, 0),
            mins(90),
            b(4, 11, 30),
        ),
        ("zero target", &berlin, b(9, 12, 0), mins(0), b(9, 12, 0)),
        (
            "used up at closing time stays at closing time",
            &berlin,
            b(4, 9, 0),
            mins(480),
            b(4, 17, 0),
        ),
        (
            "one minute more goes to the next morning",
            &berlin,
            b(4, 9, 0),
            mins(481),
            b(5, 9, 1),
        ),
        (
            "start before opening",
            &berlin,
            b(4, 7, 0),
            mins(60),
            b(4, 10, 0),
        ),
        (
            "start on a Saturday",
            &berlin,
            b(9, 12, 0),
            mins(30),
            b(11, 9, 30),
        ),
        (
            "over the weekend",
            &berlin,
            b(8, 16, 0),
            mins(120),
            b(11, 10, 0),
        ),
        (
            "over a holiday and the spring-forward weekend",
            &berlin,
            b(28, 16, 0),
            mins(120),
            local(Berlin, 2024, 4, 1, 10, 0),
        ),
        (
            "NY Friday EST to Monday EDT",
            &ny,
            local(New_York, 2024, 3, 8, 16, 30),
            mins(60),
            local(New_York, 2024, 3, 11, 9, 30),
        ),
    ];
    for (name, cal, from, target, expected) in table {
        let due = cal.due(*from, *target).unwrap();
        assert_eq!(due, *expected, "{name}");
        assert_eq!(
            cal.elapsed(*from, due),
            *target,
            "{name}: due and elapsed agree"
        );
    }
    // The NY Monday 09:30 EDT is 13:30 UTC, not 14:30 as Friday's offset would say.
    assert_eq!(
        ny.due(local(New_York, 2024, 3, 8, 16, 30), mins(60))
            .unwrap(),
        Utc.with_ymd_and_hms(2024, 3, 11, 13, 30, 0).unwrap()
    );
}

#[test]
fn always_open_calendars_count_wall_clock_time() {
    let utc = BusinessCalendar::always_open(chrono_tz::UTC);
    let from = Utc.with_ymd_and_hms(2024, 3, 30, 11, 0, 0).unwrap();
    assert_eq!(
        utc.elapsed(from, from + TimeDelta::hours(50)),
        TimeDelta::hours(50)
    );
    let berlin = BusinessCalendar::always_open(Berlin);
    // Sat 30 Mar 12:00 CET + 24 h = Sun 31 Mar 13:00 CEST.
    assert_eq!(
        berlin
            .due(local(Berlin, 2024, 3, 30, 12, 0), TimeDelta::hours(24))
            .unwrap(),
        local(Berlin, 2024, 3, 31, 13, 0)
    );
    // A 24/7 team with a holiday counts nothing on that local day, DST or not.
    let with_holiday = BusinessCalendar::always_open(Berlin)
        .with_holidays([NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()]);
    assert_eq!(
        with_holiday.elapsed(
            local(Berlin, 2024, 3, 30, 12, 0),
            local(Berlin, 2024, 4, 1, 12, 0)
        ),
        TimeDelta::hours(24)
    );
    assert!(with_holiday.is_open_at(local(Berlin, 2024, 3, 30, 23, 59)));
    assert!(!with_holiday.is_open_at(local(Berlin, 2024, 3, 31, 12, 0)));
}

#[test]
fn a_never_open_calendar_has_no_due_instant() {
    let cal = BusinessCalendar::closed(Berlin);
    let t = local(Berlin, 2024, 3, 4, 10, 0);
    assert_eq!(cal.due(t, mins(1)), None);
    assert_eq!(cal.elapsed(t, t + TimeDelta::days(30)), TimeDelta::zero());
}

#[test]
fn split_days_and_open_checks() {
    let cal = BusinessCalendar::closed(New_York)
        .with_hours(
            Weekday::Mon,
            &[
                "13:00-17:00".parse().unwrap(),
                "08:00-12:00".parse().unwrap(),
            ],
        )
        .unwrap();
    assert_eq!(
        cal.hours(Weekday::Mon)[0].to_string(),
        "08:00-12:00",
        "kept sorted"
    );
    let m = |h, mi| local(New_York, 2024, 3, 4, h, mi);
    assert_eq!(cal.elapsed(m(11, 0), m(14, 0)), mins(120));
    assert_eq!(cal.due(m(11, 30), mins(60)).unwrap(), m(13, 30));
    assert!(cal.is_open_at(m(8, 0)) && !cal.is_open_at(m(12, 0)) && !cal.is_open_at(m(17, 0)));
}

#[test]
fn bad_hours_are_rejected_with_their_place() {
    let overlap = BusinessCalendar::closed(Berlin)
        .with_hours(
            Weekday::Tue,
            &[
                "09:00-13:00".parse().unwrap(),
                "12:00-17:00".parse().unwrap(),
            ],
        )
        .unwrap_err();
    assert_eq!(
        overlap.to_string(),
        "opening windows 09:00-13:00 and 12:00-17:00 on Tue overlap"
    );
    let table: &[(&str, &str)] = &[
        (
            "9-17",
            "invalid time '9' at column 1 (expected HH:MM, 00:00 to 24:00)",
        ),
        (
            "09:00-25:00",
            "invalid time '25:00' at column 7 (expected HH:MM, 00:00 to 24:00)",
        ),
        (
            "09:00-17:60",
            "invalid time '17:60' at column 7 (expected HH:MM, 00:00 to 24:00)",
        ),
        (
            "0900",
            "invalid opening window '0900' at column 1 (expected HH:MM-HH:MM)",
        ),
        (
            "17:00-09:00",
            "opening window 17:00-09:00 ends before it starts",
        ),
    ];
    for (text, message) in table {
        assert_eq!(
            text.parse::<OpenWindow>().unwrap_err().to_string(),
            *message,
            "{text}"
        );
    }
    assert_eq!(
        "00:00-24:00".parse::<OpenWindow>().unwrap(),
        OpenWindow::ALL_DAY
    );
    assert_eq!(
        OpenWindow::hm(9, 30, 24, 0).unwrap().to_string(),
        "09:30-24:00"
    );
    assert!(matches!(
        BusinessCalendar::parse_tz("Mars/Olympus"),
        Err(CalendarError::UnknownTimeZone(_))
    ));
    assert_eq!(BusinessCalendar::parse_tz("Europe/Berlin").unwrap(), Berlin);
}

#[test]
fn calendars_round_trip_through_json() {
    let cal = office(Berlin).with_holidays([NaiveDate::from_ymd_opt(2024, 12, 25).unwrap()]);
    let json = serde_json::to_string(&cal).unwrap();
    assert!(json.contains("\"Europe/Berlin\""), "{json}");
    let back: BusinessCalendar = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cal);
}
