//! The case list: filters, orderings, keyset pagination, visibility, lookups and batching.

use std::collections::HashSet;

use entity::{case, enums::CaseStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

const PAGE: &str = r#"query Page($first: Int, $after: String, $last: Int, $before: String, $filter: CaseFilter, $orderBy: CaseOrder) {
  cases(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id slug title status publishedAt updatedAt createdAt isSample sourcingMethod industryChainLink
      tags countries { code } organisations { role organisation { slug type } } category { slug } collection { slug } } }
  }
}"#;

async fn page(app: &TestApp, variables: Value) -> Value {
    let body = app.graphql_with(PAGE, variables, &[]).await;
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    body["data"]["cases"].clone()
}

fn slugs(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["slug"].as_str().expect("slug").to_owned())
        .collect()
}

fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"].as_array().expect("edges").iter().map(|edge| edge["node"].clone()).collect()
}

/// A predicate a filtered case must satisfy.
type Check = Box<dyn Fn(&Value) -> bool>;

async fn published_count(app: &TestApp) -> u64 {
    case::Entity::find()
        .filter(case::Column::Status.eq(CaseStatus::Published))
        .count(app.store.connection())
        .await
        .expect("count")
}

/// Walks a whole list forward with `size`-item pages, checking pageInfo on the way.
async fn walk_forward(app: &TestApp, size: i32, filter: Value, order: Value) -> Vec<String> {
    let mut all = Vec::new();
    let mut after = Value::Null;
    let mut first_page = true;
    loop {
        let connection =
            page(app, json!({ "first": size, "after": after, "filter": filter, "orderBy": order })).await;
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], !first_page, "hasPreviousPage on {connection}");
        all.extend(slugs(&connection));
        first_page = false;
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    all
}

/// Walks a whole list backward with `last` pages; returns it in list order.
async fn walk_backward(app: &TestApp, size: i32, filter: Value, order: Value) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    let mut before = Value::Null;
    let mut last_page = true;
    loop {
        let connection =
            page(app, json!({ "last": size, "before": before, "filter": filter, "orderBy": order })).await;
        assert_eq!(connection["pageInfo"]["hasNextPage"], !last_page, "hasNextPage on {connection}");
        let mut chunk = slugs(&connection);
        chunk.extend(all);
        all = chunk;
        last_page = false;
        if connection["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = connection["pageInfo"]["startCursor"].clone();
    }
    all
}

#[tokio::test]
async fn the_default_list_is_published_cases_newest_first_with_an_exact_total() {
    let app = TestApp::spawn_with_samples().await;
    let connection = page(&app, json!({ "first": 100 })).await;
    let expected = published_count(&app).await;
    assert!(expected > 20, "the sample set should have enough published cases");
    assert_eq!(connection["totalCount"].as_u64(), Some(expected));
    let list = nodes(&connection);
    assert_eq!(list.len() as u64, expected);
    assert!(list.iter().all(|node| node["status"] == "PUBLISHED"));
    let dates: Vec<&str> = list.iter().map(|node| node["publishedAt"].as_str().expect("published")).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert_eq!(connection["pageInfo"]["hasNextPage"], false);
    assert_eq!(connection["pageInfo"]["hasPreviousPage"], false);
}

#[tokio::test]
async fn paging_forward_and_backward_visits_every_case_once_in_every_order() {
    let app = TestApp::spawn_with_samples().await;
    for field in ["PUBLISHED_AT", "UPDATED_AT", "CREATED_AT", "TITLE"] {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction });
            let whole = slugs(&page(&app, json!({ "first": 100, "orderBy": order })).await);
            let forward = walk_forward(&app, 7, Value::Null, order.clone()).await;
            assert_eq!(forward, whole, "forward walk by {field} {direction}");
            let backward = walk_backward(&app, 6, Value::Null, order.clone()).await;
            assert_eq!(backward, whole, "backward walk by {field} {direction}");
            let unique: HashSet<&String> = whole.iter().collect();
            assert_eq!(unique.len(), whole.len());
        }
    }
}

