//! Collections (yearly editions) with their categories: opened with every category at
//! once, then changed one collection or one category at a time. Scope `admin`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::problems::{Edited, Layout, Problem, ProblemCode};
use super::texts::{self, NameText};
use super::{Editor, Patch, check_version, id_in};
use crate::error::Result;
use crate::exchange::document::{self, CategoryRow, CollectionRow, CollectionText};
use crate::exchange::{Edit, Selection};

/// A new category of a new collection.
#[derive(Clone, Debug, Default)]
pub struct NewCategory {
    pub slug: String,
    pub position: i32,
    pub translations: Vec<NameText>,
}

/// A new collection (an edition) with its categories.
#[derive(Clone, Debug, Default)]
pub struct NewCollection {
    pub slug: String,
    pub year: i32,
    pub publisher: Option<String>,
    pub released_on: Option<NaiveDate>,
    pub released_at_event: Option<String>,
    pub declared_case_count: Option<i32>,
    pub call_for_cases_started: Option<String>,
    pub sources: Vec<String>,
    pub themes: Vec<String>,
    /// Titles: (locale, title).
    pub translations: Vec<(String, String)>,
    pub categories: Vec<NewCategory>,
}

/// Changes to a collection; what is left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct CollectionChanges {
    pub year: Option<i32>,
    pub publisher: Patch<String>,
    pub released_on: Patch<NaiveDate>,
    pub released_at_event: Patch<String>,
    pub declared_case_count: Patch<i32>,
    pub call_for_cases_started: Patch<String>,
    pub sources: Option<Vec<String>>,
    pub themes: Option<Vec<String>>,
    /// Titles to set: (locale, title).
    pub translations: Vec<(String, String)>,
    pub remove_translations: Vec<String>,
}

/// Changes to a category; what is left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct CategoryChanges {
    pub position: Option<i32>,
    pub translations: Vec<NameText>,
    pub remove_translations: Vec<String>,
}

fn title((locale, title): (String, String)) -> (String, CollectionText) {
    (locale, CollectionText { title })
}

fn name_text(text: NameText) -> (String, document::NameText) {
    (text.locale, document::NameText { name: text.name, description: text.description })
}

fn date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

impl Editor {
    /// Opens a new edition with its categories. Returns the collection's id.
    pub async fn create_collection(&self, new: NewCollection) -> Result<Edited<i64>> {
        let change = self.begin("createCollection").await?;
        let mut problems = Vec::new();
        let mut layout = Layout::default();
        let mut titles = BTreeMap::new();
        let set = new.translations.into_iter().map(title).collect();
        layout.locales.insert(String::new(), texts::apply(&mut titles, set, &[], None, &mut problems));
        let mut categories = Vec::with_capacity(new.categories.len());
        for (index, category) in new.categories.into_iter().enumerate() {
            let mut found = Vec::new();
            let mut names = BTreeMap::new();
            let set = category.translations.into_iter().map(name_text).collect();
            layout
                .locales
                .insert(format!("categories[{index}]"), texts::apply(&mut names, set, &[], None, &mut found));
            problems.extend(found.into_iter().map(|mut problem| {
                problem.path.splice(0..0, ["categories".to_owned(), index.to_string()]);
                problem
            }));
            categories.push(CategoryRow { slug: category.slug, position: category.position, texts: names });
        }
        if categories.is_empty() {
            problems.push(Problem::at(
                &["categories"],
                ProblemCode::Required,
                "an edition needs its categories",
            ));
        }
        let slug = new.slug;
        let row = CollectionRow {
            slug: slug.clone(),
            year: new.year,
            texts: titles,
            publisher: new.publisher,
            released_on: new.released_on.map(date),
            released_at_event: new.released_at_event,
            declared_case_count: new.declared_case_count,
            call_for_cases_started: new.call_for_cases_started,
            sources: new.sources,
            themes: new.themes,
            categories,
        };
        let edit = change.read(&Selection::default()).await?;
        if edit.collection(&slug).is_some() {
            problems.push(Problem::at(
                &["slug"],
                ProblemCode::Duplicate,
                format!("a collection with the slug {slug:?} exists"),
            ));
        }
        let mut document = Edit::document();
        document.collections.push(row);
        let written = change.write(edit, document, &layout, problems).await?;
        let outcome = written.map(|ids| id_in(&ids.collections, &slug));
        self.finish(change, outcome).await
    }

