//! Webhooks: change events posted to partners' endpoints, signed per Standard Webhooks, at
//! least once with retries, every attempt queryable; private targets refused by default.
//! (scripts/webhooks.sh checks the signatures with the `standardwebhooks` npm package, a
//! crash between commit and delivery, and two replicas on PostgreSQL.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::editing::{Editor, create_case, new_case};
use crate::helpers::{TestApp, TestDatabase, serve_args};

const CREATE: &str = "mutation W($input: CreateWebhookInput!) { createWebhook(input: $input) {
    webhook { id url enabled version } secret userErrors { field code message } } }";

/// What the receiver saw: (webhook-id, body) of each attempt and whether it accepted it.
type Seen = Arc<Mutex<Vec<(String, Value, bool)>>>;

/// A local endpoint refusing the first `failures` attempts of each message, verifying
/// every signature against `secret` (set once known).
async fn receiver(failures: usize, secret: Arc<Mutex<String>>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let recorded = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let (seen, secret) = (recorded.clone(), secret.clone());
            async move {
                let header = |name: &str| {
                    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
                };
                let (id, timestamp, signature) =
                    (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
                let key = secret.lock().expect("secret").clone();
                let key = STANDARD.decode(key.trim_start_matches("whsec_")).expect("base64 secret");
                let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
                mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
                let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
                assert_eq!(signature, expected, "signature of {id}");
                let mut seen = seen.lock().expect("seen");
                let earlier = seen.iter().filter(|(seen_id, _, _)| *seen_id == id).count();
                let accept = earlier >= failures;
                seen.push((id, serde_json::from_str(&body).expect("JSON body"), accept));
                if accept { StatusCode::NO_CONTENT } else { StatusCode::INTERNAL_SERVER_ERROR }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("receiver") });
    (format!("http://{address}/hook"), seen)
}

#[tokio::test]
async fn webhooks_to_loopback_private_or_metadata_addresses_are_refused_by_default() {
    let app = TestApp::spawn_as_shipped().await;
    let admin = Editor::new(&app, "operations", "admin");
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hook",
        "https://[::1]/hook",
        "ftp://partner.example/hook",
    ] {
        let data = admin.call(CREATE, json!({ "input": { "url": url } })).await;
        let payload = &data["createWebhook"];
        assert!(payload["webhook"].is_null() && payload["secret"].is_null(), "{url}: {data}");
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", "url"]), "{url}: {data}");
    }
}