#[tokio::test]
async fn orderings_sort_by_their_field() {
    let app = TestApp::spawn_with_samples().await;
    for (field, key) in [("UPDATED_AT", "updatedAt"), ("CREATED_AT", "createdAt"), ("TITLE", "title")] {
        let connection =
            page(&app, json!({ "first": 100, "orderBy": { "field": field, "direction": "ASC" } })).await;
        let values: Vec<String> =
            nodes(&connection).iter().map(|node| node[key].as_str().expect("value").to_owned()).collect();
        let mut sorted = values.clone();
        sorted.sort();
        assert_eq!(values, sorted, "{field}");
    }
}

#[tokio::test]
async fn drafts_and_archived_cases_need_the_read_drafts_scope() {
    let app = TestApp::spawn_with_samples().await;
    for statuses in [json!(["DRAFT"]), json!(["PUBLISHED", "ARCHIVED"])] {
        let body = app.graphql_with(PAGE, json!({ "filter": { "statuses": statuses } }), &[]).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    }
    let draft = case::Entity::find()
        .filter(case::Column::Status.eq(CaseStatus::Draft))
        .one(app.store.connection())
        .await
        .expect("query")
        .expect("the sample set has drafts");
    let body = app
        .graphql_with(
            "query($slug: String!) { case(slug: $slug) { slug } }",
            json!({ "slug": draft.slug }),
            &[],
        )
        .await;
    assert_eq!(body["data"]["case"], Value::Null);
}

#[tokio::test]
async fn every_filter_key_narrows_the_list_to_matching_cases() {
    let app = TestApp::spawn_with_samples().await;
    let all = nodes(&page(&app, json!({ "first": 100 })).await);
    let sample = &all[0];
    let country = sample["countries"][0]["code"].as_str().expect("country").to_owned();
    let tag = sample["tags"][0].as_str().expect("tag").to_owned();
    let organisation = sample["organisations"][0]["organisation"]["slug"].as_str().expect("org").to_owned();
    let category = sample["category"]["slug"].as_str().expect("category").to_owned();
    let collection = sample["collection"]["slug"].as_str().expect("collection").to_owned();
    let checks: Vec<(Value, Check)> = vec![
        (
            json!({ "countries": [country.to_lowercase()] }),
            Box::new(move |n: &Value| {
                n["countries"].as_array().is_some_and(|cs| cs.iter().any(|c| c["code"] == country.as_str()))
            }),
        ),
        (
            json!({ "tags": [tag] }),
            Box::new(move |n: &Value| {
                n["tags"].as_array().is_some_and(|ts| ts.iter().any(|t| t == tag.as_str()))
            }),
        ),
        (
            json!({ "organisations": [organisation] }),
            Box::new(move |n: &Value| {
                n["organisations"]
                    .as_array()
                    .is_some_and(|os| os.iter().any(|o| o["organisation"]["slug"] == organisation.as_str()))
            }),
        ),
        (
            json!({ "categories": [category], "collections": [collection] }),
            Box::new(move |n: &Value| {
                n["category"]["slug"] == category.as_str() && n["collection"]["slug"] == collection.as_str()
            }),
        ),
        (
            json!({ "organisationTypes": ["LOGISTICS", "FINANCE"] }),
            Box::new(|n: &Value| {
                n["industryChainLink"] == "LOGISTICS" || n["industryChainLink"] == "FINANCE"
            }),
        ),
        (
            json!({ "sourcingMethods": ["FIELD_SURVEY"] }),
            Box::new(|n: &Value| n["sourcingMethod"] == "FIELD_SURVEY"),
        ),
        (json!({ "isSample": true }), Box::new(|n: &Value| n["isSample"] == true)),
    ];
    for (filter, holds) in checks {
        let connection = page(&app, json!({ "first": 100, "filter": filter })).await;
        let matched = nodes(&connection);
        let expected: Vec<&Value> = all.iter().filter(|node| holds(node)).collect();
        assert!(!matched.is_empty(), "{filter} matched nothing");
        assert!(matched.iter().all(&holds), "{filter} let a non-matching case through");
        assert_eq!(matched.len(), expected.len(), "{filter} missed matching cases");
        assert_eq!(connection["totalCount"].as_u64(), Some(matched.len() as u64));
    }
    let none = page(&app, json!({ "filter": { "isSample": false } })).await;
    assert_eq!(none["totalCount"], 0);
}

