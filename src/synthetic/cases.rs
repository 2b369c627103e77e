//! Rows of synthetic cases: the case, its translations, organisations, countries and tags.

use std::ops::Range;

use chrono::TimeDelta;
use entity::enums::{CaseStatus, OrganisationRole, SourcingMethod};
use entity::{case, case_country, case_organisation, case_tag, case_translation};
use rand::Rng;

use super::plan::{Plan, case_slug};
use super::random::{RowRandom, Stream, covering, distinct, publication_time, row_random, up_to_days};
use super::text::{self, CaseWords};
use super::vocabulary::COUNTRIES;

/// Statuses with their weights in percent; the first three cases take one each.
const STATUSES: [(CaseStatus, u32); 3] =
    [(CaseStatus::Published, 80), (CaseStatus::Draft, 12), (CaseStatus::Archived, 8)];

/// Sourcing methods with their weights in percent (some cases do not say).
const SOURCING_METHODS: [(Option<SourcingMethod>, u32); 4] = [
    (Some(SourcingMethod::FieldSurvey), 35),
    (Some(SourcingMethod::TargetedInvitation), 35),
    (Some(SourcingMethod::OnlineNotice), 20),
    (None, 10),
];

/// Probability that a case names the industrial-chain link (its lead's type).
const CHAIN_LINK_SHARE: f64 = 0.85;

/// Cases and their linked rows, ready to insert.
#[derive(Debug, Default)]
pub(super) struct CaseRows {
    pub cases: Vec<case::Model>,
    pub translations: Vec<case_translation::Model>,
    pub organisations: Vec<case_organisation::Model>,
    pub countries: Vec<case_country::Model>,
    pub tags: Vec<case_tag::Model>,
}

/// The position in `plan.slots` of case `index`: the first draw of its stream, so
/// follow-up actions can learn a case's collection without generating the whole case.
/// The first cases take one category each, so every category gets cases.
fn draw_slot(random: &mut RowRandom, index: u64, slots: usize) -> usize {
    match usize::try_from(index) {
        Ok(index) if index < slots => index,
        _ => random.random_range(0..slots),
    }
}

/// The collection of case `index`.
pub(super) fn collection_of(plan: &Plan, index: u64) -> i64 {
    let mut random = row_random(plan.seed, Stream::Case, index);
    plan.slots[draw_slot(&mut random, index, plan.slots.len())].collection_id
}

/// The rows of cases `indexes`.
pub(super) fn rows(plan: &Plan, indexes: Range<u64>) -> CaseRows {
    let mut rows = CaseRows::default();
    for index in indexes {
        push(plan, index, &mut rows);
    }
    rows
}

fn push(plan: &Plan, index: u64, rows: &mut CaseRows) {
    let mut random = row_random(plan.seed, Stream::Case, index);
    let slot = plan.slots[draw_slot(&mut random, index, plan.slots.len())];
    let id = plan.case_id(index);
    let status = covering(&mut random, index, &STATUSES).unwrap_or(CaseStatus::Published);
    let sourcing_method = covering(&mut random, index, &SOURCING_METHODS).flatten();
    let organisation_count = usize::try_from(plan.organisation_count).unwrap_or(usize::MAX);
    let organisations = distinct(&mut random, organisation_count, 3);
    let lead_type = organisations.first().and_then(|lead| plan.organisation_types.get(*lead)).copied();
    let industry_chain_link = lead_type.filter(|_| random.random_bool(CHAIN_LINK_SHARE));
    let moment = publication_time(&mut random);
    let created_at = moment - up_to_days(&mut random, 90);
    let (published_at, updated_at) = match status {
        CaseStatus::Draft => (None, moment + up_to_days(&mut random, 20)),
        CaseStatus::Published => (Some(moment), moment + up_to_days(&mut random, 60)),
        CaseStatus::Archived => (Some(moment), moment + TimeDelta::days(30) + up_to_days(&mut random, 300)),
    };
    let number = index + 1;
    let cover_image_url = random
        .random_bool(0.6)
        .then(|| format!("https://images.example.org/sample/s{}/case-{number:06}.jpg", plan.seed));
    for (position, organisation) in organisations.iter().enumerate() {
        rows.organisations.push(case_organisation::Model {
            case_id: id,
            organisation_id: plan.organisation_id(*organisation as u64),
            role: if position == 0 { OrganisationRole::Lead } else { OrganisationRole::Partner },
            position: position as i32,
        });
    }
    for country in distinct(&mut random, COUNTRIES.len(), 3) {
        rows.countries.push(case_country::Model { case_id: id, country_code: COUNTRIES[country].to_owned() });
    }
    for tag in distinct(&mut random, plan.tag_ids.len(), 4) {
        rows.tags.push(case_tag::Model { case_id: id, tag_id: plan.tag_ids[tag] });
    }
    let words = CaseWords::draw(&mut random, number);
    for language in text::languages(&mut random) {
        let text = words.write(language);
        rows.translations.push(case_translation::Model {
            case_id: id,
            locale: language.locale().to_owned(),
            title: text.title,
            summary: Some(text.summary),
            body: Some(text.body),
        });
    }
    rows.cases.push(case::Model {
        id,
        slug: case_slug(plan.seed, index),
        collection_id: slot.collection_id,
        category_id: slot.category_id,
        industry_chain_link,
        sourcing_method,
        cover_image_url,
        status,
        is_sample: true,
        published_at,
        created_at,
        updated_at,
        version: 1,
    });
}
