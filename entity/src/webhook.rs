//! A partner's endpoint for change events.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub url: String,
    pub description: Option<String>,
    /// JSON list of subject types (`CASE`, …); empty: all.
    pub subjects: String,
    /// JSON list of kinds (`CREATED`, `UPDATED`, `REMOVED`); empty: all.
    pub kinds: String,
    pub include_drafts: bool,
    /// The Standard Webhooks signing secret, `whsec_` and base64.
    pub secret: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// Since when every attempt failed; none after a success.
    pub failing_since: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
