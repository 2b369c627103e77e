//! Prometheus metrics: the process-wide recorder, every metric's name, unit and
//! description, and one function per thing Casegraph measures, so names and labels are
//! decided here and nowhere else.
//!
//! Label values never carry unbounded caller text: HTTP methods outside the standard set
//! become `OTHER`, GraphQL operation names that are not plain GraphQL names (or are
//! longer than [`MAX_OPERATION_NAME_LENGTH`]) become `invalid`, and there is no path label.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Duration;

use ::metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// Counter: HTTP requests answered, by `method` and `status`.
pub const HTTP_REQUESTS: &str = "http_requests_total";
/// Histogram: time to answer an HTTP request (to the response head), by `method` and `status`.
pub const HTTP_REQUEST_DURATION: &str = "http_request_duration_seconds";
/// Counter: GraphQL operations executed, by `operation_name` and `outcome` (`ok` | `error`).
pub const GRAPHQL_OPERATIONS: &str = "graphql_operations_total";
/// Counter: GraphQL operations validated, by `mode`: `full` (every rule) or `remembered`
/// (passed every rule before; only its variables were checked).
pub const GRAPHQL_VALIDATIONS: &str = "graphql_validations_total";
/// Counter: SQL statements run, counted at the connection.
pub const DB_STATEMENTS: &str = "db_statements_total";
/// Histogram: time one SQL statement took.
pub const DB_STATEMENT_DURATION: &str = "db_statement_duration_seconds";
/// Counter: change events committed (its rate is events per second).
pub const CHANGE_EVENTS: &str = "change_events_total";
/// Counter: change events handed to subscription streams of this process.
pub const SUBSCRIPTION_EVENTS: &str = "subscription_events_total";
/// Gauge: WebSocket connections open at `/graphql/ws`.
pub const SUBSCRIBERS: &str = "graphql_ws_connections";
/// Counter: webhook delivery attempts, by outcome.
pub const WEBHOOK_ATTEMPTS: &str = "webhook_delivery_attempts_total";
/// Gauge: webhook deliveries waiting to be sent.
pub const WEBHOOK_QUEUE: &str = "webhook_queue_depth";
/// Gauge: age of the oldest webhook delivery waiting, in seconds.
pub const WEBHOOK_OLDEST: &str = "webhook_oldest_pending_seconds";
/// Counter: requests refused by the rate limiter.
pub const RATE_LIMIT_REJECTIONS: &str = "rate_limit_rejections_total";
/// Gauge: 1 while budgets are shared through Redis, 0 while this replica keeps them in memory.
pub const BUDGETS_SHARED: &str = "rate_limit_budgets_shared";
/// Counter: times Redis stopped answering and budgets fell back to this replica's memory.
pub const BUDGET_FALLBACKS: &str = "rate_limit_budget_fallbacks_total";
/// Gauge: connections of the request pool, by `state` (`in_use`, `idle`).
pub const DB_POOL_CONNECTIONS: &str = "db_pool_connections";
/// Gauge: 1 while the database answers, 0 while requests are refused with `UNAVAILABLE`.
pub const DATABASE_AVAILABLE: &str = "database_available";

/// Longest GraphQL operation name used as a label; longer names count as `invalid`.
pub const MAX_OPERATION_NAME_LENGTH: usize = 64;

/// Request latencies: 0.5 ms to 10 s.
const HTTP_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Statement latencies: 0.1 ms (an indexed SQLite read) to 10 s.
const DB_BUCKETS: &[f64] =
    &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// How often buffered histogram samples are folded into their buckets between scrapes.
pub const UPKEEP_PERIOD: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// A handle on the process-wide recorder that renders the Prometheus text format; cheap to
/// clone. The global recorder can be installed once per process, so every `App` in a
/// process (tests start many) shares it and its counts.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// The process-wide recorder, installed (and every metric described) on first use.
    pub fn install() -> Self {
        Self { handle: HANDLE.get_or_init(install_recorder).clone() }
    }

    /// Every metric in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Folds histogram samples into buckets every [`UPKEEP_PERIOD`] so memory stays bounded
    /// when nobody scrapes; runs until dropped.
    pub async fn keep_tidy(self) {
        let mut interval = tokio::time::interval(UPKEEP_PERIOD);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            self.handle.run_upkeep();
        }
    }
}

