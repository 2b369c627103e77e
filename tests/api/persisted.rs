//! Automatic persisted queries (Apollo's protocol) over POST and GET: an unknown hash is
//! PERSISTED_QUERY_NOT_FOUND, a hash sent with its text is learned (and shared through
//! Redis between replicas), a wrong hash is refused. (Apollo Client 4 and urql drive it in
//! scripts/caching.sh.)

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, error_code, serve_args};

const QUERY: &str = "query Collections { collections { slug year } }";

fn hash(query: &str) -> String {
    Sha256::digest(query.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

fn extensions(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn get_hashed(app: &TestApp, hash: &str) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("extensions", extensions(hash).to_string()), ("operationName", "Collections".to_owned())])
        .header("Accept", "application/graphql-response+json")
        .send()
        .await
        .expect("sent");
    (response.status().as_u16(), response.json().await.expect("JSON"))
}

async fn post(app: &TestApp, body: Value) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .json(&body)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn a_hash_is_unknown_until_sent_with_its_text_then_runs_over_get_and_post() {
    let app = TestApp::spawn_as_shipped().await;
    let sha = hash(QUERY);
    let (status, body) = get_hashed(&app, &sha).await;
    assert_eq!((status, error_code(&body)), (200, Some("PERSISTED_QUERY_NOT_FOUND")), "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");

    let learned = post(&app, json!({ "query": QUERY, "extensions": extensions(&sha) })).await;
    assert!(learned["errors"].is_null(), "{learned}");
    let (status, body) = get_hashed(&app, &sha).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], learned["data"], "the hash alone runs the query");
    let by_hash = post(&app, json!({ "extensions": extensions(&sha) })).await;
    assert_eq!(by_hash["data"], learned["data"]);

    let wrong = post(&app, json!({ "query": QUERY, "extensions": extensions(&"0".repeat(64)) })).await;
    assert_eq!(error_code(&wrong), Some("BAD_USER_INPUT"), "{wrong}");
    let version = post(
        &app,
        json!({ "query": QUERY, "extensions": { "persistedQuery": { "version": 2, "sha256Hash": sha } } }),
    )
    .await;
    assert_eq!(error_code(&version), Some("BAD_USER_INPUT"), "{version}");
    let missing = post(&app, json!({ "extensions": { "persistedQuery": { "version": 1 } } })).await;
    assert_eq!(error_code(&missing), Some("BAD_REQUEST"), "{missing}");
}

#[tokio::test]
async fn a_hash_one_replica_learned_runs_on_another_through_redis() {
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let mut serve = serve_args(true);
    serve.protection.redis_url = Some(redis);
    let first = TestApp::spawn_serving(crate::helpers::TestDatabase::new().await, &serve).await;
    let second = TestApp::spawn_serving(first.database.share(), &serve).await;
    // A query no other test sends, so the hash is new to Redis.
    let query = format!("query Collections {{ collections {{ slug }} }} # {}", uuid::Uuid::new_v4());
    let sha = hash(&query);
    let (_, body) = get_hashed(&second, &sha).await;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"));
    let learned = post(&first, json!({ "query": query, "extensions": extensions(&sha) })).await;
    assert!(learned["errors"].is_null(), "{learned}");
    let (status, body) = get_hashed(&second, &sha).await;
    assert_eq!((status, &body["data"]), (200, &learned["data"]), "{body}");
}
