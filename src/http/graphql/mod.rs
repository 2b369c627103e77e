//! `/graphql`: POST and GET execution (GraphQL over HTTP), GraphiQL for browsers.
//!
//! Every request goes through the same steps: media types, body size, the caller's key
//! (or anonymous access), batch size, each operation's text length, depth, aliases,
//! directives and cost, the caller's budget, then execution under a time limit. Whatever
//! stops a request is a typed error with `extensions.code` and the request id.

mod caching;
mod documents;
mod idempotency;
mod persisted;
mod transport;
mod variables;

pub use caching::{CachePolicy, encode as encode_etag};
pub use documents::Documents;
use documents::Prepared;
pub use persisted::PersistedQueries;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{PathSegment, Response, ServerError, Value};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse};

use self::transport::{Body, HttpError, MediaType, RawRequest};
use super::{AppState, REQUEST_ID_HEADER};
use crate::error::{Error, code};
use crate::graphql::access::Access;
use crate::graphql::loaders::Loaders;
use crate::graphql::mutation::RequestId;
use crate::keys::Scope;
use crate::locale::LocalePreference;
use crate::protection::budget::{BucketState, Charge};
use crate::protection::cost::{Analysis, actual_cost};
use crate::protection::gate::{Caller, Gate, Identity};
use crate::protection::limits;
use crate::store::journal::Actor;
use crate::telemetry::metrics;

const RATE_LIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATE_LIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RATE_LIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// POST `/graphql`: one operation, or a batch (a JSON array) of them.
pub async fn post(State(state): State<AppState>, request: Request) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let context = RequestContext::new(&parts.headers, &parts.extensions, &state.trusted_proxies);
    let Some(media) = MediaType::negotiate(&parts.headers) else {
        return context.refuse(MediaType::Json, not_acceptable());
    };
    if let Err(error) = transport::check_content_type(&parts.headers) {
        return context.refuse(media, error);
    }
    let limit = state.gate.limits.max_body_bytes;
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return context.refuse(media, too_large(limit));
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return context.refuse(media, too_large(limit)),
    };
    let (requests, batch) = match transport::parse_post_body(&bytes) {
        Ok(parsed) => parsed,
        Err(error) => return context.refuse(media, error),
    };
    let transport = if batch { Transport::PostBatch } else { Transport::Post };
    let context = match idempotency::from_headers(&parts.headers, &bytes) {
        Ok(idempotency) => RequestContext { idempotency, ..context },
        Err(error) => return context.refuse(media, error),
    };
    run(&state, &context, media, requests, transport).await
}

/// GET `/graphql`: GraphiQL for a browser without a query; otherwise a query (never a
/// mutation: 405) from the query string.
pub async fn get(State(state): State<AppState>, request: Request) -> axum::response::Response {
    let (parts, _) = request.into_parts();
    let context = RequestContext::new(&parts.headers, &parts.extensions, &state.trusted_proxies);
    let query = parts.uri.query().unwrap_or_default();
    let wants_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if query.is_empty() && wants_html {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    let Some(media) = MediaType::negotiate(&parts.headers) else {
        return context.refuse(MediaType::Json, not_acceptable());
    };
    match transport::parse_get_query(query) {
        Ok(request) => run(&state, &context, media, vec![request], Transport::Get).await,
        Err(error) => context.refuse(media, error),
    }
}

/// What every step needs to know of the HTTP request.
struct RequestContext {
    request_id: String,
    locale: LocalePreference,
    authorization: Option<Vec<u8>>,
    address: IpAddr,
    /// The `Idempotency-Key` of a POST, with the digest of its body.
    idempotency: Option<idempotency::Idempotency>,
    /// The request's `If-None-Match` headers (a GET's validators).
    validators: HeaderMap,
}

impl RequestContext {
    fn new(
        headers: &HeaderMap,
        extensions: &axum::http::Extensions,
        proxies: &super::client_ip::TrustedProxies,
    ) -> Self {
        Self {
            request_id: headers
                .get(REQUEST_ID_HEADER)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            locale: headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .map(LocalePreference::from_accept_language)
                .unwrap_or_default(),
            authorization: headers.get(header::AUTHORIZATION).map(|value| value.as_bytes().to_vec()),
            address: proxies.client(
                extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip()),
                headers,
            ),
            idempotency: None,
            validators: headers
                .get_all(header::IF_NONE_MATCH)
                .iter()
                .map(|value| (header::IF_NONE_MATCH, value.clone()))
                .collect(),
        }
    }

    /// A response refusing the whole request at the HTTP level.
    fn refuse(&self, media: MediaType, error: HttpError) -> axum::response::Response {
        let mut server_error = ServerError::new(error.message, None);
        let extensions = server_error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", error.code);
        for (name, value) in &error.details {
            extensions.set(*name, *value);
        }
        extensions.set("requestId", self.request_id.as_str());
        let response = Response::from_errors(vec![server_error]);
        let mut http = encode(media, error.status, &[Outcome::refused(response)], false);
        if error.status == StatusCode::METHOD_NOT_ALLOWED {
            http.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        if error.status == StatusCode::UNAUTHORIZED {
            http.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if error.status == StatusCode::SERVICE_UNAVAILABLE {
            http.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_UNAVAILABLE));
        }
        http
    }
}