#[tokio::test]
async fn a_webhook_gets_each_public_event_signed_retried_until_accepted_and_logged() {
    let mut serve = serve_args(false);
    serve.webhook_allow_private_targets = true;
    serve.webhook_retry_seconds = vec![0.2, 0.2, 0.2, 0.2];
    let app = TestApp::spawn_serving(TestDatabase::new().await, &serve).await;
    let admin = Editor::new(&app, "operations", "read,read:drafts,write,admin");
    let secret = Arc::new(Mutex::new(String::new()));
    let (url, seen) = receiver(2, secret.clone()).await;
    let created = admin.ok("createWebhook", CREATE, json!({ "url": url, "subjects": ["CASE"] })).await;
    *secret.lock().expect("secret") = created["secret"].as_str().expect("secret once").to_owned();

    let case = admin.ok("createCase", &create_case(), new_case("sample-hooked", "[Sample] Hooked")).await;
    let publish =
        "mutation P($input: CaseVersionInput!) { publishCase(input: $input) { userErrors { code } } }";
    admin.ok("publishCase", publish, json!({ "id": case["case"]["id"], "expectedVersion": 1 })).await;

    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !seen.lock().expect("seen").iter().any(|(_, _, accepted)| *accepted) {
        assert!(std::time::Instant::now() < deadline, "not delivered: {:?}", seen.lock().expect("seen"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let attempts = seen.lock().expect("seen").clone();
    assert_eq!(attempts.len(), 3, "two refusals, then accepted: {attempts:?}");
    assert!(attempts.iter().all(|(id, _, _)| *id == attempts[0].0), "one message, retried");
    let body = &attempts[0].1;
    assert_eq!(body["type"], "case.created", "the draft sent nothing; its publication is a creation");
    assert_eq!(body["data"]["slug"], "sample-hooked");
    assert_eq!(body["data"]["cause"], "PUBLISHED");
    assert_eq!(body["data"]["id"], case["case"]["id"]);

    let deliveries = admin
        .call(
            "{ deliveries(first: 5) { nodes { id status attemptCount eventType attempts { statusCode latencyMs } } } }",
            json!({}),
        )
        .await;
    let delivery = &deliveries["deliveries"]["nodes"][0];
    assert_eq!(
        (delivery["status"].as_str(), delivery["attemptCount"].as_i64()),
        (Some("DELIVERED"), Some(3)),
        "{deliveries}"
    );
    let codes: Vec<i64> = delivery["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .filter_map(|a| a["statusCode"].as_i64())
        .collect();
    assert_eq!(codes, [500, 500, 204]);

    // Replayed on demand: the same message again.
    let replay = "mutation R($input: WebhookIdInput!) { replayWebhookDelivery(input: $input) { delivery { status } userErrors { code } } }";
    let replayed = admin.ok("replayWebhookDelivery", replay, json!({ "id": delivery["id"] })).await;
    assert_eq!(replayed["delivery"]["status"], "PENDING");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while seen.lock().expect("seen").len() < 4 {
        assert!(std::time::Instant::now() < deadline, "not replayed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let last = seen.lock().expect("seen").last().cloned().expect("an attempt");
    assert_eq!(last.0, attempts[0].0, "the same webhook-id, for the endpoint to deduplicate");
}

#[tokio::test]
async fn an_endpoint_failing_for_three_days_is_disabled_with_the_reason() {
    let mut serve = serve_args(false);
    serve.webhook_allow_private_targets = true;
    serve.webhook_retry_seconds = vec![0.2, 0.2];
    let app = TestApp::spawn_serving(TestDatabase::new().await, &serve).await;
    let admin = Editor::new(&app, "operations", "read,read:drafts,write,admin");
    let secret = Arc::new(Mutex::new(String::new()));
    let (url, seen) = receiver(usize::MAX, secret.clone()).await;
    let created = admin.ok("createWebhook", CREATE, json!({ "url": url, "includeDrafts": true })).await;
    *secret.lock().expect("secret") = created["secret"].as_str().expect("secret").to_owned();
    // It has been failing for four days already.
    let connection = sea_orm::Database::connect(app.database.url.as_str()).await.expect("connect");
    let four_days_ago = chrono::Utc::now() - chrono::TimeDelta::days(4);
    sea_orm::ConnectionTrait::execute_raw(
        &connection,
        sea_orm::Statement::from_sql_and_values(
            sea_orm::ConnectionTrait::get_database_backend(&connection),
            if app.database.is_postgres() {
                "UPDATE webhook SET failing_since = $1"
            } else {
                "UPDATE webhook SET failing_since = ?"
            },
            [four_days_ago.into()],
        ),
    )
    .await
    .expect("failing since four days");
    admin.ok("createCase", &create_case(), new_case("sample-unheard", "[Sample] Unheard")).await;
    let mut listed = Value::Null;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while listed["webhooks"]["nodes"][0]["enabled"] != false {
        assert!(std::time::Instant::now() < deadline, "not disabled: {listed}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        listed =
            admin.call("{ webhooks { nodes { enabled disabledReason failingSince } } }", json!({})).await;
    }
    let reason = listed["webhooks"]["nodes"][0]["disabledReason"].as_str().expect("a reason");
    assert!(reason.contains("replayWebhookDelivery"), "{reason}");
    assert!(!seen.lock().expect("seen").is_empty());
    connection.close().await.expect("close");
}
