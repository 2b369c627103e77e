//! `statistics(filter)`: every group-by agrees with `cases(filter){ totalCount }` for each
//! value it reports, shares add up, the filter (search and permissions included) applies,
//! labels follow the locale, and the cache never serves numbers from before a write.

use std::collections::{BTreeMap, BTreeSet};

use casegraph::graphql::access::Access;
use casegraph::graphql::build_schema;
use casegraph::graphql::loaders::Loaders;
use casegraph::locale::LocalePreference;
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, casegraph_ok, error_code, reference};

const EVERYTHING: &str = "
    caseCount organisationCount countryCount
    byCategory { category { slug collection { slug } } count share }
    byOrganisationType { type label count share }
    byCountry(first: 250) { country { code } count share }
    byCollection { collection { slug } count share }
    byMonth { month count }
    createdMonths: byMonth(field: CREATED_AT) { month count }
    updatedMonths: byMonth(field: UPDATED_AT) { month count }
    byTag(first: 250) { tag count }
    followUpActions { total byKind { kind label count } byStatus { status count } }";

/// `statistics(filter: $filter) { … }` under `filter`.
async fn statistics(app: &TestApp, filter: &Value, selection: &str) -> Value {
    let query = format!("query($filter: CaseFilter) {{ statistics(filter: $filter) {{ {selection} }} }}");
    let body = app.graphql_with(&query, json!({ "filter": filter }), &[]).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["statistics"].clone()
}

fn rows<'a>(statistics: &'a Value, field: &str) -> &'a [Value] {
    statistics[field].as_array().map_or(&[], Vec::as_slice)
}

fn count(row: &Value) -> u64 {
    row["count"].as_u64().expect("count")
}

/// `base` narrowed by `extra` (both JSON objects): `tags` (all of them must be present)
/// add up; other keys of `extra` replace `base`'s, so a base must not set a key it groups by
/// (`countries` lists match any of their values).
fn merged(base: &Value, extra: Value) -> Value {
    let mut filter: Map<String, Value> = base.as_object().cloned().unwrap_or_default();
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        let combined = match (key.as_str(), filter.get(&key)) {
            ("tags", Some(Value::Array(tags))) => {
                let mut all = tags.clone();
                all.extend(value.as_array().cloned().unwrap_or_default());
                Value::Array(all)
            }
            _ => value,
        };
        filter.insert(key, combined);
    }
    Value::Object(filter)
}

/// `totalCount` of `cases(filter)` for each filter, 25 filters per request (aliases; the
/// server accepts at most 30 per document).
async fn case_totals(app: &TestApp, filters: &[Value]) -> Vec<u64> {
    let mut totals = Vec::with_capacity(filters.len());
    for chunk in filters.chunks(25) {
        let declarations: Vec<String> = (0..chunk.len()).map(|i| format!("$f{i}: CaseFilter")).collect();
        let fields: Vec<String> = (0..chunk.len())
            .map(|i| format!("c{i}: cases(first: 1, filter: $f{i}) {{ totalCount }}"))
            .collect();
        let query = format!("query({}) {{ {} }}", declarations.join(", "), fields.join(" "));
        let variables: Map<String, Value> =
            chunk.iter().enumerate().map(|(i, filter)| (format!("f{i}"), filter.clone())).collect();
        let body = app.graphql_with(&query, Value::Object(variables), &[]).await;
        assert!(body["errors"].is_null(), "{body}");
        totals.extend(
            (0..chunk.len()).map(|i| body["data"][format!("c{i}")]["totalCount"].as_u64().expect("total")),
        );
    }
    totals
}