impl RequestContext {
    /// A refusal of the charge step, with the budget's headers when the budget is known.
    fn refuse_with_budget(&self, media: MediaType, refusal: BudgetRefusal) -> axum::response::Response {
        let mut response = self.refuse(media, refusal.error);
        if let Some(bucket) = &refusal.bucket {
            rate_limit_headers(response.headers_mut(), bucket);
        }
        if let Some(value) = refusal
            .retry_after
            .and_then(|seconds| HeaderValue::from_str(&format!("{:.0}", seconds.ceil().max(1.0))).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// One operation's response and whether it was executed at all.
struct Outcome {
    response: Response,
    /// Refused before execution: the body has no `data`, and the status says so.
    request_error: bool,
    /// A mutation that returned a payload: its write was committed, whatever errors later
    /// reads of the payload met.
    wrote: bool,
}

impl Outcome {
    fn refused(response: Response) -> Self {
        Self { response, request_error: true, wrote: false }
    }
}

/// An operation that passed every check, waiting to run.
struct Planned {
    index: usize,
    request: async_graphql::Request,
    analysis: Analysis,
    operation_name: Option<String>,
    validation: Validation,
}

/// How much GraphQL validation an operation needs (see `graphql::Schemas`).
enum Validation {
    /// Every rule; nothing to remember (the document is not kept).
    Full,
    /// Every rule, and the kept document remembers the operation when it passes.
    FullThenRemember { prepared: Arc<Prepared>, operation_name: Option<String> },
    /// The operation passed every rule before and its variables were checked here.
    AlreadyValid,
}

/// How the operations of a request arrived: what they may be, and how they are answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transport {
    /// POST with one operation object: answered with one response.
    Post,
    /// POST with a JSON array of operations: answered with an array, always HTTP 200.
    PostBatch,
    /// GET with the operation in the query string: queries only.
    Get,
}

impl Transport {
    fn is_batch(self) -> bool {
        self == Self::PostBatch
    }

    /// Refuses an operation this transport may not carry (a mutation over GET: 405).
    fn check(self, operation: OperationType) -> Result<(), HttpError> {
        if self == Self::Get && operation != OperationType::Query {
            return Err(HttpError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                code::METHOD_NOT_ALLOWED,
                "only queries may be sent with GET; send mutations with POST",
            ));
        }
        Ok(())
    }
}

/// The operations of a request after planning: each one's refusal, or its plan.
struct Plans {
    outcomes: Vec<Option<Outcome>>,
    planned: Vec<Planned>,
}

impl Plans {
    /// Points the planned operations may cost together.
    fn requested(&self) -> u64 {
        self.planned.iter().map(|plan| plan.analysis.cost).sum()
    }
}

/// What one operation was expected to cost and did cost.
struct Cost {
    index: usize,
    requested: u64,
    actual: u64,
}

/// Every request goes through the same steps: authenticate the caller, plan each
/// operation (limits and cost), charge the caller's budget, execute, refund what was not
/// used, respond. Each step that refuses answers the whole request.
async fn run(
    state: &AppState,
    context: &RequestContext,
    media: MediaType,
    requests: Vec<RawRequest>,
    transport: Transport,
) -> axum::response::Response {
    // A database known to be unreachable refuses at once, rather than making every
    // request wait for a connection; a probe notices when it is back.
    if !state.store.is_available() {
        return context.refuse(media, unavailable());
    }
    let identity = match authenticate(&state.gate, context, requests.len()).await {
        Ok(identity) => identity,
        Err(refusal) => {
            if refusal.code == code::UNAVAILABLE {
                state.store.database_lost();
            }
            return context.refuse(media, refusal);
        }
    };
    let claimed = match idempotency::claim(state, context, &identity).await {
        Ok(claimed) => claimed,
        Err(answer) => return answer.into_response(context, media),
    };
    let response = run_steps(state, context, media, requests, transport, &identity).await;
    match claimed {
        Some(claimed) => idempotency::finish(state, claimed, response).await,
        None => response,
    }
}

/// Steps 2 to 6 for an authenticated caller.
async fn run_steps(
    state: &AppState,
    context: &RequestContext,
    media: MediaType,
    requests: Vec<RawRequest>,
    transport: Transport,
    identity: &Identity,
) -> axum::response::Response {
    let mut requests = requests;
    for request in &mut requests {
        state.persisted.resolve(request, identity.scopes.has(Scope::Admin)).await;
    }
    let mut plans = match plan_all(state, identity, requests, transport) {
        Ok(plans) => plans,
        Err(refusal) => return context.refuse(media, refusal),
    };
    let requested = plans.requested();
    let charged = match charge(&state.gate, identity, requested).await {
        Ok(charged) => charged,
        Err(refusal) => return context.refuse_with_budget(media, refusal),
    };
    let costs = execute(state, context, identity, &mut plans).await;
    let unreachable = plans.outcomes.iter().flatten().any(|outcome| hit_unavailable(&outcome.response));
    if unreachable {
        state.store.database_lost();
    }
    // 503 says nothing was done: not when a mutation committed and only reading its payload
    // failed (that answer keeps 200, the write's payload and the errors of what could not
    // be read, each `UNAVAILABLE`).
    let unreachable = unreachable && !plans.outcomes.iter().flatten().any(|outcome| outcome.wrote);
    // A GET query answered in full gets a validator; a client that holds that answer
    // already gets 304, for at most one point.
    let etag = match (transport, plans.outcomes.as_slice()) {
        (Transport::Get, [Some(outcome)])
            if outcome.response.errors.is_empty() && outcome.response.data != Value::Null =>
        {
            caching::etag(&outcome.response.data, media)
        }
        _ => None,
    };
    let public = matches!(identity.caller, Caller::Anonymous(_));
    if let Some(held) = etag.as_deref().and_then(|etag| caching::matched(&context.validators, etag)) {
        state.gate.refund(identity, requested.saturating_sub(requested.min(1)), charged).await;
        return caching::not_modified(&held, public, state.cache);
    }
    let actual: u64 = costs.iter().map(|cost| cost.actual).sum();
    let bucket = state.gate.refund(identity, requested.saturating_sub(actual), charged).await;
    let mut response = respond(context, media, transport, plans.outcomes, &costs, &bucket);
    if unreachable {
        // Whatever else the response holds, it is incomplete for a reason a retry fixes.
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_UNAVAILABLE));
    }
    match &etag {
        Some(etag) => caching::cacheable(response.headers_mut(), etag, public, state.cache),
        None => caching::uncacheable(response.headers_mut()),
    }
    response
}

