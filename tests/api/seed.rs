//! `casegraph seed --synthetic N --seed S`: deterministic, marked as sample data, covering
//! every vocabulary, refusing a seed twice, adding to existing data.

use std::collections::{BTreeMap, BTreeSet};

use entity::enums::{
    CaseStatus, FollowUpActionKind, FollowUpActionStatus, OrganisationRole, OrganisationType, SourcingMethod,
};
use entity::{
    case, case_country, case_organisation, case_tag, case_translation, category, follow_up_action,
    follow_up_action_case, follow_up_action_translation, organisation, organisation_translation, tag,
};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait, Iterable,
    PaginatorTrait, PrimaryKeyToColumn, QueryOrder, Set, Statement,
};

use crate::helpers::{TestDatabase, casegraph, casegraph_ok};

/// Seeds `cases` synthetic cases with `seed` and connects to the database.
async fn seeded(cases: u64, seed: u64) -> Result<(TestDatabase, DatabaseConnection), DbErr> {
    let database = TestDatabase::new().await;
    seed_into(&database, cases, seed);
    let connection = Database::connect(database.url.as_str()).await?;
    Ok((database, connection))
}

fn seed_into(database: &TestDatabase, cases: u64, seed: u64) -> String {
    casegraph_ok(database, &["seed", "--synthetic", &cases.to_string(), "--seed", &seed.to_string()])
}

/// Every row of `E`, in primary-key order.
async fn rows<E: EntityTrait>(connection: &DatabaseConnection) -> Result<Vec<E::Model>, DbErr> {
    let mut select = E::find();
    for key in E::PrimaryKey::iter() {
        select = select.order_by_asc(key.into_column());
    }
    select.all(connection).await
}

async fn count<E>(connection: &DatabaseConnection) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(connection).await
}

/// Row counts of every table the generator writes.
async fn counts(connection: &DatabaseConnection) -> Result<Vec<u64>, DbErr> {
    Ok(vec![
        count::<case::Entity>(connection).await?,
        count::<case_translation::Entity>(connection).await?,
        count::<case_organisation::Entity>(connection).await?,
        count::<case_country::Entity>(connection).await?,
        count::<case_tag::Entity>(connection).await?,
        count::<tag::Entity>(connection).await?,
        count::<organisation::Entity>(connection).await?,
        count::<organisation_translation::Entity>(connection).await?,
        count::<follow_up_action::Entity>(connection).await?,
        count::<follow_up_action_translation::Entity>(connection).await?,
        count::<follow_up_action_case::Entity>(connection).await?,
    ])
}

/// Fails unless `E` holds the same rows in both databases.
async fn assert_same_rows<E>(one: &DatabaseConnection, other: &DatabaseConnection) -> Result<(), DbErr>
where
    E: EntityTrait,
    E::Model: PartialEq + std::fmt::Debug,
{
    let (one, other) = (rows::<E>(one).await?, rows::<E>(other).await?);
    assert!(!one.is_empty(), "{} is empty", E::default().table_name());
    assert_eq!(one, other, "{} differs", E::default().table_name());
    Ok(())
}

#[tokio::test]
async fn the_same_seed_gives_identical_rows_in_two_fresh_databases() -> Result<(), DbErr> {
    let (_first, one) = seeded(150, 7).await?;
    let (_second, other) = seeded(150, 7).await?;
    assert_same_rows::<case::Entity>(&one, &other).await?;
    assert_same_rows::<case_translation::Entity>(&one, &other).await?;
    assert_same_rows::<case_organisation::Entity>(&one, &other).await?;
    assert_same_rows::<case_country::Entity>(&one, &other).await?;
    assert_same_rows::<case_tag::Entity>(&one, &other).await?;
    assert_same_rows::<tag::Entity>(&one, &other).await?;
    assert_same_rows::<organisation::Entity>(&one, &other).await?;
    assert_same_rows::<organisation_translation::Entity>(&one, &other).await?;
    assert_same_rows::<follow_up_action::Entity>(&one, &other).await?;
    assert_same_rows::<follow_up_action_translation::Entity>(&one, &other).await?;
    assert_same_rows::<follow_up_action_case::Entity>(&one, &other).await?;

    let (_third, different) = seeded(150, 8).await?;
    let texts =
        |rows: Vec<case_translation::Model>| rows.into_iter().map(|text| text.body).collect::<Vec<_>>();
    assert_ne!(
        texts(rows::<case_translation::Entity>(&one).await?),
        texts(rows::<case_translation::Entity>(&different).await?),
        "another seed writes other texts"
    );
    Ok(())
}

