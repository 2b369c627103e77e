//! `api_key`: partner API keys. Only a SHA-256 digest of each key is stored, so a database
//! dump never contains a usable key; `prefix` is the key's public, non-secret part, shown by
//! `casegraph keys list` and accepted by `keys revoke`.

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
                    .table(name("api_key"))
                    .col(big_integer(name("id")).primary_key().auto_increment())
                    .col(string(name("name")))
                    .col(string(name("prefix")).unique_key())
                    .col(string(name("secret_hash")).unique_key())
                    // Space-separated scope names.
                    .col(string(name("scopes")))
                    // Bucket size and refill (points, points per second); NULL: the server's default.
                    .col(double_null(name("budget")))
                    .col(double_null(name("refill")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone_null(name("revoked_at")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(name("api_key")).if_exists().to_owned()).await
    }
}
