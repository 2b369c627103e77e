//! The one typed configuration, parsed at the edge from flags and environment variables.
//! Nothing else in Casegraph reads the environment.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The default of every budget and limit, stated once: the command line's defaults,
/// `ProtectionArgs::default()`, `Limits::default()`, the page sizes and the cost model read
/// these (and the README's tables repeat them; tests/api/cli.rs checks `--help`).
pub mod defaults {
    /// Points of an anonymous client's budget.
    pub const ANONYMOUS_BUDGET: f64 = 500.0;
    /// Points per second refilled into an anonymous client's budget.
    pub const ANONYMOUS_REFILL: f64 = 20.0;
    /// Points of the budget of a key that has none of its own.
    pub const KEY_BUDGET: f64 = 2_000.0;
    /// Points per second refilled into such a key's budget.
    pub const KEY_REFILL: f64 = 100.0;
    /// Seconds a verified key is trusted from memory.
    pub const KEY_CACHE_SECONDS: u64 = 5;
    /// Most requested cost of one operation.
    pub const MAX_COST: u64 = 1_000;
    /// Deepest field nesting.
    pub const MAX_DEPTH: u64 = 15;
    /// Most aliases in a document.
    pub const MAX_ALIASES: u64 = 30;
    /// Most directive uses in a document.
    pub const MAX_DIRECTIVES: u64 = 50;
    /// Longest query text, in characters.
    pub const MAX_QUERY_CHARS: usize = 20_000;
    /// Most operations in one batch.
    pub const MAX_BATCH: usize = 10;
    /// Largest request body, in bytes.
    pub const MAX_BODY_BYTES: usize = 1024 * 1024;
    /// Longest execution of one request, in seconds.
    pub const TIMEOUT_SECONDS: f64 = 10.0;
    /// Largest `first`/`last` of a connection.
    pub const MAX_PAGE: u64 = 100;
    /// Page size of a connection without `first`/`last`.
    pub const PAGE: u64 = 20;
    /// Seconds shared caches may keep an anonymous GET answer.
    pub const CACHE_MAX_AGE: u64 = 30;
    /// Seconds a cache may serve a stale answer while it revalidates.
    pub const CACHE_STALE_WHILE_REVALIDATE: u64 = 60;
    /// Days the change feed keeps its events.
    pub const CHANGE_RETENTION_DAYS: u64 = 90;
    /// Longest wait for in-flight requests after SIGTERM, in seconds.
    pub const DRAIN_SECONDS: u64 = 25;
    /// Waits after each failed webhook attempt, in seconds: the Standard Webhooks schedule.
    pub const WEBHOOK_RETRY_SECONDS: [f64; 7] = [5.0, 300.0, 1_800.0, 7_200.0, 18_000.0, 36_000.0, 36_000.0];

    /// `n` with a comma between thousands, as the README and the schema write numbers.
    pub fn thousands(n: u64) -> String {
        let digits = n.to_string();
        let mut written = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                written.push(',');
            }
            written.push(digit);
        }
        written
    }

    /// A size in bytes as the README and the schema write it: `1 MiB`, `64 KiB`, `100 bytes`.
    pub fn bytes(n: u64) -> String {
        match n {
            n if n >= 1 << 20 && n.is_multiple_of(1 << 20) => format!("{} MiB", thousands(n >> 20)),
            n if n >= 1 << 10 && n.is_multiple_of(1 << 10) => format!("{} KiB", thousands(n >> 10)),
            n => format!("{} bytes", thousands(n)),
        }
    }
}

/// Default database: a SQLite file in the working directory, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://casegraph.db?mode=rwc";

