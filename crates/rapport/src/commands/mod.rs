//! One module per command; each turns arguments into engine calls and prints the answer.

mod admin;
mod bench;
mod channels;
mod config;
mod demo;
mod import;
mod listen;
mod nlp;
mod own;
mod publish;
mod report;
mod report_listening;
mod search;
mod serve;
mod topics;

use crate::cli::{Cli, Command};
use crate::settings::Settings;
use anyhow::{Context, Result};
use rapport_engine::{Engine, EngineConfig};
use std::sync::Arc;

/// Settings with the command line applied, and the ways to open what they describe.
pub struct Ctx {
    pub settings: Settings,
    /// Whether the command makes a workspace when there is none (import, demo, serve, admin,
    /// bench). The others read one: run where there is none, they say so instead of making an
    /// empty one and answering from it as if nothing matched.
    creates_workspace: bool,
}

impl Ctx {
    fn new(cli: &Cli) -> Result<Self> {
        let mut settings = Settings::load(cli.config.as_deref())?;
        if let Some(dir) = &cli.data_dir {
            settings.data_dir = dir.clone();
        }
        if let Some(url) = &cli.database_url {
            settings.database_url = url.clone();
        }
        let creates_workspace = matches!(
            cli.command,
            Command::Demo(_)
                | Command::Import(_)
                | Command::Serve(_)
                | Command::Admin(_)
                | Command::Bench(_)
                | Command::Channels(_)
        );
        Ok(Self {
            settings,
            creates_workspace,
        })
    }

    pub async fn store(&self) -> Result<Arc<dyn rapport_store::Store>> {
        let url = self.settings.database_url();
        let db = self.settings.data_dir.join("rapport.db");
        if self.settings.database_url.is_empty() && !self.creates_workspace && !db.exists() {
            anyhow::bail!(
                "no Rapport workspace in {} (there is no rapport.db): run this where `rapport import` \
                 or `rapport demo` made one, or give --data-dir or --database-url",
                self.settings.data_dir.display()
            );
        }
        let embedded = self.settings.database_url.is_empty();
        if embedded {
            private_dir(&self.settings.data_dir)?;
            // SQLite gives the WAL and shared-memory files it creates the database file's
            // mode, so the file is made before SQLite opens it (an empty file is an empty
            // database), and files from before this rule are made private too.
            private_file(&db)?;
            for extra in ["rapport.db-wal", "rapport.db-shm"] {
                let path = self.settings.data_dir.join(extra);
                if path.exists() {
                    set_mode(&path, 0o600)?;
                }
            }
        }
        rapport_store::open(&url)
            .await
            .with_context(|| format!("cannot open the store at {}", redact_url(&url)))
    }

    pub async fn engine(&self) -> Result<Engine> {
        self.engine_with_deadline(None).await
    }

    /// The engine, with searches stopped after `query_deadline` (the server's setting).
    pub async fn engine_with_deadline(
        &self,
        query_deadline: Option<std::time::Duration>,
    ) -> Result<Engine> {
        self.engine_with(EngineConfig {
            query_deadline,
            ..self.engine_config()
        })
        .await
    }

    /// The engine configuration the settings describe.
    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            own_accounts: self.settings.own_accounts.pairs(),
            batch_size: self.settings.ingest.batch_size,
            skip_classification: !self.settings.ingest.classify,
            ..EngineConfig::default()
        }
    }

    pub async fn engine_with(&self, config: EngineConfig) -> Result<Engine> {
        let store = self.store().await?;
        Ok(Engine::new(store, config).await?)
    }
}

/// Creates `dir` readable by its owner only (posts, contacts and rejected records are personal
/// data); a directory that exists already is left as its owner set it.
pub(crate) fn private_dir(dir: &std::path::Path) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    set_mode(dir, 0o700)
}

/// Creates `file` if it is missing, readable and writable by its owner only.
fn private_file(file: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("cannot create {}", file.display()))?;
    set_mode(file, 0o600)
}

fn set_mode(path: &std::path::Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot make {} private to its owner", path.display()))
}

/// A database URL fit to print: any password is masked.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(&cli)?;
    init_tracing(&ctx.settings.log);
    match cli.command {
        Command::Demo(args) => demo::run(&ctx, args).await,
        Command::Import(args) => import::run(&ctx, args).await,
        Command::Topics(cmd) => topics::run(&ctx, cmd).await,
        Command::Search(args) => search::search(&ctx, args).await,
        Command::Stats(flag) => search::stats(&ctx, flag.json).await,
        Command::Report(cmd) => report::run(&ctx, cmd).await,
        Command::Own(cmd) => own::run(&ctx, cmd).await,
        Command::Serve(args) => serve::run(&ctx, args).await,
        Command::Bench(cmd) => bench::run(&ctx, cmd).await,
        Command::Config(cmd) => config::run(&ctx, cmd),
        Command::Train(cmd) => nlp::train(cmd),
        Command::Eval(cmd) => nlp::eval(cmd),
        Command::Classify(args) => nlp::classify(args),
        Command::Admin(cmd) => admin::run(&ctx, cmd).await,
        Command::Channels(cmd) => channels::run(&ctx, cmd).await,
        Command::Listen => listen::run(&ctx).await,
        Command::Publish => publish::run(&ctx).await,
    }
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The shared data directory: `../shared/data` from the working directory or one above it.
pub fn shared_data() -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|dir| dir.join("../shared/data"))
        .find(|candidate| candidate.is_dir())
}

/// Prints one JSON object on standard output.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/rapport"),
            "postgres://app:****@db:5432/rapport"
        );
        assert_eq!(
            redact_url("postgres://app@db/rapport"),
            "postgres://app@db/rapport"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
