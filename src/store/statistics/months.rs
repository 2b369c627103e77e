//! The UTC month (`YYYY-MM`) of a case timestamp, in each engine's dialect. SQLite stores
//! timestamps as RFC 3339 text (`2024-04-16T09:00:00+00:00`): `strftime` reads it and
//! normalises any offset to UTC. PostgreSQL stores `timestamptz`: `AT TIME ZONE 'UTC'`
//! takes the UTC wall time whatever the session's time zone.

use entity::case;
use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Expr, Iden};

use crate::store::rollups::month_sql;

/// Which timestamp of a case to group by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateField {
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

impl DateField {
    /// Its column.
    pub(super) fn column(self) -> case::Column {
        match self {
            Self::PublishedAt => case::Column::PublishedAt,
            Self::CreatedAt => case::Column::CreatedAt,
            Self::UpdatedAt => case::Column::UpdatedAt,
        }
    }
}

/// `YYYY-MM` of `field` in UTC.
pub(super) fn month_of(backend: DatabaseBackend, field: DateField) -> Expr {
    let column = format!("\"{}\".\"{}\"", case::Entity.to_string(), field.column().to_string());
    Expr::cust(month_sql(backend, &column))
}
