//! The date formats of the import files.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Twitter's `Tue Oct 31 22:10:47 +0000 2017`.
pub(crate) fn twitter(s: &str) -> Option<DateTime<Utc>> {
    twitter_fixed(s.as_bytes()).or_else(|| {
        DateTime::parse_from_str(s.trim(), "%a %b %d %H:%M:%S %z %Y")
            .ok()
            .map(|d| d.with_timezone(&Utc))
    })
}

/// The common fixed-width shape of [`twitter`] without a format-string parser: a twcs import
/// parses one per row, and this is several times faster.
fn twitter_fixed(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() != 30 || b[3] != b' ' || b[7] != b' ' || b[10] != b' ' || b[19] != b' ' {
        return None;
    }
    if b[13] != b':' || b[16] != b':' || b[25] != b' ' {
        return None;
    }
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let month = MONTHS.iter().position(|m| m[..] == b[4..7])? as u32 + 1;
    let day = digits(&b[8..10])?;
    let (hour, min, sec) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let sign = match b[20] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (digits(&b[21..23])? * 3600 + digits(&b[23..25])? * 60) as i32;
    let year = digits(&b[26..30])? as i32;
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, min, sec)?;
    let local = FixedOffset::east_opt(offset)?
        .from_local_datetime(&naive)
        .single()?;
    Some(local.with_timezone(&Utc))
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// The airline file's `2015-02-24 11:35:52 -0800`.
pub(crate) fn airline(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S %z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// RFC 3339 / ISO 8601 as the JSON APIs write it (`2020-09-18T18:36:15.000Z`); a time without
/// an offset is taken as UTC, as some Bluesky clients write it.
pub(crate) fn rfc3339(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// The creation time held in an X snowflake id (ids since November 2010).
pub(crate) fn snowflake(id: &str) -> Option<DateTime<Utc>> {
    const TWITTER_EPOCH_MS: i64 = 1_288_834_974_657;
    // The first snowflake ids were above this; smaller ids are sequential and hold no time.
    const FIRST_SNOWFLAKE: u64 = 29_700_859_247;
    let id: u64 = id.parse().ok()?;
    if id < FIRST_SNOWFLAKE {
        return None;
    }
    DateTime::from_timestamp_millis((id >> 22) as i64 + TWITTER_EPOCH_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn reads_twitter_dates_with_any_offset() {
        let cases = [
            ("Tue Oct 31 22:10:47 +0000 2017", "2017-10-31T22:10:47Z"),
            ("Wed Oct 11 06:55:44 +0200 2017", "2017-10-11T04:55:44Z"),
            ("Sun Feb 01 00:30:00 -0130 2015", "2015-02-01T02:00:00Z"),
            ("Tue Oct  3 22:10:47 +0000 2017", "2017-10-03T22:10:47Z"),
        ];
        for (input, want) in cases {
            assert_eq!(twitter(input), Some(utc(want)), "{input}");
        }
        for bad in [
            "",
            "Tue Foo 31 22:10:47 +0000 2017",
            "Tue Oct 32 22:10:47 +0000 2017",
        ] {
            assert_eq!(twitter(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_airline_and_rfc3339_dates() {
        assert_eq!(
            airline("2015-02-24 11:35:52 -0800"),
            Some(utc("2015-02-24T19:35:52Z"))
        );
        assert_eq!(airline("24/02/2015"), None);
        assert_eq!(
            rfc3339("2020-09-18T18:36:15.000Z"),
            Some(utc("2020-09-18T18:36:15Z"))
        );
        assert_eq!(
            rfc3339("2024-09-09T19:46:02.102"),
            Some(utc("2024-09-09T19:46:02.102Z"))
        );
        assert_eq!(rfc3339("yesterday"), None);
    }

    #[test]
    fn reads_the_time_inside_a_snowflake_id() {
        // X's own documentation example: tweet 1307025659294674945 was created at 18:36:15.
        let t = snowflake("1307025659294674945").unwrap();
        assert_eq!(
            t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            "2020-09-18T18:36:15"
        );
        assert_eq!(snowflake("12345"), None);
        assert_eq!(snowflake("abc"), None);
    }
}
