//! Organisation and follow-up action lists: every filter key, every ordering, paging both
//! ways through every row, exact pageInfo and totals, and typed errors for bad arguments.

use std::collections::{BTreeSet, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, casegraph_ok, error_code};

const ORGANISATIONS: &str = r#"query Organisations($first: Int, $after: String, $last: Int, $before: String,
    $filter: OrganisationFilter, $orderBy: OrganisationOrder) {
  organisations(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id slug name type isSample country { code } locale } }
    nodes { slug }
  }
}"#;

const FOLLOW_UP_ACTIONS: &str = r#"query Actions($first: Int, $after: String, $last: Int, $before: String,
    $filter: FollowUpActionFilter, $orderBy: FollowUpActionOrder) {
  followUpActions(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title kind status startsOn collection { slug } cases { slug } organiser { slug } } }
    nodes { id }
  }
}"#;

/// One of the two lists under test.
#[derive(Clone, Copy, Debug)]
pub enum List {
    Organisations,
    FollowUpActions,
}

impl List {
    fn document(self) -> &'static str {
        match self {
            Self::Organisations => ORGANISATIONS,
            Self::FollowUpActions => FOLLOW_UP_ACTIONS,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Self::Organisations => "organisations",
            Self::FollowUpActions => "followUpActions",
        }
    }
}

/// Imported rows with known values, next to synthetic ones: real organisations with
/// chosen types, countries and creation times; cases of every status; actions with and
/// without start dates.
pub fn fixture() -> Value {
    let organisation = |slug: &str, kind: &str, country: Value, created: &str, texts: Value| {
        json!({ "slug": slug, "organisationType": kind, "country": country, "createdAt": created,
                "updatedAt": created, "texts": texts })
    };
    let case = |slug: &str, status: &str, organisations: &[&str]| {
        let organisations: Vec<Value> =
            organisations.iter().map(|slug| json!({ "organisation": slug, "role": "PARTNER" })).collect();
        json!({ "slug": slug, "collection": "wic-cbec-2024", "category": "logistics-integration",
                "status": status, "publishedAt": "2024-04-16T09:00:00Z",
                "texts": { "en": { "title": format!("Case {slug}") } }, "organisations": organisations })
    };
    let action = |slug: &str,
                  kind: &str,
                  status: &str,
                  starts: Value,
                  collection: Value,
                  cases: &[&str],
                  created: &str| {
        json!({ "slug": slug, "kind": kind, "status": status, "startsOn": starts, "collection": collection,
                "cases": cases, "createdAt": created, "updatedAt": created,
                "texts": { "en": { "title": format!("Action {slug}") } } })
    };
    json!({
        "format": "casegraph",
        "formatVersion": 1,
        "organisations": [
            organisation("gulf-logistics", "LOGISTICS", json!("AE"), "2020-01-03T00:00:00Z",
                json!({ "en": { "name": "Gulf Logistics" }, "ar": { "name": "الخليج للخدمات اللوجستية" } })),
            organisation("hangzhou-pilot-zone", "GOVERNMENT", json!("CN"), "2020-01-01T00:00:00Z",
                json!({ "en": { "name": "Hangzhou Pilot Zone" }, "zh": { "name": "杭州综试区" } })),
            organisation("dubai-traders", "SELLER", json!("AE"), "2020-01-02T00:00:00Z",
                json!({ "en": { "name": "Dubai Traders" } })),
            organisation("silk-road-payments", "FINANCE", json!("CN"), "2020-01-04T00:00:00Z",
                json!({ "zh": { "name": "丝路支付" } })),
            organisation("stateless-helpers", "OTHER", Value::Null, "2020-01-05T00:00:00Z",
                json!({ "en": { "name": "Stateless Helpers" } })),
        ],
        "cases": [
            case("published-one", "PUBLISHED", &["gulf-logistics", "hangzhou-pilot-zone"]),
            case("published-two", "PUBLISHED", &["hangzhou-pilot-zone"]),
            case("published-three", "PUBLISHED", &["hangzhou-pilot-zone"]),
            case("a-draft", "DRAFT", &["gulf-logistics", "silk-road-payments", "dubai-traders"]),
            case("an-archived-one", "ARCHIVED", &["silk-road-payments", "dubai-traders"]),
        ],
        "followUpActions": [
            action("showcase-2024", "SHOWCASE", "DONE", json!("2024-04-16"), json!("wic-cbec-2024"),
                &["published-one", "published-two"], "2021-01-02T00:00:00Z"),
            action("undated-training", "TRAINING_COURSE", "PLANNED", Value::Null, Value::Null,
                &["a-draft"], "2021-01-04T00:00:00Z"),
            action("exchange-2025", "INTERNATIONAL_EXCHANGE", "IN_PROGRESS", json!("2025-05-01"),
                json!("wic-cbec-2025"), &["published-two"], "2021-01-01T00:00:00Z"),
            action("undated-showcase", "SHOWCASE", "CANCELLED", Value::Null, Value::Null, &[],
                "2021-01-03T00:00:00Z"),
            action("project-2024", "CAPACITY_BUILDING_PROJECT", "DONE", json!("2024-04-15"),
                json!("wic-cbec-2024"), &["published-three"], "2021-01-05T00:00:00Z"),
        ]
    })
}