/// Step 1: who is calling, and whether the batch is not too large.
async fn authenticate(
    gate: &Gate,
    context: &RequestContext,
    operations: usize,
) -> Result<Identity, HttpError> {
    let identity = match gate.identify(context.authorization.as_deref(), context.address).await {
        Ok(identity) => identity,
        Err(Error::Unauthenticated(message)) => {
            return Err(HttpError::new(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, message));
        }
        Err(error) => return Err(internal(&error)),
    };
    gate.limits.check_batch(operations).map_err(|error| HttpError::bad_request(error.to_string()))?;
    Ok(identity)
}

/// Step 2: checks every operation before running any. An operation that fails its checks
/// is answered with its error (the others still run); one its transport may not carry
/// refuses the whole request.
fn plan_all(
    state: &AppState,
    identity: &Identity,
    requests: Vec<RawRequest>,
    transport: Transport,
) -> Result<Plans, HttpError> {
    let mut plans = Plans { outcomes: Vec::with_capacity(requests.len()), planned: Vec::new() };
    let mut mutations = 0;
    for (index, raw) in requests.into_iter().enumerate() {
        match plan(&state.gate, &state.documents, raw) {
            Ok(mut planned) => {
                transport.check(planned.analysis.operation_type)?;
                if planned.analysis.operation_type != OperationType::Mutation
                    && let Err(error) = Gate::check_read(identity)
                {
                    return Err(HttpError::new(StatusCode::FORBIDDEN, code::FORBIDDEN, error.to_string()));
                }
                if planned.analysis.operation_type == OperationType::Mutation {
                    check_may_write(identity)?;
                    mutations += 1;
                    if mutations > 1 {
                        return Err(HttpError::bad_request(
                            "a request carries at most one mutation operation: send each change on its own",
                        ));
                    }
                }
                planned.index = index;
                plans.planned.push(planned);
                plans.outcomes.push(None);
            }
            Err(error) => plans.outcomes.push(Some(Outcome::refused(error_response(error)))),
        }
    }
    Ok(plans)
}

