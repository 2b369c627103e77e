//! The editorial write API on cases: a case's whole life through GraphQL, each step in
//! the audit log and the change rows and visible in search and statistics at once;
//! optimistic concurrency; idempotent retries.

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, casegraph_ok};

pub const CASE_FIELDS: &str = "id slug status version publishedAt title availableLocales";

pub fn create_case() -> String {
    format!(
        "mutation Create($input: CreateCaseInput!) {{ createCase(input: $input) {{
            case {{ {CASE_FIELDS} }} userErrors {{ field code message currentVersion }} }} }}"
    )
}

pub fn update_case() -> String {
    format!(
        "mutation Update($input: UpdateCaseInput!) {{ updateCase(input: $input) {{
            case {{ {CASE_FIELDS} }} userErrors {{ field code message currentVersion }} }} }}"
    )
}

fn step(name: &str) -> String {
    format!(
        "mutation Step($input: CaseVersionInput!) {{ {name}(input: $input) {{
            case {{ {CASE_FIELDS} }} userErrors {{ field code message currentVersion }} }} }}"
    )
}

const AUDIT: &str = "query Audit($filter: AuditLogFilter, $first: Int) {
    auditLog(filter: $filter, first: $first) {
        nodes { action subjectType subjectId subjectLabel versionBefore versionAfter requestId
                actor { name keyPrefix } changes { field old new } }
        pageInfo { hasNextPage endCursor } } }";

/// A caller with an API key made on the server's shell.
pub struct Editor<'a> {
    pub app: &'a TestApp,
    pub key: String,
}

impl<'a> Editor<'a> {
    /// A key named `name` with `scopes`, made with `casegraph keys create`.
    pub fn new(app: &'a TestApp, name: &str, scopes: &str) -> Self {
        let key = casegraph_ok(&app.database, &["keys", "create", "--name", name, "--scopes", scopes]);
        Self { app, key: key.trim().to_owned() }
    }

    /// Sends `query`; asserts HTTP 200 without errors; returns `data`.
    pub async fn call(&self, query: &str, variables: Value) -> Value {
        let bearer = format!("Bearer {}", self.key);
        let (status, _, body) =
            self.app.exchange(query, variables, &[("Authorization", bearer.as_str())]).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["errors"].is_null(), "{body}");
        body["data"].clone()
    }

    /// Runs a mutation whose payload is `data.<name>`; asserts it has no user errors.
    pub async fn ok(&self, name: &str, query: &str, input: Value) -> Value {
        let data = self.call(query, json!({ "input": input })).await;
        assert_eq!(data[name]["userErrors"], json!([]), "{name}: {data}");
        data[name].clone()
    }
}

/// A new draft case in the 2025 edition, with an English text only.
pub fn new_case(slug: &str, title: &str) -> Value {
    json!({
        "slug": slug,
        "collection": "wic-cbec-2025",
        "category": "logistics-integration",
        "isSample": true,
        "translations": [{ "locale": "en", "title": title, "summary": "[Sample] A test case.", "body": "**Bold** start." }],
        "countries": ["CN"],
        "tags": ["test"],
    })
}

/// The change rows of `slug`, in commit order: (kind, version).
pub async fn change_rows(database: &TestDatabase, slug: &str) -> Vec<(String, i32)> {
    let connection = Database::connect(database.url.as_str()).await.expect("connect");
    let backend = connection.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT kind, version FROM change_event WHERE subject_slug = $1 ORDER BY seq, id"
        }
        _ => "SELECT kind, version FROM change_event WHERE subject_slug = ? ORDER BY seq, id",
    };
    let rows = connection
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [slug.into()]))
        .await
        .expect("change rows");
    let found = rows
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "kind").expect("kind"),
                row.try_get::<i32>("", "version").expect("version"),
            )
        })
        .collect();
    connection.close().await.expect("close");
    found
}

