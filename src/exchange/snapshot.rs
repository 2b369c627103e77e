//! Reads all content once, table by table, and groups it in memory into [`Content`] with
//! the ids of every slug: what export writes and what import compares against.

use std::collections::{BTreeMap, HashMap};

use entity::{
    case, case_country, case_organisation, case_tag, case_translation, category, category_translation,
    collection, collection_translation, follow_up_action, follow_up_action_case,
    follow_up_action_translation, organisation, organisation_translation, tag,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Select};

use self::scope::Filter;
pub use self::scope::Selection;

use super::record::{
    Case, CaseText, Category, Collection, Content, FollowUpAction, NameText, Organisation, Stamps, TitleText,
    truncate,
};
use crate::error::{Error, Result};
use crate::store::catalogue::group_by;

mod scope;

/// The database's content with the id behind every slug.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub content: Content,
    pub ids: Ids,
}

/// Database ids by slug.
#[derive(Debug, Default)]
pub struct Ids {
    pub collections: HashMap<String, i64>,
    /// By (collection slug, category slug).
    pub categories: HashMap<(String, String), i64>,
    pub organisations: HashMap<String, i64>,
    pub cases: HashMap<String, i64>,
    pub follow_up_actions: HashMap<String, i64>,
    /// By tag name.
    pub tags: HashMap<String, i64>,
}

/// Reads every table once; every list comes out sorted by slug.
pub async fn read<C: ConnectionTrait + 'static>(connection: &C) -> Result<Snapshot> {
    read_filtered(connection, &Filter::default()).await
}

/// Reads what a write of the objects named in `selection` needs: every collection and
/// category, and the organisations, cases, follow-up actions and tags named there or linked
/// to those named (so their records are whole). What a mutation compares against.
pub async fn read_selection<C: ConnectionTrait + 'static>(
    connection: &C,
    selection: &Selection,
) -> Result<Snapshot> {
    let filter = scope::filter(connection, selection).await?;
    read_filtered(connection, &filter).await
}

async fn read_filtered<C: ConnectionTrait + 'static>(connection: &C, filter: &Filter) -> Result<Snapshot> {
    let mut ids = Ids::default();
    let collections = read_collections(connection, &mut ids).await?;
    let organisations = read_organisations(connection, &mut ids, filter).await?;
    let cases = read_cases(connection, &mut ids, filter).await?;
    let follow_up_actions = read_follow_up_actions(connection, &mut ids, filter).await?;
    Ok(Snapshot { content: Content { collections, organisations, cases, follow_up_actions }, ids })
}

/// `select`, narrowed by `condition` when there is one.
fn narrowed<E: EntityTrait>(select: Select<E>, condition: &Option<Condition>) -> Select<E> {
    match condition {
        Some(condition) => select.filter(condition.clone()),
        None => select,
    }
}

/// The rows of a child table whose `owner` is one of `owners` (all rows when not `narrow`).
async fn children<E, C>(
    connection: &C,
    owner: E::Column,
    owners: &[i64],
    narrow: bool,
) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let select = E::find();
    if !narrow {
        return Ok(select.all(connection).await?);
    }
    let mut rows = Vec::new();
    for chunk in owners.chunks(scope::CHUNK) {
        rows.extend(E::find().filter(owner.is_in(chunk.iter().copied())).all(connection).await?);
    }
    Ok(rows)
}

fn slug_of(slugs: &HashMap<i64, String>, id: i64, what: &str) -> Result<String> {
    slugs.get(&id).cloned().ok_or_else(|| Error::Internal(format!("{what} {id} does not exist")))
}

fn strings(value: serde_json::Value, what: &str) -> Result<Vec<String>> {
    match value {
        serde_json::Value::Null => Ok(Vec::new()),
        value => serde_json::from_value(value)
            .map_err(|error| Error::Internal(format!("{what} is not a list of strings: {error}"))),
    }
}

fn stamps(created_at: chrono::DateTime<chrono::Utc>, updated_at: chrono::DateTime<chrono::Utc>) -> Stamps {
    Stamps { created_at: Some(truncate(created_at)), updated_at: Some(truncate(updated_at)), version: None }
}

