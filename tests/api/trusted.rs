//! Trusted documents: operations registered from clients' manifests run by hash on every
//! replica; under `--trusted-documents require`, they are all that callers other than
//! `admin` keys may run.

use casegraph::config::TrustedDocuments;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, TestDatabase, casegraph, casegraph_ok, error_code, serve_args};

const COLLECTIONS: &str = "query Collections { collections { slug year } }";
const CATEGORIES: &str = "query Categories { categories(collection: \"wic-cbec-2024\") { slug } }";

fn sha(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

async fn send(app: &TestApp, body: Value, key: Option<&str>) -> Value {
    let mut request = app.client.post(format!("{}/graphql", app.address)).json(&body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("sent").json().await.expect("JSON")
}

fn by_hash(text: &str) -> Value {
    json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha(text) } } })
}

#[tokio::test]
async fn under_require_only_registered_documents_run_unless_the_caller_is_an_admin() {
    let database = TestDatabase::new().await;
    let manifest = json!({ "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [{ "id": sha(COLLECTIONS), "name": "Collections", "type": "query", "body": COLLECTIONS }] });
    let path = database.file("manifest.json");
    std::fs::write(&path, manifest.to_string()).expect("manifest written");
    casegraph_ok(&database, &["documents", "add", path.to_str().expect("path"), "--client", "ios-app"]);
    let listed = casegraph_ok(&database, &["documents", "list"]);
    assert!(listed.contains(&sha(COLLECTIONS)) && listed.contains("ios-app"), "{listed}");
    let mut wrong = manifest.clone();
    wrong["operations"][0]["id"] = json!("0".repeat(64));
    std::fs::write(&path, wrong.to_string()).expect("manifest written");
    assert!(!casegraph(&database, &["documents", "add", path.to_str().expect("path")]).status.success());

    let mut serve = serve_args(true);
    serve.protection.trusted_documents = TrustedDocuments::Require;
    let app = TestApp::spawn_serving(database, &serve).await;
    let admin = casegraph_ok(&app.database, &["keys", "create", "--name", "ops", "--scopes", "admin"])
        .trim()
        .to_owned();

    let registered = send(&app, by_hash(COLLECTIONS), None).await;
    assert!(registered["errors"].is_null() && registered["data"]["collections"].is_array(), "{registered}");
    let as_text = send(&app, json!({ "query": COLLECTIONS }), None).await;
    assert_eq!(as_text["data"], registered["data"], "its text runs too");
    let other = send(&app, json!({ "query": CATEGORIES }), None).await;
    assert_eq!(error_code(&other), Some("FORBIDDEN"), "{other}");
    let learning =
        send(&app, json!({ "query": CATEGORIES, "extensions": by_hash(CATEGORIES)["extensions"] }), None)
            .await;
    assert_eq!(error_code(&learning), Some("FORBIDDEN"), "nobody registers by sending: {learning}");
    let by_admin = send(&app, json!({ "query": CATEGORIES }), Some(&admin)).await;
    assert!(by_admin["errors"].is_null(), "{by_admin}");

    // Registered while the server runs: runs at once, by hash, in GraphQL Codegen's format.
    let codegen = json!({ sha(CATEGORIES): CATEGORIES });
    let path = app.database.file("codegen.json");
    std::fs::write(&path, codegen.to_string()).expect("written");
    casegraph_ok(&app.database, &["documents", "add", path.to_str().expect("path")]);
    let now = send(&app, by_hash(CATEGORIES), None).await;
    assert!(now["errors"].is_null(), "{now}");
}

#[tokio::test]
async fn under_allow_a_registered_hash_runs_without_being_learned_first() {
    let database = TestDatabase::new().await;
    let path = database.file("codegen.json");
    std::fs::write(&path, json!({ sha(COLLECTIONS): COLLECTIONS }).to_string()).expect("written");
    casegraph_ok(&database, &["documents", "add", path.to_str().expect("path")]);
    let app = TestApp::spawn_on(database, true).await;
    let body = send(&app, by_hash(COLLECTIONS), None).await;
    assert!(body["errors"].is_null(), "{body}");
    let unknown = send(&app, by_hash(CATEGORIES), None).await;
    assert_eq!(error_code(&unknown), Some("PERSISTED_QUERY_NOT_FOUND"));
    let other = send(&app, json!({ "query": CATEGORIES }), None).await;
    assert!(other["errors"].is_null(), "any operation runs under allow");
}
