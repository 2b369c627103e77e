//! A read request runs all its statements on one pooled connection, taken at its first
//! statement and given back when it ends (src/store/connection.rs). With a pool of one
//! connection and a short wait for it, any request that kept its connection, or that needed
//! a second one while holding the first, would fail with a pool timeout.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, serve_args};

/// A page of cases with every relation the read-ahead and the loaders fetch.
const PAGE: &str = "{ cases(first: 5) { totalCount nodes { slug category { name } collection { title } \
    organisations { role organisation { name cases(first: 2) { nodes { slug } } } } countries { code } tags } } }";

/// An app on the sample set whose pool has one connection, waited for at most 2 s.
async fn app_with_one_connection() -> TestApp {
    let database = TestDatabase::new().await;
    let mut config = database.config();
    config.database_connections = Some(1);
    config.acquire_timeout = Some(Duration::from_secs(2));
    TestApp::spawn_configured(database, &config, &serve_args(true)).await
}

fn assert_page(body: &Value) {
    assert!(body.get("errors").is_none(), "{body}");
    let nodes = body["data"]["cases"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 5, "{body}");
    assert!(nodes.iter().all(|node| node["organisations"].as_array().is_some_and(|list| !list.is_empty())));
}

#[tokio::test]
async fn a_query_gives_its_connection_back_when_it_ends() {
    let app = app_with_one_connection().await;
    for _ in 0..6 {
        assert_page(&app.graphql(PAGE).await);
    }
}

#[tokio::test]
async fn concurrent_queries_share_one_connection_in_turn() {
    let app = app_with_one_connection().await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let request = app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": PAGE }));
        requests
            .spawn(async move { request.send().await.expect("sent").json::<Value>().await.expect("JSON") });
    }
    let mut answered = 0;
    while let Some(body) = requests.join_next().await {
        assert_page(&body.expect("request task"));
        answered += 1;
    }
    assert_eq!(answered, 8);
}

#[tokio::test]
async fn each_operation_of_a_batch_reads_on_its_own_connection_in_turn() {
    let app = app_with_one_connection().await;
    let batch = json!([{ "query": PAGE }, { "query": PAGE }, { "query": "{ statistics { caseCount } }" }]);
    let response =
        app.client.post(format!("{}/graphql", app.address)).json(&batch).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    let bodies: Vec<Value> = response.json().await.expect("JSON");
    assert_eq!(bodies.len(), 3);
    assert_page(&bodies[0]);
    assert_page(&bodies[1]);
    assert!(
        bodies[2]["data"]["statistics"]["caseCount"].as_u64().is_some_and(|count| count > 0),
        "{}",
        bodies[2]
    );
}
