//! Rows of synthetic organisations and their translations.

use std::ops::Range;

use entity::{organisation, organisation_translation};
use rand::Rng;

use super::mix::draw_type;
use super::phrases::SUBJECTS;
use super::plan::{Plan, organisation_slug};
use super::random::{Stream, pick, publication_time, row_random, up_to_days};
use super::text;
use super::vocabulary::{CHINESE_PROVINCES, COUNTRIES, organisation_names};

/// Organisations and their translations, ready to insert.
#[derive(Debug, Default)]
pub(super) struct OrganisationRows {
    pub organisations: Vec<organisation::Model>,
    pub translations: Vec<organisation_translation::Model>,
}

/// The rows of organisations `indexes`.
pub(super) fn rows(plan: &Plan, indexes: Range<u64>) -> OrganisationRows {
    let mut rows = OrganisationRows::default();
    for index in indexes {
        push(plan, index, &mut rows);
    }
    rows
}

fn push(plan: &Plan, index: u64, rows: &mut OrganisationRows) {
    let mut random = row_random(plan.seed, Stream::Organisation, index);
    let organisation_type = draw_type(&mut random, index);
    let id = plan.organisation_id(index);
    let slug = organisation_slug(plan.seed, index);
    let country = random.random_bool(0.9).then(|| *pick(&mut random, &COUNTRIES));
    let region = match country {
        Some("CN") => Some((*pick(&mut random, &CHINESE_PROVINCES)).to_owned()),
        _ => None,
    };
    let website = random.random_bool(0.7).then(|| format!("https://{slug}.example.org"));
    let created_at = publication_time(&mut random) - up_to_days(&mut random, 365);
    let updated_at = created_at + up_to_days(&mut random, 180);
    let name = organisation_names(organisation_type)[random.random_range(0..2)];
    let focus = *pick(&mut random, &SUBJECTS);
    for language in text::languages(&mut random) {
        let (name, description) = text::organisation(name, focus, index + 1, language);
        rows.translations.push(organisation_translation::Model {
            organisation_id: id,
            locale: language.locale().to_owned(),
            name,
            description: Some(description),
        });
    }
    rows.organisations.push(organisation::Model {
        id,
        slug,
        organisation_type,
        country: country.map(str::to_owned),
        region,
        website,
        is_sample: true,
        created_at,
        updated_at,
        version: 1,
    });
}
