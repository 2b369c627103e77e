//! The root `Query` type.

use std::sync::{Arc, LazyLock};

use async_graphql::{Context, ID, Object, Result};

use super::access::Access;
use super::connection::CaseListArguments;
use super::cost_directives::{TYPICAL_CATEGORIES, TYPICAL_COLLECTIONS, list_size, max_items};
use super::directory::{
    FollowUpActionConnection, FollowUpActionListArguments, OrganisationConnection, OrganisationListArguments,
};
use super::inputs::{
    CaseFilterInput, CaseOrderInput, FollowUpActionFilterInput, FollowUpActionOrderInput,
    OrganisationFilterInput, OrganisationOrderInput,
};
use super::prefetch::{self, CaseNeeds, case_detail};
use super::search::{self, SearchConnection};
use super::statistics::CaseStatistics;
use super::types::audit_entry;
use super::types::change::{self, ChangeConnection, ChangeFilter, Retention};
use super::types::enums::CaseStatus;
use super::types::webhook::{self, WebhookConnection, WebhookDeliveryConnection, WebhookDeliveryStatus};
use super::types::{
    ApiKeyConnection, AuditEntryConnection, AuditLogFilter, Case, CaseConnection, Category, Collection, Node,
    Organisation,
};
use crate::error::Error;
use crate::store::Store;

/// Most IDs `nodes` accepts at once.
pub const MAX_NODES: usize = 100;

/// Read access to the case collections (the root query type).
#[derive(Debug, Default)]
pub struct Query;

/// The description of `Query`: access, limits, cost and error codes, with the numbers read
/// from `config::defaults` and the cost annotations, so the schema cannot state other
/// limits than the server applies by default.
pub fn description() -> &'static str {
    static DESCRIPTION: LazyLock<String> = LazyLock::new(|| {
        use crate::config::defaults::*;
        format!(
            "Read access to the case collections.

Access: send `Authorization: Bearer <API key>`; without it a request is anonymous and
sees published content only. Scopes: `read` (published content), `read:drafts` (also
DRAFT and ARCHIVED cases: lists show them when asked for with `statuses`, and lookups by
ID or slug return them), `write`, `admin`.

Limits (server defaults): depth {MAX_DEPTH}, aliases {MAX_ALIASES}, directives {MAX_DIRECTIVES}, query text {query_chars}
characters, batches of {MAX_BATCH}, body {body}, execution {TIMEOUT_SECONDS} s, `first`/`last` at most {MAX_PAGE}.

Cost: an object field costs 1, a scalar 0; a connection multiplies its items by
`first`/`last` (default {PAGE}), a list by its `first`, its `ids` or the size its
`@listSize` assumes ({unstated} when it states none). Types marked `@cost(weight: \"0\")`
(statistics rows, countries) are computed in memory: 0 each, 1 for their whole list. A
page over its maximum (`@maxItems`) is BAD_USER_INPUT before any cost. An operation may
cost at most {max_cost}; each key (default {key_budget} points, refilled at {KEY_REFILL}/s) and each anonymous client
({anonymous_budget}, {ANONYMOUS_REFILL}/s) spends from a budget. `extensions.cost` and the
`RateLimit-Limit`/`-Remaining`/`-Reset` headers report it; a spent budget gives HTTP 429
with `THROTTLED` and `Retry-After`; a request costing more than the whole budget gives
HTTP 400 with `COST_EXCEEDS_CAPACITY` at once.

Errors carry `extensions.code`: BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED,
QUERY_TOO_COMPLEX, THROTTLED, COST_EXCEEDS_CAPACITY, TIMEOUT, BAD_REQUEST,
PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, NOT_ACCEPTABLE, METHOD_NOT_ALLOWED, INTERNAL.",
            query_chars = crate::config::defaults::thousands(MAX_QUERY_CHARS as u64),
            body = crate::config::defaults::bytes(MAX_BODY_BYTES as u64),
            unstated = super::cost_directives::UNSTATED_LIST_SIZE,
            max_cost = crate::config::defaults::thousands(MAX_COST),
            key_budget = crate::config::defaults::thousands(KEY_BUDGET as u64),
            anonymous_budget = crate::config::defaults::thousands(ANONYMOUS_BUDGET as u64),
        )
    });
    DESCRIPTION.as_str()
}

