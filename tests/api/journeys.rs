//! What each kind of user meets on a server started exactly as shipped (`casegraph serve`
//! with no option: the sample set, the anonymous and key budgets, every limit): an
//! anonymous visitor, a partner with a `read` key, the dashboard, a mobile app syncing.
//! Nothing here loosens a limit; a journey that only passes with generous settings fails.

use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::{TestApp, casegraph_ok, error_code};

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/queries").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The operations `/dashboard` sends, read from its script so they cannot drift apart:
/// `(options, statistics)`.
pub fn dashboard_operations() -> (String, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/dashboard/dashboard.js");
    let script = std::fs::read_to_string(&path).expect("dashboard.js");
    let constant = |name: &str| -> String {
        let start =
            script.find(&format!("const {name} = `")).unwrap_or_else(|| panic!("{name} in the script"));
        let text = &script[start..];
        let open = text.find('`').expect("opening backtick") + 1;
        let close = text[open..].find('`').expect("closing backtick") + open;
        text[open..close].to_owned()
    };
    (constant("OPTIONS"), constant("STATISTICS"))
}

async fn call(
    app: &TestApp,
    query: &str,
    variables: Value,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    app.exchange(query, variables, headers).await
}

/// Runs `query` and fails the test on any error; returns `data` and the requested cost.
async fn run(
    app: &TestApp,
    what: &str,
    query: &str,
    variables: Value,
    headers: &[(&str, &str)],
) -> (Value, u64) {
    let (status, _, body) = call(app, query, variables, headers).await;
    assert_eq!(status, 200, "{what}: {body}");
    assert!(body["errors"].is_null(), "{what}: {body}");
    let cost = body["extensions"]["cost"]["requestedQueryCost"].as_u64().expect("requestedQueryCost");
    (body["data"].clone(), cost)
}

#[tokio::test]
async fn an_anonymous_visitor_lists_searches_and_reads_cases_on_the_shipped_defaults() {
    let app = TestApp::spawn_as_shipped().await;
    let (listing, _) = run(
        &app,
        "partner listing",
        &example("partner-listing.graphql"),
        json!({ "category": "logistics-integration", "after": null }),
        &[],
    )
    .await;
    let nodes = listing["cases"]["nodes"].as_array().expect("nodes");
    assert!(!nodes.is_empty(), "{listing}");
    let after = listing["cases"]["pageInfo"]["endCursor"].clone();
    run(
        &app,
        "next page",
        &example("partner-listing.graphql"),
        json!({ "category": "logistics-integration", "after": after }),
        &[],
    )
    .await;

    let slug = nodes[0]["slug"].clone();
    let (detail, _) = run(
        &app,
        "case detail",
        &example("case-detail.graphql"),
        json!({ "slug": slug }),
        &[("Accept-Language", "ar")],
    )
    .await;
    assert_eq!(detail["case"]["slug"], slug);

    let (found, _) =
        run(&app, "search box", &example("search-box.graphql"), json!({ "q": "sample logistics" }), &[])
            .await;
    assert!(found["search"]["edges"].as_array().is_some_and(|edges| !edges.is_empty()), "{found}");

    let (_, headers, body) = call(&app, "{ collections { slug } }", json!({}), &[]).await;
    assert_eq!(body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"], 500, "{body}");
    assert_eq!(headers["ratelimit-limit"], "500");
}

#[tokio::test]
async fn a_partner_with_a_read_key_pages_through_every_published_case_with_its_relations() {
    let app = TestApp::spawn_as_shipped().await;
    let key = casegraph_ok(&app.database, &["keys", "create", "--name", "partner", "--scopes", "read"]);
    let authorization = format!("Bearer {}", key.trim());
    let headers = [("Authorization", authorization.as_str())];
    let query = "query($after: String) { cases(first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { slug title category { slug name } organisations { role organisation { slug name } }
                countries { code name } tags } } }";
    let mut after = Value::Null;
    let mut seen = 0;
    loop {
        let (data, cost) = run(&app, "partner page", query, json!({ "after": after }), &headers).await;
        assert!(cost > 500, "a page a visitor could not afford, a key can: cost {cost}");
        let cases = &data["cases"];
        seen += cases["nodes"].as_array().expect("nodes").len();
        if cases["pageInfo"]["hasNextPage"] != true {
            assert_eq!(Some(seen as u64), cases["totalCount"].as_u64());
            break;
        }
        after = cases["pageInfo"]["endCursor"].clone();
    }
    assert!(seen > 0);
}