#[tokio::test]
async fn date_filters_bound_publication_and_update_times() {
    let app = TestApp::spawn_with_samples().await;
    let all = nodes(&page(&app, json!({ "first": 100 })).await);
    let middle = all[all.len() / 2]["publishedAt"].as_str().expect("date").to_owned();
    let after = nodes(&page(&app, json!({ "first": 100, "filter": { "publishedAfter": middle } })).await);
    let before = nodes(&page(&app, json!({ "first": 100, "filter": { "publishedBefore": middle } })).await);
    assert!(after.iter().all(|node| node["publishedAt"].as_str() >= Some(middle.as_str())));
    assert!(before.iter().all(|node| node["publishedAt"].as_str() < Some(middle.as_str())));
    assert_eq!(after.len() + before.len(), all.len());
    let since = all[0]["updatedAt"].as_str().expect("date").to_owned();
    let updated = nodes(&page(&app, json!({ "first": 100, "filter": { "updatedSince": since } })).await);
    assert!(!updated.is_empty());
    assert!(updated.iter().all(|node| node["updatedAt"].as_str() >= Some(since.as_str())));
}

#[tokio::test]
async fn bad_page_arguments_and_cursors_are_typed_client_errors() {
    let app = TestApp::spawn_with_samples().await;
    let first_page = page(&app, json!({ "first": 2 })).await;
    let cursor = first_page["pageInfo"]["endCursor"].clone();
    for variables in [
        json!({ "first": 101 }),
        json!({ "first": -1 }),
        json!({ "last": 500 }),
        json!({ "first": 2, "last": 2 }),
        json!({ "after": "not-a-cursor" }),
        json!({ "after": "eyJvIjoieCJ9" }),
        json!({ "after": cursor, "orderBy": { "field": "TITLE", "direction": "ASC" } }),
        json!({ "orderBy": { "field": "RELEVANCE", "direction": "DESC" } }),
        json!({ "filter": { "countries": ["China"] } }),
    ] {
        let body = app.graphql_with(PAGE, variables.clone(), &[]).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{variables} gave {body}");
    }
}

#[tokio::test]
async fn nested_case_lists_are_scoped_to_their_parent() {
    let app = TestApp::spawn_with_samples().await;
    let body = app
        .graphql(
            r#"{ collection(slug: "wic-cbec-2024") { cases(first: 100) { totalCount nodes { collection { slug } } } }
                 category(slug: "logistics-integration", collection: "wic-cbec-2025") {
                   cases(first: 100) { totalCount nodes { category { slug } collection { slug } } } } }"#,
        )
        .await;
    let in_collection = &body["data"]["collection"]["cases"];
    assert!(in_collection["totalCount"].as_u64() > Some(0), "{body}");
    assert!(
        in_collection["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .all(|n| n["collection"]["slug"] == "wic-cbec-2024")
    );
    let in_category = &body["data"]["category"]["cases"];
    assert!(in_category["nodes"].as_array().expect("nodes").iter().all(|n| {
        n["category"]["slug"] == "logistics-integration" && n["collection"]["slug"] == "wic-cbec-2025"
    }));
    let any = nodes(&page(&app, json!({ "first": 1 })).await);
    let organisation = any[0]["organisations"][0]["organisation"]["slug"].as_str().expect("org").to_owned();
    let body = app
        .graphql_with(
            "query($slug: String!) { organisation(slug: $slug) { slug cases(first: 100) { totalCount nodes { organisations { organisation { slug } } } } } }",
            json!({ "slug": organisation }),
            &[],
        )
        .await;
    let cases = &body["data"]["organisation"]["cases"];
    assert!(cases["totalCount"].as_u64() >= Some(1), "{body}");
    assert!(cases["nodes"].as_array().expect("nodes").iter().all(|n| {
        n["organisations"]
            .as_array()
            .is_some_and(|os| os.iter().any(|o| o["organisation"]["slug"] == organisation.as_str()))
    }));
}

