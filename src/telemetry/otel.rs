//! OpenTelemetry trace export over OTLP/HTTP (protobuf), built with the `otel` feature.
//!
//! Spans (the per-request `request` span and everything under it) go to the collector in
//! batches from the SDK's own thread; [`shutdown`] sends what is still buffered.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetryLayer;

/// The `tracing` layer that turns spans into OpenTelemetry spans.
pub type Layer<S> = OpenTelemetryLayer<S, SdkTracer>;

/// Path of the trace signal under an OTLP/HTTP base endpoint (the OTLP specification).
const TRACES_PATH: &str = "/v1/traces";

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// A layer exporting to the collector at `endpoint` (a base URL such as
/// `http://127.0.0.1:4318`, as `OTEL_EXPORTER_OTLP_ENDPOINT` is defined).
pub fn layer<S>(endpoint: &str) -> Result<Layer<S>, String>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    let exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint(traces_url(endpoint))
        .build()
        .map_err(|error| format!("cannot build the OTLP exporter for {endpoint}: {error}"))?;
    let resource = Resource::builder_empty()
        .with_service_name(env!("CARGO_PKG_NAME"))
        .with_attribute(opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
    let tracer = provider.tracer(env!("CARGO_PKG_NAME"));
    if PROVIDER.set(provider).is_err() {
        return Err("an OpenTelemetry tracer provider is already installed".to_owned());
    }
    Ok(tracing_opentelemetry::layer().with_tracer(tracer))
}

/// Flushes and stops the exporter, if one was installed.
pub fn shutdown() {
    if let Some(provider) = PROVIDER.get()
        && let Err(error) = provider.shutdown()
    {
        tracing::warn!(%error, "OpenTelemetry export did not shut down cleanly");
    }
}

/// `endpoint` with the trace path appended (unless it is already there).
fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if base.ends_with(TRACES_PATH) { base.to_owned() } else { format!("{base}{TRACES_PATH}") }
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn the_trace_path_is_appended_to_a_base_endpoint_once() {
        assert_eq!(traces_url("http://collector:4318"), "http://collector:4318/v1/traces");
        assert_eq!(traces_url("http://collector:4318/"), "http://collector:4318/v1/traces");
        assert_eq!(traces_url("http://collector:4318/v1/traces"), "http://collector:4318/v1/traces");
    }
}
