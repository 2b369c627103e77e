//! Cases: created as drafts, changed field by field, moved through their lifecycle
//! (DRAFT → PUBLISHED → DRAFT …, ARCHIVED and back to DRAFT), deleted only as drafts.

use std::collections::BTreeMap;

use entity::enums::{CaseStatus, OrganisationRole, OrganisationType, SourcingMethod, SubjectType};

use super::problems::{Edited, Layout, Problem, ProblemCode};
use super::texts::{self, ENGLISH};
use super::{Editor, Patch, check_version, id_in, name};
use crate::error::Result;
use crate::exchange::document::{self, CaseOrganisationRow, CaseRow};
use crate::exchange::{Edit, Selection, remove};
use crate::store::references;

/// A case's texts in one locale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseText {
    pub locale: String,
    pub title: String,
    pub summary: Option<String>,
    /// Markdown.
    pub body: Option<String>,
}

/// An organisation involved in a case, by slug, with its role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseLink {
    pub organisation: String,
    pub role: OrganisationRole,
}

/// A new case (always a draft).
#[derive(Clone, Debug, Default)]
pub struct NewCase {
    pub slug: String,
    /// Slug of its collection.
    pub collection: String,
    /// Slug of a category of that collection.
    pub category: String,
    pub industry_chain_link: Option<OrganisationType>,
    pub sourcing_method: Option<SourcingMethod>,
    pub cover_image_url: Option<String>,
    pub is_sample: bool,
    pub translations: Vec<CaseText>,
    pub organisations: Vec<CaseLink>,
    pub countries: Vec<String>,
    pub tags: Vec<String>,
}

/// Changes to a case; what is left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct CaseChanges {
    /// Slug of another category of the case's collection.
    pub category: Option<String>,
    pub industry_chain_link: Patch<OrganisationType>,
    pub sourcing_method: Patch<SourcingMethod>,
    pub cover_image_url: Patch<String>,
    /// Texts to set, each replacing its locale's text.
    pub translations: Vec<CaseText>,
    /// Locales whose text to remove (never `en`).
    pub remove_translations: Vec<String>,
    /// The whole new list, when given.
    pub organisations: Option<Vec<CaseLink>>,
    pub countries: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
}

/// A step of a case's lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// DRAFT → PUBLISHED.
    Publish,
    /// PUBLISHED → DRAFT.
    Unpublish,
    /// DRAFT or PUBLISHED → ARCHIVED.
    Archive,
    /// ARCHIVED → DRAFT.
    Restore,
}

impl Transition {
    fn action(self) -> &'static str {
        match self {
            Self::Publish => "publishCase",
            Self::Unpublish => "unpublishCase",
            Self::Archive => "archiveCase",
            Self::Restore => "restoreCase",
        }
    }

    /// The status after this step from `status`, or why it does not apply.
    fn apply(self, status: CaseStatus) -> std::result::Result<CaseStatus, &'static str> {
        use CaseStatus::{Archived, Draft, Published};
        match (self, status) {
            (Self::Publish, Draft) => Ok(Published),
            (Self::Publish, Published) => Err("the case is already published"),
            (Self::Publish, Archived) => {
                Err("an archived case is restored (to a draft) before it is published")
            }
            (Self::Unpublish, Published) => Ok(Draft),
            (Self::Unpublish, _) => Err("only a published case can be unpublished"),
            (Self::Archive, Draft | Published) => Ok(Archived),
            (Self::Archive, Archived) => Err("the case is already archived"),
            (Self::Restore, Archived) => Ok(Draft),
            (Self::Restore, _) => Err("only an archived case can be restored"),
        }
    }
}

fn text(text: CaseText) -> (String, document::CaseText) {
    (text.locale, document::CaseText { title: text.title, summary: text.summary, body: text.body })
}

fn links(links: Vec<CaseLink>) -> Vec<CaseOrganisationRow> {
    links
        .into_iter()
        .map(|link| CaseOrganisationRow { organisation: link.organisation, role: name(link.role) })
        .collect()
}

/// The current status of a row read from the database.
fn status(row: &CaseRow) -> CaseStatus {
    match row.status.as_str() {
        "PUBLISHED" => CaseStatus::Published,
        "ARCHIVED" => CaseStatus::Archived,
        _ => CaseStatus::Draft,
    }
}

/// A row about to be written: its stamps are the writer's to set.
fn restamp(row: &mut CaseRow) {
    row.updated_at = None;
    row.version = None;
}

impl Editor {
    /// Creates a draft case. Returns its id.
    pub async fn create_case(&self, new: NewCase) -> Result<Edited<i64>> {
        let change = self.begin("createCase").await?;
        let mut problems = Vec::new();
        let mut texts = BTreeMap::new();
        let set = new.translations.into_iter().map(text).collect();
        let locales = texts::apply(&mut texts, set, &[], None, &mut problems);
        if !texts.contains_key(ENGLISH) {
            problems.push(Problem::at(
                &["translations"],
                ProblemCode::Required,
                "a case needs an English (en) text",
            ));
        }
        let slug = new.slug;
        let row = CaseRow {
            slug: slug.clone(),
            collection: new.collection,
            category: new.category,
            status: name(CaseStatus::Draft),
            industry_chain_link: new.industry_chain_link.map(name),
            sourcing_method: new.sourcing_method.map(name),
            cover_image_url: new.cover_image_url,
            is_sample: new.is_sample,
            texts,
            organisations: links(new.organisations),
            countries: new.countries,
            tags: new.tags,
            ..CaseRow::default()
        };
        let mut document = Edit::document();
        document.cases.push(row);
        let edit = change.read(&Selection::of(&document)).await?;
        if edit.case(&slug).is_some() {
            problems.push(Problem::at(
                &["slug"],
                ProblemCode::Duplicate,
                format!("a case with the slug {slug:?} exists"),
            ));
        }
        let written = change.write(edit, document, &Layout::of(locales), problems).await?;
        let outcome = written.map(|ids| id_in(&ids.cases, &slug));
        self.finish(change, outcome).await
    }

