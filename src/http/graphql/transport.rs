//! GraphQL over HTTP (the GraphQL-over-HTTP specification): media types, request parsing
//! for POST and GET, and the shape of error bodies. No GraphQL execution here.

use std::collections::BTreeMap;

use async_graphql::{ServerError, Value, Variables};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::error::code;

/// `application/graphql-response+json`: the specification's response media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// `application/json`: the legacy media type, still the default.
pub const JSON: &str = "application/json";

/// The media type a response is sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `application/json`: request errors are sent with status 200 (the specification's
    /// recommendation for this type, so that legacy clients read the body).
    Json,
    /// `application/graphql-response+json`: request errors are sent with status 400.
    GraphQLResponse,
}

impl MediaType {
    /// The `Content-Type` value.
    pub fn content_type(self) -> HeaderValue {
        match self {
            Self::Json => HeaderValue::from_static("application/json; charset=utf-8"),
            Self::GraphQLResponse => {
                HeaderValue::from_static("application/graphql-response+json; charset=utf-8")
            }
        }
    }

    /// From the `Accept` header: no header (or a wildcard) means `application/json`;
    /// `None` when the client accepts neither type (HTTP 406).
    pub fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let values: Vec<&str> =
            headers.get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).collect();
        if values.is_empty() {
            return Some(Self::Json);
        }
        let mut best: Option<(f32, Self)> = None;
        for range in values.iter().flat_map(|value| value.split(',')) {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let media = match essence.as_str() {
                GRAPHQL_RESPONSE_JSON => Self::GraphQLResponse,
                JSON | "application/*" | "*/*" => Self::Json,
                _ => continue,
            };
            if quality <= 0.0 {
                continue;
            }
            // The higher quality wins; on a tie, the specification's own type.
            let better = match best {
                None => true,
                Some((best_quality, best_media)) => {
                    quality > best_quality
                        || (quality == best_quality
                            && media == Self::GraphQLResponse
                            && best_media == Self::Json)
                }
            };
            if better {
                best = Some((quality, media));
            }
        }
        best.map(|(_, media)| media)
    }
}

/// A request refused at the HTTP level, before any GraphQL document is looked at.
#[derive(Clone, Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// More `extensions` of the error, beside `code` and `requestId`.
    pub details: Vec<(&'static str, u64)>,
}

impl HttpError {
    /// A refusal with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: Vec::new() }
    }

    /// The same refusal with one more number in its `extensions`.
    pub fn with_detail(mut self, name: &'static str, value: u64) -> Self {
        self.details.push((name, value));
        self
    }

    /// HTTP 400 `BAD_REQUEST`: not a well-formed GraphQL-over-HTTP request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code::BAD_REQUEST, message)
    }
}

/// Checks the `Content-Type` of a POST: JSON in UTF-8 only (anything else, form posts
/// included, is refused with 415, which also closes cross-site request forgery by forms).
pub fn check_content_type(headers: &HeaderMap) -> Result<(), HttpError> {
    let unsupported = |detail: &str| {
        HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::UNSUPPORTED_MEDIA_TYPE,
            format!("{detail}: POST /graphql accepts `Content-Type: application/json` (UTF-8) only"),
        )
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(unsupported("no Content-Type"));
    };
    let value = value.to_str().map_err(|_| unsupported("unreadable Content-Type"))?;
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if essence != JSON && essence != GRAPHQL_RESPONSE_JSON {
        return Err(unsupported(&format!("Content-Type `{essence}`")));
    }
    for parameter in parts {
        if let Some((name, value)) = parameter.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
            && !value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(unsupported(&format!("charset `{}`", value.trim())));
        }
    }
    Ok(())
}

/// One GraphQL request as the client sent it.
#[derive(Clone, Debug)]
pub struct RawRequest {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Variables,
    /// `extensions.persistedQuery` (Apollo's automatic persisted queries).
    pub persisted: Option<PersistedQuery>,
    /// Why the request cannot run, found before planning (an unknown persisted hash).
    pub refused: Option<Refusal>,
}

/// Why a request was refused before planning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// An unknown persisted query hash.
    PersistedQueryNotFound,
    /// Anything else the client must fix, said for people.
    BadUserInput(String),
    /// Not a registered document, under `--trusted-documents require`.
    NotTrusted,
}

impl From<Refusal> for crate::error::Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::PersistedQueryNotFound => Self::PersistedQueryNotFound,
            Refusal::BadUserInput(message) => Self::BadUserInput(message),
            Refusal::NotTrusted => Self::Forbidden(
                "this server runs registered operations only: send one of your client's registered \
                 documents (by its hash), or ask the operator to register it"
                    .to_owned(),
            ),
        }
    }
}

/// `extensions.persistedQuery`: a query named by the SHA-256 of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersistedQuery {
    pub version: i64,
    /// Lower-case hex.
    pub sha256_hash: String,
}

/// The persisted query `extensions` name, when they name one.
fn persisted(extensions: &serde_json::Value) -> Result<Option<PersistedQuery>, HttpError> {
    let Some(persisted) = extensions.get("persistedQuery") else { return Ok(None) };
    let version = persisted.get("version").and_then(serde_json::Value::as_i64);
    let hash = persisted.get("sha256Hash").and_then(serde_json::Value::as_str);
    match (version, hash) {
        (Some(version), Some(hash)) => {
            Ok(Some(PersistedQuery { version, sha256_hash: hash.to_ascii_lowercase() }))
        }
        _ => Err(HttpError::bad_request("`extensions.persistedQuery` needs `version` and `sha256Hash`")),
    }
}

