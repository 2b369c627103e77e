//! The change feed: every committed change in commit order, as the caller may see it; no
//! event skipped while writers commit concurrently; expired cursors refused with a typed
//! error. The data is synthetic test data.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::editing::{Editor, create_case, new_case, update_case};
use crate::helpers::{TestApp, TestDatabase, error_code, serve_args};

const FEED: &str = "query Feed($after: String, $first: Int, $filter: ChangeFilter) {
    changes(after: $after, first: $first, filter: $filter) {
        edges { cursor node { kind cause subjectType subjectId slug version occurredAt
                              node { __typename ... on Case { slug status } } } }
        pageInfo { hasNextPage endCursor }
        latestCursor } }";

fn step(name: &str) -> String {
    format!(
        "mutation S($input: CaseVersionInput!) {{ {name}(input: $input) {{ case {{ version }} userErrors {{ code }} }} }}"
    )
}

/// Reads the feed from `after` to its end; returns the events and the cursor to continue.
async fn follow(app: &TestApp, key: Option<&str>, mut after: Value, filter: Value) -> (Vec<Value>, Value) {
    let bearer = key.map(|key| format!("Bearer {key}"));
    let headers: Vec<(&str, &str)> = bearer.iter().map(|value| ("Authorization", value.as_str())).collect();
    let mut events = Vec::new();
    loop {
        let body =
            app.graphql_with(FEED, json!({ "after": after, "first": 3, "filter": filter }), &headers).await;
        assert!(body["errors"].is_null(), "{body}");
        let page = &body["data"]["changes"];
        for edge in page["edges"].as_array().expect("edges") {
            events.push(edge["node"].clone());
        }
        if !page["pageInfo"]["endCursor"].is_null() {
            after = page["pageInfo"]["endCursor"].clone();
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return (events, after);
        }
    }
}

