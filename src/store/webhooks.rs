//! Webhooks in the database: the endpoints, the outbox of their deliveries (written in the
//! transaction of the change they announce) and the attempts. The sending itself is
//! `delivery`'s.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use entity::enums::SubjectType;
use entity::{change_event, webhook, webhook_attempt, webhook_delivery};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use serde_json::json;

use super::Store;
use super::changes::{Audience, FeedFilter, FeedKind, kind_seen};
use super::entries::Entry;
use super::sql::bulk;
use crate::error::{Error, Result};
use crate::global_id::{self, NodeKind};

/// Status of a delivery still to send.
pub const PENDING: &str = "PENDING";
/// Status of a delivery the endpoint accepted.
pub const DELIVERED: &str = "DELIVERED";
/// Status of a delivery given up after every retry.
pub const FAILED: &str = "FAILED";
/// Longest start of an answer kept per attempt.
pub const KEPT_RESPONSE_CHARS: usize = 1_024;

/// A new webhook.
#[derive(Clone, Debug, Default)]
pub struct NewWebhook {
    pub url: String,
    pub description: Option<String>,
    pub subjects: Vec<SubjectType>,
    pub kinds: Vec<FeedKind>,
    pub include_drafts: bool,
}

/// What one attempt gave.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub status_code: Option<u16>,
    pub latency: Duration,
    pub response: Option<String>,
    pub error: Option<String>,
}

impl Attempt {
    /// Whether the endpoint accepted the delivery (any 2xx).
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|status| (200..300).contains(&status))
    }
}

fn kind_name(kind: FeedKind) -> &'static str {
    match kind {
        FeedKind::Created => "CREATED",
        FeedKind::Updated => "UPDATED",
        FeedKind::Removed => "REMOVED",
    }
}

/// The feed filter a webhook's row states.
pub fn filter_of(model: &webhook::Model) -> FeedFilter {
    let subjects: Vec<String> = serde_json::from_str(&model.subjects).unwrap_or_default();
    let kinds: Vec<String> = serde_json::from_str(&model.kinds).unwrap_or_default();
    FeedFilter {
        subjects: subjects.iter().filter_map(|name| sea_orm::ActiveEnum::try_from_value(name).ok()).collect(),
        kinds: kinds
            .iter()
            .filter_map(|name| match name.as_str() {
                "CREATED" => Some(FeedKind::Created),
                "UPDATED" => Some(FeedKind::Updated),
                "REMOVED" => Some(FeedKind::Removed),
                _ => None,
            })
            .collect(),
    }
}

/// A fresh Standard Webhooks secret: `whsec_` and 24 random bytes in base64.
fn new_secret() -> String {
    let mut bytes = [0_u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

fn node_kind(subject_type: SubjectType) -> NodeKind {
    match subject_type {
        SubjectType::Case => NodeKind::Case,
        SubjectType::Organisation => NodeKind::Organisation,
        SubjectType::FollowUpAction => NodeKind::FollowUpAction,
        SubjectType::Collection => NodeKind::Collection,
        SubjectType::Category => NodeKind::Category,
        SubjectType::ApiKey => NodeKind::ApiKey,
    }
}

/// Writes, in the change's transaction, a delivery for every enabled webhook that wants
/// one of `entries` (each with its change event kind) committed at `seq` and `now`.
pub async fn enqueue<C: ConnectionTrait + 'static>(
    connection: &C,
    entries: &[Entry],
    seq: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let hooks = webhook::Entity::find().filter(webhook::Column::Enabled.eq(true)).all(connection).await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let mut deliveries = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let Some(cause) = entry.kind else { continue };
        let event = change_event::Model {
            id: 0,
            seq,
            occurred_at: now,
            subject_type: entry.subject_type,
            subject_id: entry.subject_id,
            subject_slug: entry.label.clone(),
            kind: cause,
            version: entry.version_after.or(entry.version_before).unwrap_or(1),
            visible_before: entry.visible.0,
            visible_after: entry.visible.1,
        };
        for hook in &hooks {
            let audience = if hook.include_drafts { Audience::Drafts } else { Audience::Public };
            if !filter_of(hook).keeps(&event, audience) {
                continue;
            }
            let kind = kind_name(kind_seen(&event, audience));
            let subject: String = sea_orm::ActiveEnum::to_value(&event.subject_type);
            let event_type = format!("{}.{}", subject.to_lowercase().replace('_', "-"), kind.to_lowercase());
            let payload = json!({
                "type": event_type,
                "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "data": {
                    "id": global_id::encode(node_kind(event.subject_type), event.subject_id),
                    "slug": event.subject_slug,
                    "subjectType": subject,
                    "kind": kind,
                    "cause": sea_orm::ActiveEnum::to_value(&event.kind),
                    "version": event.version,
                },
            });
            deliveries.push(webhook_delivery::ActiveModel {
                webhook_id: Set(hook.id),
                // The event's id for every webhook: its commit time, seq and place, unique
                // even across a database restored from an older dump.
                message_id: Set(format!("msg_{}_{seq}_{index}", now.timestamp_micros())),
                event_type: Set(event_type),
                payload: Set(payload.to_string()),
                status: Set(PENDING.to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                leased_until: Set(None),
                last_status: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
                ..Default::default()
            });
        }
    }
    bulk::insert_all(connection, deliveries).await
}

