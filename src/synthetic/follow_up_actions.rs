//! Rows of synthetic follow-up actions, their translations and the cases they concern.

use std::ops::Range;

use chrono::TimeDelta;
use entity::enums::{FollowUpActionKind, FollowUpActionStatus};
use entity::{follow_up_action, follow_up_action_case, follow_up_action_translation};
use rand::Rng;

use super::cases::collection_of;
use super::mix::{KINDS, PAIRS, STATUSES};
use super::plan::{Plan, follow_up_action_slug};
use super::random::{RowRandom, Stream, action_start, pick, row_random, up_to_days};
use super::text;
use super::vocabulary::{CITIES, follow_up_action_name};

/// The most cases one action concerns.
const MOST_CASES: usize = 5;
/// Draws spent looking for more cases of the action's collection before settling for fewer.
const CASE_DRAWS: usize = 8 * MOST_CASES;

/// Follow-up actions and their linked rows, ready to insert.
#[derive(Debug, Default)]
pub(super) struct FollowUpActionRows {
    pub actions: Vec<follow_up_action::Model>,
    pub translations: Vec<follow_up_action_translation::Model>,
    pub cases: Vec<follow_up_action_case::Model>,
}

/// The rows of follow-up actions `indexes`.
pub(super) fn rows(plan: &Plan, indexes: Range<u64>) -> FollowUpActionRows {
    let mut rows = FollowUpActionRows::default();
    for index in indexes {
        push(plan, index, &mut rows);
    }
    rows
}

/// Kind and status of action `index`: the first twenty cover every pair.
fn kind_and_status(random: &mut RowRandom, index: u64) -> (FollowUpActionKind, FollowUpActionStatus) {
    if index < PAIRS {
        let index = index as usize;
        (KINDS[index / STATUSES.len()], STATUSES[index % STATUSES.len()])
    } else {
        (*pick(random, &KINDS), *pick(random, &STATUSES))
    }
}

/// Between one and five cases of one collection: a first case drawn at random, then
/// others of its collection. Returns the collection and the case indexes.
fn concerned_cases(random: &mut RowRandom, plan: &Plan) -> (i64, Vec<u64>) {
    let first = random.random_range(0..plan.case_count);
    let collection_id = collection_of(plan, first);
    let wanted = random.random_range(1..=MOST_CASES);
    let mut cases = vec![first];
    for _ in 0..CASE_DRAWS {
        if cases.len() >= wanted {
            break;
        }
        let candidate = random.random_range(0..plan.case_count);
        if !cases.contains(&candidate) && collection_of(plan, candidate) == collection_id {
            cases.push(candidate);
        }
    }
    (collection_id, cases)
}

fn push(plan: &Plan, index: u64, rows: &mut FollowUpActionRows) {
    let mut random = row_random(plan.seed, Stream::FollowUpAction, index);
    let (kind, status) = kind_and_status(&mut random, index);
    let id = plan.follow_up_action_id(index);
    let (collection_id, cases) = concerned_cases(&mut random, plan);
    let organiser = random.random_range(0..plan.organisation_count);
    let city = *pick(&mut random, &CITIES);
    let starts_on = action_start(&mut random);
    let ends_on = starts_on + TimeDelta::days(random.random_range(0..=60));
    let created_at =
        starts_on.and_time(Default::default()).and_utc() - TimeDelta::days(10) - up_to_days(&mut random, 120);
    let updated_at = created_at + up_to_days(&mut random, 60);
    for language in text::languages(&mut random) {
        let (title, description) =
            text::follow_up_action(follow_up_action_name(kind), city, index + 1, language);
        rows.translations.push(follow_up_action_translation::Model {
            follow_up_action_id: id,
            locale: language.locale().to_owned(),
            title,
            description: Some(description),
        });
    }
    for case in cases {
        rows.cases
            .push(follow_up_action_case::Model { follow_up_action_id: id, case_id: plan.case_id(case) });
    }
    rows.actions.push(follow_up_action::Model {
        id,
        slug: follow_up_action_slug(plan.seed, index),
        kind,
        status,
        starts_on: Some(starts_on),
        ends_on: Some(ends_on),
        place: Some(city.english.to_owned()),
        organiser_id: Some(plan.organisation_id(organiser)),
        collection_id: Some(collection_id),
        is_sample: true,
        created_at,
        updated_at,
        version: 1,
    });
}
