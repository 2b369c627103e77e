//! Full-text indexes of cases, organisations and follow-up actions, in each engine's own
//! form: FTS5 virtual tables on SQLite, tsvector tables with GIN indexes on PostgreSQL. The
//! application analyses the text (stemming, CJK, Arabic folding), so both hold the same terms.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Index table, owner table, indexed columns (SQLite).
const INDEXES: [(&str, &str, &[&str]); 3] = [
    ("case_search", "cases", &["title", "summary", "body", "organisations"]),
    ("organisation_search", "organisation", &["name", "description"]),
    ("follow_up_action_search", "follow_up_action", &["title", "description", "place"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        for (table, owner, columns) in INDEXES {
            let statements = match manager.get_database_backend() {
                DatabaseBackend::Postgres => vec![
                    format!(
                        "CREATE TABLE {table} (owner_id BIGINT PRIMARY KEY REFERENCES {owner}(id) \
                         ON DELETE CASCADE, document TSVECTOR NOT NULL)"
                    ),
                    format!("CREATE INDEX ix_{table}_document ON {table} USING GIN (document)"),
                ],
                _ => vec![format!(
                    "CREATE VIRTUAL TABLE {table} USING fts5({}, tokenize = 'unicode61 remove_diacritics 0')",
                    columns.join(", ")
                )],
            };
            for statement in statements {
                connection.execute_unprepared(&statement).await?;
            }
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // NULL publication dates sort lowest on both engines; PostgreSQL needs it said
            // in the index for `ORDER BY published_at DESC NULLS LAST` to walk it.
            connection
                .execute_unprepared(
                    "CREATE INDEX ix_cases_status_published_nulls_first \
                     ON cases (status, published_at ASC NULLS FIRST, id)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            connection
                .execute_unprepared("DROP INDEX IF EXISTS ix_cases_status_published_nulls_first")
                .await?;
        }
        for (table, _, _) in INDEXES.iter().rev() {
            connection.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}")).await?;
        }
        Ok(())
    }
}
