//! A practice case of a collection.

use sea_orm::entity::prelude::*;

use crate::enums::{CaseStatus, OrganisationType, SourcingMethod};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub collection_id: i64,
    pub category_id: i64,
    pub industry_chain_link: Option<OrganisationType>,
    pub sourcing_method: Option<SourcingMethod>,
    pub cover_image_url: Option<String>,
    pub status: CaseStatus,
    pub is_sample: bool,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-concurrency counter, 1 on creation.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
