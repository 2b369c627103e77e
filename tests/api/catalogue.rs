//! Collections and categories: reference data, localisation and fallback.

use serde_json::{Value, json};

use crate::helpers::{TestApp, reference};

const CATEGORIES_2024: &str =
    r#"{ categories(collection: "wic-cbec-2024") { slug name locale direction availableLocales } }"#;

fn reference_names(locale: &str) -> Vec<String> {
    reference()["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|category| category[locale].as_str().expect("name").to_owned())
        .collect()
}

fn field(body: &Value, list: &str, key: &str) -> Vec<String> {
    body["data"][list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {body}"))
        .iter()
        .map(|item| item[key].as_str().expect("string field").to_owned())
        .collect()
}

#[tokio::test]
async fn arabic_callers_get_the_nine_arabic_category_names_right_to_left() {
    let app = TestApp::spawn().await;
    let body = app.graphql_with(CATEGORIES_2024, json!({}), &[("Accept-Language", "ar")]).await;
    assert_eq!(field(&body, "categories", "name"), reference_names("ar"));
    assert!(field(&body, "categories", "locale").iter().all(|locale| locale == "ar"));
    assert!(field(&body, "categories", "direction").iter().all(|direction| direction == "RTL"));
    assert_eq!(body["data"]["categories"][0]["availableLocales"], json!(["ar", "en", "zh"]));
}

#[tokio::test]
async fn an_unsupported_language_falls_back_to_english() {
    let app = TestApp::spawn().await;
    let body = app.graphql_with(CATEGORIES_2024, json!({}), &[("Accept-Language", "fr")]).await;
    assert_eq!(field(&body, "categories", "name"), reference_names("en"));
    assert!(field(&body, "categories", "locale").iter().all(|locale| locale == "en"));
    assert!(field(&body, "categories", "direction").iter().all(|direction| direction == "LTR"));
}

#[tokio::test]
async fn quality_values_choose_among_the_accepted_languages() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql_with(CATEGORIES_2024, json!({}), &[("Accept-Language", "fr;q=1, ar;q=0.2, zh-CN;q=0.8")])
        .await;
    assert_eq!(field(&body, "categories", "name"), reference_names("zh"));
    assert!(field(&body, "categories", "locale").iter().all(|locale| locale == "zh"));
}

#[tokio::test]
async fn without_accept_language_texts_are_english() {
    let app = TestApp::spawn().await;
    let body = app.graphql(CATEGORIES_2024).await;
    assert_eq!(field(&body, "categories", "name"), reference_names("en"));
}

#[tokio::test]
async fn collections_list_both_editions_with_their_declared_case_counts() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql("{ collections { slug year declaredCaseCount releasedOn publisher sources title } }")
        .await;
    let collections = body["data"]["collections"].as_array().expect("collections");
    let find = |slug: &str| {
        collections
            .iter()
            .find(|collection| collection["slug"] == slug)
            .unwrap_or_else(|| panic!("{slug} missing from {body}"))
    };
    assert_eq!(collections.len(), 2);
    assert_eq!(find("wic-cbec-2024")["declaredCaseCount"], 63);
    assert_eq!(find("wic-cbec-2024")["year"], 2024);
    assert_eq!(find("wic-cbec-2024")["releasedOn"], "2024-04-16");
    assert_eq!(find("wic-cbec-2025")["declaredCaseCount"], 87);
    assert_eq!(find("wic-cbec-2025")["releasedOn"], Value::Null);
    assert_eq!(find("wic-cbec-2024")["sources"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_title_missing_in_the_requested_locale_falls_back_to_english_and_says_so() {
    let app = TestApp::spawn().await;
    let query = r#"{ a: collection(slug: "wic-cbec-2024") { title locale direction availableLocales }
                    b: collection(slug: "wic-cbec-2025") { title locale direction availableLocales } }"#;
    let body = app.graphql_with(query, json!({}), &[("Accept-Language", "ar")]).await;
    let reference = reference();
    assert_eq!(body["data"]["a"]["title"], reference["collections"][0]["title"]["ar"]);
    assert_eq!(body["data"]["a"]["locale"], "ar");
    assert_eq!(body["data"]["a"]["direction"], "RTL");
    // The 2025 edition has no Arabic title in the reference data.
    assert_eq!(body["data"]["b"]["title"], reference["collections"][1]["title"]["en"]);
    assert_eq!(body["data"]["b"]["locale"], "en");
    assert_eq!(body["data"]["b"]["direction"], "LTR");
    assert_eq!(body["data"]["b"]["availableLocales"], json!(["en", "zh"]));
}

#[tokio::test]
async fn collections_and_categories_link_to_each_other() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            r#"{ collection(slug: "wic-cbec-2025") { slug categories { slug position collection { slug } } }
                 category(slug: "brand-incubation", collection: "wic-cbec-2024") { slug position name collection { slug year } } }"#,
        )
        .await;
    let categories = body["data"]["collection"]["categories"].as_array().expect("categories");
    assert_eq!(categories.len(), 9);
    let positions: Vec<i64> =
        categories.iter().filter_map(|category| category["position"].as_i64()).collect();
    assert_eq!(positions, (1..=9).collect::<Vec<_>>());
    assert!(categories.iter().all(|category| category["collection"]["slug"] == "wic-cbec-2025"));
    assert_eq!(body["data"]["category"]["collection"]["slug"], "wic-cbec-2024");
    assert_eq!(body["data"]["category"]["position"], 4);
    assert_eq!(body["data"]["category"]["name"], "Brand incubation");
}

