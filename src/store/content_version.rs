//! How fresh the content is, for caches of anything computed from it (statistics).
//!
//! Two counters, both bumped by every write path (seed, import, reference load and, later,
//! every mutation):
//! - the `content_version` row, bumped inside the writing transaction, so it commits (or
//!   rolls back) with the write. Every process sharing the database (replicas, the CLI
//!   importing next to a server) sees it; reading it is one primary-key lookup.
//! - the store's in-process generation, bumped after the commit, which also covers a
//!   database where the row is missing (written by hand, restored from an old dump).
//!
//! A cache key holds both: a write anywhere changes the key, so nothing cached before the
//! write is served after it.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

use super::Store;
use crate::error::Result;

const TABLE: &str = "content_version";

/// Where a cache stands: (in-process generation, durable database version).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContentGeneration {
    pub local: u64,
    pub durable: i64,
}

/// Bumps the durable content version; call it inside the transaction that changes content.
pub async fn bump_content_version<C: ConnectionTrait + 'static>(connection: &C) -> Result<()> {
    let update = Query::update()
        .table(Alias::new(TABLE))
        .value(Alias::new("version"), Expr::col(Alias::new("version")).add(1))
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    connection.execute(&update).await?;
    Ok(())
}

impl Store {
    /// The durable content version (0 when the row is missing): one tiny statement.
    pub async fn content_version(&self) -> Result<i64> {
        let select = Query::select()
            .column(Alias::new("version"))
            .from(Alias::new(TABLE))
            .and_where(Expr::col(Alias::new("id")).eq(1))
            .to_owned();
        match crate::store::sql::statement::query_one(self.connection(), &select).await? {
            Some(row) => Ok(row.try_get("", "version")?),
            None => Ok(0),
        }
    }

    /// Both counters: what a cache of content-derived results is keyed by.
    pub async fn content_generation(&self) -> Result<ContentGeneration> {
        Ok(ContentGeneration { local: self.local_generation(), durable: self.content_version().await? })
    }
}
