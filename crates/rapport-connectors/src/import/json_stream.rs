//! Splits a JSON file into its records without parsing it whole: a single value, values one
//! after another (NDJSON, or pretty-printed values in a row), or the elements of a top-level
//! array. Only strings and bracket depth are tracked here; each record is then parsed on its own
//! by the format's mapper, so memory holds one record at a time.
//!
//! A truncated NDJSON line must not swallow the lines after it: outside arrays a record cannot
//! continue past a line break inside a string (JSON strings hold no raw line breaks) nor into a
//! line that starts with `{` in its first column (the next record), so either ends the broken
//! record there.

use super::{MAX_RECORD_BYTES, Record, reject_text};
use std::{collections::VecDeque, io, io::BufRead};

/// Turns one JSON record (its start line and text) into records for the caller.
pub(crate) type Mapper = fn(u64, &str, &mut VecDeque<Record>);

pub(crate) struct JsonRecords<R> {
    splitter: Splitter<R>,
    map: Mapper,
    pending: VecDeque<Record>,
}

impl<R: BufRead> JsonRecords<R> {
    pub(crate) fn new(reader: R, map: Mapper) -> Self {
        JsonRecords {
            splitter: Splitter::new(reader),
            map,
            pending: VecDeque::new(),
        }
    }
}

impl<R: BufRead> Iterator for JsonRecords<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(record) = self.pending.pop_front() {
                return Some(record);
            }
            match self.splitter.next_value()? {
                Piece::Value { line, bytes } => match std::str::from_utf8(bytes) {
                    Ok(text) => (self.map)(line, text, &mut self.pending),
                    Err(e) => self.pending.push_back(Record::reject(
                        line,
                        format!("invalid utf-8 at byte {} of the record", e.valid_up_to()),
                        reject_text(bytes),
                    )),
                },
                Piece::Broken { line, reason, raw } => {
                    self.pending.push_back(Record::reject(line, reason, raw));
                }
            }
        }
    }
}

enum Piece<'a> {
    Value {
        line: u64,
        bytes: &'a [u8],
    },
    Broken {
        line: u64,
        reason: String,
        raw: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records.
    Between,
    /// Inside an object or array record.
    Nested,
    /// Inside a record that is not an object or array (a number, a word, garbage): it runs to
    /// the end of the line, or to the next `,` / `]` in an array.
    Bare,
}

struct Splitter<R> {
    reader: R,
    scan: Scan,
}

/// The splitter's state, apart from the reader it reads.
struct Scan {
    buf: Vec<u8>,
    len: usize,
    state: State,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Inside the top-level array whose elements are the records.
    in_array: bool,
    array_line: u64,
    line: u64,
    start_line: u64,
    at_line_start: bool,
    /// A record ended on the previous call; its bytes are dropped on this one.
    emitted: bool,
    done: bool,
}

impl<R: BufRead> Splitter<R> {
    fn new(reader: R) -> Self {
        Splitter {
            reader,
            scan: Scan {
                buf: Vec::with_capacity(4096),
                len: 0,
                state: State::Between,
                depth: 0,
                in_string: false,
                escaped: false,
                in_array: false,
                array_line: 0,
                line: 1,
                start_line: 1,
                at_line_start: true,
                emitted: false,
                done: false,
            },
        }
    }

    fn next_value(&mut self) -> Option<Piece<'_>> {
        let s = &mut self.scan;
        if s.emitted {
            s.buf.clear();
            s.len = 0;
            s.emitted = false;
        }
        if s.done {
            return None;
        }
        let ended = loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    s.done = true;
                    s.emitted = true;
                    if s.state == State::Between {
                        s.start_line = s.line;
                    }
                    return Some(s.broken(format!("read error: {e}")));
                }
            };
            if chunk.is_empty() {
                s.done = true;
                return s.finish();
            }
            let mut used = 0;
            let mut ended = None;
            for (i, &b) in chunk.iter().enumerate() {
                used = i + 1;
                let step = step(s, b);
                if matches!(step, Step::EndBefore | Step::BrokenBefore(_)) {
                    // This byte belongs to what follows the record: leave it unread.
                    used = i;
                }
                match step {
                    Step::Continue => {}
                    Step::End | Step::EndBefore => {
                        ended = Some(Ended::Value);
                        break;
                    }
                    Step::Broken(reason) | Step::BrokenBefore(reason) => {
                        ended = Some(Ended::Broken(reason));
                        break;
                    }
                }
            }
            self.reader.consume(used);
            if let Some(ended) = ended {
                break ended;
            }
        };
        s.emitted = true;
        if s.len > MAX_RECORD_BYTES {
            return Some(s.oversized());
        }
        Some(match ended {
            Ended::Value => Piece::Value {
                line: s.start_line,
                bytes: trim_end(&s.buf),
            },
            Ended::Broken(reason) => s.broken(reason),
        })
    }
}

