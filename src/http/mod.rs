//! The HTTP edge: router, GraphQL endpoint, health checks, request ids, metrics.

pub mod client_ip;
mod dashboard;
mod graphql;
mod health;
pub mod metrics;
mod request_id;
mod subscriptions;
pub mod trusted;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::error::{Error, Result};
use crate::graphql::Schemas;
use crate::protection::gate::Gate;
use crate::store::Store;
use crate::telemetry::metrics::Metrics;

pub use graphql::{CachePolicy, PersistedQueries};
pub use request_id::MAX_REQUEST_ID_LENGTH;

/// Smallest body compressed: below it, the compression frame costs more than it saves.
pub const COMPRESS_FROM_BYTES: u16 = 1024;

/// Header carrying the request id (taken from the client when present and sensible).
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The schema, validating in full or (for operations seen valid) fast.
    pub schemas: Schemas,
    /// Keys, limits and budgets.
    pub gate: Gate,
    /// Origins browsers may call from (CORS); none by default.
    pub cors_origins: Vec<String>,
    /// Parsed GraphQL documents by text.
    pub documents: graphql::Documents,
    /// Open WebSocket connections per caller.
    pub subscribers: subscriptions::Connections,
    /// Turns true when the server shuts down (open WebSockets close then).
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// How long shared caches may keep anonymous GET answers.
    pub cache: graphql::CachePolicy,
    /// Automatic persisted queries by hash.
    pub persisted: graphql::PersistedQueries,
    /// The proxies whose forwarding headers name the client.
    pub trusted_proxies: client_ip::TrustedProxies,
}

/// The whole router: `/graphql`, `/healthz`, `/readyz`, and `/metrics` when `metrics` is
/// given (it is not when metrics have an address of their own).
pub fn router(state: AppState, metrics: Option<Metrics>) -> Result<Router> {
    let cors = cors(&state.cors_origins)?;
    let mut routes = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(subscriptions::upgrade))
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard/dashboard.js", get(dashboard::script))
        .route("/dashboard/dashboard.css", get(dashboard::stylesheet))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    if let Some(metrics) = metrics {
        routes = routes.route("/metrics", get(metrics::render).with_state(metrics));
    }
    // Outermost last: unreasonable client ids are dropped, ids set, requests counted, the
    // request span opened with the id, and the id copied to the response.
    Ok(routes
        .with_state(state)
        // Innermost: bodies of 1 KiB or more are compressed as the client accepts (gzip,
        // Brotli, zstd), with `Vary: Accept-Encoding`.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_FROM_BYTES))),
        )
        .layer(middleware::from_fn(graphql::encode_etag))
        .layer(cors)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(TraceLayer::new_for_http().make_span_with(request_id::request_span))
        .layer(middleware::from_fn(metrics::track))
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
        .layer(middleware::map_request(request_id::drop_unreasonable_id)))
}

/// CORS for the listed origins only (exact matches); no origin is allowed by default, so
/// browsers on other sites cannot read responses.
fn cors(origins: &[String]) -> Result<CorsLayer> {
    let origins = origins
        .iter()
        .map(|origin| {
            HeaderValue::from_str(origin.trim_end_matches('/'))
                .map_err(|_| Error::BadUserInput(format!("--cors-origin `{origin}` is not a valid origin")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            REQUEST_ID_HEADER,
        ])
        .expose_headers([
            REQUEST_ID_HEADER,
            HeaderName::from_static("ratelimit-limit"),
            HeaderName::from_static("ratelimit-remaining"),
            HeaderName::from_static("ratelimit-reset"),
            header::RETRY_AFTER,
        ])
        .max_age(std::time::Duration::from_secs(600)))
}
