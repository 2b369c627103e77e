//! `Collection`: an edition of the case collection.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};

use super::localised::{available, pick, shown_direction, shown_locale};
use super::{CaseConnection, Category, TextDirection};
use crate::graphql::connection::CaseListArguments;
use crate::graphql::cost_directives::{TYPICAL_CATEGORIES, list_size};
use crate::graphql::id::{self, NodeKind};
use crate::graphql::inputs::{CaseFilterInput, CaseOrderInput};
use crate::graphql::loaders::{Loaders, load};
use crate::store::catalogue::CollectionRecord;

/// An edition of the WIC Cross-Border E-Commerce Practice Case Collection (e.g. 2024).
#[derive(Clone, Debug)]
pub struct Collection(pub Arc<CollectionRecord>);

#[Object]
impl Collection {
    /// Opaque global ID (see `Query.node`).
    pub async fn id(&self) -> ID {
        id::encode(NodeKind::Collection, self.0.model.id)
    }

    /// Stable human-readable key, e.g. `wic-cbec-2024`.
    async fn slug(&self) -> &str {
        &self.0.model.slug
    }

    /// Revision number: 1 when created, raised by every change; what `expectedVersion`
    /// of a mutation is compared with.
    async fn version(&self) -> i32 {
        self.0.model.version
    }

    /// Edition year.
    async fn year(&self) -> i32 {
        self.0.model.year
    }

    /// Title in the resolved locale.
    async fn title(&self, context: &Context<'_>) -> String {
        pick(context, &self.0.translations).map(|text| text.title.clone()).unwrap_or_default()
    }

    /// Who published the collection.
    async fn publisher(&self) -> Option<&str> {
        self.0.model.publisher.as_deref()
    }

    /// Release date, `YYYY-MM-DD`, when known.
    async fn released_on(&self) -> Option<String> {
        self.0.model.released_on.map(|date| date.format("%Y-%m-%d").to_string())
    }

    /// The event at which the collection was released, when known.
    async fn released_at_event(&self) -> Option<&str> {
        self.0.model.released_at_event.as_deref()
    }

    /// Number of cases the publisher announced for this edition.
    async fn declared_case_count(&self) -> Option<i32> {
        self.0.model.declared_case_count
    }

    /// Public sources (URLs) for the facts about this edition.
    async fn sources(&self) -> Vec<String> {
        self.0
            .model
            .sources
            .as_array()
            .map(|items| items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// The edition's categories, by position.
    #[graphql(directive = list_size::apply(Some(TYPICAL_CATEGORIES), None, None))]
    async fn categories(&self, context: &Context<'_>) -> Result<Vec<Category>> {
        let loaders = context.data::<Loaders>()?;
        let records = load(&loaders.categories_by_collection, self.0.model.id).await?.unwrap_or_default();
        Ok(records.into_iter().map(Category).collect())
    }

    /// The edition's cases (default: published, newest first).
    #[allow(clippy::too_many_arguments)]
    async fn cases(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to end before.")] before: Option<String>,
        #[graphql(desc = "Which cases.")] filter: Option<CaseFilterInput>,
        #[graphql(desc = "Sort order (default: newest published first).")] order_by: Option<CaseOrderInput>,
    ) -> Result<CaseConnection> {
        let arguments = CaseListArguments { first, after, last, before, filter, order_by };
        Ok(arguments.resolve(context, |filter| filter.collection_id = Some(self.0.model.id)).await?)
    }

    /// The locale actually used for this object's texts (after fallback).
    pub async fn locale(&self, context: &Context<'_>) -> String {
        shown_locale(context, &self.0.translations)
    }

    /// Writing direction of `locale`.
    pub async fn direction(&self, context: &Context<'_>) -> TextDirection {
        shown_direction(context, &self.0.translations)
    }

    /// Every locale this object has texts in, sorted.
    pub async fn available_locales(&self) -> Vec<String> {
        available(&self.0.translations)
    }
}
