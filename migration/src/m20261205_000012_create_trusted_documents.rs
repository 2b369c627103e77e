//! `trusted_document`: operations an operator registered from a client's manifest
//! (`casegraph documents add`), by the SHA-256 of their text. They run by hash, and are
//! the only ones anonymous callers may run under `--trusted-documents require`.

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
                    .table(name("trusted_document"))
                    .col(string_len(name("hash"), 64).primary_key())
                    .col(string_len_null(name("client"), 200))
                    .col(string_len_null(name("name"), 200))
                    .col(text(name("body")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(name("trusted_document")).if_exists().to_owned()).await
    }
}