impl RawRequest {
    /// The async-graphql request.
    pub fn into_request(self) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(self.query).variables(self.variables);
        request.operation_name = self.operation_name;
        request
    }
}

/// The requests of a POST body: one object, or an array of them (a batch).
pub fn parse_post_body(body: &[u8]) -> Result<(Vec<RawRequest>, bool), HttpError> {
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|error| HttpError::bad_request(format!("the body is not valid JSON: {error}")))?;
    match json {
        serde_json::Value::Array(items) => {
            let requests = items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    parse_request_object(item).map_err(|error| HttpError {
                        message: format!("batch item {index}: {}", error.message),
                        ..error
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((requests, true))
        }
        other => Ok((vec![parse_request_object(other)?], false)),
    }
}

fn parse_request_object(json: serde_json::Value) -> Result<RawRequest, HttpError> {
    let serde_json::Value::Object(mut fields) = json else {
        return Err(HttpError::bad_request("the body must be a JSON object (or an array of them)"));
    };
    let persisted = match fields.get("extensions") {
        Some(extensions @ serde_json::Value::Object(_)) => persisted(extensions)?,
        _ => None,
    };
    let query = match fields.remove("query") {
        Some(serde_json::Value::String(query)) => query,
        Some(serde_json::Value::Null) | None if persisted.is_some() => String::new(),
        Some(_) => return Err(HttpError::bad_request("`query` must be a string")),
        None => return Err(HttpError::bad_request("`query` is missing")),
    };
    let operation_name = match fields.remove("operationName") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(name)) => Some(name),
        Some(_) => return Err(HttpError::bad_request("`operationName` must be a string or null")),
    };
    let variables = match fields.remove("variables") {
        None | Some(serde_json::Value::Null) => Variables::default(),
        Some(variables @ serde_json::Value::Object(_)) => Variables::from_json(variables),
        Some(_) => return Err(HttpError::bad_request("`variables` must be an object or null")),
    };
    match fields.remove("extensions") {
        None | Some(serde_json::Value::Null | serde_json::Value::Object(_)) => {}
        Some(_) => return Err(HttpError::bad_request("`extensions` must be an object or null")),
    }
    Ok(RawRequest { query, operation_name, variables, persisted, refused: None })
}

/// The request of a GET query string (`query`, `operationName`, `variables` as JSON).
pub fn parse_get_query(query: &str) -> Result<RawRequest, HttpError> {
    let mut request = RawRequest {
        query: String::new(),
        operation_name: None,
        variables: Variables::default(),
        persisted: None,
        refused: None,
    };
    let mut has_query = false;
    for (name, value) in form_urlencoded_pairs(query) {
        match name.as_str() {
            "query" => {
                request.query = value;
                has_query = true;
            }
            "operationName" if !value.is_empty() => request.operation_name = Some(value),
            "variables" if !value.is_empty() => {
                let json: serde_json::Value = serde_json::from_str(&value)
                    .map_err(|_| HttpError::bad_request("`variables` must be a JSON object"))?;
                match json {
                    serde_json::Value::Object(_) => request.variables = Variables::from_json(json),
                    serde_json::Value::Null => {}
                    _ => return Err(HttpError::bad_request("`variables` must be a JSON object")),
                }
            }
            "extensions" if !value.is_empty() => {
                let json: serde_json::Value = serde_json::from_str(&value)
                    .map_err(|_| HttpError::bad_request("`extensions` must be a JSON object"))?;
                if !matches!(json, serde_json::Value::Object(_) | serde_json::Value::Null) {
                    return Err(HttpError::bad_request("`extensions` must be a JSON object"));
                }
                request.persisted = persisted(&json)?;
            }
            _ => {}
        }
    }
    if !has_query && request.persisted.is_none() {
        return Err(HttpError::bad_request("the `query` parameter is missing"));
    }
    Ok(request)
}

/// `application/x-www-form-urlencoded` pairs (as in a URL query string).
fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..=index + 2]).ok();
                match hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        index += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One response as sent: `data` is left out for request errors (nothing was executed).
#[derive(Serialize)]
pub struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    pub errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: &'a BTreeMap<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).expect("valid header"));
        MediaType::negotiate(&headers)
    }

    #[test]
    fn accept_negotiation() {
        assert_eq!(MediaType::negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(accept("application/json"), Some(MediaType::Json));
        assert_eq!(accept("*/*"), Some(MediaType::Json));
        assert_eq!(accept("application/graphql-response+json"), Some(MediaType::GraphQLResponse));
        assert_eq!(
            accept("application/json;q=0.9, application/graphql-response+json"),
            Some(MediaType::GraphQLResponse)
        );
        assert_eq!(accept("application/graphql-response+json;q=0, application/json"), Some(MediaType::Json));
        assert_eq!(accept("text/html"), None);
    }

    #[test]
    fn get_query_strings_are_decoded() {
        let request = parse_get_query("query=%7B%20a%20%7D&variables=%7B%22x%22%3A1%7D&operationName=")
            .expect("well formed");
        assert_eq!(request.query, "{ a }");
        assert!(parse_get_query("variables=%7B%7D").is_err());
        assert!(parse_get_query("query=x&variables=%5B1%5D").is_err());
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%e4%b8%ad"), "中");
    }

    #[test]
    fn post_bodies_are_checked() {
        assert!(parse_post_body(b"{").is_err());
        assert!(parse_post_body(br#"{"query": 1}"#).is_err());
        assert!(parse_post_body(br#"{"query": "{a}", "variables": [1]}"#).is_err());
        let (requests, batch) = parse_post_body(br#"[{"query": "{a}"}, {"query": "{b}"}]"#).expect("batch");
        assert!(batch && requests.len() == 2);
    }
}
