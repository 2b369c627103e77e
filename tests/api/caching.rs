//! HTTP caching of GET queries: validators and 304s, `Cache-Control` for shared caches
//! only on anonymous reads, never on errors, mutations or keyed requests. (nginx in front,
//! Apollo Client and urql: scripts/caching.sh.)

use serde_json::json;

use crate::editing::{Editor, update_case};
use crate::helpers::TestApp;

fn get_url(app: &TestApp, query: &str, variables: &serde_json::Value) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (byte as char).to_string()
                }
                _ => format!("%{byte:02X}"),
            })
            .collect()
    };
    format!("{}/graphql?query={}&variables={}", app.address, encode(query), encode(&variables.to_string()))
}

const CASE: &str = "query CaseTitle($slug: String!) { case(slug: $slug) { slug title version } }";

#[tokio::test]
async fn an_anonymous_get_is_cacheable_revalidates_with_a_304_and_changes_with_the_content() {
    let app = TestApp::spawn_as_shipped().await;
    let listed = app.graphql("{ cases(first: 1) { nodes { slug id version } } }").await;
    let case = listed["data"]["cases"]["nodes"][0].clone();
    let url = get_url(&app, CASE, &json!({ "slug": case["slug"] }));

    let first = app.client.get(&url).send().await.expect("sent");
    assert_eq!(first.status(), 200);
    let headers = first.headers().clone();
    let etag = headers.get("etag").and_then(|v| v.to_str().ok()).expect("an ETag").to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "strong: {etag}");
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("public, max-age=30, stale-while-revalidate=60")
    );
    let vary = headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase();
    for name in ["accept-language", "authorization", "accept-encoding"] {
        assert!(vary.contains(name), "{vary}");
    }
    let remaining = |headers: &reqwest::header::HeaderMap| -> u64 {
        headers
            .get("ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("remaining")
    };
    let before = remaining(&headers);

    // The same answer again: 304, no body, at most one point.
    let again = app.client.get(&url).header("If-None-Match", &etag).send().await.expect("sent");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers().get("etag").and_then(|v| v.to_str().ok()), Some(etag.as_str()));
    assert!(again.bytes().await.expect("body").is_empty());
    let after = app.client.get(&url).send().await.expect("sent");
    assert!(
        before - remaining(after.headers()) <= 1 + 3,
        "the 304 cost at most a point: {before} then {}",
        remaining(after.headers())
    );

    // Another locale is another answer; a content change, another validator.
    let arabic = app.client.get(&url).header("Accept-Language", "ar").send().await.expect("sent");
    let arabic_etag = arabic.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let same_text = arabic.json::<serde_json::Value>().await.expect("JSON")["data"]["case"]["title"].clone();
    let english =
        app.client.get(&url).send().await.expect("sent").json::<serde_json::Value>().await.expect("JSON");
    if same_text != english["data"]["case"]["title"] {
        assert_ne!(arabic_etag.as_deref(), Some(etag.as_str()));
    }
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    editor
        .ok(
            "updateCase",
            &update_case(),
            json!({ "id": case["id"], "expectedVersion": case["version"],
            "translations": [{ "locale": "en", "title": "[Sample] Retitled" }] }),
        )
        .await;
    let changed = app.client.get(&url).header("If-None-Match", &etag).send().await.expect("sent");
    assert_eq!(changed.status(), 200, "the content changed");
    assert_ne!(changed.headers().get("etag").and_then(|v| v.to_str().ok()), Some(etag.as_str()));
    assert_eq!(
        changed.json::<serde_json::Value>().await.expect("JSON")["data"]["case"]["title"],
        "[Sample] Retitled"
    );

    // A keyed read is never for shared caches; errors, POSTs and mutations are never cached.
    let keyed = app.client.get(&url).bearer_auth(&editor.key).send().await.expect("sent");
    assert_eq!(keyed.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("private, no-store"));
    let broken =
        app.client.get(get_url(&app, "{ case(slug: 1) { slug } }", &json!({}))).send().await.expect("sent");
    assert_eq!(broken.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    assert!(broken.headers().get("etag").is_none());
    let posted = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": CASE, "variables": { "slug": case["slug"] } }))
        .send()
        .await
        .expect("sent");
    assert_eq!(posted.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
}
