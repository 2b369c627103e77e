//! Checks one row of each kind and turns it into a typed record; `None` when the row has a
//! problem (every problem is recorded in the row's list).

use std::collections::{BTreeMap, HashSet};

use super::document::{
    self, CaseRow, CategoryRow, CollectionRow, CollectionText, FollowUpActionRow, OrganisationRow,
};
use super::errors::ProblemKind;
use super::fields::{
    DESCRIPTION_LENGTH, LINE_LENGTH, LONG_SLUG, Lines, Row, SHORT_SLUG, SUMMARY_LENGTH, TAG_LENGTH,
    TITLE_LENGTH,
};
use super::known::Known;
use super::record::{
    Case, CaseText, Category, Collection, FollowUpAction, NameText, Organisation, Stamps, TitleText,
};

/// Longest `callForCasesStarted` (its column width).
const CALL_FOR_CASES_LENGTH: usize = 16;

/// Checks every locale key and each text: its required title or name (`title_field`,
/// read by `title`) and, through `more`, its other fields (given the text's field path);
/// at least one locale must be present.
fn texts<T, R>(
    row: &mut Row<'_>,
    prefix: &str,
    texts: BTreeMap<String, T>,
    (title_field, title): (&str, impl Fn(&T) -> &str),
    more: impl Fn(&mut Row<'_>, &str, &T),
    convert: impl Fn(T) -> R,
) -> BTreeMap<String, R> {
    if texts.is_empty() {
        row.problem(&format!("{prefix}texts"), ProblemKind::Required, "has no text in any locale");
    }
    let mut converted = BTreeMap::new();
    for (locale, text) in texts {
        let path = format!("{prefix}texts.{locale}");
        row.locale(&path, &locale);
        row.required_text(&format!("{path}.{title_field}"), title(&text), TITLE_LENGTH);
        more(row, &path, &text);
        converted.insert(locale, convert(text));
    }
    converted
}

fn name_text(text: document::NameText) -> NameText {
    NameText { name: text.name, description: text.description }
}

/// A name text's description.
fn description(row: &mut Row<'_>, path: &str, text: &document::NameText) {
    row.optional_text(
        &format!("{path}.description"),
        text.description.as_deref(),
        DESCRIPTION_LENGTH,
        Lines::Many,
    );
}

/// Earliest and latest year of an edition.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A collection and its categories.
pub fn collection(row: &mut Row<'_>, source: CollectionRow) -> Option<Collection> {
    row.slug("slug", &source.slug, SHORT_SLUG);
    if let Some(started) = &source.call_for_cases_started
        && started.chars().count() > CALL_FOR_CASES_LENGTH
    {
        row.error("callForCasesStarted", format!("is longer than {CALL_FOR_CASES_LENGTH} characters"));
    }
    if source.declared_case_count.is_some_and(|count| count < 0) {
        row.error("declaredCaseCount", "must not be negative");
    }
    if !YEARS.contains(&source.year) {
        row.error("year", format!("must be between {} and {}", YEARS.start(), YEARS.end()));
    }
    row.optional_text("publisher", source.publisher.as_deref(), LINE_LENGTH, Lines::One);
    row.optional_text("releasedAtEvent", source.released_at_event.as_deref(), LINE_LENGTH, Lines::One);
    for (index, url) in source.sources.iter().enumerate() {
        row.citation_url(&format!("sources[{index}]"), url);
    }
    for (index, theme) in source.themes.iter().enumerate() {
        row.required_text(&format!("themes[{index}]"), theme, LINE_LENGTH);
    }
    let released_on = row.date("releasedOn", source.released_on.as_deref());
    let titles = texts(
        row,
        "",
        source.texts,
        ("title", |text: &CollectionText| &text.title),
        |_, _, _| {},
        |text| text.title,
    );
    let mut seen = HashSet::new();
    let mut categories = Vec::new();
    for (index, category) in source.categories.into_iter().enumerate() {
        let prefix = format!("categories[{index}]");
        if !seen.insert(category.slug.clone()) {
            row.problem(
                &format!("{prefix}.slug"),
                ProblemKind::Duplicate,
                format!("duplicate category {:?}", category.slug),
            );
        }
        categories.push(self::category(row, &prefix, category));
    }
    row.is_clean().then_some(())?;
    Some(Collection {
        slug: source.slug,
        year: source.year,
        publisher: source.publisher,
        released_on: released_on?,
        released_at_event: source.released_at_event,
        declared_case_count: source.declared_case_count,
        call_for_cases_started: source.call_for_cases_started,
        sources: source.sources,
        themes: source.themes,
        titles,
        categories,
        version: None,
    })
}

fn category(row: &mut Row<'_>, prefix: &str, source: CategoryRow) -> Category {
    row.slug(&format!("{prefix}.slug"), &source.slug, SHORT_SLUG);
    if source.position < 1 {
        row.error(&format!("{prefix}.position"), "must be 1 or more");
    }
    let texts = texts(
        row,
        &format!("{prefix}."),
        source.texts,
        ("name", |text: &document::NameText| &text.name),
        description,
        name_text,
    );
    Category { slug: source.slug, position: source.position, texts, version: None }
}

/// An organisation.
pub fn organisation(row: &mut Row<'_>, source: OrganisationRow) -> Option<Organisation> {
    row.slug("slug", &source.slug, LONG_SLUG);
    let organisation_type = row.enumeration("organisationType", &source.organisation_type);
    if let Some(country) = &source.country {
        row.country("country", country);
    }
    row.optional_text("region", source.region.as_deref(), LINE_LENGTH, Lines::One);
    if let Some(website) = &source.website {
        row.https_url("website", website);
    }
    let stamps = stamps(row, source.created_at.as_deref(), source.updated_at.as_deref(), source.version);
    let texts = texts(
        row,
        "",
        source.texts,
        ("name", |text: &document::NameText| &text.name),
        description,
        name_text,
    );
    row.is_clean().then_some(())?;
    Some(Organisation {
        slug: source.slug,
        organisation_type: organisation_type?,
        country: source.country,
        region: source.region,
        website: source.website,
        is_sample: source.is_sample,
        stamps: stamps?,
        texts,
    })
}

fn stamps(
    row: &mut Row<'_>,
    created_at: Option<&str>,
    updated_at: Option<&str>,
    version: Option<i32>,
) -> Option<Stamps> {
    if version.is_some_and(|version| version < 1) {
        row.error("version", "must be 1 or more");
    }
    let created_at = row.timestamp("createdAt", created_at);
    let updated_at = row.timestamp("updatedAt", updated_at);
    Some(Stamps { created_at: created_at?, updated_at: updated_at?, version })
}

/// A case, its references checked against `known`.
pub fn case(row: &mut Row<'_>, source: CaseRow, known: &Known) -> Option<Case> {
    row.slug("slug", &source.slug, LONG_SLUG);
    known.check_category(row, &source.collection, &source.category);
    let status = row.enumeration("status", &source.status);
    let industry_chain_link =
        row.optional_enumeration("industryChainLink", source.industry_chain_link.as_deref());
    let sourcing_method = row.optional_enumeration("sourcingMethod", source.sourcing_method.as_deref());
    let published_at = row.timestamp("publishedAt", source.published_at.as_deref());
    let stamps = stamps(row, source.created_at.as_deref(), source.updated_at.as_deref(), source.version);
    if let Some(url) = &source.cover_image_url {
        row.https_url("coverImageUrl", url);
    }
    let texts = texts(
        row,
        "",
        source.texts,
        ("title", |text: &document::CaseText| &text.title),
        |row, path, text| {
            row.optional_text(
                &format!("{path}.summary"),
                text.summary.as_deref(),
                SUMMARY_LENGTH,
                Lines::Many,
            );
            row.body(&format!("{path}.body"), text.body.as_deref());
        },
        |text| CaseText { title: text.title, summary: text.summary, body: text.body },
    );
    let mut organisations = Vec::with_capacity(source.organisations.len());
    let mut seen = HashSet::new();
    for (index, link) in source.organisations.into_iter().enumerate() {
        let field = format!("organisations[{index}]");
        known.check_organisation(row, &format!("{field}.organisation"), &link.organisation);
        if !seen.insert(link.organisation.clone()) {
            row.problem(
                &format!("{field}.organisation"),
                ProblemKind::Duplicate,
                format!("{:?} is listed twice", link.organisation),
            );
        }
        if let Some(role) = row.enumeration(&format!("{field}.role"), &link.role) {
            organisations.push((link.organisation, role));
        }
    }
    let countries = sorted_set(row, "countries", source.countries, |row, field, country| {
        row.country(field, country);
    });
    let tags = sorted_set(row, "tags", source.tags, |row, field, tag| {
        row.required_text(field, tag, TAG_LENGTH);
    });
    row.is_clean().then_some(())?;
    Some(Case {
        slug: source.slug,
        collection: source.collection,
        category: source.category,
        status: status?,
        industry_chain_link: industry_chain_link?,
        sourcing_method: sourcing_method?,
        cover_image_url: source.cover_image_url,
        is_sample: source.is_sample,
        published_at: published_at?,
        stamps: stamps?,
        texts,
        organisations,
        countries,
        tags,
    })
}

/// Checks each value and that none is listed twice; returns them sorted.
fn sorted_set(
    row: &mut Row<'_>,
    field: &str,
    values: Vec<String>,
    check: impl Fn(&mut Row<'_>, &str, &str),
) -> Vec<String> {
    let mut seen = HashSet::new();
    for (index, value) in values.iter().enumerate() {
        let field = format!("{field}[{index}]");
        check(row, &field, value);
        if !seen.insert(value.as_str()) {
            row.problem(&field, ProblemKind::Duplicate, format!("{value:?} is listed twice"));
        }
    }
    let mut values = values;
    values.sort();
    values
}

/// A follow-up action, its references checked against `known`.
pub fn follow_up_action(
    row: &mut Row<'_>,
    source: FollowUpActionRow,
    known: &Known,
) -> Option<FollowUpAction> {
    row.slug("slug", &source.slug, LONG_SLUG);
    let kind = row.enumeration("kind", &source.kind);
    let status = row.enumeration("status", &source.status);
    let starts_on = row.date("startsOn", source.starts_on.as_deref());
    let ends_on = row.date("endsOn", source.ends_on.as_deref());
    if let (Some(Some(starts)), Some(Some(ends))) = (starts_on, ends_on)
        && ends < starts
    {
        row.error("endsOn", "must not be before startsOn");
    }
    row.optional_text("place", source.place.as_deref(), LINE_LENGTH, Lines::One);
    if let Some(organiser) = &source.organiser {
        known.check_organisation(row, "organiser", organiser);
    }
    if let Some(collection) = &source.collection {
        known.check_collection(row, "collection", collection);
    }
    let cases = sorted_set(row, "cases", source.cases, |row, field, case| known.check_case(row, field, case));
    let stamps = stamps(row, source.created_at.as_deref(), source.updated_at.as_deref(), source.version);
    let texts = texts(
        row,
        "",
        source.texts,
        ("title", |text: &document::TitleText| &text.title),
        |row, path, text| {
            row.optional_text(
                &format!("{path}.description"),
                text.description.as_deref(),
                DESCRIPTION_LENGTH,
                Lines::Many,
            );
        },
        |text| TitleText { title: text.title, description: text.description },
    );
    row.is_clean().then_some(())?;
    Some(FollowUpAction {
        slug: source.slug,
        kind: kind?,
        status: status?,
        starts_on: starts_on?,
        ends_on: ends_on?,
        place: source.place,
        organiser: source.organiser,
        collection: source.collection,
        is_sample: source.is_sample,
        stamps: stamps?,
        texts,
        cases,
    })
}
