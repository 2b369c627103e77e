//! Organisations: created, changed, deleted while nothing refers to them, and merged
//! (every reference to the duplicates moved to the one kept, in one transaction).

use std::collections::{BTreeMap, BTreeSet};

use entity::enums::{ChangeKind, OrganisationRole, OrganisationType, SubjectType};

use super::problems::{Edited, Layout, Problem, ProblemCode};
use super::texts::{self, NameText};
use super::{Editor, Patch, check_version, id_in, name};
use crate::error::Result;
use crate::exchange::document::{self, CaseOrganisationRow, OrganisationRow};
use crate::exchange::{Edit, Selection, remove};
use crate::store::references;

/// Most referring objects a problem names.
const NAMED: usize = 10;

/// A new organisation.
#[derive(Clone, Debug, Default)]
pub struct NewOrganisation {
    pub slug: String,
    pub organisation_type: Option<OrganisationType>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub website: Option<String>,
    pub is_sample: bool,
    pub translations: Vec<NameText>,
}

/// Changes to an organisation; what is left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct OrganisationChanges {
    pub organisation_type: Option<OrganisationType>,
    pub country: Patch<String>,
    pub region: Patch<String>,
    pub website: Patch<String>,
    pub translations: Vec<NameText>,
    pub remove_translations: Vec<String>,
}

fn text(text: NameText) -> (String, document::NameText) {
    (text.locale, document::NameText { name: text.name, description: text.description })
}

