//! An actor of the industrial chain: government body, platform, logistics firm, …

use sea_orm::entity::prelude::*;

use crate::enums::OrganisationType;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub organisation_type: OrganisationType,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    pub region: Option<String>,
    pub website: Option<String>,
    pub is_sample: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-concurrency counter, 1 on creation.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
