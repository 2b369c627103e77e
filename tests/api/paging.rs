//! Keyset pages visit every row of a list exactly once, in the order of the list read in
//! one page, whatever the filter, the ordering (relevance scores included, with their
//! ties), the page size and the direction (`first`/`after` or `last`/`before`).

use std::collections::HashSet;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, TestDatabase, casegraph_ok};

/// Seed of the property test's random choices (data seeds, filters, orders, page sizes);
/// every failure message names it with the iteration that failed.
const SEED: u64 = 0x5eed_2025;
/// Walks per database of the property test.
const ITERATIONS: usize = 40;

const CASES: &str = r#"query($first: Int, $after: String, $last: Int, $before: String,
                            $filter: CaseFilter, $orderBy: CaseOrder) {
  list: cases(first: $first, after: $after, last: $last, before: $before, filter: $filter,
              orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { node { id } } } }"#;

const ORGANISATIONS: &str = r#"query($first: Int, $after: String, $last: Int, $before: String,
                                    $filter: OrganisationFilter, $orderBy: OrganisationOrder) {
  list: organisations(first: $first, after: $after, last: $last, before: $before, filter: $filter,
                      orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { node { id } } } }"#;

const FOLLOW_UP_ACTIONS: &str = r#"query($first: Int, $after: String, $last: Int, $before: String,
                                        $filter: FollowUpActionFilter, $orderBy: FollowUpActionOrder) {
  list: followUpActions(first: $first, after: $after, last: $last, before: $before, filter: $filter,
                        orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { node { id } } } }"#;

const SEARCH: &str = r#"query($first: Int, $after: String, $query: String!) {
  list: search(query: $query, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    edges { node { ... on Node { id } } } } }"#;

/// Words of the synthetic texts (English, Chinese, Arabic), common and rare.
const WORDS: [&str; 14] = [
    "export",
    "logistics",
    "warehouse",
    "payment",
    "training",
    "customs",
    "rural",
    "service",
    "centre",
    "markets",
    "sample",
    "物流",
    "出口",
    "تصدير",
];

const COUNTRIES: [&str; 10] = ["CN", "US", "GB", "AE", "SA", "EG", "KE", "ID", "MY", "BR"];
const CASE_STATUSES: [&str; 3] = ["DRAFT", "PUBLISHED", "ARCHIVED"];
const ORGANISATION_TYPES: [&str; 9] = [
    "GOVERNMENT",
    "COMPREHENSIVE_SERVICE_PLATFORM",
    "TRADING_PLATFORM",
    "LOGISTICS",
    "FINANCE",
    "SELLER",
    "DISPUTE_RESOLUTION",
    "SUPPORT_SERVICE",
    "OTHER",
];
const SOURCING_METHODS: [&str; 3] = ["FIELD_SURVEY", "TARGETED_INVITATION", "ONLINE_NOTICE"];
const ACTION_KINDS: [&str; 5] = [
    "EXPERIENCE_SUMMARY",
    "SHOWCASE",
    "INTERNATIONAL_EXCHANGE",
    "CAPACITY_BUILDING_PROJECT",
    "TRAINING_COURSE",
];
const ACTION_STATUSES: [&str; 4] = ["PLANNED", "IN_PROGRESS", "DONE", "CANCELLED"];
const LOCALES: [&str; 3] = ["en", "zh", "ar"];

/// A paginated list of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum List {
    Cases,
    Organisations,
    FollowUpActions,
    /// The root `search`: forward only.
    Search,
}

impl List {
    /// The list's query, aliased `list`.
    fn document(self) -> &'static str {
        match self {
            Self::Cases => CASES,
            Self::Organisations => ORGANISATIONS,
            Self::FollowUpActions => FOLLOW_UP_ACTIONS,
            Self::Search => SEARCH,
        }
    }
}

/// A list and the arguments that choose and order its rows.
#[derive(Clone, Debug)]
struct Listing {
    list: List,
    /// Filter, order or search text.
    variables: Value,
    /// `Accept-Language` (titles and names sort in the request's locale).
    locale: &'static str,
}

