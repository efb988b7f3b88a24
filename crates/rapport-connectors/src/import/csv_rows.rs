//! Splits a CSV stream into records with `csv-core`, keeping each record's text as it appeared
//! and the line where it starts.
//!
//! Only `\n` ends a record. Twitter exports hold bare `\r` inside fields (even unquoted ones),
//! which a parser that also ends records on `\r` would cut in two; a CRLF file then leaves a `\r`
//! at the end of each record's last field, which is dropped here.
//!
//! A quote that is opened and never properly closed makes a CSV parser read on, across lines,
//! until some later quote: one stray `"` can swallow a thousand valid rows into one bad record.
//! So when the caller finds such a record invalid, [`CsvRows::reread_after_first_line`] gives
//! back every line after the record's first, and reading starts again at the next line: only
//! the line with the bad quote is lost.

use super::MAX_RECORD_BYTES;
use csv_core::{ReadRecordResult, ReaderBuilder, Terminator};
use std::io::{self, BufRead};

pub(crate) struct CsvRows<R> {
    reader: R,
    core: csv_core::Reader,
    /// The current record's bytes as read, leading blank lines and terminator included; holds
    /// at most `MAX_RECORD_BYTES`.
    raw: Vec<u8>,
    raw_len: usize,
    /// Newlines read in the current record so far.
    newlines: u64,
    fields: Vec<u8>,
    ends: Vec<usize>,
    nout: usize,
    nend: usize,
    /// Newlines read before the current record.
    line: u64,
    /// The line where the current record starts.
    record_line: u64,
    /// Bytes given back by `reread_after_first_line`, read before the rest of `reader`.
    pending: Vec<u8>,
    pending_pos: usize,
    done: bool,
}

/// One record's fields: `ends[i]` is where field `i` ends in `data`.
pub(crate) struct Fields<'a> {
    data: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Fields<'a> {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.data[start..end])
    }
}

pub(crate) enum Row<'a> {
    Record {
        line: u64,
        /// The record's text without its line terminator.
        raw: &'a [u8],
        fields: Fields<'a>,
        /// How many lines the record runs over, when a quote in it is not properly closed
        /// (a closing quote followed by more text, or the input ending inside quotes).
        broken_quote: Option<u64>,
    },
    Oversized {
        line: u64,
        len: usize,
        prefix: &'a [u8],
    },
    /// The reader failed; `line` is where reading stopped.
    Io { line: u64, error: io::Error },
}

impl<R: BufRead> CsvRows<R> {
    pub(crate) fn new(reader: R) -> Self {
        CsvRows {
            reader,
            core: ReaderBuilder::new()
                .terminator(Terminator::Any(b'\n'))
                .build(),
            raw: Vec::with_capacity(1024),
            raw_len: 0,
            newlines: 0,
            fields: vec![0; 1024],
            ends: vec![0; 32],
            nout: 0,
            nend: 0,
            line: 0,
            record_line: 0,
            pending: Vec::new(),
            pending_pos: 0,
            done: false,
        }
    }

    /// Gives back the lines of the record just read after its first, to be read again: for a
    /// record a broken quote ran on with. The next record starts on the line after the first.
    pub(crate) fn reread_after_first_line(&mut self) {
        let raw = trim_leading_line_ends(&self.raw);
        let Some(end) = memchr::memchr(b'\n', raw) else {
            return;
        };
        let mut pending = raw[end + 1..].to_vec();
        pending.extend_from_slice(&self.pending[self.pending_pos..]);
        self.pending = pending;
        self.pending_pos = 0;
        self.line = self.record_line;
        self.done = false;
    }

