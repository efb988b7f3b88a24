//! The CSV formats: `twcs` and `airline`. Columns are found by header name, so index columns
//! that pandas writes in front (unnamed, or `index`) are simply not used.

use super::csv_rows::{CsvRows, Fields, Row};
use super::{Record, dates, entities, reject_text};
use chrono::{DateTime, Utc};
use rapport_domain::{Author, Engagement, Network, Post};
use std::io::BufRead;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Twcs,
    Airline,
}

impl Kind {
    /// The columns a row must have, in the order [`Columns::at`] holds them.
    fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Twcs => &[
                "tweet_id",
                "author_id",
                "inbound",
                "created_at",
                "text",
                "in_response_to_tweet_id",
            ],
            Kind::Airline => &["tweet_id", "name", "text", "tweet_created", "retweet_count"],
        }
    }
}

/// Where each wanted column is in a row, and how many fields a row has.
struct Columns {
    at: Vec<usize>,
    width: usize,
}

pub(crate) struct CsvRecords<R> {
    rows: CsvRows<R>,
    kind: Kind,
    columns: Option<Columns>,
    done: bool,
}

impl<R: BufRead> CsvRecords<R> {
    pub(crate) fn new(reader: R, kind: Kind) -> Self {
        CsvRecords {
            rows: CsvRows::new(reader),
            kind,
            columns: None,
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for CsvRecords<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.done {
            return None;
        }
        let kind = self.kind;
        let (line, raw, fields, broken_quote) = match self.rows.next_row()? {
            Row::Record {
                line,
                raw,
                fields,
                broken_quote,
            } => (line, raw, fields, broken_quote),
            Row::Oversized { line, len, prefix } => {
                return Some(Record::reject(
                    line,
                    format!(
                        "record is {len} bytes, more than the {} bytes allowed",
                        super::MAX_RECORD_BYTES
                    ),
                    reject_text(prefix),
                ));
            }
            Row::Io { line, error } => {
                self.done = true;
                return Some(Record::reject(line, format!("read error: {error}"), ""));
            }
        };
        let text = match std::str::from_utf8(raw) {
            Ok(text) => text,
            Err(e) => {
                return Some(Record::reject(
                    line,
                    format!("invalid utf-8 at byte {} of the record", e.valid_up_to()),
                    reject_text(raw),
                ));
            }
        };
        let Some(columns) = &self.columns else {
            return match header(kind, &fields) {
                Ok(columns) => {
                    self.columns = Some(columns);
                    self.next()
                }
                Err(reason) => {
                    self.done = true;
                    Some(Record::reject(line, reason, text))
                }
            };
        };
        let post = if fields.len() != columns.width {
            Err(format!(
                "row has {} fields, the header has {}",
                fields.len(),
                columns.width
            ))
        } else {
            let row = RowView {
                kind,
                fields: &fields,
                columns,
            };
            match kind {
                Kind::Twcs => twcs(&row, text),
                Kind::Airline => airline(&row, text),
            }
        };
        match (post, broken_quote) {
            (Ok(post), _) => Some(Record::Post(post)),
            (Err(reason), Some(lines)) if lines > 1 => {
                let first = text.split('\n').next().unwrap_or(text);
                let reject = Record::reject(
                    line,
                    format!(
                        "{reason}: a quote on this line is not closed properly and ran over \
                         {lines} lines; this line is rejected and the {} after it are read again",
                        lines - 1
                    ),
                    first.trim_end_matches('\r'),
                );
                self.rows.reread_after_first_line();
                Some(reject)
            }
            (Err(reason), _) => Some(Record::reject(line, reason, text)),
        }
    }
}

fn header(kind: Kind, fields: &Fields<'_>) -> Result<Columns, String> {
    let names: Vec<&str> = (0..fields.len())
        .map(|i| {
            let name = std::str::from_utf8(fields.get(i).unwrap_or_default()).unwrap_or("");
            name.trim_start_matches('\u{feff}').trim()
        })
        .collect();
    let at = kind
        .columns()
        .iter()
        .map(|want| {
            names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(want))
                .ok_or_else(|| format!("header has no '{want}' column (is this a {kind:?} file?)"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Columns {
        at,
        width: names.len(),
    })
}

struct RowView<'a> {
    kind: Kind,
    fields: &'a Fields<'a>,
    columns: &'a Columns,
}

impl<'a> RowView<'a> {
    /// The value of the `n`th wanted column, trimmed of surrounding spaces.
    fn get(&self, n: usize) -> &'a str {
        let bytes = self.fields.get(self.columns.at[n]).unwrap_or_default();
        // The whole record was checked to be UTF-8 and a field is a piece of it cut at ASCII
        // quotes and commas, so this cannot fail.
        std::str::from_utf8(bytes).unwrap_or_default().trim()
    }

    fn name(&self, n: usize) -> &'static str {
        self.kind.columns()[n]
    }

