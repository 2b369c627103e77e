//! Observability: /metrics (Prometheus text), request ids in headers, error extensions and
//! JSON log lines. The metrics recorder is process-wide and the tests run in parallel, so
//! they assert that counters increase, never their absolute values.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use casegraph::config::ServeArgs;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, error_code};

const METRIC_NAMES: [&str; 6] = [
    "http_requests_total",
    "http_request_duration_seconds",
    "graphql_operations_total",
    "db_statements_total",
    "db_statement_duration_seconds",
    "rate_limit_rejections_total",
];

/// GET `{base}/metrics` as text.
async fn scrape_at(app: &TestApp, base: &str) -> String {
    let response = app.client.get(format!("{base}/metrics")).send().await.expect("scrape sent");
    assert_eq!(response.status(), 200);
    response.text().await.expect("metrics text")
}

async fn scrape(app: &TestApp) -> String {
    scrape_at(app, &app.address).await
}

/// Sum of the samples of `name` whose labels include every pair of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((series_name, rest)) => (series_name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let wanted = series_name == name
                && labels.iter().all(|(key, value)| {
                    series_labels.split(',').any(|pair| pair == format!("{key}=\"{value}\""))
                });
            if wanted { value.parse::<f64>().ok() } else { None }
        })
        .sum()
}

/// POSTs `body` to /graphql and returns the JSON answer.
async fn post(app: &TestApp, body: Value) -> Value {
    let response =
        app.client.post(format!("{}/graphql", app.address)).json(&body).send().await.expect("request sent");
    response.json().await.expect("JSON body")
}

#[tokio::test]
async fn metrics_are_served_as_prometheus_text_with_every_metric_after_a_graphql_request() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ collections { slug } }").await;
    assert!(body.get("errors").is_none(), "{body}");

    let response = app.get("/metrics", &[]).await;
    assert_eq!(response.status(), 200);
    let content_type =
        response.headers().get("content-type").and_then(|value| value.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.expect("metrics text");
    for name in METRIC_NAMES {
        assert!(text.contains(&format!("# HELP {name}")), "no description of {name}:\n{text}");
        assert!(text.contains(&format!("\n{name}")), "no sample of {name}:\n{text}");
    }
    assert!(text.contains("http_request_duration_seconds_bucket{"), "not a histogram:\n{text}");
    assert!(text.contains("le=\"0.0005\""), "no 0.5 ms bucket:\n{text}");
    assert!(text.contains("le=\"10\""), "no 10 s bucket:\n{text}");
    assert!(!text.contains("path="), "raw paths must not be labels:\n{text}");
}

#[tokio::test]
async fn http_requests_and_named_operations_are_counted() {
    let app = TestApp::spawn().await;
    let before = scrape(&app).await;
    let body = app.graphql("query Named { collections { slug } }").await;
    assert!(body.get("errors").is_none(), "{body}");
    let chosen = post(
        &app,
        json!({
            "query": "query First { collections { slug } } query Second { __typename }",
            "operationName": "Second"
        }),
    )
    .await;
    assert!(chosen.get("errors").is_none(), "{chosen}");
    app.graphql("{ __typename }").await;
    let after = scrape(&app).await;

    let increase =
        |name: &str, labels: &[(&str, &str)]| sample(&after, name, labels) - sample(&before, name, labels);
    assert!(increase("http_requests_total", &[("method", "POST"), ("status", "200")]) >= 3.0);
    // The scrape before counts too: requests are counted once answered.
    assert!(increase("http_requests_total", &[("method", "GET"), ("status", "200")]) >= 1.0);
    assert!(increase("http_request_duration_seconds_count", &[("method", "POST"), ("status", "200")]) >= 3.0);
    let operations = "graphql_operations_total";
    assert!(increase(operations, &[("operation_name", "Named"), ("outcome", "ok")]) >= 1.0, "{after}");
    assert!(increase(operations, &[("operation_name", "Second"), ("outcome", "ok")]) >= 1.0, "{after}");
    assert!(increase(operations, &[("operation_name", "anonymous"), ("outcome", "ok")]) >= 1.0, "{after}");
}

#[tokio::test]
async fn a_failing_operation_is_counted_as_an_error() {
    let app = TestApp::spawn().await;
    let labels = [("operation_name", "Broken"), ("outcome", "error")];
    let before = sample(&scrape(&app).await, "graphql_operations_total", &labels);
    let body = app.graphql("query Broken { noSuchField }").await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let after = sample(&scrape(&app).await, "graphql_operations_total", &labels);
    assert!(after - before >= 1.0, "before {before}, after {after}");
}

