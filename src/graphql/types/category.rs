//! `Category`: one of a collection's aspects.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};

use super::localised::{available, pick, shown_direction, shown_locale};
use super::{CaseConnection, Collection, TextDirection};
use crate::graphql::connection::CaseListArguments;
use crate::graphql::id::{self, NodeKind};
use crate::graphql::inputs::{CaseFilterInput, CaseOrderInput};
use crate::graphql::loaders::{Loaders, load};
use crate::store::catalogue::CategoryRecord;

/// One of the aspects a collection classifies its cases under (9 in 2024), e.g.
/// "Logistics integration".
#[derive(Clone, Debug)]
pub struct Category(pub Arc<CategoryRecord>);

#[Object]
impl Category {
    /// Opaque global ID (see `Query.node`).
    pub async fn id(&self) -> ID {
        id::encode(NodeKind::Category, self.0.model.id)
    }

    /// Human-readable key, unique within its collection, e.g. `logistics-integration`.
    async fn slug(&self) -> &str {
        &self.0.model.slug
    }

    /// Revision number: 1 when created, raised by every change; what `expectedVersion`
    /// of a mutation is compared with.
    async fn version(&self) -> i32 {
        self.0.model.version
    }

    /// Order of the category within its collection, from 1.
    async fn position(&self) -> i32 {
        self.0.model.position
    }

    /// Name in the resolved locale.
    async fn name(&self, context: &Context<'_>) -> String {
        pick(context, &self.0.translations).map(|text| text.name.clone()).unwrap_or_default()
    }

    /// Description in the resolved locale, when there is one.
    async fn description(&self, context: &Context<'_>) -> Option<String> {
        pick(context, &self.0.translations).and_then(|text| text.description.clone())
    }

    /// The collection this category belongs to.
    async fn collection(&self, context: &Context<'_>) -> Result<Option<Collection>> {
        let loaders = context.data::<Loaders>()?;
        Ok(load(&loaders.collections, self.0.model.collection_id).await?.map(Collection))
    }

    /// The category's cases (default: published, newest first).
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
        Ok(arguments.resolve(context, |filter| filter.category_id = Some(self.0.model.id)).await?)
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
