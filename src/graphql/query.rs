//! The root `Query` type.

use std::sync::Arc;

use async_graphql::{Context, Object, Result};

use super::types::{Category, Collection};
use crate::store::Store;

/// Read access to the case collections.
#[derive(Debug, Default)]
pub struct Query;

#[Object]
impl Query {
    /// Every edition of the collection, newest first.
    async fn collections(&self, context: &Context<'_>) -> Result<Vec<Collection>> {
        let store = context.data::<Store>()?;
        Ok(store.collections().await?.into_iter().map(|record| Collection(Arc::new(record))).collect())
    }

    /// The edition with this slug (e.g. `wic-cbec-2024`), or null.
    async fn collection(&self, context: &Context<'_>, slug: String) -> Result<Option<Collection>> {
        let store = context.data::<Store>()?;
        Ok(store.collection_by_slug(&slug).await?.map(|record| Collection(Arc::new(record))))
    }

    /// All categories, ordered by collection year then position; filter by collection slug.
    async fn categories(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Collection slug; an unknown slug gives an empty list.")] collection: Option<String>,
    ) -> Result<Vec<Category>> {
        let store = context.data::<Store>()?;
        Ok(store
            .categories(collection.as_deref())
            .await?
            .into_iter()
            .map(|record| Category(Arc::new(record)))
            .collect())
    }

    /// The category with this slug, in the given collection (by default the newest
    /// collection that has it), or null.
    async fn category(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Category slug, e.g. `logistics-integration`.")] slug: String,
        #[graphql(desc = "Collection slug.")] collection: Option<String>,
    ) -> Result<Option<Category>> {
        let store = context.data::<Store>()?;
        Ok(store
            .category_by_slug(&slug, collection.as_deref())
            .await?
            .map(|record| Category(Arc::new(record))))
    }
}
