//! Generic steps of an import: deciding, slug by slug, what to insert or update; updating
//! rows in batches; removing the child rows that a file replaces.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, Iterable, QueryFilter,
};

use super::entries::{self, Journaled};
use super::record::{Change, Stamped, settle};
use crate::error::Result;
use crate::store::journal::Entry;

/// Bind parameters per statement, as in `bulk`: below SQLite's and PostgreSQL's limits.
const MAX_PARAMETERS: usize = 30_000;

/// How many rows of one kind an import created, updated or left alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl Counts {
    /// Counts one row.
    pub fn add(&mut self, change: Change) {
        match change {
            Change::Insert => self.created += 1,
            Change::Update => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

/// Rows to write, each with its id.
pub struct Plan<R> {
    pub inserts: Vec<(i64, R)>,
    pub updates: Vec<(i64, R)>,
    pub counts: Counts,
    /// The journal entry of every row inserted or updated.
    pub entries: Vec<Entry>,
}

/// Decides for every row of the file whether it is new (a fresh id after `last_id`),
/// changed or unchanged, comparing it with the `existing` row of the same slug; records
/// new slugs in `ids`.
pub fn plan<R: Stamped + Journaled>(
    rows: Vec<R>,
    existing: Vec<R>,
    ids: &mut HashMap<String, i64>,
    mut last_id: i64,
    now: DateTime<Utc>,
) -> Plan<R> {
    let existing: HashMap<String, R> = existing.into_iter().map(|row| (row.slug().to_owned(), row)).collect();
    let mut plan =
        Plan { inserts: Vec::new(), updates: Vec::new(), counts: Counts::default(), entries: Vec::new() };
    for mut row in rows {
        let old = existing.get(row.slug());
        let change = settle(&mut row, old, now);
        plan.counts.add(change);
        match change {
            Change::Insert => {
                last_id += 1;
                ids.insert(row.slug().to_owned(), last_id);
                plan.entries.push(entries::entry(last_id, None, &row));
                plan.inserts.push((last_id, row));
            }
            Change::Update => {
                let id = ids.get(row.slug()).copied().unwrap_or_default();
                plan.entries.push(entries::entry(id, old, &row));
                plan.updates.push((id, row));
            }
            Change::Unchanged => {}
        }
    }
    plan
}

/// Overwrites existing rows (matched by `id`) with `rows`, many per statement.
pub async fn update_all<A, C>(connection: &C, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    if rows.is_empty() {
        return Ok(());
    }
    let columns: Vec<_> = <A::Entity as EntityTrait>::Column::iter().collect();
    let id = columns.iter().copied().filter(|column| column.as_str() == "id");
    let others = columns.iter().copied().filter(|column| column.as_str() != "id");
    let conflict = OnConflict::columns(id).update_columns(others).to_owned();
    let per_statement = (MAX_PARAMETERS / columns.len().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .on_conflict(conflict.clone())
            .exec_without_returning(connection)
            .await?;
    }
    Ok(())
}

/// Deletes the rows of `E` whose `owner` column is one of `ids`.
pub async fn delete_owned<E, C>(connection: &C, owner: E::Column, ids: &[i64]) -> Result<()>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    for chunk in ids.chunks(MAX_PARAMETERS / 2) {
        E::delete_many().filter(owner.is_in(chunk.iter().copied())).exec(connection).await?;
    }
    Ok(())
}

/// The ids of planned rows.
pub fn ids_of<R>(rows: &[(i64, R)]) -> Vec<i64> {
    rows.iter().map(|(id, _)| *id).collect()
}
