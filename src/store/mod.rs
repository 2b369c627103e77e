//! The data layer: every query and transaction. Knows sea-orm and SQL, nothing of GraphQL.

pub mod api_keys;
pub mod availability;
pub mod brief;
pub mod cases;
pub mod catalogue;
pub mod catalogue_cache;
pub mod change_stream;
pub mod changes;
pub mod content_version;
pub mod directory;
pub mod entries;
pub mod idempotency;
pub mod journal;
pub mod records;
pub mod reference;
pub mod references;
pub mod related;
pub mod relations;
pub mod rollups;
pub mod search;
pub mod sql;
pub mod statistics;
pub mod trusted_documents;
pub mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::config::Config;
use crate::error::Result;

/// Rows a SQLite connection's worker thread may hand over before it waits for the reader.
///
/// sqlx runs each SQLite connection on its own thread and passes rows to the async reader
/// through a channel of this capacity (50 by default). A statement with more rows than that
/// (the organisations of a 20-case page are about 100) filled it, and from then on every row
/// cost two thread switches: the worker slept on the full channel, the reader took one row and
/// woke it, the worker preempted the reader to send one more. With room for a whole result
/// the worker runs the statement through and the reader drains it in one go. The channel
/// grows only as rows arrive, so the capacity is a bound, not an allocation.
const SQLITE_ROW_CHANNEL: usize = 4096;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    /// The pool: migrations, writes and transactions, and every statement of a store not
    /// bound to a request.
    db: DatabaseConnection,
    /// Where this store's reads run: the pool, or a read request's held connection.
    connection: sql::connection::Connection,
    observer: sql::connection::Observer,
    /// In-process content generation (see [`content_version`]): bumped after every write.
    generation: Arc<AtomicU64>,
    /// Collections and categories in memory (off unless [`Store::cache_catalogue`]).
    catalogue_cache: Arc<catalogue_cache::CatalogueCache>,
    /// Texts of the relation statements, by shape (see [`sql::statement::Shapes`]).
    shapes: Arc<sql::statement::Shapes>,
    /// Woken after every committed write through this store (see [`change_stream`]).
    changed: Arc<tokio::sync::Notify>,
    /// Whether the database answers (see [`availability`]).
    availability: Arc<availability::Availability>,
}

