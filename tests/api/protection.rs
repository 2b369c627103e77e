//! Partner access and protection: API keys and scopes, limits, costs and budgets (memory and
//! Redis), GraphQL over HTTP, introspection, CORS, and hostile input.

use std::time::Duration;

use casegraph::config::{ServeArgs, Switch};
use casegraph::graphql::id::{NodeKind, encode};
use entity::case;
use entity::enums::CaseStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, casegraph, casegraph_ok, error_code, serve_args};

/// A key created with the CLI; returns the secret.
fn create_key(database: &TestDatabase, scopes: &str, extra: &[&str]) -> String {
    let mut args = vec!["keys", "create", "--name", "partner test", "--scopes", scopes];
    args.extend_from_slice(extra);
    casegraph_ok(database, &args).trim().to_owned()
}

async fn spawn(protection: impl FnOnce(&mut ServeArgs)) -> TestApp {
    let mut serve = serve_args(true);
    protection(&mut serve);
    TestApp::spawn_serving(TestDatabase::new().await, &serve).await
}

/// POSTs `query` with `key` (if any); returns status, headers and the JSON body.
async fn call(
    app: &TestApp,
    query: &str,
    variables: Value,
    key: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.expect("JSON body"))
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"].as_str().unwrap_or_default().to_owned()
}

// ---- keys -----------------------------------------------------------------------------