#[tokio::test]
async fn every_row_is_a_sample_and_every_title_and_name_says_so() -> Result<(), DbErr> {
    let (_database, connection) = seeded(200, 7).await?;
    let cases = rows::<case::Entity>(&connection).await?;
    assert_eq!(cases.len(), 200);
    assert!(cases.iter().all(|case| case.is_sample && case.slug.starts_with("sample-s7-case-")));
    assert!(
        rows::<organisation::Entity>(&connection).await?.iter().all(|organisation| organisation.is_sample)
    );
    assert!(rows::<follow_up_action::Entity>(&connection).await?.iter().all(|action| action.is_sample));
    let markers = BTreeMap::from([("en", "[Sample]"), ("zh", "[示例]"), ("ar", "[عينة]")]);
    for text in rows::<case_translation::Entity>(&connection).await? {
        assert!(text.title.starts_with(markers[text.locale.as_str()]), "{}: {}", text.locale, text.title);
    }
    for text in rows::<follow_up_action_translation::Entity>(&connection).await? {
        assert!(text.title.starts_with(markers[text.locale.as_str()]), "{}: {}", text.locale, text.title);
    }
    for text in rows::<organisation_translation::Entity>(&connection).await? {
        let says_sample = match text.locale.as_str() {
            "en" => text.name.starts_with("Sample ") && text.name.ends_with("(synthetic)"),
            locale => text.name.starts_with(markers[locale]),
        };
        assert!(says_sample, "{}: {}", text.locale, text.name);
    }
    Ok(())
}

#[tokio::test]
async fn two_hundred_cases_cover_every_status_type_kind_and_category() -> Result<(), DbErr> {
    let (_database, connection) = seeded(200, 7).await?;
    let cases = rows::<case::Entity>(&connection).await?;
    let statuses: BTreeSet<String> = cases.iter().map(|case| format!("{:?}", case.status)).collect();
    assert_eq!(statuses.len(), CaseStatus::iter().count());
    let methods: BTreeSet<String> =
        cases.iter().filter_map(|case| case.sourcing_method).map(|method| format!("{method:?}")).collect();
    assert_eq!(methods.len(), SourcingMethod::iter().count());
    let linked = cases.iter().filter(|case| case.industry_chain_link.is_some()).count();
    assert!(linked > cases.len() / 2, "industry_chain_link on only {linked} cases");
    let categories: BTreeSet<i64> = cases.iter().map(|case| case.category_id).collect();
    assert_eq!(categories.len() as u64, count::<category::Entity>(&connection).await?);
    for case in cases.iter().filter(|case| case.status == CaseStatus::Draft) {
        assert!(case.published_at.is_none(), "draft {} has a publication time", case.slug);
    }

    let organisations = rows::<organisation::Entity>(&connection).await?;
    assert_eq!(organisations.len(), 40);
    let types: BTreeSet<String> =
        organisations.iter().map(|organisation| format!("{:?}", organisation.organisation_type)).collect();
    assert_eq!(types.len(), OrganisationType::iter().count());

    let actions = rows::<follow_up_action::Entity>(&connection).await?;
    assert_eq!(actions.len(), 20);
    let pairs: BTreeSet<String> =
        actions.iter().map(|action| format!("{:?}/{:?}", action.kind, action.status)).collect();
    assert_eq!(pairs.len(), FollowUpActionKind::iter().count() * FollowUpActionStatus::iter().count());
    Ok(())
}

