//! `Category`: one of a collection's aspects.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use entity::category_translation;

use super::{Collection, TextDirection, localised::preference};
use crate::graphql::id::{self, NodeKind};
use crate::graphql::loaders::Loaders;
use crate::locale::DEFAULT_LOCALE;
use crate::store::catalogue::CategoryRecord;

/// One of the aspects a collection classifies its cases under (9 in 2024), e.g.
/// "Logistics integration".
#[derive(Clone, Debug)]
pub struct Category(pub Arc<CategoryRecord>);

impl Category {
    fn text<'a>(&'a self, context: &Context<'_>) -> Option<&'a category_translation::Model> {
        preference(context).pick(&self.0.translations, |translation| &translation.locale)
    }
}

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

    /// Order of the category within its collection, from 1.
    async fn position(&self) -> i32 {
        self.0.model.position
    }

    /// Name in the resolved locale.
    async fn name(&self, context: &Context<'_>) -> String {
        self.text(context).map(|text| text.name.clone()).unwrap_or_default()
    }

    /// Description in the resolved locale, when there is one.
    async fn description(&self, context: &Context<'_>) -> Option<String> {
        self.text(context).and_then(|text| text.description.clone())
    }

    /// The collection this category belongs to.
    async fn collection(&self, context: &Context<'_>) -> Result<Option<Collection>> {
        let loaders = context.data::<Loaders>()?;
        Ok(loaders.collection(self.0.model.collection_id).await?)
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
