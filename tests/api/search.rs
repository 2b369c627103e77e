//! The root search across cases, organisations and follow-up actions: English stems,
//! Chinese substrings, Arabic with or without tashkeel, highlights, ranking, paging, drafts
//! and hostile input.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::directory::reindex;
use crate::helpers::{TestApp, TestDatabase, casegraph_ok, error_code};

const SEARCH: &str = r#"query Search($query: String!, $first: Int, $after: String) {
  search(query: $query, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor score highlights { field snippet }
      node {
        __typename
        ... on Case { id slug status }
        ... on Organisation { id slug }
        ... on FollowUpAction { id title }
      }
    }
  }
}"#;

/// Rows whose texts the tests search, and thirty look-alikes (ten of each kind) sharing
/// the word "harbour" for paging through equal scores.
fn fixture() -> Value {
    let published = |slug: &str, texts: Value| {
        json!({ "slug": slug, "collection": "wic-cbec-2024", "category": "logistics-integration",
                "status": "PUBLISHED", "publishedAt": "2024-04-16T09:00:00Z", "texts": texts })
    };
    let mut organisations = vec![
        json!({ "slug": "gulf-logistics", "organisationType": "LOGISTICS", "texts": {
            "en": { "name": "Gulf Logistics", "description": "Cold-chain LOGISTICS across the Gulf." },
            "ar": { "name": "الخليج للخدمات اللوجستية" } } }),
        json!({ "slug": "hangzhou-zone", "organisationType": "GOVERNMENT", "texts": {
            "en": { "name": "Hangzhou Pilot Zone" }, "zh": { "name": "杭州跨境电子商务综合试验区" } } }),
        json!({ "slug": "trade-centre", "organisationType": "SUPPORT_SERVICE", "texts": {
            "en": { "name": "Trade Centre" }, "ar": { "name": "مركز التِّجَارَة" } } }),
    ];
    let mut cases = vec![
        published(
            "bonded-warehouse",
            json!({
            "en": { "title": "Bonded warehouse logistics in Dubai", "summary": "A logistics hub for sellers." },
            "zh": { "title": "迪拜保税仓物流" },
            "ar": { "title": "التجارة الإلكترونية عبر الحدود" } }),
        ),
        json!({ "slug": "secret-draft", "collection": "wic-cbec-2024", "category": "logistics-integration",
                "status": "DRAFT", "texts": { "en": { "title": "Zebra logistics: a secret draft" } } }),
        json!({ "slug": "old-archive", "collection": "wic-cbec-2024", "category": "logistics-integration",
                "status": "ARCHIVED", "texts": { "en": { "title": "Zebra archive" } } }),
    ];
    let mut actions = vec![
        json!({ "slug": "logistics-training", "kind": "TRAINING_COURSE", "status": "PLANNED",
        "texts": { "en": { "title": "Logistics training for sellers", "description": "Hands-on logistics." } } }),
    ];
    for number in 1..=10 {
        organisations.push(json!({ "slug": format!("harbour-agency-{number}"), "organisationType": "OTHER",
            "texts": { "en": { "name": format!("Harbour agency {number}") } } }));
        cases.push(published(
            &format!("harbour-case-{number}"),
            json!({ "en": { "title": format!("Harbour case {number}") } }),
        ));
        actions
            .push(json!({ "slug": format!("harbour-visit-{number}"), "kind": "SHOWCASE", "status": "DONE",
            "texts": { "en": { "title": format!("Harbour visit {number}") } } }));
    }
    json!({ "format": "casegraph", "formatVersion": 1, "organisations": organisations, "cases": cases,
            "followUpActions": actions })
}

/// An app over the imported fixture, with its full-text index written.
async fn app() -> TestApp {
    let db = TestDatabase::new().await;
    let path = db.file("search.json");
    std::fs::write(&path, serde_json::to_string_pretty(&fixture()).expect("JSON")).expect("fixture written");
    casegraph_ok(&db, &["import", path.to_str().expect("UTF-8 path")]);
    reindex(&db).await;
    TestApp::spawn_on(db, false).await
}

async fn search(app: &TestApp, variables: Value) -> Value {
    let body = app.graphql_with(SEARCH, variables, &[]).await;
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    body["data"]["search"].clone()
}

fn edges(connection: &Value) -> Vec<Value> {
    connection["edges"].as_array().expect("edges").clone()
}

