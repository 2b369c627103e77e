//! `casegraph-baseline`: the practical speed limit the GraphQL server is measured against.
//!
//! **For benchmarks only.** A minimal, hand-written axum + SQL server that answers exactly two
//! fixed GraphQL operations of the benchmark suite (`bench/run.sh`), `CaseBySlug` and
//! `CasePage`, with the byte-identical JSON body the real Casegraph server returns for them
//! from the same database (`bench/baseline/compare.sh` checks that). It parses no GraphQL,
//! checks no key, keeps no budget and caches nothing between requests: it picks the operation
//! by `operationName`, runs a few batched SQL statements on one pooled connection and
//! serialises the answer with serde_json. Whatever the GraphQL server spends beyond this is
//! the price of its generality (parsing, validation, cost analysis, rate limiting, resolvers,
//! DataLoaders).
//!
//! What it reproduces of the real server, for a caller with a read key and no
//! `Accept-Language`: only published cases are visible; the page is the first 20 published
//! cases by `published_at` DESC (NULLs last), then `id` DESC; texts fall back to `en`, then to
//! the locale that sorts first; organisations come in their stored position, countries by
//! code; `extensions.cost` is computed as the real server computes it for the bench key
//! (budget and refill of 10¹² points).

mod cases;
mod db;
mod response;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Parser;
use serde::Deserialize;

use crate::db::Db;

/// Any failure while answering or starting.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The `Content-Type` of every answer, as the real server sends it.
const JSON: &str = "application/json; charset=utf-8";

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "casegraph-baseline",
    about = "Benchmark baseline: answers the CaseBySlug and CasePage operations with plain SQL"
)]
struct Cli {
    /// Database: `sqlite://FILE?mode=ro` or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,

    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    bind: SocketAddr,

    /// Most database connections in the pool [default: the GraphQL server's, 4 on SQLite and
    /// 16 on PostgreSQL].
    #[arg(long, env = "CASEGRAPH_DATABASE_CONNECTIONS")]
    database_connections: Option<u32>,
}

/// The parts of a GraphQL-over-HTTP request body this server reads (`query` is ignored).
#[derive(Debug, Deserialize)]
struct GraphqlRequest {
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<Variables>,
}

/// The variables of `CaseBySlug`.
#[derive(Debug, Deserialize)]
struct Variables {
    slug: Option<String>,
}

/// The server's allocator (see the server's `main.rs`): mimalloc, for Rust and SQLite alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("casegraph-baseline: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let connections = cli
        .database_connections
        .unwrap_or(if cli.database_url.starts_with("sqlite") { 4 } else { 16 })
        .max(1);
    let db = Db::connect(&cli.database_url, connections).await?;
    let app = Router::new()
        .route("/graphql", post(graphql))
        .route("/readyz", get(|| async { "ready" }))
        .with_state(Arc::new(db));
    let listener = tokio::net::TcpListener::bind(cli.bind).await?;
    eprintln!("casegraph-baseline listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// `POST /graphql`: dispatches on `operationName`; anything but the two operations is a 400.
async fn graphql(State(db): State<Arc<Db>>, body: Bytes) -> Response {
    let request: GraphqlRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return refuse(&format!("the body is not a GraphQL request: {error}")),
    };
    let answer = match request.operation_name.as_deref() {
        Some("CaseBySlug") => {
            let Some(slug) = request.variables.and_then(|variables| variables.slug) else {
                return refuse("CaseBySlug needs the string variable `slug`");
            };
            answer_case(&db, &slug).await
        }
        Some("CasePage") => answer_page(&db).await,
        _ => return refuse("this baseline answers the operations CaseBySlug and CasePage only"),
    };
    match answer {
        Ok(json) => ([(header::CONTENT_TYPE, HeaderValue::from_static(JSON))], json).into_response(),
        Err(error) => {
            eprintln!("casegraph-baseline: {error}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

async fn answer_case(db: &Db, slug: &str) -> Result<Vec<u8>, Error> {
    let case = cases::case_by_slug(db, slug).await?;
    response::case_body(case.as_ref())
}

async fn answer_page(db: &Db) -> Result<Vec<u8>, Error> {
    let page = cases::first_page(db).await?;
    response::page_body(&page)
}

fn refuse(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("{message}\n")).into_response()
}