/// A database with 60 synthetic cases (12 organisations, 20 actions) and the fixture.
pub async fn seeded_database(fixture: &Value) -> TestDatabase {
    let db = TestDatabase::new().await;
    casegraph_ok(&db, &["seed", "--synthetic", "60", "--seed", "3"]);
    let path = db.file("fixture.json");
    std::fs::write(&path, serde_json::to_string_pretty(fixture).expect("JSON")).expect("fixture written");
    casegraph_ok(&db, &["import", path.to_str().expect("UTF-8 path")]);
    db
}

async fn app() -> TestApp {
    TestApp::spawn_on(seeded_database(&fixture()).await, false).await
}

/// Runs one page request that must succeed.
pub async fn page(app: &TestApp, list: List, variables: Value, headers: &[(&str, &str)]) -> Value {
    let body = app.graphql_with(list.document(), variables, headers).await;
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    body["data"][list.field()].clone()
}

/// The error code of a page request that must fail.
async fn failure(app: &TestApp, list: List, variables: Value) -> String {
    let body = app.graphql_with(list.document(), variables, &[]).await;
    assert!(body["data"].is_null(), "expected an error: {body}");
    error_code(&body).unwrap_or_default().to_owned()
}

fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"].as_array().expect("edges").iter().map(|edge| edge["node"].clone()).collect()
}

fn ids(connection: &Value) -> Vec<String> {
    nodes(connection).iter().map(|node| node["id"].as_str().expect("id").to_owned()).collect()
}

fn slugs(connection: &Value) -> Vec<String> {
    nodes(connection).iter().map(|node| node["slug"].as_str().expect("slug").to_owned()).collect()
}

/// The database key inside a global ID (`base64url("Type:key")`).
pub fn key_of(id: &str) -> i64 {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).expect("base64 id")).expect("UTF-8 id");
    text.rsplit_once(':').and_then(|(_, key)| key.parse().ok()).expect("numeric key")
}

/// Every row of `list` in one page.
async fn whole(app: &TestApp, list: List, filter: &Value, order: &Value) -> Value {
    let connection = page(app, list, json!({ "first": 100, "filter": filter, "orderBy": order }), &[]).await;
    assert_eq!(connection["pageInfo"]["hasNextPage"], false, "more than 100 rows");
    connection
}

