//! One try at a delivery.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: DateTimeUtc,
    /// The endpoint's HTTP status; none when it did not answer.
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// The start of the answer's body.
    pub response: Option<String>,
    /// Why there was no answer (timeout, refused address, connection error).
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