#[tokio::test]
async fn node_and_nodes_resolve_global_ids_in_order() {
    let app = TestApp::spawn_with_samples().await;
    let first = nodes(&page(&app, json!({ "first": 2 })).await);
    let body = app.graphql(r#"{ collections { id } categories(collection: "wic-cbec-2024") { id } }"#).await;
    let collection_id = body["data"]["collections"][0]["id"].clone();
    let category_id = body["data"]["categories"][0]["id"].clone();
    let ids =
        json!([first[0]["id"], "bm9wZQ", collection_id, first[1]["id"], category_id, "Q2FzZTo5OTk5OTk"]);
    let body = app
        .graphql_with(
            r#"query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Case { slug } } }"#,
            json!({ "ids": ids }),
            &[],
        )
        .await;
    let found = body["data"]["nodes"].as_array().expect("nodes");
    assert_eq!(found.len(), 6);
    assert_eq!(found[0]["slug"], first[0]["slug"]);
    assert_eq!(found[1], Value::Null);
    assert_eq!(found[2]["__typename"], "Collection");
    assert_eq!(found[3]["slug"], first[1]["slug"]);
    assert_eq!(found[4]["__typename"], "Category");
    assert_eq!(found[5], Value::Null);
    let single = app
        .graphql_with("query($id: ID!) { node(id: $id) { id } }", json!({ "id": first[0]["id"] }), &[])
        .await;
    assert_eq!(single["data"]["node"]["id"], first[0]["id"]);
}

#[tokio::test]
async fn a_case_is_found_by_slug_with_its_relations_and_related_cases() {
    let app = TestApp::spawn_with_samples().await;
    let first = nodes(&page(&app, json!({ "first": 1 })).await);
    let slug = first[0]["slug"].as_str().expect("slug");
    let body = app
        .graphql_with(
            r#"query($slug: String!) { case(slug: $slug) { slug title locale direction availableLocales
                 collection { slug } category { slug name } organisations { role organisation { slug name } }
                 relatedCases(first: 4) { slug } } }"#,
            json!({ "slug": slug }),
            &[("Accept-Language", "zh")],
        )
        .await;
    let found = &body["data"]["case"];
    assert_eq!(found["slug"], slug, "{body}");
    assert_eq!(found["organisations"][0]["role"], "LEAD");
    let related = found["relatedCases"].as_array().expect("related");
    assert!(related.len() <= 4);
    assert!(related.iter().all(|other| other["slug"] != slug));
    let locales = found["availableLocales"].as_array().expect("locales");
    let expected = if locales.iter().any(|locale| locale == "zh") { "zh" } else { "en" };
    assert_eq!(found["locale"], expected);
    let missing = app.graphql(r#"{ case(slug: "no-such-case") { slug } }"#).await;
    assert!(missing.get("errors").is_none(), "{missing}");
    assert_eq!(missing["data"], json!({ "case": null }));
}

#[tokio::test]
async fn a_nested_page_costs_the_same_statements_for_5_or_100_cases() {
    let app = TestApp::spawn_with_samples().await;
    let query = |first: u32| {
        format!(
            "{{ cases(first: {first}) {{ nodes {{ category {{ name }} collection {{ title }} \
             organisations {{ organisation {{ name country {{ name }} }} }} countries {{ name }} \
             followUpActions {{ title }} }} }} }}"
        )
    };
    // A first request reads the catalogue into memory (collections and categories); the
    // measured ones find it there, so only the page size differs between them.
    assert!(app.graphql(&query(1)).await["errors"].is_null());
    let mut costs = Vec::new();
    for first in [5, 100] {
        let before = app.store.statements_executed();
        let body = app.graphql(&query(first)).await;
        assert!(body["errors"].is_null(), "{body}");
        costs.push(app.store.statements_executed() - before);
    }
    assert_eq!(costs[0], costs[1], "statements for 5 vs 100 cases: {costs:?}");
    assert!(costs[1] <= 8, "a nested page ran {} statements", costs[1]);
}

