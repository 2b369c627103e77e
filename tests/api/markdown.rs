//! Markdown bodies as sanitised HTML: `Case.bodyHtml` and `FollowUpAction.descriptionHtml`
//! render what an editor wrote, and never carry a script, an event handler or a
//! `javascript:` URL into a partner's page. The fixture is synthetic test data, marked as
//! a sample.

use serde_json::json;

use crate::helpers::{TestApp, TestDatabase, casegraph_ok};

/// A hostile body, as a careless or malicious editor might write it.
const HOSTILE: &str = "**Bonded** warehouse <script>alert('case')</script>\n\n\
                       <img src=\"https://example.org/x.png\" onerror=\"alert('img')\">\n\n\
                       [report](javascript:alert('link')) and <a href=\"javascript:alert('a')\">more</a>";

#[tokio::test]
async fn bodies_render_as_html_without_scripts_handlers_or_javascript_urls() {
    let db = TestDatabase::new().await;
    let file = json!({ "format": "casegraph", "formatVersion": 1,
        "cases": [{ "slug": "sample-hostile-body", "collection": "wic-cbec-2024",
                    "category": "logistics-integration", "status": "PUBLISHED", "isSample": true,
                    "publishedAt": "2024-04-16T09:00:00Z",
                    "texts": { "en": { "title": "Sample case (synthetic)", "body": HOSTILE } } }],
        "followUpActions": [{ "slug": "sample-hostile-action", "kind": "SHOWCASE", "status": "PLANNED",
                              "isSample": true, "cases": ["sample-hostile-body"],
                              "texts": { "en": { "title": "Sample action (synthetic)", "description": HOSTILE } } }] });
    let path = db.file("markdown.json");
    std::fs::write(&path, file.to_string()).expect("fixture written");
    casegraph_ok(&db, &["import", path.to_str().expect("UTF-8 path")]);
    let app = TestApp::spawn_on(db, false).await;

    let body = app
        .graphql(
            r#"{ case(slug: "sample-hostile-body") { body bodyHtml followUpActions { descriptionHtml } } }"#,
        )
        .await;
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    let case = &body["data"]["case"];
    assert_eq!(case["body"], HOSTILE, "the Markdown itself is returned as written");
    let rendered = [
        case["bodyHtml"].as_str().expect("bodyHtml").to_owned(),
        case["followUpActions"][0]["descriptionHtml"].as_str().expect("descriptionHtml").to_owned(),
    ];
    for html in rendered {
        assert!(html.contains("<strong>Bonded</strong> warehouse"), "{html}");
        assert!(html.contains(r#"<img src="https://example.org/x.png">"#), "{html}");
        for forbidden in ["<script", "alert('case')", "onerror", "javascript:"] {
            assert!(!html.to_lowercase().contains(forbidden), "{forbidden} survived in {html}");
        }
    }
}
