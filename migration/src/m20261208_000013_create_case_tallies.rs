//! `case_tally`: the statistics rollups. One row counts, for the cases of one status in one
//! scope (all cases, one category, one collection or one country), how many carry one key of
//! one dimension (a category, a tag, a month, an organisation…). Every writer keeps it in the
//! transaction that changes the cases; `casegraph verify` recomputes it from the base tables.
//! Rows whose count falls to zero are deleted by the writer, through the partial index.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn name(text: &str) -> Alias {
    Alias::new(text)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("case_tally"))
                    .col(string_len(name("scope"), 16))
                    .col(string_len(name("scope_key"), 64))
                    .col(string_len(name("dimension"), 24))
                    .col(string_len(name("status"), 32))
                    .col(string_len(name("tally_key"), 200))
                    .col(big_integer(name("tally")))
                    .primary_key(
                        Index::create()
                            .col(name("scope"))
                            .col(name("scope_key"))
                            .col(name("dimension"))
                            .col(name("status"))
                            .col(name("tally_key")),
                    )
                    .to_owned(),
            )
            .await?;
        // Partial index: the writer's `DELETE … WHERE tally = 0` reads only the emptied rows.
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX ix_case_tally_emptied ON case_tally (scope) WHERE tally = 0")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(name("case_tally")).if_exists().to_owned()).await
    }
}