fn install_recorder() -> PrometheusHandle {
    match builder().and_then(PrometheusBuilder::install_recorder) {
        Ok(handle) => {
            describe();
            handle
        }
        Err(error) => {
            // Another recorder owns the process (an embedding program): render an empty set
            // rather than fail to start.
            tracing::warn!(%error, "cannot install the metrics recorder; /metrics will be empty");
            PrometheusBuilder::new().build_recorder().handle()
        }
    }
}

fn builder() -> Result<PrometheusBuilder, BuildError> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_REQUEST_DURATION.to_owned()), HTTP_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(DB_STATEMENT_DURATION.to_owned()), DB_BUCKETS)
}

fn describe() {
    describe_counter!(HTTP_REQUESTS, Unit::Count, "HTTP requests answered, by method and status.");
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request (until the response head), by method and status."
    );
    describe_counter!(
        GRAPHQL_OPERATIONS,
        Unit::Count,
        "GraphQL operations executed, by operation name (anonymous or invalid when unnamed or \
         not a plain name) and outcome (ok, or error when the response has errors)."
    );
    describe_counter!(
        GRAPHQL_VALIDATIONS,
        Unit::Count,
        "GraphQL operations validated, by mode: full (every rule) or remembered (the operation \
         passed every rule before; only its variables were checked)."
    );
    describe_counter!(DB_STATEMENTS, Unit::Count, "SQL statements run, counted at the connection.");
    describe_histogram!(DB_STATEMENT_DURATION, Unit::Seconds, "Time one SQL statement took.");
    describe_counter!(RATE_LIMIT_REJECTIONS, Unit::Count, "Requests refused by the rate limiter.");
    describe_counter!(
        CHANGE_EVENTS,
        Unit::Count,
        "Change events committed (by any writer through this process)."
    );
    describe_counter!(SUBSCRIPTION_EVENTS, Unit::Count, "Change events handed to subscription streams here.");
    describe_gauge!(SUBSCRIBERS, Unit::Count, "WebSocket connections open at /graphql/ws.");
    // Unlabelled counters are exported from the start, at zero.
    counter!(CHANGE_EVENTS).increment(0);
    counter!(SUBSCRIPTION_EVENTS).increment(0);
    gauge!(SUBSCRIBERS).set(0.0);
    describe_counter!(
        WEBHOOK_ATTEMPTS,
        Unit::Count,
        "Webhook delivery attempts, by outcome: delivered, retry (failed, tried again later) or failed (given up)."
    );
    describe_gauge!(WEBHOOK_QUEUE, Unit::Count, "Webhook deliveries waiting to be sent (all replicas).");
    describe_gauge!(WEBHOOK_OLDEST, Unit::Seconds, "Age of the oldest webhook delivery waiting.");
    gauge!(WEBHOOK_QUEUE).set(0.0);
    gauge!(WEBHOOK_OLDEST).set(0.0);
    counter!(DB_STATEMENTS).increment(0);
    counter!(RATE_LIMIT_REJECTIONS).increment(0);
    describe_gauge!(
        BUDGETS_SHARED,
        Unit::Count,
        "1 while budgets are shared through Redis, 0 while this replica keeps them in memory."
    );
    describe_counter!(
        BUDGET_FALLBACKS,
        Unit::Count,
        "Times Redis stopped answering and budgets fell back to this replica's memory."
    );
    counter!(BUDGET_FALLBACKS).increment(0);
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        Unit::Count,
        "Connections of the request pool, by state (in_use, idle)."
    );
    describe_gauge!(
        DATABASE_AVAILABLE,
        Unit::Count,
        "1 while the database answers, 0 while requests are refused with UNAVAILABLE."
    );
    gauge!(DATABASE_AVAILABLE).set(1.0);
}

/// The request pool holds `open` connections, `idle` of them unused.
pub fn record_pool_usage(open: u32, idle: usize) {
    let idle = idle as f64;
    gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(idle);
    gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set((f64::from(open) - idle).max(0.0));
}

/// Budgets are shared through Redis (`true`) or kept in this replica's memory.
pub fn record_budgets_shared(shared: bool) {
    gauge!(BUDGETS_SHARED).set(if shared { 1.0 } else { 0.0 });
    if !shared {
        counter!(BUDGET_FALLBACKS).increment(1);
    }
}

