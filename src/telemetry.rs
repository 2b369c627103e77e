//! Telemetry: logs (`tracing` with an env-filter, pretty or JSON lines), optional
//! OpenTelemetry trace export (cargo feature `otel`) and Prometheus [`metrics`].
//!
//! Every HTTP request runs in a `request` span carrying its request id (see
//! `http::request_id`), so each log line written while serving it names the request.

pub mod metrics;
#[cfg(feature = "otel")]
mod otel;

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

use crate::config::{Config, LogFormat};

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let lines = match config.log_format {
        LogFormat::Pretty => {
            fmt::layer().with_ansi(std::io::stderr().is_terminal()).with_writer(std::io::stderr).boxed()
        }
        // `span` is the innermost span's fields (the request id), `spans` the whole chain.
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    let (traces, problem) = trace_export(config);
    let installed = tracing_subscriber::registry().with(filter).with(lines).with(traces).try_init().is_ok();
    if let (true, Some(problem)) = (installed, problem) {
        tracing::warn!("{problem}");
    }
}

/// Sends the spans still buffered for export (the `otel` feature); a no-op otherwise.
pub fn shutdown() {
    #[cfg(feature = "otel")]
    otel::shutdown();
}

/// The OTLP export layer when it is configured and built in, and what to warn about
/// once logging works.
#[cfg(feature = "otel")]
fn trace_export<S>(config: &Config) -> (Option<otel::Layer<S>>, Option<String>)
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    match config.otlp_endpoint.as_deref().filter(|endpoint| !endpoint.is_empty()) {
        None => (None, None),
        Some(endpoint) => match otel::layer(endpoint) {
            Ok(layer) => (Some(layer), None),
            Err(problem) => (None, Some(format!("OpenTelemetry export disabled: {problem}"))),
        },
    }
}

/// Without the `otel` feature there is no export layer; an endpoint is only warned about.
#[cfg(not(feature = "otel"))]
fn trace_export(config: &Config) -> (Option<tracing_subscriber::layer::Identity>, Option<String>) {
    let problem = config.otlp_endpoint.as_deref().filter(|endpoint| !endpoint.is_empty()).map(|_| {
        "an OTLP endpoint is configured but this binary was built without the `otel` feature; \
         no traces are exported (rebuild with `--features otel`)"
            .to_owned()
    });
    (None, problem)
}