async fn read_collections<C: ConnectionTrait + 'static>(
    connection: &C,
    ids: &mut Ids,
) -> Result<Vec<Collection>> {
    let mut titles =
        group_by(collection_translation::Entity::find().all(connection).await?, |row| row.collection_id);
    let mut category_texts =
        group_by(category_translation::Entity::find().all(connection).await?, |row| row.category_id);
    let mut categories = group_by(category::Entity::find().all(connection).await?, |row| row.collection_id);
    let mut collections = Vec::new();
    for model in collection::Entity::find().all(connection).await? {
        let mut members = Vec::new();
        for category in categories.remove(&model.id).unwrap_or_default() {
            ids.categories.insert((model.slug.clone(), category.slug.clone()), category.id);
            let texts = category_texts
                .remove(&category.id)
                .unwrap_or_default()
                .into_iter()
                .map(|text| (text.locale, NameText { name: text.name, description: text.description }));
            members.push(Category {
                slug: category.slug,
                position: category.position,
                texts: texts.collect(),
                version: Some(category.version),
            });
        }
        members.sort_by(|a, b| a.slug.cmp(&b.slug));
        ids.collections.insert(model.slug.clone(), model.id);
        let titles = titles.remove(&model.id).unwrap_or_default().into_iter();
        collections.push(Collection {
            sources: strings(model.sources, "collection sources")?,
            themes: strings(model.themes, "collection themes")?,
            slug: model.slug,
            year: model.year,
            publisher: model.publisher,
            released_on: model.released_on,
            released_at_event: model.released_at_event,
            declared_case_count: model.declared_case_count,
            call_for_cases_started: model.call_for_cases_started,
            titles: titles.map(|text| (text.locale, text.title)).collect(),
            categories: members,
            version: Some(model.version),
        });
    }
    collections.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(collections)
}

async fn read_organisations<C: ConnectionTrait + 'static>(
    connection: &C,
    ids: &mut Ids,
    filter: &Filter,
) -> Result<Vec<Organisation>> {
    let models = narrowed(organisation::Entity::find(), &filter.organisations).all(connection).await?;
    let owners: Vec<i64> = models.iter().map(|model| model.id).collect();
    let mut texts = group_by(
        children::<organisation_translation::Entity, _>(
            connection,
            organisation_translation::Column::OrganisationId,
            &owners,
            filter.organisations.is_some(),
        )
        .await?,
        |row| row.organisation_id,
    );
    let mut organisations = Vec::new();
    for model in models {
        ids.organisations.insert(model.slug.clone(), model.id);
        let texts = texts.remove(&model.id).unwrap_or_default().into_iter();
        organisations.push(Organisation {
            slug: model.slug,
            organisation_type: model.organisation_type,
            country: model.country,
            region: model.region,
            website: model.website,
            is_sample: model.is_sample,
            stamps: Stamps { version: Some(model.version), ..stamps(model.created_at, model.updated_at) },
            texts: texts
                .map(|text| (text.locale, NameText { name: text.name, description: text.description }))
                .collect(),
        });
    }
    organisations.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(organisations)
}

