//! The SQL of the two operations and the rules that turn rows into what the GraphQL server
//! shows (store/cases, store/relations, store/catalogue and locale.rs of the server).
//!
//! A request runs four statements on one connection: the case(s) with their titles, then, for
//! all of them at once (IN lists), the names of their categories and titles of their
//! collections, their organisations with names, and their countries. Only the columns the
//! operations show are read.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::AssertSqlSafe;

use crate::Error;
use crate::db::{Bind, Connection, Db, placeholders};

/// Cases on the page (`cases(first: 20)`).
pub const PAGE_SIZE: usize = 20;

/// Locale every text falls back to when the request names none (no `Accept-Language`).
const DEFAULT_LOCALE: &str = "en";

/// The published case with this slug, with its titles (rows in locale order).
const CASE_BY_SLUG: &str = "SELECT c.id, c.slug, c.category_id, c.collection_id, t.locale, t.title \
     FROM cases c LEFT JOIN case_translation t ON t.case_id = c.id \
     WHERE c.slug = $1 AND c.status = 'PUBLISHED' \
     ORDER BY t.locale";

/// The first page of published cases, newest first (NULLs last, as the server's keyset
/// orders them; `id` breaks ties), with their titles (rows in locale order).
const FIRST_PAGE: &str = "SELECT c.id, c.slug, c.category_id, c.collection_id, t.locale, t.title \
     FROM (SELECT id, slug, category_id, collection_id, published_at FROM cases \
           WHERE status = 'PUBLISHED' ORDER BY published_at DESC NULLS LAST, id DESC LIMIT 20) c \
     LEFT JOIN case_translation t ON t.case_id = c.id \
     ORDER BY c.published_at DESC NULLS LAST, c.id DESC, t.locale";

/// A row of [`CASE_BY_SLUG`] or [`FIRST_PAGE`]: id, slug, category, collection, locale, title.
type CaseRow = (i64, String, i64, i64, Option<String>, Option<String>);

/// A row of the catalogue statement: kind (0 category, 1 collection), owner id, locale, text.
type CatalogueRow = (i32, i64, String, String);

/// A row of the organisations statement: case, organisation, role, locale, name.
type OrganisationRow = (i64, i64, String, Option<String>, Option<String>);

/// A case as both operations show it; fields in the order the operations request them.
#[derive(Debug, Serialize)]
pub struct Case {
    pub slug: String,
    pub title: String,
    pub category: Category,
    pub collection: Collection,
    pub organisations: Vec<CaseOrganisation>,
    pub countries: Vec<Country>,
}

/// `category { name }`.
#[derive(Debug, Serialize)]
pub struct Category {
    pub name: String,
}

/// `collection { title }`.
#[derive(Debug, Serialize)]
pub struct Collection {
    pub title: String,
}

/// `organisations { role organisation { name } }`.
#[derive(Debug, Serialize)]
pub struct CaseOrganisation {
    /// `LEAD` or `PARTNER`, as stored (the GraphQL enum's values are the stored strings).
    pub role: String,
    pub organisation: Organisation,
}

/// `organisation { name }`.
#[derive(Debug, Serialize)]
pub struct Organisation {
    pub name: String,
}

/// `countries { code }`.
#[derive(Debug, Serialize)]
pub struct Country {
    pub code: String,
}

/// A text in one locale.
#[derive(Debug)]
struct Text {
    locale: String,
    text: String,
}

/// A case read by the first statement, before its relations.
#[derive(Debug)]
struct Head {
    id: i64,
    slug: String,
    category_id: i64,
    collection_id: i64,
    titles: Vec<Text>,
}

/// `case(slug: $slug)`: the case if it exists and is published.
pub async fn case_by_slug(db: &Db, slug: &str) -> Result<Option<Case>, Error> {
    let mut connection = db.acquire().await?;
    let rows: Vec<CaseRow> = connection.fetch(CASE_BY_SLUG, &[Bind::Text(slug)]).await?;
    Ok(complete(&mut connection, heads(rows)).await?.pop())
}

/// `cases(first: 20, orderBy: {field: PUBLISHED_AT, direction: DESC}) { nodes }`.
pub async fn first_page(db: &Db) -> Result<Vec<Case>, Error> {
    let mut connection = db.acquire().await?;
    let rows: Vec<CaseRow> = connection.fetch(FIRST_PAGE, &[]).await?;
    complete(&mut connection, heads(rows)).await
}

/// Groups consecutive rows of one case (the statements order them by case, then locale).
fn heads(rows: Vec<CaseRow>) -> Vec<Head> {
    let mut heads: Vec<Head> = Vec::with_capacity(PAGE_SIZE);
    for (id, slug, category_id, collection_id, locale, title) in rows {
        if heads.last().is_none_or(|head| head.id != id) {
            heads.push(Head { id, slug, category_id, collection_id, titles: Vec::new() });
        }
        if let (Some(head), Some(locale), Some(text)) = (heads.last_mut(), locale, title) {
            head.titles.push(Text { locale, text });
        }
    }
    heads
}

