//! Unit tests of the pure row generation (no database).

use super::cases::{self, CaseRows};
use super::plan::{Plan, Slot, follow_up_action_count, organisation_count};
use super::{chunks, follow_up_actions, mix};

/// A plan for `cases` cases on an empty database with two collections of nine categories.
fn plan(seed: u64, cases: u64) -> Plan {
    let organisations = organisation_count(cases);
    Plan {
        seed,
        case_count: cases,
        organisation_count: organisations,
        follow_up_action_count: follow_up_action_count(cases),
        first_case_id: 1,
        first_organisation_id: 1,
        first_follow_up_action_id: 1,
        slots: (0..18).map(|slot| Slot { collection_id: 1 + slot / 9, category_id: 1 + slot }).collect(),
        tag_ids: (1..=30).collect(),
        new_tags: Vec::new(),
        organisation_types: mix::types(seed, organisations),
    }
}

#[test]
fn chunks_cover_every_index_exactly_once() {
    let ranges: Vec<_> = chunks(0..25, 10).collect();
    assert_eq!(ranges, vec![0..10, 10..20, 20..25]);
    assert_eq!(chunks(0..0, 10).count(), 0);
    assert_eq!(chunks(20..40, 10).collect::<Vec<_>>(), vec![20..30, 30..40]);
}

#[test]
fn a_case_does_not_depend_on_the_chunk_it_is_generated_in() {
    let plan = plan(7, 300);
    let whole = cases::rows(&plan, 0..300);
    let mut pieces = CaseRows::default();
    for range in chunks(0..300, 70) {
        let piece = cases::rows(&plan, range);
        pieces.cases.extend(piece.cases);
        pieces.translations.extend(piece.translations);
        pieces.organisations.extend(piece.organisations);
    }
    assert_eq!(whole.cases, pieces.cases);
    assert_eq!(whole.translations, pieces.translations);
    assert_eq!(whole.organisations, pieces.organisations);
}

#[test]
fn counts_follow_the_number_of_cases_with_floors() {
    assert_eq!((organisation_count(1), follow_up_action_count(1)), (9, 20));
    assert_eq!((organisation_count(100_000), follow_up_action_count(100_000)), (20_000, 10_000));
}

#[test]
fn chinese_texts_run_words_together_and_arabic_texts_use_arabic_letters() {
    let rows = cases::rows(&plan(3, 200), 0..200);
    let arabic_letter = |letter: char| ('\u{0621}'..='\u{064A}').contains(&letter);
    for text in &rows.translations {
        let body = text.body.as_deref().unwrap_or_default();
        let characters = body.chars().count();
        match text.locale.as_str() {
            "zh" => {
                // Only Markdown markers ("## ", "- ") and the "[示例] " prefix hold a space.
                let prose = body.lines().map(|line| line.trim_start_matches(['#', '-', ' ']));
                assert!(prose.clone().all(|line| !line.contains(' ')), "{body}");
                assert!(!text.title.trim_start_matches("[示例] ").contains(' '), "{}", text.title);
                assert!((120..=400).contains(&characters), "{characters} characters: {body}");
            }
            "ar" => {
                assert!(text.title.starts_with("[عينة]") && text.title.chars().any(arabic_letter));
                assert!(body.chars().filter(|letter| arabic_letter(*letter)).count() > characters / 2);
                assert!((300..=650).contains(&characters), "{characters} characters: {body}");
            }
            _ => {
                assert!(text.title.starts_with("[Sample] "), "{}", text.title);
                assert!((300..=650).contains(&characters), "{characters} characters: {body}");
            }
        }
    }
}

#[test]
fn follow_up_actions_concern_cases_of_their_own_collection() {
    let plan = plan(11, 120);
    let rows = follow_up_actions::rows(&plan, 0..plan.follow_up_action_count);
    for link in &rows.cases {
        let action = rows.actions.iter().find(|action| action.id == link.follow_up_action_id);
        let case_index = (link.case_id - plan.first_case_id) as u64;
        assert_eq!(
            action.and_then(|action| action.collection_id),
            Some(cases::collection_of(&plan, case_index))
        );
    }
}
