//! Server-Sent Events: lines in, events out (the parts of the format Mastodon uses).

use super::lines::Line;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SseItem {
    /// A complete event: its `event:` name (`message` when none) and its `data:` lines joined.
    Event { name: String, data: String },
    /// A `:` comment line: Mastodon's heartbeat (`:thump`).
    Comment,
    /// A line that was oversized or not UTF-8: the event it belonged to is dropped.
    Bad,
}

#[derive(Debug, Default)]
pub(crate) struct SseParser {
    name: Option<String>,
    data: Option<String>,
    /// The current event had a bad line: drop it at its end.
    poisoned: bool,
}

impl SseParser {
    pub(crate) fn line(&mut self, line: Line) -> Option<SseItem> {
        let text = match line {
            Line::Text(t) => t,
            Line::Oversized | Line::BadUtf8 => {
                self.poisoned = true;
                return Some(SseItem::Bad);
            }
        };
        if text.is_empty() {
            let name = self.name.take();
            let data = self.data.take();
            if std::mem::take(&mut self.poisoned) {
                return None;
            }
            return data.map(|data| SseItem::Event {
                name: name.unwrap_or_else(|| "message".into()),
                data,
            });
        }
        if text.starts_with(':') {
            return Some(SseItem::Comment);
        }
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (text.as_str(), ""),
        };
        match field {
            "event" => self.name = Some(value.to_string()),
            "data" => match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            _ => {} // `id`, `retry` and unknown fields are ignored, as the format says
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(p: &mut SseParser, lines: &[&str]) -> Vec<SseItem> {
        lines
            .iter()
            .filter_map(|l| p.line(Line::Text(l.to_string())))
            .collect()
    }

    #[test]
    fn parses_events_comments_and_multiline_data() {
        let mut p = SseParser::default();
        let items = feed(
            &mut p,
            &[
                ":thump",
                "",
                "event: update",
                "data: {\"a\":",
                "data: 1}",
                "",
                "data:x",
                "",
            ],
        );
        assert_eq!(
            items,
            [
                SseItem::Comment,
                SseItem::Event {
                    name: "update".into(),
                    data: "{\"a\":\n1}".into()
                },
                SseItem::Event {
                    name: "message".into(),
                    data: "x".into()
                },
            ]
        );
        assert_eq!(p.line(Line::Text("event: update".into())), None);
        assert_eq!(p.line(Line::Oversized), Some(SseItem::Bad));
        assert_eq!(
            p.line(Line::Text(String::new())),
            None,
            "the bad event is dropped"
        );
    }
}
