//! Bad records become rejects with their line and reason; the good records around them still
//! come through, and nothing panics.

mod common;

use common::read_bytes;
use rapport_connectors::{Format, Record, read_records};
use std::io::{BufReader, Read};

const TWCS_HEADER: &str =
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";
const DATE: &str = "Tue Oct 31 22:10:47 +0000 2017";

fn twcs_row(id: &str, text: &str) -> String {
    format!("{id},bob,True,{DATE},{text},,\n")
}

fn post_json(rkey: &str, text: &str) -> String {
    format!(
        r#"{{"did":"did:plc:abc","time_us":1,"kind":"commit","commit":{{"rev":"r","operation":"create","collection":"app.bsky.feed.post","rkey":"{rkey}","record":{{"$type":"app.bsky.feed.post","createdAt":"2024-09-09T19:46:02.102Z","text":"{text}"}}}}}}"#
    )
}

struct Case {
    name: &'static str,
    format: Format,
    input: Vec<u8>,
    /// (line, a part of the reason) of each reject, in order.
    rejects: Vec<(u64, &'static str)>,
    /// The native ids of the posts that must still come through, in order.
    posts: Vec<String>,
}

fn bytes(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn cases() -> Vec<Case> {
    let big = "x".repeat(1024 * 1024 + 1);
    let at = |rkey: &str| format!("at://did:plc:abc/app.bsky.feed.post/{rkey}");
    vec![
        Case {
            name: "csv row missing fields",
            format: Format::Twcs,
            input: format!("{TWCS_HEADER}{}5,bob,True\n{}", twcs_row("1", "a"), twcs_row("2", "b"))
                .into_bytes(),
            rejects: vec![(3, "row has 3 fields, the header has 7")],
            posts: vec!["1".into(), "2".into()],
        },
        Case {
            name: "csv unparseable date",
            format: Format::Twcs,
            input: format!(
                "{TWCS_HEADER}{}6,bob,True,yesterday,hi,,\n{}",
                twcs_row("1", "a"),
                twcs_row("2", "b")
            )
            .into_bytes(),
            rejects: vec![(
                3,
                "field 'created_at' is not a date like 'Tue Oct 31 22:10:47 +0000 2017': 'yesterday'",
            )],
            posts: vec!["1".into(), "2".into()],
        },
        Case {
            name: "csv empty id, bad id, bad inbound",
            format: Format::Twcs,
            input: format!(
                "{TWCS_HEADER},bob,True,{DATE},x,,\nabc,bob,True,{DATE},x,,\n7,bob,Maybe,{DATE},x,,\n{}",
                twcs_row("1", "a")
            )
            .into_bytes(),
            rejects: vec![
                (2, "field 'tweet_id' is empty"),
                (3, "field 'tweet_id' is not an id: 'abc'"),
                (4, "field 'inbound' must be True or False, not 'Maybe'"),
            ],
            posts: vec!["1".into()],
        },
        Case {
            name: "csv invalid utf-8 after a quoted multi-line field",
            format: Format::Twcs,
            input: bytes(&[
                TWCS_HEADER.as_bytes(),
                twcs_row("1", "\"two\nlines\"").as_bytes(),
                b"8,bob,True,",
                DATE.as_bytes(),
                b",caf\xe9,,\n",
                twcs_row("2", "b").as_bytes(),
            ]),
            rejects: vec![(4, "invalid utf-8 at byte 45 of the record")],
            posts: vec!["1".into(), "2".into()],
        },
        Case {
            name: "csv oversized record",
            format: Format::Twcs,
            input: format!("{TWCS_HEADER}{}{}", twcs_row("9", &big), twcs_row("2", "b")).into_bytes(),
            rejects: vec![(2, "more than the 1048576 bytes allowed")],
            posts: vec!["2".into()],
        },
        Case {
            name: "csv header without the format's columns",
            format: Format::Twcs,
            input: b"id,text\n1,hi\n".to_vec(),
            rejects: vec![(1, "header has no 'tweet_id' column")],
            posts: vec![],
        },
        Case {
            name: "airline bad retweet count",
            format: Format::Airline,
            input: b"tweet_id,name,text,tweet_created,retweet_count\n\
                     1,ann,hi,2015-02-24 11:35:52 -0800,many\n\
                     2,bob,yo,2015-02-24 11:35:52 -0800,3\n"
                .to_vec(),
            rejects: vec![(2, "field 'retweet_count' is not a count: 'many'")],
            posts: vec!["2".into()],
        },
        Case {
            name: "ndjson line cut inside a string",
            format: Format::Jetstream,
            input: format!(
                "{}\n{{\"did\":\"did:plc:x\",\"kind\":\"com\n{}\n",
                post_json("a", "one"),
                post_json("b", "two")
            )
            .into_bytes(),
            rejects: vec![(2, "line ends inside a string")],
            posts: vec![at("a"), at("b")],
        },
        Case {
            name: "ndjson line cut between fields",
            format: Format::Jetstream,
            input: format!(
                "{}\n{{\"did\":\"did:plc:x\",\"kind\":\"commit\",\n{}\n",
                post_json("a", "one"),
                post_json("b", "two")
            )
            .into_bytes(),
            rejects: vec![(2, "the record is cut short: the next line starts a new record")],
            posts: vec![at("a"), at("b")],
        },
        Case {
            name: "ndjson garbage, wrong types, bad date, missing text",
            format: Format::Jetstream,
            input: format!(
                "not json at all\n{}\n{{\"did\":1,\"kind\":\"commit\"}}\n{}\n{}\n",
                post_json("a", "one"),
                post_json("c", "x").replace("2024-09-09T19:46:02.102Z", "last tuesday"),
                post_json("d", "x").replace(",\"text\":\"x\"", "")
            )
            .into_bytes(),
            rejects: vec![
                (1, "not a jetstream event: expected"),
                (3, "not a jetstream event: invalid type: integer `1`, expected a string"),
                (4, "field 'commit.record.createdAt' is not an RFC 3339 date: 'last tuesday'"),
                (5, "invalid 'commit.record': missing field `text`"),
            ],
            posts: vec![at("a")],
        },
        // Found by the fuzzer (import_jetstream): a bad line, then an array that never closes.
        // The array's reject names the line it opened on, after the bad line's.
        Case {
            name: "ndjson bad line, then an array never closed",
            format: Format::Jetstream,
            input: include_bytes!(
                "../../../fuzz/corpus/import_jetstream/seed-fuzz-array-after-a-bad-line"
            )
            .to_vec(),
            rejects: vec![
                (1, "invalid utf-8 at byte 14 of the record"),
                (1, "not a jetstream event"),
                (2, "the array opened here is not closed"),
            ],
            posts: vec![],
        },
        Case {
            name: "ndjson invalid utf-8 and an oversized line",
            format: Format::Jetstream,
            input: bytes(&[
                post_json("a", "caf\u{e9}").replace('\u{e9}', "\u{fffd}").as_bytes(),
                b"\n",
                post_json("b", "caf_").replace('_', "\u{1}").as_bytes(),
                b"\n",
                &post_json("c", "caf?").into_bytes().iter().map(|&b| if b == b'?' { 0xff } else { b }).collect::<Vec<u8>>(),
                b"\n",
                post_json("d", &big).as_bytes(),
                b"\n",
                post_json("e", "last").as_bytes(),
            ]),
            rejects: vec![
                (2, "not a jetstream event: control character"),
                (3, "invalid utf-8 at byte"),
                (4, "bytes, more than the 1048576 bytes allowed"),
            ],
            posts: vec![at("a"), at("e")],
        },
        Case {
            name: "array with a bad element and a scalar",
            format: Format::Mastodon,
            input: br#"[
  {"id":"1","created_at":"2024-05-01T09:15:00.000Z","account":{"id":"9","acct":"a","url":"https://m.example/@a"},"content":"<p>one</p>"},
  {"id":"2","created_at":"soon","account":{"id":"9","acct":"a"},"content":"x"},
  42,
  {"id":"3","created_at":"2024-05-01T09:16:00.000Z","account":{"id":"9","acct":"a"},"content":"<p>three</p>"}
]"#
            .to_vec(),
            rejects: vec![
                (3, "field 'created_at' is not an RFC 3339 date: 'soon'"),
                (4, "not a mastodon status: invalid type: integer `42`"),
            ],
            posts: vec!["1".into(), "3".into()],
        },
        Case {
            name: "array cut short at the end of the file",
            format: Format::Mastodon,
            input: b"[\n{\"id\":\"1\",\"created_at\":\"2024-05-01T09:15:00Z\",\"account\":{\"id\":\"9\",\"acct\":\"a\"},\"content\":\"ok\"},\n{\"id\":\"2\",\"content\":\"cut"
                .to_vec(),
            rejects: vec![(3, "unexpected end of file inside the record")],
            posts: vec!["1".into()],
        },
        Case {
            name: "x-v2 tweets without author or with a bad date",
            format: Format::XV2,
            input: br#"{"data":{"id":"1","text":"no author","created_at":"2020-09-18T18:36:15.000Z"}}
{"data":{"id":"2","text":"bad date","author_id":"7","created_at":"18/09/2020"}}
{"data":{"id":"3","text":"good","author_id":"7","created_at":"2020-09-18T18:36:15.000Z"},"includes":{"users":[{"id":"7","username":"seven"}]}}
{"meta":{"result_count":0}}
"#
            .to_vec(),
            rejects: vec![
                (1, "tweet has no 'author_id'"),
                (2, "field 'created_at' is not an RFC 3339 date: '18/09/2020'"),
            ],
            posts: vec!["3".into()],
        },
    ]
}

#[test]
fn malformed_records_are_rejected_with_line_and_reason() {
    for case in cases() {
        let read = read_bytes(case.format, &case.input);
        let got: Vec<(u64, &str)> = read
            .rejects
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(got.len(), case.rejects.len(), "{}: {got:?}", case.name);
        for ((line, reason), (want_line, want)) in got.iter().zip(&case.rejects) {
            assert_eq!(line, want_line, "{}: {reason}", case.name);
            assert!(
                reason.contains(want),
                "{}: '{reason}' lacks '{want}'",
                case.name
            );
        }
        let ids: Vec<&str> = read.posts.iter().map(|p| p.native_id.as_str()).collect();
        assert_eq!(ids, case.posts, "{}", case.name);
        for r in &read.rejects {
            assert!(r.raw.len() <= 4096, "{}: reject text is cut", case.name);
        }
    }
}

#[test]
fn a_reject_keeps_the_record_text() {
    let input = format!("{TWCS_HEADER}6,bob,True,yesterday,\"hi, there\",,\n");
    let read = read_bytes(Format::Twcs, input.as_bytes());
    assert_eq!(read.rejects[0].raw, "6,bob,True,yesterday,\"hi, there\",,");
}

/// An endless JSON array: if the importer waited for its end it would never return.
struct EndlessArray {
    next: u64,
    pending: Vec<u8>,
}

impl Read for EndlessArray {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            let sep = if self.next == 0 { "[" } else { "," };
            self.pending = format!(
                "{sep}\n  {{\"id\":\"{}\",\"created_at\":\"2024-05-01T09:15:00Z\",\"account\":{{\"id\":\"9\",\"acct\":\"a\"}},\"content\":\"<p>post</p>\"}}",
                self.next
            )
            .into_bytes();
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn a_json_array_is_read_element_by_element() {
    let reader = BufReader::new(EndlessArray {
        next: 0,
        pending: Vec::new(),
    });
    let first: Vec<Record> = read_records(Format::Mastodon, reader)
        .take(10_000)
        .collect();
    assert_eq!(first.len(), 10_000);
    for (i, r) in first.iter().enumerate() {
        match r {
            Record::Post(p) => assert_eq!(p.native_id, i.to_string()),
            other => panic!("record {i}: {other:?}"),
        }
    }
}

/// A reader that fails part-way: what was read before comes through, then one reject.
struct FailingReader(std::io::Cursor<Vec<u8>>);

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(16);
        match self.0.read(&mut buf[..n])? {
            0 => Err(std::io::Error::other("disk gone")),
            n => Ok(n),
        }
    }
}

#[test]
fn a_read_error_ends_the_stream_with_a_reject() {
    let input = format!("{TWCS_HEADER}{}", twcs_row("1", "a"));
    let reader = BufReader::new(FailingReader(std::io::Cursor::new(input.into_bytes())));
    let records: Vec<Record> = read_records(Format::Twcs, reader).collect();
    assert!(matches!(&records[0], Record::Post(p) if p.native_id == "1"));
    match &records[1..] {
        [Record::Reject(r)] => {
            assert_eq!((r.line, r.reason.as_str()), (3, "read error: disk gone"));
        }
        other => panic!("{other:?}"),
    }
}
