//! HTTP caching of GET queries: a strong `ETag` on every successful answer, `304 Not
//! Modified` for a matching `If-None-Match` (charged at most one point), and a
//! `Cache-Control` that lets shared caches (CDNs, nginx) keep anonymous reads of published
//! content for `--cache-max-age`, never anything a key or drafts were involved in.
//!
//! The ETag is a digest of the answer's `data` and media type: it changes when, and only
//! when, the data would (a content write, another locale, another scope). The `cost`
//! extension, which moves with the caller's budget, is left out on purpose.

use async_graphql::Value;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};

use super::transport::MediaType;

/// What a GET answer may be cached for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CachePolicy {
    /// `max-age` of anonymous reads, in seconds (0: `no-cache`, revalidate every time).
    pub max_age: u64,
    /// `stale-while-revalidate`, in seconds.
    pub stale_while_revalidate: u64,
}

/// What shared caches must key a GET answer on.
pub const VARY: &str = "Accept-Language, Authorization, Accept-Encoding";

/// The strong validator of an answer with `data` in `media`.
pub fn etag(data: &Value, media: MediaType) -> Option<String> {
    let bytes = serde_json::to_vec(data).ok()?;
    let mut digest = Sha256::new();
    digest.update(media.content_type().as_bytes());
    digest.update([0]);
    digest.update(&bytes);
    let hex: String = digest.finalize().iter().take(16).map(|byte| format!("{byte:02x}")).collect();
    Some(format!("\"{hex}\""))
}

/// Content codings the compression layer may apply, as they suffix an ETag.
const CODINGS: [&str; 3] = ["gzip", "br", "zstd"];

/// Whether `If-None-Match` in `headers` names `etag` (or is `*`), in any content coding:
/// a strong ETag differs per coding (see [`encode`]), and any coding of the same data is
/// still fresh.
/// Returns the validator of `If-None-Match` that names it (in the coding the client
/// holds), when one does.
pub fn matched(headers: &HeaderMap, etag: &str) -> Option<String> {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|value| value.to_str().ok()).find_map(|value| {
        value.split(',').map(str::trim).find_map(|candidate| {
            let candidate = candidate.strip_prefix("W/").unwrap_or(candidate);
            if candidate == "*" {
                Some(etag.to_owned())
            } else if candidate == etag || unencoded(candidate) == etag {
                Some(candidate.to_owned())
            } else {
                None
            }
        })
    })
}

/// An ETag without its content-coding suffix.
fn unencoded(etag: &str) -> String {
    let inner = etag.trim_matches('"');
    let base = CODINGS.iter().find_map(|coding| inner.strip_suffix(&format!("-{coding}"))).unwrap_or(inner);
    format!("\"{base}\"")
}

/// Gives a compressed response's ETag the coding as a suffix (`"…-gzip"`), since a
/// strong validator names one exact representation (RFC 9110, 8.8.3). Runs outside the
/// compression layer.
pub async fn encode(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let coding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let etag = response.headers().get(header::ETAG).and_then(|value| value.to_str().ok()).map(str::to_owned);
    if let (Some(coding), Some(etag)) = (coding, etag)
        && let Ok(value) = HeaderValue::from_str(&format!("{}-{coding}\"", etag.trim_end_matches('"')))
    {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Headers of a successful GET answer: its `ETag`, `Vary`, and public caching for an
/// anonymous read (`public`) or none at all.
pub fn cacheable(headers: &mut HeaderMap, etag: &str, public: bool, policy: CachePolicy) {
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::VARY, HeaderValue::from_static(VARY));
    let control = if !public {
        "private, no-store".to_owned()
    } else if policy.max_age == 0 {
        "public, no-cache".to_owned()
    } else {
        format!(
            "public, max-age={}, stale-while-revalidate={}",
            policy.max_age, policy.stale_while_revalidate
        )
    };
    if let Ok(value) = HeaderValue::from_str(&control) {
        headers.insert(header::CACHE_CONTROL, value);
    }
}

/// Headers of an answer no cache may keep (errors, mutations, POST).
pub fn uncacheable(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// `304 Not Modified` for `etag`, without a body.
pub fn not_modified(etag: &str, public: bool, policy: CachePolicy) -> axum::response::Response {
    let mut response = axum::response::IntoResponse::into_response(StatusCode::NOT_MODIFIED);
    cacheable(response.headers_mut(), etag, public, policy);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_names_the_etag_in_a_list_weakly_or_by_star() {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert_eq!(matched(&headers, "\"b\"").as_deref(), Some("\"b\""));
        assert_eq!(matched(&headers, "\"a\"").as_deref(), Some("\"a\""));
        assert_eq!(matched(&headers, "\"c\""), None);
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"d-gzip\""));
        assert_eq!(
            matched(&headers, "\"d\"").as_deref(),
            Some("\"d-gzip\""),
            "the compressed answer's validator"
        );
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert_eq!(matched(&headers, "\"c\"").as_deref(), Some("\"c\""));
    }
}