/// Refuses a mutation from an anonymous caller (401) or a key without a write scope (403),
/// before anything runs. Which scope each mutation needs (`write`, or `admin` for keys) its
/// resolver checks.
fn check_may_write(identity: &Identity) -> Result<(), HttpError> {
    match identity.caller {
        Caller::Anonymous(_) => Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            code::UNAUTHENTICATED,
            "mutations need an API key with the write or admin scope: send `Authorization: Bearer <key>`",
        )),
        Caller::Key { .. } if !identity.scopes.has(Scope::Write) => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            code::FORBIDDEN,
            "mutations need the write or admin scope; this key has neither",
        )),
        Caller::Key { .. } => Ok(()),
    }
}

/// A refusal of the charge step, with the state of the caller's budget when known.
struct BudgetRefusal {
    error: HttpError,
    bucket: Option<BucketState>,
    retry_after: Option<f64>,
}

/// Step 3: takes what the operations may cost from the caller's budget, up front. A cost
/// the budget can never hold is refused at once; one it cannot hold now is throttled.
async fn charge(gate: &Gate, identity: &Identity, requested: u64) -> Result<BucketState, BudgetRefusal> {
    if requested as f64 > identity.spec.maximum {
        return Err(BudgetRefusal {
            error: over_capacity(requested, identity, gate),
            bucket: None,
            retry_after: None,
        });
    }
    match gate.charge(identity, requested).await {
        Charge::Granted(state) => Ok(state),
        Charge::Throttled { state: bucket, retry_after } => {
            metrics::record_rate_limit_rejection();
            let message = format!(
                "throttled: this request may cost {requested} points and {:.0} of {:.0} are available; \
                 they refill at {} per second, retry in {:.0} s",
                bucket.available.floor(),
                bucket.maximum,
                bucket.restore_rate,
                retry_after.ceil()
            );
            Err(BudgetRefusal {
                error: HttpError::new(StatusCode::TOO_MANY_REQUESTS, code::THROTTLED, message),
                bucket: Some(bucket),
                retry_after: Some(retry_after),
            })
        }
    }
}