/// Everything a case shows through its relations, for comparing two ways of reading them.
const CASE_FIELDS: &str = "fragment CaseFields on Case { slug title summary body tags
  category { slug name } collection { slug title }
  organisations { role organisation { slug name description type country { code } } }
  countries { code name } }";

#[tokio::test]
async fn relations_read_ahead_for_a_list_are_those_the_loaders_read_one_by_one() {
    let app = TestApp::spawn_with_samples().await;
    // Pages read their cases' relations ahead, whether the selection is inline, behind a
    // fragment, under `nodes` or under `edges`; `nodes(ids:)` reads them field by field.
    let inline = app
        .graphql(
            "{ cases(first: 30) { nodes { slug title summary body tags category { slug name } \
             collection { slug title } organisations { role organisation { slug name description type \
             country { code } } } countries { code name } } } }",
        )
        .await;
    assert!(inline["errors"].is_null(), "{inline}");
    let listed = inline["data"]["cases"]["nodes"].as_array().expect("nodes").clone();
    assert!(listed.len() >= 10, "the samples give a page: {inline}");
    assert!(listed.iter().any(|case| !case["organisations"].as_array().expect("list").is_empty()));

    let edges = app
        .graphql(&format!("{{ cases(first: 30) {{ edges {{ node {{ ...CaseFields }} }} }} }} {CASE_FIELDS}"))
        .await;
    let through_edges: Vec<Value> = edges["data"]["cases"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .collect();
    assert_eq!(through_edges, listed);

    let ids = app.graphql("{ cases(first: 30) { nodes { id } } }").await["data"]["cases"]["nodes"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|node| node["id"].clone())
        .collect::<Vec<_>>();
    let one_by_one = app
        .graphql_with(
            &format!("query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ...CaseFields }} }} {CASE_FIELDS}"),
            json!({ "ids": ids }),
            &[],
        )
        .await;
    assert_eq!(one_by_one["data"]["nodes"].as_array().expect("nodes"), &listed);

    // The same for the one case of `case(slug:)`, in another locale.
    let slug = listed[0]["slug"].as_str().expect("slug");
    let by_slug = app
        .graphql_with(
            &format!("query($slug: String!) {{ case(slug: $slug) {{ ...CaseFields }} }} {CASE_FIELDS}"),
            json!({ "slug": slug }),
            &[("Accept-Language", "ar")],
        )
        .await;
    let by_id = app
        .graphql_with(
            &format!("query($id: ID!) {{ node(id: $id) {{ ...CaseFields }} }} {CASE_FIELDS}"),
            json!({ "id": ids[0] }),
            &[("Accept-Language", "ar")],
        )
        .await;
    assert!(by_slug["errors"].is_null(), "{by_slug}");
    assert_eq!(by_slug["data"]["case"], by_id["data"]["node"]);
}

#[tokio::test]
async fn a_case_by_slug_reads_each_relation_once_whatever_its_selection_shape() {
    let app = TestApp::spawn_with_samples().await;
    let slug =
        app.graphql("{ cases(first: 1) { nodes { slug } } }").await["data"]["cases"]["nodes"][0]["slug"]
            .as_str()
            .expect("slug")
            .to_owned();
    let statements = |query: String| {
        let app = &app;
        let slug = slug.clone();
        async move {
            let before = app.store.statements_executed();
            let body = app.graphql_with(&query, json!({ "slug": slug }), &[]).await;
            assert!(body["errors"].is_null(), "{body}");
            app.store.statements_executed() - before
        }
    };
    let inline = statements(
        "query($slug: String!) { case(slug: $slug) { slug organisations { organisation { name } } \
         countries { code } tags } }"
            .to_owned(),
    )
    .await;
    let fragments = statements(
        "query($slug: String!) { case(slug: $slug) { ...A ... on Case { countries { code } } \
         again: organisations { role } } } fragment A on Case { organisations { organisation { name } } tags }"
            .to_owned(),
    )
    .await;
    // The case, its organisations, its countries, its tags: one statement each.
    assert_eq!(inline, 4, "statements of the inline selection");
    assert_eq!(fragments, inline, "statements with fragments and aliases");
    // Their SQL texts are kept by shape after the first request (store::statement::Shapes;
    // debug builds check every kept text against a fresh build).
    let shapes = app.store.shapes();
    assert!(shapes.is_kept("case_by_slug_brief", 1));
    for relation in ["case_organisations_brief", "case_countries", "case_tags"] {
        assert!(shapes.is_kept(relation, 1), "{relation}");
    }
}

/// The fields of a case (and of its organisations) a brief read answers.
const BRIEF_FIELDS: &str = "id slug title status isSample publishedAt locale direction availableLocales
  tags countries { code } category { slug } collection { slug }
  organisations { role organisation { id slug name locale availableLocales } }";

#[tokio::test]
async fn a_list_read_briefly_shows_what_a_full_read_shows() {
    let app = TestApp::spawn_with_samples().await;
    // Selecting only brief fields reads the cases and their organisations briefly; one more
    // field of either reads them in full. The fields both show are the same, in every order.
    for order in ["PUBLISHED_AT", "UPDATED_AT", "TITLE"] {
        let brief = app
            .graphql(&format!("{{ cases(first: 40, orderBy: {{field: {order}, direction: DESC}}) {{ nodes {{ {BRIEF_FIELDS} }} }} }}"))
            .await;
        assert!(brief["errors"].is_null(), "{brief}");
        let full = app
            .graphql(&format!(
                "{{ cases(first: 40, orderBy: {{field: {order}, direction: DESC}}) {{ nodes {{ {BRIEF_FIELDS} version coverImageUrl \
                 organisations {{ organisation {{ description website }} }} }} }} }}"
            ))
            .await;
        assert!(full["errors"].is_null(), "{full}");
        let brief = brief["data"]["cases"]["nodes"].as_array().expect("brief nodes").clone();
        let full = full["data"]["cases"]["nodes"].as_array().expect("full nodes").clone();
        assert!(brief.len() > 5, "the samples fill a page");
        assert_eq!(brief.len(), full.len());
        for (brief, full) in brief.iter().zip(&full) {
            for field in
                ["id", "slug", "title", "status", "isSample", "publishedAt", "locale", "availableLocales"]
            {
                assert_eq!(brief[field], full[field], "{order}: {field} of {}", brief["slug"]);
            }
            let names = |case: &Value| -> Vec<Value> {
                case["organisations"]
                    .as_array()
                    .expect("organisations")
                    .iter()
                    .map(|entry| {
                        let organisation = &entry["organisation"];
                        json!([
                            entry["role"],
                            organisation["id"],
                            organisation["slug"],
                            organisation["name"],
                            organisation["availableLocales"]
                        ])
                    })
                    .collect()
            };
            assert_eq!(names(brief), names(full), "{order}: organisations of {}", brief["slug"]);
        }
    }
    // The organisations were read both ways (by shape: brief and full statement texts).
    let listed = app.graphql("{ cases(first: 40) { nodes { slug } } }").await["data"]["cases"]["nodes"]
        .as_array()
        .map_or(0, Vec::len);
    let shapes = app.store.shapes();
    assert!(shapes.is_kept("case_organisations_brief", listed));
    assert!(shapes.is_kept("case_organisations", listed));

    // In Arabic, with the case read briefly, and through `node` (always read in full).
    let slug =
        app.graphql("{ cases(first: 1) { nodes { slug } } }").await["data"]["cases"]["nodes"][0]["slug"]
            .as_str()
            .expect("slug")
            .to_owned();
    let by_slug = app
        .graphql_with(
            &format!("query($slug: String!) {{ case(slug: $slug) {{ {BRIEF_FIELDS} }} }}"),
            json!({ "slug": slug }),
            &[("Accept-Language", "ar")],
        )
        .await;
    assert!(by_slug["errors"].is_null(), "{by_slug}");
    let id = by_slug["data"]["case"]["id"].clone();
    let by_id = app
        .graphql_with(
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on Case {{ {BRIEF_FIELDS} }} }} }}"),
            json!({ "id": id }),
            &[("Accept-Language", "ar")],
        )
        .await;
    assert_eq!(by_slug["data"]["case"], by_id["data"]["node"]);
}

