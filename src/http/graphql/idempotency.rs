//! `Idempotency-Key` on POST (IETF httpapi draft `draft-ietf-httpapi-idempotency-key-header`):
//! a client that retries a request with the same key and body gets the first request's
//! response, and the request does not run twice. Mobile and flaky-network clients retry:
//! a retried mutation must not change anything twice.
//!
//! - The key is per caller (an API key); anonymous requests cannot mutate and keep nothing.
//! - The first request claims the key in the database (every replica sees it), runs, and
//!   keeps its response for 24 hours when it is a 200; any other outcome (throttled,
//!   refused, failed) releases the key, so a retry runs again.
//! - The same key with another body is HTTP 422 `IDEMPOTENCY_KEY_REUSED`; while the first
//!   request runs, a retry is HTTP 409 `IDEMPOTENCY_KEY_IN_USE` (retry later). A replayed
//!   response carries `Idempotent-Replayed: true`.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use chrono::{TimeDelta, Utc};
use sha2::{Digest, Sha256};

use super::transport::{HttpError, MediaType};
use super::{AppState, RequestContext, internal};
use crate::error::code;
use crate::protection::gate::{Caller, Identity};
use crate::store::idempotency::Claim;

/// The request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a response replayed from an earlier request.
const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Longest key accepted, in bytes (a UUID is 36).
const MAX_KEY_BYTES: usize = 255;
/// Largest response kept for replay; a larger one releases the key.
const MAX_KEPT_BYTES: usize = 1024 * 1024;

/// A POST's idempotency key and the digest of its body.
#[derive(Clone, Debug)]
pub struct Idempotency {
    key: String,
    body_hash: String,
}

/// The key of a POST, when it has one: a Structured Field string (`"…"`) or, leniently, a
/// bare token; 1 to 255 visible ASCII characters.
pub fn from_headers(headers: &HeaderMap, body: &[u8]) -> Result<Option<Idempotency>, HttpError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let key = text.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')).unwrap_or(text);
    let visible = key.bytes().all(|byte| byte.is_ascii_graphic() && byte != b'"' && byte != b'\\');
    if key.is_empty() || key.len() > MAX_KEY_BYTES || !visible {
        return Err(HttpError::bad_request(format!(
            "Idempotency-Key must be a quoted string of 1 to {MAX_KEY_BYTES} visible ASCII characters"
        )));
    }
    let body_hash = Sha256::digest(body).iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(Some(Idempotency { key: key.to_owned(), body_hash }))
}

/// A claimed key, to complete or release when the request ends.
pub struct Claimed {
    caller: String,
    key: String,
}

/// What a request answers instead of running.
pub enum Answer {
    Replay { status: u16, content_type: String, body: String },
    Refused(HttpError),
}

impl Answer {
    pub fn into_response(self, context: &RequestContext, media: MediaType) -> axum::response::Response {
        match self {
            Self::Refused(error) => context.refuse(media, error),
            Self::Replay { status, content_type, body } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                let mut response = (status, body).into_response();
                if let Ok(value) = HeaderValue::from_str(&content_type) {
                    response.headers_mut().insert(header::CONTENT_TYPE, value);
                }
                response.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
                response
            }
        }
    }
}

/// Claims the request's key for its caller: `None` when there is nothing to claim (no
/// key, or an anonymous caller), the claim when the request is to run, or the answer to
/// give instead.
pub async fn claim(
    state: &AppState,
    context: &RequestContext,
    identity: &Identity,
) -> Result<Option<Claimed>, Answer> {
    let (Some(idempotency), Caller::Key { id, .. }) = (&context.idempotency, &identity.caller) else {
        return Ok(None);
    };
    let caller = format!("key:{id}");
    // A claim that never completed within the request time limit (and a margin) belongs
    // to a server that stopped: a retry takes it over.
    let abandoned_after = TimeDelta::from_std(state.gate.limits.timeout).unwrap_or(TimeDelta::seconds(10))
        + TimeDelta::seconds(30);
    let claim = state
        .store
        .claim_idempotency_key(&caller, &idempotency.key, &idempotency.body_hash, Utc::now(), abandoned_after)
        .await
        .map_err(|error| Answer::Refused(internal(&error)))?;
    match claim {
        Claim::Run => Ok(Some(Claimed { caller, key: idempotency.key.clone() })),
        Claim::Replay { status, content_type, body } => Err(Answer::Replay { status, content_type, body }),
        Claim::OtherRequest => Err(Answer::Refused(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code::IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was used with another request body: use a new key for a new request",
        ))),
        Claim::InProgress => Err(Answer::Refused(HttpError::new(
            StatusCode::CONFLICT,
            code::IDEMPOTENCY_KEY_IN_USE,
            "a request with this Idempotency-Key is still running: retry in a moment",
        ))),
    }
}

/// Whether a 200 response body is the request's final outcome: not when an operation of it
/// ran out of time or failed on the server (`TIMEOUT`, `INTERNAL`), since a retry may then
/// succeed (and a timed-out change may or may not have been written).
fn final_outcome(body: &[u8]) -> bool {
    let Ok(parsed) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let responses = match parsed {
        serde_json::Value::Array(responses) => responses,
        single => vec![single],
    };
    !responses.iter().any(|response| {
        response["errors"].as_array().is_some_and(|errors| {
            errors.iter().any(|error| {
                matches!(error["extensions"]["code"].as_str(), Some(code::TIMEOUT | code::INTERNAL))
            })
        })
    })
}

/// Keeps a 200 response that is final for replay; releases the key for anything else.
pub async fn finish(
    state: &AppState,
    claimed: Claimed,
    response: axum::response::Response,
) -> axum::response::Response {
    let release = |state: &AppState, claimed: &Claimed| {
        let store = state.store.clone();
        let (caller, key) = (claimed.caller.clone(), claimed.key.clone());
        async move {
            if let Err(error) = store.release_idempotency_key(&caller, &key).await {
                tracing::error!(%error, "could not release an idempotency key");
            }
        }
    };
    if response.status() != StatusCode::OK {
        release(state, &claimed).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_BYTES).await else {
        release(state, &claimed).await;
        return (StatusCode::INTERNAL_SERVER_ERROR, "response too large to keep").into_response();
    };
    if !final_outcome(&bytes) {
        release(state, &claimed).await;
        return axum::response::Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    let content_type =
        parts.headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    if let Err(error) =
        state.store.complete_idempotency_key(&claimed.caller, &claimed.key, 200, content_type, &text).await
    {
        tracing::error!(%error, "could not keep a response for its idempotency key");
        release(state, &claimed).await;
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}
