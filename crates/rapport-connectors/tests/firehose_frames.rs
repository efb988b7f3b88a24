//! The firehose source against a test server sending `subscribeRepos` frames built here (real
//! customer-support text from twcs in post records): bad frames of every kind are skipped and
//! counted while the source keeps reading, `#identity` names an author, a dropped connection
//! resumes from the last `seq`, and an `OutdatedCursor` becomes a gap.

mod common;
// A harness shared by several tests; this one uses part of it.
#[allow(dead_code)]
#[path = "live/firehose_server.rs"]
mod firehose_server;

use firehose_server::{FirehoseServer, create_post, delete_post, frame};
use rapport_connectors::live::{
    Checkpoint, FirehoseConfig, FirehoseSource, Source, SourceBatch, SourceStats,
};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const CUSTOMER: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
const BRAND: &str = "did:plc:z72i7hdynmk6r22z27h6tvur";

/// The text of the first `n` twcs rows.
fn twcs(n: usize) -> Vec<String> {
    let mut reader = csv::Reader::from_path(common::data("twcs/twcs_head_5000.csv")).unwrap();
    reader
        .records()
        .take(n)
        .map(|r| r.unwrap()[5].to_string())
        .collect()
}

fn record(text: &str, mention: Option<&str>) -> serde_json::Value {
    let mut record = serde_json::json!({
        "$type": "app.bsky.feed.post", "text": text,
        "createdAt": "2024-09-05T06:11:04.870Z", "langs": ["en"],
    });
    if let Some(did) = mention {
        record["facets"] = serde_json::json!([{
            "index": {"byteStart": 0, "byteEnd": 6},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]
        }]);
    }
    record
}

fn config(url: &str) -> FirehoseConfig {
    // No PLC directory answers here: DIDs no #identity event named stay DIDs.
    let mut config = FirehoseConfig::new(url, "http://127.0.0.1:9");
    config.max_message_bytes = 64 * 1024;
    config.read_timeout = Duration::from_secs(5);
    config.backoff = rapport_connectors::live::Backoff::new(
        Duration::from_millis(20),
        Duration::from_millis(100),
    );
    config
}

async fn read_until(
    source: &mut FirehoseSource,
    done: impl Fn(&SourceBatch) -> bool,
) -> SourceBatch {
    let mut all = SourceBatch::default();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(&all) {
        assert!(Instant::now() < deadline, "read only {all:?}");
        let batch = tokio::time::timeout(Duration::from_secs(20), source.next_batch())
            .await
            .expect("a batch")
            .expect("no fatal error");
        all.posts.extend(batch.posts);
        all.deletes.extend(batch.deletes);
        all.gaps.extend(batch.gaps);
        all.checkpoint = batch.checkpoint;
    }
    all
}

