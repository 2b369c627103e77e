//! Where a store's statements run: on the pool, a connection taken per statement, or on one
//! pooled connection held for the whole of a read request.
//!
//! sqlx gives a connection back to its pool through a spawned task that pings it first: on
//! SQLite a round trip to the connection's own thread, on PostgreSQL one to the server. Taken
//! per statement, a 20-case page paid that three times (its cases, their organisations, their
//! countries), and so did a case by slug. A read request (a GraphQL query) takes one
//! connection at its first statement and keeps it until it ends, so it pays one acquisition
//! and one ping whatever it reads; a request that reads nothing takes none. The statements of
//! one request then run one after the other, which on one connection they would anyway.
//!
//! Writes and transactions run on the pool ([`super::Store::pool`]); a held connection is for
//! the reads of one request, which never asks the pool for a second connection while it holds
//! one (requests therefore cannot starve each other of connections).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, AssertSqlSafe, Executor, Postgres, Sqlite};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use crate::telemetry;

/// Counts the statements a store runs and reports each to the metrics and the trace log.
#[derive(Clone, Debug, Default)]
pub struct Observer {
    statements: Arc<AtomicU64>,
}

impl Observer {
    /// Records one statement that took `elapsed`.
    pub fn observe(&self, elapsed: Duration, failed: bool, sql: &str) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        telemetry::metrics::record_statement(elapsed);
        tracing::trace!(target: "casegraph::sql", ?elapsed, failed, sql = %sql);
    }

    /// Statements recorded so far.
    pub fn count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

/// The connection a store's statements run on.
#[derive(Clone, Debug)]
pub enum Connection {
    /// A pooled connection per statement.
    Pool(DatabaseConnection),
    /// One pooled connection for every statement of a read request.
    Held(Arc<Held>),
}

impl Connection {
    /// The pool behind this connection.
    pub fn pool(&self) -> &DatabaseConnection {
        match self {
            Self::Pool(pool) => pool,
            Self::Held(held) => &held.pool,
        }
    }
}

/// A pooled connection taken at the first statement and given back when the last clone of
/// the store that holds it is dropped (the end of the request).
#[derive(Debug)]
pub struct Held {
    pool: DatabaseConnection,
    observer: Observer,
    slot: Mutex<Option<Pooled>>,
}

#[derive(Debug)]
enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Held {
    /// A connection of `pool`, not yet taken.
    pub fn new(pool: DatabaseConnection, observer: Observer) -> Self {
        Self { pool, observer, slot: Mutex::new(None) }
    }

    /// The held connection, taken from the pool now if no statement has run yet.
    async fn connection(&self) -> Result<MappedMutexGuard<'_, Pooled>, DbErr> {
        let mut slot = self.slot.lock().await;
        if slot.is_none() {
            *slot = Some(acquire(&self.pool).await?);
        }
        MutexGuard::try_map(slot, Option::as_mut)
            .map_err(|_| DbErr::Custom("the held connection was not taken".to_owned()))
    }

    /// Sends `data` (rows in COPY's text format) through `statement`, a `COPY … FROM STDIN`,
    /// on PostgreSQL; returns the number of rows copied.
    pub async fn copy_in(&self, statement: &str, data: &[u8]) -> Result<u64, DbErr> {
        let mut guard = self.connection().await?;
        let Pooled::Postgres(connection) = &mut *guard else {
            return Err(DbErr::Custom("COPY is PostgreSQL's".to_owned()));
        };
        let started = Instant::now();
        let result = async {
            let mut copy = connection.copy_in_raw(statement).await?;
            copy.send(data).await?;
            copy.finish().await
        }
        .await;
        self.finish(statement, started, result)
    }

    /// Closes the held connection instead of giving it back to the pool: it may be inside a
    /// transaction nobody will finish (the server rolls it back when the connection closes).
    pub fn discard(&self) {
        if let Ok(mut slot) = self.slot.try_lock()
            && let Some(pooled) = slot.take()
        {
            match pooled {
                Pooled::Sqlite(connection) => drop(connection.detach()),
                Pooled::Postgres(connection) => drop(connection.detach()),
            }
        }
    }

    /// Records a statement that started at `started` and converts its error.
    fn finish<T>(&self, sql: &str, started: Instant, result: Result<T, sqlx::Error>) -> Result<T, DbErr> {
        self.observer.observe(started.elapsed(), result.is_err(), sql);
        result.map_err(|error| DbErr::Query(RuntimeErr::SqlxError(Arc::new(error))))
    }
}