/// An app over the synthetic data of each `(cases, seed)` run, and a read:drafts key.
async fn seeded(runs: &[(u64, u64)]) -> (TestApp, String) {
    let database = TestDatabase::new().await;
    for (cases, seed) in runs {
        casegraph_ok(&database, &["seed", "--synthetic", &cases.to_string(), "--seed", &seed.to_string()]);
    }
    // A budget the walks cannot spend: this test is not about rate limits.
    let budget = ["--budget", "1e12", "--refill", "1e12"];
    let mut arguments = vec!["keys", "create", "--name", "pager", "--scopes", "read:drafts"];
    arguments.extend(budget);
    let key = casegraph_ok(&database, &arguments);
    (TestApp::spawn_on(database, false).await, key.trim().to_owned())
}

/// One page of `listing` (`paging`: first/after or last/before), as `data.list`.
async fn page(app: &TestApp, key: &str, listing: &Listing, paging: Value) -> Value {
    let mut variables = listing.variables.clone();
    if let (Some(variables), Value::Object(paging)) = (variables.as_object_mut(), paging) {
        variables.extend(paging);
    }
    let bearer = format!("Bearer {key}");
    let headers = [("Authorization", bearer.as_str()), ("Accept-Language", listing.locale)];
    let body = app.graphql_with(listing.list.document(), variables.clone(), &headers).await;
    assert!(body["errors"].is_null(), "{variables}: {body}");
    body["data"]["list"].clone()
}

/// The global ids of a page's nodes, in order (they name the kind: the root search mixes them).
fn ids(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["id"].as_str().expect("id").to_owned())
        .collect()
}

/// How a list is walked: rows per page, and from which end.
#[derive(Clone, Copy, Debug)]
struct Walk {
    size: u64,
    /// From the end (`last`/`before`) rather than from the start (`first`/`after`).
    backward: bool,
}

/// Walks `listing` page by page, checking each page's size, page info and total; returns
/// the ids in list order and the total. `context` says what failed.
async fn walk(app: &TestApp, key: &str, listing: &Listing, how: Walk, context: &str) -> (Vec<String>, u64) {
    let Walk { size, backward } = how;
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut cursor = Value::Null;
    let mut total: Option<u64> = None;
    loop {
        let paging = if backward {
            json!({ "last": size, "before": cursor })
        } else {
            json!({ "first": size, "after": cursor })
        };
        let page = page(app, key, listing, paging.clone()).await;
        let context = format!("{context}: {how:?}, page {paging}");
        let count = page["totalCount"].as_u64().expect("totalCount");
        assert_eq!(*total.get_or_insert(count), count, "the total changed: {context}");
        let info = &page["pageInfo"];
        let (more, came_from) = if backward {
            (info["hasPreviousPage"] == true, info["hasNextPage"] == true)
        } else {
            (info["hasNextPage"] == true, info["hasPreviousPage"] == true)
        };
        assert_eq!(came_from, !cursor.is_null(), "page info of the side walked from: {context}: {page}");
        let rows = ids(&page);
        if more {
            assert_eq!(rows.len() as u64, size, "a page before the end is full: {context}: {page}");
        }
        pages.push(rows);
        // Twice the pages the rows fill: enough to see rows repeat, not to loop for ever.
        if pages.len() as u64 > 2 * (count / size.max(1) + 2) {
            break;
        }
        if !more {
            break;
        }
        cursor = if backward { info["startCursor"].clone() } else { info["endCursor"].clone() };
    }
    if backward {
        pages.reverse();
    }
    (pages.concat(), total.unwrap_or(0))
}

/// Checks that `ids` holds `total` distinct rows.
fn assert_each_once(ids: &[String], total: u64, context: &str) {
    let distinct = ids.iter().collect::<HashSet<_>>().len();
    let counts = format!("{} rows walked, {distinct} distinct, for a totalCount of {total}", ids.len());
    assert_eq!(distinct, ids.len(), "{counts}: {context}");
    assert_eq!(ids.len() as u64, total, "{counts}: {context}");
}

