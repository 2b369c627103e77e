//! Which cases a list shows by default: published ones only, for every caller and in every
//! list (root `search`, `Case.relatedCases`, `FollowUpAction.cases`); DRAFT and ARCHIVED
//! cases only when asked for with `statuses`, which needs the read:drafts scope.

use serde_json::{Value, json};

use crate::directory::reindex;
use crate::helpers::{TestApp, TestDatabase, casegraph_ok, error_code};

/// Two published cases, a draft and an archived one, all in one category (so each is
/// related to the others) and all saying "kelp"; one follow-up action concerning them all.
fn fixture() -> Value {
    let case = |slug: &str, status: &str, title: &str| {
        let mut case = json!({ "slug": slug, "collection": "wic-cbec-2024", "category": "logistics-integration",
                               "status": status, "texts": { "en": { "title": title } } });
        if status == "PUBLISHED" {
            case["publishedAt"] = json!("2024-04-16T09:00:00Z");
        }
        case
    };
    json!({ "format": "casegraph", "formatVersion": 1,
            "cases": [
                case("kelp-harbour", "PUBLISHED", "Kelp harbour logistics"),
                case("kelp-port", "PUBLISHED", "Kelp port logistics"),
                case("kelp-draft", "DRAFT", "Kelp draft logistics"),
                case("kelp-archive", "ARCHIVED", "Kelp archived logistics"),
            ],
            "followUpActions": [
                { "slug": "kelp-showcase", "kind": "SHOWCASE", "status": "PLANNED",
                  "texts": { "en": { "title": "Kelp showcase" } },
                  "cases": ["kelp-harbour", "kelp-port", "kelp-draft", "kelp-archive"] },
            ] })
}

/// An app over the fixture with its full-text index written, and a read:drafts key.
async fn app() -> (TestApp, String) {
    let db = TestDatabase::new().await;
    let path = db.file("visibility.json");
    std::fs::write(&path, serde_json::to_string_pretty(&fixture()).expect("JSON")).expect("fixture written");
    casegraph_ok(&db, &["import", path.to_str().expect("UTF-8 path")]);
    reindex(&db).await;
    let key = casegraph_ok(&db, &["keys", "create", "--name", "editor", "--scopes", "read:drafts"]);
    (TestApp::spawn_on(db, false).await, key.trim().to_owned())
}

/// Every list of cases the fixture fills, each given `statuses` when it is `Some` (a
/// list of enum values) and no `statuses` argument otherwise.
fn lists(statuses: Option<&str>) -> String {
    let (search, related, action) = match statuses {
        Some(statuses) => (
            format!(", statuses: {statuses}"),
            format!(", statuses: {statuses}"),
            format!("(statuses: {statuses})"),
        ),
        None => Default::default(),
    };
    format!(
        r#"{{ search(query: "kelp", first: 100{search}) {{
                edges {{ node {{ __typename ... on Case {{ slug }} }} }} }}
              case(slug: "kelp-harbour") {{ relatedCases(first: 20{related}) {{ slug }} }}
              followUpActions(first: 10) {{ nodes {{ cases{action} {{ slug }} }} }} }}"#
    )
}

/// POSTs `query` with `variables`, with the bearer `key` if any.
async fn call(app: &TestApp, query: &str, variables: Value, key: Option<&str>) -> Value {
    let bearer = key.map(|key| format!("Bearer {key}"));
    let headers: Vec<(&str, &str)> = bearer.iter().map(|value| ("Authorization", value.as_str())).collect();
    app.graphql_with(query, variables, &headers).await
}

/// The case slugs of each list of [`lists`], sorted: search, related cases, action cases.
async fn listed(app: &TestApp, statuses: Option<&str>, key: Option<&str>) -> [Vec<String>; 3] {
    let body = call(app, &lists(statuses), json!({}), key).await;
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    let data = &body["data"];
    let slugs = |items: &Value| {
        let mut slugs: Vec<String> = items
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|item| item["slug"].as_str().map(str::to_owned))
            .collect();
        slugs.sort();
        slugs
    };
    let hits: Vec<Value> = data["search"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|edge| edge["node"]["__typename"] == "Case")
        .map(|edge| edge["node"].clone())
        .collect();
    [
        slugs(&json!(hits)),
        slugs(&data["case"]["relatedCases"]),
        slugs(&data["followUpActions"]["nodes"][0]["cases"]),
    ]
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

