//! A follow-up measure (showcase, training course, …) announced with a collection.

use sea_orm::entity::prelude::*;

use crate::enums::{FollowUpActionKind, FollowUpActionStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up_action")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable key for import and export.
    #[sea_orm(unique)]
    pub slug: String,
    pub kind: FollowUpActionKind,
    pub status: FollowUpActionStatus,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub place: Option<String>,
    pub organiser_id: Option<i64>,
    pub collection_id: Option<i64>,
    pub is_sample: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-concurrency counter, 1 on creation.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
