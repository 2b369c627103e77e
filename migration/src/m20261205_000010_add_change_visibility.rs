//! Whether each change event's subject was public before and after the change, so the
//! change feed can show a caller without `read:drafts` only what it could see: a case
//! entering the published set as CREATED, leaving it as REMOVED, and nothing of drafts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn name(text: &str) -> Alias {
    Alias::new(text)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["visible_before", "visible_after"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("change_event"))
                        .add_column(boolean(name(column)).default(false))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("change_event_occurred_at")
                    .table(name("change_event"))
                    .col(name("occurred_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("change_event_occurred_at").table(name("change_event")).to_owned())
            .await?;
        for column in ["visible_after", "visible_before"] {
            manager
                .alter_table(Table::alter().table(name("change_event")).drop_column(name(column)).to_owned())
                .await?;
        }
        Ok(())
    }
}