/// `Type:slug-or-title` of each result, in order.
fn found(connection: &Value) -> Vec<String> {
    edges(connection)
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            let name = node["slug"].as_str().or_else(|| node["title"].as_str()).expect("slug or title");
            format!("{}:{name}", node["__typename"].as_str().expect("type"))
        })
        .collect()
}

fn edge_of<'a>(connection: &'a Value, label: &str) -> &'a Value {
    let position = found(connection).iter().position(|item| item == label);
    position.map(|index| &connection["edges"][index]).unwrap_or_else(|| panic!("no {label} in {connection}"))
}

fn snippet(edge: &Value, field: &str) -> String {
    edge["highlights"]
        .as_array()
        .expect("highlights")
        .iter()
        .find(|highlight| highlight["field"] == field)
        .and_then(|highlight| highlight["snippet"].as_str())
        .unwrap_or_else(|| panic!("no {field} highlight in {edge}"))
        .to_owned()
}

#[tokio::test]
async fn an_english_word_is_found_whatever_its_case_and_by_its_stem_in_every_kind() {
    let app = app().await;
    for query in ["logistic", "LOGISTICS", "Logistics"] {
        let connection = search(&app, json!({ "query": query })).await;
        let results = found(&connection);
        for expected in [
            "Case:bonded-warehouse",
            "Organisation:gulf-logistics",
            "FollowUpAction:Logistics training for sellers",
        ] {
            assert!(results.iter().any(|result| result == expected), "{query}: no {expected} in {results:?}");
        }
        assert_eq!(connection["totalCount"].as_u64(), Some(results.len() as u64));
    }
    let connection = search(&app, json!({ "query": "logistic" })).await;
    let case = edge_of(&connection, "Case:bonded-warehouse");
    assert_eq!(snippet(case, "title"), "Bonded warehouse <mark>logistics</mark> in Dubai");
    assert_eq!(snippet(case, "summary"), "A <mark>logistics</mark> hub for sellers.");
    let organisation = edge_of(&connection, "Organisation:gulf-logistics");
    assert_eq!(snippet(organisation, "name"), "Gulf <mark>Logistics</mark>");
    assert_eq!(snippet(organisation, "description"), "Cold-chain <mark>LOGISTICS</mark> across the Gulf.");
    let action = edge_of(&connection, "FollowUpAction:Logistics training for sellers");
    assert_eq!(snippet(action, "title"), "<mark>Logistics</mark> training for sellers");
    assert_eq!(snippet(action, "description"), "Hands-on <mark>logistics</mark>.");
}

#[tokio::test]
async fn a_two_character_chinese_word_is_found_inside_a_longer_run() {
    let app = app().await;
    let connection = search(&app, json!({ "query": "电子" })).await;
    assert_eq!(found(&connection), ["Organisation:hangzhou-zone"]);
    assert_eq!(snippet(&connection["edges"][0], "name"), "杭州跨境<mark>电子</mark>商务综合试验区");
    let case = search(&app, json!({ "query": "物流" })).await;
    assert_eq!(found(&case), ["Case:bonded-warehouse"]);
    assert_eq!(snippet(&case["edges"][0], "title"), "迪拜保税仓<mark>物流</mark>");
    // The characters must be adjacent, in order.
    assert_eq!(search(&app, json!({ "query": "子电" })).await["totalCount"], 0);
}

#[tokio::test]
async fn an_arabic_word_is_found_with_or_without_tashkeel() {
    let app = app().await;
    let plain_query = search(&app, json!({ "query": "التجارة" })).await;
    let mut results = found(&plain_query);
    results.sort();
    assert_eq!(results, ["Case:bonded-warehouse", "Organisation:trade-centre"]);
    let organisation = edge_of(&plain_query, "Organisation:trade-centre");
    assert_eq!(snippet(organisation, "name"), "مركز <mark>التِّجَارَة</mark>");
    let voweled_query = search(&app, json!({ "query": "التِّجَارَة" })).await;
    let case = edge_of(&voweled_query, "Case:bonded-warehouse");
    assert_eq!(snippet(case, "title"), "<mark>التجارة</mark> الإلكترونية عبر الحدود");
    assert_eq!(voweled_query["totalCount"], 2);
}