#[tokio::test]
async fn links_dates_and_codes_follow_the_rules() -> Result<(), DbErr> {
    let (_database, connection) = seeded(200, 7).await?;
    let cases: BTreeMap<i64, case::Model> =
        rows::<case::Entity>(&connection).await?.into_iter().map(|case| (case.id, case)).collect();
    for case in cases.values() {
        assert!(case.created_at <= case.updated_at, "{}", case.slug);
        if let Some(published_at) = case.published_at {
            assert!(case.created_at <= published_at && published_at <= case.updated_at, "{}", case.slug);
            assert!(published_at.to_rfc3339().as_str() >= "2024-01-15", "{}", case.slug);
            assert!(published_at.to_rfc3339().as_str() < "2026-07-01", "{}", case.slug);
        }
    }
    let mut organisations: BTreeMap<i64, Vec<case_organisation::Model>> = BTreeMap::new();
    for link in rows::<case_organisation::Entity>(&connection).await? {
        organisations.entry(link.case_id).or_default().push(link);
    }
    for (case_id, mut links) in organisations.clone() {
        links.sort_by_key(|link| link.position);
        assert!((1..=3).contains(&links.len()), "case {case_id}");
        for (position, link) in links.iter().enumerate() {
            let role = if position == 0 { OrganisationRole::Lead } else { OrganisationRole::Partner };
            assert_eq!((link.position, link.role), (position as i32, role), "case {case_id}");
        }
    }
    assert_eq!(organisations.len(), cases.len());
    let mut countries: BTreeMap<i64, usize> = BTreeMap::new();
    for country in rows::<case_country::Entity>(&connection).await? {
        let code = &country.country_code;
        assert!(code.len() == 2 && code.chars().all(|letter| letter.is_ascii_uppercase()), "{code}");
        *countries.entry(country.case_id).or_default() += 1;
    }
    assert!(countries.len() == cases.len() && countries.values().all(|count| (1..=3).contains(count)));
    let mut tags: BTreeMap<i64, usize> = BTreeMap::new();
    for link in rows::<case_tag::Entity>(&connection).await? {
        *tags.entry(link.case_id).or_default() += 1;
    }
    assert!(tags.len() == cases.len() && tags.values().all(|count| (1..=4).contains(count)));

    let actions: BTreeMap<i64, follow_up_action::Model> = rows::<follow_up_action::Entity>(&connection)
        .await?
        .into_iter()
        .map(|action| (action.id, action))
        .collect();
    let mut concerned: BTreeMap<i64, usize> = BTreeMap::new();
    for link in rows::<follow_up_action_case::Entity>(&connection).await? {
        let action = &actions[&link.follow_up_action_id];
        assert_eq!(action.collection_id, Some(cases[&link.case_id].collection_id), "{}", action.slug);
        *concerned.entry(action.id).or_default() += 1;
    }
    assert!(concerned.len() == actions.len() && concerned.values().all(|count| (1..=5).contains(count)));
    for action in actions.values() {
        assert!(action.organiser_id.is_some() && action.place.is_some(), "{}", action.slug);
        assert!(action.starts_on.is_some() && action.starts_on <= action.ends_on, "{}", action.slug);
    }
    let collections: BTreeSet<i64> = cases.values().map(|case| case.collection_id).collect();
    assert_eq!(collections.len(), 2, "cases go into both collections");
    Ok(())
}

