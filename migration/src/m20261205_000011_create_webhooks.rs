//! Webhooks: partners' endpoints, and the outbox of their deliveries.
//!
//! - `webhook`: an endpoint URL, the events it wants (subject types and kinds, JSON lists;
//!   empty: all), whether it sees drafts, its signing secret (Standard Webhooks `whsec_`),
//!   and whether it is enabled (an endpoint failing for days is disabled, with the reason).
//! - `webhook_delivery`: one event for one webhook, written in the transaction of the
//!   change (an outbox: a crash loses none), then attempted until delivered or given up.
//!   `leased_until` keeps two replicas from sending the same delivery at once.
//! - `webhook_attempt`: each try: status, latency, the start of the answer or the error.

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
                    .table(name("webhook"))
                    .col(big_pk_auto(name("id")))
                    .col(text(name("url")))
                    .col(text_null(name("description")))
                    .col(text(name("subjects")))
                    .col(text(name("kinds")))
                    .col(boolean(name("include_drafts")))
                    .col(string_len(name("secret"), 128))
                    .col(boolean(name("enabled")))
                    .col(text_null(name("disabled_reason")))
                    .col(timestamp_with_time_zone_null(name("failing_since")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone(name("updated_at")))
                    .col(integer(name("version")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("webhook_delivery"))
                    .col(big_pk_auto(name("id")))
                    .col(big_integer(name("webhook_id")))
                    .col(string_len(name("message_id"), 64))
                    .col(string_len(name("event_type"), 64))
                    .col(text(name("payload")))
                    .col(string_len(name("status"), 16))
                    .col(integer(name("attempts")))
                    .col(timestamp_with_time_zone(name("next_attempt_at")))
                    .col(timestamp_with_time_zone_null(name("leased_until")))
                    .col(integer_null(name("last_status")))
                    .col(text_null(name("last_error")))
                    .col(timestamp_with_time_zone(name("created_at")))
                    .col(timestamp_with_time_zone_null(name("delivered_at")))
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("webhook_delivery"), name("webhook_id"))
                            .to(name("webhook"), name("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_delivery_due")
                    .table(name("webhook_delivery"))
                    .col(name("status"))
                    .col(name("next_attempt_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_delivery_webhook")
                    .table(name("webhook_delivery"))
                    .col(name("webhook_id"))
                    .col(name("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("webhook_attempt"))
                    .col(big_pk_auto(name("id")))
                    .col(big_integer(name("delivery_id")))
                    .col(timestamp_with_time_zone(name("attempted_at")))
                    .col(integer_null(name("status_code")))
                    .col(integer(name("latency_ms")))
                    .col(text_null(name("response")))
                    .col(text_null(name("error")))
                    .foreign_key(
                        ForeignKey::create()
                            .from(name("webhook_attempt"), name("delivery_id"))
                            .to(name("webhook_delivery"), name("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_attempt_delivery")
                    .table(name("webhook_attempt"))
                    .col(name("delivery_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_attempt", "webhook_delivery", "webhook"] {
            manager.drop_table(Table::drop().table(name(table)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
