//! `idempotency_key`: the responses of POST requests sent with an `Idempotency-Key` header,
//! by caller and key, so a retried request is answered with the first one's response
//! instead of running again (IETF httpapi `Idempotency-Key` draft). A row is written when a
//! request starts (`status` null: in progress) and completed with its response; rows older
//! than a day are deleted.

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
                    .table(name("idempotency_key"))
                    // `key:<api key id>`: keys are per caller, so one caller cannot replay
                    // another's response.
                    .col(string(name("caller")))
                    .col(string(name("key")))
                    // Lower-case hex SHA-256 of the request body.
                    .col(string(name("request_hash")))
                    // HTTP status, media type and body of the response; null while the
                    // first request runs.
                    .col(integer_null(name("status")))
                    .col(string_null(name("content_type")))
                    .col(text_null(name("response")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .primary_key(Index::create().col(name("caller")).col(name("key")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idempotency_key_created_at")
                    .table(name("idempotency_key"))
                    .col(name("created_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(name("idempotency_key")).if_exists().to_owned()).await
    }
}
