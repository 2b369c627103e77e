//! The editorial write path: validated changes to cases, organisations, follow-up actions,
//! collections and categories, as the mutations make them.
//!
//! Each change is one transaction that starts by taking the journal's lock
//! ([`journal::begin`]), so writers run one at a time and the version compared with
//! `expectedVersion` cannot change before the write commits. The change is then made as a
//! one-row import ([`Edit`]): the same rules, the same writer, the same search index
//! upkeep, audit entries and change events. Problems with the input come back as
//! [`Problem`]s, all at once, and nothing is written; caches keyed by the content version
//! miss from the next request on.

mod cases;
mod collections;
mod follow_up_actions;
mod organisations;
mod problems;
mod texts;

use entity::enums::SubjectType;
use sea_orm::{DatabaseTransaction, TransactionTrait};

use self::problems::Layout;

pub use self::cases::{CaseChanges, CaseLink, CaseText, NewCase, Transition};
pub use self::collections::{CategoryChanges, CollectionChanges, NewCategory, NewCollection};
pub use self::follow_up_actions::{FollowUpActionChanges, NewFollowUpAction};
pub use self::organisations::{NewOrganisation, OrganisationChanges};
pub use self::problems::{Edited, Problem, ProblemCode};
pub use self::texts::{NameText, TitleText};
use crate::error::Result;
use crate::exchange::document::Document;
use crate::exchange::{Edit, Ids, Selection};
use crate::store::Store;
use crate::store::journal::{self, Actor, Journal, Origin};
use crate::store::references;

/// A value a change may keep, clear or set (a GraphQL field left out, `null`, or given).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    /// The patch with its value converted.
    pub fn map<U>(self, convert: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Keep => Patch::Keep,
            Self::Clear => Patch::Clear,
            Self::Set(value) => Patch::Set(convert(value)),
        }
    }

    /// `current` after the patch.
    pub fn apply(self, current: &mut Option<T>) {
        match self {
            Self::Keep => {}
            Self::Clear => *current = None,
            Self::Set(value) => *current = Some(value),
        }
    }
}

/// Makes changes on behalf of one actor.
#[derive(Clone, Debug)]
pub struct Editor {
    store: Store,
    actor: Actor,
    request_id: Option<String>,
}

/// An open change: its transaction and its place in the journal.
struct Change {
    transaction: DatabaseTransaction,
    journal: Journal,
}

impl Editor {
    /// An editor writing through `store` for `actor`, within the request `request_id`.
    pub fn new(store: Store, actor: Actor, request_id: Option<String>) -> Self {
        Self { store, actor, request_id }
    }

    /// Opens a change made by `action`: a transaction holding the journal's lock.
    async fn begin(&self, action: &str) -> Result<Change> {
        let transaction = self.store.pool().begin().await?;
        let seq = journal::begin(&transaction).await?;
        let origin = Origin::new(self.actor.clone(), action, self.request_id.clone());
        let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
        Ok(Change { transaction, journal: Journal { origin, seq: Some(seq), now } })
    }

    /// Commits `change` when `outcome` is a success (and tells the store's caches), else
    /// rolls it back.
    async fn finish<T>(&self, change: Change, outcome: Edited<T>) -> Result<Edited<T>> {
        if outcome.is_ok() {
            change.transaction.commit().await?;
            self.store.content_changed();
        } else {
            change.transaction.rollback().await?;
        }
        Ok(outcome)
    }
}

impl Change {
    /// Reads what `selection` names.
    async fn read(&self, selection: &Selection) -> Result<Edit> {
        Edit::read(&self.transaction, selection).await
    }

    /// The slug of the object `id` of `subject_type`, or a `NOT_FOUND` problem on `field`.
    async fn slug_of(
        &self,
        subject_type: SubjectType,
        id: i64,
        field: &str,
        what: &str,
    ) -> Result<Edited<String>> {
        Ok(references::slug_of(&self.transaction, subject_type, id)
            .await?
            .ok_or_else(|| vec![Problem::not_found(field, what)]))
    }

    /// Writes `document` through `edit` unless `problems` or the import's rules find a
    /// problem: then returns them all (the import's placed on the input by `layout`).
    async fn write(
        &self,
        edit: Edit,
        document: Document,
        layout: &Layout,
        mut problems: Vec<Problem>,
    ) -> Result<Edited<Written>> {
        problems.extend(problems::from_import(edit.check(&document), layout));
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        Ok(edit
            .write(&self.transaction, document, &self.journal)
            .await?
            .map_err(|errors| problems::from_import(errors, layout)))
    }
}

/// Refuses a change to an object at `current` when the caller expected `expected`.
fn check_version(what: &str, expected: i32, current: Option<i32>) -> Edited<()> {
    let current = current.unwrap_or(1);
    if current == expected { Ok(()) } else { Err(vec![Problem::version_conflict(what, expected, current)]) }
}

/// The import-format name of an enum value.
fn name<E: sea_orm::ActiveEnum<Value = String>>(value: E) -> String {
    value.to_value()
}

/// The id of `slug` in `ids`, or 0 (a write that succeeded always has it).
fn id_in(ids: &std::collections::HashMap<String, i64>, slug: &str) -> i64 {
    ids.get(slug).copied().unwrap_or_default()
}

/// What a successful write returns: the ids of what it wrote, by slug.
type Written = Ids;
