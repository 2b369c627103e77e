//! `Idempotency-Key` on POST: a retried mutation runs once and every retry gets the first
//! response; the same key with another body is refused; concurrent retries create one.

use serde_json::{Value, json};

use crate::helpers::{TestApp, casegraph_ok, error_code};

const CREATE: &str = "mutation Create($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { apiKey { id name } secret userErrors { code } } }";

/// POSTs `body` as JSON with `key` as bearer and `idempotency` as `Idempotency-Key`.
async fn post(
    app: &TestApp,
    body: &Value,
    key: &str,
    idempotency: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Authorization", format!("Bearer {key}"))
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some(idempotency) = idempotency {
        request = request.header("Idempotency-Key", idempotency);
    }
    read(request.send().await.expect("request sent")).await
}

/// The status, the `Idempotent-Replayed` header and the body of `response`.
async fn read(response: reqwest::Response) -> (u16, Option<String>, String) {
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (status, replayed, response.text().await.expect("body"))
}

async fn key_count(app: &TestApp, admin: &str) -> i64 {
    let (_, _, body) = post(app, &json!({ "query": "{ apiKeys { totalCount } }" }), admin, None).await;
    let body: Value = serde_json::from_str(&body).expect("JSON");
    body["data"]["apiKeys"]["totalCount"].as_i64().expect("a count")
}

#[tokio::test]
async fn a_mutation_retried_with_one_key_runs_once_and_replays_its_response() {
    let app = TestApp::spawn_as_shipped().await;
    let admin = casegraph_ok(&app.database, &["keys", "create", "--name", "ops", "--scopes", "admin"])
        .trim()
        .to_owned();
    let body =
        json!({ "query": CREATE, "variables": { "input": { "name": "mobile app", "scopes": ["READ"] } } });
    let idempotency = "\"8e03978e-40d5-43e8-bc93-6894a57f9324\"";

    let (status, replayed, first) = post(&app, &body, &admin, Some(idempotency)).await;
    assert_eq!((status, replayed.as_deref()), (200, None), "{first}");
    for _ in 0..4 {
        let (status, replayed, again) = post(&app, &body, &admin, Some(idempotency)).await;
        assert_eq!((status, replayed.as_deref()), (200, Some("true")), "{again}");
        assert_eq!(again, first, "a retry gets the first response, secret included");
    }
    assert_eq!(key_count(&app, &admin).await, 2, "one key created by five requests");

    // The same key with another body.
    let other =
        json!({ "query": CREATE, "variables": { "input": { "name": "another", "scopes": ["READ"] } } });
    let (status, _, refused) = post(&app, &other, &admin, Some(idempotency)).await;
    assert_eq!(status, 422, "{refused}");
    let refused: Value = serde_json::from_str(&refused).expect("JSON");
    assert_eq!(error_code(&refused), Some("IDEMPOTENCY_KEY_REUSED"), "{refused}");
    assert_eq!(key_count(&app, &admin).await, 2);

    // Without a key, each request runs.
    post(&app, &body, &admin, None).await;
    assert_eq!(key_count(&app, &admin).await, 3);

    // A malformed key is refused before anything runs.
    let (status, _, malformed) = post(&app, &body, &admin, Some("\"\"")).await;
    assert_eq!(status, 400, "{malformed}");
    assert_eq!(key_count(&app, &admin).await, 3);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_key() {
    let app = TestApp::spawn().await;
    let admin = casegraph_ok(&app.database, &["keys", "create", "--name", "ops", "--scopes", "admin"])
        .trim()
        .to_owned();
    let body =
        json!({ "query": CREATE, "variables": { "input": { "name": "flaky network", "scopes": ["READ"] } } });
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let request = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("Authorization", format!("Bearer {admin}"))
            .header("Idempotency-Key", "\"retry-storm\"")
            .json(&body);
        attempts.spawn(async move { read(request.send().await.expect("sent")).await });
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = attempts.join_next().await {
        outcomes.push(outcome.expect("request task"));
    }
    for (status, _, body) in &outcomes {
        assert!(*status == 200 || *status == 409, "{status} {body}");
    }
    assert!(outcomes.iter().any(|(status, replayed, _)| *status == 200 && replayed.is_none()));
    assert_eq!(key_count(&app, &admin).await, 2, "{outcomes:?}");
}

#[tokio::test]
async fn a_refused_request_releases_its_key() {
    let app = TestApp::spawn().await;
    let reader =
        casegraph_ok(&app.database, &["keys", "create", "--name", "r", "--scopes", "read"]).trim().to_owned();
    let body = json!({ "query": CREATE, "variables": { "input": { "name": "x", "scopes": ["READ"] } } });
    let (status, _, _) = post(&app, &body, &reader, Some("\"once\"")).await;
    assert_eq!(status, 403);
    // Not kept: the same request runs (and is refused) again rather than replayed.
    let (status, replayed, _) = post(&app, &body, &reader, Some("\"once\"")).await;
    assert_eq!((status, replayed), (403, None));
}