/// The first day of the month after `month` (`YYYY-MM`), as a timestamp.
fn next_month(month: &str) -> String {
    let (year, month) = month.split_once('-').expect("YYYY-MM");
    let (year, month): (u32, u32) = (year.parse().expect("year"), month.parse().expect("month"));
    let (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    format!("{year:04}-{month:02}-01T00:00:00Z")
}

/// Checks every group-by of `statistics(filter: base)` against `cases(filter: base + value)`.
async fn cross_check(app: &TestApp, base: &Value) -> Value {
    let stats = statistics(app, base, EVERYTHING).await;
    let mut checks: Vec<(String, u64, Value)> = Vec::new();
    checks.push(("caseCount".to_owned(), stats["caseCount"].as_u64().expect("caseCount"), base.clone()));
    for row in rows(&stats, "byCategory") {
        let (category, collection) = (&row["category"]["slug"], &row["category"]["collection"]["slug"]);
        let filter = merged(base, json!({ "categories": [category], "collections": [collection] }));
        checks.push((format!("category {collection}/{category}"), count(row), filter));
    }
    for row in rows(&stats, "byOrganisationType") {
        let filter = merged(base, json!({ "organisationTypes": [row["type"]] }));
        checks.push((format!("organisation type {}", row["type"]), count(row), filter));
    }
    for row in rows(&stats, "byCountry") {
        let filter = merged(base, json!({ "countries": [row["country"]["code"]] }));
        checks.push((format!("country {}", row["country"]["code"]), count(row), filter));
    }
    for row in rows(&stats, "byCollection") {
        let filter = merged(base, json!({ "collections": [row["collection"]["slug"]] }));
        checks.push((format!("collection {}", row["collection"]["slug"]), count(row), filter));
    }
    for row in rows(&stats, "byMonth") {
        let month = row["month"].as_str().expect("month");
        let filter = merged(
            base,
            json!({ "publishedAfter": format!("{month}-01T00:00:00Z"), "publishedBefore": next_month(month) }),
        );
        checks.push((format!("month {month}"), count(row), filter));
    }
    for row in rows(&stats, "byTag") {
        let filter = merged(base, json!({ "tags": [row["tag"]] }));
        checks.push((format!("tag {}", row["tag"]), count(row), filter));
    }
    let filters: Vec<Value> = checks.iter().map(|(_, _, filter)| filter.clone()).collect();
    let totals = case_totals(app, &filters).await;
    for ((what, expected, filter), total) in checks.iter().zip(totals) {
        assert_eq!(
            *expected, total,
            "{what}: statistics say {expected}, cases(filter: {filter}) says {total}"
        );
    }

    // Groups every case belongs to exactly once add up to the case count.
    let case_count = stats["caseCount"].as_u64().expect("caseCount");
    let sum = |field: &str| rows(&stats, field).iter().map(count).sum::<u64>();
    for field in ["byCategory", "byCollection", "createdMonths", "updatedMonths"] {
        assert_eq!(sum(field), case_count, "{field} adds up to caseCount");
    }
    assert!(sum("byOrganisationType") <= case_count);
    assert!(sum("byMonth") <= case_count);
    stats
}

#[tokio::test]
async fn every_group_by_agrees_with_the_case_list_for_each_value_it_reports() {
    let app = TestApp::spawn_with_samples().await;
    let stats = cross_check(&app, &json!({})).await;
    assert!(stats["caseCount"].as_u64() > Some(10), "{stats}");
    for field in ["byCategory", "byOrganisationType", "byCountry", "byCollection", "byMonth", "byTag"] {
        assert!(!rows(&stats, field).is_empty(), "{field} is empty: {stats}");
    }
    // Ordering: most first (ties by key) for countries and tags; months ascending.
    let countries: Vec<(i64, &str)> = rows(&stats, "byCountry")
        .iter()
        .map(|row| (-(count(row) as i64), row["country"]["code"].as_str().expect("code")))
        .collect();
    assert!(countries.windows(2).all(|pair| pair[0] < pair[1]), "{countries:?}");
    let tags: Vec<(i64, &str)> = rows(&stats, "byTag")
        .iter()
        .map(|row| (-(count(row) as i64), row["tag"].as_str().expect("tag")))
        .collect();
    assert!(tags.windows(2).all(|pair| pair[0] < pair[1]), "{tags:?}");
    let months: Vec<&str> =
        rows(&stats, "byMonth").iter().map(|row| row["month"].as_str().expect("month")).collect();
    assert!(months.windows(2).all(|pair| pair[0] < pair[1]), "{months:?}");
    assert!(months.iter().all(|month| month.len() == 7 && &month[4..5] == "-"), "{months:?}");
}

#[tokio::test]
async fn distinct_organisations_countries_and_follow_up_actions_match_the_cases_themselves() {
    let app = TestApp::spawn_with_samples().await;
    let stats = statistics(&app, &json!({}), EVERYTHING).await;
    let body = app
        .graphql(
            "{ cases(first: 100) { totalCount nodes { organisations { organisation { slug } } countries { code }
               followUpActions { id kind status } } } }",
        )
        .await;
    let cases = &body["data"]["cases"];
    assert!(cases["totalCount"].as_u64() <= Some(100), "one page holds every sample case");
    let (mut organisations, mut countries) = (BTreeSet::new(), BTreeSet::new());
    let mut actions: BTreeMap<String, (String, String)> = BTreeMap::new();
    for node in cases["nodes"].as_array().expect("nodes") {
        for link in node["organisations"].as_array().expect("organisations") {
            organisations.insert(link["organisation"]["slug"].to_string());
        }
        for country in node["countries"].as_array().expect("countries") {
            countries.insert(country["code"].to_string());
        }
        for action in node["followUpActions"].as_array().expect("actions") {
            actions
                .insert(action["id"].to_string(), (action["kind"].to_string(), action["status"].to_string()));
        }
    }
    assert_eq!(stats["organisationCount"].as_u64(), Some(organisations.len() as u64));
    assert_eq!(stats["countryCount"].as_u64(), Some(countries.len() as u64));
    let follow_up = &stats["followUpActions"];
    assert_eq!(follow_up["total"].as_u64(), Some(actions.len() as u64));
    assert!(!actions.is_empty());
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    for (kind, status) in actions.values() {
        *by_kind.entry(kind.clone()).or_default() += 1;
        *by_status.entry(status.clone()).or_default() += 1;
    }
    let reported = |field: &str, key: &str| -> BTreeMap<String, u64> {
        rows(follow_up, field).iter().map(|row| (row[key].to_string(), count(row))).collect()
    };
    assert_eq!(reported("byKind", "kind"), by_kind);
    assert_eq!(reported("byStatus", "status"), by_status);
}