/// Step 4: runs each planned operation under the time limit, with the caller's locale,
/// access and per-request loaders; returns what each was expected to cost and did cost.
async fn execute(
    state: &AppState,
    context: &RequestContext,
    identity: &Identity,
    plans: &mut Plans,
) -> Vec<Cost> {
    let limits = &state.gate.limits;
    let access = Access {
        read_drafts: identity.scopes.has(Scope::ReadDrafts),
        write: identity.scopes.has(Scope::Write),
        admin: identity.scopes.has(Scope::Admin),
    };
    // Who a mutation's audit entries name (anonymous callers never reach a mutation).
    let actor = match &identity.caller {
        Caller::Key { id, prefix, name } => Some(Actor::key(*id, prefix.clone(), name.clone())),
        Caller::Anonymous(_) => None,
    };
    let mut costs = Vec::with_capacity(plans.planned.len());
    let deadline = tokio::time::Instant::now() + limits.timeout;
    for plan in std::mem::take(&mut plans.planned) {
        let Planned { index, request, analysis, operation_name, validation } = plan;
        // A query reads on one pooled connection for all its statements (the store given
        // to its resolvers and loaders holds it until the operation ends); a mutation writes
        // through the pool, in transactions.
        let store = match analysis.operation_type {
            OperationType::Query => state.store.for_read_request(),
            _ => state.store.clone(),
        };
        let mut request = request;
        if let Some(actor) = &actor {
            request = request.data(actor.clone());
        }
        let request = request
            .data(context.locale.clone())
            .data(access)
            .data(identity.clone())
            .data(RequestId(context.request_id.clone()))
            .data(Loaders::new(&store, access.visible_statuses()))
            .data(store);
        let remembered = matches!(validation, Validation::AlreadyValid);
        metrics::record_graphql_validation(remembered);
        let schema = if remembered { &state.schemas.fast } else { &state.schemas.strict };
        // One time limit for the whole request: the operations of a batch share it.
        let response = match tokio::time::timeout_at(deadline, schema.execute(request)).await {
            Ok(response) => {
                // Validation failures return before execution, with no data: data means the
                // operation passed every rule.
                if let Validation::FullThenRemember { prepared, operation_name } = &validation
                    && response.data != Value::Null
                {
                    prepared.remember_valid(operation_name.as_deref());
                }
                response
            }
            Err(_) => error_response(Error::Timeout(format!(
                "the request did not finish within {} s (a batch's operations share that time)",
                limits.timeout.as_secs_f64()
            ))),
        };
        metrics::record_graphql_operation(operation_name.as_deref(), response.errors.is_empty());
        let actual = actual_cost(&response.data, &analysis.introspection_keys).min(analysis.cost);
        costs.push(Cost { index, requested: analysis.cost, actual });
        let request_error =
            matches!(response.data, Value::Null) && response.errors.iter().all(|error| error.path.is_empty());
        let wrote = analysis.operation_type == OperationType::Mutation
            && matches!(&response.data, Value::Object(fields) if fields.values().any(|value| *value != Value::Null));
        plans.outcomes[index] = Some(Outcome { response, request_error, wrote });
    }
    costs
}

/// Step 6: every response with its cost, its errors tagged with the request id, in the
/// transport's shape and the negotiated media type, with the budget's headers.
fn respond(
    context: &RequestContext,
    media: MediaType,
    transport: Transport,
    outcomes: Vec<Option<Outcome>>,
    costs: &[Cost],
    bucket: &BucketState,
) -> axum::response::Response {
    let mut outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
    for (index, outcome) in outcomes.iter_mut().enumerate() {
        let (requested, actual) = costs
            .iter()
            .find(|cost| cost.index == index)
            .map_or((0, 0), |cost| (cost.requested, cost.actual));
        outcome.response.extensions.insert("cost".to_owned(), cost_extension(requested, actual, bucket));
        tag_errors(&mut outcome.response, &context.request_id);
    }
    let status = match (transport.is_batch(), media, outcomes.first()) {
        (false, MediaType::GraphQLResponse, Some(outcome)) if outcome.request_error => {
            status_of(&outcome.response)
        }
        _ => StatusCode::OK,
    };
    let mut response = encode(media, status, &outcomes, transport.is_batch());
    rate_limit_headers(response.headers_mut(), bucket);
    response
}

/// Checks one operation: length, then (parsed) depth, aliases, directives and cost. A
/// document that does not parse, or names no operation to run, goes on at cost 0: the
/// engine reports what is wrong without executing anything.
fn plan(gate: &Gate, documents: &Documents, mut raw: RawRequest) -> Result<Planned, Error> {
    if let Some(refusal) = raw.refused.take() {
        return Err(refusal.into());
    }
    gate.limits.check_text(&raw.query)?;
    let operation_name = raw.operation_name.clone();
    let variables = raw.variables.clone();
    let mut request = raw.into_request();
    let unrunnable = || Analysis {
        operation_type: OperationType::Query,
        depth: 0,
        aliases: 0,
        directives: 0,
        cost: 0,
        introspection_keys: Vec::new(),
        oversized: None,
    };
    let prepared = documents.prepare(&mut request);
    let Ok(document) = request.parsed_query() else {
        return Ok(Planned {
            index: 0,
            request,
            analysis: unrunnable(),
            operation_name,
            validation: Validation::Full,
        });
    };
    let remembered = prepared.as_ref().and_then(|prepared| prepared.analysis(operation_name.as_deref()));
    let analysis = match remembered {
        Some(analysis) => analysis,
        None => {
            let analysed =
                gate.cost_model.analyse_noting_variables(document, operation_name.as_deref(), &variables);
            let Some((analysis, read_variables)) = analysed else {
                return Ok(Planned {
                    index: 0,
                    request,
                    analysis: unrunnable(),
                    operation_name,
                    validation: Validation::Full,
                });
            };
            if let Some(prepared) = prepared.as_ref().filter(|_| !read_variables) {
                prepared.remember(operation_name.as_deref(), &analysis);
            }
            analysis
        }
    };
    gate.limits.check_analysis(&analysis)?;
    limits::check_no_nul(document, &variables)?;
    variables::check_required(document, operation_name.as_deref(), &variables)?;
    let variables_checked = variables::builtin_values_coerce(document, operation_name.as_deref(), &variables);
    let named = operation_name.clone().or_else(|| match &document.operations {
        DocumentOperations::Multiple(operations) if operations.len() == 1 => {
            operations.keys().next().map(|name| name.to_string())
        }
        _ => None,
    });
    // The engine validates this operation in full once per kept document; after that, only
    // when its variables could make it invalid (see `graphql::Schemas`).
    let validation = match prepared {
        Some(prepared) if variables_checked && prepared.is_valid(operation_name.as_deref()) => {
            Validation::AlreadyValid
        }
        Some(prepared) => Validation::FullThenRemember { prepared, operation_name },
        None => Validation::Full,
    };
    Ok(Planned { index: 0, request, analysis, operation_name: named, validation })
}

