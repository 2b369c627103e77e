//! Webhook mutations (scope `admin`): create (the signing secret is in the payload once),
//! change, delete, and send a delivery again.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::user_error::{UserError, UserErrorCode};
use super::{WRITE_COST, patch};
use crate::editorial::Patch;
use crate::graphql::access::Access;
use crate::graphql::cost_directives::{TYPICAL_USER_ERRORS, cost, list_size};
use crate::graphql::types::audit_entry::AuditSubjectType;
use crate::graphql::types::change::ChangeKind;
use crate::graphql::types::webhook::{self, PrivateTargets, Webhook, WebhookDelivery};
use crate::store::Store;
use crate::store::changes::FeedKind;

/// A new webhook.
#[derive(Debug, InputObject)]
pub struct CreateWebhookInput {
    /// Where to post events: an `https://` URL on a public address.
    pub url: String,
    /// What it is for.
    pub description: Option<String>,
    /// The kinds of objects to send events about; all when left out or empty.
    #[graphql(default)]
    pub subjects: Vec<AuditSubjectType>,
    /// The kinds of events to send; all when left out or empty.
    #[graphql(default)]
    pub kinds: Vec<ChangeKind>,
    /// Send drafts' events too, as a `read:drafts` reader sees them (default: what the
    /// public sees).
    #[graphql(default)]
    pub include_drafts: bool,
}

/// Changes to a webhook. A field left out keeps its value.
#[derive(Debug, InputObject)]
pub struct UpdateWebhookInput {
    /// The webhook's `id`.
    pub id: ID,
    /// The `version` the change was made from; another is a `VERSION_CONFLICT`.
    pub expected_version: i32,
    /// Where to post events.
    pub url: Option<String>,
    /// What it is for; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// The kinds of objects (empty: all).
    pub subjects: Option<Vec<AuditSubjectType>>,
    /// The kinds of events (empty: all).
    pub kinds: Option<Vec<ChangeKind>>,
    /// Send drafts' events too.
    pub include_drafts: Option<bool>,
    /// Send events to it (true again after it was disabled for failing).
    pub enabled: Option<bool>,
}

/// A webhook or a delivery, by `id`.
#[derive(Debug, InputObject)]
pub struct WebhookIdInput {
    /// Its `id`.
    pub id: ID,
}

/// The webhook created, and its signing secret: shown here once.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct CreateWebhookPayload {
    /// The webhook; null when there are `userErrors`.
    pub webhook: Option<Webhook>,
    /// The Standard Webhooks signing secret (`whsec_…`), to verify `webhook-signature`
    /// with; null when there are `userErrors`. Store it now: it is not shown again.
    pub secret: Option<String>,
    /// Problems with the input; nothing was created when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The webhook as the mutation left it.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct WebhookPayload {
    /// The webhook; null when there are `userErrors` (or it was deleted).
    pub webhook: Option<Webhook>,
    /// Problems with the input; nothing was written when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The delivery queued again.
#[derive(SimpleObject)]
#[graphql(directive = cost::apply(WRITE_COST.to_owned()))]
pub struct ReplayWebhookDeliveryPayload {
    /// The delivery, `PENDING` again; null when there are `userErrors`.
    pub delivery: Option<WebhookDelivery>,
    /// Problems with the input.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

fn kind_names(kinds: Vec<ChangeKind>) -> Vec<String> {
    kinds
        .into_iter()
        .map(|kind| match FeedKind::from(kind) {
            FeedKind::Created => "created",
            FeedKind::Updated => "updated",
            FeedKind::Removed => "removed",
        })
        .map(str::to_owned)
        .collect()
}

fn subject_names(subjects: Vec<AuditSubjectType>) -> Vec<String> {
    subjects
        .into_iter()
        .map(|subject| sea_orm::ActiveEnum::to_value(&entity::enums::SubjectType::from(subject)))
        .collect()
}

fn not_found(what: &str) -> UserError {
    UserError::at(&["id"], UserErrorCode::NotFound, format!("no {what} has this id"))
}

/// The webhook mutations.
#[derive(Default)]
pub struct WebhookMutations;

#[Object]
impl WebhookMutations {
    /// Creates a webhook (scope `admin`): every change event it wants is posted to its URL,
    /// signed per Standard Webhooks, at least once. The payload holds its secret, once.
    async fn create_webhook(
        &self,
        context: &Context<'_>,
        input: CreateWebhookInput,
    ) -> async_graphql::Result<CreateWebhookPayload> {
        Access::of(context).require_admin("createWebhook")?;
        let private = context.data_opt::<PrivateTargets>().is_some_and(|allowed| allowed.0);
        let new = crate::delivery::new_webhook(
            &input.url,
            input.description,
            &subject_names(input.subjects),
            &kind_names(input.kinds),
            input.include_drafts,
            private,
        )
        .await;
        let new = match new {
            Ok(new) => new,
            Err(problem) => {
                let error = UserError::at(&["url"], UserErrorCode::Invalid, problem);
                return Ok(CreateWebhookPayload { webhook: None, secret: None, user_errors: vec![error] });
            }
        };
        let (model, secret) = context.data::<Store>()?.create_webhook(&new).await?;
        Ok(CreateWebhookPayload {
            webhook: Some(Webhook(model)),
            secret: Some(secret),
            user_errors: Vec::new(),
        })
    }