#[tokio::test]
async fn the_dashboard_reloads_thirty_times_a_minute_on_one_anonymous_budget() {
    let app = TestApp::spawn_as_shipped().await;
    let (options, statistics) = dashboard_operations();
    let (_, options_cost) = run(&app, "dashboard options", &options, json!({}), &[]).await;
    let (_, statistics_cost) =
        run(&app, "dashboard statistics", &statistics, json!({ "filter": null }), &[]).await;
    let per_load = options_cost + statistics_cost;
    // 30 loads in 60 s on a bucket of 500 points refilled at 20 per second.
    assert!(per_load * 30 <= 500 + 20 * 60, "one load costs {per_load}: 30 a minute do not fit");
    assert!(per_load <= 20 * 3, "one load costs {per_load}: a reload every 3 s drains the budget");
    // Ten loads as fast as the server answers, in three languages and with a filter.
    for round in 0..10 {
        let locale = ["en", "zh", "ar"][round % 3];
        let filter = if round % 2 == 0 { Value::Null } else { json!({ "collections": ["wic-cbec-2025"] }) };
        run(&app, "options", &options, json!({}), &[("Accept-Language", locale)]).await;
        run(&app, "statistics", &statistics, json!({ "filter": filter }), &[("Accept-Language", locale)])
            .await;
    }
}

#[tokio::test]
async fn a_mobile_app_lists_everything_once_then_syncs_only_changes_on_the_shipped_defaults() {
    let app = TestApp::spawn_as_shipped().await;
    // First start: the whole published list, page by page, and where the feed stands.
    let listing = "query L($after: String) { cases(first: 100, after: $after) {
        nodes { slug } pageInfo { hasNextPage endCursor } totalCount } changes(first: 1) { latestCursor } }";
    let mut after = Value::Null;
    let mut stored: Vec<String> = Vec::new();
    let mut feed = Value::Null;
    loop {
        let (data, _) =
            run(&app, "listing", listing, json!({ "after": after }), &[("Accept-Language", "zh")]).await;
        let cases = &data["cases"];
        stored.extend(
            cases["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .filter_map(|n| n["slug"].as_str().map(str::to_owned)),
        );
        if feed.is_null() {
            feed = data["changes"]["latestCursor"].clone();
        }
        if cases["pageInfo"]["hasNextPage"] != true {
            assert_eq!(Some(stored.len() as u64), cases["totalCount"].as_u64());
            break;
        }
        after = cases["pageInfo"]["endCursor"].clone();
    }
    // An editor publishes a case; the next sync brings exactly that.
    let editor = crate::editing::Editor::new(&app, "desk", "read,read:drafts,write");
    let created = editor
        .ok(
            "createCase",
            &crate::editing::create_case(),
            crate::editing::new_case("sample-new-on-phone", "[Sample] New"),
        )
        .await;
    let publish =
        "mutation P($input: CaseVersionInput!) { publishCase(input: $input) { userErrors { code } } }";
    editor.ok("publishCase", publish, json!({ "id": created["case"]["id"], "expectedVersion": 1 })).await;
    let sync = example("mobile-sync.graphql");
    let (data, _) =
        run(&app, "mobile sync", &sync, json!({ "after": feed }), &[("Accept-Language", "zh")]).await;
    let events = data["changes"]["edges"].as_array().expect("edges");
    assert_eq!(events.len(), 1, "{data}");
    assert_eq!(events[0]["node"]["kind"], "CREATED");
    assert_eq!(events[0]["node"]["node"]["slug"], "sample-new-on-phone");
    assert!(!stored.contains(&"sample-new-on-phone".to_owned()));
}