#[tokio::test]
async fn a_case_search_by_relevance_walked_five_at_a_time_visits_each_match_once() {
    let (app, key) = seeded(&[(600, 11)]).await;
    let listing = Listing {
        list: List::Cases,
        variables: json!({ "filter": { "search": "export" },
                           "orderBy": { "field": "RELEVANCE", "direction": "DESC" } }),
        locale: "en",
    };
    // Before cursors carried scores exactly, the walk forward gave 359 edges (12 cases
    // twice, one never) for a totalCount of 348.
    let (forward, total) = walk(&app, &key, &listing, Walk { size: 5, backward: false }, "forward").await;
    assert!(total > 100, "the seed gives hundreds of matches, with ties: {total}");
    assert_each_once(&forward, total, "forward");
    let (backward, total) = walk(&app, &key, &listing, Walk { size: 5, backward: true }, "backward").await;
    assert_each_once(&backward, total, "backward");
    assert_eq!(forward, backward);
}

#[tokio::test]
async fn the_root_search_walked_five_at_a_time_visits_each_result_once() {
    let (app, key) = seeded(&[(600, 11)]).await;
    let listing = Listing { list: List::Search, variables: json!({ "query": "export" }), locale: "en" };
    // Before cursors carried scores exactly: 394 edges, 384 distinct of 385 results.
    let (walked, total) = walk(&app, &key, &listing, Walk { size: 5, backward: false }, "search").await;
    assert!(total > 100, "the seed gives hundreds of results, with ties: {total}");
    assert_each_once(&walked, total, "search");
}

/// Picks each of `values` with probability one half, at least one.
fn some_of(rng: &mut ChaCha8Rng, values: &[&str]) -> Value {
    let mut chosen: Vec<&str> = values.iter().copied().filter(|_| rng.random_bool(0.5)).collect();
    if chosen.is_empty() {
        chosen.extend(values.choose(rng));
    }
    chosen.shuffle(rng);
    json!(chosen)
}

/// An order of `fields` in a random direction, or none (the list's default) one time in five.
fn order(rng: &mut ChaCha8Rng, fields: &[&str]) -> Value {
    if rng.random_bool(0.2) {
        return Value::Null;
    }
    let direction = if rng.random_bool(0.5) { "ASC" } else { "DESC" };
    json!({ "field": fields.choose(rng), "direction": direction })
}

/// Adds `key` to `filter` with probability `chance`.
fn maybe(
    rng: &mut ChaCha8Rng,
    filter: &mut Map<String, Value>,
    chance: f64,
    key: &str,
    value: impl FnOnce(&mut ChaCha8Rng) -> Value,
) {
    if rng.random_bool(chance) {
        let value = value(rng);
        filter.insert(key.to_owned(), value);
    }
}

/// Slugs of the collections and categories, for filters.
async fn catalogue(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let body = app.graphql("{ collections { slug } categories { slug } }").await;
    let slugs = |list: &Value| -> Vec<String> {
        list.as_array()
            .expect("list")
            .iter()
            .map(|item| item["slug"].as_str().expect("slug").to_owned())
            .collect()
    };
    (slugs(&body["data"]["collections"]), slugs(&body["data"]["categories"]))
}