/// Command line of the `casegraph` binary.
#[derive(Debug, Parser)]
#[command(
    name = "casegraph",
    version,
    about = "GraphQL API for the WIC Cross-Border E-Commerce Practice Case Collections",
    long_about = "GraphQL API for the World Internet Conference Cross-Border E-Commerce Practice \
                  Case Collections. Without a command, `casegraph` serves the API (same as \
                  `casegraph serve`). Every command migrates the database first.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    /// Serve options when no command is given.
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings shared by every command.
#[derive(Clone, Args)]
pub struct Config {
    /// Database to use: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Most database connections in the pool [default: 4 on SQLite, 16 on PostgreSQL].
    /// Each SQLite connection is a thread of its own running statements in-process, so more
    /// than a few per core only adds thread switches; PostgreSQL's connections wait on the
    /// network and the server, so more of them overlap.
    #[arg(long, env = "CASEGRAPH_DATABASE_CONNECTIONS", global = true, value_name = "N")]
    pub database_connections: Option<u32>,

    /// Log filter, in `tracing` env-filter syntax (e.g. `info`, `casegraph=debug,warn`).
    #[arg(long, env = "CASEGRAPH_LOG", default_value = "info", global = true)]
    pub log_level: String,

    /// Log line format.
    #[arg(long, env = "CASEGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    /// OpenTelemetry collector to send traces to over OTLP/HTTP (e.g. `http://127.0.0.1:4318`;
    /// `/v1/traces` is appended). Needs a build with `--features otel`; ignored otherwise.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", value_name = "URL", global = true)]
    pub otlp_endpoint: Option<String>,

    /// Longest wait for a pooled database connection (`serve` sets it to the request time
    /// limit when that is longer than the 10 s default).
    #[arg(skip)]
    pub acquire_timeout: Option<std::time::Duration>,
}

impl Config {
    /// A configuration for `database_url` with every other setting at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            database_connections: None,
            log_level: "info".to_owned(),
            log_format: LogFormat::Pretty,
            otlp_endpoint: None,
            acquire_timeout: None,
        }
    }

    /// Connections in the pool: `--database-connections`, or the engine's default.
    pub fn pool_size(&self) -> u32 {
        match self.database_connections {
            Some(connections) => connections.max(1),
            None if self.database_url.starts_with("sqlite") => 4,
            None => 16,
        }
    }

    /// The database URL with any password replaced by `***`, safe to log.
    pub fn redacted_database_url(&self) -> String {
        redact_url(&self.database_url)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Config")
            .field("database_url", &self.redacted_database_url())
            .field("database_connections", &self.database_connections)
            .field("log_level", &self.log_level)
            .field("log_format", &self.log_format)
            .field("otlp_endpoint", &self.otlp_endpoint.as_deref().map(redact_url))
            .finish()
    }
}

fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable, coloured when the output is a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// What `casegraph` does.
#[derive(Debug, Subcommand)]
// Parsed once at start-up and matched once: boxing the large variant would save nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Serve the GraphQL API (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations (or roll them back) and exit.
    Migrate(MigrateArgs),
    /// Generate clearly-marked synthetic cases for demos, tests and benchmarks.
    Seed(SeedArgs),
    /// Import content from a JSON export or a CSV file of cases (one transaction).
    Import(ImportArgs),
    /// Export all content as JSON (the import format).
    Export(ExportArgs),
    /// Print the GraphQL schema (SDL), or write it to a file.
    ExportSchema(ExportSchemaArgs),
    /// Manage partner API keys (only a digest of each key is stored).
    Keys(KeysArgs),
    /// Manage webhooks (endpoints that receive change events, signed).
    Webhooks(WebhooksArgs),
    /// Manage trusted documents (operations registered from clients' manifests).
    Documents(DocumentsArgs),
    /// Recompute the statistics rollups from the cases and report every difference
    /// (exit status 1 when there is one).
    Verify(VerifyArgs),
}

/// Options of `casegraph verify`.
#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// How many differences to print at most.
    #[arg(long, default_value_t = 50)]
    pub show: u64,
}

/// Options of `casegraph documents`.
#[derive(Clone, Debug, Args)]
pub struct DocumentsArgs {
    #[command(subcommand)]
    pub command: DocumentsCommand,
}