/// Walks `list` forward with `size`-row pages, checking pageInfo and totals on the way.
async fn walk_forward(app: &TestApp, list: List, size: i32, filter: &Value, order: &Value) -> Vec<String> {
    let mut all = Vec::new();
    let mut after = Value::Null;
    let mut total = None;
    loop {
        let variables = json!({ "first": size, "after": after, "filter": filter, "orderBy": order });
        let connection = page(app, list, variables, &[]).await;
        let info = &connection["pageInfo"];
        assert_eq!(info["hasPreviousPage"], !after.is_null(), "hasPreviousPage on {connection}");
        assert_eq!(*total.get_or_insert(connection["totalCount"].clone()), connection["totalCount"]);
        let chunk = ids(&connection);
        if info["hasNextPage"] == true {
            assert_eq!(chunk.len(), size as usize);
        }
        assert_eq!(info["startCursor"], connection["edges"][0]["cursor"]);
        all.extend(chunk);
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].clone();
    }
    assert_eq!(total.and_then(|total| total.as_u64()), Some(all.len() as u64), "totalCount");
    all
}

/// Walks `list` backward with `last` pages; returns the rows in list order.
async fn walk_backward(app: &TestApp, list: List, size: i32, filter: &Value, order: &Value) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let mut before = Value::Null;
    loop {
        let variables = json!({ "last": size, "before": before, "filter": filter, "orderBy": order });
        let connection = page(app, list, variables, &[]).await;
        let info = &connection["pageInfo"];
        assert_eq!(info["hasNextPage"], !before.is_null(), "hasNextPage on {connection}");
        let mut chunk = ids(&connection);
        if info["hasPreviousPage"] == true {
            assert_eq!(chunk.len(), size as usize);
        }
        chunk.extend(all);
        all = chunk;
        if info["hasPreviousPage"] != true {
            break;
        }
        before = info["startCursor"].clone();
    }
    all
}

/// Pages through every row both ways and checks the walks agree with the one-page list.
async fn check_paging(app: &TestApp, list: List, filter: &Value, order: &Value) -> Vec<Value> {
    let connection = whole(app, list, filter, order).await;
    let everything = ids(&connection);
    assert_eq!(connection["totalCount"].as_u64(), Some(everything.len() as u64));
    let unique: HashSet<&String> = everything.iter().collect();
    assert_eq!(unique.len(), everything.len(), "duplicates in {order}");
    for size in [1, 4, 7] {
        assert_eq!(
            walk_forward(app, list, size, filter, order).await,
            everything,
            "forward by {size}, {order}"
        );
        assert_eq!(
            walk_backward(app, list, size, filter, order).await,
            everything,
            "backward by {size}, {order}"
        );
    }
    nodes(&connection)
}

/// Sorted `slug`s (organisations) or ids (actions) of a connection, for set comparisons.
fn set_of(connection: &Value, key: &str) -> BTreeSet<String> {
    nodes(connection).iter().map(|node| node[key].as_str().expect("key").to_owned()).collect()
}

fn expected_organisations(all: &[Value], keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    all.iter().filter(|node| keep(node)).map(|node| node["slug"].as_str().expect("slug").to_owned()).collect()
}

#[tokio::test]
async fn each_organisation_filter_key_matches_any_of_its_values_and_keys_combine_with_and() {
    let app = app().await;
    let all = nodes(&whole(&app, List::Organisations, &Value::Null, &Value::Null).await);
    assert_eq!(all.len(), 17, "12 synthetic and 5 imported organisations");
    let country = |node: &Value| node["country"]["code"].as_str().unwrap_or_default().to_owned();
    let cases: Vec<(Value, BTreeSet<String>)> = vec![
        (
            json!({ "types": ["LOGISTICS", "FINANCE"] }),
            expected_organisations(&all, |node| node["type"] == "LOGISTICS" || node["type"] == "FINANCE"),
        ),
        (
            json!({ "countries": ["ae", "CN"] }),
            expected_organisations(&all, |node| ["AE", "CN"].contains(&country(node).as_str())),
        ),
        (json!({ "isSample": false }), expected_organisations(&all, |node| node["isSample"] == false)),
        (json!({ "isSample": true }), expected_organisations(&all, |node| node["isSample"] == true)),
        (
            json!({ "types": ["LOGISTICS", "SELLER", "GOVERNMENT"], "countries": ["AE"], "isSample": false }),
            ["dubai-traders", "gulf-logistics"].iter().map(|slug| (*slug).to_owned()).collect(),
        ),
        (json!({ "types": [] }), BTreeSet::new()),
    ];
    for (filter, expected) in cases {
        let connection = whole(&app, List::Organisations, &filter, &Value::Null).await;
        assert_eq!(set_of(&connection, "slug"), expected, "filter {filter}");
        assert_eq!(connection["totalCount"].as_u64(), Some(expected.len() as u64), "total for {filter}");
    }
    let imported = expected_organisations(&all, |node| node["isSample"] == false);
    assert_eq!(imported.len(), 5);
}