    /// Changes a webhook (scope `admin`); enabling it again clears why it was disabled.
    async fn update_webhook(
        &self,
        context: &Context<'_>,
        input: UpdateWebhookInput,
    ) -> async_graphql::Result<WebhookPayload> {
        Access::of(context).require_admin("updateWebhook")?;
        let store = context.data::<Store>()?;
        let found = match webhook::decode(&input.id, "Webhook") {
            Some(id) => store.webhook(id).await?,
            None => None,
        };
        let Some(mut model) = found else {
            return Ok(WebhookPayload { webhook: None, user_errors: vec![not_found("webhook")] });
        };
        if model.version != input.expected_version {
            let mut error = UserError::at(
                &["expectedVersion"],
                UserErrorCode::VersionConflict,
                format!("the webhook is at version {}, not {}", model.version, input.expected_version),
            );
            error.current_version = Some(model.version);
            return Ok(WebhookPayload { webhook: None, user_errors: vec![error] });
        }
        let private = context.data_opt::<PrivateTargets>().is_some_and(|allowed| allowed.0);
        let url = input.url.unwrap_or_else(|| model.url.clone());
        let current = crate::store::webhooks::filter_of(&model);
        let subjects = input.subjects.map_or_else(
            || current.subjects.iter().map(sea_orm::ActiveEnum::to_value).collect(),
            subject_names,
        );
        let kinds = input.kinds.map_or_else(
            || {
                current
                    .kinds
                    .iter()
                    .map(|kind| match kind {
                        FeedKind::Created => "created".to_owned(),
                        FeedKind::Updated => "updated".to_owned(),
                        FeedKind::Removed => "removed".to_owned(),
                    })
                    .collect()
            },
            kind_names,
        );
        let include = input.include_drafts.unwrap_or(model.include_drafts);
        let checked = crate::delivery::new_webhook(&url, None, &subjects, &kinds, include, private).await;
        let new = match checked {
            Ok(new) => new,
            Err(problem) => {
                let error = UserError::at(&["url"], UserErrorCode::Invalid, problem);
                return Ok(WebhookPayload { webhook: None, user_errors: vec![error] });
            }
        };
        model.url = new.url;
        let stored = store.encode_filter(&new.subjects, &new.kinds)?;
        model.subjects = stored.0;
        model.kinds = stored.1;
        model.include_drafts = new.include_drafts;
        let mut description = model.description.take();
        match patch(input.description) {
            Patch::Keep => {}
            Patch::Clear => description = None,
            Patch::Set(value) => description = Some(value),
        }
        model.description = description;
        if let Some(enabled) = input.enabled {
            model.enabled = enabled;
            if enabled {
                model.failing_since = None;
            }
        }
        let saved = store.update_webhook(model).await?;
        Ok(WebhookPayload { webhook: Some(Webhook(saved)), user_errors: Vec::new() })
    }

    /// Deletes a webhook and its deliveries (scope `admin`).
    async fn delete_webhook(
        &self,
        context: &Context<'_>,
        input: WebhookIdInput,
    ) -> async_graphql::Result<WebhookPayload> {
        Access::of(context).require_admin("deleteWebhook")?;
        let deleted = match webhook::decode(&input.id, "Webhook") {
            Some(id) => context.data::<Store>()?.delete_webhook(id).await?,
            None => false,
        };
        let user_errors = if deleted { Vec::new() } else { vec![not_found("webhook")] };
        Ok(WebhookPayload { webhook: None, user_errors })
    }

    /// Sends a delivery again from its first attempt, whatever its status (scope `admin`):
    /// after an endpoint was fixed, for what it missed.
    async fn replay_webhook_delivery(
        &self,
        context: &Context<'_>,
        input: WebhookIdInput,
    ) -> async_graphql::Result<ReplayWebhookDeliveryPayload> {
        Access::of(context).require_admin("replayWebhookDelivery")?;
        let replayed = match webhook::decode(&input.id, "WebhookDelivery") {
            Some(id) => context.data::<Store>()?.replay_delivery(id).await?,
            None => None,
        };
        Ok(match replayed {
            Some(delivery) => ReplayWebhookDeliveryPayload {
                delivery: Some(WebhookDelivery(delivery)),
                user_errors: Vec::new(),
            },
            None => ReplayWebhookDeliveryPayload { delivery: None, user_errors: vec![not_found("delivery")] },
        })
    }
}
