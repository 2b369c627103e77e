//! Reads of collections and categories, each with all its translations, in one statement.

use std::collections::HashMap;

use entity::{category, category_translation, collection, collection_translation};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Order, Query, SelectStatement};

use super::Store;
use super::sql::joined::grouped;
use super::sql::positional::{Positional, select_columns};
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

/// The collection columns LEFT JOIN their translations' (read by position).
fn collection_select(condition: Condition) -> SelectStatement {
    let mut select = Query::select();
    select.from(collection::Entity);
    select_columns::<collection::Entity>(&mut select);
    select_columns::<collection_translation::Entity>(&mut select);
    select
        .left_join(
            collection_translation::Entity,
            Expr::col((collection_translation::Entity, collection_translation::Column::CollectionId))
                .equals((collection::Entity, collection::Column::Id)),
        )
        .cond_where(condition)
        .order_by((collection::Entity, collection::Column::Year), Order::Desc)
        .order_by((collection::Entity, collection::Column::Id), Order::Asc)
        .order_by((collection_translation::Entity, collection_translation::Column::Locale), Order::Asc);
    select
}

/// The category columns LEFT JOIN their translations' (read by position), joined to
/// their collection for ordering by year.
fn category_select(condition: Condition, newest_first: bool) -> SelectStatement {
    let mut select = Query::select();
    select.from(category::Entity);
    select_columns::<category::Entity>(&mut select);
    select_columns::<category_translation::Entity>(&mut select);
    let year_order = if newest_first { Order::Desc } else { Order::Asc };
    select
        .inner_join(
            collection::Entity,
            Expr::col((collection::Entity, collection::Column::Id))
                .equals((category::Entity, category::Column::CollectionId)),
        )
        .left_join(
            category_translation::Entity,
            Expr::col((category_translation::Entity, category_translation::Column::CategoryId))
                .equals((category::Entity, category::Column::Id)),
        )
        .cond_where(condition)
        .order_by((collection::Entity, collection::Column::Year), year_order)
        .order_by((category::Entity, category::Column::CollectionId), Order::Asc)
        .order_by((category::Entity, category::Column::Position), Order::Asc)
        .order_by((category::Entity, category::Column::Id), Order::Asc)
        .order_by((category_translation::Entity, category_translation::Column::Locale), Order::Asc);
    select
}

impl Store {
    async fn collections_where(&self, condition: Condition) -> Result<Vec<CollectionRecord>> {
        let groups = grouped(
            self.connection(),
            &collection_select(condition),
            |row| row.peek::<i64>(),
            collection::Model::read,
            collection_translation::Model::read_optional,
        )
        .await?;
        Ok(groups
            .into_iter()
            .map(|(_, model, translations)| CollectionRecord { model, translations })
            .collect())
    }

    async fn categories_where(
        &self,
        condition: Condition,
        newest_first: bool,
    ) -> Result<Vec<CategoryRecord>> {
        let groups = grouped(
            self.connection(),
            &category_select(condition, newest_first),
            |row| row.peek::<i64>(),
            category::Model::read,
            category_translation::Model::read_optional,
        )
        .await?;
        Ok(groups
            .into_iter()
            .map(|(_, model, translations)| CategoryRecord { model, translations })
            .collect())
    }

    /// Every collection, newest year first.
    pub async fn collections(&self) -> Result<Vec<CollectionRecord>> {
        self.collections_where(Condition::all()).await
    }

    /// The collection with this slug.
    pub async fn collection_by_slug(&self, slug: &str) -> Result<Option<CollectionRecord>> {
        let condition =
            Condition::all().add(Expr::col((collection::Entity, collection::Column::Slug)).eq(slug));
        Ok(self.collections_where(condition).await?.into_iter().next())
    }

    /// Collections by id (for loaders).
    pub async fn collections_by_ids(&self, ids: &[i64]) -> Result<Vec<CollectionRecord>> {
        let condition = Condition::all()
            .add(Expr::col((collection::Entity, collection::Column::Id)).is_in(ids.iter().copied()));
        self.collections_where(condition).await
    }

    /// Categories ordered by collection year, then position; only one collection's when
    /// `collection_slug` is given (none when that collection does not exist).
    pub async fn categories(&self, collection_slug: Option<&str>) -> Result<Vec<CategoryRecord>> {
        let mut condition = Condition::all();
        if let Some(slug) = collection_slug {
            condition = condition.add(Expr::col((collection::Entity, collection::Column::Slug)).eq(slug));
        }
        self.categories_where(condition, false).await
    }

    /// The category with this slug, in the given collection or else in the newest one
    /// that has it.
    pub async fn category_by_slug(
        &self,
        slug: &str,
        collection_slug: Option<&str>,
    ) -> Result<Option<CategoryRecord>> {
        let mut condition =
            Condition::all().add(Expr::col((category::Entity, category::Column::Slug)).eq(slug));
        if let Some(collection_slug) = collection_slug {
            condition =
                condition.add(Expr::col((collection::Entity, collection::Column::Slug)).eq(collection_slug));
        }
        Ok(self.categories_where(condition, true).await?.into_iter().next())
    }

    /// Categories of several collections, by position (for loaders).
    pub async fn categories_by_collection_ids(&self, collection_ids: &[i64]) -> Result<Vec<CategoryRecord>> {
        let condition = Condition::all().add(
            Expr::col((category::Entity, category::Column::CollectionId))
                .is_in(collection_ids.iter().copied()),
        );
        self.categories_where(condition, false).await
    }

    /// Categories by id (for loaders).
    pub async fn categories_by_ids(&self, ids: &[i64]) -> Result<Vec<CategoryRecord>> {
        let condition = Condition::all()
            .add(Expr::col((category::Entity, category::Column::Id)).is_in(ids.iter().copied()));
        self.categories_where(condition, false).await
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
