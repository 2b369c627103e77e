//! Reads of collections and categories, each with all its translations.

use std::collections::HashMap;

use entity::{category, category_translation, collection, collection_translation};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Store;
use crate::error::Result;

/// A collection with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct CollectionRecord {
    pub model: collection::Model,
    pub translations: Vec<collection_translation::Model>,
}

/// A category with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct CategoryRecord {
    pub model: category::Model,
    pub translations: Vec<category_translation::Model>,
}

impl Store {
    /// Every collection, newest year first.
    pub async fn collections(&self) -> Result<Vec<CollectionRecord>> {
        let models = collection::Entity::find()
            .order_by_desc(collection::Column::Year)
            .order_by_asc(collection::Column::Id)
            .all(self.connection())
            .await?;
        self.with_collection_translations(models).await
    }

    /// The collection with this slug.
    pub async fn collection_by_slug(&self, slug: &str) -> Result<Option<CollectionRecord>> {
        let models = collection::Entity::find()
            .filter(collection::Column::Slug.eq(slug))
            .all(self.connection())
            .await?;
        Ok(self.with_collection_translations(models).await?.into_iter().next())
    }

    /// Collections by id, in any order (for loaders).
    pub async fn collections_by_ids(&self, ids: &[i64]) -> Result<Vec<CollectionRecord>> {
        let models = collection::Entity::find()
            .filter(collection::Column::Id.is_in(ids.iter().copied()))
            .all(self.connection())
            .await?;
        self.with_collection_translations(models).await
    }

    /// Categories ordered by collection year, then position; only one collection's when
    /// `collection_slug` is given (none when that collection does not exist).
    pub async fn categories(&self, collection_slug: Option<&str>) -> Result<Vec<CategoryRecord>> {
        let mut query = category::Entity::find()
            .inner_join(collection::Entity)
            .order_by_asc(collection::Column::Year)
            .order_by_asc(category::Column::CollectionId)
            .order_by_asc(category::Column::Position)
            .order_by_asc(category::Column::Id);
        if let Some(slug) = collection_slug {
            query = query.filter(collection::Column::Slug.eq(slug));
        }
        let models = query.all(self.connection()).await?;
        self.with_category_translations(models).await
    }

    /// The category with this slug, in the given collection or else in the newest one
    /// that has it.
    pub async fn category_by_slug(
        &self,
        slug: &str,
        collection_slug: Option<&str>,
    ) -> Result<Option<CategoryRecord>> {
        let mut query = category::Entity::find()
            .inner_join(collection::Entity)
            .filter(category::Column::Slug.eq(slug))
            .order_by_desc(collection::Column::Year)
            .order_by_desc(category::Column::Id);
        if let Some(collection_slug) = collection_slug {
            query = query.filter(collection::Column::Slug.eq(collection_slug));
        }
        let models = query.one(self.connection()).await?.into_iter().collect();
        Ok(self.with_category_translations(models).await?.into_iter().next())
    }

    /// Categories of several collections, by position (for loaders).
    pub async fn categories_by_collection_ids(&self, collection_ids: &[i64]) -> Result<Vec<CategoryRecord>> {
        let models = category::Entity::find()
            .filter(category::Column::CollectionId.is_in(collection_ids.iter().copied()))
            .order_by_asc(category::Column::CollectionId)
            .order_by_asc(category::Column::Position)
            .order_by_asc(category::Column::Id)
            .all(self.connection())
            .await?;
        self.with_category_translations(models).await
    }

    /// Categories by id, in any order (for loaders).
    pub async fn categories_by_ids(&self, ids: &[i64]) -> Result<Vec<CategoryRecord>> {
        let models = category::Entity::find()
            .filter(category::Column::Id.is_in(ids.iter().copied()))
            .all(self.connection())
            .await?;
        self.with_category_translations(models).await
    }

    async fn with_collection_translations(
        &self,
        models: Vec<collection::Model>,
    ) -> Result<Vec<CollectionRecord>> {
        let mut texts = group_by(
            collection_translation::Entity::find()
                .filter(
                    collection_translation::Column::CollectionId.is_in(models.iter().map(|model| model.id)),
                )
                .order_by_asc(collection_translation::Column::Locale)
                .all(self.connection())
                .await?,
            |translation| translation.collection_id,
        );
        Ok(models
            .into_iter()
            .map(|model| CollectionRecord {
                translations: texts.remove(&model.id).unwrap_or_default(),
                model,
            })
            .collect())
    }

    async fn with_category_translations(&self, models: Vec<category::Model>) -> Result<Vec<CategoryRecord>> {
        if models.is_empty() {
            return Ok(Vec::new());
        }
        let mut texts = group_by(
            category_translation::Entity::find()
                .filter(category_translation::Column::CategoryId.is_in(models.iter().map(|model| model.id)))
                .order_by_asc(category_translation::Column::Locale)
                .all(self.connection())
                .await?,
            |translation| translation.category_id,
        );
        Ok(models
            .into_iter()
            .map(|model| CategoryRecord { translations: texts.remove(&model.id).unwrap_or_default(), model })
            .collect())
    }
}

/// Groups rows by an owner key, keeping their order.
pub(crate) fn group_by<T>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut groups: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}
