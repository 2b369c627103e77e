//! Indexes for dashboards' statistics: cases grouped by category, collection and
//! industry-chain link under a status filter (every statistics request has one) are read
//! from the index alone instead of from every case row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `cases` columns grouped by, each after `status`.
const GROUPED: [&str; 3] = ["category_id", "collection_id", "industry_chain_link"];

fn index_name(column: &str) -> String {
    format!("ix_cases_status_{column}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in GROUPED {
            manager
                .create_index(
                    Index::create()
                        .name(index_name(column))
                        .table(Alias::new("cases"))
                        .col(Alias::new("status"))
                        .col(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in GROUPED {
            manager
                .drop_index(
                    Index::drop().name(index_name(column)).table(Alias::new("cases")).if_exists().to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
