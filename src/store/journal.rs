//! The journal of content changes: audit entries (who changed what, append-only) and change
//! events (what changed, in commit order), written in the transaction that makes the change.
//!
//! Every writing transaction starts with [`begin`]: it bumps the durable content version
//! and takes it as the transaction's `seq`. The bump locks the version row until commit,
//! so writers are serialised (on PostgreSQL by the row lock, on SQLite by the write lock
//! it takes first) and `seq` rises in commit order: the change feed never skips an event.

use chrono::{DateTime, Utc};
use entity::enums::SubjectType;
use entity::{audit_entry, change_event};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

pub use super::entries::{Entry, FieldChange};
use super::sql::bulk;
use crate::error::{Error, Result};

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The API key's row id; `None` for the command line.
    pub key_id: Option<i64>,
    /// The API key's public prefix.
    pub key_prefix: Option<String>,
    /// The key's name, or `cli`.
    pub name: String,
}

impl Actor {
    /// The name of the command line as an actor.
    pub const COMMAND_LINE: &'static str = "cli";

    /// An operator on the server's shell (`casegraph import`, `casegraph keys`).
    pub fn command_line() -> Self {
        Self { key_id: None, key_prefix: None, name: Self::COMMAND_LINE.to_owned() }
    }

    /// A caller with an API key.
    pub fn key(id: i64, prefix: String, name: String) -> Self {
        Self { key_id: Some(id), key_prefix: Some(prefix), name }
    }
}

/// Who made a change, through what, within which request.
#[derive(Clone, Debug)]
pub struct Origin {
    pub actor: Actor,
    /// The mutation (`updateCase`) or command (`import`).
    pub action: String,
    /// The HTTP request's id, when the change came through the API.
    pub request_id: Option<String>,
}

impl Origin {
    /// A change made by `actor` through `action`.
    pub fn new(actor: Actor, action: impl Into<String>, request_id: Option<String>) -> Self {
        Self { actor, action: action.into(), request_id }
    }
}

/// A writing transaction's place in the journal: its `seq`, time and origin.
#[derive(Clone, Debug)]
pub struct Journal {
    pub origin: Origin,
    /// The content version this transaction took; `None` for changes outside content.
    pub seq: Option<i64>,
    pub now: DateTime<Utc>,
}

/// Starts a content write inside `connection`'s transaction: bumps the content version and
/// returns it. Call it first, before any read the write depends on.
pub async fn begin<C: ConnectionTrait + 'static>(connection: &C) -> Result<i64> {
    let table = Alias::new("content_version");
    let update = Query::update()
        .table(table.clone())
        .value(Alias::new("version"), Expr::col(Alias::new("version")).add(1))
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .returning_col(Alias::new("version"))
        .to_owned();
    match super::sql::statement::query_one(connection, &update).await? {
        Some(row) => Ok(row.try_get("", "version")?),
        None => {
            // A database restored without the row: put it back.
            let insert = Query::insert()
                .into_table(table)
                .columns([Alias::new("id"), Alias::new("version")])
                .values_panic([1.into(), 1.into()])
                .to_owned();
            connection.execute(&insert).await?;
            Ok(1)
        }
    }
}

/// Writes the audit entries and change events of `entries`.
pub async fn record<C: ConnectionTrait + 'static>(
    connection: &C,
    journal: &Journal,
    entries: Vec<Entry>,
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let origin = &journal.origin;
    let mut audits = Vec::with_capacity(entries.len());
    let mut events = Vec::new();
    let outbox: Vec<Entry> = entries.iter().filter(|entry| entry.kind.is_some()).cloned().collect();
    for entry in entries {
        if let (Some(kind), Some(seq)) = (entry.kind, journal.seq) {
            events.push(change_event::ActiveModel {
                seq: Set(seq),
                occurred_at: Set(journal.now),
                subject_type: Set(entry.subject_type),
                subject_id: Set(entry.subject_id),
                subject_slug: Set(entry.label.clone()),
                kind: Set(kind),
                version: Set(entry.version_after.or(entry.version_before).unwrap_or(1)),
                visible_before: Set(entry.visible.0),
                visible_after: Set(entry.visible.1),
                ..Default::default()
            });
        }
        let changes = serde_json::to_string(&entry.changes)
            .map_err(|error| Error::Internal(format!("audit changes are not JSON: {error}")))?;
        audits.push(audit_entry::ActiveModel {
            occurred_at: Set(journal.now),
            seq: Set(journal.seq),
            actor_key_id: Set(origin.actor.key_id),
            actor_key_prefix: Set(origin.actor.key_prefix.clone()),
            actor: Set(origin.actor.name.clone()),
            action: Set(origin.action.clone()),
            subject_type: Set(entry.subject_type),
            subject_id: Set(entry.subject_id),
            subject_label: Set(entry.label),
            version_before: Set(entry.version_before),
            version_after: Set(entry.version_after),
            changes: Set(changes),
            request_id: Set(origin.request_id.clone()),
            ..Default::default()
        });
    }
    let published = events.len();
    bulk::insert_all(connection, audits).await?;
    bulk::insert_all(connection, events).await?;
    if let (true, Some(seq)) = (published > 0, journal.seq) {
        super::webhooks::enqueue(connection, &outbox, seq, journal.now).await?;
    }
    if published > 0 {
        // Other replicas' change streams wake on commit (NOTIFY is transactional); SQLite
        // has one process, whose stream the store wakes after the commit.
        if connection.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            connection.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
        }
        crate::telemetry::metrics::record_change_events(published);
    }
    Ok(())
}

/// The PostgreSQL channel writers notify when they commit change events.
pub const CHANNEL: &str = "casegraph_changes";

/// Which audit entries to list; every part given must hold.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub subject: Option<(SubjectType, i64)>,
    /// An API key prefix, or `cli`.
    pub actor: Option<String>,
    pub action: Option<String>,
    /// At or after this time.
    pub since: Option<DateTime<Utc>>,
}

/// A page of audit entries, newest first: those with an id below `before_id` (all when
/// `None`), at most `limit`.
pub async fn audit_entries<C: ConnectionTrait + 'static>(
    connection: &C,
    filter: &AuditFilter,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<audit_entry::Model>> {
    let mut select = audit_entry::Entity::find();
    if let Some((subject_type, subject_id)) = filter.subject {
        select = select
            .filter(audit_entry::Column::SubjectType.eq(subject_type))
            .filter(audit_entry::Column::SubjectId.eq(subject_id));
    }
    match filter.actor.as_deref() {
        Some(Actor::COMMAND_LINE) => select = select.filter(audit_entry::Column::ActorKeyId.is_null()),
        Some(prefix) => select = select.filter(audit_entry::Column::ActorKeyPrefix.eq(prefix)),
        None => {}
    }
    if let Some(action) = &filter.action {
        select = select.filter(audit_entry::Column::Action.eq(action.as_str()));
    }
    if let Some(since) = filter.since {
        select = select.filter(audit_entry::Column::OccurredAt.gte(since));
    }
    if let Some(before) = before_id {
        select = select.filter(audit_entry::Column::Id.lt(before));
    }
    Ok(select.order_by_desc(audit_entry::Column::Id).limit(limit).all(connection).await?)
}

impl super::Store {
    /// A page of audit entries, newest first (see [`audit_entries`]).
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        before_id: Option<i64>,
        limit: u64,
    ) -> Result<Vec<audit_entry::Model>> {
        audit_entries(self.connection(), filter, before_id, limit).await
    }
}
