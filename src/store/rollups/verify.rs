//! `casegraph verify`: every rollup recomputed from the base tables and compared with the
//! stored one, in one statement (a stored row and a computed row of the same key are summed
//! apart; the keys whose sums differ are the differences).

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};

use super::contributions::{Cases, Part, select};
use crate::error::Result;

/// A rollup row that differs from its recomputation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub scope: String,
    pub scope_key: String,
    pub dimension: String,
    pub status: String,
    pub key: String,
    /// What `case_tally` holds (0 when the row is missing).
    pub stored: i64,
    /// What the base tables give (0 when the row should not exist).
    pub computed: i64,
}

/// The first `limit` differences between the stored rollups and their recomputation, in
/// key order; none when they agree.
pub async fn verify(connection: &DatabaseConnection, limit: u64) -> Result<Vec<Difference>> {
    // One transaction: a snapshot of both sides, and room for the groups.
    let connection = connection.begin().await?;
    super::allow_large_groups(&connection).await?;
    let backend = connection.get_database_backend();
    let sql = format!(
        "WITH computed AS ({computed}), \
         compared (scope, scope_key, dimension, status, tally_key, stored, computed) AS ( \
           SELECT scope, scope_key, dimension, status, tally_key, tally, 0 FROM case_tally \
           UNION ALL SELECT scope, scope_key, dimension, status, tally_key, 0, tally FROM computed) \
         SELECT scope, scope_key, dimension, status, tally_key, \
           CAST(SUM(stored) AS BIGINT) AS stored, CAST(SUM(computed) AS BIGINT) AS computed \
         FROM compared GROUP BY scope, scope_key, dimension, status, tally_key \
         HAVING SUM(stored) <> SUM(computed) \
         ORDER BY scope, scope_key, dimension, status, tally_key LIMIT {limit}",
        computed = select(backend, &Cases::All, Part::Whole, 1),
    );
    let rows = connection.query_all_raw(Statement::from_string(backend, sql)).await?;
    connection.commit().await?;
    rows.iter()
        .map(|row| {
            Ok(Difference {
                scope: row.try_get("", "scope")?,
                scope_key: row.try_get("", "scope_key")?,
                dimension: row.try_get("", "dimension")?,
                status: row.try_get("", "status")?,
                key: row.try_get("", "tally_key")?,
                stored: row.try_get("", "stored")?,
                computed: row.try_get("", "computed")?,
            })
        })
        .collect()
}