#[tokio::test]
async fn keys_are_shown_once_stored_as_digests_listed_without_secrets_and_revocable() {
    // Verified keys are trusted from memory for `--key-cache-seconds`: one second here.
    let app = spawn(|serve| serve.protection.key_cache_seconds = 1).await;
    let key = create_key(&app.database, "read", &[]);
    assert!(key.starts_with("cg_") && key.len() > 40, "{key}");

    let (status, _, body) = call(&app, "{ __typename }", json!({}), Some(&key)).await;
    assert_eq!(status, 200, "{body}");

    // No column of any key row holds the key.
    let rows = entity::api_key::Entity::find().all(app.store.connection()).await.expect("rows");
    assert_eq!(rows.len(), 1);
    let dump = format!("{rows:?}");
    assert!(!dump.contains(&key), "the key is stored: {dump}");
    let secret = key.rsplit('_').next().expect("secret part");
    assert!(!dump.contains(secret));

    let listed = casegraph_ok(&app.database, &["keys", "list"]);
    assert!(listed.contains(&rows[0].prefix) && listed.contains("partner test") && listed.contains("active"));
    assert!(!listed.contains(secret), "{listed}");

    // Revoked by another process (the CLI): refused once the cached verification expires,
    // and from then on.
    let revoked_at = std::time::Instant::now();
    casegraph_ok(&app.database, &["keys", "revoke", &rows[0].prefix]);
    assert!(casegraph_ok(&app.database, &["keys", "list"]).contains("revoked"));
    let (status, headers, body) = loop {
        let (status, headers, body) = call(&app, "{ __typename }", json!({}), Some(&key)).await;
        if status != 200 || revoked_at.elapsed() > std::time::Duration::from_secs(5) {
            break (status, headers, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!((status, error_code(&body)), (401, Some("UNAUTHENTICATED")), "{body}");
    assert!(revoked_at.elapsed() < std::time::Duration::from_secs(3), "{:?}", revoked_at.elapsed());
    let (status, _, _) = call(&app, "{ __typename }", json!({}), Some(&key)).await;
    assert_eq!(status, 401);
    assert_eq!(headers.get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));
}

#[tokio::test]
async fn invalid_malformed_and_missing_keys_are_refused_never_anonymous() {
    let app = spawn(|serve| serve.protection.anonymous = Switch::Off).await;
    let (status, _, body) = call(&app, "{ __typename }", json!({}), None).await;
    assert_eq!((status, error_code(&body)), (401, Some("UNAUTHENTICATED")), "{body}");
    assert!(body.get("data").is_none(), "{body}");

    let unknown = "cg_abcdefgh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for authorization in
        ["Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer", "cg_abc", &format!("Bearer {unknown}")]
    {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("Authorization", authorization)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 401, "{authorization}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{authorization}: {body}");
    }
    // Even with anonymous access on, a bad key is not served anonymously.
    let open = spawn(|_| {}).await;
    let (status, _, body) = call(&open, "{ __typename }", json!({}), Some(unknown)).await;
    assert_eq!((status, error_code(&body)), (401, Some("UNAUTHENTICATED")), "{body}");
    // A key without `read` may not query.
    let writer = create_key(&open.database, "write", &[]);
    let (status, _, body) = call(&open, "{ __typename }", json!({}), Some(&writer)).await;
    assert_eq!((status, error_code(&body)), (403, Some("FORBIDDEN")), "{body}");
    // Bad scopes are refused by the CLI.
    assert!(
        !casegraph(&open.database, &["keys", "create", "--name", "x", "--scopes", "root"]).status.success()
    );
}

#[tokio::test]
async fn drafts_are_visible_only_with_read_drafts_on_every_read_path() {
    let app = spawn(|_| {}).await;
    let reader = create_key(&app.database, "read", &["--budget", "1000000"]);
    let editor = create_key(&app.database, "read:drafts", &["--budget", "1000000"]);
    let draft = case::Entity::find()
        .filter(case::Column::Status.eq(CaseStatus::Draft))
        .one(app.store.connection())
        .await
        .expect("query")
        .expect("the sample set has drafts");
    let draft_id = encode(NodeKind::Case, draft.id).to_string();
    let all = case::Entity::find().all(app.store.connection()).await.expect("cases").len() as u64;
    let published = case::Entity::find()
        .filter(case::Column::Status.eq(CaseStatus::Published))
        .all(app.store.connection())
        .await
        .expect("cases")
        .len() as u64;
    let query = r#"query($slug: String!, $id: ID!) {
        case(slug: $slug) { slug }
        node(id: $id) { id }
        nodes(ids: [$id]) { id }
        cases(first: 100) { totalCount }
        statistics { caseCount }
        collections { cases(first: 100) { totalCount } }
        categories { cases(first: 100) { nodes { slug } } }
        organisations(first: 100) { nodes { cases(first: 100) { nodes { slug } } } }
    }"#;
    let variables = json!({ "slug": draft.slug, "id": draft_id });
    for key in [None, Some(reader.as_str())] {
        let (status, _, body) = call(&app, query, variables.clone(), key).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        let data = &body["data"];
        assert_eq!(data["case"], Value::Null);
        assert_eq!(data["node"], Value::Null);
        assert_eq!(data["nodes"], json!([null]));
        assert_eq!(data["cases"]["totalCount"], published);
        assert_eq!(data["statistics"]["caseCount"], published);
        let in_collections: u64 = data["collections"]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["cases"]["totalCount"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(in_collections, published);
        // Nowhere in the nested connections either.
        assert!(!body.to_string().contains(&format!("\"{}\"", draft.slug)), "{body}");
        let (_, _, forbidden) =
            call(&app, r#"{ cases(filter: { statuses: [DRAFT] }) { totalCount } }"#, json!({}), key).await;
        assert_eq!(error_code(&forbidden), Some("FORBIDDEN"), "{forbidden}");
        let (_, _, forbidden) =
            call(&app, r#"{ statistics(filter: { statuses: [ARCHIVED] }) { caseCount } }"#, json!({}), key)
                .await;
        assert_eq!(error_code(&forbidden), Some("FORBIDDEN"), "{forbidden}");
    }
    let (_, _, body) = call(&app, query, variables, Some(&editor)).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["case"]["slug"], draft.slug.as_str());
    assert_eq!(body["data"]["node"]["id"], draft_id.as_str());
    // Nested connections list drafts when asked for (the default is published only).
    let nested = r#"{ categories { cases(first: 100, filter: { statuses: [DRAFT] }) { nodes { slug } } }
                      collections { cases(filter: { statuses: [DRAFT, PUBLISHED, ARCHIVED] }) { totalCount } } }"#;
    let (_, _, body) = call(&app, nested, json!({}), Some(&editor)).await;
    assert!(body.get("errors").is_none(), "{body}");
    let in_categories = body["data"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .flat_map(|category| category["cases"]["nodes"].as_array().cloned().unwrap_or_default())
        .filter(|node| node["slug"] == draft.slug.as_str())
        .count();
    assert_eq!(in_categories, 1, "the draft is listed under its category with read:drafts");
    let in_collections: u64 = body["data"]["collections"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["cases"]["totalCount"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(in_collections, all);
    let (_, _, body) = call(&app, nested, json!({}), Some(&reader)).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let (_, _, body) = call(
        &app,
        r#"{ cases(filter: { statuses: [DRAFT, PUBLISHED, ARCHIVED] }) { totalCount }
             statistics(filter: { statuses: [DRAFT, PUBLISHED, ARCHIVED] }) { caseCount } }"#,
        json!({}),
        Some(&editor),
    )
    .await;
    assert_eq!(body["data"]["cases"]["totalCount"], all, "{body}");
    assert_eq!(body["data"]["statistics"]["caseCount"], all, "{body}");
}

#[tokio::test]
async fn search_shows_drafts_only_to_read_drafts_callers_asking_for_them() {
    let app = spawn(|_| {}).await;
    let reader = create_key(&app.database, "read", &[]);
    let editor = create_key(&app.database, "read:drafts", &[]);
    // A word every synthetic case carries in its texts.
    let query = r#"{ search(query: "synthetic", first: 100) { totalCount }
                    cases(filter: { search: "synthetic", statuses: [PUBLISHED] }) { totalCount } }"#;
    let (_, _, anonymous) = call(&app, query, json!({}), None).await;
    let (_, _, read) = call(&app, query, json!({}), Some(&reader)).await;
    let (_, _, drafts) = call(&app, query, json!({}), Some(&editor)).await;
    assert!(anonymous.get("errors").is_none(), "{anonymous}");
    assert_eq!(anonymous["data"], read["data"]);
    // Search defaults to published cases for every caller; read:drafts sees drafts when it
    // asks for them.
    assert_eq!(drafts["data"], read["data"]);
    let hidden = anonymous["data"]["search"]["totalCount"].as_u64().expect("total");
    let every_status = r#"{ search(query: "synthetic", first: 100, statuses: [DRAFT, PUBLISHED, ARCHIVED])
                             { totalCount } }"#;
    let (_, _, asked) = call(&app, every_status, json!({}), Some(&editor)).await;
    let shown = asked["data"]["search"]["totalCount"].as_u64().expect("total");
    assert!(shown > hidden, "read:drafts sees drafts in search when asked: {shown} > {hidden}");
    let (_, _, forbidden) = call(&app, every_status, json!({}), Some(&reader)).await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"), "{forbidden}");
}

// ---- limits -----------------------------------------------------------------------------

#[tokio::test]
async fn each_limit_is_a_typed_error_stating_it() {
    let app = spawn(|serve| serve.protection = ServeArgs::default().protection).await;
    // Introspection nests without cost: `__type { ofType { ofType … } } }`.
    let nested = |depth: usize| {
        format!(
            "{{ __type(name: \"Case\") {{ {}name {}}} }}",
            "ofType { ".repeat(depth - 2),
            "} ".repeat(depth - 2)
        )
    };
    let (_, _, body) = call(&app, &nested(15), json!({}), None).await;
    assert!(body.get("errors").is_none(), "15 levels pass: {body}");
    let (status, _, body) = call(&app, &nested(16), json!({}), None).await;
    assert_eq!((status, error_code(&body)), (200, Some("QUERY_TOO_COMPLEX")), "{body}");
    assert!(message(&body).contains("16 levels deep; at most 15"), "{body}");

    let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let (_, _, body) = call(&app, &format!("{{ {aliases} }}"), json!({}), None).await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert!(message(&body).contains("31 aliases; at most 30"), "{body}");

    let directives = "@include(if: true) ".repeat(51);
    let (_, _, body) = call(&app, &format!("{{ __typename {directives} }}"), json!({}), None).await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert!(message(&body).contains("at most 50"), "{body}");

    let long = format!("{{ __typename }}{}", " ".repeat(20_000));
    let (_, _, body) = call(&app, &long, json!({}), None).await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert!(message(&body).contains("at most 20000"), "{body}");

    let (_, _, body) = call(&app, "{ cases(first: 101) { totalCount } }", json!({}), None).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(message(&body).contains("between 0 and 100"), "{body}");

    let cost = "{ cases(first: 100) { nodes { organisations { organisation { name } } followUpActions { title } } } }";
    let (_, _, body) = call(&app, cost, json!({}), None).await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert!(message(&body).contains("cost is 1001; the maximum is 1000"), "{body}");

    let batch: Vec<Value> = (0..11).map(|_| json!({ "query": "{ __typename }" })).collect();
    let response =
        app.client.post(format!("{}/graphql", app.address)).json(&batch).send().await.expect("sent");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert!(message(&body).contains("at most 10"), "{body}");
    let batch: Vec<Value> =
        (0..10).map(|i| json!({ "query": format!("query Q{i} {{ __typename }}") })).collect();
    let body: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&batch)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body.as_array().map(Vec::len), Some(10), "{body}");

    let huge = json!({ "query": "{ __typename }", "variables": { "padding": "x".repeat(1024 * 1024) } });
    let response =
        app.client.post(format!("{}/graphql", app.address)).json(&huge).send().await.expect("sent");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
}

