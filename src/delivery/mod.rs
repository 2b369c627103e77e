//! Webhook delivery: sends the outbox's deliveries (written with each change, see
//! `store::webhooks`), signed per Standard Webhooks, at least once.
//!
//! Every process runs one dispatcher. It claims due deliveries with a lease (on
//! PostgreSQL `FOR UPDATE SKIP LOCKED`, so replicas never send one delivery at the same
//! time), posts each to its endpoint (10 s at most, redirects not followed, the address
//! checked after resolution: see [`target`]), and records the attempt: a 2xx answer
//! delivers it; anything else is retried after the next wait of the schedule (the Standard
//! Webhooks one by default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, about a day in all,
//! each ±20 %), then given up. An endpoint failing for [`DISABLE_AFTER`] is disabled. A
//! delivery taken by a process that died is taken again when its lease ends.

pub mod signing;
pub mod target;

use std::sync::Arc;
use std::time::{Duration, Instant};

use entity::{webhook, webhook_delivery};
use rand::Rng;
use tokio::sync::watch;

use entity::enums::SubjectType;

use crate::store::Store;
use crate::store::changes::FeedKind;
use crate::store::webhooks::{Attempt, NewWebhook};
use crate::telemetry::metrics;

/// Longest wait for an endpoint's answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is another process's to leave alone: twice the longest
/// attempt, so a delivery held by a process that died is sent again soon after.
pub const LEASE: Duration = Duration::from_secs(20);
/// An endpoint whose every attempt failed for this long is disabled.
pub const DISABLE_AFTER: Duration = Duration::from_secs(3 * 24 * 3600);
/// How often the dispatcher looks for due deliveries.
pub const POLL: Duration = Duration::from_millis(250);
/// Deliveries claimed (and sent concurrently) at once.
const BATCH: u64 = 16;

/// How the dispatcher behaves.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Endpoints may be on private addresses (tests, local development).
    pub allow_private_targets: bool,
    /// The waits after each failed attempt; after the last, the delivery is given up.
    pub retry_delays: Vec<Duration>,
}

/// A webhook as asked for: the URL checked (see [`target`]), the subject types and kinds
/// named as the API and the command line name them (`case`, `follow-up-action`; `created`,
/// `removed`), case-insensitively. The problem, for people, when something does not hold.
pub async fn new_webhook(
    url: &str,
    description: Option<String>,
    subjects: &[String],
    kinds: &[String],
    include_drafts: bool,
    allow_private_targets: bool,
) -> Result<NewWebhook, String> {
    target::check(url, allow_private_targets).await?;
    let subjects = subjects
        .iter()
        .map(|name| {
            let stored = name.trim().to_uppercase().replace('-', "_");
            sea_orm::ActiveEnum::try_from_value(&stored).map_err(|_| format!("unknown subject type {name:?}"))
        })
        .collect::<Result<Vec<SubjectType>, String>>()?;
    let kinds = kinds
        .iter()
        .map(|name| match name.trim().to_uppercase().as_str() {
            "CREATED" => Ok(FeedKind::Created),
            "UPDATED" => Ok(FeedKind::Updated),
            "REMOVED" => Ok(FeedKind::Removed),
            _ => Err(format!("unknown kind {name:?}: created, updated or removed")),
        })
        .collect::<Result<Vec<FeedKind>, String>>()?;
    Ok(NewWebhook { url: url.to_owned(), description, subjects, kinds, include_drafts })
}

/// Sends deliveries through `store` (one of its own: the dispatcher is nobody's request)
/// until `stopping` turns true.
pub async fn dispatch(store: Store, settings: Settings, mut stopping: watch::Receiver<bool>) {
    let settings = Arc::new(settings);
    let mut last_backlog = Instant::now() - Duration::from_secs(60);
    loop {
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            _ = stopping.changed() => return,
        }
        if *stopping.borrow() {
            return;
        }
        if last_backlog.elapsed() >= Duration::from_secs(5) {
            last_backlog = Instant::now();
            if let Ok((pending, oldest)) = store.delivery_backlog().await {
                let age =
                    oldest.map_or(0.0, |oldest| (chrono::Utc::now() - oldest).as_seconds_f64().max(0.0));
                metrics::record_webhook_backlog(pending, age);
            }
        }
        loop {
            let claimed = match store.claim_deliveries(BATCH, LEASE).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "cannot claim webhook deliveries; retrying");
                    break;
                }
            };
            if claimed.is_empty() {
                break;
            }
            let mut sends = tokio::task::JoinSet::new();
            for delivery in claimed {
                let (store, settings) = (store.clone(), settings.clone());
                sends.spawn(async move { deliver(&store, &settings, delivery).await });
            }
            while sends.join_next().await.is_some() {}
        }
    }
}

/// One attempt at `delivery`, recorded.
async fn deliver(store: &Store, settings: &Settings, delivery: webhook_delivery::Model) {
    let Ok(Some(hook)) = store.webhook(delivery.webhook_id).await else { return };
    let attempt = send(settings, &hook, &delivery).await;
    let retry_at = if attempt.succeeded() {
        None
    } else {
        usize::try_from(delivery.attempts).ok().and_then(|done| settings.retry_delays.get(done)).map(|wait| {
            let jitter = rand::rng().random_range(0.8..1.2);
            chrono::Utc::now()
                + chrono::TimeDelta::from_std(wait.mul_f64(jitter)).unwrap_or(chrono::TimeDelta::MAX)
        })
    };
    let outcome = match (attempt.succeeded(), retry_at) {
        (true, _) => "delivered",
        (false, Some(_)) => "retry",
        (false, None) => "failed",
    };
    metrics::record_webhook_attempt(outcome);
    if let Err(error) = store.finish_attempt(&delivery, &attempt, retry_at, DISABLE_AFTER).await {
        tracing::warn!(%error, delivery = delivery.id, "cannot record a webhook attempt; it is retried when its lease ends");
    }
}

/// Posts `delivery` to `hook`'s endpoint, signed; what happened.
async fn send(settings: &Settings, hook: &webhook::Model, delivery: &webhook_delivery::Model) -> Attempt {
    let started = Instant::now();
    let failed = |error: String| Attempt {
        status_code: None,
        latency: started.elapsed(),
        response: None,
        error: Some(error),
    };
    let url = match target::check_url(&hook.url, settings.allow_private_targets) {
        Ok(url) => url,
        Err(refusal) => return failed(refusal),
    };
    let address = match target::resolve(&url, settings.allow_private_targets).await {
        Ok(address) => address,
        Err(refusal) => return failed(refusal),
    };
    let timestamp = chrono::Utc::now().timestamp();
    let signature = match signing::sign(&hook.secret, &delivery.message_id, timestamp, &delivery.payload) {
        Ok(signature) => signature,
        Err(error) => return failed(error.to_string()),
    };
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve(&host, address)
        .build();
    let client = match client {
        Ok(client) => client,
        Err(error) => return failed(format!("cannot build the HTTP client: {error}")),
    };
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("Casegraph-Webhooks/", env!("CARGO_PKG_VERSION")))
        .header("webhook-id", &delivery.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.payload.clone())
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            let kept: String = body.chars().take(crate::store::webhooks::KEPT_RESPONSE_CHARS).collect();
            Attempt {
                status_code: Some(status),
                latency: started.elapsed(),
                response: Some(kept),
                error: None,
            }
        }
        Err(error) if error.is_timeout() => failed(format!("no answer within {} s", TIMEOUT.as_secs())),
        Err(error) => failed(format!("could not send: {error}")),
    }
}
