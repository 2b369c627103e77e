//! Casegraph's schema history. Frozen: a released migration is never edited, only followed.
//! Runs on SQLite and PostgreSQL; never imports the entity crate.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_content_tables;
mod m20261127_000002_create_search_indexes;
mod m20261128_000003_create_content_version;
mod m20261128_000004_create_statistics_indexes;
mod m20261129_000005_create_api_keys;
mod m20261129_000006_create_case_visibility_index;
mod m20261130_000007_index_case_status;
mod m20261205_000008_create_idempotency_keys;
mod m20261205_000009_create_journal;
mod m20261205_000010_add_change_visibility;
mod m20261205_000011_create_webhooks;
mod m20261205_000012_create_trusted_documents;
mod m20261208_000013_create_case_tallies;
mod m20261208_000014_compress_search_documents;
mod m20261208_000015_cover_case_tallies;

/// The ordered list of Casegraph migrations.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_content_tables::Migration),
            Box::new(m20261127_000002_create_search_indexes::Migration),
            Box::new(m20261128_000003_create_content_version::Migration),
            Box::new(m20261128_000004_create_statistics_indexes::Migration),
            Box::new(m20261129_000005_create_api_keys::Migration),
            Box::new(m20261129_000006_create_case_visibility_index::Migration),
            Box::new(m20261130_000007_index_case_status::Migration),
            Box::new(m20261205_000008_create_idempotency_keys::Migration),
            Box::new(m20261205_000009_create_journal::Migration),
            Box::new(m20261205_000010_add_change_visibility::Migration),
            Box::new(m20261205_000011_create_webhooks::Migration),
            Box::new(m20261205_000012_create_trusted_documents::Migration),
            Box::new(m20261208_000013_create_case_tallies::Migration),
            Box::new(m20261208_000014_compress_search_documents::Migration),
            Box::new(m20261208_000015_cover_case_tallies::Migration),
        ]
    }
}
