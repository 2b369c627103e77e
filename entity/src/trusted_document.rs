//! An operation registered from a client's manifest, by the SHA-256 of its text.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trusted_document")]
pub struct Model {
    /// Lower-case hex SHA-256 of `body`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    /// The client it was registered for (`--client`).
    pub client: Option<String>,
    /// The operation's name, when the manifest gives it.
    pub name: Option<String>,
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