/// What `casegraph documents` does.
#[derive(Clone, Debug, Subcommand)]
pub enum DocumentsCommand {
    /// Register the operations of a manifest (Apollo's persisted query manifest, or
    /// GraphQL Codegen's persisted documents): all or none.
    Add(DocumentsAddArgs),
    /// List registered documents: hash, client, name.
    List,
    /// Remove a document by hash, or every document of a client.
    Remove(DocumentsRemoveArgs),
}

/// Options of `casegraph documents add`.
#[derive(Clone, Debug, Args)]
pub struct DocumentsAddArgs {
    /// The manifest file.
    pub file: std::path::PathBuf,
    /// The client the operations belong to (e.g. `ios-app`).
    #[arg(long)]
    pub client: Option<String>,
}

/// Options of `casegraph documents remove`.
#[derive(Clone, Debug, Args)]
pub struct DocumentsRemoveArgs {
    /// The document's hash.
    pub hash: Option<String>,
    /// Every document of this client.
    #[arg(long)]
    pub client: Option<String>,
}

/// Options of `casegraph webhooks`.
#[derive(Clone, Debug, Args)]
pub struct WebhooksArgs {
    #[command(subcommand)]
    pub command: WebhooksCommand,
}

/// What `casegraph webhooks` does.
#[derive(Clone, Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Create a webhook and print its signing secret once (on standard output).
    Create(WebhookCreateArgs),
    /// List webhooks: id, status, events, URL. Never shows a secret.
    List,
    /// Delete a webhook and its deliveries, by id.
    Delete(WebhookDeleteArgs),
    /// List the latest deliveries (of one webhook with --webhook), newest first.
    Deliveries(WebhookDeliveriesArgs),
}

/// Options of `casegraph webhooks create`.
#[derive(Clone, Debug, Args)]
pub struct WebhookCreateArgs {
    /// Where to post events: an https:// URL.
    #[arg(long)]
    pub url: String,
    /// Comma-separated kinds to send (created, updated, removed); all when absent.
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<String>,
    /// Comma-separated subject types (case, organisation, follow-up-action, collection,
    /// category); all when absent.
    #[arg(long, value_delimiter = ',')]
    pub subjects: Vec<String>,
    /// Send drafts' events too (as a `read:drafts` reader sees them).
    #[arg(long)]
    pub include_drafts: bool,
    /// What the webhook is for.
    #[arg(long)]
    pub description: Option<String>,
    /// Allow an endpoint on a loopback or private address (local tests).
    #[arg(long)]
    pub allow_private_targets: bool,
}

/// Options of `casegraph webhooks delete`.
#[derive(Clone, Debug, Args)]
pub struct WebhookDeleteArgs {
    /// The webhook's numeric id (see `webhooks list`).
    pub id: i64,
}

/// Options of `casegraph webhooks deliveries`.
#[derive(Clone, Debug, Args)]
pub struct WebhookDeliveriesArgs {
    /// Only this webhook's (numeric id).
    #[arg(long)]
    pub webhook: Option<i64>,
    /// How many, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: u64,
}

/// Options of `casegraph keys`.
#[derive(Clone, Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// What `casegraph keys` does.
#[derive(Clone, Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it once (on standard output; the rest goes to standard error).
    Create(KeyCreateArgs),
    /// List keys: id, prefix, name, scopes, budget, status. Never shows a key.
    List,
    /// Revoke a key by its prefix (`cg_xxxxxxxx`), the whole key, or its id.
    Revoke(KeyRevokeArgs),
}

/// Options of `casegraph keys create`.
#[derive(Clone, Debug, Args)]
pub struct KeyCreateArgs {
    /// Who the key is for.
    #[arg(long)]
    pub name: String,
    /// Comma-separated scopes: read, read:drafts, write, admin.
    #[arg(long, default_value = "read")]
    pub scopes: String,
    /// Cost budget of the key in points (the bucket size); the server default when absent.
    #[arg(long, value_name = "POINTS")]
    pub budget: Option<f64>,
    /// Budget refill in points per second; the server default when absent.
    #[arg(long, value_name = "POINTS_PER_S")]
    pub refill: Option<f64>,
}