#[tokio::test]
async fn results_mix_the_three_kinds_best_score_first() {
    let app = app().await;
    let connection = search(&app, json!({ "query": "logistics", "first": 100 })).await;
    let kinds: HashSet<String> = edges(&connection)
        .iter()
        .map(|edge| edge["node"]["__typename"].as_str().expect("type").to_owned())
        .collect();
    assert_eq!(kinds.len(), 3, "{connection}");
    let scores: Vec<f64> =
        edges(&connection).iter().map(|edge| edge["score"].as_f64().expect("score")).collect();
    assert!(scores.windows(2).all(|pair| pair[0] >= pair[1]), "{scores:?}");
    assert!(scores.iter().all(|score| score.is_finite() && *score > 0.0), "{scores:?}");
}

#[tokio::test]
async fn drafts_and_archived_cases_never_appear_in_search() {
    let app = app().await;
    let zebra = search(&app, json!({ "query": "zebra" })).await;
    assert_eq!(zebra["totalCount"], 0);
    assert_eq!(zebra["edges"], json!([]));
    assert_eq!(zebra["pageInfo"]["hasNextPage"], false);
    let logistics = search(&app, json!({ "query": "logistics", "first": 100 })).await;
    assert!(!found(&logistics).iter().any(|result| result.contains("secret-draft")));
    for edge in edges(&logistics).iter().filter(|edge| edge["node"]["__typename"] == "Case") {
        assert_eq!(edge["node"]["status"], "PUBLISHED");
    }
}