fn kinds(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|event| {
            (
                event["kind"].as_str().unwrap_or_default().to_owned(),
                event["cause"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(kind, cause)| ((*kind).to_owned(), (*cause).to_owned())).collect()
}

#[tokio::test]
async fn an_anonymous_client_sees_a_case_appear_change_and_go_but_never_its_drafts() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    // A client that listed everything starts after the newest event.
    let body = app.graphql_with(FEED, json!({ "first": 1 }), &[]).await;
    let start = body["data"]["changes"]["latestCursor"].clone();

    let created =
        editor.ok("createCase", &create_case(), new_case("sample-followed", "[Sample] Followed")).await;
    let id = created["case"]["id"].clone();
    let draft_edit = json!({ "id": id, "expectedVersion": 1, "tags": ["draft-only"] });
    editor.ok("updateCase", &update_case(), draft_edit).await;
    let (seen, _) = follow(&app, None, start.clone(), Value::Null).await;
    assert!(seen.is_empty(), "a draft's life is not public: {seen:?}");

    editor.ok("publishCase", &step("publishCase"), json!({ "id": id, "expectedVersion": 2 })).await;
    let (seen, cursor) = follow(&app, None, start.clone(), Value::Null).await;
    assert_eq!(kinds(&seen), pairs(&[("CREATED", "PUBLISHED")]));
    assert_eq!(
        seen[0]["node"],
        json!({ "__typename": "Case", "slug": "sample-followed", "status": "PUBLISHED" })
    );
    assert_eq!((seen[0]["subjectType"].as_str(), seen[0]["subjectId"].as_str()), (Some("CASE"), id.as_str()));

    editor
        .ok("updateCase", &update_case(), json!({ "id": id, "expectedVersion": 3, "tags": ["published"] }))
        .await;
    editor.ok("unpublishCase", &step("unpublishCase"), json!({ "id": id, "expectedVersion": 4 })).await;
    editor
        .ok(
            "deleteCase",
            "mutation D($input: CaseVersionInput!) { deleteCase(input: $input) { userErrors { code } } }",
            json!({ "id": id, "expectedVersion": 5 }),
        )
        .await;
    let (later, _) = follow(&app, None, cursor, Value::Null).await;
    assert_eq!(kinds(&later), pairs(&[("UPDATED", "UPDATED"), ("REMOVED", "UNPUBLISHED")]));
    assert!(later[1]["node"].is_null(), "a removed case is not shown");

    // A caller with read:drafts sees every step, and the deletion as the removal.
    let (all, _) = follow(&app, Some(&editor.key), start, Value::Null).await;
    assert_eq!(
        kinds(&all),
        pairs(&[
            ("CREATED", "CREATED"),
            ("UPDATED", "UPDATED"),
            ("UPDATED", "PUBLISHED"),
            ("UPDATED", "UPDATED"),
            ("UPDATED", "UNPUBLISHED"),
            ("REMOVED", "DELETED"),
        ])
    );
    let versions: Vec<i64> = all.iter().filter_map(|event| event["version"].as_i64()).collect();
    assert_eq!(versions, [1, 2, 3, 4, 5, 5]);
    // Filters: only removals.
    let body = app
        .graphql_with(
            FEED,
            json!({ "filter": { "kinds": ["REMOVED"], "subjects": ["CASE"] }, "first": 100 }),
            &[],
        )
        .await;
    let removals: Vec<Value> = body["data"]["changes"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .collect();
    assert_eq!(kinds(&removals), pairs(&[("REMOVED", "UNPUBLISHED")]));
}

async fn concurrent_writers_and_one_poller(database: TestDatabase) {
    let app = TestApp::spawn_on(database, false).await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    const WRITERS: usize = 8;
    const CASES_EACH: usize = 5;
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..WRITERS {
        let client = app.client.clone();
        let url = format!("{}/graphql", app.address);
        let key = editor.key.clone();
        writers.spawn(async move {
            for case in 0..CASES_EACH {
                let input = new_case(&format!("sample-writer-{writer}-case-{case}"), "[Sample] Concurrent");
                let body: Value = client
                    .post(&url)
                    .bearer_auth(&key)
                    .json(&json!({ "query": create_case(), "variables": { "input": input } }))
                    .send()
                    .await
                    .expect("sent")
                    .json()
                    .await
                    .expect("JSON");
                assert_eq!(body["data"]["createCase"]["userErrors"], json!([]), "{body}");
            }
        });
    }
    // Meanwhile one reader polls the feed, small pages, as fast as it can.
    let mut seen: Vec<String> = Vec::new();
    let mut cursors: Vec<String> = Vec::new();
    let mut after = Value::Null;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while seen.len() < WRITERS * CASES_EACH {
        assert!(std::time::Instant::now() < deadline, "the reader saw {} events", seen.len());
        let bearer = format!("Bearer {}", editor.key);
        let body = app
            .graphql_with(FEED, json!({ "after": after, "first": 4 }), &[("Authorization", bearer.as_str())])
            .await;
        assert!(body["errors"].is_null(), "{body}");
        for edge in body["data"]["changes"]["edges"].as_array().expect("edges") {
            seen.push(edge["node"]["slug"].as_str().expect("slug").to_owned());
            cursors.push(edge["cursor"].as_str().expect("cursor").to_owned());
        }
        if let Some(end) = body["data"]["changes"]["pageInfo"]["endCursor"].as_str() {
            after = json!(end);
        }
    }
    while let Some(done) = writers.join_next().await {
        done.expect("writer task");
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice");
    assert_eq!(seen.len(), WRITERS * CASES_EACH, "every event once");
    // The same order as a reader starting afterwards sees.
    let (all, _) = follow(&app, Some(&editor.key), Value::Null, Value::Null).await;
    let replayed: Vec<String> =
        all.iter().filter_map(|event| event["slug"].as_str().map(str::to_owned)).collect();
    assert_eq!(replayed, seen);
    assert!(!cursors.is_empty());
}

#[tokio::test]
async fn a_reader_polling_while_eight_writers_commit_sees_every_event_exactly_once() {
    concurrent_writers_and_one_poller(TestDatabase::new().await).await;
}

#[tokio::test]
async fn a_cursor_older_than_the_retention_is_expired_and_a_forged_one_is_bad_input() {
    let database = TestDatabase::new().await;
    let mut serve = serve_args(false);
    serve.change_retention_days = 0;
    let app = TestApp::spawn_serving(database, &serve).await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    editor.ok("createCase", &create_case(), new_case("sample-old", "[Sample] Old")).await;
    let bearer = format!("Bearer {}", editor.key);
    let body = app.graphql_with(FEED, json!({}), &[("Authorization", bearer.as_str())]).await;
    let cursor = body["data"]["changes"]["pageInfo"]["endCursor"].clone();
    assert!(cursor.is_string(), "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let body =
        app.graphql_with(FEED, json!({ "after": cursor }), &[("Authorization", bearer.as_str())]).await;
    assert_eq!(error_code(&body), Some("CURSOR_EXPIRED"), "{body}");
    let body = app.graphql_with(FEED, json!({ "after": "not-a-cursor" }), &[]).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}