#[tokio::test]
async fn categories_are_ordered_by_collection_year_then_position() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ categories { position collection { year } } }").await;
    let order: Vec<(i64, i64)> = body["data"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|category| {
            (
                category["collection"]["year"].as_i64().expect("year"),
                category["position"].as_i64().expect("position"),
            )
        })
        .collect();
    assert_eq!(order.len(), 18);
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[tokio::test]
async fn a_category_without_collection_resolves_in_the_newest_edition() {
    let app = TestApp::spawn().await;
    let body = app.graphql(r#"{ category(slug: "digital-empowerment") { collection { slug } } }"#).await;
    assert_eq!(body["data"]["category"]["collection"]["slug"], "wic-cbec-2025");
}

#[tokio::test]
async fn unknown_slugs_give_null_and_an_unknown_collection_no_categories() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            r#"{ collection(slug: "nope") { slug } category(slug: "nope") { slug }
                 other: category(slug: "brand-incubation", collection: "nope") { slug }
                 categories(collection: "nope") { slug } }"#,
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"],
        json!({ "collection": null, "category": null, "other": null, "categories": [] })
    );
}

#[tokio::test]
async fn collection_and_category_ids_are_opaque_and_distinct() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ collections { id categories { id } } }").await;
    let mut ids: Vec<String> = Vec::new();
    for collection in body["data"]["collections"].as_array().expect("collections") {
        ids.push(collection["id"].as_str().expect("id").to_owned());
        for category in collection["categories"].as_array().expect("categories") {
            ids.push(category["id"].as_str().expect("id").to_owned());
        }
    }
    assert_eq!(ids.len(), 20);
    assert!(ids.iter().all(|id| id.parse::<i64>().is_err()), "ids must not be bare integers: {ids:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
}

#[tokio::test]
async fn loading_the_reference_data_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = app.graphql("{ collections { id slug title categories { id slug name } } }").await;
    let database = app.stop().await;
    let again = TestApp::spawn_on(database, false).await;
    let after = again.graphql("{ collections { id slug title categories { id slug name } } }").await;
    assert_eq!(before, after);
}

/// Statements one GraphQL request runs on `app`.
async fn statements_of(app: &TestApp, query: &str) -> (u64, Value) {
    let before = app.store.statements_executed();
    let body = app.graphql(query).await;
    assert!(body["errors"].is_null(), "{body}");
    (app.store.statements_executed() - before, body)
}

#[tokio::test]
async fn a_case_s_category_and_collection_come_from_memory_once_read() {
    let cached = TestApp::spawn_with_samples().await;
    let (_, body) = statements_of(&cached, "{ cases(first: 1) { nodes { slug } } }").await;
    let slug = body["data"]["cases"]["nodes"][0]["slug"].as_str().expect("slug").to_owned();
    let query = format!(r#"{{ case(slug: "{slug}") {{ category {{ name }} collection {{ title }} }} }}"#);

    // The first request reads the catalogue (collections, categories); later ones find it
    // in memory: the case with its texts is their only statement.
    let (first, first_body) = statements_of(&cached, &query).await;
    let (later, later_body) = statements_of(&cached, &query).await;
    assert_eq!((first, later), (3, 1), "statements: first {first}, later {later}");
    assert_eq!(first_body, later_body);

    // With the cache off (`--catalogue-cache-seconds 0`) every request reads them, through
    // one batched statement each, and answers the same.
    let mut serve = crate::helpers::serve_args(true);
    serve.catalogue_cache_seconds = 0;
    let uncached = TestApp::spawn_serving(crate::helpers::TestDatabase::new().await, &serve).await;
    let (_, _) = statements_of(&uncached, &query).await;
    let (every_time, uncached_body) = statements_of(&uncached, &query).await;
    assert_eq!(every_time, 3);
    let name = &later_body["data"]["case"]["category"]["name"];
    assert!(name.is_string(), "{later_body}");
    // The same synthetic sample set (fixed seed): the same case, category and collection.
    assert_eq!(uncached_body, later_body);
}