/// A response holding one error and no data.
fn error_response(error: Error) -> Response {
    let code = error.code();
    let message = if error.is_public() { error.to_string() } else { "Internal server error".to_owned() };
    let mut server_error = ServerError::new(message, None);
    server_error.extensions.get_or_insert_with(Default::default).set("code", code);
    Response::from_errors(vec![server_error])
}

/// A request that costs more than the caller's bucket can ever hold: waiting would not help,
/// so it is refused at once (never `THROTTLED`), saying how to get it through.
fn over_capacity(requested: u64, identity: &Identity, gate: &Gate) -> HttpError {
    let capacity = identity.spec.maximum.floor() as u64;
    let remedy = match identity.caller {
        Caller::Anonymous(_) => format!(
            "ask for fewer items (a smaller `first`/`last`, fewer fields), split it into several \
             requests, or send an API key (`Authorization: Bearer <key>`), whose budget is {} points",
            gate.key_budget().floor() as u64
        ),
        Caller::Key { .. } => "ask for fewer items (a smaller `first`/`last`, fewer fields), split it into \
             several requests, or ask the operator for a key with a larger budget"
            .to_owned(),
    };
    HttpError::new(
        StatusCode::BAD_REQUEST,
        code::COST_EXCEEDS_CAPACITY,
        format!(
            "this request may cost {requested} points, more than the {capacity} points your budget \
             can ever hold, so it can never run as it is: {remedy}"
        ),
    )
    .with_detail("cost", requested)
    .with_detail("capacity", capacity)
}

/// The refusal of a request that failed before execution: `UNAVAILABLE` (503) when the
/// database could not be reached, `INTERNAL` (500) otherwise.
fn internal(error: &Error) -> HttpError {
    if error.code() == code::UNAVAILABLE {
        tracing::warn!(%error, "database unreachable before execution");
        return unavailable();
    }
    tracing::error!(%error, "internal error before execution");
    HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, "Internal server error")
}

/// HTTP 503 `UNAVAILABLE`: the database cannot be reached; nothing ran.
fn unavailable() -> HttpError {
    HttpError::new(StatusCode::SERVICE_UNAVAILABLE, code::UNAVAILABLE, crate::error::UNAVAILABLE_MESSAGE)
}

/// Seconds a client should wait before retrying a request refused with `UNAVAILABLE`.
const RETRY_AFTER_UNAVAILABLE: u64 = 2;

/// Whether any error of the response says the database could not be reached.
fn hit_unavailable(response: &Response) -> bool {
    response.errors.iter().any(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .is_some_and(|code| matches!(code, Value::String(code) if code == code::UNAVAILABLE))
    })
}

fn not_acceptable() -> HttpError {
    HttpError::new(
        StatusCode::NOT_ACCEPTABLE,
        code::NOT_ACCEPTABLE,
        "this endpoint answers in application/graphql-response+json or application/json: \
         accept one of them",
    )
}

fn too_large(limit: usize) -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        code::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {limit} bytes"),
    )
}

