//! A partner API key: its public prefix, the SHA-256 digest of the whole key (never the key
//! itself), its scopes and, optionally, its own cost budget.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who the key is for (free text, shown by `keys list`).
    pub name: String,
    /// The key's public part (`cg_` and 8 characters), unique; not a secret.
    #[sea_orm(unique)]
    pub prefix: String,
    /// Lower-case hex SHA-256 of the whole key.
    #[sea_orm(unique)]
    pub secret_hash: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// Bucket size in points; `None`: the server's default for keys.
    pub budget: Option<f64>,
    /// Bucket refill in points per second; `None`: the server's default for keys.
    pub refill: Option<f64>,
    pub created_at: DateTimeUtc,
    /// When the key stopped working; `None` while it works.
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