#[tokio::test]
async fn search_and_related_cases_list_published_cases_only_by_default_even_with_read_drafts() {
    let (app, key) = app().await;
    for caller in [None, Some(key.as_str())] {
        let [search, related, action] = listed(&app, None, caller).await;
        assert_eq!(search, strings(&["kelp-harbour", "kelp-port"]), "search, key: {caller:?}");
        assert_eq!(related, strings(&["kelp-port"]), "relatedCases, key: {caller:?}");
        assert_eq!(action, strings(&["kelp-harbour", "kelp-port"]), "FollowUpAction.cases, key: {caller:?}");
    }
    // The same default as `cases`, whose filter defaults to published.
    let body =
        call(&app, r#"{ cases(filter: { search: "kelp" }) { totalCount } }"#, json!({}), Some(&key)).await;
    assert_eq!(body["data"]["cases"]["totalCount"], 2, "{body}");
}

#[tokio::test]
async fn drafts_and_archived_cases_are_listed_when_asked_for_with_statuses_and_read_drafts() {
    let (app, key) = app().await;
    let [search, related, action] = listed(&app, Some("[DRAFT]"), Some(&key)).await;
    assert_eq!(search, strings(&["kelp-draft"]));
    assert_eq!(related, strings(&["kelp-draft"]));
    assert_eq!(action, strings(&["kelp-draft"]));
    let everything = strings(&["kelp-archive", "kelp-draft", "kelp-harbour", "kelp-port"]);
    let [search, related, action] = listed(&app, Some("[ARCHIVED, DRAFT, PUBLISHED]"), Some(&key)).await;
    assert_eq!(search, everything);
    assert_eq!(related, strings(&["kelp-archive", "kelp-draft", "kelp-port"]));
    assert_eq!(action, everything);
    // Organisations and follow-up actions have no status: they are found whatever is asked.
    let body = call(
        &app,
        r#"{ published: search(query: "kelp") { totalCount }
             drafts: search(query: "kelp", statuses: [DRAFT]) { totalCount } }"#,
        json!({}),
        Some(&key),
    )
    .await;
    assert_eq!(body["data"]["published"]["totalCount"], 3, "two cases and the action: {body}");
    assert_eq!(body["data"]["drafts"]["totalCount"], 2, "the draft and the action: {body}");
}

#[tokio::test]
async fn one_request_may_ask_for_related_cases_of_different_statuses_side_by_side() {
    let (app, key) = app().await;
    // The loaders key their batches by statuses: aliases asking differently get their own.
    let body = call(
        &app,
        r#"{ cases(first: 10, filter: { statuses: [PUBLISHED, DRAFT] }) { nodes { slug
               published: relatedCases { slug } archived: relatedCases(statuses: [ARCHIVED]) { slug } } }
             followUpActions { nodes { published: cases { slug } drafts: cases(statuses: [DRAFT]) { slug } } } }"#,
        json!({}),
        Some(&key),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let nodes = body["data"]["cases"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 3, "{body}");
    for node in nodes {
        let slug = node["slug"].as_str().expect("slug");
        let published: Vec<&str> =
            ["kelp-harbour", "kelp-port"].into_iter().filter(|other| *other != slug).collect();
        let published_slugs: Vec<&str> = node["published"]
            .as_array()
            .expect("related")
            .iter()
            .filter_map(|case| case["slug"].as_str())
            .collect();
        let mut sorted = published_slugs.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, published, "{slug}: {body}");
        assert_eq!(node["archived"], json!([{ "slug": "kelp-archive" }]), "{slug}: {body}");
    }
    let action = &body["data"]["followUpActions"]["nodes"][0];
    assert_eq!(action["published"].as_array().map(Vec::len), Some(2), "{body}");
    assert_eq!(action["drafts"], json!([{ "slug": "kelp-draft" }]), "{body}");
}

#[tokio::test]
async fn asking_for_drafts_without_the_read_drafts_scope_is_forbidden_as_in_cases() {
    let (app, _) = app().await;
    let reader = casegraph_ok(&app.database, &["keys", "create", "--name", "reader", "--scopes", "read"]);
    let reader = reader.trim().to_owned();
    for caller in [None, Some(reader.as_str())] {
        let cases =
            call(&app, r#"{ cases(filter: { statuses: [DRAFT] }) { totalCount } }"#, json!({}), caller).await;
        assert_eq!(error_code(&cases), Some("FORBIDDEN"), "{cases}");
        for document in [
            r#"{ search(query: "kelp", statuses: [DRAFT]) { totalCount } }"#,
            r#"{ case(slug: "kelp-harbour") { relatedCases(statuses: [DRAFT]) { slug } } }"#,
            r#"{ followUpActions { nodes { cases(statuses: [PUBLISHED, DRAFT]) { slug } } } }"#,
        ] {
            let body = call(&app, document, json!({}), caller).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{document}: {body}");
            assert_eq!(body["errors"][0]["message"], cases["errors"][0]["message"], "{document}: {body}");
            assert!(!body.to_string().contains("kelp-draft"), "{document}: {body}");
        }
    }
}
