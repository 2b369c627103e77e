//! Turns validated records, with the ids chosen for them, into rows of each table.

use chrono::{DateTime, Utc};
use entity::{
    case, case_country, case_organisation, case_tag, case_translation, follow_up_action,
    follow_up_action_case, follow_up_action_translation, organisation, organisation_translation,
};
use sea_orm::Set;

use super::record::{Case, FollowUpAction, Organisation};
use super::snapshot::Ids;
use crate::error::{Error, Result};

/// The id of `slug` in `ids`; validation made sure it exists.
pub fn id_of(ids: &std::collections::HashMap<String, i64>, slug: &str, what: &str) -> Result<i64> {
    ids.get(slug).copied().ok_or_else(|| Error::Internal(format!("{what} {slug:?} has no id")))
}

/// Rows of organisations and their translations.
#[derive(Default)]
pub struct OrganisationRows {
    pub owners: Vec<organisation::ActiveModel>,
    pub translations: Vec<organisation_translation::ActiveModel>,
}

impl OrganisationRows {
    /// Adds `record` under `id`.
    pub fn push(&mut self, id: i64, record: Organisation, now: DateTime<Utc>) {
        self.owners.push(organisation::ActiveModel {
            id: Set(id),
            slug: Set(record.slug),
            organisation_type: Set(record.organisation_type),
            country: Set(record.country),
            region: Set(record.region),
            website: Set(record.website),
            is_sample: Set(record.is_sample),
            created_at: Set(record.stamps.created_at.unwrap_or(now)),
            updated_at: Set(record.stamps.updated_at.unwrap_or(now)),
            version: Set(record.stamps.version.unwrap_or(1)),
        });
        self.translations.extend(record.texts.into_iter().map(|(locale, text)| {
            organisation_translation::ActiveModel {
                organisation_id: Set(id),
                locale: Set(locale),
                name: Set(text.name),
                description: Set(text.description),
            }
        }));
    }
}

/// Rows of cases and of everything that belongs to them.
#[derive(Default)]
pub struct CaseRows {
    pub owners: Vec<case::ActiveModel>,
    pub translations: Vec<case_translation::ActiveModel>,
    pub organisations: Vec<case_organisation::ActiveModel>,
    pub countries: Vec<case_country::ActiveModel>,
    pub tags: Vec<case_tag::ActiveModel>,
}

impl CaseRows {
    /// Adds `record` under `id`, its references resolved through `ids`.
    pub fn push(&mut self, id: i64, record: Case, ids: &Ids, now: DateTime<Utc>) -> Result<()> {
        let category_key = (record.collection.clone(), record.category.clone());
        let category_id = ids.categories.get(&category_key).copied().ok_or_else(|| {
            Error::Internal(format!("category {:?} of {:?} has no id", record.category, record.collection))
        })?;
        self.owners.push(case::ActiveModel {
            id: Set(id),
            slug: Set(record.slug),
            collection_id: Set(id_of(&ids.collections, &record.collection, "collection")?),
            category_id: Set(category_id),
            industry_chain_link: Set(record.industry_chain_link),
            sourcing_method: Set(record.sourcing_method),
            cover_image_url: Set(record.cover_image_url),
            status: Set(record.status),
            is_sample: Set(record.is_sample),
            published_at: Set(record.published_at),
            created_at: Set(record.stamps.created_at.unwrap_or(now)),
            updated_at: Set(record.stamps.updated_at.unwrap_or(now)),
            version: Set(record.stamps.version.unwrap_or(1)),
        });
        self.translations.extend(record.texts.into_iter().map(|(locale, text)| {
            case_translation::ActiveModel {
                case_id: Set(id),
                locale: Set(locale),
                title: Set(text.title),
                summary: Set(text.summary),
                body: Set(text.body),
            }
        }));
        for (position, (organisation, role)) in record.organisations.into_iter().enumerate() {
            self.organisations.push(case_organisation::ActiveModel {
                case_id: Set(id),
                organisation_id: Set(id_of(&ids.organisations, &organisation, "organisation")?),
                role: Set(role),
                position: Set(i32::try_from(position + 1).unwrap_or(i32::MAX)),
            });
        }
        self.countries.extend(
            record
                .countries
                .into_iter()
                .map(|country| case_country::ActiveModel { case_id: Set(id), country_code: Set(country) }),
        );
        for tag in record.tags {
            self.tags.push(case_tag::ActiveModel {
                case_id: Set(id),
                tag_id: Set(id_of(&ids.tags, &tag, "tag")?),
            });
        }
        Ok(())
    }
}

/// Rows of follow-up actions, their translations and their cases.
#[derive(Default)]
pub struct FollowUpActionRows {
    pub owners: Vec<follow_up_action::ActiveModel>,
    pub translations: Vec<follow_up_action_translation::ActiveModel>,
    pub cases: Vec<follow_up_action_case::ActiveModel>,
}

impl FollowUpActionRows {
    /// Adds `record` under `id`, its references resolved through `ids`.
    pub fn push(&mut self, id: i64, record: FollowUpAction, ids: &Ids, now: DateTime<Utc>) -> Result<()> {
        let organiser = record
            .organiser
            .as_deref()
            .map(|slug| id_of(&ids.organisations, slug, "organisation"))
            .transpose()?;
        let collection = record
            .collection
            .as_deref()
            .map(|slug| id_of(&ids.collections, slug, "collection"))
            .transpose()?;
        self.owners.push(follow_up_action::ActiveModel {
            id: Set(id),
            slug: Set(record.slug),
            kind: Set(record.kind),
            status: Set(record.status),
            starts_on: Set(record.starts_on),
            ends_on: Set(record.ends_on),
            place: Set(record.place),
            organiser_id: Set(organiser),
            collection_id: Set(collection),
            is_sample: Set(record.is_sample),
            created_at: Set(record.stamps.created_at.unwrap_or(now)),
            updated_at: Set(record.stamps.updated_at.unwrap_or(now)),
            version: Set(record.stamps.version.unwrap_or(1)),
        });
        self.translations.extend(record.texts.into_iter().map(|(locale, text)| {
            follow_up_action_translation::ActiveModel {
                follow_up_action_id: Set(id),
                locale: Set(locale),
                title: Set(text.title),
                description: Set(text.description),
            }
        }));
        for case in record.cases {
            self.cases.push(follow_up_action_case::ActiveModel {
                follow_up_action_id: Set(id),
                case_id: Set(id_of(&ids.cases, &case, "case")?),
            });
        }
        Ok(())
    }
}
