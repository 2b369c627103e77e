//! One change to one object: who made it, what it changed. Append-only.

use sea_orm::entity::prelude::*;

use crate::enums::SubjectType;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    /// Content version of the writing transaction; null for API-key changes.
    pub seq: Option<i64>,
    pub actor_key_id: Option<i64>,
    pub actor_key_prefix: Option<String>,
    /// The key's name, or `cli`.
    pub actor: String,
    /// The mutation or command.
    pub action: String,
    pub subject_type: SubjectType,
    pub subject_id: i64,
    pub subject_label: String,
    pub version_before: Option<i32>,
    pub version_after: Option<i32>,
    /// JSON array of `{field, old, new}`.
    pub changes: String,
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
