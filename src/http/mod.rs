//! The HTTP edge: router, GraphQL endpoint, health checks, request ids.

mod graphql;
mod health;

use axum::Router;
use axum::http::HeaderName;
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::graphql::CasegraphSchema;
use crate::store::Store;

/// Header carrying the request id (taken from the client when present).
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub schema: CasegraphSchema,
}

/// The whole router: `/graphql`, `/healthz`, `/readyz`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
}