    /// The next non-blank record, or `None` at the end of the input.
    pub(crate) fn next_row(&mut self) -> Option<Row<'_>> {
        let line = loop {
            match self.read_one()? {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => {
                    self.done = true;
                    let line = self.line + 1 + self.newlines;
                    return Some(Row::Io { line, error });
                }
            }
            let leading = self.raw.iter().take_while(|b| matches!(b, b'\n' | b'\r'));
            let line = self.line + 1 + leading.filter(|&&b| b == b'\n').count() as u64;
            self.line += self.newlines;
            self.record_line = line;
            if self.raw_len > MAX_RECORD_BYTES {
                break line;
            }
            if self.nend > 0 {
                // The `\r` of a CRLF terminator is data to csv-core here: drop it.
                let last = self.nend - 1;
                let start = if last == 0 { 0 } else { self.ends[last - 1] };
                if self.ends[last] > start && self.fields[self.ends[last] - 1] == b'\r' {
                    self.ends[last] -= 1;
                }
            }
            let blank =
                trim_line_ends(&self.raw).is_empty() || (self.nend == 1 && self.ends[0] == 0);
            if !blank {
                break line;
            }
        };
        if self.raw_len > MAX_RECORD_BYTES {
            let keep = self.raw.len().min(4096);
            return Some(Row::Oversized {
                line,
                len: self.raw_len,
                prefix: &self.raw[..keep],
            });
        }
        let raw = trim_line_ends(&self.raw);
        let broken_quote =
            broken_quote(raw).then(|| memchr::memchr_iter(b'\n', raw).count() as u64 + 1);
        Some(Row::Record {
            line,
            raw,
            fields: Fields {
                data: &self.fields[..self.nout],
                ends: &self.ends[..self.nend],
            },
            broken_quote,
        })
    }

    /// Reads one record into the buffers: `Ok(true)` when one was read, `Ok(false)` at the end.
    fn read_one(&mut self) -> Option<io::Result<bool>> {
        if self.done {
            return None;
        }
        self.raw.clear();
        self.raw_len = 0;
        self.newlines = 0;
        self.nout = 0;
        self.nend = 0;
        loop {
            let from_pending = self.pending_pos < self.pending.len();
            let buf = if from_pending {
                &self.pending[self.pending_pos..]
            } else {
                match self.reader.fill_buf() {
                    Ok(buf) => buf,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Some(Err(e)),
                }
            };
            let (result, nin, nout, nend) = self.core.read_record(
                buf,
                &mut self.fields[self.nout..],
                &mut self.ends[self.nend..],
            );
            let consumed = &buf[..nin];
            self.newlines += memchr::memchr_iter(b'\n', consumed).count() as u64;
            if self.raw_len + nin <= MAX_RECORD_BYTES {
                self.raw.extend_from_slice(consumed);
            } else if self.raw_len <= MAX_RECORD_BYTES {
                let room = MAX_RECORD_BYTES - self.raw_len;
                self.raw.extend_from_slice(&consumed[..room.min(nin)]);
            }
            self.raw_len += nin;
            if from_pending {
                self.pending_pos += nin;
            } else {
                self.reader.consume(nin);
            }
            self.nout += nout;
            self.nend += nend;
            let oversized = self.raw_len > MAX_RECORD_BYTES;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull if oversized => self.nout = 0,
                ReadRecordResult::OutputFull => {
                    let len = self.fields.len() * 2;
                    self.fields.resize(len, 0);
                }
                ReadRecordResult::OutputEndsFull if oversized => self.nend = 0,
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                ReadRecordResult::Record => return Some(Ok(true)),
                ReadRecordResult::End => {
                    self.done = true;
                    return Some(Ok(false));
                }
            }
        }
    }
}

/// Whether a quoted field in `raw` is not closed properly: its closing quote is followed by
/// something other than a comma or the end of the line, or the record ends inside quotes.
fn broken_quote(raw: &[u8]) -> bool {
    let mut at_field_start = true;
    let mut quoted = false;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if quoted {
            if b == b'"' {
                if raw.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                    if !matches!(raw.get(i + 1), None | Some(b',' | b'\n' | b'\r')) {
                        return true;
                    }
                }
            }
        } else if b == b'"' && at_field_start {
            quoted = true;
        }
        at_field_start = !quoted && matches!(b, b',' | b'\n');
        i += 1;
    }
    quoted
}