/// Options of `casegraph keys revoke`.
#[derive(Clone, Debug, Args)]
pub struct KeyRevokeArgs {
    /// The key's prefix (`cg_xxxxxxxx`), the whole key, or its numeric id.
    pub key: String,
}

/// Options of `casegraph serve`.
#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CASEGRAPH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Do not create the small synthetic sample set on an empty database.
    #[arg(long, env = "CASEGRAPH_NO_SAMPLES")]
    pub no_samples: bool,

    /// How long collections and categories are served from memory before they are read
    /// again, in seconds: an import by another process shows within this time (0: read them
    /// on every request).
    #[arg(long, env = "CASEGRAPH_CATALOGUE_CACHE_SECONDS", default_value_t = 5, value_name = "SECONDS")]
    pub catalogue_cache_seconds: u64,

    /// Serve `/metrics` on this address only (not on `--bind`), so it need not be public.
    #[arg(long, env = "CASEGRAPH_METRICS_BIND", value_name = "ADDR")]
    pub metrics_bind: Option<SocketAddr>,

    /// How long the change feed keeps its events, in days: a cursor older than this is
    /// `CURSOR_EXPIRED` (resync from a full listing).
    #[arg(
        long,
        env = "CASEGRAPH_CHANGE_RETENTION_DAYS",
        default_value_t = defaults::CHANGE_RETENTION_DAYS,
        value_name = "DAYS"
    )]
    pub change_retention_days: u64,

    /// After SIGTERM (or Ctrl-C): the server stops accepting connections, `/readyz` answers
    /// 503, WebSockets are closed (1001), and requests in flight are given this many seconds
    /// to finish before the process exits anyway.
    #[arg(long, env = "CASEGRAPH_DRAIN_SECONDS", default_value_t = defaults::DRAIN_SECONDS, value_name = "SECONDS")]
    pub drain_seconds: u64,

    /// How long shared caches (CDNs, proxies) and browsers may reuse an anonymous GET
    /// answer, in seconds (`Cache-Control: public, max-age`; 0: revalidate every time).
    #[arg(long, env = "CASEGRAPH_CACHE_MAX_AGE", default_value_t = defaults::CACHE_MAX_AGE, value_name = "SECONDS")]
    pub cache_max_age: u64,

    /// How long after `max-age` a cache may still serve an answer while it revalidates, in
    /// seconds (`stale-while-revalidate`).
    #[arg(
        long,
        env = "CASEGRAPH_CACHE_STALE_WHILE_REVALIDATE",
        default_value_t = defaults::CACHE_STALE_WHILE_REVALIDATE,
        value_name = "SECONDS"
    )]
    pub cache_stale_while_revalidate: u64,

    /// Let webhooks post to loopback, private and link-local addresses, and over plain
    /// http:// (for local tests only: it opens the server's network to webhook URLs).
    #[arg(long, env = "CASEGRAPH_WEBHOOK_ALLOW_PRIVATE_TARGETS")]
    pub webhook_allow_private_targets: bool,

    /// Seconds to wait after each failed webhook attempt (comma-separated, each ±20 %);
    /// after the last, the delivery is given up. The default is the Standard Webhooks
    /// schedule (about a day).
    #[arg(
        long,
        env = "CASEGRAPH_WEBHOOK_RETRY_SECONDS",
        value_delimiter = ',',
        default_values_t = defaults::WEBHOOK_RETRY_SECONDS,
        value_name = "SECONDS,…"
    )]
    pub webhook_retry_seconds: Vec<f64>,

    /// Access, budgets and limits.
    #[command(flatten)]
    pub protection: ProtectionArgs,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            no_samples: false,
            catalogue_cache_seconds: 5,
            metrics_bind: None,
            change_retention_days: defaults::CHANGE_RETENTION_DAYS,
            drain_seconds: defaults::DRAIN_SECONDS,
            webhook_allow_private_targets: false,
            cache_max_age: defaults::CACHE_MAX_AGE,
            cache_stale_while_revalidate: defaults::CACHE_STALE_WHILE_REVALIDATE,
            webhook_retry_seconds: defaults::WEBHOOK_RETRY_SECONDS.to_vec(),
            protection: ProtectionArgs::default(),
        }
    }
}

