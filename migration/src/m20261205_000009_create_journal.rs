//! The journal of content changes, and a version on every editable object.
//!
//! - `version` (1 on creation, +1 per change) on organisations, follow-up actions,
//!   collections and categories, as cases already have: what `expectedVersion` is compared
//!   with.
//! - `audit_entry`: who changed what, append-only. One row per object a write changed, with
//!   the fields changed (old and new values, JSON), the versions before and after, the
//!   actor (an API key, or `cli`) and the request id.
//! - `change_event`: what partners' mirrors need to follow content, one row per object
//!   changed: its kind (`CREATED`, `UPDATED`, `PUBLISHED`, …) and version. `seq` is the
//!   content version the writing transaction took first (it locks that row), so it rises in
//!   commit order: a reader that has seen `seq` n has seen every event of every transaction
//!   that committed before n.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn name(text: &str) -> Alias {
    Alias::new(text)
}

/// Tables that get a `version` column.
const VERSIONED: [&str; 4] = ["organisation", "follow_up_action", "collection", "category"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in VERSIONED {
            manager
                .alter_table(
                    Table::alter()
                        .table(name(table))
                        .add_column(integer(name("version")).default(1))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(name("audit_entry"))
                    .col(big_pk_auto(name("id")))
                    .col(timestamp_with_time_zone(name("occurred_at")))
                    // The content version of the transaction (null for API-key changes,
                    // which do not change content).
                    .col(big_integer_null(name("seq")))
                    .col(big_integer_null(name("actor_key_id")))
                    .col(string_len_null(name("actor_key_prefix"), 32))
                    // The key's name, or `cli`.
                    .col(string_len(name("actor"), 200))
                    // The mutation (`updateCase`) or command (`import`).
                    .col(string_len(name("action"), 64))
                    .col(string_len(name("subject_type"), 32))
                    .col(big_integer(name("subject_id")))
                    // Slug or name of the subject when the change was made.
                    .col(string_len(name("subject_label"), 200))
                    .col(integer_null(name("version_before")))
                    .col(integer_null(name("version_after")))
                    // JSON array of {field, old, new}.
                    .col(text(name("changes")))
                    .col(string_len_null(name("request_id"), 128))
                    .to_owned(),
            )
            .await?;
        for (index, columns) in [
            ("audit_entry_subject", &["subject_type", "subject_id", "id"][..]),
            ("audit_entry_actor", &["actor_key_prefix", "id"][..]),
            ("audit_entry_action", &["action", "id"][..]),
            ("audit_entry_occurred_at", &["occurred_at"][..]),
        ] {
            let mut statement = Index::create().name(index).table(name("audit_entry")).to_owned();
            for column in columns {
                statement.col(name(column));
            }
            manager.create_index(statement).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(name("change_event"))
                    .col(big_pk_auto(name("id")))
                    .col(big_integer(name("seq")))
                    .col(timestamp_with_time_zone(name("occurred_at")))
                    .col(string_len(name("subject_type"), 32))
                    .col(big_integer(name("subject_id")))
                    .col(string_len(name("subject_slug"), 200))
                    .col(string_len(name("kind"), 16))
                    .col(integer(name("version")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("change_event_seq")
                    .table(name("change_event"))
                    .col(name("seq"))
                    .col(name("id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(name("change_event")).if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table(name("audit_entry")).if_exists().to_owned()).await?;
        for table in VERSIONED {
            manager
                .alter_table(Table::alter().table(name(table)).drop_column(name("version")).to_owned())
                .await?;
        }
        Ok(())
    }
}