#[tokio::test]
async fn limits_are_configurable_and_execution_time_is_bounded() {
    let app = spawn(|serve| {
        serve.protection.max_page = 10;
        serve.protection.max_depth = 2;
    })
    .await;
    let (_, _, body) = call(&app, "{ cases(first: 11) { totalCount } }", json!({}), None).await;
    assert!(message(&body).contains("between 0 and 10"), "{body}");
    let (_, _, body) = call(&app, "{ collections { categories { slug } } }", json!({}), None).await;
    assert!(message(&body).contains("at most 2"), "{body}");
    let app = spawn(|serve| serve.protection.timeout = 0.001).await;
    // Several rounds of loaders over the sample cases, one after another: far over 1 ms.
    let slow = "{ cases(first: 10) { nodes { organisations { organisation { cases(first: 10) { nodes {
        relatedCases(first: 5) { organisations { organisation { cases(first: 10) { nodes {
        category { collection { slug } } } } } } } } } } } } } }";
    let (status, _, body) = call(&app, slow, json!({}), None).await;
    assert_eq!((status, error_code(&body)), (200, Some("TIMEOUT")), "{body}");
    assert!(message(&body).contains("within 0.001 s"), "{body}");
}

// ---- costs and budgets ----------------------------------------------------------------

#[tokio::test]
async fn responses_report_their_cost_and_budget_in_extensions_and_headers() {
    let app = spawn(|serve| serve.protection = ServeArgs::default().protection).await;
    let (status, headers, body) =
        call(&app, "{ cases(first: 5) { totalCount nodes { slug category { name } } } }", json!({}), None)
            .await;
    assert_eq!(status, 200, "{body}");
    let cost = &body["extensions"]["cost"];
    // cases 1 + 5 × (case 1 + category 1)
    assert_eq!(cost["requestedQueryCost"], 11, "{body}");
    assert_eq!(cost["actualQueryCost"], 11, "{body}");
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 500);
    assert_eq!(cost["throttleStatus"]["restoreRate"], 20.0);
    let available = cost["throttleStatus"]["currentlyAvailable"].as_u64().expect("available");
    assert!((489..=500).contains(&available), "{body}");
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("ratelimit-limit").as_deref(), Some("500"));
    assert_eq!(header("ratelimit-remaining"), Some(available.to_string()));
    assert!(header("ratelimit-reset").is_some());

    // The analysis of an operation is remembered only when it read no variable: the same
    // document with another page size costs what that size costs, every time.
    let sized = "query($n: Int) { cases(first: $n) { nodes { slug } } }";
    for (n, expected) in [(2, 3), (4, 5), (2, 3), (4, 5)] {
        let (_, _, body) = call(&app, sized, json!({ "n": n }), None).await;
        assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], expected, "first: {n}: {body}");
    }
    let fixed = "{ cases(first: 3) { nodes { slug } } }";
    for _ in 0..2 {
        let (_, _, body) = call(&app, fixed, json!({}), None).await;
        assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 4, "{body}");
    }

    // A key gets the key default, or its own budget.
    let key = create_key(&app.database, "read", &[]);
    let (_, _, body) = call(&app, "{ __typename }", json!({}), Some(&key)).await;
    assert_eq!(body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"], 2000, "{body}");
    assert_eq!(body["extensions"]["cost"]["throttleStatus"]["restoreRate"], 100.0, "{body}");
    let own = create_key(&app.database, "read", &["--budget", "123", "--refill", "4"]);
    let (_, _, body) = call(&app, "{ __typename }", json!({}), Some(&own)).await;
    assert_eq!(body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"], 123, "{body}");
}

#[tokio::test]
async fn an_exhausted_budget_throttles_with_429_until_it_refills() {
    let app = spawn(|serve| {
        serve.protection.anonymous_budget = 30.0;
        serve.protection.anonymous_refill = 10.0;
    })
    .await;
    let query = "{ cases(first: 10) { nodes { slug } } }"; // costs 11
    let mut throttled = None;
    for _ in 0..10 {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("sent");
        if response.status() == 429 {
            throttled = Some(response);
            break;
        }
    }
    let response = throttled.expect("throttled within 10 requests");
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=3).contains(&retry_after), "{retry_after}");
    assert!(response.headers().get("ratelimit-remaining").is_some());
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), Some("THROTTLED"), "{body}");
    assert!(body.get("data").is_none());
    let metrics = app.get("/metrics", &[]).await.text().await.expect("text");
    assert!(metrics.contains("rate_limit_rejections_total"), "{metrics}");

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let (status, _, body) = call(&app, query, json!({}), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn two_instances_share_one_budget_through_redis() {
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let mut serve = serve_args(false);
    serve.protection.redis_url = Some(redis);
    let first = TestApp::spawn_serving(TestDatabase::new().await, &serve).await;
    let key = create_key(&first.database, "read", &["--budget", "100", "--refill", "0.01"]);
    // The second instance serves the same database (same keys), with its own memory.
    let second_database = first.database.share();
    let second = TestApp::spawn_serving(second_database, &serve).await;

    let query = "{ collections { slug } }"; // costs 2
    let remaining = |headers: &reqwest::header::HeaderMap| -> u64 {
        headers
            .get("ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("header")
    };
    let (_, headers, body) = call(&first, query, json!({}), Some(&key)).await;
    assert!(body.get("errors").is_none(), "{body}");
    let after_first = remaining(&headers);
    let (_, headers, _) = call(&second, query, json!({}), Some(&key)).await;
    let after_second = remaining(&headers);
    assert!(
        after_second < after_first,
        "the second instance sees the first's spending: {after_first} → {after_second}"
    );
    // Spend the rest on the second; the first is then throttled too.
    let mut status = 200;
    for _ in 0..60 {
        (status, _, _) = call(&second, query, json!({}), Some(&key)).await;
        if status == 429 {
            break;
        }
    }
    assert_eq!(status, 429);
    let (status, _, body) = call(&first, query, json!({}), Some(&key)).await;
    assert_eq!((status, error_code(&body)), (429, Some("THROTTLED")), "{body}");
}

// ---- GraphQL over HTTP --------------------------------------------------------------------

#[tokio::test]
async fn graphql_over_http_media_types_methods_and_statuses() {
    let app = spawn(|_| {}).await;
    let url = format!("{}/graphql", app.address);
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
    {
        let response = app
            .client
            .post(&url)
            .header("Content-Type", content_type)
            .body(r#"{"query":"{ __typename }"}"#)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 415, "{content_type}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(error_code(&body), Some("UNSUPPORTED_MEDIA_TYPE"));
    }
    let response = app.client.post(&url).body(r#"{"query":"{ __typename }"}"#).send().await.expect("sent");
    assert_eq!(response.status(), 415, "no Content-Type");

    let response =
        app.client.get(format!("{url}?query=mutation%20%7B%20__typename%20%7D")).send().await.expect("sent");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers().get("allow").and_then(|v| v.to_str().ok()), Some("POST"));
    let response = app.client.get(format!("{url}?query=%7B%20__typename%20%7D")).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["__typename"], "Query");

    let post = |accept: &'static str, body: &'static str| {
        app.client
            .post(&url)
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .body(body)
            .send()
    };
    let response = post("application/graphql-response+json", r#"{"query":"{ nope }"}"#).await.expect("sent");
    assert_eq!(response.status(), 400);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/graphql-response+json"))
    );
    let body: Value = response.json().await.expect("JSON");
    assert!(body.get("data").is_none(), "{body}");
    let response = post("application/json", r#"{"query":"{ nope }"}"#).await.expect("sent");
    assert_eq!(response.status(), 200);
    let response =
        post("application/graphql-response+json", r#"{"query":"{ __typename }"}"#).await.expect("sent");
    assert_eq!(response.status(), 200);
    let response = post("application/json", "{ not json").await.expect("sent");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"));
    let response = post("application/json", r#"{"query": 42}"#).await.expect("sent");
    assert_eq!(response.status(), 400);
    let response = post("text/html", r#"{"query":"{ __typename }"}"#).await.expect("sent");
    assert_eq!(response.status(), 406);
}

#[tokio::test]
async fn introspection_can_be_turned_off_with_suggestions() {
    let open = spawn(|_| {}).await;
    let (_, _, body) = call(&open, "{ __schema { queryType { name } } }", json!({}), None).await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query", "{body}");
    let (_, _, body) = call(&open, "{ casez { totalCount } }", json!({}), None).await;
    assert!(message(&body).contains("Did you mean"), "{body}");

    let closed = spawn(|serve| serve.protection.introspection = Switch::Off).await;
    let (_, _, body) = call(&closed, "{ __schema { queryType { name } } }", json!({}), None).await;
    assert!(body["data"]["__schema"].is_null() || body.get("errors").is_some(), "{body}");
    let (_, _, body) = call(&closed, "{ casez { totalCount } }", json!({}), None).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(!message(&body).contains("Did you mean"), "{body}");
}

#[tokio::test]
async fn cors_allows_listed_origins_only() {
    let closed = spawn(|_| {}).await;
    let open =
        spawn(|serve| serve.protection.cors_origins = vec!["https://partner.example".to_owned()]).await;
    let preflight = |app: &TestApp, origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type,authorization")
            .send()
    };
    let allowed = |response: &reqwest::Response| {
        response.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()).map(str::to_owned)
    };
    let response = preflight(&open, "https://partner.example").await.expect("sent");
    assert_eq!(allowed(&response).as_deref(), Some("https://partner.example"));
    let response = preflight(&open, "https://evil.example").await.expect("sent");
    assert_eq!(allowed(&response), None);
    let response = preflight(&closed, "https://partner.example").await.expect("sent");
    assert_eq!(allowed(&response), None);
}

// ---- hostile input ------------------------------------------------------------------------

#[tokio::test]
async fn hostile_strings_in_every_argument_give_results_or_typed_errors_never_500() {
    let app = spawn(|_| {}).await;
    let operations = [
        "query($s: String!) { case(slug: $s) { slug } }",
        "query($s: String!) { organisation(slug: $s) { slug } }",
        "query($s: String!) { collection(slug: $s) { slug } }",
        "query($s: String!) { category(slug: $s) { slug } }",
        "query($s: String!) { categories(collection: $s) { slug } }",
        "query($s: ID!) { node(id: $s) { id } }",
        "query($s: ID!) { nodes(ids: [$s]) { id } }",
        "query($s: String!) { search(query: $s) { totalCount } }",
        "query($s: String!) { cases(after: $s) { totalCount } }",
        "query($s: String!) { cases(filter: { search: $s }) { totalCount edges { highlights { snippet } } } }",
        "query($s: String!) { cases(filter: { collections: [$s], categories: [$s], countries: [$s], tags: [$s], organisations: [$s] }) { totalCount } }",
        "query($s: String!) { organisations(filter: { search: $s, countries: [$s] }) { totalCount } }",
        "query($s: String!) { followUpActions(filter: { search: $s, collections: [$s], cases: [$s] }) { totalCount } }",
        "query($s: String!) { statistics(filter: { search: $s, countries: [$s] }) { caseCount } }",
    ];
    let hostile = [
        "' OR 1=1; DROP TABLE \"case\"; --".to_owned(),
        "\" NEAR(a b) * ^ : () {} [] \\ % _ $1 ?".to_owned(),
        "\u{0000}\u{202e}\u{fffd}".to_owned(),
        "跨境 \" AND \"".to_owned(),
        "x".repeat(100 * 1024),
        "电商".repeat(30 * 1024),
    ];
    for operation in operations {
        for value in &hostile {
            let (status, _, body) = call(&app, operation, json!({ "s": value }), None).await;
            assert!(status < 500, "{operation} with {:.40}: {status} {body}", value);
            let ok = body.get("errors").is_none() && body.get("data").is_some();
            let typed = error_code(&body).is_some_and(|code| code != "INTERNAL");
            assert!(ok || typed, "{operation} with {:.40}: {body}", value);
            let text = body.to_string();
            for leak in ["SELECT", "sqlx", "sqlite", "postgres", "/work", "panicked"] {
                assert!(!text.contains(leak), "{operation} leaks {leak}: {text:.300}");
            }
        }
    }
    // Invalid UTF-8 in the body is a malformed request, not a crash.
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Content-Type", "application/json")
        .body(b"{\"query\": \"{ case(slug: \\\"\xff\xfe\\\") { slug } }\"}".to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
    // And in a GET query string, it is replaced, not fatal.
    let response = app
        .client
        .get(format!(
            "{}/graphql?query=%7B%20case(slug%3A%20%22%FF%FE%22)%20%7B%20slug%20%7D%20%7D",
            app.address
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_example_operations_fit_the_default_cost_and_anonymous_budget() {
    let app = spawn(|serve| serve.protection = ServeArgs::default().protection).await;
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/queries");
    for entry in std::fs::read_dir(&examples).expect("examples") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("graphql") {
            continue;
        }
        let document = std::fs::read_to_string(&path).expect("read");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let variables = match name {
            "partner-listing.graphql" => json!({ "category": null, "after": null }),
            "case-detail.graphql" => json!({ "slug": "no-such-case" }),
            "mobile-sync.graphql" => json!({ "after": null }),
            "search-box.graphql" => json!({ "q": "sample logistics" }),
            _ => json!({ "filter": null }),
        };
        let (status, _, body) = call(&app, &document, variables, None).await;
        assert_eq!(status, 200, "{}: {body}", path.display());
        let code = error_code(&body);
        assert!(code != Some("QUERY_TOO_COMPLEX") && code != Some("THROTTLED"), "{}: {body}", path.display());
        let requested = body["extensions"]["cost"]["requestedQueryCost"].as_u64().expect("cost");
        assert!(requested <= 500, "{} costs {requested}", path.display());
        // Let the anonymous budget refill between examples.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_batch_of_slow_operations_ends_at_the_requests_time_limit_not_ten_times_it() {
    let timeout = 0.2;
    let app = spawn(|serve| {
        serve.protection.timeout = timeout;
        serve.protection.max_batch = 10;
    })
    .await;
    let slow = "{ cases(first: 10) { nodes { organisations { organisation { cases(first: 10) { nodes {
        relatedCases(first: 5) { organisations { organisation { cases(first: 10) { nodes {
        category { collection { slug } } } } } } } } } } } } } }";
    let batch: Vec<Value> = (0..10).map(|_| json!({ "query": slow })).collect();
    let started = std::time::Instant::now();
    let response =
        app.client.post(format!("{}/graphql", app.address)).json(&batch).send().await.expect("sent");
    let elapsed = started.elapsed().as_secs_f64();
    let bodies: Vec<Value> = response.json().await.expect("JSON");
    let timed_out = bodies.iter().filter(|body| error_code(body) == Some("TIMEOUT")).count();
    assert!(timed_out >= 1, "the batch outlived its time limit: {bodies:?}");
    // Ten operations each given the whole limit take at least ten times it when they run
    // out, and none runs out when each is quicker; one shared limit ends well before.
    assert!(
        elapsed < timeout * 7.5,
        "the batch took {elapsed:.2} s with a {timeout} s limit: the operations share one limit"
    );
}

/// The budget left after one page of 20 cases sent with `forwarded_for` as
/// `X-Forwarded-For`.
async fn remaining_after_a_page(app: &TestApp, forwarded_for: &str) -> f64 {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({ "query": "{ cases(first: 20) { nodes { slug } } }" }))
        .send()
        .await
        .expect("sent");
    response
        .headers()
        .get("ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("remaining")
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_get_their_own_budgets_and_nobody_else_can_claim_one() {
    // The tests connect from 127.0.0.1: trusted here, as a load balancer would be.
    let behind = spawn(|serve| {
        serve.protection = ServeArgs::default().protection;
        serve.protection.trusted_proxies = vec!["127.0.0.0/8".to_owned()];
    })
    .await;
    let first = remaining_after_a_page(&behind, "203.0.113.1").await;
    let again = remaining_after_a_page(&behind, "203.0.113.1").await;
    let other = remaining_after_a_page(&behind, "198.51.100.2, 127.0.0.1").await;
    assert!(again < first, "the same client spends its own budget: {first} then {again}");
    assert_eq!(other, first, "another client behind the proxy has a budget of its own");

    // Without trusted proxies the header is the client's own claim: ignored.
    let direct = spawn(|serve| serve.protection = ServeArgs::default().protection).await;
    let first = remaining_after_a_page(&direct, "203.0.113.1").await;
    let spoofed = remaining_after_a_page(&direct, "198.51.100.2").await;
    assert!(spoofed < first, "one peer, one budget, whatever it says: {first} then {spoofed}");
}
