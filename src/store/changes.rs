//! The change feed: change events in commit order (`seq`, then `id`), as a caller may see
//! them. A caller without `read:drafts` sees only events whose subject was public before or
//! after; for it a case entering the published set is CREATED and one leaving it (by
//! unpublishing, archiving or deleting) is REMOVED.

use chrono::{DateTime, Utc};
use entity::change_event;
use entity::enums::{ChangeKind, SubjectType};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Store;
use crate::error::Result;

/// Who reads the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Without `read:drafts`: public objects only.
    Public,
    /// With `read:drafts`: everything.
    Drafts,
}

/// What an event is to its reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeedKind {
    /// The subject appeared (created, or published).
    Created,
    /// The subject changed and stays visible.
    Updated,
    /// The subject is gone (deleted, merged, or no longer published).
    Removed,
}

/// Which events a reader wants; an empty list means all.
#[derive(Clone, Debug, Default)]
pub struct FeedFilter {
    pub subjects: Vec<SubjectType>,
    pub kinds: Vec<FeedKind>,
}

/// A place in the feed: the `(seq, id)` of an event.
pub type Position = (i64, i64);

impl FeedFilter {
    /// Whether `audience` may see `event` and this filter keeps it (what the SQL of
    /// [`Store::change_feed`] selects, for one event in memory).
    pub fn keeps(&self, event: &change_event::Model, audience: Audience) -> bool {
        let visible = audience == Audience::Drafts || event.visible_before || event.visible_after;
        visible
            && (self.subjects.is_empty() || self.subjects.contains(&event.subject_type))
            && (self.kinds.is_empty() || self.kinds.contains(&kind_seen(event, audience)))
    }
}

/// What `event` is to `audience`.
pub fn kind_seen(event: &change_event::Model, audience: Audience) -> FeedKind {
    match audience {
        Audience::Public => match (event.visible_before, event.visible_after) {
            (false, _) => FeedKind::Created,
            (true, true) => FeedKind::Updated,
            (true, false) => FeedKind::Removed,
        },
        Audience::Drafts => match event.kind {
            ChangeKind::Created => FeedKind::Created,
            ChangeKind::Deleted | ChangeKind::Merged => FeedKind::Removed,
            _ => FeedKind::Updated,
        },
    }
}

/// The events of `kind` for `audience`, as a condition.
fn kind_condition(kind: FeedKind, audience: Audience) -> Condition {
    use change_event::Column::{Kind, VisibleAfter, VisibleBefore};
    let removals = [ChangeKind::Deleted, ChangeKind::Merged];
    match (audience, kind) {
        (Audience::Public, FeedKind::Created) => {
            Condition::all().add(VisibleBefore.eq(false)).add(VisibleAfter.eq(true))
        }
        (Audience::Public, FeedKind::Updated) => {
            Condition::all().add(VisibleBefore.eq(true)).add(VisibleAfter.eq(true))
        }
        (Audience::Public, FeedKind::Removed) => {
            Condition::all().add(VisibleBefore.eq(true)).add(VisibleAfter.eq(false))
        }
        (Audience::Drafts, FeedKind::Created) => Condition::all().add(Kind.eq(ChangeKind::Created)),
        (Audience::Drafts, FeedKind::Removed) => Condition::all().add(Kind.is_in(removals)),
        (Audience::Drafts, FeedKind::Updated) => {
            Condition::all().add(Kind.ne(ChangeKind::Created)).add(Kind.is_not_in(removals))
        }
    }
}

/// Every event `audience` may see that `filter` keeps.
fn visible(audience: Audience, filter: &FeedFilter) -> Condition {
    let mut condition = Condition::all();
    if audience == Audience::Public {
        condition = condition.add(
            Condition::any()
                .add(change_event::Column::VisibleBefore.eq(true))
                .add(change_event::Column::VisibleAfter.eq(true)),
        );
    }
    if !filter.subjects.is_empty() {
        condition = condition.add(change_event::Column::SubjectType.is_in(filter.subjects.iter().copied()));
    }
    if !filter.kinds.is_empty() {
        let mut kinds = Condition::any();
        for kind in &filter.kinds {
            kinds = kinds.add(kind_condition(*kind, audience));
        }
        condition = condition.add(kinds);
    }
    condition
}

impl Store {
    /// At most `limit` events after `after` (from the oldest kept when `None`) that
    /// `audience` may see and `filter` keeps, oldest first.
    pub async fn change_feed(
        &self,
        audience: Audience,
        filter: &FeedFilter,
        after: Option<Position>,
        limit: u64,
    ) -> Result<Vec<change_event::Model>> {
        let mut select = change_event::Entity::find().filter(visible(audience, filter));
        if let Some((seq, id)) = after {
            select = select.filter(Condition::any().add(change_event::Column::Seq.gt(seq)).add(
                Condition::all().add(change_event::Column::Seq.eq(seq)).add(change_event::Column::Id.gt(id)),
            ));
        }
        Ok(select
            .order_by_asc(change_event::Column::Seq)
            .order_by_asc(change_event::Column::Id)
            .limit(limit)
            .all(self.connection())
            .await?)
    }

    /// The newest event of all (what a client that just listed everything starts after).
    pub async fn latest_change(&self) -> Result<Option<change_event::Model>> {
        Ok(change_event::Entity::find()
            .order_by_desc(change_event::Column::Seq)
            .order_by_desc(change_event::Column::Id)
            .limit(1)
            .all(self.connection())
            .await?
            .pop())
    }

    /// Deletes the events older than `before` (the feed's retention); returns how many.
    pub async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64> {
        let deleted = change_event::Entity::delete_many()
            .filter(change_event::Column::OccurredAt.lt(before))
            .exec(self.pool())
            .await?;
        Ok(deleted.rows_affected)
    }
}