/// The values of `statement`, for sqlx.
fn values(statement: &Statement) -> SqlxValues {
    SqlxValues(statement.values.clone().unwrap_or(sea_orm::sea_query::Values(Vec::new())))
}

/// Takes a connection from `pool`; errors as sea-orm reports them for its own acquisitions.
async fn acquire(pool: &DatabaseConnection) -> Result<Pooled, DbErr> {
    let acquired = match pool.get_database_backend() {
        // Each engine's acquisition boxed on its own: they are large futures (kilobytes) that
        // run once per request; inline, they would make every statement's future as large
        // (and each of those is moved into a box of its size, see `on_held!`).
        DatabaseBackend::Sqlite => {
            Box::pin(pool.get_sqlite_connection_pool().acquire()).await.map(Pooled::Sqlite)
        }
        DatabaseBackend::Postgres => {
            Box::pin(pool.get_postgres_connection_pool().acquire()).await.map(Pooled::Postgres)
        }
        other => return Err(DbErr::Custom(format!("no held connections on {other:?}"))),
    };
    acquired.map_err(|error| match error {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        other => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(other))),
    })
}

/// Runs `$run`, an expression over `$query` (the statement bound for the engine) and
/// `$connection` (the held connection), on whichever engine the held connection is, and
/// records the statement. `$run` boxes its sqlx future: the `ConnectionTrait` methods are
/// boxed futures (`async_trait`), and a box is filled by copying the whole future, so the
/// two engines' sqlx futures inline made every statement copy kilobytes.
macro_rules! on_held {
    ($held:expr, $statement:expr, |$query:ident, $connection:ident| $run:expr) => {{
        let (held, statement): (&Held, &Statement) = ($held, $statement);
        let mut guard = held.connection().await?;
        let sql = AssertSqlSafe(statement.sql.as_str());
        let started = Instant::now();
        let result = match &mut *guard {
            Pooled::Sqlite($connection) => {
                let $query = sqlx::query_with(sql, values(statement));
                $run
            }
            Pooled::Postgres($connection) => {
                let $query = sqlx::query_with(sql, values(statement));
                $run
            }
        };
        held.finish(&statement.sql, started, result)
    }};
}

#[async_trait::async_trait]
impl ConnectionTrait for Connection {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.pool().get_database_backend()
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Self::Pool(pool) => pool.execute_raw(statement).await,
            Self::Held(held) => on_held!(held, &statement, |query, connection| {
                Box::pin(query.execute(&mut **connection)).await.map(Into::into)
            }),
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let held = match self {
            Self::Pool(pool) => return pool.execute_unprepared(sql).await,
            Self::Held(held) => held,
        };
        let mut connection = held.connection().await?;
        let started = Instant::now();
        let result = match &mut *connection {
            Pooled::Sqlite(connection) => {
                connection.execute(AssertSqlSafe(sql.to_owned())).await.map(Into::into)
            }
            Pooled::Postgres(connection) => {
                connection.execute(AssertSqlSafe(sql.to_owned())).await.map(Into::into)
            }
        };
        held.finish(sql, started, result)
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Self::Pool(pool) => pool.query_one_raw(statement).await,
            Self::Held(held) => on_held!(held, &statement, |query, connection| {
                Box::pin(query.fetch_optional(&mut **connection)).await.map(|row| row.map(Into::into))
            }),
        }
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Self::Pool(pool) => pool.query_all_raw(statement).await,
            Self::Held(held) => on_held!(held, &statement, |query, connection| {
                Box::pin(query.fetch_all(&mut **connection))
                    .await
                    .map(|rows| rows.into_iter().map(Into::into).collect())
            }),
        }
    }
}