/// Read access to the case collections. The schema's description of this type is
/// [`description`], written from the server's defaults.
#[Object]
impl Query {
    /// The object with this global ID, or null when there is none (or it is not visible).
    async fn node(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "A global ID.")] id: ID,
    ) -> Result<Option<Node>> {
        Ok(super::nodes::resolve_nodes(context, std::slice::from_ref(&id)).await?.pop().flatten())
    }

    /// The objects with these global IDs, in the same order; null for unknown ones.
    #[graphql(
        directive = list_size::apply(None, Some(vec!["ids".to_owned()]), None),
        directive = max_items::apply(MAX_NODES as i32)
    )]
    async fn nodes(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Global IDs (at most 100).")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(
                Error::BadUserInput(format!("at most {MAX_NODES} ids per call, got {}", ids.len())).into()
            );
        }
        Ok(super::nodes::resolve_nodes(context, &ids).await?)
    }

    /// Every edition of the collection, newest first.
    #[graphql(directive = list_size::apply(Some(TYPICAL_COLLECTIONS), None, None))]
    async fn collections(&self, context: &Context<'_>) -> Result<Vec<Collection>> {
        let store = context.data::<Store>()?;
        Ok(store.collections().await?.into_iter().map(|record| Collection(Arc::new(record))).collect())
    }

    /// The edition with this slug (e.g. `wic-cbec-2024`), or null.
    async fn collection(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Collection slug.")] slug: String,
    ) -> Result<Option<Collection>> {
        let store = context.data::<Store>()?;
        Ok(store.collection_by_slug(&slug).await?.map(|record| Collection(Arc::new(record))))
    }

    /// All categories, ordered by collection year then position; filter by collection slug.
    #[graphql(directive = list_size::apply(Some(TYPICAL_CATEGORIES), None, None))]
    async fn categories(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Collection slug; an unknown slug gives an empty list.")] collection: Option<String>,
    ) -> Result<Vec<Category>> {
        let store = context.data::<Store>()?;
        Ok(store
            .categories(collection.as_deref())
            .await?
            .into_iter()
            .map(|record| Category(Arc::new(record)))
            .collect())
    }

    /// The category with this slug, in the given collection (by default the newest
    /// collection that has it), or null.
    async fn category(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Category slug, e.g. `logistics-integration`.")] slug: String,
        #[graphql(desc = "Collection slug.")] collection: Option<String>,
    ) -> Result<Option<Category>> {
        let store = context.data::<Store>()?;
        Ok(store
            .category_by_slug(&slug, collection.as_deref())
            .await?
            .map(|record| Category(Arc::new(record))))
    }

    /// The case with this slug, or null (also for drafts the caller may not see).
    async fn case(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Case slug.")] slug: String,
    ) -> Result<Option<Case>> {
        let store = context.data::<Store>()?;
        let access = Access::of(context);
        let selection = [context.look_ahead()];
        let Some(record) = store
            .case_by_slug(&slug, case_detail(&selection))
            .await?
            .filter(|record| access.can_see(record.model.status))
        else {
            return Ok(None);
        };
        let needs = CaseNeeds::of(&selection);
        Ok(prefetch::cases(context, [Arc::new(record)], needs).await?.pop())
    }

    /// Cases, filtered and ordered (default: published, newest first; with a search, most
    /// relevant first).
    #[allow(clippy::too_many_arguments)]
    async fn cases(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to end before.")] before: Option<String>,
        #[graphql(desc = "Which cases.")] filter: Option<CaseFilterInput>,
        #[graphql(desc = "Sort order.")] order_by: Option<CaseOrderInput>,
    ) -> Result<CaseConnection> {
        let arguments = CaseListArguments { first, after, last, before, filter, order_by };
        Ok(arguments.resolve(context, |_| {}).await?)
    }

    /// The organisation with this slug, or null.
    async fn organisation(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Organisation slug.")] slug: String,
    ) -> Result<Option<Organisation>> {
        let store = context.data::<Store>()?;
        Ok(store.organisation_by_slug(&slug).await?.map(|record| Organisation(Arc::new(record))))
    }

    /// Every API key, oldest first, revoked ones included (scope `admin`); never a secret.
    async fn api_keys(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the key to continue after.")] after: Option<String>,
    ) -> Result<ApiKeyConnection> {
        Access::of(context).require_admin("listing API keys")?;
        let most = super::max_page(context);
        let first = match first {
            None => crate::config::defaults::PAGE,
            Some(first) => u64::try_from(first).ok().filter(|first| *first <= most).ok_or_else(|| {
                Error::BadUserInput(format!("`first` must be between 0 and {most}, got {first}"))
            })?,
        };
        let keys = context.data::<Store>()?.api_keys().await?;
        let first = usize::try_from(first).unwrap_or(usize::MAX);
        Ok(ApiKeyConnection::page(keys, first, after.as_deref())?)
    }

    /// Every change to the content in commit order, oldest first, as the caller may see it:
    /// without `read:drafts`, nothing of drafts, and a case leaving the published set is
    /// `REMOVED`. Follow it from the last `endCursor` to stay in sync; no event is skipped.
    async fn changes(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Cursor of the last event seen (none: from the oldest the feed keeps).")]
        after: Option<String>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Which events.")] filter: Option<ChangeFilter>,
    ) -> Result<ChangeConnection> {
        let most = super::max_page(context);
        let first = match first {
            None => crate::config::defaults::PAGE,
            Some(first) => u64::try_from(first).ok().filter(|first| *first <= most).ok_or_else(|| {
                Error::BadUserInput(format!("`first` must be between 0 and {most}, got {first}"))
            })?,
        };
        let retention = context.data_opt::<Retention>().map_or(
            std::time::Duration::from_secs(crate::config::defaults::CHANGE_RETENTION_DAYS * 86_400),
            |retention| retention.0,
        );
        let after = after
            .as_deref()
            .map(|cursor| change::position(cursor, retention, chrono::Utc::now()))
            .transpose()?;
        let audience = change::audience(Access::of(context));
        let store = context.data::<Store>()?;
        let filter = filter.unwrap_or_default().into_store();
        let events = store.change_feed(audience, &filter, after, first + 1).await?;
        let latest = store.latest_change().await?;
        let first = usize::try_from(first).unwrap_or(usize::MAX);
        Ok(ChangeConnection::page(events, first, after.is_some(), audience, latest.as_ref()))
    }

    /// Every webhook, oldest first (scope `admin`); never a secret.
    async fn webhooks(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor (a webhook's id) to continue after.")] after: Option<ID>,
    ) -> Result<WebhookConnection> {
        Access::of(context).require_admin("listing webhooks")?;
        let first = page_size(context, first)?;
        let after =
            match after {
                None => None,
                Some(id) => Some(webhook::decode(&id, "Webhook").ok_or_else(|| {
                    Error::BadUserInput(format!("`after` is not a webhook's id: {:?}", id.0))
                })?),
            };
        let hooks = context.data::<Store>()?.webhooks().await?;
        Ok(WebhookConnection::page(hooks, usize::try_from(first).unwrap_or(usize::MAX), after))
    }

    /// Webhook deliveries, newest first, with their attempts (scope `admin`).
    async fn deliveries(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Only this webhook's.")] webhook_id: Option<ID>,
        #[graphql(desc = "Only those in this state.")] status: Option<WebhookDeliveryStatus>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after (older deliveries).")] after: Option<String>,
    ) -> Result<WebhookDeliveryConnection> {
        Access::of(context).require_admin("listing webhook deliveries")?;
        let first = page_size(context, first)?;
        let hook = match webhook_id {
            None => None,
            Some(id) => Some(webhook::decode(&id, "Webhook").ok_or_else(|| {
                Error::BadUserInput(format!("`webhookId` is not a webhook's id: {:?}", id.0))
            })?),
        };
        let before = match after.as_deref() {
            None => None,
            Some(cursor) => Some(webhook::decode_delivery_cursor(cursor).ok_or_else(|| {
                Error::BadUserInput(format!("`after` is not a cursor of deliveries: {cursor:?}"))
            })?),
        };
        let store = context.data::<Store>()?;
        let found = store
            .webhook_deliveries(hook, status.map(WebhookDeliveryStatus::stored), before, first + 1)
            .await?;
        Ok(WebhookDeliveryConnection::page(
            found,
            usize::try_from(first).unwrap_or(usize::MAX),
            before.is_some(),
        ))
    }

    /// Who changed what, newest first (scope `admin`): every change made through the API,
    /// `casegraph import` or `casegraph keys`, with the fields' old and new values.
    async fn audit_log(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the entry to continue after.")] after: Option<String>,
        #[graphql(desc = "Which entries.")] filter: Option<AuditLogFilter>,
    ) -> Result<AuditEntryConnection> {
        Access::of(context).require_admin("reading the audit log")?;
        let most = super::max_page(context);
        let first = match first {
            None => crate::config::defaults::PAGE,
            Some(first) => u64::try_from(first).ok().filter(|first| *first <= most).ok_or_else(|| {
                Error::BadUserInput(format!("`first` must be between 0 and {most}, got {first}"))
            })?,
        };
        let before_id = match after.as_deref() {
            None => None,
            Some(cursor) => Some(audit_entry::decode_cursor(cursor).ok_or_else(|| {
                Error::BadUserInput(format!("`after` is not a cursor of the audit log: {cursor:?}"))
            })?),
        };
        let Some(filter) = filter.unwrap_or_default().into_store() else {
            return Ok(AuditEntryConnection::page(Vec::new(), 0, before_id.is_some()));
        };
        let entries = context.data::<Store>()?.audit_entries(&filter, before_id, first + 1).await?;
        Ok(AuditEntryConnection::page(
            entries,
            usize::try_from(first).unwrap_or(usize::MAX),
            before_id.is_some(),
        ))
    }

    /// Organisations, filtered and ordered (default: by name; with a search, most relevant
    /// first).
    #[allow(clippy::too_many_arguments)]
    async fn organisations(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to end before.")] before: Option<String>,
        #[graphql(desc = "Which organisations.")] filter: Option<OrganisationFilterInput>,
        #[graphql(desc = "Sort order (default: NAME ASC, or relevance with a search).")] order_by: Option<
            OrganisationOrderInput,
        >,
    ) -> Result<OrganisationConnection> {
        let arguments = OrganisationListArguments { first, after, last, before, filter, order_by };
        Ok(arguments.resolve(context).await?)
    }

    /// Follow-up actions, filtered and ordered (default: latest start first, undated last).
    #[allow(clippy::too_many_arguments)]
    async fn follow_up_actions(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to end before.")] before: Option<String>,
        #[graphql(desc = "Which follow-up actions.")] filter: Option<FollowUpActionFilterInput>,
        #[graphql(desc = "Sort order (default: STARTS_ON DESC).")] order_by: Option<FollowUpActionOrderInput>,
    ) -> Result<FollowUpActionConnection> {
        let arguments = FollowUpActionListArguments { first, after, last, before, filter, order_by };
        Ok(arguments.resolve(context).await?)
    }

    /// Full-text search across cases (default: published only), organisations and
    /// follow-up actions, in English, Chinese and Arabic, most relevant first.
    async fn search(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Words to find, in any language; plain text (quotes and operators are ignored), \
                          at most 2,000 characters.")]
        query: String,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to start after.")] after: Option<String>,
        #[graphql(desc = "Statuses of the cases to find (default: [PUBLISHED]); DRAFT and ARCHIVED need \
                          the read:drafts scope. Organisations and follow-up actions have no status and \
                          are always searched.")]
        statuses: Option<Vec<CaseStatus>>,
    ) -> Result<SearchConnection> {
        Ok(search::resolve(context, &query, first, after, statuses).await?)
    }

    /// Counts and breakdowns of the cases `filter` covers, for dashboards (the same cases
    /// as `cases(filter)`; default: published).
    async fn statistics(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Which cases; DRAFT and ARCHIVED need the read:drafts scope.")] filter: Option<
            CaseFilterInput,
        >,
    ) -> Result<CaseStatistics> {
        Ok(CaseStatistics::resolve(context, filter).await?)
    }
}

/// `first` as asked (default 20), within the server's largest page.
fn page_size(context: &Context<'_>, first: Option<i32>) -> Result<u64, Error> {
    let most = super::max_page(context);
    match first {
        None => Ok(crate::config::defaults::PAGE),
        Some(first) => u64::try_from(first)
            .ok()
            .filter(|first| *first <= most)
            .ok_or_else(|| Error::BadUserInput(format!("`first` must be between 0 and {most}, got {first}"))),
    }
}