impl Store {
    /// Connects with the pool settings of `config` (WAL and a busy timeout on SQLite).
    pub async fn connect(config: &Config) -> Result<Self> {
        let mut options = ConnectOptions::new(config.database_url.clone());
        options
            .max_connections(config.pool_size())
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(config.acquire_timeout.unwrap_or(Duration::from_secs(10)))
            // A pooled connection is checked only after it sat idle: a check on every
            // checkout is one more round trip per statement (to SQLite's worker thread, or
            // to the PostgreSQL server), and hot connections are alive.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .row_buffer_size(SQLITE_ROW_CHANNEL)
            });
        let mut db = Database::connect(options).await?;
        // Every statement sea-orm runs passes here: tests and operators can see how many
        // statements a request costs (this store's counter, and `db_statements_total` with
        // `db_statement_duration_seconds` on /metrics).
        let observer = sql::connection::Observer::default();
        let recorder = observer.clone();
        db.set_metric_callback(move |info| recorder.observe(info.elapsed, info.failed, &info.statement.sql));
        Ok(Self {
            connection: sql::connection::Connection::Pool(db.clone()),
            db,
            observer,
            generation: Arc::new(AtomicU64::new(0)),
            catalogue_cache: Arc::new(catalogue_cache::CatalogueCache::default()),
            shapes: Arc::new(sql::statement::Shapes::default()),
            changed: Arc::new(tokio::sync::Notify::new()),
            availability: Arc::new(availability::Availability::default()),
        })
    }

    /// Keeps collections and categories in memory for up to `ttl` (see
    /// [`catalogue_cache`]); zero turns the cache off.
    #[must_use]
    pub fn cache_catalogue(mut self, ttl: Duration) -> Self {
        self.catalogue_cache = Arc::new(catalogue_cache::CatalogueCache::new(ttl));
        self
    }

    /// Applies every pending migration; a no-op on an up-to-date database.
    /// Computes the statistics rollups of a database that had cases before them.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.db, None).await?;
        let transaction = sea_orm::TransactionTrait::begin(&self.db).await?;
        if rollups::ensure(&transaction).await? {
            tracing::info!("computed the statistics rollups of the existing cases");
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Rolls back every migration (drops all tables).
    pub async fn migrate_down(&self) -> Result<()> {
        Migrator::down(&self.db, None).await?;
        Ok(())
    }

    /// This store for one read request: its statements run on one pooled connection, taken
    /// at the first of them and given back when the last clone of the returned store is
    /// dropped (see [`sql::connection`]). Only for reads: writes go through [`Store::pool`].
    #[must_use]
    pub fn for_read_request(&self) -> Self {
        let held = sql::connection::Held::new(self.db.clone(), self.observer.clone());
        Self { connection: sql::connection::Connection::Held(Arc::new(held)), ..self.clone() }
    }

    /// The connection reads run on, for the data layer's own modules.
    pub fn connection(&self) -> &sql::connection::Connection {
        &self.connection
    }

    /// Texts of the statements that read relations by ids, kept by shape.
    pub fn shapes(&self) -> &sql::statement::Shapes {
        &self.shapes
    }

    /// The pool, for writes and transactions.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.db
    }

    /// SQL statements run through this store (and every store cloned from the same
    /// connection) since it connected.
    pub fn statements_executed(&self) -> u64 {
        self.observer.count()
    }

    /// The in-process content generation: changes after every write through this store.
    pub fn local_generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Records that content changed (after the write committed): caches keyed by the
    /// generation miss from now on. Writers also bump the durable version in their
    /// transaction ([`content_version::bump_content_version`]).
    pub fn content_changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.changed.notify_one();
    }

    /// What [`Store::content_changed`] wakes: the change stream of this process.
    pub fn change_signal(&self) -> Arc<tokio::sync::Notify> {
        self.changed.clone()
    }

    /// Which database engine this is.
    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// Whether the database answers a trivial query within `timeout`; when it does not,
    /// requests are refused until it does again (see [`availability`]).
    pub async fn ping(&self, timeout: Duration) -> Result<()> {
        let answer = match tokio::time::timeout(timeout, self.db.ping()).await {
            Ok(answer) => answer,
            Err(_) => Err(sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout)),
        };
        if let Err(error) = &answer
            && crate::error::is_unreachable(error)
        {
            self.database_lost();
        }
        Ok(answer?)
    }

    /// Whether the database answered the last request: when it did not, requests are
    /// refused at once until a probe finds it back.
    pub fn is_available(&self) -> bool {
        self.availability.is_reachable()
    }

    /// Begins a bulk load: one transaction on one connection, rows by `COPY` on PostgreSQL
    /// (see [`sql::bulk::Load`]).
    pub async fn begin_load(&self) -> Result<sql::bulk::Load> {
        sql::bulk::Load::begin(&self.db, self.observer.clone()).await
    }

    /// Connections of the pool: (open, idle).
    pub fn pool_usage(&self) -> (u32, usize) {
        match self.backend() {
            DatabaseBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DatabaseBackend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        }
    }

    /// A request found the database unreachable.
    pub fn database_lost(&self) {
        self.availability.lost(&self.db);
    }

    /// Number of cases, whatever their status.
    pub async fn case_count(&self) -> Result<u64> {
        Ok(entity::case::Entity::find().count(&self.db).await?)
    }

    /// Closes the pool (waits for connections to return).
    pub async fn close(self) -> Result<()> {
        self.db.close().await?;
        Ok(())
    }
}