#[tokio::test]
async fn an_organisation_search_finds_names_in_any_locale_most_relevant_first() {
    let db = seeded_database(&fixture()).await;
    reindex(&db).await;
    let app = TestApp::spawn_on(db, false).await;
    let found =
        whole(&app, List::Organisations, &json!({ "search": "logistic", "isSample": false }), &Value::Null)
            .await;
    assert_eq!(slugs(&found), ["gulf-logistics"]);
    let arabic =
        whole(&app, List::Organisations, &json!({ "search": "اللوجستية", "isSample": false }), &Value::Null)
            .await;
    assert_eq!(slugs(&arabic), ["gulf-logistics"]);
    let chinese =
        whole(&app, List::Organisations, &json!({ "search": "综试", "isSample": false }), &Value::Null).await;
    assert_eq!(slugs(&chinese), ["hangzhou-pilot-zone"]);
    let nothing = whole(&app, List::Organisations, &json!({ "search": "!!!" }), &Value::Null).await;
    assert_eq!(nothing["totalCount"], 0);
    // Relevance is the default order of a search, and paging through it is exact, also
    // through the twelve synthetic organisations that all say "sample".
    let sample = json!({ "search": "SAMPLES" });
    let relevant = check_paging(&app, List::Organisations, &sample, &Value::Null).await;
    assert_eq!(relevant.len(), 12);
    let by_name = json!({ "field": "NAME", "direction": "ASC" });
    let named = check_paging(&app, List::Organisations, &sample, &by_name).await;
    assert_eq!(named.len(), 12);
}

/// Writes the full-text index of every row (until seeding and importing do it).
pub async fn reindex(db: &TestDatabase) {
    use casegraph::store::{Store, search};
    use sea_orm::{EntityTrait, QuerySelect};
    let store = Store::connect(&db.config()).await.expect("store");
    let connection = store.connection();
    let cases: Vec<i64> = entity::case::Entity::find()
        .select_only()
        .column(entity::case::Column::Id)
        .into_tuple()
        .all(connection)
        .await
        .expect("ids");
    let organisations: Vec<i64> = entity::organisation::Entity::find()
        .select_only()
        .column(entity::organisation::Column::Id)
        .into_tuple()
        .all(connection)
        .await
        .expect("ids");
    let actions: Vec<i64> = entity::follow_up_action::Entity::find()
        .select_only()
        .column(entity::follow_up_action::Column::Id)
        .into_tuple()
        .all(connection)
        .await
        .expect("ids");
    search::reindex_cases(connection, &cases).await.expect("cases indexed");
    search::reindex_organisations(connection, &organisations).await.expect("organisations indexed");
    search::reindex_follow_up_actions(connection, &actions).await.expect("actions indexed");
    store.close().await.expect("store closed");
}

#[tokio::test]
async fn organisations_page_through_every_row_both_ways_in_every_ordering() {
    let app = app().await;
    for field in ["NAME", "CASE_COUNT", "CREATED_AT"] {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction });
            check_paging(&app, List::Organisations, &Value::Null, &order).await;
        }
    }
    check_paging(&app, List::Organisations, &json!({ "countries": ["AE", "CN"] }), &Value::Null).await;
}

