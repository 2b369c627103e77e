//! One committed change to one object, in commit order (`seq`, then `id`).

use sea_orm::entity::prelude::*;

use crate::enums::{ChangeKind, SubjectType};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Content version of the writing transaction: rises in commit order.
    pub seq: i64,
    pub occurred_at: DateTimeUtc,
    pub subject_type: SubjectType,
    pub subject_id: i64,
    pub subject_slug: String,
    pub kind: ChangeKind,
    /// The subject's version after the change.
    pub version: i32,
    /// Whether anyone (without `read:drafts`) could see the subject before the change.
    pub visible_before: bool,
    /// Whether anyone could see it after.
    pub visible_after: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
