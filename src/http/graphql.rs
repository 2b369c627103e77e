//! `/graphql`: POST and GET execution, GraphiQL for browsers.

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::DocumentOperations;
use async_graphql::{PathSegment, Response, ServerError, Value};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse};

use super::{AppState, REQUEST_ID_HEADER};
use crate::error::code;
use crate::graphql::access::Access;
use crate::graphql::loaders::Loaders;
use crate::locale::LocalePreference;
use crate::telemetry::metrics;

/// POST `/graphql`: execute one operation.
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    execute(&state, &headers, request).await
}

/// GET `/graphql`: GraphiQL for a browser without a query, otherwise execute the query.
pub async fn get(State(state): State<AppState>, request: Request) -> axum::response::Response {
    let headers = request.headers().clone();
    let has_query = request.uri().query().is_some_and(|query| !query.is_empty());
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if !has_query && wants_html {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    match <GraphQLRequest as FromRequest<AppState>>::from_request(request, &state).await {
        Ok(graphql_request) => execute(&state, &headers, graphql_request).await.into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

async fn execute(state: &AppState, headers: &HeaderMap, request: GraphQLRequest) -> GraphQLResponse {
    let mut request = request.into_inner();
    let operation_name = operation_name(&mut request);
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(LocalePreference::from_accept_language)
        .unwrap_or_default();
    let request_id =
        headers.get(REQUEST_ID_HEADER).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
    let access = Access::default();
    let request =
        request.data(locale).data(access).data(Loaders::new(&state.store, access.visible_statuses()));
    let mut response = state.schema.execute(request).await;
    metrics::record_graphql_operation(operation_name.as_deref(), response.errors.is_empty());
    tag_errors(&mut response, &request_id);
    response.into()
}

/// The operation's name as the request gives it (`operationName`) or, failing that, as the
/// document names its only operation. Parsing here costs nothing extra: the schema reuses
/// the parsed document (and reports a syntax error itself).
fn operation_name(request: &mut async_graphql::Request) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    match &request.parsed_query().ok()?.operations {
        DocumentOperations::Multiple(operations) if operations.len() == 1 => {
            operations.keys().next().map(|name| name.to_string())
        }
        _ => None,
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

/// Errors raised by the GraphQL engine itself (parse, validation, argument coercion) are
/// the client's; anything else without a code is ours.
fn default_code(error: &ServerError) -> &'static str {
    if error.path.is_empty() { code::BAD_USER_INPUT } else { code::INTERNAL }
}
