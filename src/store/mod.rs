//! The data layer: every query and transaction. Knows sea-orm and SQL, nothing of GraphQL.

pub mod bulk;
pub mod catalogue;
pub mod exchange;
pub mod reference;
pub mod synthetic;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::config::Config;
use crate::error::Result;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects with the pool settings of `config` (WAL and a busy timeout on SQLite).
    pub async fn connect(config: &Config) -> Result<Self> {
        let mut options = ConnectOptions::new(config.database_url.clone());
        options
            .max_connections(config.database_connections.max(1))
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        let db = Database::connect(options).await?;
        Ok(Self { db })
    }

    /// Applies every pending migration; a no-op on an up-to-date database.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Rolls back every migration (drops all tables).
    pub async fn migrate_down(&self) -> Result<()> {
        Migrator::down(&self.db, None).await?;
        Ok(())
    }

    /// The underlying connection, for the data layer's own modules.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Which database engine this is.
    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
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
