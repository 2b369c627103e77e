//! Test harness: isolated databases, an app on port 0, GraphQL over HTTP, the CLI binary.

#![allow(dead_code)]

use std::path::Path;
use std::process::Output;

use casegraph::config::{Config, ServeArgs};
use casegraph::{App, Error};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// One isolated database: a SQLite file in a temporary folder, or (when
/// `TEST_DATABASE_URL` names a PostgreSQL database) a schema of its own in that database.
pub struct TestDatabase {
    pub url: String,
    pub folder: TempDir,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        let url = match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => {
                let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(base.as_str()).await.expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("create test schema");
                admin.close().await.expect("close admin connection");
                let separator = if base.contains('?') { '&' } else { '?' };
                format!("{base}{separator}options[search_path]={schema}")
            }
            _ => format!("sqlite://{}?mode=rwc", folder.path().join("casegraph.db").display()),
        };
        Self { url, folder }
    }

    pub fn config(&self) -> Config {
        let mut config = Config::for_database(self.url.clone());
        config.database_connections = Some(4);
        config
    }

    /// Another handle on the same database (for a second app instance); the database
    /// lives as long as this handle's original.
    pub fn share(&self) -> Self {
        Self { url: self.url.clone(), folder: tempfile::tempdir().expect("temporary folder") }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    /// A path in this test's temporary folder.
    pub fn file(&self, name: &str) -> std::path::PathBuf {
        self.folder.path().join(name)
    }
}

/// A running Casegraph on a free port with its own database.
pub struct TestApp {
    pub address: String,
    /// `http://…` of the separate metrics listener, when the app was started with one.
    pub metrics_address: Option<String>,
    /// The app's store: for statement counts and direct checks.
    pub store: casegraph::store::Store,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<Result<(), Error>>>,
}

/// Serve options of most test apps: every default, except that anonymous callers (the
/// tests) get a budget they cannot spend and a cost ceiling they do not reach, so tests of
/// other things may send anything. What users meet is tested apart, on apps started with
/// exactly the production defaults ([`TestApp::spawn_as_shipped`]): the example operations,
/// the dashboard in a browser, and one journey per kind of user (tests/api/journeys.rs).
pub fn serve_args(samples: bool) -> ServeArgs {
    let mut serve = ServeArgs {
        bind: "127.0.0.1:0".parse().expect("address"),
        no_samples: !samples,
        ..ServeArgs::default()
    };
    serve.protection.anonymous_budget = 1e12;
    serve.protection.anonymous_refill = 1e12;
    serve.protection.max_cost = 1_000_000;
    serve
}

impl TestApp {
    /// An app on an empty database (reference data only, no samples).
    pub async fn spawn() -> Self {
        Self::spawn_on(TestDatabase::new().await, false).await
    }

    /// An app started exactly as `casegraph serve` starts with no option: the sample set,
    /// the engine's pool size, the anonymous and key budgets, every limit (only the port is
    /// free). Use it for what a visitor, a partner or the dashboard meets.
    pub async fn spawn_as_shipped() -> Self {
        let database = TestDatabase::new().await;
        let config = Config::for_database(database.url.clone());
        let serve = ServeArgs { bind: "127.0.0.1:0".parse().expect("address"), ..ServeArgs::default() };
        Self::spawn_configured(database, &config, &serve).await
    }

    /// An app whose empty database gets the synthetic sample set, as `cargo run` does.
    pub async fn spawn_with_samples() -> Self {
        Self::spawn_on(TestDatabase::new().await, true).await
    }

    pub async fn spawn_on(database: TestDatabase, samples: bool) -> Self {
        Self::spawn_serving(database, &serve_args(samples)).await
    }

    /// An app started with `serve` (bind it to port 0).
    pub async fn spawn_serving(database: TestDatabase, serve: &ServeArgs) -> Self {
        let config = database.config();
        Self::spawn_configured(database, &config, serve).await
    }

    /// An app started with `config` (for `database`) and `serve` (bind it to port 0).
    pub async fn spawn_configured(database: TestDatabase, config: &Config, serve: &ServeArgs) -> Self {
        let app = App::build(config, serve).await.expect("app builds");
        let address = format!("http://{}", app.local_addr().expect("bound address"));
        let metrics_address =
            app.metrics_addr().expect("metrics address").map(|address| format!("http://{address}"));
        let store = app.store().clone();
        let (shutdown, signal) = oneshot::channel::<()>();
        let server = tokio::spawn(app.serve_until(async {
            let _ = signal.await;
        }));
        Self {
            address,
            metrics_address,
            store,
            client: reqwest::Client::new(),
            database,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// POSTs a GraphQL document and returns the JSON body.
    pub async fn graphql(&self, query: &str) -> Value {
        self.graphql_with(query, json!({}), &[]).await
    }

    /// POSTs a GraphQL document with variables and extra headers.
    pub async fn graphql_with(&self, query: &str, variables: Value, headers: &[(&str, &str)]) -> Value {
        self.exchange(query, variables, headers).await.2
    }

    /// POSTs a GraphQL document with variables and extra headers; returns the status, the
    /// headers and the JSON body.
    pub async fn exchange(
        &self,
        query: &str,
        variables: Value,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.json().await.expect("JSON body"))
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    /// Gives the server its shutdown signal (as SIGTERM does) without waiting.
    pub fn signal_stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }

    /// Waits up to `limit` for the server to end after [`Self::signal_stop`]; whether it did.
    pub async fn ended_within(&mut self, limit: std::time::Duration) -> bool {
        match self.server.take() {
            Some(server) => matches!(tokio::time::timeout(limit, server).await, Ok(Ok(Ok(())))),
            None => true,
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) -> TestDatabase {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server stops cleanly");
        }
        let database = TestDatabase {
            url: self.database.url.clone(),
            folder: tempfile::tempdir().expect("temporary folder"),
        };
        std::mem::replace(&mut self.database, database)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Runs the `casegraph` binary on `database` with `args`.
pub fn casegraph(database: &TestDatabase, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_casegraph"))
        .args(args)
        .env("DATABASE_URL", &database.url)
        .env("CASEGRAPH_LOG", "warn")
        .current_dir(database.folder.path())
        .output()
        .expect("casegraph runs")
}

/// Like [`casegraph`], failing the test unless the command succeeds; returns its stdout.
pub fn casegraph_ok(database: &TestDatabase, args: &[&str]) -> String {
    let output = casegraph(database, args);
    assert!(
        output.status.success(),
        "casegraph {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The reference data shipped in the repository.
pub fn reference() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("reference.json")).expect("reference JSON")
}

/// `body.errors[0].extensions.code`, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}