    /// Changes the case `id`, at version `expected`. Returns its id.
    pub async fn update_case(&self, id: i64, expected: i32, changes: CaseChanges) -> Result<Edited<i64>> {
        let change = self.begin("updateCase").await?;
        let mut selection = Selection::default();
        for link in changes.organisations.iter().flatten() {
            selection.organisations.insert(link.organisation.clone());
        }
        selection.tags.extend(changes.tags.iter().flatten().cloned());
        let outcome = match self.current_case(&change, id, expected, selection).await? {
            Err(problems) => Err(problems),
            Ok((edit, mut row)) => {
                let mut problems = Vec::new();
                let layout = Layout::of(apply(&mut row, changes, &mut problems));
                restamp(&mut row);
                let mut document = Edit::document();
                document.cases.push(row);
                change.write(edit, document, &layout, problems).await?.map(|_| id)
            }
        };
        self.finish(change, outcome).await
    }

    /// Moves the case `id`, at version `expected`, one step through its lifecycle.
    pub async fn transition_case(&self, id: i64, expected: i32, step: Transition) -> Result<Edited<i64>> {
        let change = self.begin(step.action()).await?;
        let outcome = match self.current_case(&change, id, expected, Selection::default()).await? {
            Err(problems) => Err(problems),
            Ok((edit, mut row)) => match step.apply(status(&row)) {
                Err(reason) => Err(vec![Problem::at(&["id"], ProblemCode::InvalidTransition, reason)]),
                Ok(next) => {
                    match next {
                        CaseStatus::Published => {
                            row.published_at = Some(crate::exchange::format_timestamp(change.journal.now));
                        }
                        CaseStatus::Draft => row.published_at = None,
                        CaseStatus::Archived => {}
                    }
                    row.status = name(next);
                    restamp(&mut row);
                    let mut document = Edit::document();
                    document.cases.push(row);
                    change.write(edit, document, &Layout::default(), Vec::new()).await?.map(|_| id)
                }
            },
        };
        self.finish(change, outcome).await
    }

    /// Deletes the draft case `id`, at version `expected`; the follow-up actions that
    /// concerned it no longer do. A published or archived case is never deleted.
    pub async fn delete_case(&self, id: i64, expected: i32) -> Result<Edited<i64>> {
        let change = self.begin("deleteCase").await?;
        let mut selection = Selection::default();
        selection
            .follow_up_actions
            .extend(references::follow_up_actions_of_case(&change.transaction, id).await?);
        let outcome = match self.current_case(&change, id, expected, selection).await? {
            Err(problems) => Err(problems),
            Ok((_, row)) if status(&row) != CaseStatus::Draft => Err(vec![Problem::at(
                &["id"],
                ProblemCode::InvalidTransition,
                "only a draft case can be deleted: a published case is archived (archiveCase)",
            )]),
            Ok((edit, row)) => {
                let removal = edit.removal_of_case(&row.slug);
                let mut document = Edit::document();
                for mut action in edit.follow_up_actions() {
                    action.cases.retain(|case| *case != row.slug);
                    action.updated_at = None;
                    action.version = None;
                    document.follow_up_actions.push(action);
                }
                match change.write(edit, document, &Layout::default(), Vec::new()).await? {
                    Err(problems) => Err(problems),
                    Ok(_) => {
                        remove(&change.transaction, removal.into_iter().collect(), &change.journal).await?;
                        Ok(id)
                    }
                }
            }
        };
        self.finish(change, outcome).await
    }

    /// The case `id` as a row, read with what `selection` names, when it is at `expected`.
    async fn current_case(
        &self,
        change: &super::Change,
        id: i64,
        expected: i32,
        mut selection: Selection,
    ) -> Result<Edited<(Edit, CaseRow)>> {
        let slug = match change.slug_of(SubjectType::Case, id, "id", "case").await? {
            Ok(slug) => slug,
            Err(problems) => return Ok(Err(problems)),
        };
        selection.cases.insert(slug.clone());
        let edit = change.read(&selection).await?;
        let Some(row) = edit.case(&slug) else { return Ok(Err(vec![Problem::not_found("id", "case")])) };
        if let Err(problems) = check_version("case", expected, row.version) {
            return Ok(Err(problems));
        }
        Ok(Ok((edit, row)))
    }
}

/// Applies `changes` to `row`; returns the locales the changes set, in input order.
fn apply(row: &mut CaseRow, changes: CaseChanges, problems: &mut Vec<Problem>) -> Vec<String> {
    if let Some(category) = changes.category {
        row.category = category;
    }
    changes.industry_chain_link.map(name).apply(&mut row.industry_chain_link);
    changes.sourcing_method.map(name).apply(&mut row.sourcing_method);
    changes.cover_image_url.apply(&mut row.cover_image_url);
    if let Some(organisations) = changes.organisations {
        row.organisations = links(organisations);
    }
    if let Some(countries) = changes.countries {
        row.countries = countries;
    }
    if let Some(tags) = changes.tags {
        row.tags = tags;
    }
    let set = changes.translations.into_iter().map(text).collect();
    texts::apply(&mut row.texts, set, &changes.remove_translations, Some(ENGLISH), problems)
}
