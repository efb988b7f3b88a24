//! Shared helpers for the engine's integration tests: a fresh store on the backend the run
//! asks for (`RAPPORT_TEST_BACKEND`), and the shared data files.

#![allow(dead_code)]

use rapport_connectors::Format;
use rapport_engine::{Engine, EngineConfig, IngestProgress, IngestSummary};
use rapport_store::testing::{TestStore, backend_from_env, fresh_store};
use std::path::PathBuf;
use std::sync::Arc;

pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(rel)
}

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rapport-connectors/tests/fixtures"
    ))
    .join(rel)
}

pub struct TestEngine {
    pub engine: Engine,
    // Dropped after the engine: removes the database.
    _store: TestStore,
}

impl std::ops::Deref for TestEngine {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

pub async fn engine() -> TestEngine {
    engine_with(EngineConfig::default()).await
}

pub async fn engine_with(config: EngineConfig) -> TestEngine {
    let store = fresh_store(backend_from_env()).await;
    let engine = Engine::new(store.store(), config)
        .await
        .expect("engine opens");
    TestEngine {
        engine,
        _store: store,
    }
}

/// Imports a file the way `rapport import` does, collecting rejects.
pub async fn import(
    engine: &Engine,
    format: Format,
    path: &PathBuf,
) -> (IngestSummary, Vec<rapport_connectors::Reject>) {
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("data file opens"));
    let records = rapport_connectors::read_records(format, file);
    let mut rejects = Vec::new();
    let summary = engine
        .ingest_records(records, Arc::new(IngestProgress::default()), |r| {
            rejects.push(r.clone())
        })
        .await
        .expect("import runs");
    (summary, rejects)
}

/// A plain csv reader for the shared files. Records end at `\n` only: one twcs text holds a
/// bare `\r` (tweet 3399) and CRLF files leave a `\r` that callers trim.
pub fn csv_reader(path: &PathBuf) -> csv::Reader<std::fs::File> {
    csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .expect("csv opens")
}

/// Counts computed from a twcs file with the csv crate alone, independently of the importer
/// and the store: posts, authors, brand authors, and threads (connected components of the
/// reply graph, where a reply to a post missing from the file still joins its siblings).
#[derive(Debug, PartialEq)]
pub struct TwcsCounts {
    pub posts: u64,
    pub authors: u64,
    pub brands: u64,
    pub threads: u64,
}

pub fn twcs_counts(path: &PathBuf) -> TwcsCounts {
    use std::collections::{HashMap, HashSet};
    let mut rdr = csv_reader(path);
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_c, author_c, inbound_c, parent_c) = (
        col("tweet_id"),
        col("author_id"),
        col("inbound"),
        col("in_response_to_tweet_id"),
    );
    let mut parent_of: HashMap<String, String> = HashMap::new();
    let mut ids = HashSet::new();
    let mut authors = HashSet::new();
    let mut brands = HashSet::new();
    for row in rdr.records() {
        let row = row.unwrap();
        let id = row[id_c].to_string();
        authors.insert(row[author_c].to_lowercase());
        if &row[inbound_c] == "False" {
            brands.insert(row[author_c].to_lowercase());
        }
        let parent = row[parent_c]
            .trim_end_matches('\r')
            .trim_end_matches(".0")
            .to_string();
        if !parent.is_empty() {
            parent_of.insert(id.clone(), parent);
        }
        ids.insert(id);
    }
    // Union-find over ids and the parents they name.
    let mut uf: HashMap<String, String> = HashMap::new();
    fn find(uf: &mut HashMap<String, String>, x: &str) -> String {
        let p = uf.get(x).cloned().unwrap_or_else(|| x.to_string());
        if p == x {
            return p;
        }
        let r = find(uf, &p);
        uf.insert(x.to_string(), r.clone());
        r
    }
    for (child, parent) in &parent_of {
        let a = find(&mut uf, child);
        let b = find(&mut uf, parent);
        if a != b {
            uf.insert(a, b);
        }
    }
    let roots: HashSet<String> = ids.iter().map(|id| find(&mut uf, id)).collect();
    TwcsCounts {
        posts: ids.len() as u64,
        authors: authors.len() as u64,
        brands: brands.len() as u64,
        threads: roots.len() as u64,
    }
}