/// The HTTP status of a request error under `application/graphql-response+json`.
fn status_of(response: &Response) -> StatusCode {
    let code = response
        .errors
        .first()
        .and_then(|error| error.extensions.as_ref())
        .and_then(|extensions| extensions.get("code"))
        .and_then(|code| match code {
            Value::String(code) => Some(code.as_str()),
            _ => None,
        });
    match code {
        Some(code::TIMEOUT) => StatusCode::GATEWAY_TIMEOUT,
        Some(code::UNAVAILABLE) => StatusCode::SERVICE_UNAVAILABLE,
        // As Apollo Server answers it: the client's next step, not a failure.
        Some(code::PERSISTED_QUERY_NOT_FOUND) => StatusCode::OK,
        Some(code::INTERNAL) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// `extensions.cost`, after Shopify's: what the operation was expected to cost, what it
/// cost, and the state of the caller's budget.
fn cost_extension(requested: u64, actual: u64, bucket: &BucketState) -> Value {
    let mut throttle = async_graphql::indexmap::IndexMap::new();
    throttle.insert(async_graphql::Name::new("maximumAvailable"), Value::from(bucket.maximum.floor() as i64));
    throttle
        .insert(async_graphql::Name::new("currentlyAvailable"), Value::from(bucket.available.floor() as i64));
    throttle.insert(async_graphql::Name::new("restoreRate"), Value::from(bucket.restore_rate));
    let mut cost = async_graphql::indexmap::IndexMap::new();
    cost.insert(async_graphql::Name::new("requestedQueryCost"), Value::from(requested));
    cost.insert(async_graphql::Name::new("actualQueryCost"), Value::from(actual));
    cost.insert(async_graphql::Name::new("throttleStatus"), Value::Object(throttle));
    Value::Object(cost)
}

/// `RateLimit-Limit`, `RateLimit-Remaining` (points) and `RateLimit-Reset` (seconds until
/// the budget is full again).
fn rate_limit_headers(headers: &mut HeaderMap, bucket: &BucketState) {
    // Whole numbers of points and seconds; `HeaderValue::from(u64)` writes digits without
    // going through a formatter.
    let whole = |value: f64| HeaderValue::from(value.max(0.0) as u64);
    headers.insert(RATE_LIMIT_LIMIT, whole(bucket.maximum.floor()));
    headers.insert(RATE_LIMIT_REMAINING, whole(bucket.available.floor()));
    headers.insert(RATE_LIMIT_RESET, whole(bucket.seconds_to_full().ceil()));
}

/// Serialises the response (or batch) in `media`.
fn encode(
    media: MediaType,
    status: StatusCode,
    outcomes: &[Outcome],
    batch: bool,
) -> axum::response::Response {
    let bodies: Vec<Body<'_>> = outcomes
        .iter()
        .map(|outcome| Body {
            data: (!outcome.request_error).then_some(&outcome.response.data),
            errors: &outcome.response.errors,
            extensions: &outcome.response.extensions,
        })
        .collect();
    let json = if batch { serde_json::to_vec(&bodies) } else { serde_json::to_vec(&bodies.first()) };
    match json {
        Ok(json) => (status, [(header::CONTENT_TYPE, media.content_type())], json).into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot serialise a response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Every error carries the request id (the key to the server log) and a code. Errors are
/// listed by path so the same failure gives the same body whatever finished first.
fn tag_errors(response: &mut Response, request_id: &str) {
    response.errors.sort_by_cached_key(|error| {
        let path: Vec<String> = error
            .path
            .iter()
            .map(|segment| match segment {
                PathSegment::Field(name) => name.clone(),
                PathSegment::Index(index) => format!("{index:010}"),
            })
            .collect();
        (path, error.message.clone())
    });
    for error in &mut response.errors {
        let fallback = default_code(error);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", fallback);
        }
        extensions.set("requestId", Value::from(request_id));
    }
}

/// How the GraphQL engine words a value it could not coerce to an argument's type while
/// resolving a field (its `InputValueError`): an `Int` beyond 32 bits, a malformed date.
/// Validation checks `Int` literals only as 64-bit numbers and custom scalars not at all,
/// so these surface at a field's path, without a code of ours.
const COERCION_FAILURES: [&str; 3] =
    ["Failed to parse \"", "Expected input type \"", "Invalid value for argument"];

/// Errors raised by the GraphQL engine itself (parse, validation, argument coercion) are
/// the client's; anything else without a code is ours.
fn default_code(error: &ServerError) -> &'static str {
    let coercion = || COERCION_FAILURES.iter().any(|prefix| error.message.starts_with(prefix));
    if error.path.is_empty() || coercion() { code::BAD_USER_INPUT } else { code::INTERNAL }
}