/// A random listing of any kind.
fn random_listing(rng: &mut ChaCha8Rng, collections: &[&str], categories: &[&str]) -> Listing {
    let locale = *LOCALES.choose(rng).expect("locales");
    let word = |rng: &mut ChaCha8Rng| json!(WORDS.choose(rng));
    let mut filter = Map::new();
    let (list, variables) = match rng.random_range(0..20) {
        0..9 => {
            maybe(rng, &mut filter, 0.5, "search", word);
            maybe(rng, &mut filter, 0.4, "statuses", |rng| some_of(rng, &CASE_STATUSES));
            maybe(rng, &mut filter, 0.2, "collections", |rng| some_of(rng, collections));
            maybe(rng, &mut filter, 0.25, "categories", |rng| some_of(rng, categories));
            maybe(rng, &mut filter, 0.25, "countries", |rng| some_of(rng, &COUNTRIES));
            maybe(rng, &mut filter, 0.15, "organisationTypes", |rng| some_of(rng, &ORGANISATION_TYPES));
            maybe(rng, &mut filter, 0.15, "sourcingMethods", |rng| some_of(rng, &SOURCING_METHODS));
            maybe(rng, &mut filter, 0.1, "isSample", |_| json!(true));
            // A search is ordered by relevance (with its ties) one time in two.
            let order = if filter.contains_key("search") && rng.random_bool(0.5) {
                order(rng, &["RELEVANCE"])
            } else {
                order(rng, &["PUBLISHED_AT", "UPDATED_AT", "CREATED_AT", "TITLE"])
            };
            (List::Cases, json!({ "filter": filter, "orderBy": order }))
        }
        9..12 => {
            maybe(rng, &mut filter, 0.5, "search", word);
            maybe(rng, &mut filter, 0.3, "types", |rng| some_of(rng, &ORGANISATION_TYPES));
            maybe(rng, &mut filter, 0.3, "countries", |rng| some_of(rng, &COUNTRIES));
            maybe(rng, &mut filter, 0.1, "isSample", |_| json!(true));
            // Without an order, a search lists by relevance: one time in two.
            let order = if filter.contains_key("search") && rng.random_bool(0.5) {
                Value::Null
            } else {
                order(rng, &["NAME", "CASE_COUNT", "CREATED_AT"])
            };
            (List::Organisations, json!({ "filter": filter, "orderBy": order }))
        }
        12..15 => {
            maybe(rng, &mut filter, 0.3, "kinds", |rng| some_of(rng, &ACTION_KINDS));
            maybe(rng, &mut filter, 0.3, "statuses", |rng| some_of(rng, &ACTION_STATUSES));
            maybe(rng, &mut filter, 0.2, "collections", |rng| some_of(rng, collections));
            maybe(rng, &mut filter, 0.15, "startsAfter", |_| json!("2024-01-01"));
            maybe(rng, &mut filter, 0.15, "startsBefore", |_| json!("2025-07-01"));
            let order = order(rng, &["STARTS_ON", "CREATED_AT"]);
            (List::FollowUpActions, json!({ "filter": filter, "orderBy": order }))
        }
        _ => (List::Search, json!({ "query": WORDS.choose(rng) })),
    };
    Listing { list, variables, locale }
}

#[tokio::test]
async fn every_list_walked_in_random_pages_either_way_matches_the_list_read_at_once() {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let datasets = [
        vec![(rng.random_range(60..=90), rng.random_range(100..10_000))],
        vec![
            (rng.random_range(30..=50), rng.random_range(100..10_000)),
            (50, rng.random_range(10_000..20_000)),
        ],
    ];
    for runs in datasets {
        let (app, key) = seeded(&runs).await;
        let (collections, categories) = catalogue(&app).await;
        let collections: Vec<&str> = collections.iter().map(String::as_str).collect();
        let categories: Vec<&str> = categories.iter().map(String::as_str).collect();
        for iteration in 0..ITERATIONS {
            let listing = random_listing(&mut rng, &collections, &categories);
            let context = format!("seed {SEED:#x}, data {runs:?}, iteration {iteration}: {listing:?}");
            // The whole list, a hundred rows a page: one page when the filter keeps few.
            let (whole, total) =
                walk(&app, &key, &listing, Walk { size: 100, backward: false }, &context).await;
            assert_each_once(&whole, total, &context);
            for backward in [false, true] {
                if backward && listing.list == List::Search {
                    continue;
                }
                let how = Walk { size: rng.random_range(1..=7), backward };
                let (walked, _) = walk(&app, &key, &listing, how, &context).await;
                assert_eq!(walked, whole, "{how:?}: {context}");
            }
        }
    }
}
