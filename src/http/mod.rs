//! The HTTP edge: router, GraphQL endpoint, health checks, request ids, metrics.

mod dashboard;
mod graphql;
mod health;
pub mod metrics;
mod request_id;

use axum::Router;
use axum::http::HeaderName;
use axum::middleware;
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::graphql::CasegraphSchema;
use crate::store::Store;
use crate::telemetry::metrics::Metrics;

pub use request_id::MAX_REQUEST_ID_LENGTH;

/// Header carrying the request id (taken from the client when present and sensible).
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub schema: CasegraphSchema,
}

/// The whole router: `/graphql`, `/healthz`, `/readyz`, and `/metrics` when `metrics` is
/// given (it is not when metrics have an address of their own).
pub fn router(state: AppState, metrics: Option<Metrics>) -> Router {
    let mut routes = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
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
    routes
        .with_state(state)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(TraceLayer::new_for_http().make_span_with(request_id::request_span))
        .layer(middleware::from_fn(metrics::track))
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
        .layer(middleware::map_request(request_id::drop_unreasonable_id))
}
