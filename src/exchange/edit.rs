//! A write of a few objects, as a mutation makes it, with the import's rules and writer.
//!
//! An [`Edit`] reads what the write names (and what that links to) inside the caller's
//! transaction, hands out the current objects as rows of the import format, and writes a
//! document of changed rows exactly as `casegraph import` would: the same checks (every
//! problem at once, with its field), the same writer, search index and journal.

use entity::enums::{ChangeKind, SubjectType};
use entity::{case, follow_up_action, organisation};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::document::{
    CaseRow, CollectionRow, Document, FORMAT, FORMAT_VERSION, FollowUpActionRow, OrganisationRow,
};
use super::entries::{self, Journaled};
use super::errors::ImportError;
use super::export;
use super::import;
use super::snapshot::{self, Ids, Selection, Snapshot};
use super::validate;
use crate::error::Result;
use crate::store::journal::{self, Entry, Journal};
use crate::store::references;
use crate::store::rollups::Touched;
use crate::store::search::{self, Indexed};

/// What a write of a few objects read, and will write against.
#[derive(Debug)]
pub struct Edit {
    snapshot: Snapshot,
}

/// A collection as a row (versions are not part of the import format), with its version
/// and each category's, by slug.
#[derive(Debug)]
pub struct CurrentCollection {
    pub row: CollectionRow,
    pub version: i32,
    pub category_versions: Vec<(String, i32)>,
}

/// An object to delete, with its journal entry.
#[derive(Debug)]
pub struct Removal {
    entry: Entry,
}

impl Removal {
    /// Notes, in the journal entry, the organisation this one was merged into.
    #[must_use]
    pub fn merged_into(mut self, slug: &str) -> Self {
        self.entry.changes.push(journal::FieldChange {
            field: "mergedInto".to_owned(),
            old: serde_json::Value::Null,
            new: serde_json::Value::from(slug),
        });
        self
    }
}

