//! Webhooks (scope `admin`): partners' endpoints for change events, their deliveries and
//! each delivery's attempts.

use async_graphql::{Context, ID, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::{webhook, webhook_attempt, webhook_delivery};

use super::audit_entry::AuditSubjectType;
use super::change::ChangeKind;
use crate::graphql::connection::PageInfo;
use crate::graphql::cost_directives::list_size;
use crate::graphql::loaders::{Loaders, load};
use crate::store::webhooks::filter_of;

/// Whether webhooks may point at private addresses (`--webhook-allow-private-targets`).
#[derive(Clone, Copy, Debug)]
pub struct PrivateTargets(pub bool);

/// The global ID of webhook `id` (webhooks are not `Node`s).
pub fn webhook_id(id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("Webhook:{id}")))
}

/// The global ID of delivery `id`.
pub fn delivery_id(id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("WebhookDelivery:{id}")))
}

/// The database id behind a webhook or delivery ID (`kind` is `Webhook` or
/// `WebhookDelivery`).
pub fn decode(id: &str, kind: &str) -> Option<i64> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    text.strip_prefix(kind)?.strip_prefix(':')?.parse().ok()
}

/// An endpoint receiving change events, signed per Standard Webhooks.
#[derive(Clone, Debug)]
pub struct Webhook(pub webhook::Model);

#[Object]
impl Webhook {
    /// Opaque ID.
    async fn id(&self) -> ID {
        webhook_id(self.0.id)
    }

    /// Where events are posted.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// What it is for.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The kinds of objects it wants; empty: all.
    async fn subjects(&self) -> Vec<AuditSubjectType> {
        filter_of(&self.0).subjects.into_iter().map(Into::into).collect()
    }

    /// The kinds of events it wants; empty: all.
    async fn kinds(&self) -> Vec<ChangeKind> {
        filter_of(&self.0).kinds.into_iter().map(Into::into).collect()
    }

    /// Whether it gets drafts' events (as a `read:drafts` reader sees them); otherwise it
    /// sees what the public sees.
    async fn include_drafts(&self) -> bool {
        self.0.include_drafts
    }

    /// Whether events are sent to it.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    /// Why it was disabled (an endpoint failing for three days is).
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// Since when every attempt failed; null after a success.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }

    /// Revision number: 1 when created, raised by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One event for one webhook: its attempts until the endpoint accepted it or it was given
/// up.
#[derive(Clone, Debug)]
pub struct WebhookDelivery(pub webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    /// Opaque ID (for `replayWebhookDelivery`).
    async fn id(&self) -> ID {
        delivery_id(self.0.id)
    }

    /// The webhook's ID.
    async fn webhook_id(&self) -> ID {
        webhook_id(self.0.webhook_id)
    }

    /// The `webhook-id` header: the same on every attempt (deduplicate on it).
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }

    /// The payload's `type`, e.g. `case.created`.
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }

    /// The body sent (JSON).
    async fn payload(&self) -> &str {
        &self.0.payload
    }

    /// `PENDING` (to send or retry), `DELIVERED` or `FAILED` (given up).
    async fn status(&self) -> &str {
        &self.0.status
    }

    /// Attempts made.
    async fn attempt_count(&self) -> i32 {
        self.0.attempts
    }

    /// When the next attempt is due (while `PENDING`).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == crate::store::webhooks::PENDING).then_some(self.0.next_attempt_at)
    }

    /// When the endpoint accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }

    /// When it was written (with the change).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Every attempt, oldest first.
    #[graphql(directive = list_size::apply(Some(3), None, None))]
    async fn attempts(&self, context: &Context<'_>) -> async_graphql::Result<Vec<WebhookAttempt>> {
        let loaders = context.data::<Loaders>()?;
        let attempts = load(&loaders.webhook_attempts, self.0.id).await?.unwrap_or_default();
        Ok(attempts.iter().cloned().map(WebhookAttempt).collect())
    }
}

/// One try at a delivery.
#[derive(Clone, Debug)]
pub struct WebhookAttempt(pub webhook_attempt::Model);

#[Object]
impl WebhookAttempt {
    /// When it was made.
    async fn attempted_at(&self) -> DateTime<Utc> {
        self.0.attempted_at
    }

    /// The endpoint's HTTP status; null when it did not answer.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }

    /// How long it took, in milliseconds.
    async fn latency_ms(&self) -> i32 {
        self.0.latency_ms
    }

    /// The start of the answer (at most 1,024 characters).
    async fn response(&self) -> Option<&str> {
        self.0.response.as_deref()
    }

    /// Why there was no answer (timeout, refused address, connection error).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}

/// A page of deliveries, newest first.
#[derive(SimpleObject)]
pub struct WebhookDeliveryConnection {
    /// The deliveries of the page.
    pub nodes: Vec<WebhookDelivery>,
    /// Where the page sits; pass `endCursor` as `after` for older ones.
    pub page_info: PageInfo,
}

/// The cursor of delivery `id`.
pub fn delivery_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("delivery:{id}"))
}

/// The delivery id of a cursor made by [`delivery_cursor`].
pub fn decode_delivery_cursor(cursor: &str) -> Option<i64> {
    decode(cursor, "delivery")
}

impl WebhookDeliveryConnection {
    /// The page of `deliveries` (read one past `first`).
    pub fn page(mut deliveries: Vec<webhook_delivery::Model>, first: usize, after: bool) -> Self {
        let has_next_page = deliveries.len() > first;
        deliveries.truncate(first);
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after,
            start_cursor: deliveries.first().map(|delivery| delivery_cursor(delivery.id)),
            end_cursor: deliveries.last().map(|delivery| delivery_cursor(delivery.id)),
        };
        Self { nodes: deliveries.into_iter().map(WebhookDelivery).collect(), page_info }
    }
}

/// A page of webhooks, oldest first.
#[derive(SimpleObject)]
pub struct WebhookConnection {
    /// The webhooks of the page.
    pub nodes: Vec<Webhook>,
    /// Where the page sits; pass `endCursor` as `after` for the next.
    pub page_info: PageInfo,
}

impl WebhookConnection {
    /// The page of `webhooks` (every one, oldest first) after the webhook `after`.
    pub fn page(webhooks: Vec<webhook::Model>, first: usize, after: Option<i64>) -> Self {
        let start = after.map_or(0, |after| webhooks.iter().take_while(|hook| hook.id <= after).count());
        let page: Vec<webhook::Model> = webhooks.iter().skip(start).take(first).cloned().collect();
        let page_info = PageInfo {
            has_next_page: start + page.len() < webhooks.len(),
            has_previous_page: start > 0,
            start_cursor: page.first().map(|hook| webhook_id(hook.id).0),
            end_cursor: page.last().map(|hook| webhook_id(hook.id).0),
        };
        Self { nodes: page.into_iter().map(Webhook).collect(), page_info }
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum WebhookDeliveryStatus {
    /// To send, or to retry.
    Pending,
    /// The endpoint accepted it.
    Delivered,
    /// Given up after every retry (replay it with `replayWebhookDelivery`).
    Failed,
}

impl WebhookDeliveryStatus {
    /// The stored name.
    pub fn stored(self) -> &'static str {
        match self {
            Self::Pending => crate::store::webhooks::PENDING,
            Self::Delivered => crate::store::webhooks::DELIVERED,
            Self::Failed => crate::store::webhooks::FAILED,
        }
    }
}
