//! The connection pool (SQLite or PostgreSQL) and one way to run a statement on either.
//!
//! Statements are written once, with `$1, $2, …` placeholders, which both drivers bind by
//! number; sqlx keeps them prepared per connection.

use std::str::FromStr;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{FromRow, Postgres, SqlSafeStr, Sqlite};

/// A pool of connections to the database.
pub enum Db {
    /// `sqlite://…`: the file the GraphQL server serves (only read here).
    Sqlite(SqlitePool),
    /// `postgres://…` or `postgresql://…`.
    Postgres(PgPool),
}

/// One connection taken from the pool for the whole request.
pub enum Connection {
    /// A SQLite connection.
    Sqlite(PoolConnection<Sqlite>),
    /// A PostgreSQL connection.
    Postgres(PoolConnection<Postgres>),
}

/// A value bound to a placeholder.
#[derive(Clone, Copy, Debug)]
pub enum Bind<'a> {
    /// An id.
    Id(i64),
    /// A text.
    Text(&'a str),
}

impl Db {
    /// Opens a pool of at most `connections` connections to `url`.
    pub async fn connect(url: &str, connections: u32) -> Result<Self, sqlx::Error> {
        if url.starts_with("sqlite:") {
            // The GraphQL server's settings: SQLite's default page cache, the journal mode of
            // the file (WAL, set by the GraphQL server), and room for 4,096 rows between a
            // connection's thread and its reader (src/store/mod.rs, SQLITE_ROW_CHANNEL).
            let options = SqliteConnectOptions::from_str(url)?.row_buffer_size(4096);
            let pool = SqlitePoolOptions::new()
                .max_connections(connections)
                .min_connections(1)
                .connect_with(options)
                .await?;
            Ok(Self::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool =
                PgPoolOptions::new().max_connections(connections).min_connections(1).connect(url).await?;
            Ok(Self::Postgres(pool))
        } else {
            Err(sqlx::Error::Configuration("the database URL must start with sqlite: or postgres:".into()))
        }
    }

    /// Takes a connection from the pool.
    pub async fn acquire(&self) -> Result<Connection, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool) => Connection::Sqlite(pool.acquire().await?),
            Self::Postgres(pool) => Connection::Postgres(pool.acquire().await?),
        })
    }
}

impl Connection {
    /// Runs `sql` with `binds` for `$1, $2, …` and reads every row as a `T` (a tuple, by
    /// column position). Static statements pass as `&'static str`, built ones (IN lists) as
    /// `AssertSqlSafe(String)`: they hold placeholders only, never a value.
    pub async fn fetch<T>(&mut self, sql: impl SqlSafeStr, binds: &[Bind<'_>]) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        match self {
            Self::Sqlite(connection) => {
                let mut query = sqlx::query_as::<Sqlite, T>(sql);
                for bind in binds {
                    query = match *bind {
                        Bind::Id(id) => query.bind(id),
                        Bind::Text(text) => query.bind(text),
                    };
                }
                query.fetch_all(&mut **connection).await
            }
            Self::Postgres(connection) => {
                let mut query = sqlx::query_as::<Postgres, T>(sql);
                for bind in binds {
                    query = match *bind {
                        Bind::Id(id) => query.bind(id),
                        Bind::Text(text) => query.bind(text),
                    };
                }
                query.fetch_all(&mut **connection).await
            }
        }
    }
}

/// `$first, $first+1, …` for `count` values.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|number| format!("${number}")).collect::<Vec<_>>().join(", ")
}