#[tokio::test]
async fn the_filter_applies_to_every_group_including_a_search() {
    let app = TestApp::spawn_with_samples().await;
    let all = statistics(&app, &json!({}), "caseCount byTag(first: 1) { tag }").await;
    let top_tag = all["byTag"][0]["tag"].clone();
    for base in [
        json!({ "search": "logistics" }),
        json!({ "collections": ["wic-cbec-2024"] }),
        json!({ "tags": [top_tag], "isSample": true }),
    ] {
        let stats = cross_check(&app, &base).await;
        let case_count = stats["caseCount"].as_u64().expect("caseCount");
        assert!(case_count > 0 && Some(case_count) < all["caseCount"].as_u64(), "{base}: {case_count}");
    }
    let nothing = statistics(&app, &json!({ "search": "zqxjvbnm" }), EVERYTHING).await;
    assert_eq!(nothing["caseCount"], 0);
    assert_eq!(nothing["organisationCount"], 0);
    assert_eq!(nothing["followUpActions"]["total"], 0);
    for field in ["byCategory", "byOrganisationType", "byCountry", "byCollection", "byMonth", "byTag"] {
        assert!(rows(&nothing, field).is_empty(), "{field}: {nothing}");
    }
}

#[tokio::test]
async fn shares_are_count_over_case_count_and_add_up() {
    let app = TestApp::spawn_with_samples().await;
    let stats = statistics(&app, &json!({}), EVERYTHING).await;
    let case_count = stats["caseCount"].as_f64().expect("caseCount");
    for field in ["byCategory", "byOrganisationType", "byCountry", "byCollection"] {
        for row in rows(&stats, field) {
            let share = row["share"].as_f64().expect("share");
            assert!((share - count(row) as f64 / case_count).abs() < 1e-9, "{field}: {row}");
        }
    }
    let total = |field: &str| {
        rows(&stats, field).iter().map(|row| row["share"].as_f64().expect("share")).sum::<f64>()
    };
    assert!((total("byCategory") - 1.0).abs() < 1e-9);
    assert!((total("byCollection") - 1.0).abs() < 1e-9);
    assert!(total("byOrganisationType") <= 1.0 + 1e-9);
}