/// What registered documents are to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrustedDocuments {
    /// Not used.
    Off,
    /// Run by hash, beside any other operation.
    Allow,
    /// The only operations callers other than `admin` keys may run.
    Require,
}

/// On or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    /// Whether it is on.
    pub fn is_on(self) -> bool {
        self == Self::On
    }
}

/// Who may call, with what budget, within which limits (`casegraph serve`).
#[derive(Clone, Debug, Args)]
pub struct ProtectionArgs {
    /// Anonymous reads of published content (`off`: every request needs an API key).
    #[arg(long, env = "CASEGRAPH_ANONYMOUS", value_enum, default_value_t = Switch::On)]
    pub anonymous: Switch,

    /// Cost budget of each anonymous client (per IP address), in points.
    #[arg(long, env = "CASEGRAPH_ANONYMOUS_BUDGET", default_value_t = defaults::ANONYMOUS_BUDGET, value_name = "POINTS")]
    pub anonymous_budget: f64,

    /// Refill of an anonymous client's budget, in points per second.
    #[arg(long, env = "CASEGRAPH_ANONYMOUS_REFILL", default_value_t = defaults::ANONYMOUS_REFILL, value_name = "POINTS_PER_S")]
    pub anonymous_refill: f64,

    /// Cost budget of an API key that has none of its own, in points.
    #[arg(long, env = "CASEGRAPH_KEY_BUDGET", default_value_t = defaults::KEY_BUDGET, value_name = "POINTS")]
    pub key_budget: f64,

    /// Refill of such a key's budget, in points per second.
    #[arg(long, env = "CASEGRAPH_KEY_REFILL", default_value_t = defaults::KEY_REFILL, value_name = "POINTS_PER_S")]
    pub key_refill: f64,

    /// How long a verified API key is trusted without asking the database again, in
    /// seconds: a revoked key stops working within this time on every server (0: ask on
    /// every request).
    #[arg(long, env = "CASEGRAPH_KEY_CACHE_SECONDS", default_value_t = defaults::KEY_CACHE_SECONDS, value_name = "SECONDS")]
    pub key_cache_seconds: u64,

    /// Keep budgets in this Redis (shared by every replica using it) instead of in memory.
    #[arg(long, env = "REDIS_URL", value_name = "URL")]
    pub redis_url: Option<String>,

    /// Registered documents (`casegraph documents add`): `off` ignores them, `allow` runs
    /// them by hash besides any other operation, `require` lets only `admin` keys run
    /// anything else.
    #[arg(long, env = "CASEGRAPH_TRUSTED_DOCUMENTS", value_enum, default_value = "allow")]
    pub trusted_documents: TrustedDocuments,

    /// Proxies (CIDR blocks or addresses, comma-separated) whose `Forwarded` or
    /// `X-Forwarded-For` headers name the client, for anonymous budgets; without them every
    /// client is the connection's peer.
    #[arg(long, env = "CASEGRAPH_TRUSTED_PROXIES", value_delimiter = ',', value_name = "CIDR,…")]
    pub trusted_proxies: Vec<String>,

    /// Most requested cost of one operation.
    #[arg(long, env = "CASEGRAPH_MAX_COST", default_value_t = defaults::MAX_COST)]
    pub max_cost: u64,

    /// Deepest field nesting.
    #[arg(long, env = "CASEGRAPH_MAX_DEPTH", default_value_t = defaults::MAX_DEPTH)]
    pub max_depth: u64,

