//! An edition of the case collection (e.g. 2024, 63 declared cases).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "collection")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub year: i32,
    pub publisher: Option<String>,
    pub released_on: Option<Date>,
    pub released_at_event: Option<String>,
    pub declared_case_count: Option<i32>,
    pub call_for_cases_started: Option<String>,
    /// JSON array of source URLs.
    pub sources: Json,
    /// JSON array of announced themes.
    pub themes: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-concurrency counter, 1 on creation.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