async fn read_cases<C: ConnectionTrait + 'static>(
    connection: &C,
    ids: &mut Ids,
    filter: &Filter,
) -> Result<Vec<Case>> {
    let collection_slugs = inverse(&ids.collections);
    let category_slugs: HashMap<i64, String> =
        ids.categories.iter().map(|((_, slug), id)| (*id, slug.clone())).collect();
    let organisation_slugs = inverse(&ids.organisations);
    for model in narrowed(tag::Entity::find(), &filter.tags).all(connection).await? {
        ids.tags.insert(model.name, model.id);
    }
    let tag_names = inverse(&ids.tags);
    let models = narrowed(case::Entity::find(), &filter.cases).all(connection).await?;
    let owners: Vec<i64> = models.iter().map(|model| model.id).collect();
    let narrow = filter.cases.is_some();
    let mut texts = group_by(
        children::<case_translation::Entity, _>(
            connection,
            case_translation::Column::CaseId,
            &owners,
            narrow,
        )
        .await?,
        |row| row.case_id,
    );
    let mut links = group_by(
        children::<case_organisation::Entity, _>(
            connection,
            case_organisation::Column::CaseId,
            &owners,
            narrow,
        )
        .await?,
        |row| row.case_id,
    );
    let mut countries = group_by(
        children::<case_country::Entity, _>(connection, case_country::Column::CaseId, &owners, narrow)
            .await?,
        |row| row.case_id,
    );
    let mut tags = group_by(
        children::<case_tag::Entity, _>(connection, case_tag::Column::CaseId, &owners, narrow).await?,
        |row| row.case_id,
    );
    let mut cases = Vec::new();
    for model in models {
        ids.cases.insert(model.slug.clone(), model.id);
        let mut links = links.remove(&model.id).unwrap_or_default();
        links.sort_by_key(|link| (link.position, link.organisation_id));
        let mut countries: Vec<String> =
            countries.remove(&model.id).unwrap_or_default().into_iter().map(|row| row.country_code).collect();
        countries.sort();
        let mut tags = tags
            .remove(&model.id)
            .unwrap_or_default()
            .into_iter()
            .map(|row| slug_of(&tag_names, row.tag_id, "tag"))
            .collect::<Result<Vec<_>>>()?;
        tags.sort();
        let texts = texts.remove(&model.id).unwrap_or_default().into_iter().map(|text| {
            (text.locale, CaseText { title: text.title, summary: text.summary, body: text.body })
        });
        cases.push(Case {
            collection: slug_of(&collection_slugs, model.collection_id, "collection")?,
            category: slug_of(&category_slugs, model.category_id, "category")?,
            status: model.status,
            industry_chain_link: model.industry_chain_link,
            sourcing_method: model.sourcing_method,
            cover_image_url: model.cover_image_url,
            is_sample: model.is_sample,
            published_at: model.published_at.map(truncate),
            stamps: Stamps { version: Some(model.version), ..stamps(model.created_at, model.updated_at) },
            texts: texts.collect(),
            organisations: links
                .into_iter()
                .map(|link| {
                    Ok((slug_of(&organisation_slugs, link.organisation_id, "organisation")?, link.role))
                })
                .collect::<Result<_>>()?,
            countries,
            tags,
            slug: model.slug,
        });
    }
    cases.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(cases)
}

async fn read_follow_up_actions<C: ConnectionTrait + 'static>(
    connection: &C,
    ids: &mut Ids,
    filter: &Filter,
) -> Result<Vec<FollowUpAction>> {
    let collection_slugs = inverse(&ids.collections);
    let organisation_slugs = inverse(&ids.organisations);
    let case_slugs = inverse(&ids.cases);
    let models =
        narrowed(follow_up_action::Entity::find(), &filter.follow_up_actions).all(connection).await?;
    let owners: Vec<i64> = models.iter().map(|model| model.id).collect();
    let narrow = filter.follow_up_actions.is_some();
    let mut texts = group_by(
        children::<follow_up_action_translation::Entity, _>(
            connection,
            follow_up_action_translation::Column::FollowUpActionId,
            &owners,
            narrow,
        )
        .await?,
        |row| row.follow_up_action_id,
    );
    let mut links = group_by(
        children::<follow_up_action_case::Entity, _>(
            connection,
            follow_up_action_case::Column::FollowUpActionId,
            &owners,
            narrow,
        )
        .await?,
        |row| row.follow_up_action_id,
    );
    let mut actions = Vec::new();
    for model in models {
        ids.follow_up_actions.insert(model.slug.clone(), model.id);
        let mut cases = links
            .remove(&model.id)
            .unwrap_or_default()
            .into_iter()
            .map(|link| slug_of(&case_slugs, link.case_id, "case"))
            .collect::<Result<Vec<_>>>()?;
        cases.sort();
        let texts: BTreeMap<String, TitleText> = texts
            .remove(&model.id)
            .unwrap_or_default()
            .into_iter()
            .map(|text| (text.locale, TitleText { title: text.title, description: text.description }))
            .collect();
        actions.push(FollowUpAction {
            slug: model.slug,
            kind: model.kind,
            status: model.status,
            starts_on: model.starts_on,
            ends_on: model.ends_on,
            place: model.place,
            organiser: model
                .organiser_id
                .map(|id| slug_of(&organisation_slugs, id, "organisation"))
                .transpose()?,
            collection: model
                .collection_id
                .map(|id| slug_of(&collection_slugs, id, "collection"))
                .transpose()?,
            is_sample: model.is_sample,
            stamps: Stamps { version: Some(model.version), ..stamps(model.created_at, model.updated_at) },
            texts,
            cases,
        });
    }
    actions.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(actions)
}

fn inverse(ids: &HashMap<String, i64>) -> HashMap<i64, String> {
    ids.iter().map(|(slug, id)| (*id, slug.clone())).collect()
}
