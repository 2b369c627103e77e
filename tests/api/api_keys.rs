//! Managing API keys through GraphQL (scope `admin`): `createApiKey` shows the secret once,
//! `apiKeys` lists keys without it, `revokeApiKey` stops a key; the HTTP rules of every
//! mutation (401 anonymous, 403 without a write scope, 405 over GET, one per request).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, casegraph_ok, error_code};

const CREATE: &str = "mutation Create($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
        apiKey { id name prefix scopes budget refill active revokedAt }
        secret
        userErrors { field code message } } }";
const REVOKE: &str = "mutation Revoke($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) { apiKey { id active revokedAt } userErrors { field code message } } }";
const LIST: &str = "query Keys($first: Int, $after: String) {
    apiKeys(first: $first, after: $after) {
        totalCount nodes { id name prefix scopes active } edges { cursor }
        pageInfo { hasNextPage hasPreviousPage endCursor } } }";

/// A key made on the server's shell with `scopes`.
fn shell_key(app: &TestApp, name: &str, scopes: &str) -> String {
    casegraph_ok(&app.database, &["keys", "create", "--name", name, "--scopes", scopes]).trim().to_owned()
}

async fn call(app: &TestApp, query: &str, variables: Value, key: &str) -> (u16, Value) {
    let bearer = format!("Bearer {key}");
    let (status, _, body) = app.exchange(query, variables, &[("Authorization", bearer.as_str())]).await;
    (status, body)
}