impl Store {
    /// The stored form (JSON lists) of a webhook's subjects and kinds.
    pub fn encode_filter(&self, subjects: &[SubjectType], kinds: &[FeedKind]) -> Result<(String, String)> {
        let subjects: Vec<String> = subjects.iter().map(sea_orm::ActiveEnum::to_value).collect();
        let kinds: Vec<&str> = kinds.iter().copied().map(kind_name).collect();
        Ok((serde_json::to_string(&subjects)?, serde_json::to_string(&kinds)?))
    }

    /// Creates a webhook; returns it and its signing secret.
    pub async fn create_webhook(&self, new: &NewWebhook) -> Result<(webhook::Model, String)> {
        let now = Utc::now();
        let secret = new_secret();
        let (subjects, kinds) = self.encode_filter(&new.subjects, &new.kinds)?;
        let model = webhook::ActiveModel {
            url: Set(new.url.clone()),
            description: Set(new.description.clone()),
            subjects: Set(subjects),
            kinds: Set(kinds),
            include_drafts: Set(new.include_drafts),
            secret: Set(secret.clone()),
            enabled: Set(true),
            disabled_reason: Set(None),
            failing_since: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(self.pool())
        .await?;
        Ok((model, secret))
    }

    /// Every webhook, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<webhook::Model>> {
        Ok(webhook::Entity::find().order_by_asc(webhook::Column::Id).all(self.connection()).await?)
    }

    /// The webhook `id`.
    pub async fn webhook(&self, id: i64) -> Result<Option<webhook::Model>> {
        Ok(webhook::Entity::find_by_id(id).one(self.connection()).await?)
    }

    /// Saves a changed webhook (its version raised by one); re-enabling clears the failure.
    pub async fn update_webhook(&self, mut model: webhook::Model) -> Result<webhook::Model> {
        model.version += 1;
        model.updated_at = Utc::now();
        if model.enabled {
            model.disabled_reason = None;
        }
        let mut active: webhook::ActiveModel = model.into();
        active = active.reset_all();
        Ok(active.update(self.pool()).await?)
    }

    /// Deletes the webhook `id` and its deliveries; whether it existed.
    pub async fn delete_webhook(&self, id: i64) -> Result<bool> {
        let deleted = webhook::Entity::delete_by_id(id).exec(self.pool()).await?;
        Ok(deleted.rows_affected > 0)
    }

    /// Deliveries, newest first: of `webhook` (all when `None`), of `status` (all when
    /// `None`), with an id below `before_id`, at most `limit`.
    pub async fn webhook_deliveries(
        &self,
        webhook: Option<i64>,
        status: Option<&str>,
        before_id: Option<i64>,
        limit: u64,
    ) -> Result<Vec<webhook_delivery::Model>> {
        let mut select = webhook_delivery::Entity::find();
        if let Some(webhook) = webhook {
            select = select.filter(webhook_delivery::Column::WebhookId.eq(webhook));
        }
        if let Some(status) = status {
            select = select.filter(webhook_delivery::Column::Status.eq(status));
        }
        if let Some(before) = before_id {
            select = select.filter(webhook_delivery::Column::Id.lt(before));
        }
        Ok(select.order_by_desc(webhook_delivery::Column::Id).limit(limit).all(self.connection()).await?)
    }

