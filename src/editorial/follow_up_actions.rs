//! Follow-up actions: created, changed, deleted, and linked to or unlinked from cases.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::enums::{FollowUpActionKind, FollowUpActionStatus, SubjectType};

use super::problems::{Edited, Layout, Problem, ProblemCode};
use super::texts::{self, TitleText};
use super::{Editor, Patch, check_version, id_in, name};
use crate::error::Result;
use crate::exchange::document::{self, FollowUpActionRow};
use crate::exchange::{Edit, Selection, remove};

/// A new follow-up action.
#[derive(Clone, Debug, Default)]
pub struct NewFollowUpAction {
    pub slug: String,
    pub kind: Option<FollowUpActionKind>,
    pub status: Option<FollowUpActionStatus>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub place: Option<String>,
    /// Slug of the organising organisation.
    pub organiser: Option<String>,
    /// Slug of the collection it was announced with.
    pub collection: Option<String>,
    pub is_sample: bool,
    pub translations: Vec<TitleText>,
    /// Slugs of the cases it concerns.
    pub cases: Vec<String>,
}

/// Changes to a follow-up action; what is left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct FollowUpActionChanges {
    pub kind: Option<FollowUpActionKind>,
    pub status: Option<FollowUpActionStatus>,
    pub starts_on: Patch<NaiveDate>,
    pub ends_on: Patch<NaiveDate>,
    pub place: Patch<String>,
    pub organiser: Patch<String>,
    pub collection: Patch<String>,
    pub translations: Vec<TitleText>,
    pub remove_translations: Vec<String>,
}

fn text(text: TitleText) -> (String, document::TitleText) {
    (text.locale, document::TitleText { title: text.title, description: text.description })
}

fn date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

impl Editor {
    /// Creates a follow-up action. Returns its id.
    pub async fn create_follow_up_action(&self, new: NewFollowUpAction) -> Result<Edited<i64>> {
        let change = self.begin("createFollowUpAction").await?;
        let mut problems = Vec::new();
        let mut texts = BTreeMap::new();
        let locales = texts::apply(
            &mut texts,
            new.translations.into_iter().map(text).collect(),
            &[],
            None,
            &mut problems,
        );
        let slug = new.slug;
        let row = FollowUpActionRow {
            slug: slug.clone(),
            kind: new.kind.map(name).unwrap_or_default(),
            status: new.status.map(name).unwrap_or_default(),
            starts_on: new.starts_on.map(date),
            ends_on: new.ends_on.map(date),
            place: new.place,
            organiser: new.organiser,
            collection: new.collection,
            is_sample: new.is_sample,
            texts,
            cases: new.cases,
            ..FollowUpActionRow::default()
        };
        let mut document = Edit::document();
        document.follow_up_actions.push(row);
        let edit = change.read(&Selection::of(&document)).await?;
        if edit.follow_up_action(&slug).is_some() {
            problems.push(Problem::at(
                &["slug"],
                ProblemCode::Duplicate,
                format!("a follow-up action with the slug {slug:?} exists"),
            ));
        }
        let written = change.write(edit, document, &Layout::of(locales), problems).await?;
        let outcome = written.map(|ids| id_in(&ids.follow_up_actions, &slug));
        self.finish(change, outcome).await
    }

    /// Changes the follow-up action `id`, at version `expected`.
    pub async fn update_follow_up_action(
        &self,
        id: i64,
        expected: i32,
        changes: FollowUpActionChanges,
    ) -> Result<Edited<i64>> {
        let change = self.begin("updateFollowUpAction").await?;
        let mut selection = Selection::default();
        if let Patch::Set(organiser) = &changes.organiser {
            selection.organisations.insert(organiser.clone());
        }
        let outcome = match self.current_follow_up_action(&change, id, expected, selection).await? {
            Err(problems) => Err(problems),
            Ok((edit, mut row)) => {
                let mut problems = Vec::new();
                if let Some(kind) = changes.kind {
                    row.kind = name(kind);
                }
                if let Some(status) = changes.status {
                    row.status = name(status);
                }
                changes.starts_on.map(date).apply(&mut row.starts_on);
                changes.ends_on.map(date).apply(&mut row.ends_on);
                changes.place.apply(&mut row.place);
                changes.organiser.apply(&mut row.organiser);
                changes.collection.apply(&mut row.collection);
                let set = changes.translations.into_iter().map(text).collect();
                let locales =
                    texts::apply(&mut row.texts, set, &changes.remove_translations, None, &mut problems);
                row.updated_at = None;
                row.version = None;
                let mut document = Edit::document();
                document.follow_up_actions.push(row);
                change.write(edit, document, &Layout::of(locales), problems).await?.map(|_| id)
            }
        };
        self.finish(change, outcome).await
    }