    /// Most aliases in a document.
    #[arg(long, env = "CASEGRAPH_MAX_ALIASES", default_value_t = defaults::MAX_ALIASES)]
    pub max_aliases: u64,

    /// Most directive uses in a document.
    #[arg(long, env = "CASEGRAPH_MAX_DIRECTIVES", default_value_t = defaults::MAX_DIRECTIVES)]
    pub max_directives: u64,

    /// Longest query text, in characters.
    #[arg(long, env = "CASEGRAPH_MAX_QUERY_CHARS", default_value_t = defaults::MAX_QUERY_CHARS)]
    pub max_query_chars: usize,

    /// Most operations in one batch.
    #[arg(long, env = "CASEGRAPH_MAX_BATCH", default_value_t = defaults::MAX_BATCH)]
    pub max_batch: usize,

    /// Largest request body, in bytes (HTTP 413 above).
    #[arg(long, env = "CASEGRAPH_MAX_BODY_BYTES", default_value_t = defaults::MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Longest execution of one request, in seconds (`TIMEOUT` after).
    #[arg(long, env = "CASEGRAPH_TIMEOUT", default_value_t = defaults::TIMEOUT_SECONDS, value_name = "SECONDS")]
    pub timeout: f64,

    /// Largest `first`/`last` of a connection.
    #[arg(long, env = "CASEGRAPH_MAX_PAGE", default_value_t = defaults::MAX_PAGE)]
    pub max_page: u64,

    /// Schema introspection (`off` also turns off field suggestions in error messages).
    #[arg(long, env = "CASEGRAPH_INTROSPECTION", value_enum, default_value_t = Switch::On)]
    pub introspection: Switch,

    /// An origin browsers may call the API from (repeatable); none by default.
    #[arg(
        long = "cors-origin",
        env = "CASEGRAPH_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub cors_origins: Vec<String>,
}

impl Default for ProtectionArgs {
    fn default() -> Self {
        Self {
            anonymous: Switch::On,
            anonymous_budget: defaults::ANONYMOUS_BUDGET,
            anonymous_refill: defaults::ANONYMOUS_REFILL,
            key_budget: defaults::KEY_BUDGET,
            key_refill: defaults::KEY_REFILL,
            key_cache_seconds: defaults::KEY_CACHE_SECONDS,
            redis_url: None,
            trusted_proxies: Vec::new(),
            trusted_documents: TrustedDocuments::Allow,
            max_cost: defaults::MAX_COST,
            max_depth: defaults::MAX_DEPTH,
            max_aliases: defaults::MAX_ALIASES,
            max_directives: defaults::MAX_DIRECTIVES,
            max_query_chars: defaults::MAX_QUERY_CHARS,
            max_batch: defaults::MAX_BATCH,
            max_body_bytes: defaults::MAX_BODY_BYTES,
            timeout: defaults::TIMEOUT_SECONDS,
            max_page: defaults::MAX_PAGE,
            introspection: Switch::On,
            cors_origins: Vec::new(),
        }
    }
}

/// Options of `casegraph migrate`.
#[derive(Clone, Debug, Args)]
pub struct MigrateArgs {
    /// Roll back every migration instead (destroys all data).
    #[arg(long)]
    pub down: bool,
}

/// Options of `casegraph seed`.
#[derive(Clone, Debug, Args)]
pub struct SeedArgs {
    /// Number of synthetic cases to create.
    #[arg(long, value_name = "N")]
    pub synthetic: u64,

    /// Random seed: the same seed and N give the same data.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
}

/// Options of `casegraph import`.
#[derive(Clone, Debug, Args)]
pub struct ImportArgs {
    /// File to import (`.json` export format or `.csv` cases).
    pub file: PathBuf,

    /// Format of the file; by default taken from its extension.
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
}

/// File formats `casegraph import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// The JSON document `casegraph export` writes (see schemas/casegraph-export.schema.json).
    Json,
    /// One case per row (see docs/import-format.md for the columns).
    Csv,
}