    /// The attempts of these deliveries, oldest first.
    pub async fn webhook_attempts(&self, delivery_ids: &[i64]) -> Result<Vec<webhook_attempt::Model>> {
        Ok(webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::DeliveryId.is_in(delivery_ids.iter().copied()))
            .order_by_asc(webhook_attempt::Column::Id)
            .all(self.connection())
            .await?)
    }

    /// Sends the delivery `id` again from its first attempt (whatever its status).
    pub async fn replay_delivery(&self, id: i64) -> Result<Option<webhook_delivery::Model>> {
        let Some(found) = webhook_delivery::Entity::find_by_id(id).one(self.pool()).await? else {
            return Ok(None);
        };
        let mut active: webhook_delivery::ActiveModel = found.into();
        active.status = Set(PENDING.to_owned());
        active.attempts = Set(0);
        active.next_attempt_at = Set(Utc::now());
        active.leased_until = Set(None);
        active.delivered_at = Set(None);
        Ok(Some(active.update(self.pool()).await?))
    }

    /// Takes up to `limit` due deliveries of enabled webhooks for `lease`: no other replica
    /// takes them meanwhile (on PostgreSQL `FOR UPDATE SKIP LOCKED`: replicas claiming at
    /// once take different rows).
    pub async fn claim_deliveries(
        &self,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<webhook_delivery::Model>> {
        let now = Utc::now();
        let until =
            now + chrono::TimeDelta::from_std(lease).map_err(|error| Error::Internal(error.to_string()))?;
        let backend = self.backend();
        let (lock, placeholders) = match backend {
            DatabaseBackend::Postgres => (" FOR UPDATE OF d SKIP LOCKED", ["$1", "$2", "$3", "$4"]),
            _ => ("", ["?", "?", "?", "?"]),
        };
        let [until_at, due_at, lease_at, take] = placeholders;
        let sql = format!(
            "UPDATE webhook_delivery SET leased_until = {until_at} WHERE id IN (SELECT d.id FROM webhook_delivery d \
             JOIN webhook w ON w.id = d.webhook_id WHERE d.status = 'PENDING' AND w.enabled AND d.next_attempt_at <= {due_at} \
             AND (d.leased_until IS NULL OR d.leased_until < {lease_at}) ORDER BY d.id LIMIT {take}{lock}) RETURNING *"
        );
        let statement = Statement::from_sql_and_values(
            backend,
            sql,
            [until.into(), now.into(), now.into(), i64::try_from(limit).unwrap_or(i64::MAX).into()],
        );
        Ok(webhook_delivery::Entity::find().from_raw_sql(statement).all(self.pool()).await?)
    }

    /// Records `attempt` of `delivery`: delivered, or retried at `retry_at`, or (when that
    /// is `None`) given up. A webhook whose attempts have all failed for `disable_after`
    /// is disabled, with the reason.
    pub async fn finish_attempt(
        &self,
        delivery: &webhook_delivery::Model,
        attempt: &Attempt,
        retry_at: Option<DateTime<Utc>>,
        disable_after: Duration,
    ) -> Result<()> {
        let now = Utc::now();
        let transaction = sea_orm::TransactionTrait::begin(self.pool()).await?;
        webhook_attempt::ActiveModel {
            delivery_id: Set(delivery.id),
            attempted_at: Set(now),
            status_code: Set(attempt.status_code.map(i32::from)),
            latency_ms: Set(i32::try_from(attempt.latency.as_millis()).unwrap_or(i32::MAX)),
            response: Set(attempt.response.clone()),
            error: Set(attempt.error.clone()),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let mut active: webhook_delivery::ActiveModel = delivery.clone().into();
        active.attempts = Set(delivery.attempts + 1);
        active.leased_until = Set(None);
        active.last_status = Set(attempt.status_code.map(i32::from));
        active.last_error = Set(attempt.error.clone());
        let succeeded = attempt.succeeded();
        if succeeded {
            active.status = Set(DELIVERED.to_owned());
            active.delivered_at = Set(Some(now));
        } else if let Some(retry_at) = retry_at {
            active.next_attempt_at = Set(retry_at);
        } else {
            active.status = Set(FAILED.to_owned());
        }
        active.update(&transaction).await?;
        if let Some(hook) = webhook::Entity::find_by_id(delivery.webhook_id).one(&transaction).await? {
            let mut changed: webhook::ActiveModel = hook.clone().into();
            if succeeded {
                changed.failing_since = Set(None);
            } else {
                let since = hook.failing_since.unwrap_or(now);
                changed.failing_since = Set(Some(since));
                let limit = chrono::TimeDelta::from_std(disable_after).unwrap_or(chrono::TimeDelta::MAX);
                if now - since > limit && hook.enabled {
                    changed.enabled = Set(false);
                    changed.disabled_reason = Set(Some(format!(
                        "every attempt failed since {}: disabled; fix the endpoint, then enable it \
                         (updateWebhook) and replay what it missed (replayWebhookDelivery)",
                        since.to_rfc3339()
                    )));
                    tracing::warn!(webhook = hook.id, url = %hook.url, "webhook disabled after failing for days");
                }
            }
            changed.update(&transaction).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Deliveries waiting to be sent, and the creation time of the oldest.
    pub async fn delivery_backlog(&self) -> Result<(u64, Option<DateTime<Utc>>)> {
        let pending = webhook_delivery::Entity::find().filter(webhook_delivery::Column::Status.eq(PENDING));
        let count = sea_orm::PaginatorTrait::count(pending.clone(), self.pool()).await?;
        let oldest = pending
            .order_by_asc(webhook_delivery::Column::Id)
            .limit(1)
            .all(self.pool())
            .await?
            .pop()
            .map(|delivery| delivery.created_at);
        Ok((count, oldest))
    }
}
