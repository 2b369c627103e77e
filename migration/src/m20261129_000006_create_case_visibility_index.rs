//! `(id, status)` on `cases`: a full-text match yields case ids, and every read path keeps
//! only the cases the caller may see. Checking each id's status in this small index, rather
//! than in the case row, halves the cost of counting a broad search's matches.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_cases_id_status";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Alias::new("cases"))
                    .col(Alias::new("id"))
                    .col(Alias::new("status"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(NAME).table(Alias::new("cases")).if_exists().to_owned()).await
    }
}