#[tokio::test]
async fn drafts_need_the_read_drafts_scope() {
    let app = TestApp::spawn_with_samples().await;
    for statuses in [json!(["DRAFT"]), json!(["PUBLISHED", "ARCHIVED"])] {
        let body = app
            .graphql_with(
                "query($filter: CaseFilter) { statistics(filter: $filter) { caseCount } }",
                json!({ "filter": { "statuses": statuses } }),
                &[],
            )
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    }

    // With the scope (given directly until partner keys exist), every status counts.
    let schema = build_schema(app.store.clone(), Default::default());
    let access = Access { read_drafts: true, write: false, admin: false };
    let request = async_graphql::Request::new(
        "{ statistics(filter: { statuses: [DRAFT, PUBLISHED, ARCHIVED] }) { caseCount } }",
    )
    .data(LocalePreference::empty())
    .data(access)
    .data(Loaders::new(&app.store, access.visible_statuses()));
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().expect("JSON");
    let all = app.store.case_count().await.expect("count");
    assert_eq!(data["statistics"]["caseCount"].as_u64(), Some(all));
}

#[tokio::test]
async fn first_outside_zero_to_250_is_bad_user_input() {
    let app = TestApp::spawn_with_samples().await;
    for selection in ["byCountry(first: 251) { count }", "byTag(first: -1) { count }"] {
        let body = app.graphql(&format!("{{ statistics {{ {selection} }} }}")).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{selection}: {body}");
    }
    let body = app.graphql("{ statistics { byCountry { count } byTag { count } } }").await;
    assert!(body["data"]["statistics"]["byCountry"].as_array().is_some_and(|rows| rows.len() <= 20));
    let body = app.graphql("{ statistics { byTag(first: 250) { count } } }").await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn labels_follow_the_request_locale_with_english_as_fallback() {
    let app = TestApp::spawn_with_samples().await;
    let reference = reference();
    let label = |vocabulary: &str, code: &Value, locale: &str| -> Value {
        reference[vocabulary]
            .as_array()
            .and_then(|terms| terms.iter().find(|term| term["code"] == *code || term["slug"] == *code))
            .map(|term| term[locale].clone())
            .expect("reference term")
    };
    let query =
        "{ statistics { byOrganisationType { type label } followUpActions { byKind { kind label } } } }";
    for (header, locale) in [("zh-CN", "zh"), ("ar", "ar"), ("fr", "en"), ("en", "en")] {
        let body = app.graphql_with(query, json!({}), &[("Accept-Language", header)]).await;
        let stats = &body["data"]["statistics"];
        for row in rows(stats, "byOrganisationType") {
            assert_eq!(row["label"], label("organisation_types", &row["type"], locale), "{header}: {row}");
        }
        for row in rows(&stats["followUpActions"], "byKind") {
            assert_eq!(
                row["label"],
                label("follow_up_action_kinds", &row["kind"], locale),
                "{header}: {row}"
            );
        }
    }
}

/// One published case in Iceland, tagged `statistics-test`, with its organisation.
fn new_case_file() -> Value {
    json!({
        "format": "casegraph",
        "formatVersion": 1,
        "organisations": [{
            "slug": "reykjavik-export-office",
            "organisationType": "GOVERNMENT",
            "country": "IS",
            "texts": { "en": { "name": "Reykjavik Export Office" } }
        }],
        "cases": [{
            "slug": "geothermal-greenhouse-exports",
            "collection": "wic-cbec-2025",
            "category": "logistics-integration",
            "status": "PUBLISHED",
            "industryChainLink": "GOVERNMENT",
            "publishedAt": "2025-06-15T12:00:00Z",
            "texts": { "en": { "title": "Geothermal greenhouse exports" } },
            "organisations": [{ "organisation": "reykjavik-export-office", "role": "LEAD" }],
            "countries": ["IS"],
            "tags": ["statistics-test"]
        }]
    })
}

#[tokio::test]
async fn an_import_shows_in_the_very_next_statistics_request() {
    let app = TestApp::spawn_with_samples().await;
    let selection = "caseCount organisationCount byCountry(first: 250) { country { code } count }
                     byTag(first: 250) { tag count } byMonth { month count }";
    let before = statistics(&app, &json!({}), selection).await;
    let again = statistics(&app, &json!({}), selection).await;
    assert_eq!(before, again, "a repeated request is answered the same (from the cache)");

    let path = app.database.file("new-case.json");
    std::fs::write(&path, new_case_file().to_string()).expect("file written");
    casegraph_ok(&app.database, &["import", path.to_str().expect("UTF-8 path")]);

    let after = statistics(&app, &json!({}), selection).await;
    assert_eq!(after["caseCount"].as_u64(), before["caseCount"].as_u64().map(|n| n + 1), "{after}");
    assert_eq!(after["organisationCount"].as_u64(), before["organisationCount"].as_u64().map(|n| n + 1));
    let iceland = rows(&after, "byCountry").iter().find(|row| row["country"]["code"] == "IS").expect("IS");
    assert_eq!(count(iceland), 1);
    assert!(rows(&after, "byTag").iter().any(|row| row["tag"] == "statistics-test" && count(row) == 1));
    let june =
        |stats: &Value| rows(stats, "byMonth").iter().find(|row| row["month"] == "2025-06").map_or(0, count);
    assert_eq!(june(&after), june(&before) + 1);
}

#[tokio::test]
async fn each_selected_group_costs_one_statement_and_a_cached_answer_costs_one() {
    let app = TestApp::spawn_with_samples().await;
    let cost = |query: &'static str| {
        let app = &app;
        async move {
            let before = app.store.statements_executed();
            let body = app.graphql(query).await;
            assert!(body["errors"].is_null(), "{body}");
            app.store.statements_executed() - before
        }
    };
    // The content version, then the group.
    assert_eq!(cost("{ statistics { byTag(first: 5) { tag count } } }").await, 2);
    // Again: only the content version.
    assert_eq!(cost("{ statistics { byTag(first: 5) { tag count } } }").await, 1);
    let dashboard = "{ statistics {
        caseCount organisationCount countryCount
        byCategory { category { slug name } count share }
        byOrganisationType { type label count share }
        byCountry(first: 15) { country { code name } count share }
        byCollection { collection { slug year } count }
        byMonth(field: PUBLISHED_AT) { month count }
        byTag(first: 10) { tag count }
        followUpActions { total byKind { kind label count } byStatus { status count } } } }";
    // Version + 12 statistics + the categories and collections loaders.
    assert_eq!(cost(dashboard).await, 15);
    assert_eq!(cost(dashboard).await, 1);
}

#[tokio::test]
async fn cases_seeded_in_process_show_in_the_very_next_statistics_request() {
    let app = TestApp::spawn_with_samples().await;
    let before = statistics(&app, &json!({ "isSample": true }), "caseCount").await;
    let options = casegraph::synthetic::SyntheticOptions { cases: 10, seed: 99 };
    let report = casegraph::synthetic::generate(&app.store, &options).await.expect("seeded");
    assert_eq!(report.cases, 10);
    let after = statistics(&app, &json!({ "isSample": true }), "caseCount").await;
    let listed = case_totals(&app, &[json!({ "isSample": true })]).await;
    assert_eq!(after["caseCount"].as_u64(), Some(listed[0]));
    assert!(after["caseCount"].as_u64() > before["caseCount"].as_u64(), "{before} → {after}");
}
