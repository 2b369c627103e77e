//! SQLite only: the case full-text index gains a `status` column (one token: the case's
//! status in lower case), so a search restricted to the statuses a caller may see is pure
//! index work. Counting a broad search's matches, and ranking them, then no longer joins
//! every match to `cases` just to read its status. FTS5 tables cannot gain a column, so the
//! index is rebuilt from its own stored texts and the cases' statuses. PostgreSQL keeps its
//! tsvector table unchanged: its planner joins the status cheaply.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TOKENIZE: &str = "tokenize = 'unicode61 remove_diacritics 0'";

async fn rebuild(manager: &SchemaManager<'_>, with_status: bool) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(());
    }
    let connection = manager.get_connection();
    let (columns, status) = if with_status {
        ("title, summary, body, organisations, status", ", lower(c.status)")
    } else {
        ("title, summary, body, organisations", "")
    };
    // One string, so every statement runs on the same pooled connection, inside a
    // savepoint (atomic whether or not the migrator runs in a transaction).
    let script = format!(
        "SAVEPOINT index_case_status;\n\
         CREATE VIRTUAL TABLE case_search_rebuilt USING fts5({columns}, {TOKENIZE});\n\
         INSERT INTO case_search_rebuilt (rowid, {columns}) \
         SELECT s.rowid, s.title, s.summary, s.body, s.organisations{status} \
         FROM case_search s JOIN cases c ON c.id = s.rowid;\n\
         DROP TABLE case_search;\n\
         ALTER TABLE case_search_rebuilt RENAME TO case_search;\n\
         RELEASE index_case_status;"
    );
    connection.execute_unprepared(&script).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, false).await
    }
}