    /// Deletes the follow-up action `id`, at version `expected` (its case links go with it).
    pub async fn delete_follow_up_action(&self, id: i64, expected: i32) -> Result<Edited<i64>> {
        let change = self.begin("deleteFollowUpAction").await?;
        let outcome = match self.current_follow_up_action(&change, id, expected, Selection::default()).await?
        {
            Err(problems) => Err(problems),
            Ok((edit, row)) => {
                let removal = edit.removal_of_follow_up_action(&row.slug);
                remove(&change.transaction, removal.into_iter().collect(), &change.journal).await?;
                Ok(id)
            }
        };
        self.finish(change, outcome).await
    }

    /// Links the cases `cases` (slugs) to the follow-up action `id`, at version
    /// `expected` (`link`), or unlinks them (not `link`).
    pub async fn link_cases(
        &self,
        id: i64,
        expected: i32,
        cases: Vec<String>,
        link: bool,
    ) -> Result<Edited<i64>> {
        let action = if link { "linkFollowUpActionCases" } else { "unlinkFollowUpActionCases" };
        let change = self.begin(action).await?;
        let mut selection = Selection::default();
        selection.cases.extend(cases.iter().cloned());
        let outcome = match self.current_follow_up_action(&change, id, expected, selection).await? {
            Err(problems) => Err(problems),
            Ok((edit, mut row)) => {
                let mut problems = Vec::new();
                if cases.is_empty() {
                    problems.push(Problem::at(&["cases"], ProblemCode::Required, "name at least one case"));
                }
                for (index, slug) in cases.iter().enumerate() {
                    let path = ["cases".to_owned(), index.to_string()];
                    let linked = row.cases.contains(slug);
                    if link && edit.case(slug).is_none() {
                        problems.push(Problem::at(
                            &path,
                            ProblemCode::NotFound,
                            format!("no case has the slug {slug:?}"),
                        ));
                    } else if link && !linked {
                        row.cases.push(slug.clone());
                    } else if !link && !linked {
                        problems.push(Problem::at(
                            &path,
                            ProblemCode::NotFound,
                            format!("the case {slug:?} is not linked"),
                        ));
                    } else if !link {
                        row.cases.retain(|case| case != slug);
                    }
                }
                row.updated_at = None;
                row.version = None;
                let mut document = Edit::document();
                document.follow_up_actions.push(row);
                change.write(edit, document, &Layout::default(), problems).await?.map(|_| id)
            }
        };
        self.finish(change, outcome).await
    }

    /// The follow-up action `id` as a row, read with what `selection` names, when it is
    /// at `expected`.
    async fn current_follow_up_action(
        &self,
        change: &super::Change,
        id: i64,
        expected: i32,
        mut selection: Selection,
    ) -> Result<Edited<(Edit, FollowUpActionRow)>> {
        let slug = match change.slug_of(SubjectType::FollowUpAction, id, "id", "follow-up action").await? {
            Ok(slug) => slug,
            Err(problems) => return Ok(Err(problems)),
        };
        selection.follow_up_actions.insert(slug.clone());
        let edit = change.read(&selection).await?;
        let Some(row) = edit.follow_up_action(&slug) else {
            return Ok(Err(vec![Problem::not_found("id", "follow-up action")]));
        };
        if let Err(problems) = check_version("follow-up action", expected, row.version) {
            return Ok(Err(problems));
        }
        Ok(Ok((edit, row)))
    }
}