impl Edit {
    /// Reads everything `selection` names, and what that links to.
    pub async fn read<C: ConnectionTrait + 'static>(connection: &C, selection: &Selection) -> Result<Self> {
        Ok(Self { snapshot: snapshot::read_selection(connection, selection).await? })
    }

    /// An empty document of the import format, to put changed rows in.
    pub fn document() -> Document {
        Document { format: FORMAT.to_owned(), format_version: FORMAT_VERSION, ..Document::default() }
    }

    /// The database ids of what was read, by slug.
    pub fn ids(&self) -> &Ids {
        &self.snapshot.ids
    }

    /// The case `slug` as a row, when it exists.
    pub fn case(&self, slug: &str) -> Option<CaseRow> {
        let record = self.snapshot.content.cases.iter().find(|case| case.slug == slug)?;
        Some(export::case(record.clone()))
    }

    /// The cases read, as rows.
    pub fn cases(&self) -> Vec<CaseRow> {
        self.snapshot.content.cases.iter().cloned().map(export::case).collect()
    }

    /// The organisation `slug` as a row, when it exists.
    pub fn organisation(&self, slug: &str) -> Option<OrganisationRow> {
        let record = self.snapshot.content.organisations.iter().find(|row| row.slug == slug)?;
        Some(export::organisation(record.clone()))
    }

    /// The follow-up action `slug` as a row, when it exists.
    pub fn follow_up_action(&self, slug: &str) -> Option<FollowUpActionRow> {
        let record = self.snapshot.content.follow_up_actions.iter().find(|row| row.slug == slug)?;
        Some(export::follow_up_action(record.clone()))
    }

    /// The follow-up actions read, as rows.
    pub fn follow_up_actions(&self) -> Vec<FollowUpActionRow> {
        self.snapshot.content.follow_up_actions.iter().cloned().map(export::follow_up_action).collect()
    }

    /// The collection `slug` (with its categories) as a row, with its version and each
    /// category's, when it exists.
    pub fn collection(&self, slug: &str) -> Option<CurrentCollection> {
        let record = self.snapshot.content.collections.iter().find(|row| row.slug == slug)?;
        let category_versions = record
            .categories
            .iter()
            .map(|category| (category.slug.clone(), category.version.unwrap_or(1)))
            .collect();
        Some(CurrentCollection {
            row: export::collection(record.clone()),
            version: record.version.unwrap_or(1),
            category_versions,
        })
    }

    /// The slug of the collection with id `id`, when it exists.
    pub fn collection_slug(&self, id: i64) -> Option<&str> {
        self.snapshot.ids.collections.iter().find(|(_, known)| **known == id).map(|(slug, _)| slug.as_str())
    }

    /// The (collection slug, category slug) of the category with id `id`.
    pub fn category_key(&self, id: i64) -> Option<&(String, String)> {
        self.snapshot.ids.categories.iter().find(|(_, known)| **known == id).map(|(key, _)| key)
    }

    /// The journal entry of deleting the case `slug` (or merging it away), when it was read.
    pub fn removal_of_case(&self, slug: &str) -> Option<Removal> {
        let record = self.snapshot.content.cases.iter().find(|row| row.slug == slug)?;
        Some(self.removal(record, &self.snapshot.ids.cases, ChangeKind::Deleted))
    }

    /// The journal entry of deleting the organisation `slug` (`Deleted`), or of merging it
    /// into another (`Merged`).
    pub fn removal_of_organisation(&self, slug: &str, kind: ChangeKind) -> Option<Removal> {
        let record = self.snapshot.content.organisations.iter().find(|row| row.slug == slug)?;
        Some(self.removal(record, &self.snapshot.ids.organisations, kind))
    }

    /// The journal entry of deleting the follow-up action `slug`.
    pub fn removal_of_follow_up_action(&self, slug: &str) -> Option<Removal> {
        let record = self.snapshot.content.follow_up_actions.iter().find(|row| row.slug == slug)?;
        Some(self.removal(record, &self.snapshot.ids.follow_up_actions, ChangeKind::Deleted))
    }

    fn removal<R: Journaled>(
        &self,
        record: &R,
        ids: &std::collections::HashMap<String, i64>,
        kind: ChangeKind,
    ) -> Removal {
        let id = ids.get(record.slug()).copied().unwrap_or_default();
        Removal { entry: entries::removal(id, record, kind) }
    }

    /// Every problem the import's rules find in `document` (checked against what was read).
    pub fn check(&self, document: &Document) -> Vec<ImportError> {
        validate::document(document.clone(), &self.snapshot.ids).err().unwrap_or_default()
    }

    /// Checks `document` with the import's rules against what was read and the database;
    /// writes it when it is clean (nothing when it is not), with its journal entries.
    /// Returns the ids of everything read or written, by slug.
    pub async fn write<C: ConnectionTrait + 'static>(
        self,
        connection: &C,
        document: Document,
        journal: &Journal,
    ) -> Result<std::result::Result<Ids, Vec<ImportError>>> {
        let content = match validate::document(document, &self.snapshot.ids) {
            Ok(content) => content,
            Err(errors) => return Ok(Err(errors)),
        };
        let (_, ids) = import::write(connection, content, self.snapshot, journal).await?;
        Ok(Ok(ids))
    }
}

/// Deletes the objects of `removals` (their child rows go with them) and their search
/// index rows, and journals each.
pub async fn remove<C: ConnectionTrait + 'static>(
    connection: &C,
    removals: Vec<Removal>,
    journal: &Journal,
) -> Result<()> {
    let mut entries = Vec::with_capacity(removals.len());
    // The statistics rollups lose what the deleted cases and links counted for.
    let mut touched = Touched::default();
    for Removal { entry } in removals {
        let id = entry.subject_id;
        match entry.subject_type {
            SubjectType::Case => {
                touched.before_cases(connection, &[id]).await?;
                case::Entity::delete_many().filter(case::Column::Id.eq(id)).exec(connection).await?;
                search::remove(connection, Indexed::Case, &[id]).await?;
            }
            SubjectType::Organisation => {
                let cases = references::case_ids_of_organisation(connection, id).await?;
                touched.before_cases(connection, &cases).await?;
                organisation::Entity::delete_many()
                    .filter(organisation::Column::Id.eq(id))
                    .exec(connection)
                    .await?;
                search::remove(connection, Indexed::Organisation, &[id]).await?;
            }
            SubjectType::FollowUpAction => {
                let cases = references::case_ids_of_follow_up_actions(connection, &[id]).await?;
                touched.before_links(connection, &cases).await?;
                follow_up_action::Entity::delete_many()
                    .filter(follow_up_action::Column::Id.eq(id))
                    .exec(connection)
                    .await?;
                search::remove(connection, Indexed::FollowUpAction, &[id]).await?;
            }
            SubjectType::Collection | SubjectType::Category | SubjectType::ApiKey => {}
        }
        entries.push(entry);
    }
    touched.settle(connection).await?;
    journal::record(connection, journal, entries).await
}
