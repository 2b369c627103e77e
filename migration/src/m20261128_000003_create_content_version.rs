//! `content_version`: one row whose `version` every content write bumps in its own
//! transaction. Replicas sharing the database read it (one tiny statement) to know whether
//! what they cached from the content is still current.

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
                    .table(name("content_version"))
                    // Always 1: the table holds exactly one row.
                    .col(integer(name("id")).primary_key())
                    .col(big_integer(name("version")).default(0))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(name("content_version"))
            .columns([name("id"), name("version")])
            .values([1.into(), 0i64.into()])
            .map_err(|error| DbErr::Custom(error.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(name("content_version")).if_exists().to_owned()).await
    }
}
