//! Request ids: a client's `X-Request-Id` is kept when it is sensible, replaced otherwise;
//! every request runs in a `request` span carrying the id, so each log line written while
//! serving it (including internal-error lines) names it.

use axum::extract::Request;
use axum::http::HeaderValue;
use tracing::Span;

use super::REQUEST_ID_HEADER;

/// Longest client-sent request id that is kept.
pub const MAX_REQUEST_ID_LENGTH: usize = 128;

/// Removes a client request id that is empty, longer than [`MAX_REQUEST_ID_LENGTH`] or not
/// printable ASCII; the request-id layer after this one then generates a fresh id.
pub async fn drop_unreasonable_id(mut request: Request) -> Request {
    let unreasonable = request.headers().get_all(REQUEST_ID_HEADER).iter().any(|value| !is_reasonable(value));
    if unreasonable {
        request.headers_mut().remove(REQUEST_ID_HEADER);
    }
    request
}

/// The span every request runs in: its id, method and path (never the query string).
pub fn request_span<B>(request: &axum::http::Request<B>) -> Span {
    let request_id =
        request.headers().get(REQUEST_ID_HEADER).and_then(|value| value.to_str().ok()).unwrap_or_default();
    // ERROR level so the span is enabled whatever the log filter: an error logged under
    // `CASEGRAPH_LOG=warn` still carries its request id.
    tracing::error_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

fn is_reasonable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty() && bytes.len() <= MAX_REQUEST_ID_LENGTH && bytes.iter().all(u8::is_ascii_graphic)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::is_reasonable;

    #[test]
    fn request_ids_must_be_short_printable_ascii() {
        let id = |text: &str| HeaderValue::from_str(text).expect("header value");
        assert!(is_reasonable(&id("abc-123")));
        assert!(is_reasonable(&id(&"a".repeat(128))));
        assert!(!is_reasonable(&id(&"a".repeat(129))));
        assert!(!is_reasonable(&id("")));
        assert!(!is_reasonable(&id("has space")));
        assert!(!is_reasonable(&HeaderValue::from_bytes(b"caf\xc3\xa9").expect("header value")));
    }
}