impl Scan {
    fn push(&mut self, b: u8) {
        self.len += 1;
        if self.len <= MAX_RECORD_BYTES {
            self.buf.push(b);
        }
    }

    fn start(&mut self, b: u8, state: State) {
        self.state = state;
        self.start_line = self.line;
        self.depth = usize::from(state == State::Nested);
        self.in_string = false;
        self.escaped = false;
        self.push(b);
    }

    fn finish(&mut self) -> Option<Piece<'_>> {
        match self.state {
            State::Between if self.in_array => {
                self.in_array = false;
                self.start_line = self.array_line;
                self.emitted = true;
                Some(Piece::Broken {
                    line: self.array_line,
                    reason: "unexpected end of file: the array opened here is not closed".into(),
                    raw: String::new(),
                })
            }
            State::Between => None,
            State::Bare => {
                self.state = State::Between;
                self.emitted = true;
                if self.len > MAX_RECORD_BYTES {
                    return Some(self.oversized());
                }
                Some(Piece::Value {
                    line: self.start_line,
                    bytes: trim_end(&self.buf),
                })
            }
            State::Nested => {
                self.state = State::Between;
                self.emitted = true;
                Some(self.broken("unexpected end of file inside the record".into()))
            }
        }
    }

    fn broken(&self, reason: String) -> Piece<'_> {
        Piece::Broken {
            line: self.start_line,
            reason,
            raw: reject_text(trim_end(&self.buf)),
        }
    }

    fn oversized(&self) -> Piece<'_> {
        Piece::Broken {
            line: self.start_line,
            reason: format!(
                "record is {} bytes, more than the {} bytes allowed",
                self.len, MAX_RECORD_BYTES
            ),
            raw: reject_text(&self.buf),
        }
    }
}

enum Step {
    Continue,
    /// The record ends with this byte.
    End,
    /// The record ended before this byte, which is read again.
    EndBefore,
    /// The record is broken and ends with this byte.
    Broken(String),
    /// The record is broken and ended before this byte, which is read again.
    BrokenBefore(String),
}

enum Ended {
    Value,
    Broken(String),
}

fn step(s: &mut Scan, b: u8) -> Step {
    let line_start = s.at_line_start;
    s.at_line_start = b == b'\n';
    match s.state {
        State::Between => {
            match b {
                b'\n' => s.line += 1,
                b' ' | b'\t' | b'\r' => {}
                // A byte-order mark at the very start.
                0xEF | 0xBB | 0xBF if s.line == 1 && s.len == 0 && !s.in_array => {}
                b',' if s.in_array => {}
                b']' if s.in_array => s.in_array = false,
                b'[' if !s.in_array => {
                    s.in_array = true;
                    s.array_line = s.line;
                }
                b'{' | b'[' => s.start(b, State::Nested),
                _ => s.start(b, State::Bare),
            }
            Step::Continue
        }
        State::Bare => {
            let ends = if s.in_array {
                matches!(b, b',' | b']' | b'\n')
            } else {
                b == b'\n'
            };
            if ends {
                // The delimiter is left for the `Between` state to see again, except a line
                // break, which is counted here.
                if b == b'\n' {
                    s.line += 1;
                    s.state = State::Between;
                    return Step::End;
                }
                s.state = State::Between;
                s.at_line_start = false;
                return Step::EndBefore;
            }
            s.push(b);
            Step::Continue
        }
        State::Nested => {
            if s.in_string {
                if b == b'\n' {
                    s.line += 1;
                    s.state = State::Between;
                    return Step::Broken(
                        "line ends inside a string: the record is cut short".into(),
                    );
                }
                s.push(b);
                if s.escaped {
                    s.escaped = false;
                } else if b == b'\\' {
                    s.escaped = true;
                } else if b == b'"' {
                    s.in_string = false;
                }
                return Step::Continue;
            }
            if b == b'{' && line_start && !s.in_array {
                s.state = State::Between;
                s.at_line_start = true;
                return Step::BrokenBefore(
                    "the record is cut short: the next line starts a new record".into(),
                );
            }
            s.push(b);
            match b {
                b'"' => s.in_string = true,
                b'{' | b'[' => s.depth += 1,
                b'}' | b']' => {
                    s.depth -= 1;
                    if s.depth == 0 {
                        s.state = State::Between;
                        return Step::End;
                    }
                }
                b'\n' => s.line += 1,
                _ => {}
            }
            Step::Continue
        }
    }
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &bytes[..n]
}
