//! `rapport import FORMAT FILE`: stream a file into the store with a progress bar, report what
//! happened, and keep every rejected record in a rejects file.

use super::{Ctx, print_json};
use crate::cli::ImportArgs;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rapport_connectors::{Format, Reject};
use rapport_engine::{Engine, IngestProgress, IngestSummary};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub async fn run(ctx: &Ctx, args: ImportArgs) -> Result<()> {
    let format: Format = args.format.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    // An import settles history unless asked not to; live sources never do (see
    // `EngineConfig::settle_history`).
    let engine = ctx
        .engine_with(rapport_engine::EngineConfig {
            settle_history: !args.open_history,
            ..ctx.engine_config()
        })
        .await?;
    let rejects_path = args
        .rejects
        .clone()
        .unwrap_or_else(|| default_rejects_path(&ctx.settings.data_dir, &args.file));
    let (summary, rejects) =
        import_file(&engine, format, &args.file, &rejects_path, !args.json).await?;
    if args.json {
        let mut value = serde_json::to_value(&summary)?;
        value["posts_per_sec"] = summary.posts_per_sec().round().into();
        value["rejects_file"] = rejects.as_ref().map(|p| p.display().to_string()).into();
        print_json(&value)
    } else {
        print_summary(&summary, rejects.as_deref());
        Ok(())
    }
}

fn default_rejects_path(data_dir: &Path, input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stdin".into());
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    data_dir
        .join("rejects")
        .join(format!("{stem}-{stamp}.ndjson"))
}

/// Imports one file; returns the summary and the rejects file, when anything was rejected.
pub async fn import_file(
    engine: &Engine,
    format: Format,
    file: &Path,
    rejects_path: &Path,
    show_progress: bool,
) -> Result<(IngestSummary, Option<PathBuf>)> {
    let (reader, len): (Box<dyn BufRead + Send>, u64) = if file == Path::new("-") {
        (Box::new(BufReader::new(std::io::stdin())), 0)
    } else {
        let f = File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        (Box::new(BufReader::with_capacity(1 << 16, f)), len)
    };
    let bar = if show_progress {
        ProgressBar::new(len)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
        )
        .expect("valid template"),
    );
    let reader = BufReader::with_capacity(1 << 16, bar.wrap_read(reader));
    let records = rapport_connectors::read_records(format, reader);

    let progress = Arc::new(IngestProgress::default());
    let ticker = spawn_ticker(bar.clone(), progress.clone());
    let mut writer = RejectWriter::new(rejects_path);
    let result = engine
        .ingest_records(records, progress, |r| writer.write(r))
        .await;
    ticker.abort();
    bar.finish_and_clear();
    let summary = result?;
    let rejects = writer.finish()?;
    Ok((summary, rejects))
}

/// Shows posts/s beside the byte progress.
fn spawn_ticker(bar: ProgressBar, progress: Arc<IngestProgress>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let stored = progress.stored.load(Ordering::Relaxed);
            let rate = stored as f64 / started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!("{stored} posts, {rate:.0} posts/s"));
        }
    })
}

/// Writes rejects as NDJSON (`{"line":..,"reason":..,"raw":..}`), creating the file only when
/// the first reject arrives. A failure to write is kept and reported at the end; it does not stop
/// the import.
struct RejectWriter {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    error: Option<std::io::Error>,
}

impl RejectWriter {
    fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            out: None,
            error: None,
        }
    }

    fn write(&mut self, reject: &Reject) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.try_write(reject) {
            self.error = Some(e);
        }
    }

    fn try_write(&mut self, reject: &Reject) -> std::io::Result<()> {
        if self.out.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            self.out = Some(BufWriter::new(File::create(&self.path)?));
        }
        let out = self.out.as_mut().expect("opened above");
        let line =
            serde_json::json!({"line": reject.line, "reason": reject.reason, "raw": reject.raw});
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")
    }

    fn finish(self) -> Result<Option<PathBuf>> {
        if let Some(e) = self.error {
            return Err(e)
                .with_context(|| format!("cannot write rejects to {}", self.path.display()));
        }
        match self.out {
            Some(mut out) => {
                out.flush()?;
                Ok(Some(self.path))
            }
            None => Ok(None),
        }
    }
}

fn print_summary(s: &IngestSummary, rejects: Option<&Path>) {
    println!(
        "imported {} posts, {} already present, {} rejected{} in {:.2}s ({:.0} posts/s)",
        s.imported,
        s.already_present,
        s.rejected,
        if s.skipped > 0 {
            format!(", {} skipped (not posts)", s.skipped)
        } else {
            String::new()
        },
        s.seconds,
        s.posts_per_sec()
    );
    println!(
        "{} mentions of own accounts, {} topic matches",
        s.mentions, s.matches
    );
    if s.settled_history > 0 {
        println!(
            "{} cases came in resolved: their conversations are older than the reopen window \
             (--open-history keeps them open)",
            s.settled_history
        );
    }
    if let Some(path) = rejects {
        println!(
            "rejected records (line, reason, raw) are in {}",
            path.display()
        );
    }
}
