//! Turns [`Content`] into the file format and writes it: pretty-printed, keys in a fixed
//! order, every list sorted by slug, a trailing newline.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveEnum;

use super::document::{
    CaseOrganisationRow, CaseRow, CategoryRow, CollectionRow, CollectionText, Document, FORMAT,
    FORMAT_VERSION, FollowUpActionRow, NameText, OrganisationRow,
};
use super::record::{self, Case, Collection, Content, FollowUpAction, Organisation};
use crate::error::Result;

/// The one way timestamps are written: RFC 3339 in UTC, microseconds, `Z`.
pub fn format_timestamp(timestamp: DateTime<Utc>) -> String {
    timestamp.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Dates are written `YYYY-MM-DD`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The file's name of an enum value (`SCREAMING_SNAKE_CASE`, as stored).
fn name<E: ActiveEnum<Value = String>>(value: &E) -> String {
    value.to_value()
}

/// The document for `content`.
pub fn document(content: Content) -> Document {
    Document {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        collections: content.collections.into_iter().map(collection).collect(),
        organisations: content.organisations.into_iter().map(organisation).collect(),
        cases: content.cases.into_iter().map(case).collect(),
        follow_up_actions: content.follow_up_actions.into_iter().map(follow_up_action).collect(),
    }
}

/// Writes `document` to `path` through a temporary file, so a failed export leaves any
/// previous file intact. Returns the number of bytes written.
pub fn write(document: &Document, path: &Path) -> Result<u64> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let mut writer = BufWriter::with_capacity(1 << 20, File::create(&partial)?);
    serde_json::to_writer_pretty(&mut writer, document)?;
    writer.write_all(b"\n")?;
    let file = writer.into_inner().map_err(|error| error.into_error())?;
    file.sync_all()?;
    let bytes = file.metadata()?.len();
    drop(file);
    std::fs::rename(&partial, path)?;
    Ok(bytes)
}

fn name_texts(
    texts: std::collections::BTreeMap<String, record::NameText>,
) -> std::collections::BTreeMap<String, NameText> {
    texts
        .into_iter()
        .map(|(locale, text)| (locale, NameText { name: text.name, description: text.description }))
        .collect()
}

pub fn collection(collection: Collection) -> CollectionRow {
    CollectionRow {
        slug: collection.slug,
        year: collection.year,
        texts: collection
            .titles
            .into_iter()
            .map(|(locale, title)| (locale, CollectionText { title }))
            .collect(),
        publisher: collection.publisher,
        released_on: collection.released_on.map(format_date),
        released_at_event: collection.released_at_event,
        declared_case_count: collection.declared_case_count,
        call_for_cases_started: collection.call_for_cases_started,
        sources: collection.sources,
        themes: collection.themes,
        categories: collection.categories.into_iter().map(category).collect(),
    }
}

pub fn category(category: record::Category) -> CategoryRow {
    CategoryRow { slug: category.slug, position: category.position, texts: name_texts(category.texts) }
}

pub fn organisation(organisation: Organisation) -> OrganisationRow {
    OrganisationRow {
        slug: organisation.slug,
        organisation_type: name(&organisation.organisation_type),
        country: organisation.country,
        region: organisation.region,
        website: organisation.website,
        is_sample: organisation.is_sample,
        created_at: organisation.stamps.created_at.map(format_timestamp),
        updated_at: organisation.stamps.updated_at.map(format_timestamp),
        version: organisation.stamps.version,
        texts: name_texts(organisation.texts),
    }
}

pub fn case(case: Case) -> CaseRow {
    CaseRow {
        slug: case.slug,
        collection: case.collection,
        category: case.category,
        status: name(&case.status),
        industry_chain_link: case.industry_chain_link.as_ref().map(name),
        sourcing_method: case.sourcing_method.as_ref().map(name),
        cover_image_url: case.cover_image_url,
        is_sample: case.is_sample,
        published_at: case.published_at.map(format_timestamp),
        created_at: case.stamps.created_at.map(format_timestamp),
        updated_at: case.stamps.updated_at.map(format_timestamp),
        version: case.stamps.version,
        texts: case
            .texts
            .into_iter()
            .map(|(locale, text)| {
                let text =
                    super::document::CaseText { title: text.title, summary: text.summary, body: text.body };
                (locale, text)
            })
            .collect(),
        organisations: case
            .organisations
            .into_iter()
            .map(|(organisation, role)| CaseOrganisationRow { organisation, role: name(&role) })
            .collect(),
        countries: case.countries,
        tags: case.tags,
    }
}

pub fn follow_up_action(action: FollowUpAction) -> FollowUpActionRow {
    FollowUpActionRow {
        slug: action.slug,
        kind: name(&action.kind),
        status: name(&action.status),
        starts_on: action.starts_on.map(format_date),
        ends_on: action.ends_on.map(format_date),
        place: action.place,
        organiser: action.organiser,
        collection: action.collection,
        is_sample: action.is_sample,
        created_at: action.stamps.created_at.map(format_timestamp),
        updated_at: action.stamps.updated_at.map(format_timestamp),
        version: action.stamps.version,
        texts: action
            .texts
            .into_iter()
            .map(|(locale, text)| {
                (locale, super::document::TitleText { title: text.title, description: text.description })
            })
            .collect(),
        cases: action.cases,
    }
}