/// How many published cases the statistics count, and the slugs an anonymous search for
/// `words` in `locale` finds.
async fn public_view(app: &TestApp, words: &str, locale: &str) -> (u64, Vec<String>) {
    let body = app
        .graphql_with(
            "query Q($q: String!) { statistics { caseCount } search(query: $q, first: 50) { edges { node { ... on Case { slug } } } } }",
            json!({ "q": words }),
            &[("Accept-Language", locale)],
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let count = body["data"]["statistics"]["caseCount"].as_u64().expect("caseCount");
    let slugs = body["data"]["search"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|edge| edge["node"]["slug"].as_str().map(str::to_owned))
        .collect();
    (count, slugs)
}

#[tokio::test]
async fn a_case_lives_its_whole_life_through_the_api_with_every_step_audited_and_visible_at_once() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = Editor::new(&app, "editorial desk", "read,read:drafts,write,admin");
    let slug = "sample-zephyrine-harbour-exchange";
    let searches = [("Zephyrine", "en"), ("翡翠港湾", "zh"), ("الزمردية", "ar")];
    let (published_before, _) = public_view(&app, "Zephyrine", "en").await;

    let created =
        editor.ok("createCase", &create_case(), new_case(slug, "[Sample] Zephyrine harbour exchange")).await;
    let case = &created["case"];
    assert_eq!((case["status"].as_str(), case["version"].as_i64()), (Some("DRAFT"), Some(1)), "{case}");
    let id = case["id"].clone();

    let translated = editor
        .ok(
            "updateCase",
            &update_case(),
            json!({ "id": id, "expectedVersion": 1, "translations": [
                { "locale": "zh", "title": "[示例] 翡翠港湾交流" },
                { "locale": "ar", "title": "[عينة] تبادل الميناء الزمردية" },
            ]}),
        )
        .await;
    assert_eq!(translated["case"]["version"], 2);
    assert_eq!(translated["case"]["availableLocales"], json!(["ar", "en", "zh"]));
    for (words, locale) in searches {
        assert!(
            !public_view(&app, words, locale).await.1.contains(&slug.to_owned()),
            "a draft is not public"
        );
    }

    let published =
        editor.ok("publishCase", &step("publishCase"), json!({ "id": id, "expectedVersion": 2 })).await;
    assert_eq!(published["case"]["status"], "PUBLISHED");
    assert!(published["case"]["publishedAt"].is_string());
    // On the very next request: counted, and found in every locale.
    for (words, locale) in searches {
        let (count, found) = public_view(&app, words, locale).await;
        assert_eq!(count, published_before + 1, "statistics count the published case");
        assert!(found.contains(&slug.to_owned()), "{words} ({locale}) finds it: {found:?}");
    }

    let unpublished =
        editor.ok("unpublishCase", &step("unpublishCase"), json!({ "id": id, "expectedVersion": 3 })).await;
    assert_eq!(unpublished["case"]["status"], "DRAFT");
    assert!(unpublished["case"]["publishedAt"].is_null());
    let archived =
        editor.ok("archiveCase", &step("archiveCase"), json!({ "id": id, "expectedVersion": 4 })).await;
    assert_eq!(archived["case"]["status"], "ARCHIVED");
    for (words, locale) in searches {
        let (count, found) = public_view(&app, words, locale).await;
        assert_eq!(count, published_before);
        assert!(!found.contains(&slug.to_owned()), "an archived case is not found: {found:?}");
    }
    // Publishing an archived case is refused; it is restored first.
    let refused =
        editor.call(&step("publishCase"), json!({ "input": { "id": id, "expectedVersion": 5 } })).await;
    assert_eq!(refused["publishCase"]["userErrors"][0]["code"], "INVALID_TRANSITION", "{refused}");
    let restored =
        editor.ok("restoreCase", &step("restoreCase"), json!({ "id": id, "expectedVersion": 5 })).await;
    assert_eq!(
        (restored["case"]["status"].as_str(), restored["case"]["version"].as_i64()),
        (Some("DRAFT"), Some(6))
    );

    // Every step in the audit log, newest first, with old and new values.
    let audit = editor.call(AUDIT, json!({ "filter": { "subject": id } })).await;
    let entries = audit["auditLog"]["nodes"].as_array().expect("entries").clone();
    let actions: Vec<&str> = entries.iter().filter_map(|entry| entry["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["restoreCase", "archiveCase", "unpublishCase", "publishCase", "updateCase", "createCase"],
        "{audit}"
    );
    let prefix = &editor.key[..11];
    for (index, entry) in entries.iter().enumerate() {
        assert_eq!(entry["actor"]["name"], "editorial desk");
        assert_eq!(entry["actor"]["keyPrefix"], prefix);
        assert_eq!(entry["subjectType"], "CASE");
        assert_eq!(entry["subjectLabel"], slug);
        assert!(entry["requestId"].is_string(), "{entry}");
        assert_eq!(entry["versionAfter"], 6 - index as i64, "{entry}");
    }
    let field = |entry: &Value, name: &str| -> Value {
        entry["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .find(|change| change["field"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        field(&entries[4], "texts.ar.title"),
        json!({ "field": "texts.ar.title", "old": null, "new": "[عينة] تبادل الميناء الزمردية" })
    );
    assert_eq!(field(&entries[3], "status")["old"], "DRAFT");
    assert_eq!(field(&entries[3], "status")["new"], "PUBLISHED");
    assert_eq!(field(&entries[0], "status"), json!({ "field": "status", "old": "ARCHIVED", "new": "DRAFT" }));
    assert_eq!(field(&entries[5], "texts.en.title")["new"], "[Sample] Zephyrine harbour exchange");
    assert!(entries[5]["versionBefore"].is_null());

    // And in the change rows, in commit order.
    let changes = change_rows(&app.database, slug).await;
    let expected: Vec<(String, i32)> = [
        ("CREATED", 1),
        ("UPDATED", 2),
        ("PUBLISHED", 3),
        ("UNPUBLISHED", 4),
        ("ARCHIVED", 5),
        ("RESTORED", 6),
    ]
    .into_iter()
    .map(|(kind, version)| (kind.to_owned(), version))
    .collect();
    assert_eq!(changes, expected);
}

#[tokio::test]
async fn twenty_concurrent_updates_from_one_version_give_one_success_and_nineteen_conflicts() {
    let app = TestApp::spawn().await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    let created =
        editor.ok("createCase", &create_case(), new_case("sample-contended", "[Sample] Contended")).await;
    let id = created["case"]["id"].clone();
    // Twenty editors send their change at once, all from version 1.
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..20 {
        let input = json!({ "id": id, "expectedVersion": 1,
            "translations": [{ "locale": "ar", "title": format!("[عينة] محرر {n}") }] });
        let request = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&editor.key)
            .json(&json!({ "query": update_case(), "variables": { "input": input } }));
        requests
            .spawn(async move { request.send().await.expect("sent").json::<Value>().await.expect("JSON") });
    }
    let mut results = Vec::new();
    while let Some(body) = requests.join_next().await {
        let body = body.expect("request task");
        assert!(body["errors"].is_null(), "{body}");
        results.push(body["data"].clone());
    }
    let successes = results.iter().filter(|data| data["updateCase"]["userErrors"] == json!([])).count();
    let conflicts: Vec<&Value> = results
        .iter()
        .filter_map(|data| data["updateCase"]["userErrors"].as_array().and_then(|errors| errors.first()))
        .collect();
    assert_eq!(successes, 1, "{results:?}");
    assert_eq!(conflicts.len(), 19);
    for conflict in conflicts {
        assert_eq!(conflict["code"], "VERSION_CONFLICT", "{conflict}");
        assert_eq!(conflict["field"], json!(["input", "expectedVersion"]));
        assert_eq!(conflict["currentVersion"], 2);
    }
    let now = editor
        .call(
            "query C($slug: String!) { case(slug: $slug) { version } }",
            json!({ "slug": "sample-contended" }),
        )
        .await;
    assert_eq!(now["case"]["version"], 2);
    assert_eq!(change_rows(&app.database, "sample-contended").await.len(), 2, "one creation, one update");
}

#[tokio::test]
async fn a_create_case_retried_five_times_with_one_idempotency_key_creates_one_case() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = Editor::new(&app, "mobile editor", "read,read:drafts,write");
    let bearer = format!("Bearer {}", editor.key);
    let headers = [("Authorization", bearer.as_str()), ("Idempotency-Key", "create-sample-retried-1")];
    let input = json!({ "input": new_case("sample-retried", "[Sample] Retried on a flaky network") });
    let mut bodies = Vec::new();
    for attempt in 0..5 {
        let (status, response_headers, body) = app.exchange(&create_case(), input.clone(), &headers).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["createCase"]["userErrors"], json!([]), "{body}");
        let replayed = response_headers.get("idempotent-replayed").and_then(|value| value.to_str().ok());
        assert_eq!(replayed, (attempt > 0).then_some("true"), "attempt {attempt}");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "every retry gets the first answer");
    let cases = editor
        .call("{ cases(first: 100, filter: { statuses: [DRAFT] }) { totalCount nodes { slug } } }", json!({}))
        .await;
    let retried = cases["cases"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|node| node["slug"] == "sample-retried")
        .count();
    assert_eq!(retried, 1, "{cases}");
    assert_eq!(change_rows(&app.database, "sample-retried").await, [("CREATED".to_owned(), 1)]);

    let other = json!({ "input": new_case("sample-retried-other", "[Sample] Another body") });
    let (status, _, body) = app.exchange(&create_case(), other, &headers).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "IDEMPOTENCY_KEY_REUSED", "{body}");
}
