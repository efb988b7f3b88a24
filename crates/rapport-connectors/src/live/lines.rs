//! Splits a byte stream into lines with a cap on their length, for NDJSON and SSE bodies.

/// One line of a streamed body, without its `\n` or `\r\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    Text(String),
    /// Longer than the cap: dropped without being held whole.
    Oversized,
    /// Not UTF-8.
    BadUtf8,
}

/// Collects chunks and hands out complete lines; never holds more than `cap` bytes of a line.
#[derive(Debug)]
pub(crate) struct LineBuffer {
    buf: Vec<u8>,
    cap: usize,
    /// Inside an oversized line: drop bytes until its end.
    discarding: bool,
}

impl LineBuffer {
    pub(crate) fn new(cap: usize) -> LineBuffer {
        LineBuffer {
            buf: Vec::new(),
            cap,
            discarding: false,
        }
    }

    /// Whether a line was started and not ended (a body cut mid-line).
    pub(crate) fn has_partial(&self) -> bool {
        !self.buf.is_empty() || self.discarding
    }

    pub(crate) fn push(&mut self, mut chunk: &[u8], out: &mut Vec<Line>) {
        while !chunk.is_empty() {
            let end = memchr::memchr(b'\n', chunk);
            let (part, rest) = match end {
                Some(i) => (&chunk[..i], &chunk[i + 1..]),
                None => (chunk, &[][..]),
            };
            chunk = rest;
            if !self.discarding {
                if self.buf.len() + part.len() > self.cap {
                    self.buf.clear();
                    self.discarding = true;
                    out.push(Line::Oversized);
                } else {
                    self.buf.extend_from_slice(part);
                }
            }
            if end.is_none() {
                return;
            }
            if self.discarding {
                self.discarding = false;
                continue;
            }
            let mut line = std::mem::take(&mut self.buf);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            out.push(match String::from_utf8(line) {
                Ok(s) => Line::Text(s),
                Err(_) => Line::BadUtf8,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_across_chunks_and_drops_oversized_and_bad_lines() {
        let mut b = LineBuffer::new(8);
        let mut out = Vec::new();
        b.push(b"ab", &mut out);
        b.push(b"c\r\n\r\n0123456789", &mut out);
        b.push(b"abc\nok\n\xff\xfe\nlast", &mut out);
        assert_eq!(
            out,
            [
                Line::Text("abc".into()),
                Line::Text(String::new()),
                Line::Oversized,
                Line::Text("ok".into()),
                Line::BadUtf8,
            ]
        );
    }
}