/// `slugs`, at most [`NAMED`] of them, and how many more.
fn listed(slugs: &[String]) -> String {
    let shown: Vec<&str> = slugs.iter().take(NAMED).map(String::as_str).collect();
    match slugs.len().saturating_sub(NAMED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

impl Editor {
    /// Creates an organisation. Returns its id.
    pub async fn create_organisation(&self, new: NewOrganisation) -> Result<Edited<i64>> {
        let change = self.begin("createOrganisation").await?;
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
        let row = OrganisationRow {
            slug: slug.clone(),
            organisation_type: new.organisation_type.map(name).unwrap_or_default(),
            country: new.country,
            region: new.region,
            website: new.website,
            is_sample: new.is_sample,
            texts,
            ..OrganisationRow::default()
        };
        let mut document = Edit::document();
        document.organisations.push(row);
        let edit = change.read(&Selection::of(&document)).await?;
        if edit.organisation(&slug).is_some() {
            problems.push(Problem::at(
                &["slug"],
                ProblemCode::Duplicate,
                format!("an organisation with the slug {slug:?} exists"),
            ));
        }
        let written = change.write(edit, document, &Layout::of(locales), problems).await?;
        let outcome = written.map(|ids| id_in(&ids.organisations, &slug));
        self.finish(change, outcome).await
    }

    /// Changes the organisation `id`, at version `expected`.
    pub async fn update_organisation(
        &self,
        id: i64,
        expected: i32,
        changes: OrganisationChanges,
    ) -> Result<Edited<i64>> {
        let change = self.begin("updateOrganisation").await?;
        let outcome = match self.current_organisation(&change, id, expected, Selection::default()).await? {
            Err(problems) => Err(problems),
            Ok((edit, mut row)) => {
                let mut problems = Vec::new();
                if let Some(organisation_type) = changes.organisation_type {
                    row.organisation_type = name(organisation_type);
                }
                changes.country.apply(&mut row.country);
                changes.region.apply(&mut row.region);
                changes.website.apply(&mut row.website);
                let set = changes.translations.into_iter().map(text).collect();
                let locales =
                    texts::apply(&mut row.texts, set, &changes.remove_translations, None, &mut problems);
                row.updated_at = None;
                row.version = None;
                let mut document = Edit::document();
                document.organisations.push(row);
                change.write(edit, document, &Layout::of(locales), problems).await?.map(|_| id)
            }
        };
        self.finish(change, outcome).await
    }

    /// Deletes the organisation `id`, at version `expected`, unless a case or a follow-up
    /// action refers to it (then the problem names them).
    pub async fn delete_organisation(&self, id: i64, expected: i32) -> Result<Edited<i64>> {
        let change = self.begin("deleteOrganisation").await?;
        let cases = references::cases_of_organisation(&change.transaction, id).await?;
        let actions = references::follow_up_actions_of_organisation(&change.transaction, id).await?;
        let outcome = match self.current_organisation(&change, id, expected, Selection::default()).await? {
            Err(problems) => Err(problems),
            Ok(_) if !cases.is_empty() || !actions.is_empty() => {
                let mut users = Vec::new();
                if !cases.is_empty() {
                    users.push(format!("cases {}", listed(&cases)));
                }
                if !actions.is_empty() {
                    users.push(format!("follow-up actions {}", listed(&actions)));
                }
                Err(vec![Problem::at(
                    &["id"],
                    ProblemCode::InUse,
                    format!(
                        "the organisation is referred to by {}: change those first, or merge it into another \
                         (mergeOrganisations)",
                        users.join(" and ")
                    ),
                )])
            }
            Ok((edit, row)) => {
                let removal = edit.removal_of_organisation(&row.slug, ChangeKind::Deleted);
                remove(&change.transaction, removal.into_iter().collect(), &change.journal).await?;
                Ok(id)
            }
        };
        self.finish(change, outcome).await
    }

    /// Merges the organisations `duplicates` into `keep` (at version `expected`): every
    /// case and follow-up action that named a duplicate names `keep` instead (a case that
    /// named both keeps one link, LEAD when either was), then the duplicates are deleted.
    pub async fn merge_organisations(
        &self,
        keep: i64,
        expected: i32,
        duplicates: Vec<i64>,
    ) -> Result<Edited<i64>> {
        let change = self.begin("mergeOrganisations").await?;
        let mut problems = Vec::new();
        let mut slugs = BTreeMap::new();
        let mut selection = Selection::default();
        if duplicates.is_empty() {
            problems.push(Problem::at(
                &["mergeIds"],
                ProblemCode::Required,
                "name at least one organisation to merge",
            ));
        }
        for (index, id) in duplicates.iter().enumerate() {
            let path = ["mergeIds".to_owned(), index.to_string()];
            if *id == keep {
                problems.push(Problem::at(
                    &path,
                    ProblemCode::Invalid,
                    "an organisation is not merged into itself",
                ));
                continue;
            }
            match references::slug_of(&change.transaction, SubjectType::Organisation, *id).await? {
                None => {
                    problems.push(Problem::at(&path, ProblemCode::NotFound, "no organisation has this id"))
                }
                Some(slug) => {
                    selection
                        .cases
                        .extend(references::cases_of_organisation(&change.transaction, *id).await?);
                    selection.follow_up_actions.extend(
                        references::follow_up_actions_of_organisation(&change.transaction, *id).await?,
                    );
                    selection.organisations.insert(slug.clone());
                    slugs.insert(*id, slug);
                }
            }
        }
        let outcome = match self.current_organisation(&change, keep, expected, selection).await? {
            Err(mut found) => {
                found.extend(problems);
                Err(found)
            }
            Ok(_) if !problems.is_empty() => Err(problems),
            Ok((edit, kept)) => {
                let merged: BTreeSet<String> = slugs.into_values().collect();
                let mut document = Edit::document();
                for mut case in edit.cases() {
                    if case.organisations.iter().any(|link| merged.contains(&link.organisation)) {
                        case.organisations = relink(case.organisations, &merged, &kept.slug);
                        case.updated_at = None;
                        case.version = None;
                        document.cases.push(case);
                    }
                }
                for mut action in edit.follow_up_actions() {
                    if action.organiser.as_ref().is_some_and(|organiser| merged.contains(organiser)) {
                        action.organiser = Some(kept.slug.clone());
                        action.updated_at = None;
                        action.version = None;
                        document.follow_up_actions.push(action);
                    }
                }
                let removals: Vec<_> = merged
                    .iter()
                    .filter_map(|slug| edit.removal_of_organisation(slug, ChangeKind::Merged))
                    .map(|removal| removal.merged_into(&kept.slug))
                    .collect();
                match change.write(edit, document, &Layout::default(), Vec::new()).await? {
                    Err(problems) => Err(problems),
                    Ok(_) => {
                        remove(&change.transaction, removals, &change.journal).await?;
                        Ok(keep)
                    }
                }
            }
        };
        self.finish(change, outcome).await
    }

    /// The organisation `id` as a row, read with what `selection` names, when it is at
    /// `expected`.
    async fn current_organisation(
        &self,
        change: &super::Change,
        id: i64,
        expected: i32,
        mut selection: Selection,
    ) -> Result<Edited<(Edit, OrganisationRow)>> {
        let slug = match change.slug_of(SubjectType::Organisation, id, "id", "organisation").await? {
            Ok(slug) => slug,
            Err(problems) => return Ok(Err(problems)),
        };
        selection.organisations.insert(slug.clone());
        let edit = change.read(&selection).await?;
        let Some(row) = edit.organisation(&slug) else {
            return Ok(Err(vec![Problem::not_found("id", "organisation")]));
        };
        if let Err(problems) = check_version("organisation", expected, row.version) {
            return Ok(Err(problems));
        }
        Ok(Ok((edit, row)))
    }
}

/// A case's links with every merged organisation replaced by `kept`, each organisation
/// once (in first position, LEAD when any of its links was).
fn relink(
    links: Vec<CaseOrganisationRow>,
    merged: &BTreeSet<String>,
    kept: &str,
) -> Vec<CaseOrganisationRow> {
    let lead = name(OrganisationRole::Lead);
    let mut result: Vec<CaseOrganisationRow> = Vec::with_capacity(links.len());
    for mut link in links {
        if merged.contains(&link.organisation) {
            link.organisation = kept.to_owned();
        }
        match result.iter_mut().find(|existing| existing.organisation == link.organisation) {
            Some(existing) => {
                if link.role == lead {
                    existing.role = lead.clone();
                }
            }
            None => result.push(link),
        }
    }
    result
}