/// Reads the relations of `heads` (three statements for any number of cases) and builds
/// the cases, in the order of `heads`.
async fn complete(connection: &mut Connection, heads: Vec<Head>) -> Result<Vec<Case>, Error> {
    if heads.is_empty() {
        return Ok(Vec::new());
    }
    let case_ids: Vec<i64> = heads.iter().map(|head| head.id).collect();
    let category_ids = distinct(heads.iter().map(|head| head.category_id));
    let collection_ids = distinct(heads.iter().map(|head| head.collection_id));

    // Category names (kind 0) and collection titles (kind 1), each owner's rows in locale order.
    let sql = format!(
        "SELECT 0, category_id, locale, name FROM category_translation WHERE category_id IN ({}) \
         UNION ALL \
         SELECT 1, collection_id, locale, title FROM collection_translation WHERE collection_id IN ({}) \
         ORDER BY 1, 2, 3",
        placeholders(1, category_ids.len()),
        placeholders(1 + category_ids.len(), collection_ids.len())
    );
    let binds: Vec<Bind<'_>> = category_ids.iter().chain(&collection_ids).map(|id| Bind::Id(*id)).collect();
    let rows: Vec<CatalogueRow> = connection.fetch(AssertSqlSafe(sql), &binds).await?;
    let mut category_texts: HashMap<i64, Vec<Text>> = HashMap::new();
    let mut collection_texts: HashMap<i64, Vec<Text>> = HashMap::new();
    for (kind, owner, locale, text) in rows {
        let texts = if kind == 0 { &mut category_texts } else { &mut collection_texts };
        texts.entry(owner).or_default().push(Text { locale, text });
    }

    let case_binds: Vec<Bind<'_>> = case_ids.iter().map(|id| Bind::Id(*id)).collect();
    let case_list = placeholders(1, case_ids.len());

    // Organisations by stored position (then id), each one's names in locale order. The
    // organisation row itself has nothing to show: the foreign key guarantees it exists.
    let sql = format!(
        "SELECT co.case_id, co.organisation_id, co.role, ot.locale, ot.name \
         FROM case_organisation co \
         LEFT JOIN organisation_translation ot ON ot.organisation_id = co.organisation_id \
         WHERE co.case_id IN ({case_list}) \
         ORDER BY co.case_id, co.position, co.organisation_id, ot.locale"
    );
    let rows: Vec<OrganisationRow> = connection.fetch(AssertSqlSafe(sql), &case_binds).await?;
    // Per case: (organisation id, role, names), consecutive rows of one organisation merged.
    let mut organisations: HashMap<i64, Vec<(i64, String, Vec<Text>)>> = HashMap::new();
    for (case_id, organisation_id, role, locale, name) in rows {
        let list = organisations.entry(case_id).or_default();
        if list.last().is_none_or(|(id, _, _)| *id != organisation_id) {
            if role != "LEAD" && role != "PARTNER" {
                return Err(format!("unknown organisation role {role:?} in case {case_id}").into());
            }
            list.push((organisation_id, role, Vec::new()));
        }
        if let (Some((_, _, names)), Some(locale), Some(text)) = (list.last_mut(), locale, name) {
            names.push(Text { locale, text });
        }
    }

    let sql = format!(
        "SELECT case_id, country_code FROM case_country WHERE case_id IN ({case_list}) \
         ORDER BY case_id, country_code"
    );
    let rows: Vec<(i64, String)> = connection.fetch(AssertSqlSafe(sql), &case_binds).await?;
    let mut countries: HashMap<i64, Vec<Country>> = HashMap::new();
    for (case_id, code) in rows {
        countries.entry(case_id).or_default().push(Country { code });
    }

    let category_names: HashMap<i64, String> =
        category_texts.into_iter().map(|(id, texts)| (id, pick(texts))).collect();
    let collection_titles: HashMap<i64, String> =
        collection_texts.into_iter().map(|(id, texts)| (id, pick(texts))).collect();
    Ok(heads
        .into_iter()
        .map(|head| Case {
            slug: head.slug,
            title: pick(head.titles),
            category: Category { name: category_names.get(&head.category_id).cloned().unwrap_or_default() },
            collection: Collection {
                title: collection_titles.get(&head.collection_id).cloned().unwrap_or_default(),
            },
            organisations: organisations
                .remove(&head.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, role, names)| CaseOrganisation {
                    role,
                    organisation: Organisation { name: pick(names) },
                })
                .collect(),
            countries: countries.remove(&head.id).unwrap_or_default(),
        })
        .collect())
}

/// The text the server shows when the request names no locale (`LocalePreference::pick`
/// with no preference): `en` (any case; the first in locale order), else the locale that
/// sorts first (bytewise; the first of equals), else the empty string.
fn pick(texts: Vec<Text>) -> String {
    let index =
        texts.iter().position(|text| text.locale.eq_ignore_ascii_case(DEFAULT_LOCALE)).or_else(|| {
            texts.iter().enumerate().min_by(|(_, a), (_, b)| a.locale.cmp(&b.locale)).map(|(index, _)| index)
        });
    match index {
        Some(index) => texts.into_iter().nth(index).map(|text| text.text).unwrap_or_default(),
        None => String::new(),
    }
}

/// The distinct values, sorted (an IN list).
fn distinct(values: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut values: Vec<i64> = values.collect();
    values.sort_unstable();
    values.dedup();
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(locales: &[&str]) -> Vec<Text> {
        locales
            .iter()
            .map(|locale| Text { locale: (*locale).to_owned(), text: format!("in {locale}") })
            .collect()
    }

    #[test]
    fn english_then_the_first_locale_then_nothing() {
        assert_eq!(pick(texts(&["ar", "en", "zh"])), "in en");
        assert_eq!(pick(texts(&["ar", "EN"])), "in EN");
        assert_eq!(pick(texts(&["zh", "ar"])), "in ar");
        assert_eq!(pick(texts(&[])), "");
    }
}