#[tokio::test]
async fn paging_visits_every_result_once_with_exact_page_info_and_total() {
    let app = app().await;
    let whole = search(&app, json!({ "query": "harbour", "first": 100 })).await;
    let everything = found(&whole);
    assert_eq!(everything.len(), 30);
    assert_eq!(whole["totalCount"], 30);
    assert_eq!(whole["pageInfo"]["hasNextPage"], false);
    assert_eq!(whole["pageInfo"]["hasPreviousPage"], false);
    let unique: HashSet<&String> = everything.iter().collect();
    assert_eq!(unique.len(), 30);
    for size in [1, 7, 10] {
        let mut walked = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = search(&app, json!({ "query": "harbour", "first": size, "after": after })).await;
            assert_eq!(page["totalCount"], 30);
            assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
            walked.extend(found(&page));
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(walked, everything, "pages of {size}");
    }
    let end = whole["pageInfo"]["endCursor"].clone();
    let beyond = search(&app, json!({ "query": "harbour", "after": end })).await;
    assert_eq!(beyond["edges"], json!([]));
    assert_eq!(beyond["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(beyond["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn bad_page_arguments_and_foreign_cursors_are_bad_user_input() {
    let app = app().await;
    let harbour = search(&app, json!({ "query": "harbour", "first": 2 })).await;
    let cursor = harbour["pageInfo"]["endCursor"].clone();
    let organisations = app.graphql("{ organisations(first: 1) { pageInfo { endCursor } } }").await;
    let organisation_cursor = organisations["data"]["organisations"]["pageInfo"]["endCursor"].clone();
    for variables in [
        json!({ "query": "harbour", "first": -1 }),
        json!({ "query": "harbour", "first": 101 }),
        json!({ "query": "harbour", "after": "nonsense" }),
        json!({ "query": "harbour", "after": organisation_cursor }),
        json!({ "query": "logistics", "after": cursor }),
    ] {
        let body = app.graphql_with(SEARCH, variables.clone(), &[]).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{variables}: {body}");
    }
    // The same words, however typed, are the same search: the cursor stays valid.
    let same = search(&app, json!({ "query": "HARBOURS", "first": 2, "after": cursor })).await;
    assert_eq!(same["pageInfo"]["hasPreviousPage"], true);
}

#[tokio::test]
async fn hostile_input_gives_results_or_bad_user_input_never_an_internal_error() {
    let app = app().await;
    let long = "logistics ".repeat(1_024);
    let inputs = [
        "\"",
        "' OR 1=1 --",
        "NEAR(",
        "NEAR(logistics harbour, 2)",
        "*",
        "logistics*",
        "\"logistics",
        "logistics\" OR \"1\"=\"1",
        "harbour AND NOT zebra",
        "title:harbour",
        "-harbour",
        "^harbour",
        "'); DROP TABLE cases; --",
        "%_\\",
        "\u{0}",
        "",
        "   ",
        long.as_str(),
    ];
    for input in inputs {
        let body = app.graphql_with(SEARCH, json!({ "query": input }), &[]).await;
        match error_code(&body) {
            None => assert!(body["data"]["search"]["totalCount"].is_number(), "{input:?}: {body}"),
            Some(code) => assert_eq!(code, "BAD_USER_INPUT", "{input:?}: {body}"),
        }
    }
    let body = app.graphql_with(SEARCH, json!({ "query": long }), &[]).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "10 KB of text is refused");
    let quoted = search(&app, json!({ "query": "\"harbour\" OR 1=1" })).await;
    assert_eq!(quoted["totalCount"], 0, "every word is required, operators are words");
    let injected = search(&app, json!({ "query": "harbour' --" })).await;
    assert_eq!(injected["totalCount"], 30);
    // The tables are intact.
    assert_eq!(search(&app, json!({ "query": "harbour" })).await["totalCount"], 30);
}

#[tokio::test]
async fn a_search_page_costs_the_same_statements_for_3_or_30_results() {
    let app = app().await;
    let query = |first: u32| {
        format!(
            "{{ search(query: \"harbour\", first: {first}) {{ totalCount pageInfo {{ hasNextPage }} edges {{ score \
             highlights {{ snippet }} node {{ __typename ... on Case {{ title category {{ name }} \
             organisations {{ organisation {{ name }} }} }} ... on Organisation {{ name country {{ name }} }} \
             ... on FollowUpAction {{ title organiser {{ name }} cases {{ title }} }} }} }} }} }}"
        )
    };
    let mut costs = Vec::new();
    for first in [3, 30] {
        let before = app.store.statements_executed();
        let body = app.graphql(&query(first)).await;
        assert!(body["errors"].is_null(), "{body}");
        costs.push(app.store.statements_executed() - before);
    }
    // The first page holds cases only; the whole list holds every kind, one statement each.
    assert!(costs[1] <= costs[0] + 6, "statements for 3 vs 30 results: {costs:?}");
    assert!(costs[1] <= 12, "a search page ran {} statements", costs[1]);
}

#[tokio::test]
async fn a_case_search_counts_its_matches_the_same_on_every_page() {
    let app = app().await;
    let query = r#"query($after: String) {
        cases(first: 3, after: $after, filter: { search: "harbour" }) {
            totalCount pageInfo { hasNextPage endCursor } nodes { slug } } }"#;
    let mut after = Value::Null;
    let mut seen = Vec::new();
    let mut totals = HashSet::new();
    loop {
        let body = app.graphql_with(query, json!({ "after": after }), &[]).await;
        assert!(body["errors"].is_null(), "{body}");
        let cases = &body["data"]["cases"];
        totals.insert(cases["totalCount"].as_u64().expect("total"));
        seen.extend(cases["nodes"].as_array().expect("nodes").iter().map(|node| node["slug"].clone()));
        if cases["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = cases["pageInfo"]["endCursor"].clone();
    }
    // Every page (the first counts beside its page, on another connection) gives the same
    // total: every match.
    assert_eq!(totals.into_iter().collect::<Vec<_>>(), [10]);
    assert_eq!(seen.len(), 10);
    let body = app.graphql(r#"{ cases(first: 0, filter: { search: "harbour" }) { totalCount } }"#).await;
    assert_eq!(body["data"]["cases"]["totalCount"], 10, "{body}");
    let body = app.graphql(r#"{ cases(filter: { search: "no-such-word-anywhere" }) { totalCount } }"#).await;
    assert_eq!(body["data"]["cases"]["totalCount"], 0, "{body}");
}

#[tokio::test]
async fn a_case_status_is_not_a_search_word() {
    // SQLite keeps each case's status as a token of its full-text row (so visibility is
    // index work); no search text may reach it.
    let app = app().await;
    for word in ["published", "PUBLISHED", "status", "archived"] {
        let body = app
            .graphql_with(
                r#"query($q: String!) { cases(filter: { search: $q }) { totalCount }
                     search(query: $q) { totalCount } }"#,
                json!({ "q": word }),
                &[],
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["cases"]["totalCount"], 0, "{word}: {body}");
        assert_eq!(body["data"]["search"]["totalCount"], 0, "{word}: {body}");
    }
    let body = app
        .graphql(
            r#"{ cases(filter: { search: "harbour published" }, orderBy: { field: RELEVANCE, direction: DESC }) { totalCount } }"#,
        )
        .await;
    assert_eq!(body["data"]["cases"]["totalCount"], 0, "{body}");
}
