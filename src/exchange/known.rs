//! The slugs a file may refer to: those in the database and those the file itself defines.
//! Row checks ask it whether a collection, category, organisation or case exists.

use std::collections::{HashMap, HashSet};

use super::document::Document;
use super::errors::ProblemKind;
use super::fields::Row;
use super::snapshot::Ids;

/// Slugs a file may refer to: those in the database and those in the file itself.
#[derive(Debug, Default)]
pub struct Known {
    /// Category slugs by collection slug.
    categories: HashMap<String, HashSet<String>>,
    organisations: HashSet<String>,
    cases: HashSet<String>,
}

impl Known {
    /// What the database holds.
    pub fn new(ids: &Ids) -> Self {
        let mut known = Self::default();
        for collection in ids.collections.keys() {
            known.categories.entry(collection.clone()).or_default();
        }
        for (collection, category) in ids.categories.keys() {
            known.categories.entry(collection.clone()).or_default().insert(category.clone());
        }
        known.organisations.extend(ids.organisations.keys().cloned());
        known.cases.extend(ids.cases.keys().cloned());
        known
    }

    /// Adds what `document` defines.
    pub fn add(&mut self, document: &Document) {
        for collection in &document.collections {
            let categories = self.categories.entry(collection.slug.clone()).or_default();
            categories.extend(collection.categories.iter().map(|category| category.slug.clone()));
        }
        self.organisations.extend(document.organisations.iter().map(|row| row.slug.clone()));
        self.cases.extend(document.cases.iter().map(|row| row.slug.clone()));
    }

    /// Records a problem unless `collection` is known.
    pub fn check_collection(&self, row: &mut Row<'_>, field: &str, collection: &str) -> bool {
        let known = self.categories.contains_key(collection);
        if !known {
            row.problem(field, ProblemKind::NotFound, format!("unknown collection {collection:?}"));
        }
        known
    }

    /// Records a problem unless `category` is a category of `collection`.
    pub fn check_category(&self, row: &mut Row<'_>, collection: &str, category: &str) {
        if self.check_collection(row, "collection", collection)
            && !self.categories.get(collection).is_some_and(|categories| categories.contains(category))
        {
            row.problem(
                "category",
                ProblemKind::NotFound,
                format!("unknown category {category:?} in collection {collection:?}"),
            );
        }
    }

    /// Records a problem unless `organisation` is known.
    pub fn check_organisation(&self, row: &mut Row<'_>, field: &str, organisation: &str) {
        if !self.organisations.contains(organisation) {
            row.problem(field, ProblemKind::NotFound, format!("unknown organisation {organisation:?}"));
        }
    }

    /// Records a problem unless `case` is known.
    pub fn check_case(&self, row: &mut Row<'_>, field: &str, case: &str) {
        if !self.cases.contains(case) {
            row.problem(field, ProblemKind::NotFound, format!("unknown case {case:?}"));
        }
    }
}
