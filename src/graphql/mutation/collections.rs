//! Collection and category mutations (scope `admin`): open a new edition with its
//! categories, change an edition, change a category.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::NaiveDate;

use super::editor::{Needs, editor};
use super::organisations::{NameTranslationInput, name_texts};
use super::user_error::{UserError, user_errors};
use super::{WRITE_COST, patch, subject};
use crate::editorial::{CategoryChanges, CollectionChanges, Edited, NewCategory, NewCollection, Problem};
use crate::graphql::cost_directives::{TYPICAL_USER_ERRORS, cost, list_size};
use crate::graphql::id::NodeKind;
use crate::graphql::loaders::{Loaders, load};
use crate::graphql::types::{Category, Collection};

/// A collection's title in one locale.
#[derive(Debug, InputObject)]
pub struct TitleOnlyTranslationInput {
    /// Language tag such as `en`, `zh` or `ar`.
    pub locale: String,
    /// Title, 1 to 300 characters on one line.
    pub title: String,
}

/// A category of a new collection.
#[derive(Debug, InputObject)]
pub struct CreateCategoryInput {
    /// Key within the collection: `a-z`, `0-9` and `-`, at most 120 characters.
    pub slug: String,
    /// Order within the collection, from 1.
    pub position: i32,
    /// Names per locale; at least one.
    pub translations: Vec<NameTranslationInput>,
}

/// A new edition of the case collection, with its categories.
#[derive(Debug, InputObject)]
pub struct CreateCollectionInput {
    /// Permanent key such as `wic-cbec-2026`: `a-z`, `0-9` and `-`, at most 120 characters.
    pub slug: String,
    /// Edition year (2000 to 2100).
    pub year: i32,
    /// Publisher (one line).
    pub publisher: Option<String>,
    /// Day of release.
    pub released_on: Option<NaiveDate>,
    /// Event where it was released (one line).
    pub released_at_event: Option<String>,
    /// Number of cases announced.
    pub declared_case_count: Option<i32>,
    /// When the call for cases started, free text such as `2026-01` (at most 16 characters).
    pub call_for_cases_started: Option<String>,
    /// Source URLs (`https://`).
    #[graphql(default)]
    pub sources: Vec<String>,
    /// Announced themes.
    #[graphql(default)]
    pub themes: Vec<String>,
    /// Titles per locale; at least one.
    pub translations: Vec<TitleOnlyTranslationInput>,
    /// Its categories; at least one.
    pub categories: Vec<CreateCategoryInput>,
}

/// Changes to a collection. A field left out keeps its value; `null` clears it; a list
/// given replaces the whole list.
#[derive(Debug, InputObject)]
pub struct UpdateCollectionInput {
    /// The collection's `id`.
    pub id: ID,
    /// The `version` the change was made from; another is a `VERSION_CONFLICT`.
    pub expected_version: i32,
    /// Edition year.
    pub year: Option<i32>,
    /// Publisher.
    pub publisher: MaybeUndefined<String>,
    /// Day of release.
    pub released_on: MaybeUndefined<NaiveDate>,
    /// Event where it was released.
    pub released_at_event: MaybeUndefined<String>,
    /// Number of cases announced.
    pub declared_case_count: MaybeUndefined<i32>,
    /// When the call for cases started.
    pub call_for_cases_started: MaybeUndefined<String>,
    /// Source URLs.
    pub sources: Option<Vec<String>>,
    /// Announced themes.
    pub themes: Option<Vec<String>>,
    /// Titles to set, each replacing its locale's.
    #[graphql(default)]
    pub translations: Vec<TitleOnlyTranslationInput>,
    /// Locales whose title to remove.
    #[graphql(default)]
    pub remove_translations: Vec<String>,
}

/// Changes to a category.
#[derive(Debug, InputObject)]
pub struct UpdateCategoryInput {
    /// The category's `id`.
    pub id: ID,
    /// The `version` the change was made from; another is a `VERSION_CONFLICT`.
    pub expected_version: i32,
    /// Order within its collection, from 1.
    pub position: Option<i32>,
    /// Texts to set, each replacing the whole text of its locale.
    #[graphql(default)]
    pub translations: Vec<NameTranslationInput>,
    /// Locales whose text to remove.
    #[graphql(default)]
    pub remove_translations: Vec<String>,
}

