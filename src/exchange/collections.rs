//! Imports collections and their categories: few rows, written one by one. Categories are
//! matched by slug within their collection; those a file leaves out are kept (cases may
//! still refer to them).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{category, category_translation, collection, collection_translation};
use sea_orm::{ActiveModelTrait, ConnectionTrait, NotSet, Set};

use super::entries;
use super::record::{Category, Change, Collection};
use super::snapshot::Ids;
use super::write::{Counts, delete_owned};
use crate::error::Result;
use crate::store::journal::Entry;
use crate::store::sql::bulk;

/// What importing the collections did: to collections, and to categories.
pub type CollectionCounts = (Counts, Counts);

/// Writes `rows`, compared with the `existing` collections, recording new ids in `ids`
/// and an entry for every collection and category created or changed in `journal`.
pub async fn write<C: ConnectionTrait + 'static>(
    connection: &C,
    rows: Vec<Collection>,
    existing: Vec<Collection>,
    ids: &mut Ids,
    now: DateTime<Utc>,
    journal: &mut Vec<Entry>,
) -> Result<CollectionCounts> {
    let mut existing: HashMap<String, Collection> =
        existing.into_iter().map(|collection| (collection.slug.clone(), collection)).collect();
    let mut last_collection = bulk::max_id::<collection::Entity, _>(connection).await?;
    let mut last_category = bulk::max_id::<category::Entity, _>(connection).await?;
    let (mut collections, mut categories) = (Counts::default(), Counts::default());
    for mut row in rows {
        let members = std::mem::take(&mut row.categories);
        let (old, old_members) = match existing.remove(&row.slug) {
            None => (None, Vec::new()),
            Some(mut old) => {
                let members = std::mem::take(&mut old.categories);
                (Some(old), members)
            }
        };
        let unchanged =
            old.as_ref().is_some_and(|old| *old == Collection { version: old.version, ..row.clone() });
        let change = settle(&mut row.version, old.as_ref().map(|old| old.version), unchanged);
        collections.add(change);
        let id = match change {
            Change::Insert => {
                last_collection += 1;
                ids.collections.insert(row.slug.clone(), last_collection);
                last_collection
            }
            _ => ids.collections.get(&row.slug).copied().unwrap_or_default(),
        };
        if change != Change::Unchanged {
            journal.push(entries::entry(id, old.as_ref(), &row));
        }
        let slug = row.slug.clone();
        write_collection(connection, id, row, change, now).await?;
        let mut old_members: HashMap<String, Category> =
            old_members.into_iter().map(|category| (category.slug.clone(), category)).collect();
        for mut member in members {
            let key = (slug.clone(), member.slug.clone());
            let old = old_members.remove(&member.slug);
            let unchanged =
                old.as_ref().is_some_and(|old| *old == Category { version: old.version, ..member.clone() });
            let change = settle(&mut member.version, old.as_ref().map(|old| old.version), unchanged);
            categories.add(change);
            let category_id = match change {
                Change::Insert => {
                    last_category += 1;
                    ids.categories.insert(key, last_category);
                    last_category
                }
                _ => ids.categories.get(&key).copied().unwrap_or_default(),
            };
            if change != Change::Unchanged {
                journal.push(entries::entry(category_id, old.as_ref(), &member));
            }
            write_category(connection, id, category_id, member, change).await?;
        }
    }
    Ok((collections, categories))
}

/// Sets `version` as the write leaves it and says what the write is: 1 for a new row
/// (`old` is `None`); the old version when the row is `unchanged` (but for its version);
/// else the old version + 1.
fn settle(version: &mut Option<i32>, old: Option<Option<i32>>, unchanged: bool) -> Change {
    let Some(old) = old else {
        *version = Some(version.unwrap_or(1));
        return Change::Insert;
    };
    if unchanged {
        *version = old;
        return Change::Unchanged;
    }
    *version = Some(old.unwrap_or(0) + 1);
    Change::Update
}

async fn write_collection<C: ConnectionTrait + 'static>(
    connection: &C,
    id: i64,
    row: Collection,
    change: Change,
    now: DateTime<Utc>,
) -> Result<()> {
    if change == Change::Unchanged {
        return Ok(());
    }
    let model = collection::ActiveModel {
        id: Set(id),
        slug: Set(row.slug),
        year: Set(row.year),
        publisher: Set(row.publisher),
        released_on: Set(row.released_on),
        released_at_event: Set(row.released_at_event),
        declared_case_count: Set(row.declared_case_count),
        call_for_cases_started: Set(row.call_for_cases_started),
        sources: Set(serde_json::json!(row.sources)),
        themes: Set(serde_json::json!(row.themes)),
        created_at: if change == Change::Insert { Set(now) } else { NotSet },
        updated_at: Set(now),
        version: Set(row.version.unwrap_or(1)),
    };
    if change == Change::Insert {
        bulk::insert_all(connection, vec![model]).await?;
    } else {
        model.update(connection).await?;
        delete_owned::<collection_translation::Entity, _>(
            connection,
            collection_translation::Column::CollectionId,
            &[id],
        )
        .await?;
    }
    let titles = row.titles.into_iter().map(|(locale, title)| collection_translation::ActiveModel {
        collection_id: Set(id),
        locale: Set(locale),
        title: Set(title),
    });
    bulk::insert_all(connection, titles.collect()).await
}

async fn write_category<C: ConnectionTrait + 'static>(
    connection: &C,
    collection_id: i64,
    id: i64,
    row: Category,
    change: Change,
) -> Result<()> {
    if change == Change::Unchanged {
        return Ok(());
    }
    let model = category::ActiveModel {
        id: Set(id),
        collection_id: Set(collection_id),
        slug: Set(row.slug),
        position: Set(row.position),
        version: Set(row.version.unwrap_or(1)),
    };
    if change == Change::Insert {
        bulk::insert_all(connection, vec![model]).await?;
    } else {
        model.update(connection).await?;
        delete_owned::<category_translation::Entity, _>(
            connection,
            category_translation::Column::CategoryId,
            &[id],
        )
        .await?;
    }
    let texts = row.texts.into_iter().map(|(locale, text)| category_translation::ActiveModel {
        category_id: Set(id),
        locale: Set(locale),
        name: Set(text.name),
        description: Set(text.description),
    });
    bulk::insert_all(connection, texts.collect()).await
}
