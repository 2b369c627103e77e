//! A covering index of `case_tally`: a distinct count (organisations, follow-up actions)
//! reads every key of one scope and dimension with its count, and with the count in the
//! index it never visits the table (PostgreSQL, 1,000,000 cases: the distinct organisations
//! of the published cases in 102 ms instead of 448 ms). PostgreSQL carries the count as an
//! `INCLUDE` column; SQLite, without `INCLUDE`, as the index's last column.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        let sql = match connection.get_database_backend() {
            DatabaseBackend::Postgres => {
                "CREATE INDEX IF NOT EXISTS ix_case_tally_covering \
                 ON case_tally (scope, scope_key, dimension, status, tally_key) INCLUDE (tally)"
            }
            _ => {
                "CREATE INDEX IF NOT EXISTS ix_case_tally_covering \
                 ON case_tally (scope, scope_key, dimension, status, tally_key, tally)"
            }
        };
        connection.execute_unprepared(sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX IF EXISTS ix_case_tally_covering").await?;
        Ok(())
    }
}
