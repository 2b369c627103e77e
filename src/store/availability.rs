//! Whether the database answers, as this process last saw it. When a request finds it
//! unreachable, later requests are refused at once (`UNAVAILABLE`, HTTP 503) instead of each
//! waiting for a connection, and a probe asks the database every half second until it
//! answers again; then requests run again, without a restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::telemetry::metrics;

/// How often the probe asks a database that stopped answering.
const PROBE_PERIOD: Duration = Duration::from_millis(500);
/// Longest one probe waits for an answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// The database's reachability, shared by the clones of one store.
#[derive(Debug)]
pub struct Availability {
    reachable: AtomicBool,
}

impl Default for Availability {
    fn default() -> Self {
        Self { reachable: AtomicBool::new(true) }
    }
}

impl Availability {
    /// Whether the database answered the last request (or probe).
    pub fn is_reachable(&self) -> bool {
        self.reachable.load(Ordering::Acquire)
    }

    /// The database did not answer: refuse requests until the probe, started here once per
    /// outage, finds it back.
    pub fn lost(self: &Arc<Self>, pool: &DatabaseConnection) {
        if !self.reachable.swap(false, Ordering::AcqRel) {
            return;
        }
        tracing::warn!("the database does not answer: requests are refused with UNAVAILABLE until it does");
        metrics::record_database_available(false);
        let availability = Arc::clone(self);
        let pool = pool.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE_PERIOD).await;
                if let Ok(Ok(())) = tokio::time::timeout(PROBE_TIMEOUT, pool.ping()).await {
                    availability.reachable.store(true, Ordering::Release);
                    metrics::record_database_available(true);
                    tracing::info!("the database answers again: requests run again");
                    return;
                }
            }
        });
    }
}