#[tokio::test]
async fn a_request_that_can_never_fit_the_budget_is_refused_at_once_not_throttled() {
    let app = TestApp::spawn_as_shipped().await;
    // 1 + 100 × (case + category + 3 × (role + organisation)) = 801 > 500, < --max-cost 1000.
    let query =
        "{ cases(first: 100) { nodes { category { name } organisations { organisation { name } } } } }";
    let (status, headers, body) = call(&app, query, json!({}), &[]).await;
    assert_eq!((status, error_code(&body)), (400, Some("COST_EXCEEDS_CAPACITY")), "{body}");
    assert!(headers.get("retry-after").is_none(), "never told to retry");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["cost"], 801, "{body}");
    assert_eq!(error["extensions"]["capacity"], 500, "{body}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("801") && message.contains("500"), "{message}");
    assert!(message.contains("API key") && message.contains("first"), "says how to get more: {message}");
    assert!(body.get("data").is_none(), "{body}");

    // Under application/graphql-response+json too, and for a batch whose sum is too much.
    let (status, _, body) =
        call(&app, query, json!({}), &[("Accept", "application/graphql-response+json")]).await;
    assert_eq!((status, error_code(&body)), (400, Some("COST_EXCEEDS_CAPACITY")), "{body}");
    let half = "{ cases(first: 50) { nodes { category { name } organisations { organisation { name } } } } }";
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!([{ "query": half }, { "query": half }]))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert!(body.to_string().contains("COST_EXCEEDS_CAPACITY"), "{body}");

    // The same request with a key (budget 2,000) runs.
    let key = casegraph_ok(&app.database, &["keys", "create", "--name", "partner", "--scopes", "read"]);
    let authorization = format!("Bearer {}", key.trim());
    run(&app, "with a key", query, json!({}), &[("Authorization", authorization.as_str())]).await;
    // A key with a small budget of its own is told the same, naming its capacity.
    let small = casegraph_ok(
        &app.database,
        &["keys", "create", "--name", "small", "--scopes", "read", "--budget", "100", "--refill", "1"],
    );
    let authorization = format!("Bearer {}", small.trim());
    let (status, _, body) = call(&app, query, json!({}), &[("Authorization", authorization.as_str())]).await;
    assert_eq!((status, error_code(&body)), (400, Some("COST_EXCEEDS_CAPACITY")), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["capacity"], 100, "{body}");
    let metrics = app.get("/metrics", &[]).await.text().await.expect("metrics");
    assert!(
        !metrics.lines().any(|line| line.starts_with("rate_limit_rejections_total") && !line.ends_with(" 0")),
        "nothing was throttled: {metrics}"
    );
}

#[tokio::test]
async fn a_page_over_the_maximum_is_bad_user_input_naming_it_whatever_its_size() {
    let app = TestApp::spawn_as_shipped().await;
    let oversized = [
        ("{ cases(first: 101) { totalCount nodes { slug } } }", "100"),
        ("{ cases(first: 100000) { totalCount nodes { slug } } }", "100"),
        ("{ cases(first: 2147483648) { totalCount nodes { slug } } }", "100"),
        ("{ cases(first: 99999999999999999999) { totalCount nodes { slug } } }", "100"),
        ("{ cases(last: 100000) { totalCount nodes { slug } } }", "100"),
        ("{ cases(first: -1) { totalCount nodes { slug } } }", "100"),
        ("{ organisations(first: 2147483648) { totalCount nodes { slug } } }", "100"),
        ("{ followUpActions(first: 2147483648) { totalCount nodes { id } } }", "100"),
        ("{ search(query: \"export\", first: 100000) { totalCount edges { score } } }", "100"),
        ("{ collections { cases(first: 100000) { totalCount nodes { slug } } } }", "100"),
        ("{ cases(first: 1) { nodes { relatedCases(first: 100000) { slug } } } }", "20"),
        ("{ statistics { byCountry(first: 100000) { count } } }", "250"),
    ];
    for (query, maximum) in oversized {
        let (status, _, body) = call(&app, query, json!({}), &[]).await;
        assert_eq!((status, error_code(&body)), (200, Some("BAD_USER_INPUT")), "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("between 0 and {maximum}")), "{query}: {message}");
    }
    let ids: Vec<String> = (0..101).map(|i| format!("id{i}")).collect();
    let (_, _, body) =
        call(&app, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": ids }), &[]).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("at most 100")), "{body}");

    // Through variables, and at the edge: 100 is accepted.
    for first in [json!(101), json!(100000), json!(2147483648_i64)] {
        let (_, _, body) =
            call(&app, "query($n: Int) { cases(first: $n) { nodes { slug } } }", json!({ "n": first }), &[])
                .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{first}: {body}");
    }
    run(&app, "edge", "{ cases(first: 100) { totalCount } }", json!({}), &[]).await;
}

#[tokio::test]
async fn a_value_the_engine_cannot_coerce_is_bad_user_input_never_internal() {
    let app = TestApp::spawn_as_shipped().await;
    let queries = [
        "{ cases(filter: { publishedAfter: \"not a date\" }) { totalCount } }",
        "{ cases(filter: { updatedSince: \"2024-13-45T99:00:00Z\" }) { totalCount } }",
        "{ statistics { byCountry(first: 2147483648) { count } } }",
        "{ cases(first: 1.5) { totalCount } }",
    ];
    for query in queries {
        let (status, _, body) = call(&app, query, json!({}), &[]).await;
        assert!(status < 500, "{query}: {status}");
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{query}: {body}");
    }
    let (_, _, body) = call(
        &app,
        "query($since: DateTime) { cases(filter: { updatedSince: $since }) { totalCount } }",
        json!({ "since": "yesterday" }),
        &[],
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}