#[tokio::test]
async fn an_administrator_creates_lists_and_revokes_a_key_under_the_shipped_defaults() {
    let app = TestApp::spawn_as_shipped().await;
    let admin = shell_key(&app, "operations", "admin");

    let input = json!({ "input": { "name": "  Partner site  ", "scopes": ["READ", "READ_DRAFTS"], "budget": 3000.0 } });
    let (status, body) = call(&app, CREATE, input, &admin).await;
    assert_eq!(status, 200, "{body}");
    let payload = &body["data"]["createApiKey"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    let secret = payload["secret"].as_str().expect("the secret, once").to_owned();
    let created = &payload["apiKey"];
    assert_eq!(created["name"], "Partner site");
    assert_eq!(created["scopes"], json!(["READ", "READ_DRAFTS"]));
    assert_eq!(created["budget"], 3000.0);
    assert_eq!(created["refill"], Value::Null);
    assert_eq!(created["active"], true);
    assert!(secret.starts_with(created["prefix"].as_str().expect("prefix")), "{secret} / {created}");

    // The new key works at once, with its scopes.
    let (status, body) =
        call(&app, r#"{ cases(first: 1, filter: {statuses: [DRAFT]}) { totalCount } }"#, json!({}), &secret)
            .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");

    // Listed, without its secret anywhere.
    let (_, body) = call(&app, LIST, json!({}), &admin).await;
    let listed = body.to_string();
    assert!(!listed.contains(&secret), "{listed}");
    assert_eq!(body["data"]["apiKeys"]["totalCount"], 2, "{body}");
    let names: Vec<&str> = body["data"]["apiKeys"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|key| key["name"].as_str())
        .collect();
    assert_eq!(names, ["operations", "Partner site"]);

    // Revoked: refused by the server once its cached verification expires (5 s by default).
    let (_, body) = call(&app, REVOKE, json!({ "input": { "id": created["id"] } }), &admin).await;
    let revoked = &body["data"]["revokeApiKey"];
    assert_eq!(revoked["userErrors"], json!([]), "{body}");
    assert_eq!(revoked["apiKey"]["active"], false);
    assert!(revoked["apiKey"]["revokedAt"].is_string());
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let (status, body) = call(&app, "{ __typename }", json!({}), &secret).await;
        if status == 401 {
            assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "a revoked key still works after 8 s: {status} {body}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn every_problem_of_a_new_key_is_a_user_error_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let admin = shell_key(&app, "operations", "admin");
    let input = json!({ "input": { "name": " ", "scopes": [], "budget": -1.0, "refill": 0.0 } });
    let (status, body) = call(&app, CREATE, input, &admin).await;
    assert_eq!(status, 200, "{body}");
    let payload = &body["data"]["createApiKey"];
    assert_eq!(payload["apiKey"], Value::Null);
    assert_eq!(payload["secret"], Value::Null);
    let errors: Vec<(Value, Value)> = payload["userErrors"]
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|error| (error["field"].clone(), error["code"].clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (json!(["input", "name"]), json!("REQUIRED")),
            (json!(["input", "scopes"]), json!("REQUIRED")),
            (json!(["input", "budget"]), json!("INVALID")),
            (json!(["input", "refill"]), json!("INVALID")),
        ]
    );
    let (_, body) = call(&app, LIST, json!({}), &admin).await;
    assert_eq!(body["data"]["apiKeys"]["totalCount"], 1, "nothing created: {body}");

    let (_, body) = call(&app, REVOKE, json!({ "input": { "id": "bm90IGEga2V5" } }), &admin).await;
    assert_eq!(body["data"]["revokeApiKey"]["userErrors"][0]["code"], "NOT_FOUND", "{body}");
    assert_eq!(body["data"]["revokeApiKey"]["userErrors"][0]["field"], json!(["input", "id"]), "{body}");
}

#[tokio::test]
async fn keys_are_listed_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let admin = shell_key(&app, "operations", "admin");
    for name in ["b", "c"] {
        shell_key(&app, name, "read");
    }
    let (_, first) = call(&app, LIST, json!({ "first": 2 }), &admin).await;
    let page = &first["data"]["apiKeys"];
    assert_eq!(page["totalCount"], 3, "{first}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
    let (_, second) =
        call(&app, LIST, json!({ "first": 2, "after": page["pageInfo"]["endCursor"] }), &admin).await;
    let page = &second["data"]["apiKeys"];
    assert_eq!(page["nodes"][0]["name"], "c", "{second}");
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], true);
    let (_, body) = call(&app, LIST, json!({ "after": "nonsense" }), &admin).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let (_, body) = call(&app, LIST, json!({ "first": 101 }), &admin).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn mutations_need_a_key_with_write_and_keys_need_admin() {
    let app = TestApp::spawn_as_shipped().await;
    let input = json!({ "input": { "name": "x", "scopes": ["READ"] } });

    let (status, _, body) = app.exchange(CREATE, input.clone(), &[]).await;
    assert_eq!((status, error_code(&body)), (401, Some("UNAUTHENTICATED")), "{body}");

    let reader = shell_key(&app, "reader", "read,read:drafts");
    let (status, body) = call(&app, CREATE, input.clone(), &reader).await;
    assert_eq!((status, error_code(&body)), (403, Some("FORBIDDEN")), "{body}");

    let writer = shell_key(&app, "editor", "write");
    let (status, body) = call(&app, CREATE, input.clone(), &writer).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert_eq!(body["data"]["createApiKey"], Value::Null, "{body}");
    let (_, body) = call(&app, LIST, json!({}), &writer).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    // Over GET: 405, whoever asks.
    let admin = shell_key(&app, "operations", "admin");
    let bearer = format!("Bearer {admin}");
    let query = "mutation { revokeApiKey(input: {id: \"x\"}) { userErrors { code } } }";
    let path = format!("/graphql?query={}", urlencoding(query));
    let response = app.get(&path, &[("Authorization", bearer.as_str())]).await;
    assert_eq!(response.status().as_u16(), 405);

    // At most one mutation per request.
    let batch = json!([
        { "query": CREATE, "variables": input },
        { "query": CREATE, "variables": { "input": { "name": "y", "scopes": ["READ"] } } },
    ]);
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Authorization", bearer.as_str())
        .json(&batch)
        .send()
        .await
        .expect("batch sent");
    assert_eq!(response.status().as_u16(), 400);
    let (_, body) = call(&app, LIST, json!({}), &admin).await;
    assert_eq!(body["data"]["apiKeys"]["totalCount"], 3, "the refused batch created nothing: {body}");
}

/// Percent-encodes a query string value.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