#[tokio::test]
async fn brief_rows_are_the_full_rows_cut_short() {
    use entity::organisation;

    use casegraph::store::brief::Detail;

    let app = TestApp::spawn_with_samples().await;
    let connection = app.store.connection();
    let ids: Vec<i64> =
        case::Entity::find().all(connection).await.expect("cases").iter().map(|c| c.id).collect();
    let full = app.store.cases_by_ids_with(&ids, Detail::Full).await.expect("full");
    let brief = app.store.cases_by_ids_with(&ids, Detail::Brief).await.expect("brief");
    assert_eq!(full.len(), brief.len());
    for (full, brief) in full.iter().zip(&brief) {
        assert_eq!(brief.detail, Detail::Brief);
        let (f, b) = (&full.model, &brief.model);
        assert_eq!(
            (b.id, &b.slug, b.collection_id, b.category_id, b.status, b.is_sample, b.published_at),
            (f.id, &f.slug, f.collection_id, f.category_id, f.status, f.is_sample, f.published_at)
        );
        let titles = |record: &casegraph::store::cases::CaseRecord| -> Vec<(String, String)> {
            record.translations.iter().map(|text| (text.locale.clone(), text.title.clone())).collect()
        };
        assert_eq!(titles(brief), titles(full));
        assert!(brief.translations.iter().all(|text| text.summary.is_none() && text.body.is_none()));
        assert!(brief.translations.iter().all(|text| text.case_id == b.id), "texts owned by their case");
    }

    let full = app.store.case_organisations(&ids, Detail::Full).await.expect("full");
    let brief = app.store.case_organisations(&ids, Detail::Brief).await.expect("brief");
    assert!(!full.is_empty(), "the samples have organisations");
    assert_eq!(full.keys().collect::<HashSet<_>>(), brief.keys().collect::<HashSet<_>>());
    let stored = organisation::Entity::find().all(connection).await.expect("organisations");
    for (case_id, full) in &full {
        let brief = &brief[case_id];
        assert_eq!(full.len(), brief.len());
        for (full, brief) in full.iter().zip(brief) {
            assert_eq!(brief.role, full.role);
            assert_eq!(brief.organisation.detail, Detail::Brief);
            assert_eq!(full.organisation.detail, Detail::Full);
            assert!(stored.contains(&full.organisation.model));
            assert_eq!(
                (brief.organisation.model.id, &brief.organisation.model.slug),
                (full.organisation.model.id, &full.organisation.model.slug)
            );
            let names = |record: &casegraph::store::records::OrganisationRecord| -> Vec<(String, String)> {
                record.translations.iter().map(|text| (text.locale.clone(), text.name.clone())).collect()
            };
            assert_eq!(names(&brief.organisation), names(&full.organisation));
            let id = brief.organisation.model.id;
            assert!(brief.organisation.translations.iter().all(|text| text.organisation_id == id));
        }
    }
}