#[tokio::test]
async fn organisations_sort_by_name_by_creation_and_by_published_case_count() {
    let app = app().await;
    let real = json!({ "isSample": false });
    let order = |field: &str, direction: &str| json!({ "field": field, "direction": direction });
    let default = slugs(&whole(&app, List::Organisations, &real, &Value::Null).await);
    let by_name = slugs(&whole(&app, List::Organisations, &real, &order("NAME", "ASC")).await);
    assert_eq!(default, by_name, "NAME ASC is the default");
    let latin: Vec<&String> = by_name.iter().filter(|slug| *slug != "silk-road-payments").collect();
    assert_eq!(latin, ["dubai-traders", "gulf-logistics", "hangzhou-pilot-zone", "stateless-helpers"]);
    let mut descending = slugs(&whole(&app, List::Organisations, &real, &order("NAME", "DESC")).await);
    descending.reverse();
    assert_eq!(descending, by_name);

    let created = slugs(&whole(&app, List::Organisations, &real, &order("CREATED_AT", "ASC")).await);
    assert_eq!(
        created,
        ["hangzhou-pilot-zone", "dubai-traders", "gulf-logistics", "silk-road-payments", "stateless-helpers"]
    );

    // Drafts and archived cases do not count; equal counts fall back to the id.
    let counted = whole(&app, List::Organisations, &real, &order("CASE_COUNT", "DESC")).await;
    assert_eq!(slugs(&counted)[..2], ["hangzhou-pilot-zone", "gulf-logistics"]);
    let all = whole(&app, List::Organisations, &Value::Null, &order("CASE_COUNT", "DESC")).await;
    let mut previous: Option<(u64, i64)> = None;
    for node in nodes(&all) {
        let slug = node["slug"].as_str().expect("slug");
        let count = published_cases_of(&app, slug).await;
        let key = (count, key_of(node["id"].as_str().expect("id")));
        if let Some(previous) = previous {
            assert!(previous > key, "{previous:?} then {key:?}");
        }
        previous = Some(key);
    }
}

async fn published_cases_of(app: &TestApp, slug: &str) -> u64 {
    let body = app
        .graphql_with(
            "query($slug: String!) { organisation(slug: $slug) { cases(first: 0) { totalCount } } }",
            json!({ "slug": slug }),
            &[],
        )
        .await;
    body["data"]["organisation"]["cases"]["totalCount"].as_u64().expect("count")
}

