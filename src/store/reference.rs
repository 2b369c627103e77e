//! Loads the embedded reference data (collections, categories and their translations).
//! Idempotent: run at every start, it inserts the collections and categories that are
//! missing and leaves existing ones alone, as editors left them (`updateCollection`,
//! `updateCategory`).

use chrono::{NaiveDate, Utc};
use entity::{category, category_translation, collection, collection_translation};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};

use super::Store;
use super::content_version::bump_content_version;
use crate::error::{Error, Result};
use crate::reference::{Reference, ReferenceCollection, ReferenceTerm};

impl Store {
    /// Writes the reference collections and, for each, the reference categories.
    pub async fn load_reference(&self, reference: &Reference) -> Result<()> {
        let transaction = self.pool().begin().await?;
        for source in &reference.collections {
            let collection_id = insert_collection(&transaction, source).await?;
            for term in &reference.categories {
                insert_category(&transaction, collection_id, term).await?;
            }
        }
        bump_content_version(&transaction).await?;
        transaction.commit().await?;
        self.content_changed();
        Ok(())
    }
}

async fn insert_collection<C: ConnectionTrait + 'static>(
    connection: &C,
    source: &ReferenceCollection,
) -> Result<i64> {
    let released_on = source
        .released_on
        .as_deref()
        .map(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d"))
        .transpose()
        .map_err(|error| Error::Internal(format!("reference release date of {}: {error}", source.slug)))?;
    let existing =
        collection::Entity::find().filter(collection::Column::Slug.eq(&source.slug)).one(connection).await?;
    if let Some(found) = existing {
        return Ok(found.id);
    }
    let now = Utc::now();
    let model = collection::ActiveModel {
        slug: Set(source.slug.clone()),
        year: Set(source.year),
        publisher: Set(source.publisher.clone()),
        released_on: Set(released_on),
        released_at_event: Set(source.released_at_event.clone()),
        declared_case_count: Set(source.declared_case_count),
        call_for_cases_started: Set(source.call_for_cases_started.clone()),
        sources: Set(serde_json::json!(source.sources)),
        themes: Set(serde_json::json!(source.themes)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    };
    let id = model.insert(connection).await?.id;
    let titles =
        source.title.iter().filter_map(|(locale, title)| title.as_ref().map(|title| (locale, title))).map(
            |(locale, title)| collection_translation::ActiveModel {
                collection_id: Set(id),
                locale: Set(locale.clone()),
                title: Set(title.clone()),
            },
        );
    collection_translation::Entity::insert_many(titles).exec_without_returning(connection).await?;
    Ok(id)
}

async fn insert_category<C: ConnectionTrait + 'static>(
    connection: &C,
    collection_id: i64,
    term: &ReferenceTerm,
) -> Result<()> {
    let (Some(slug), Some(position)) = (term.slug.as_ref(), term.position) else {
        return Err(Error::Internal("a reference category lacks its slug or position".to_owned()));
    };
    let existing = category::Entity::find()
        .filter(category::Column::CollectionId.eq(collection_id))
        .filter(category::Column::Slug.eq(slug))
        .one(connection)
        .await?;
    if existing.is_some() {
        return Ok(());
    }
    let id = category::ActiveModel {
        collection_id: Set(collection_id),
        slug: Set(slug.clone()),
        position: Set(position),
        version: Set(1),
        ..Default::default()
    }
    .insert(connection)
    .await?
    .id;
    let names = term.texts().into_iter().map(|(locale, name)| category_translation::ActiveModel {
        category_id: Set(id),
        locale: Set(locale.to_owned()),
        name: Set(name.to_owned()),
        description: Set(None),
    });
    category_translation::Entity::insert_many(names).exec_without_returning(connection).await?;
    Ok(())
}
