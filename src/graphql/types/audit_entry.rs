//! `AuditEntry`: one change to one object, who made it and what it changed (scope
//! `admin`). Entries are append-only: no mutation edits or deletes them.

use async_graphql::{Enum, ID, InputObject, Json, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::audit_entry;
use entity::enums::SubjectType;

use crate::graphql::connection::PageInfo;
use crate::graphql::cost_directives::{TYPICAL_FIELD_CHANGES, list_size};
use crate::graphql::id::{self, NodeKind};
use crate::store::journal::{AuditFilter, FieldChange};

/// What kind of object an audit entry is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "SubjectType")]
pub enum AuditSubjectType {
    /// A case.
    Case,
    /// An organisation.
    Organisation,
    /// A follow-up action.
    FollowUpAction,
    /// A collection (an edition).
    Collection,
    /// A category of a collection.
    Category,
    /// A partner API key.
    ApiKey,
}

/// The kind of node behind a subject type.
fn node_kind(subject_type: SubjectType) -> NodeKind {
    match subject_type {
        SubjectType::Case => NodeKind::Case,
        SubjectType::Organisation => NodeKind::Organisation,
        SubjectType::FollowUpAction => NodeKind::FollowUpAction,
        SubjectType::Collection => NodeKind::Collection,
        SubjectType::Category => NodeKind::Category,
        SubjectType::ApiKey => NodeKind::ApiKey,
    }
}

/// The subject type and database id behind a global ID.
pub fn subject_of(id: &ID) -> Option<(SubjectType, i64)> {
    let (kind, key) = id::decode(id)?;
    let subject_type = match kind {
        NodeKind::Case => SubjectType::Case,
        NodeKind::Organisation => SubjectType::Organisation,
        NodeKind::FollowUpAction => SubjectType::FollowUpAction,
        NodeKind::Collection => SubjectType::Collection,
        NodeKind::Category => SubjectType::Category,
        NodeKind::ApiKey => SubjectType::ApiKey,
    };
    Some((subject_type, key))
}

/// Which audit entries to list; every part given must hold.
#[derive(Debug, Default, InputObject)]
pub struct AuditLogFilter {
    /// Entries about this object (its `id`, even when it was deleted since).
    pub subject: Option<ID>,
    /// Entries by this actor: an API key's prefix (`cg_…`), or `cli` for the command line.
    pub actor: Option<String>,
    /// Entries of this action: a mutation name such as `updateCase`, or a command such as
    /// `import` or `keys create`.
    pub action: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
}

impl AuditLogFilter {
    /// The filter for the store; `None` when `subject` is no object's id (nothing matches).
    pub fn into_store(self) -> Option<AuditFilter> {
        let subject = match self.subject {
            Some(id) => Some(subject_of(&id)?),
            None => None,
        };
        Some(AuditFilter { subject, actor: self.actor, action: self.action, since: self.since })
    }
}

/// Who made a change.
#[derive(Clone, Debug, SimpleObject)]
pub struct AuditActor {
    /// The API key's name, or `cli` for the command line on the server.
    pub name: String,
    /// The API key's public prefix; null for the command line.
    pub key_prefix: Option<String>,
}

/// One field changed: its path in the import format (`texts.ar.title`, `status`, `tags`)
/// and its values before and after (JSON; null when absent).
#[derive(Clone, Debug, SimpleObject)]
pub struct AuditFieldChange {
    /// Path of the field.
    pub field: String,
    /// Its value before the change.
    pub old: Option<Json<serde_json::Value>>,
    /// Its value after the change.
    pub new: Option<Json<serde_json::Value>>,
}

/// One change to one object.
#[derive(Clone, Debug)]
pub struct AuditEntry(pub audit_entry::Model);

#[Object]
impl AuditEntry {
    /// When it was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// Who made it.
    async fn actor(&self) -> AuditActor {
        AuditActor { name: self.0.actor.clone(), key_prefix: self.0.actor_key_prefix.clone() }
    }

    /// The mutation (`publishCase`) or command (`import`, `keys create`).
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// What kind of object changed.
    async fn subject_type(&self) -> AuditSubjectType {
        self.0.subject_type.into()
    }

    /// The `id` of the object changed (it may have been deleted since).
    async fn subject_id(&self) -> ID {
        id::encode(node_kind(self.0.subject_type), self.0.subject_id)
    }

    /// The object's slug (or a key's name and prefix) when it changed.
    async fn subject_label(&self) -> &str {
        &self.0.subject_label
    }

    /// Its version before the change; null when it was created (or has none).
    async fn version_before(&self) -> Option<i32> {
        self.0.version_before
    }

    /// Its version after the change; null when it was deleted (or has none).
    async fn version_after(&self) -> Option<i32> {
        self.0.version_after
    }

    /// Every field changed, with its old and new value.
    #[graphql(directive = list_size::apply(Some(TYPICAL_FIELD_CHANGES), None, None))]
    async fn changes(&self) -> Vec<AuditFieldChange> {
        let changes: Vec<FieldChange> = serde_json::from_str(&self.0.changes).unwrap_or_default();
        let value = |value: serde_json::Value| (!value.is_null()).then_some(Json(value));
        changes
            .into_iter()
            .map(|change| AuditFieldChange {
                field: change.field,
                old: value(change.old),
                new: value(change.new),
            })
            .collect()
    }

    /// The id of the HTTP request that made the change (as in its `x-request-id`
    /// header); null for the command line.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

/// A page of audit entries, newest first.
#[derive(SimpleObject)]
pub struct AuditEntryConnection {
    /// The entries of the page with their cursors.
    pub edges: Vec<AuditEntryEdge>,
    /// The entries of the page.
    pub nodes: Vec<AuditEntry>,
    /// Where the page sits in the list.
    pub page_info: PageInfo,
}

/// An entry and its cursor.
#[derive(SimpleObject)]
pub struct AuditEntryEdge {
    /// Pass as `after` to continue after this entry.
    pub cursor: String,
    /// The entry.
    pub node: AuditEntry,
}

/// The cursor of the entry `id`.
fn cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("audit:{id}"))
}

/// The entry id of a cursor made by [`cursor`].
pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.strip_prefix("audit:")?.parse().ok()
}

impl AuditEntryConnection {
    /// The page of `entries` (read one past `first`, to know whether more follow).
    pub fn page(mut entries: Vec<audit_entry::Model>, first: usize, after: bool) -> Self {
        let has_next_page = entries.len() > first;
        entries.truncate(first);
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after,
            start_cursor: entries.first().map(|entry| cursor(entry.id)),
            end_cursor: entries.last().map(|entry| cursor(entry.id)),
        };
        let edges = entries
            .iter()
            .map(|entry| AuditEntryEdge { cursor: cursor(entry.id), node: AuditEntry(entry.clone()) })
            .collect();
        Self { edges, nodes: entries.into_iter().map(AuditEntry).collect(), page_info }
    }
}
