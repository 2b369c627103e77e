//! The HTTP edge: health, readiness, GraphiQL, request ids and error codes.

use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz", &[]).await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz", &[]).await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.expect("json"), json!({ "status": "ready" }));
}

#[tokio::test]
async fn a_browser_get_on_graphql_gets_graphiql() {
    let app = TestApp::spawn().await;
    let response = app.get("/graphql", &[("Accept", "text/html")]).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.expect("html");
    assert!(page.to_lowercase().contains("graphiql"), "{page}");
}

#[tokio::test]
async fn a_get_with_a_query_executes_it() {
    let app = TestApp::spawn().await;
    let response = app.get("/graphql?query=%7B%20collections%20%7B%20slug%20%7D%20%7D", &[]).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["data"]["collections"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn the_client_request_id_is_echoed_in_headers_and_errors() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-Request-Id", "test-request-42")
        .json(&json!({ "query": "{ noSuchField }" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.headers().get("x-request-id").and_then(|value| value.to_str().ok()),
        Some("test-request-42")
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "test-request-42");
}

#[tokio::test]
async fn a_request_id_is_generated_when_the_client_sends_none() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz", &[]).await;
    let id = response.headers().get("x-request-id").and_then(|value| value.to_str().ok()).unwrap_or_default();
    assert_eq!(id.len(), 36, "uuid expected, got {id:?}");
}

#[tokio::test]
async fn a_syntax_error_is_a_typed_client_error() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ collections { slug ").await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_database_failure_is_masked_as_internal_with_a_request_id() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn_with_samples().await;
    app.store.connection().execute_unprepared("DROP TABLE case_tag").await.expect("drop a table on purpose");
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-Request-Id", "broken-db-1")
        .json(&json!({ "query": "{ cases(first: 3) { nodes { slug tags } } }" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("body");
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");
    assert_eq!(body["errors"][0]["message"], "Internal server error");
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "broken-db-1");
    for leak in ["case_tag", "SELECT", "sqlite", "no such table", "sqlx"] {
        assert!(!text.to_lowercase().contains(&leak.to_lowercase()), "response leaks `{leak}`: {text}");
    }
}

/// Validation is remembered per operation (vendor/async-graphql/PATCHED.md): an operation
/// that passed once is checked again for its variables' values, every time, and one that
/// failed is checked in full again.
#[tokio::test]
async fn an_operation_seen_valid_is_still_checked_for_its_variables() {
    let app = TestApp::spawn_with_samples().await;
    let document = "query One($slug: String!, $first: Int) { case(slug: $slug) { slug } \
                    cases(first: $first) { nodes { slug } } }";
    let valid = app.graphql_with(document, json!({ "slug": "nope", "first": 2 }), &[]).await;
    assert!(valid.get("errors").is_none(), "{valid}");
    assert_eq!(valid["data"]["cases"]["nodes"].as_array().map(Vec::len), Some(2));

    for variables in [json!({ "slug": 5, "first": 2 }), json!({ "slug": "nope", "first": "two" }), json!({})]
    {
        let first = app.graphql_with(document, variables.clone(), &[]).await;
        assert_eq!(error_code(&first), Some("BAD_USER_INPUT"), "{variables}: {first}");
        assert!(first["data"].is_null(), "{first}");
        let again = app.graphql_with(document, variables.clone(), &[]).await;
        let shown = |body: &Value| {
            body["errors"].as_array().map(|errors| {
                errors.iter().map(|e| (e["message"].clone(), e["locations"].clone())).collect::<Vec<_>>()
            })
        };
        assert_eq!(shown(&again), shown(&first), "{variables}");
        assert_eq!(error_code(&again), Some("BAD_USER_INPUT"));
    }

    let invalid = "query Two($slug: String!) { case(slug: $slug) { slug noSuchField } }";
    for _ in 0..2 {
        let body = app.graphql_with(invalid, json!({ "slug": "nope" }), &[]).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert!(body["errors"][0]["message"].as_str().is_some_and(|message| message.contains("noSuchField")));
    }

    let two = "query A { collections { slug } } query B($n: Int!) { cases(first: $n) { nodes { slug } } }";
    let post = |operation: &'static str, variables: Value| {
        app.client.post(format!("{}/graphql", app.address)).json(&json!({
            "query": two, "operationName": operation, "variables": variables
        }))
    };
    let a: Value = post("A", json!({})).send().await.expect("sent").json().await.expect("json");
    assert!(a.get("errors").is_none(), "{a}");
    let b: Value = post("B", json!({ "n": "x" })).send().await.expect("sent").json().await.expect("json");
    assert_eq!(error_code(&b), Some("BAD_USER_INPUT"), "{b}");
    let b: Value = post("B", json!({ "n": 1 })).send().await.expect("sent").json().await.expect("json");
    assert_eq!(b["data"]["cases"]["nodes"].as_array().map(Vec::len), Some(1), "{b}");
}

#[tokio::test]
async fn a_page_of_a_hundred_cases_is_compressed_to_a_fifth_for_clients_that_accept_it() {
    // Generous budgets: four big pages in a row would drain an anonymous budget.
    let app = TestApp::spawn_with_samples().await;
    let query = json!({ "query": "{ cases(first: 100) { nodes { slug title summary locale category { name } organisations { role organisation { name } } } } }" });
    let url = format!("{}/graphql", app.address);
    let raw = app.client.post(&url).json(&query).send().await.expect("sent");
    assert!(raw.headers().get("content-encoding").is_none());
    let raw = raw.bytes().await.expect("body").len();
    for encoding in ["gzip", "br", "zstd"] {
        let response = app
            .client
            .post(&url)
            .header("Accept-Encoding", encoding)
            .json(&query)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            response.headers().get("content-encoding").and_then(|v| v.to_str().ok()),
            Some(encoding),
            "{:?}",
            response.headers()
        );
        let vary =
            response.headers().get("vary").and_then(|v| v.to_str().ok()).unwrap_or_default().to_lowercase();
        assert!(vary.contains("accept-encoding"), "{vary}");
        let wire = response.bytes().await.expect("body").len();
        assert!(wire * 5 <= raw, "{encoding}: {wire} bytes on the wire for {raw} raw");
    }
    // Small bodies are not worth a compression frame.
    let small = app
        .client
        .post(&url)
        .header("Accept-Encoding", "gzip")
        .json(&json!({ "query": "{ collections { slug } }" }))
        .send()
        .await
        .expect("sent");
    assert!(small.headers().get("content-encoding").is_none());
}
