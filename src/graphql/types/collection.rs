//! `Collection`: an edition of the case collection.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use entity::collection_translation;

use super::{Category, TextDirection, localised::preference};
use crate::graphql::id::{self, NodeKind};
use crate::graphql::loaders::Loaders;
use crate::locale::DEFAULT_LOCALE;
use crate::store::catalogue::CollectionRecord;

/// An edition of the WIC Cross-Border E-Commerce Practice Case Collection (e.g. 2024).
#[derive(Clone, Debug)]
pub struct Collection(pub Arc<CollectionRecord>);

impl Collection {
    fn text<'a>(&'a self, context: &Context<'_>) -> Option<&'a collection_translation::Model> {
        preference(context).pick(&self.0.translations, |translation| &translation.locale)
    }
}

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

    /// Edition year.
    async fn year(&self) -> i32 {
        self.0.model.year
    }

    /// Title in the resolved locale.
    async fn title(&self, context: &Context<'_>) -> String {
        self.text(context).map(|text| text.title.clone()).unwrap_or_default()
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
        string_list(&self.0.model.sources)
    }

    /// The edition's categories, by position.
    async fn categories(&self, context: &Context<'_>) -> Result<Vec<Category>> {
        let loaders = context.data::<Loaders>()?;
        Ok(loaders.categories_of_collection(self.0.model.id).await?)
    }

    /// The locale actually used for this object's texts (after fallback).
    pub async fn locale(&self, context: &Context<'_>) -> String {
        self.text(context).map_or(DEFAULT_LOCALE, |text| text.locale.as_str()).to_owned()
    }

    /// Writing direction of `locale`.
    pub async fn direction(&self, context: &Context<'_>) -> TextDirection {
        TextDirection::of(self.text(context).map_or(DEFAULT_LOCALE, |text| text.locale.as_str()))
    }

    /// Every locale this object has texts in, sorted.
    pub async fn available_locales(&self) -> Vec<String> {
        self.0.translations.iter().map(|text| text.locale.clone()).collect()
    }
}

fn string_list(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}