#[tokio::test]
async fn rows_read_by_position_are_the_entities_read_by_name() {
    use entity::{
        case_translation, category, collection, follow_up_action, follow_up_action_translation, organisation,
        organisation_translation,
    };
    use sea_orm::QueryOrder;

    let app = TestApp::spawn_with_samples().await;
    let connection = app.store.connection();
    let cases = case::Entity::find().order_by_asc(case::Column::Id).all(connection).await.expect("cases");
    let ids: Vec<i64> = cases.iter().map(|model| model.id).collect();
    let read = app.store.cases_by_ids(&ids).await.expect("by position");
    assert_eq!(read.iter().map(|record| record.model.clone()).collect::<Vec<_>>(), cases);
    let texts = case_translation::Entity::find().all(connection).await.expect("texts");
    for record in &read {
        assert_eq!(
            record.translations.len(),
            texts.iter().filter(|text| text.case_id == record.model.id).count()
        );
        assert!(record.translations.iter().all(|text| texts.contains(text)));
    }

    let organisations = organisation::Entity::find().all(connection).await.expect("organisations");
    let ids: Vec<i64> = organisations.iter().map(|model| model.id).collect();
    let read = app.store.organisations_by_ids(&ids).await.expect("by position");
    let texts = organisation_translation::Entity::find().all(connection).await.expect("texts");
    assert_eq!(read.len(), organisations.len());
    for record in &read {
        assert!(organisations.contains(&record.model));
        let count = texts.iter().filter(|text| text.organisation_id == record.model.id).count();
        assert_eq!(record.translations.len(), count);
        assert!(record.translations.iter().all(|text| texts.contains(text)));
    }

    let actions = follow_up_action::Entity::find().all(connection).await.expect("actions");
    assert!(!actions.is_empty(), "the samples have follow-up actions");
    let ids: Vec<i64> = actions.iter().map(|model| model.id).collect();
    let read = app.store.follow_up_actions_by_ids(&ids).await.expect("by position");
    let texts = follow_up_action_translation::Entity::find().all(connection).await.expect("texts");
    assert_eq!(read.len(), actions.len());
    for record in &read {
        assert!(actions.contains(&record.model));
        let count = texts.iter().filter(|text| text.follow_up_action_id == record.model.id).count();
        assert_eq!(record.translations.len(), count);
        assert!(record.translations.iter().all(|text| texts.contains(text)));
    }

    let collections = collection::Entity::find().all(connection).await.expect("collections");
    let read = app.store.collections().await.expect("by position");
    assert_eq!(read.len(), collections.len());
    assert!(read.iter().all(|record| collections.contains(&record.model)));
    let categories = category::Entity::find().all(connection).await.expect("categories");
    let read = app.store.categories(None).await.expect("by position");
    assert_eq!(read.len(), categories.len());
    assert!(read.iter().all(|record| categories.contains(&record.model)));
}