#[tokio::test]
async fn names_sort_in_the_requested_locale_and_cursors_are_bound_to_it() {
    let app = app().await;
    let filter = json!({ "isSample": false });
    let order = json!({ "field": "NAME", "direction": "ASC" });
    let variables = json!({ "first": 2, "filter": filter, "orderBy": order });
    let chinese = page(&app, List::Organisations, variables.clone(), &[("Accept-Language", "zh")]).await;
    assert_eq!(chinese["edges"][0]["node"]["locale"], "en");
    let english = page(&app, List::Organisations, variables, &[]).await;
    let cursor = &chinese["pageInfo"]["endCursor"];
    let body = app
        .graphql_with(
            ORGANISATIONS,
            json!({ "first": 2, "after": cursor, "filter": filter, "orderBy": order }),
            &[],
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(english["totalCount"], chinese["totalCount"]);
}

#[tokio::test]
async fn page_info_is_exact_at_both_ends_of_every_list() {
    let app = app().await;
    for list in [List::Organisations, List::FollowUpActions] {
        let all = whole(&app, list, &Value::Null, &Value::Null).await;
        let total = all["totalCount"].as_i64().expect("total") as i32;
        let everything = page(&app, list, json!({ "first": total }), &[]).await;
        assert_eq!(everything["pageInfo"]["hasNextPage"], false);
        assert_eq!(everything["pageInfo"]["hasPreviousPage"], false);
        let short = page(&app, list, json!({ "first": total - 1 }), &[]).await;
        assert_eq!(short["pageInfo"]["hasNextPage"], true);
        let last_cursor = everything["pageInfo"]["endCursor"].clone();
        let beyond = page(&app, list, json!({ "first": 5, "after": last_cursor }), &[]).await;
        assert_eq!(beyond["edges"], json!([]));
        assert_eq!(beyond["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(beyond["pageInfo"]["hasNextPage"], false);
        assert_eq!(beyond["pageInfo"]["startCursor"], Value::Null);
        let first_cursor = everything["pageInfo"]["startCursor"].clone();
        let before_start = page(&app, list, json!({ "last": 5, "before": first_cursor }), &[]).await;
        assert_eq!(before_start["edges"], json!([]));
        assert_eq!(before_start["pageInfo"]["hasNextPage"], true);
        assert_eq!(before_start["pageInfo"]["hasPreviousPage"], false);
        let tail = page(&app, list, json!({ "last": 3 }), &[]).await;
        assert_eq!(tail["pageInfo"]["hasNextPage"], false);
        assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(ids(&tail), ids(&everything)[(total as usize - 3)..]);
        let zero = page(&app, list, json!({ "first": 0 }), &[]).await;
        assert_eq!(zero["edges"], json!([]));
        assert_eq!(zero["totalCount"], all["totalCount"]);
        assert_eq!(zero["nodes"].as_array().map(Vec::len), Some(0));
    }
}

#[tokio::test]
async fn bad_page_arguments_and_foreign_cursors_are_bad_user_input() {
    let app = app().await;
    let cases = app.graphql("{ cases(first: 1) { pageInfo { endCursor } } }").await;
    let case_cursor = cases["data"]["cases"]["pageInfo"]["endCursor"].clone();
    assert!(case_cursor.is_string());
    for list in [List::Organisations, List::FollowUpActions] {
        let created = json!({ "field": "CREATED_AT", "direction": "ASC" });
        let other = page(&app, list, json!({ "first": 1, "orderBy": created }), &[]).await;
        let other_cursor = other["pageInfo"]["endCursor"].clone();
        let bad = [
            json!({ "first": -1 }),
            json!({ "first": 101 }),
            json!({ "last": 101 }),
            json!({ "first": 1, "last": 1 }),
            json!({ "after": "not a cursor" }),
            json!({ "before": "e30" }),
            json!({ "after": case_cursor }),
            json!({ "after": other_cursor }),
            json!({ "before": other_cursor }),
        ];
        for variables in bad {
            assert_eq!(
                failure(&app, list, variables.clone()).await,
                "BAD_USER_INPUT",
                "{list:?} {variables}"
            );
        }
    }
    let organisation = page(&app, List::Organisations, json!({ "first": 1 }), &[]).await;
    let organisation_cursor = organisation["pageInfo"]["endCursor"].clone();
    let mixed = failure(&app, List::FollowUpActions, json!({ "after": organisation_cursor })).await;
    assert_eq!(mixed, "BAD_USER_INPUT");
    let countries = failure(&app, List::Organisations, json!({ "filter": { "countries": ["China"] } })).await;
    assert_eq!(countries, "BAD_USER_INPUT");
    let date =
        failure(&app, List::FollowUpActions, json!({ "filter": { "startsAfter": "16/04/2024" } })).await;
    assert_eq!(date, "BAD_USER_INPUT");
    let long =
        failure(&app, List::Organisations, json!({ "filter": { "search": "x ".repeat(5_000) } })).await;
    assert_eq!(long, "BAD_USER_INPUT");
}

#[tokio::test]
async fn hostile_organisation_searches_give_results_or_bad_user_input() {
    let app = app().await;
    for text in
        ["\"", "' OR 1=1 --", "NEAR(", "*", "logistics\" OR \"", "a AND", "-x", "^", "{a b}:c", "%_\\"]
    {
        let body = app.graphql_with(ORGANISATIONS, json!({ "filter": { "search": text } }), &[]).await;
        assert!(body["errors"].is_null() || error_code(&body) == Some("BAD_USER_INPUT"), "{text}: {body}");
    }
}

/// The action fields a filter can be checked against.
struct Action {
    id: String,
    kind: String,
    status: String,
    starts_on: Option<String>,
    collection: Option<String>,
    cases: Vec<String>,
}

fn actions(connection: &Value) -> Vec<Action> {
    nodes(connection)
        .iter()
        .map(|node| Action {
            id: node["id"].as_str().expect("id").to_owned(),
            kind: node["kind"].as_str().expect("kind").to_owned(),
            status: node["status"].as_str().expect("status").to_owned(),
            starts_on: node["startsOn"].as_str().map(str::to_owned),
            collection: node["collection"]["slug"].as_str().map(str::to_owned),
            cases: node["cases"]
                .as_array()
                .expect("cases")
                .iter()
                .map(|case| case["slug"].as_str().expect("slug").to_owned())
                .collect(),
        })
        .collect()
}

fn expected_actions(all: &[Action], keep: impl Fn(&Action) -> bool) -> BTreeSet<String> {
    all.iter().filter(|action| keep(action)).map(|action| action.id.clone()).collect()
}

#[tokio::test]
async fn each_follow_up_action_filter_key_matches_any_of_its_values_and_keys_combine_with_and() {
    let app = app().await;
    let all = actions(&whole(&app, List::FollowUpActions, &Value::Null, &Value::Null).await);
    assert_eq!(all.len(), 25, "20 synthetic and 5 imported actions");
    let starts = |action: &Action| action.starts_on.clone().unwrap_or_default();
    let synthetic_case = all
        .iter()
        .flat_map(|action| action.cases.iter())
        .find(|slug| slug.starts_with("sample"))
        .expect("a synthetic case with an action")
        .clone();
    let cases: Vec<(Value, BTreeSet<String>)> = vec![
        (
            json!({ "kinds": ["SHOWCASE", "TRAINING_COURSE"] }),
            expected_actions(&all, |a| a.kind == "SHOWCASE" || a.kind == "TRAINING_COURSE"),
        ),
        (
            json!({ "statuses": ["DONE", "CANCELLED"] }),
            expected_actions(&all, |a| a.status == "DONE" || a.status == "CANCELLED"),
        ),
        (
            json!({ "collections": ["wic-cbec-2025"] }),
            expected_actions(&all, |a| a.collection.as_deref() == Some("wic-cbec-2025")),
        ),
        (
            json!({ "cases": ["published-two", synthetic_case] }),
            expected_actions(&all, |a| a.cases.iter().any(|c| c == "published-two" || *c == synthetic_case)),
        ),
        (
            json!({ "startsAfter": "2024-04-16" }),
            expected_actions(&all, |a| a.starts_on.is_some() && starts(a).as_str() >= "2024-04-16"),
        ),
        (
            json!({ "startsBefore": "2024-04-16" }),
            expected_actions(&all, |a| a.starts_on.is_some() && starts(a).as_str() < "2024-04-16"),
        ),
        (
            json!({ "kinds": ["SHOWCASE", "CAPACITY_BUILDING_PROJECT"], "statuses": ["DONE"],
                    "collections": ["wic-cbec-2024"], "startsAfter": "2024-04-15", "startsBefore": "2024-04-17",
                    "cases": ["published-one", "published-three"] }),
            expected_actions(&all, |a| {
                ["SHOWCASE", "CAPACITY_BUILDING_PROJECT"].contains(&a.kind.as_str())
                    && a.status == "DONE"
                    && a.collection.as_deref() == Some("wic-cbec-2024")
                    && a.starts_on.is_some()
                    && ("2024-04-15".."2024-04-17").contains(&starts(a).as_str())
                    && a.cases.iter().any(|c| c == "published-one" || c == "published-three")
            }),
        ),
        (json!({ "statuses": [] }), BTreeSet::new()),
    ];
    for (filter, expected) in cases {
        let connection = whole(&app, List::FollowUpActions, &filter, &Value::Null).await;
        let found: BTreeSet<String> = ids(&connection).into_iter().collect();
        assert_eq!(found, expected, "filter {filter}");
        assert_eq!(connection["totalCount"].as_u64(), Some(expected.len() as u64), "total for {filter}");
    }
    let combined = whole(
        &app,
        List::FollowUpActions,
        &json!({ "cases": ["published-one", "published-three"],
        "startsBefore": "2024-04-16" }),
        &Value::Null,
    )
    .await;
    assert_eq!(nodes(&combined).len(), 1, "only project-2024 starts before the showcase");
}

#[tokio::test]
async fn a_draft_case_slug_filters_follow_up_actions_to_nothing_for_anonymous_callers() {
    let app = app().await;
    let connection = whole(&app, List::FollowUpActions, &json!({ "cases": ["a-draft"] }), &Value::Null).await;
    assert_eq!(connection["totalCount"], 0);
}

#[tokio::test]
async fn follow_up_actions_page_through_every_row_both_ways_in_every_ordering() {
    let app = app().await;
    for field in ["STARTS_ON", "CREATED_AT"] {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction });
            check_paging(&app, List::FollowUpActions, &Value::Null, &order).await;
        }
    }
    check_paging(
        &app,
        List::FollowUpActions,
        &json!({ "kinds": ["SHOWCASE", "TRAINING_COURSE"] }),
        &Value::Null,
    )
    .await;
}