    /// Changes the collection `id`, at version `expected`.
    pub async fn update_collection(
        &self,
        id: i64,
        expected: i32,
        changes: CollectionChanges,
    ) -> Result<Edited<i64>> {
        let change = self.begin("updateCollection").await?;
        let edit = change.read(&Selection::default()).await?;
        let current = edit.collection_slug(id).and_then(|slug| edit.collection(slug));
        let outcome = match current {
            None => Err(vec![Problem::not_found("id", "collection")]),
            Some(current) => match check_version("collection", expected, Some(current.version)) {
                Err(problems) => Err(problems),
                Ok(()) => {
                    let mut row = current.row;
                    let mut problems = Vec::new();
                    if let Some(year) = changes.year {
                        row.year = year;
                    }
                    changes.publisher.apply(&mut row.publisher);
                    changes.released_on.map(date).apply(&mut row.released_on);
                    changes.released_at_event.apply(&mut row.released_at_event);
                    changes.declared_case_count.apply(&mut row.declared_case_count);
                    changes.call_for_cases_started.apply(&mut row.call_for_cases_started);
                    if let Some(sources) = changes.sources {
                        row.sources = sources;
                    }
                    if let Some(themes) = changes.themes {
                        row.themes = themes;
                    }
                    let set = changes.translations.into_iter().map(title).collect();
                    let locales =
                        texts::apply(&mut row.texts, set, &changes.remove_translations, None, &mut problems);
                    let mut document = Edit::document();
                    document.collections.push(row);
                    change.write(edit, document, &Layout::of(locales), problems).await?.map(|_| id)
                }
            },
        };
        self.finish(change, outcome).await
    }

    /// Changes the category `id`, at version `expected`.
    pub async fn update_category(
        &self,
        id: i64,
        expected: i32,
        changes: CategoryChanges,
    ) -> Result<Edited<i64>> {
        let change = self.begin("updateCategory").await?;
        let edit = change.read(&Selection::default()).await?;
        let current = edit.category_key(id).cloned().and_then(|(collection, category)| {
            let current = edit.collection(&collection)?;
            let version = current
                .category_versions
                .iter()
                .find(|(slug, _)| *slug == category)
                .map(|(_, version)| *version);
            Some((current.row, category, version))
        });
        let outcome = match current {
            None => Err(vec![Problem::not_found("id", "category")]),
            Some((mut row, category, version)) => match check_version("category", expected, version) {
                Err(problems) => Err(problems),
                Ok(()) => {
                    let mut problems = Vec::new();
                    let mut locales = Vec::new();
                    let mut layout_key = String::new();
                    for (index, member) in row.categories.iter_mut().enumerate() {
                        if member.slug != category {
                            continue;
                        }
                        layout_key = format!("categories[{index}]");
                        if let Some(position) = changes.position {
                            member.position = position;
                        }
                        let set = changes.translations.clone().into_iter().map(name_text).collect();
                        locales = texts::apply(
                            &mut member.texts,
                            set,
                            &changes.remove_translations,
                            None,
                            &mut problems,
                        );
                    }
                    // Problems of the category's own fields are the input's own fields.
                    let mut layout = Layout::default();
                    layout.locales.insert(layout_key.clone(), locales);
                    let mut document = Edit::document();
                    document.collections.push(row);
                    let prefix = format!("{layout_key}.");
                    change.write(edit, document, &layout, problems).await?.map(|_| id).map_err(|problems| {
                        problems.into_iter().map(|problem| unprefix(problem, &prefix)).collect()
                    })
                }
            },
        };
        self.finish(change, outcome).await
    }
}

/// A problem of `categories.<n>.<field>` as a problem of the category input's `<field>`.
fn unprefix(mut problem: Problem, prefix: &str) -> Problem {
    let parts: Vec<&str> =
        prefix.trim_end_matches('.').split(['[', ']']).filter(|part| !part.is_empty()).collect();
    if problem.path.len() > parts.len() && problem.path.iter().zip(&parts).all(|(a, b)| a == b) {
        problem.path.drain(..parts.len());
    }
    problem
}