#[tokio::test]
async fn a_page_ordered_by_a_case_column_is_read_in_one_statement() {
    let app = TestApp::spawn_with_samples().await;
    let statements = |query: &'static str| {
        let app = &app;
        async move {
            let before = app.store.statements_executed();
            let body = app.graphql(query).await;
            assert!(body["errors"].is_null(), "{body}");
            (app.store.statements_executed() - before, body)
        }
    };
    // The page's ids are a subquery of the statement that reads its cases and titles.
    let (newest, forward) = statements(
        "{ cases(first: 5, orderBy: {field: UPDATED_AT, direction: ASC}) { nodes { slug title } } }",
    )
    .await;
    assert_eq!(newest, 1);
    let (_, backward) = statements(
        "{ cases(last: 5, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { slug title } } }",
    )
    .await;
    let mut reversed = backward["data"]["cases"]["nodes"].as_array().expect("nodes").clone();
    reversed.reverse();
    assert_eq!(&reversed, forward["data"]["cases"]["nodes"].as_array().expect("nodes"));
    // A computed order (titles in the request's locale) finds the page first, then reads it.
    let (by_title, _) =
        statements("{ cases(first: 5, orderBy: {field: TITLE, direction: ASC}) { nodes { slug title } } }")
            .await;
    assert_eq!(by_title, 2);
}