#[tokio::test]
async fn bad_frames_are_skipped_and_a_dropped_connection_resumes_at_its_seq() {
    let texts = twcs(3);
    let first = create_post(1, CUSTOMER, "3kpost0001", record(&texts[0], Some(BRAND))).await;
    let Message::Binary(first_bytes) = &first else {
        unreachable!()
    };
    let truncated = Message::binary(first_bytes[..first_bytes.len() / 2].to_vec());
    let mut unknown_op =
        serde_ipld_dagcbor::to_vec(&serde_json::json!({"op": 7, "t": "#commit"})).unwrap();
    unknown_op.extend(serde_ipld_dagcbor::to_vec(&serde_json::json!({"seq": 2})).unwrap());
    #[derive(serde::Serialize)]
    struct BrokenCommit {
        seq: i64,
        repo: &'static str,
        time: &'static str,
        ops: Vec<serde_json::Value>,
        #[serde(with = "serde_bytes")]
        blocks: Vec<u8>,
    }
    let broken_car = frame(
        "#commit",
        &BrokenCommit {
            seq: 3,
            repo: CUSTOMER,
            time: "2024-09-05T06:11:05.000Z",
            ops: vec![],
            blocks: vec![0xff, 0xff, 0xff, 0x01, 0x02],
        },
    );
    let big = create_post(7, CUSTOMER, "3kbig", record(&"long ".repeat(20_000), None)).await;
    let frames = vec![
        (1, first),
        (1, truncated),
        (
            2,
            create_post(2, BRAND, "3kpost0002", record(&texts[1], None)).await,
        ),
        (2, Message::text("not a cbor frame")),
        (2, Message::binary(unknown_op)),
        (3, broken_car),
        (
            4,
            frame(
                "#identity",
                &serde_json::json!({"seq": 4, "did": CUSTOMER, "handle": "Customer.example.com",
                    "time": "2024-09-05T06:11:06.000Z"}),
            ),
        ),
        (
            5,
            frame(
                "#account",
                &serde_json::json!({"seq": 5, "did": BRAND, "active": false,
                    "status": "deactivated", "time": "2024-09-05T06:11:07.000Z"}),
            ),
        ),
        (
            6,
            frame("#future", &serde_json::json!({"seq": 6, "what": "new"})),
        ),
        (7, big),
        (
            8,
            create_post(8, CUSTOMER, "3kpost0003", record(&texts[2], None)).await,
        ),
        (9, delete_post(9, CUSTOMER, "3kpost0001").await),
    ];
    // The first connection drops after five frames (seq 1 and 2 read).
    let server = FirehoseServer::start(frames, 1, 5).await;
    // One batch for everything: handles are resolved when a batch is handed over.
    let mut c = config(&server.url);
    c.linger = Duration::from_secs(2);
    let mut source = FirehoseSource::new(c, Checkpoint::Beginning).unwrap();
    let read = read_until(&mut source, |b| b.posts.len() >= 3 && !b.deletes.is_empty()).await;

    let texts_read: Vec<&str> = read.posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(
        texts_read,
        vec![&texts[0][..], &texts[1][..], &texts[2][..]]
    );
    let p0 = &read.posts[0];
    assert_eq!(
        p0.native_id,
        format!("at://{CUSTOMER}/app.bsky.feed.post/3kpost0001")
    );
    // No directory answers for the brand's DID: it stays a DID.
    assert_eq!(p0.mentions, vec![BRAND.to_string()]);
    assert_eq!(read.posts[1].author.handle, BRAND);
    // The #identity event names the customer (lowercased), without asking any directory.
    assert_eq!(p0.author.handle, "customer.example.com");
    assert_eq!(read.posts[2].author.handle, "customer.example.com");
    assert_eq!(read.posts[2].author.native_id.as_deref(), Some(CUSTOMER));
    assert_eq!(read.deletes[0].native_id, p0.native_id);
    assert_eq!(
        read.checkpoint,
        Checkpoint::Firehose {
            seq: 9,
            time: "2024-09-05T06:11:09Z".parse().unwrap(),
        }
    );

    let stats = source.stats();
    // Truncated CBOR, a text frame, an unknown op, broken CAR blocks, an oversized frame.
    assert_eq!(SourceStats::get(&stats.bad_frames), 5);
    assert_eq!(SourceStats::get(&stats.reconnects), 1);
    let queries = server.queries.lock().unwrap().clone();
    assert_eq!(queries.len(), 2, "{queries:?}");
    assert_eq!(queries[0], "");
    assert_eq!(queries[1], "cursor=2", "resumes after the last seq read");
}

#[tokio::test]
async fn an_outdated_cursor_is_a_gap_and_a_future_cursor_reads_from_now() {
    let texts = twcs(2);
    let frames = vec![
        (
            1000,
            frame(
                "#info",
                &serde_json::json!({"name": "OutdatedCursor", "message": "cursor too old"}),
            ),
        ),
        (
            1001,
            create_post(1001, CUSTOMER, "3kpost1001", record(&texts[0], None)).await,
        ),
    ];
    let server = FirehoseServer::start(frames, 0, 0).await;
    let old = "2024-09-01T00:00:00Z".parse().unwrap();
    let start = Checkpoint::Firehose {
        seq: 500,
        time: old,
    };
    let mut config = config(&server.url);
    config.safety_margin = 0;
    let mut source = FirehoseSource::new(config, start).unwrap();
    let read = read_until(&mut source, |b| !b.posts.is_empty()).await;
    assert_eq!(read.gaps.len(), 1, "{:?}", read.gaps);
    assert_eq!(read.gaps[0].from, old);
    assert_eq!(
        read.gaps[0].to,
        "2024-09-05T06:11:41Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    assert!(read.gaps[0].reason.contains("OutdatedCursor"));
    assert_eq!(server.queries.lock().unwrap()[0], "cursor=500");

    // A cursor ahead of the server: it says FutureCursor and closes; the source reads from now.
    let frames = vec![(
        3,
        create_post(3, CUSTOMER, "3kpost0003", record(&texts[1], None)).await,
    )];
    let server = FirehoseServer::start(frames, 0, 0).await;
    let start = Checkpoint::Firehose {
        seq: 90_000,
        time: old,
    };
    let mut source = FirehoseSource::new(config_for(&server.url), start).unwrap();
    let read = read_until(&mut source, |b| !b.posts.is_empty()).await;
    assert_eq!(read.posts[0].text, texts[1]);
    let queries = server.queries.lock().unwrap().clone();
    assert_eq!(queries[0], "cursor=90000", "{queries:?}");
    assert_eq!(queries[1], "", "after FutureCursor, no cursor");
}

fn config_for(url: &str) -> FirehoseConfig {
    let mut c = config(url);
    c.safety_margin = 0;
    c
}