#[tokio::test]
async fn follow_up_actions_sort_by_start_date_with_undated_ones_lowest_then_by_id() {
    let app = app().await;
    for direction in ["ASC", "DESC"] {
        let order = json!({ "field": "STARTS_ON", "direction": direction });
        let listed = nodes(&whole(&app, List::FollowUpActions, &Value::Null, &order).await);
        // Undated actions sort lowest: first ascending, last descending.
        let keys: Vec<(Option<String>, i64)> = listed
            .iter()
            .map(|node| {
                (node["startsOn"].as_str().map(str::to_owned), key_of(node["id"].as_str().expect("id")))
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        if direction == "DESC" {
            sorted.reverse();
        }
        assert_eq!(keys, sorted, "STARTS_ON {direction}");
        assert_eq!(keys.iter().filter(|(date, _)| date.is_none()).count(), 2);
    }
    let default = ids(&whole(&app, List::FollowUpActions, &Value::Null, &Value::Null).await);
    let explicit = json!({ "field": "STARTS_ON", "direction": "DESC" });
    assert_eq!(default, ids(&whole(&app, List::FollowUpActions, &Value::Null, &explicit).await));

    let created = json!({ "field": "CREATED_AT", "direction": "ASC" });
    let imported: Vec<String> = nodes(&whole(&app, List::FollowUpActions, &Value::Null, &created).await)
        .iter()
        .map(|node| node["title"].as_str().expect("title").to_owned())
        .filter(|title| title.starts_with("Action "))
        .collect();
    assert_eq!(
        imported,
        [
            "Action exchange-2025",
            "Action showcase-2024",
            "Action undated-showcase",
            "Action undated-training",
            "Action project-2024"
        ]
    );
}

#[tokio::test]
async fn a_nested_page_of_follow_up_actions_costs_the_same_statements_for_3_or_25_actions() {
    let app = app().await;
    let query = |first: u32| {
        format!(
            "{{ followUpActions(first: {first}) {{ totalCount pageInfo {{ hasNextPage }} nodes {{ title \
             organiser {{ name country {{ name }} }} collection {{ title }} cases {{ title category {{ name }} }} }} }} \
             organisations(first: {first}) {{ totalCount nodes {{ name type country {{ name }} }} }} }}"
        )
    };
    // A first request reads the catalogue into memory (collections and categories); the
    // measured ones find it there, so only the page size differs between them.
    assert!(app.graphql(&query(1)).await["errors"].is_null());
    let mut costs = Vec::new();
    for first in [3, 25] {
        let before = app.store.statements_executed();
        let body = app.graphql(&query(first)).await;
        assert!(body["errors"].is_null(), "{body}");
        costs.push(app.store.statements_executed() - before);
    }
    assert_eq!(costs[0], costs[1], "statements for 3 vs 25 rows: {costs:?}");
    assert!(costs[1] <= 12, "the page ran {} statements", costs[1]);
}