#[tokio::test]
async fn every_case_has_english_and_some_lack_chinese_or_arabic() -> Result<(), DbErr> {
    let (_database, connection) = seeded(200, 7).await?;
    let mut locales: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for text in rows::<case_translation::Entity>(&connection).await? {
        if text.locale == "zh" {
            let words = text.title.strip_prefix("[示例] ");
            assert!(words.is_some_and(|words| !words.contains(' ')), "{}", text.title);
            assert!(!text.summary.clone().unwrap_or_default().contains(' '), "{:?}", text.summary);
        }
        if text.locale == "ar" {
            assert!(text.title.chars().any(|letter| ('\u{0621}'..='\u{064A}').contains(&letter)));
        }
        locales.entry(text.case_id).or_default().insert(text.locale);
    }
    assert_eq!(locales.len(), 200);
    assert!(locales.values().all(|locales| locales.contains("en")));
    let with = |locale: &str| locales.values().filter(|locales| locales.contains(locale)).count();
    assert!((100..200).contains(&with("zh")), "{} cases in Chinese", with("zh"));
    assert!((80..200).contains(&with("ar")), "{} cases in Arabic", with("ar"));
    Ok(())
}

#[tokio::test]
async fn running_the_same_seed_twice_is_refused_without_writing() -> Result<(), DbErr> {
    let (database, connection) = seeded(120, 7).await?;
    let before = counts(&connection).await?;
    let output = casegraph(&database, &["seed", "--synthetic", "50", "--seed", "7"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("already holds synthetic data for seed 7; use another --seed"), "{stderr}");
    assert_eq!(counts(&connection).await?, before);
    Ok(())
}

#[tokio::test]
async fn a_second_seed_adds_to_existing_data() -> Result<(), DbErr> {
    let (database, connection) = seeded(100, 7).await?;
    let first_case_count = count::<case::Entity>(&connection).await?;
    let printed = seed_into(&database, 60, 8);
    assert!(printed.contains("created 60 synthetic cases"), "{printed}");
    let cases = rows::<case::Entity>(&connection).await?;
    assert_eq!(cases.len() as u64, first_case_count + 60);
    let second: Vec<&case::Model> = cases.iter().filter(|case| case.slug.starts_with("sample-s8-")).collect();
    assert_eq!(second.len(), 60);
    let largest_first =
        cases.iter().filter(|case| case.slug.starts_with("sample-s7-")).map(|case| case.id).max();
    assert!(second.iter().all(|case| Some(case.id) > largest_first));
    let tags = rows::<tag::Entity>(&connection).await?;
    assert_eq!(tags.len(), 30, "the second seed reuses the tags");
    Ok(())
}

#[tokio::test]
async fn zero_cases_creates_nothing() -> Result<(), DbErr> {
    let (_database, connection) = seeded(0, 7).await?;
    let counts = counts(&connection).await?;
    assert!(counts.iter().all(|count| *count == 0), "{counts:?}");
    Ok(())
}

#[tokio::test]
async fn ids_the_database_assigns_after_a_seed_do_not_collide() -> Result<(), DbErr> {
    let (_database, connection) = seeded(50, 7).await?;
    let tag = tag::ActiveModel { name: Set("added-after-the-seed".to_owned()), ..Default::default() }
        .insert(&connection)
        .await?;
    assert_eq!(tag.id, 31);
    Ok(())
}

#[tokio::test]
async fn every_seeded_row_is_in_the_full_text_index() -> Result<(), DbErr> {
    let (_database, connection) = seeded(120, 7).await?;
    let backend = connection.get_database_backend();
    for (index, owner) in [
        ("case_search", "cases"),
        ("organisation_search", "organisation"),
        ("follow_up_action_search", "follow_up_action"),
    ] {
        let mut counts = Vec::new();
        for table in [index, owner] {
            let sql = format!("SELECT COUNT(*) AS n FROM {table}");
            let row = connection.query_one_raw(Statement::from_string(backend, sql)).await?;
            counts.push(row.map(|row| row.try_get::<i64>("", "n")).transpose()?);
        }
        assert_eq!(counts[0], counts[1], "{index} against {owner}");
    }
    Ok(())
}