/// Options of `casegraph export`.
#[derive(Clone, Debug, Args)]
pub struct ExportArgs {
    /// File to write.
    pub file: PathBuf,
}

/// Options of `casegraph export-schema`.
#[derive(Clone, Debug, Args)]
pub struct ExportSchemaArgs {
    /// File to write; standard output when absent.
    pub file: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, ServeArgs, redact_url};

    /// Tests start apps "as shipped" from `ServeArgs::default()`: it must be what the command
    /// line gives when no option is passed.
    #[test]
    fn the_default_serve_arguments_are_the_command_line_defaults() {
        let mut parsed = Cli::try_parse_from(["casegraph"]).expect("no arguments parse").serve;
        // The one setting a machine's environment commonly carries.
        parsed.protection.redis_url = None;
        assert_eq!(format!("{parsed:?}"), format!("{:?}", ServeArgs::default()));
    }

    /// The README states each default of `config::defaults` as the server applies it: the
    /// default column of the limits table, and the page sizes in the prose.
    #[test]
    fn the_readme_states_the_defaults() {
        use super::defaults::*;
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
        let prose = readme.split_whitespace().collect::<Vec<_>>().join(" ");
        let row = |flag: &str| -> String {
            readme
                .lines()
                .find(|line| {
                    line.starts_with('|') && line.split('|').nth(2).is_some_and(|cell| cell.contains(flag))
                })
                .and_then(|line| line.trim_end_matches('|').rsplit('|').next())
                .map(|cell| cell.trim().to_owned())
                .unwrap_or_else(|| panic!("README: no row of the limits table for {flag}"))
        };
        let expected = [
            (
                "`--anonymous-budget`",
                format!("{} points, {ANONYMOUS_REFILL}/s", thousands(ANONYMOUS_BUDGET as u64)),
            ),
            ("`--key-budget`", format!("{} points, {KEY_REFILL}/s", thousands(KEY_BUDGET as u64))),
            ("`--key-cache-seconds`", format!("{KEY_CACHE_SECONDS} s ")),
            ("`--change-retention-days`", format!("{CHANGE_RETENTION_DAYS} days")),
            ("`--max-cost`", thousands(MAX_COST)),
            ("`--max-depth`", format!("{MAX_DEPTH} / {MAX_ALIASES} / {MAX_DIRECTIVES}")),
            ("`--max-query-chars`", format!("{} characters", thousands(MAX_QUERY_CHARS as u64))),
            ("`--max-batch`", format!("{MAX_BATCH} operations")),
            ("`--max-body-bytes`", format!("{} ", bytes(MAX_BODY_BYTES as u64))),
            ("`--timeout SECONDS`", format!("{TIMEOUT_SECONDS} s ")),
            ("`--max-page`", format!("{MAX_PAGE} (`first`/`last`; {PAGE} when neither is given)")),
        ];
        for (flag, default) in expected {
            let cell = row(flag);
            assert!(
                cell.starts_with(&default),
                "README, {flag}: the default is {default:?}, the table says {cell:?}"
            );
        }
        for sentence in [
            format!("`first`/`last` default {PAGE}, at most {MAX_PAGE};"),
            format!("(default: the page size in the table above, {PAGE})"),
        ] {
            assert!(prose.contains(&sentence), "README: expected {sentence:?}");
        }
    }

    #[test]
    fn numbers_are_written_as_the_readme_writes_them() {
        use super::defaults::{bytes, thousands};
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(bytes(1024 * 1024), "1 MiB");
        assert_eq!(bytes(64 * 1024), "64 KiB");
        assert_eq!(bytes(1000), "1,000 bytes");
    }

    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/casegraph"),
            "postgres://app:***@db:5432/casegraph"
        );
        assert_eq!(redact_url("sqlite://casegraph.db?mode=rwc"), "sqlite://casegraph.db?mode=rwc");
    }
}