/// The database answers (`true`) or requests are refused with `UNAVAILABLE`.
pub fn record_database_available(available: bool) {
    gauge!(DATABASE_AVAILABLE).set(if available { 1.0 } else { 0.0 });
}

/// One HTTP request answered with `status` after `elapsed`.
pub fn record_http_request(method: &str, status: u16, elapsed: Duration) {
    let method = method_label(method);
    let status = status.to_string();
    counter!(HTTP_REQUESTS, "method" => method, "status" => status.clone()).increment(1);
    histogram!(HTTP_REQUEST_DURATION, "method" => method, "status" => status).record(elapsed.as_secs_f64());
}

/// One GraphQL operation executed; `ok` when its response has no errors.
pub fn record_graphql_operation(operation_name: Option<&str>, ok: bool) {
    let outcome = if ok { "ok" } else { "error" };
    counter!(GRAPHQL_OPERATIONS, "operation_name" => operation_label(operation_name), "outcome" => outcome)
        .increment(1);
}

/// One GraphQL operation validated in full, or run as remembered valid.
pub fn record_graphql_validation(remembered: bool) {
    counter!(GRAPHQL_VALIDATIONS, "mode" => if remembered { "remembered" } else { "full" }).increment(1);
}

/// One SQL statement run in `elapsed`.
pub fn record_statement(elapsed: Duration) {
    counter!(DB_STATEMENTS).increment(1);
    histogram!(DB_STATEMENT_DURATION).record(elapsed.as_secs_f64());
}

/// `count` change events committed.
pub fn record_change_events(count: usize) {
    counter!(CHANGE_EVENTS).increment(count as u64);
}

/// One change event handed to the subscription streams of this process.
pub fn record_subscription_event() {
    counter!(SUBSCRIPTION_EVENTS).increment(1);
}

/// A WebSocket connection opened (`+1`) or closed (`-1`).
pub fn record_subscriber(change: f64) {
    gauge!(SUBSCRIBERS).increment(change);
}

/// One webhook delivery attempt, by `outcome` (`delivered`, `retry`, `failed`).
pub fn record_webhook_attempt(outcome: &'static str) {
    counter!(WEBHOOK_ATTEMPTS, "outcome" => outcome).increment(1);
}

/// The webhook backlog: deliveries waiting, and the oldest one's age in seconds.
pub fn record_webhook_backlog(pending: u64, oldest_seconds: f64) {
    gauge!(WEBHOOK_QUEUE).set(pending as f64);
    gauge!(WEBHOOK_OLDEST).set(oldest_seconds);
}

/// One request refused by the rate limiter.
pub fn record_rate_limit_rejection() {
    counter!(RATE_LIMIT_REJECTIONS).increment(1);
}

/// The standard methods as themselves, anything else as `OTHER`.
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "OTHER",
    }
}

/// `anonymous` without a name; the name when it is a GraphQL name (`[A-Za-z_][A-Za-z0-9_]*`)
/// of at most [`MAX_OPERATION_NAME_LENGTH`] characters; `invalid` otherwise.
fn operation_label(operation_name: Option<&str>) -> Cow<'static, str> {
    let Some(name) = operation_name else {
        return Cow::Borrowed("anonymous");
    };
    let mut characters = name.chars();
    let starts_well = characters.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_');
    let continues_well = characters.all(|next| next.is_ascii_alphanumeric() || next == '_');
    if starts_well && continues_well && name.len() <= MAX_OPERATION_NAME_LENGTH {
        Cow::Owned(name.to_owned())
    } else {
        Cow::Borrowed("invalid")
    }
}

#[cfg(test)]
mod tests {
    use super::{method_label, operation_label};

    #[test]
    fn operation_names_become_bounded_labels() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("CaseBySlug")), "CaseBySlug");
        assert_eq!(operation_label(Some("_private2")), "_private2");
        assert_eq!(operation_label(Some("")), "invalid");
        assert_eq!(operation_label(Some("2fast")), "invalid");
        assert_eq!(operation_label(Some("drop table; --")), "invalid");
        assert_eq!(operation_label(Some("Café")), "invalid");
        assert_eq!(operation_label(Some(&"A".repeat(64))), "A".repeat(64));
        assert_eq!(operation_label(Some(&"A".repeat(65))), "invalid");
    }

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label("POST"), "POST");
        assert_eq!(method_label("BREW"), "OTHER");
    }
}