/// The collection as the mutation left it.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct CollectionPayload {
    /// The collection; null when there are `userErrors`.
    pub collection: Option<Collection>,
    /// Problems with the input; nothing was written when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The category as the mutation left it.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct CategoryPayload {
    /// The category; null when there are `userErrors`.
    pub category: Option<Category>,
    /// Problems with the input; nothing was written when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

fn titles(inputs: Vec<TitleOnlyTranslationInput>) -> Vec<(String, String)> {
    inputs.into_iter().map(|input| (input.locale, input.title)).collect()
}

async fn payload(context: &Context<'_>, outcome: Edited<i64>) -> async_graphql::Result<CollectionPayload> {
    Ok(match outcome {
        Err(problems) => CollectionPayload { collection: None, user_errors: user_errors(problems) },
        Ok(id) => {
            let loaders = context.data::<Loaders>()?;
            let collection = super::after_write(context, "collection", load(&loaders.collections, id).await)
                .map(Collection);
            CollectionPayload { collection, user_errors: Vec::new() }
        }
    })
}

/// The collection and category mutations.
#[derive(Default)]
pub struct CollectionMutations;

#[Object]
impl CollectionMutations {
    /// Opens a new edition with its categories (scope `admin`).
    async fn create_collection(
        &self,
        context: &Context<'_>,
        input: CreateCollectionInput,
    ) -> async_graphql::Result<CollectionPayload> {
        let editor = editor(context, "createCollection", Needs::Admin)?;
        let new = NewCollection {
            slug: input.slug,
            year: input.year,
            publisher: input.publisher,
            released_on: input.released_on,
            released_at_event: input.released_at_event,
            declared_case_count: input.declared_case_count,
            call_for_cases_started: input.call_for_cases_started,
            sources: input.sources,
            themes: input.themes,
            translations: titles(input.translations),
            categories: input
                .categories
                .into_iter()
                .map(|category| NewCategory {
                    slug: category.slug,
                    position: category.position,
                    translations: name_texts(category.translations),
                })
                .collect(),
        };
        let outcome = editor.create_collection(new).await?;
        payload(context, outcome).await
    }

    /// Changes an edition (scope `admin`); its categories change through `updateCategory`.
    async fn update_collection(
        &self,
        context: &Context<'_>,
        input: UpdateCollectionInput,
    ) -> async_graphql::Result<CollectionPayload> {
        let editor = editor(context, "updateCollection", Needs::Admin)?;
        let outcome = match subject(&input.id, NodeKind::Collection) {
            None => Err(vec![Problem::not_found("id", "collection")]),
            Some(id) => {
                let changes = CollectionChanges {
                    year: input.year,
                    publisher: patch(input.publisher),
                    released_on: patch(input.released_on),
                    released_at_event: patch(input.released_at_event),
                    declared_case_count: patch(input.declared_case_count),
                    call_for_cases_started: patch(input.call_for_cases_started),
                    sources: input.sources,
                    themes: input.themes,
                    translations: titles(input.translations),
                    remove_translations: input.remove_translations,
                };
                editor.update_collection(id, input.expected_version, changes).await?
            }
        };
        payload(context, outcome).await
    }

    /// Changes a category's names, descriptions or position (scope `admin`).
    async fn update_category(
        &self,
        context: &Context<'_>,
        input: UpdateCategoryInput,
    ) -> async_graphql::Result<CategoryPayload> {
        let editor = editor(context, "updateCategory", Needs::Admin)?;
        let outcome = match subject(&input.id, NodeKind::Category) {
            None => Err(vec![Problem::not_found("id", "category")]),
            Some(id) => {
                let changes = CategoryChanges {
                    position: input.position,
                    translations: name_texts(input.translations),
                    remove_translations: input.remove_translations,
                };
                editor.update_category(id, input.expected_version, changes).await?
            }
        };
        Ok(match outcome {
            Err(problems) => CategoryPayload { category: None, user_errors: user_errors(problems) },
            Ok(id) => {
                let loaders = context.data::<Loaders>()?;
                let category = super::after_write(context, "category", load(&loaders.categories, id).await)
                    .map(Category);
                CategoryPayload { category, user_errors: Vec::new() }
            }
        })
    }
}
