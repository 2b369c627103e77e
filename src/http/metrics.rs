//! `/metrics` (Prometheus text format) and the per-request HTTP metrics.

use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::telemetry::metrics::{self, Metrics};

/// Content type of the Prometheus text exposition format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// GET `/metrics`: every metric, rendered now.
pub async fn render(State(metrics): State<Metrics>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, PROMETHEUS_TEXT)], metrics.render())
}

/// A router serving `/metrics` only, for the `--metrics-bind` address.
pub fn router(metrics: Metrics) -> Router {
    Router::new().route("/metrics", get(render)).with_state(metrics)
}

/// Middleware counting and timing every request by method and status.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    metrics::record_http_request(method.as_str(), response.status().as_u16(), started.elapsed());
    response
}