fn trim_leading_line_ends(mut raw: &[u8]) -> &[u8] {
    while let [b'\n' | b'\r', rest @ ..] = raw {
        raw = rest;
    }
    raw
}

fn trim_line_ends(mut raw: &[u8]) -> &[u8] {
    while let [b'\n' | b'\r', rest @ ..] = raw {
        raw = rest;
    }
    while let [rest @ .., b'\n' | b'\r'] = raw {
        raw = rest;
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &str) -> Vec<(u64, String, Vec<String>)> {
        let mut rows = CsvRows::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(row) = rows.next_row() {
            match row {
                Row::Record {
                    line, raw, fields, ..
                } => out.push((
                    line,
                    String::from_utf8(raw.to_vec()).unwrap(),
                    (0..fields.len())
                        .map(|i| String::from_utf8(fields.get(i).unwrap().to_vec()).unwrap())
                        .collect(),
                )),
                Row::Oversized { line, .. } => panic!("oversized record at line {line}"),
                Row::Io { error, .. } => panic!("{error}"),
            }
        }
        out
    }

    #[test]
    fn keeps_raw_text_and_start_lines_across_quoted_newlines_and_crlf() {
        let got = rows("a,b\r\n\"x\ny\",2\r\n\r\nlast,\"q\"\"q\"\r\n");
        assert_eq!(
            got,
            vec![
                (1, "a,b".into(), vec!["a".into(), "b".into()]),
                (2, "\"x\ny\",2".into(), vec!["x\ny".into(), "2".into()]),
                (
                    5,
                    "last,\"q\"\"q\"".into(),
                    vec!["last".into(), "q\"q".into()]
                ),
            ]
        );
    }

    #[test]
    fn a_bare_carriage_return_stays_inside_its_field() {
        let got = rows("1,@a \r\rhello,x\n2,b,y");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].2[1], "@a \r\rhello");
        assert_eq!((got[1].0, got[1].2[2].as_str()), (2, "y"));
    }

    #[test]
    fn an_oversized_record_is_reported_and_reading_goes_on() {
        let big = "z".repeat(MAX_RECORD_BYTES + 10);
        let input = format!("h\n{big}\nsmall\n");
        let mut rows = CsvRows::new(input.as_bytes());
        assert!(matches!(rows.next_row(), Some(Row::Record { line: 1, .. })));
        match rows.next_row() {
            Some(Row::Oversized { line, len, prefix }) => {
                assert_eq!((line, len), (2, MAX_RECORD_BYTES + 11));
                assert_eq!(prefix.len(), 4096);
            }
            _ => panic!("expected an oversized row"),
        }
        match rows.next_row() {
            Some(Row::Record { line, raw, .. }) => assert_eq!((line, raw), (3, &b"small"[..])),
            _ => panic!("expected the record after the oversized one"),
        }
        assert!(rows.next_row().is_none());
    }

    #[test]
    fn a_broken_quote_is_flagged_and_the_lines_it_swallowed_are_read_again() {
        let input = "1,\"ok\"\n2,\"bad quote\n3,three\n4,\"four\" more\n5,five\n";
        let mut rows = CsvRows::new(input.as_bytes());
        match rows.next_row() {
            Some(Row::Record {
                line: 1,
                broken_quote: None,
                ..
            }) => {}
            _ => panic!("line 1 is a clean record"),
        }
        match rows.next_row() {
            Some(Row::Record {
                line, broken_quote, ..
            }) => assert_eq!((line, broken_quote), (2, Some(3))),
            _ => panic!("line 2 runs on to the quote of line 4"),
        }
        rows.reread_after_first_line();
        let mut rest = Vec::new();
        while let Some(Row::Record {
            line,
            raw,
            broken_quote,
            ..
        }) = rows.next_row()
        {
            rest.push((line, String::from_utf8(raw.to_vec()).unwrap(), broken_quote));
        }
        assert_eq!(
            rest,
            vec![
                (3, "3,three".to_string(), None),
                (4, "4,\"four\" more".to_string(), Some(1)),
                (5, "5,five".to_string(), None),
            ]
        );
    }
}