    fn required(&self, n: usize) -> Result<&'a str, String> {
        let v = self.get(n);
        if v.is_empty() {
            return Err(format!("field '{}' is empty", self.name(n)));
        }
        Ok(v)
    }

    fn id(&self, n: usize) -> Result<String, String> {
        let v = self.required(n)?;
        integer_id(v).ok_or_else(|| format!("field '{}' is not an id: '{v}'", self.name(n)))
    }

    fn date(
        &self,
        n: usize,
        parse: fn(&str) -> Option<DateTime<Utc>>,
        example: &str,
    ) -> Result<DateTime<Utc>, String> {
        let v = self.required(n)?;
        parse(v).ok_or_else(|| {
            format!(
                "field '{}' is not a date like '{example}': '{v}'",
                self.name(n)
            )
        })
    }
}

/// A tweet id as written by the dataset: digits, or digits with a zero fraction (`3.0`) where
/// pandas stored the column as floats.
fn integer_id(v: &str) -> Option<String> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let digits = !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit());
    (digits && frac.bytes().all(|b| b == b'0')).then(|| int.to_string())
}

fn twcs(row: &RowView<'_>, raw: &str) -> Result<Post, String> {
    let native_id = row.id(0)?;
    let handle = row.required(1)?.trim_start_matches('@');
    let inbound = row.required(2)?;
    let own_account = if inbound.eq_ignore_ascii_case("false") {
        true
    } else if inbound.eq_ignore_ascii_case("true") {
        false
    } else {
        return Err(format!(
            "field 'inbound' must be True or False, not '{inbound}'"
        ));
    };
    let created_at = row.date(3, dates::twitter, "Tue Oct 31 22:10:47 +0000 2017")?;
    let text = html_escape::decode_html_entities(row.get(4)).into_owned();
    let reply_to = match row.get(5) {
        "" => None,
        _ => Some(row.id(5)?),
    };
    let e = entities::extract(&text);
    Ok(Post {
        network: Network::X,
        native_id,
        author: Author {
            handle: handle.to_string(),
            own_account,
            ..Author::default()
        },
        text,
        created_at,
        lang: None,
        reply_to,
        reply_to_handle: None,
        root_id: None,
        mentions: e.mentions,
        hashtags: e.hashtags,
        cashtags: e.cashtags,
        links: e.links,
        engagement: Engagement::default(),
        raw: raw.to_string(),
    })
}

fn airline(row: &RowView<'_>, raw: &str) -> Result<Post, String> {
    let native_id = row.id(0)?;
    let handle = row.required(1)?.trim_start_matches('@');
    let text = html_escape::decode_html_entities(row.get(2)).into_owned();
    let created_at = row.date(3, dates::airline, "2015-02-24 11:35:52 -0800")?;
    let reposts = match row.get(4) {
        "" => 0,
        v => integer_id(v)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("field 'retweet_count' is not a count: '{v}'"))?,
    };
    let e = entities::extract(&text);
    Ok(Post {
        network: Network::X,
        native_id,
        author: Author {
            handle: handle.to_string(),
            ..Author::default()
        },
        text,
        created_at,
        lang: None,
        reply_to: None,
        reply_to_handle: None,
        root_id: None,
        mentions: e.mentions,
        hashtags: e.hashtags,
        cashtags: e.cashtags,
        links: e.links,
        engagement: Engagement {
            reposts,
            ..Engagement::default()
        },
        raw: raw.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_written_as_floats() {
        assert_eq!(integer_id("3.0").as_deref(), Some("3"));
        assert_eq!(integer_id("119239").as_deref(), Some("119239"));
        assert_eq!(integer_id("12.00").as_deref(), Some("12"));
        for bad in ["3.5", "", ".0", "1e5", "abc", "-1"] {
            assert_eq!(integer_id(bad), None, "{bad}");
        }
    }
}