#[tokio::test]
async fn caller_chosen_operation_names_that_are_not_plain_names_are_counted_as_invalid() {
    let app = TestApp::spawn().await;
    let long_name = "A".repeat(65);
    let before = scrape(&app).await;
    for name in ["drop table cases; --", long_name.as_str()] {
        post(&app, json!({ "query": "{ __typename }", "operationName": name })).await;
    }
    let after = scrape(&app).await;
    let labels = [("operation_name", "invalid"), ("outcome", "error")];
    let invalid = sample(&after, "graphql_operations_total", &labels)
        - sample(&before, "graphql_operations_total", &labels);
    assert!(invalid >= 2.0, "{after}");
    assert!(!after.contains("drop table"), "{after}");
    assert!(!after.contains(&long_name), "{after}");
}

/// An operation passes every validation rule once per document; after that it runs as
/// remembered while its variables are of built-in scalar types and valid, and is validated
/// in full again when they are not (and then refused as the engine refuses it).
#[tokio::test]
async fn an_operation_is_validated_in_full_once_then_remembered() {
    let app = TestApp::spawn_with_samples().await;
    // A document of its own: the recorder is process-wide, and tests run in parallel.
    let query = "query RememberedValidation($slug: String!) { case(slug: $slug) { slug } }";
    let counts = |text: &str| {
        (
            sample(text, "graphql_validations_total", &[("mode", "full")]),
            sample(text, "graphql_validations_total", &[("mode", "remembered")]),
        )
    };
    let before = counts(&scrape(&app).await);
    for _ in 0..3 {
        let body = app.graphql_with(query, serde_json::json!({ "slug": "nowhere" }), &[]).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let after = counts(&scrape(&app).await);
    assert!(after.0 >= before.0 + 1.0, "{before:?} -> {after:?}");
    assert!(after.1 >= before.1 + 2.0, "{before:?} -> {after:?}");
    // A value of the wrong type is never trusted to the remembered validation.
    let body = app.graphql_with(query, serde_json::json!({ "slug": 7 }), &[]).await;
    assert_eq!(crate::helpers::error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn db_statements_total_counts_at_least_the_statements_of_a_request() {
    let app = TestApp::spawn_with_samples().await;
    let metrics_before = sample(&scrape(&app).await, "db_statements_total", &[]);
    let store_before = app.store.statements_executed();
    let body = app
        .graphql("{ cases(first: 5) { nodes { slug category { slug } organisations { organisation { slug } } tags } } }")
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let statements = app.store.statements_executed() - store_before;
    let after = scrape(&app).await;
    let counted = sample(&after, "db_statements_total", &[]) - metrics_before;
    assert!(statements > 0, "the request ran no statement");
    assert!(counted >= statements as f64, "{counted} counted, {statements} run");
    assert!(sample(&after, "db_statement_duration_seconds_count", &[]) >= counted);
}

#[tokio::test]
async fn with_a_metrics_bind_metrics_are_served_there_and_not_on_the_main_router() {
    let serve = ServeArgs {
        metrics_bind: Some("127.0.0.1:0".parse().expect("address")),
        ..crate::helpers::serve_args(false)
    };
    let app = TestApp::spawn_serving(TestDatabase::new().await, &serve).await;
    let metrics_address = app.metrics_address.clone().expect("a metrics address");
    assert_ne!(metrics_address, app.address);

    app.graphql("query Named { __typename }").await;
    assert_eq!(app.get("/metrics", &[]).await.status(), 404);
    let text = scrape_at(&app, &metrics_address).await;
    assert!(sample(&text, "graphql_operations_total", &[("operation_name", "Named")]) >= 1.0, "{text}");
    let other = app.client.get(format!("{metrics_address}/graphql")).send().await.expect("sent");
    assert_eq!(other.status(), 404, "the metrics address serves only /metrics");
}

#[tokio::test]
async fn an_unreasonable_client_request_id_is_replaced_by_a_generated_one() {
    let app = TestApp::spawn().await;
    let request_id = |response: &reqwest::Response| {
        response.headers().get("x-request-id").and_then(|value| value.to_str().ok()).map(str::to_owned)
    };
    let longest = "r".repeat(128);
    let kept = app.get("/healthz", &[("X-Request-Id", &longest)]).await;
    assert_eq!(request_id(&kept).as_deref(), Some(longest.as_str()));

    let too_long = "r".repeat(129);
    let replaced = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-Request-Id", &too_long)
        .json(&json!({ "query": "{ noSuchField }" }))
        .send()
        .await
        .expect("sent");
    let generated = request_id(&replaced).expect("a request id");
    assert_eq!(generated.len(), 36, "uuid expected, got {generated:?}");
    let body: Value = replaced.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["requestId"], generated.as_str());

    let non_ascii = reqwest::header::HeaderValue::from_bytes(b"caf\xc3\xa9").expect("header value");
    let replaced = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("X-Request-Id", non_ascii)
        .send()
        .await
        .expect("sent");
    assert_eq!(request_id(&replaced).map(|id| id.len()), Some(36));
}

/// The `casegraph` binary serving on a free port; killed when dropped.
struct RunningBinary {
    child: Child,
    address: String,
    log: std::path::PathBuf,
}

impl RunningBinary {
    /// Starts `casegraph serve` with JSON logs (tower-http's per-request lines included)
    /// and waits until it is ready.
    async fn start(database: &TestDatabase) -> Self {
        // The CLI has no port 0: take a free port from the OS and hand it over.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let log = database.file("server.log");
        let child = Command::new(env!("CARGO_BIN_EXE_casegraph"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &database.url)
            .env("CASEGRAPH_LOG_FORMAT", "json")
            .env("CASEGRAPH_LOG", "info,tower_http=debug")
            .env_remove("CASEGRAPH_METRICS_BIND")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .current_dir(database.folder.path())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("casegraph starts");
        let mut running = Self { child, address: format!("http://127.0.0.1:{port}"), log };
        running.wait_until_ready().await;
        running
    }

    async fn wait_until_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(response) = client.get(format!("{}/readyz", self.address)).send().await
                && response.status() == 200
            {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("child status") {
                panic!("casegraph exited with {status}:\n{}", self.log_text());
            }
            assert!(Instant::now() < deadline, "casegraph not ready in time:\n{}", self.log_text());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the server and returns its JSON log lines.
    fn stop(mut self) -> Vec<Value> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let file = std::fs::File::open(&self.log).expect("log file");
        std::io::BufReader::new(file)
            .lines()
            .map(|line| line.expect("log line"))
            .filter(|line| !line.trim().is_empty())
            .map(|line| serde_json::from_str(&line).unwrap_or_else(|error| panic!("{error}: {line}")))
            .collect()
    }
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `line` was written inside the span of request `id`.
fn logged_under(line: &Value, id: &str) -> bool {
    line["span"]["request_id"] == id
        || line["spans"].as_array().is_some_and(|spans| spans.iter().any(|span| span["request_id"] == id))
}

#[tokio::test]
async fn the_request_id_reaches_the_response_header_error_extensions_and_json_log_lines() {
    let database = TestDatabase::new().await;
    let server = RunningBinary::start(&database).await;
    let client = reqwest::Client::new();

    let response = client
        .post(format!("{}/graphql", server.address))
        .header("X-Request-Id", "abc-123")
        .json(&json!({ "query": "{ noSuchField }" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.headers().get("x-request-id").and_then(|value| value.to_str().ok()), Some("abc-123"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["requestId"], "abc-123");

    // An internal error: its log line (src/error.rs) must name the request too.
    let connection = Database::connect(database.url.as_str()).await.expect("second connection");
    connection.execute_unprepared("DROP TABLE case_tag").await.expect("drop a table on purpose");
    connection.close().await.expect("close");
    let broken = client
        .post(format!("{}/graphql", server.address))
        .header("X-Request-Id", "abc-500")
        .json(&json!({ "query": "{ cases(first: 3) { nodes { slug tags } } }" }))
        .send()
        .await
        .expect("sent");
    let body: Value = broken.json().await.expect("json");
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");

    let lines = server.stop();
    let all = || lines.iter().map(Value::to_string).collect::<Vec<_>>().join("\n");
    assert!(lines.iter().any(|line| logged_under(line, "abc-123")), "no log line of abc-123:\n{}", all());
    assert!(
        lines.iter().any(|line| logged_under(line, "abc-500")
            && line["level"] == "ERROR"
            && line["message"].as_str().is_some_and(|message| message.contains("internal error"))),
        "no internal-error line of abc-500:\n{}",
        all()
    );
}
