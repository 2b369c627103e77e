//! The change feed: `ChangeEvent`s in commit order, as the caller may see them.

use std::time::Duration;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::change_event;
use entity::enums::{ChangeKind as Cause, SubjectType};

use super::audit_entry::AuditSubjectType;
use super::node::Node;
use crate::error::Error;
use crate::graphql::access::Access;
use crate::graphql::connection::PageInfo;
use crate::graphql::id::{self, NodeKind};
use crate::store::changes::{Audience, FeedFilter, FeedKind, Position, kind_seen};

/// How long the feed keeps its events (`--change-retention-days`).
#[derive(Clone, Copy, Debug)]
pub struct Retention(pub Duration);

/// What an event is to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum ChangeKind {
    /// The object appeared to the caller: created or, for a caller without `read:drafts`,
    /// published.
    Created,
    /// The object changed and the caller still sees it.
    Updated,
    /// The object is gone for the caller: deleted, merged into another or, for a caller
    /// without `read:drafts`, unpublished or archived. Drop it.
    Removed,
}

impl From<FeedKind> for ChangeKind {
    fn from(kind: FeedKind) -> Self {
        match kind {
            FeedKind::Created => Self::Created,
            FeedKind::Updated => Self::Updated,
            FeedKind::Removed => Self::Removed,
        }
    }
}

impl From<ChangeKind> for FeedKind {
    fn from(kind: ChangeKind) -> Self {
        match kind {
            ChangeKind::Created => Self::Created,
            ChangeKind::Updated => Self::Updated,
            ChangeKind::Removed => Self::Removed,
        }
    }
}

/// The editorial step behind an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "Cause")]
pub enum ChangeCause {
    /// Created (a case: as a draft, unless imported published).
    Created,
    /// Its fields, texts or links changed.
    Updated,
    /// A case was published.
    Published,
    /// A case went back to draft.
    Unpublished,
    /// A case was archived.
    Archived,
    /// An archived case came back as a draft.
    Restored,
    /// Deleted.
    Deleted,
    /// An organisation merged into another.
    Merged,
}

/// Which events to follow; every part given must hold.
#[derive(Debug, Default, InputObject)]
pub struct ChangeFilter {
    /// Only events about these kinds of objects.
    pub subjects: Option<Vec<AuditSubjectType>>,
    /// Only events of these kinds (as the caller sees them).
    pub kinds: Option<Vec<ChangeKind>>,
}

impl ChangeFilter {
    /// The filter for the store.
    pub fn into_store(self) -> FeedFilter {
        FeedFilter {
            subjects: self.subjects.unwrap_or_default().into_iter().map(SubjectType::from).collect(),
            kinds: self.kinds.unwrap_or_default().into_iter().map(FeedKind::from).collect(),
        }
    }
}

/// Who reads: with `read:drafts`, every event; without, what the public could see.
pub fn audience(access: Access) -> Audience {
    if access.read_drafts { Audience::Drafts } else { Audience::Public }
}

/// One committed change to one object.
#[derive(Clone, Debug)]
pub struct ChangeEvent {
    pub event: change_event::Model,
    pub audience: Audience,
}

#[Object]
impl ChangeEvent {
    /// What the event is to the caller: the object appeared, changed, or is gone.
    async fn kind(&self) -> ChangeKind {
        kind_seen(&self.event, self.audience).into()
    }

    /// The editorial step behind it.
    async fn cause(&self) -> ChangeCause {
        self.event.kind.into()
    }

    /// What kind of object changed.
    async fn subject_type(&self) -> AuditSubjectType {
        self.event.subject_type.into()
    }

    /// The object's `id` (it may be gone since).
    async fn subject_id(&self) -> ID {
        id::encode(node_kind(self.event.subject_type), self.event.subject_id)
    }

    /// The object's slug when it changed.
    async fn slug(&self) -> &str {
        &self.event.subject_slug
    }

    /// The object's `version` after the change (before it, for a removal).
    async fn version(&self) -> i32 {
        self.event.version
    }

    /// When the change was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.event.occurred_at
    }

    /// The object as the caller may see it now; null when it is gone or hidden from the
    /// caller (a later event says so).
    async fn node(&self, context: &Context<'_>) -> async_graphql::Result<Option<Node>> {
        let id = id::encode(node_kind(self.event.subject_type), self.event.subject_id);
        Ok(crate::graphql::nodes::resolve_nodes(context, &[id]).await?.pop().flatten())
    }
}

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

/// The cursor of `event`: its place in the feed and its time (to tell an expired one).
pub fn cursor(event: &change_event::Model) -> String {
    URL_SAFE_NO_PAD.encode(format!("change:{}:{}:{}", event.seq, event.id, event.occurred_at.timestamp()))
}

/// The place a cursor names; `CURSOR_EXPIRED` when its event is older than `retention`.
pub fn position(cursor: &str, retention: Duration, now: DateTime<Utc>) -> Result<Position, Error> {
    let invalid = || Error::BadUserInput(format!("`after` is not a cursor of the change feed: {cursor:?}"));
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?).map_err(|_| invalid())?;
    let mut parts = text.strip_prefix("change:").ok_or_else(invalid)?.split(':').map(str::parse::<i64>);
    let (Some(Ok(seq)), Some(Ok(id)), Some(Ok(time)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let kept = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
    if now.timestamp().saturating_sub(time) > kept {
        return Err(Error::CursorExpired(format!(
            "this cursor is older than the {} days the change feed keeps: list everything again, then follow \
             the feed from `latestCursor`",
            retention.as_secs() / 86_400
        )));
    }
    Ok((seq, id))
}

/// A page of the change feed, oldest first.
#[derive(SimpleObject)]
pub struct ChangeConnection {
    /// The events of the page with their cursors.
    pub edges: Vec<ChangeEventEdge>,
    /// The events of the page.
    pub nodes: Vec<ChangeEvent>,
    /// Where the page sits; `endCursor` is where to continue (keep the old cursor when the
    /// page is empty).
    pub page_info: PageInfo,
    /// The cursor of the newest event of the whole feed: after listing everything, follow
    /// the feed from here. Null while the feed is empty.
    pub latest_cursor: Option<String>,
}

/// An event and its cursor.
#[derive(SimpleObject)]
pub struct ChangeEventEdge {
    /// Pass as `after` to continue after this event.
    pub cursor: String,
    /// The event.
    pub node: ChangeEvent,
}

impl ChangeConnection {
    /// The page of `events` (read one past `first`, to know whether more follow).
    pub fn page(
        mut events: Vec<change_event::Model>,
        first: usize,
        after: bool,
        audience: Audience,
        latest: Option<&change_event::Model>,
    ) -> Self {
        let has_next_page = events.len() > first;
        events.truncate(first);
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after,
            start_cursor: events.first().map(cursor),
            end_cursor: events.last().map(cursor),
        };
        let edges = events
            .iter()
            .map(|event| ChangeEventEdge {
                cursor: cursor(event),
                node: ChangeEvent { event: event.clone(), audience },
            })
            .collect();
        let nodes = events.into_iter().map(|event| ChangeEvent { event, audience }).collect();
        Self { edges, nodes, page_info, latest_cursor: latest.map(cursor) }
    }
}
