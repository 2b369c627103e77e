//! The example operations under `examples/queries/` run and answer sensibly, on a server
//! started exactly as shipped (anonymous budget and limits included).

use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::TestApp;

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/queries").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

async fn run(app: &TestApp, name: &str, variables: Value, locale: &str) -> Value {
    let body = app.graphql_with(&example(name), variables, &[("Accept-Language", locale)]).await;
    assert!(body["errors"].is_null(), "{name}: {body}");
    body["data"].clone()
}

#[tokio::test]
async fn the_partner_listing_pages_through_one_category_newest_first() {
    let app = TestApp::spawn_as_shipped().await;
    let category = "logistics-integration";
    let mut after = Value::Null;
    let mut seen = Vec::new();
    let mut total = None;
    loop {
        let data =
            run(&app, "partner-listing.graphql", json!({ "category": category, "after": after }), "en").await;
        let cases = &data["cases"];
        total = total.or(cases["totalCount"].as_u64());
        for node in cases["nodes"].as_array().expect("nodes") {
            assert_eq!(node["category"]["slug"], category);
            assert_eq!(node["locale"], "en");
            seen.push(node["publishedAt"].as_str().expect("published").to_owned());
        }
        if cases["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = cases["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(Some(seen.len() as u64), total);
    assert!(seen.windows(2).all(|pair| pair[0] >= pair[1]), "newest first");
}

#[tokio::test]
async fn the_case_detail_page_shows_one_case_in_arabic_when_it_has_arabic() {
    let app = TestApp::spawn_as_shipped().await;
    let list = app.graphql("{ cases(first: 100) { nodes { slug availableLocales } } }").await;
    let with_arabic = list["data"]["cases"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|node| {
            node["availableLocales"].as_array().is_some_and(|locales| locales.iter().any(|l| l == "ar"))
        })
        .expect("a sample case with Arabic text")["slug"]
        .clone();
    let data = run(&app, "case-detail.graphql", json!({ "slug": with_arabic }), "ar").await;
    let case = &data["case"];
    assert_eq!(case["slug"], with_arabic);
    assert_eq!(case["locale"], "ar");
    assert_eq!(case["direction"], "RTL");
    assert!(case["title"].as_str().is_some_and(|title| title.contains("عينة")), "{case}");
    assert!(!case["organisations"].as_array().expect("organisations").is_empty());
    assert!(
        case["relatedCases"].as_array().expect("related").iter().all(|other| other["slug"] != with_arabic)
    );
}

#[tokio::test]
async fn the_mobile_sync_gets_new_cases_and_drops_removed_ones_from_its_cursor() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = crate::editing::Editor::new(&app, "desk", "read,read:drafts,write");
    let publish =
        "mutation P($input: CaseVersionInput!) { publishCase(input: $input) { userErrors { code } } }";
    let archive =
        "mutation A($input: CaseVersionInput!) { archiveCase(input: $input) { userErrors { code } } }";
    let created = editor
        .ok(
            "createCase",
            &crate::editing::create_case(),
            crate::editing::new_case("sample-synced", "[Sample] Synced"),
        )
        .await;
    let id = created["case"]["id"].clone();
    editor.ok("publishCase", publish, json!({ "id": id, "expectedVersion": 1 })).await;

    let data = run(&app, "mobile-sync.graphql", json!({ "after": null }), "zh").await;
    let edges = data["changes"]["edges"].as_array().expect("edges").clone();
    assert_eq!(edges.len(), 1, "the draft's creation is not the app's business: {data}");
    let event = &edges[0]["node"];
    assert_eq!(event["kind"], "CREATED");
    assert_eq!(event["node"]["slug"], "sample-synced");
    assert_eq!(event["node"]["locale"], "en", "no Chinese text: English, and it says so");
    let cursor = data["changes"]["pageInfo"]["endCursor"].clone();
    assert_eq!(data["changes"]["latestCursor"], cursor);

    let nothing = run(&app, "mobile-sync.graphql", json!({ "after": cursor }), "zh").await;
    assert_eq!(nothing["changes"]["edges"], json!([]));
    assert!(nothing["changes"]["pageInfo"]["endCursor"].is_null(), "keep the old cursor");

    editor.ok("archiveCase", archive, json!({ "id": id, "expectedVersion": 2 })).await;
    let resumed = run(&app, "mobile-sync.graphql", json!({ "after": cursor }), "zh").await;
    let edges = resumed["changes"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["kind"], "REMOVED");
    assert_eq!(edges[0]["node"]["subjectId"], id);
    assert!(edges[0]["node"]["node"].is_null());
}

#[tokio::test]
async fn the_search_box_finds_ranked_results_with_highlights() {
    let app = TestApp::spawn_as_shipped().await;
    let data = run(&app, "search-box.graphql", json!({ "q": "sample logistics" }), "en").await;
    let edges = data["search"]["edges"].as_array().expect("edges");
    assert!(!edges.is_empty(), "{data}");
    assert!(data["search"]["totalCount"].as_u64() >= Some(edges.len() as u64));
    let scores: Vec<f64> = edges.iter().map(|edge| edge["score"].as_f64().expect("score")).collect();
    assert!(scores.windows(2).all(|pair| pair[0] >= pair[1]), "ranked: {scores:?}");
    assert!(edges.iter().any(|edge| {
        edge["highlights"].as_array().is_some_and(|marks| {
            marks
                .iter()
                .any(|mark| mark["snippet"].as_str().is_some_and(|snippet| snippet.contains("<mark>")))
        })
    }));
}

#[tokio::test]
async fn the_dashboard_gets_every_chart_in_one_round_trip_and_drills_down_by_filter() {
    let app = TestApp::spawn_as_shipped().await;
    let data = run(&app, "dashboard.graphql", json!({ "filter": null }), "zh").await;
    let stats = &data["statistics"];
    let cases = stats["caseCount"].as_u64().expect("caseCount");
    assert!(cases > 0, "{stats}");
    let by_collection: u64 = stats["byCollection"]
        .as_array()
        .expect("byCollection")
        .iter()
        .filter_map(|row| row["count"].as_u64())
        .sum();
    assert_eq!(by_collection, cases);
    assert!(stats["byCountry"].as_array().is_some_and(|rows| !rows.is_empty() && rows.len() <= 15));
    assert!(stats["byTag"].as_array().is_some_and(|rows| rows.len() <= 10));
    let label = stats["byOrganisationType"][0]["label"].as_str().expect("label");
    assert!(label.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese label: {label}");

    let slug = stats["byCollection"][0]["collection"]["slug"].clone();
    let drilled = run(&app, "dashboard.graphql", json!({ "filter": { "collections": [slug] } }), "en").await;
    assert_eq!(drilled["statistics"]["caseCount"], stats["byCollection"][0]["count"]);
}

fn mutation_example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mutations").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[tokio::test]
async fn every_editorial_task_of_the_examples_runs_under_the_shipped_defaults() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = crate::editing::Editor::new(&app, "editorial desk", "read,read:drafts,write,admin");
    let mut ran = Vec::new();
    let mut run = async |name: &'static str, variables: Value| -> Value {
        ran.push(name);
        let data = editor.call(&mutation_example(name), variables).await;
        let payload = data.as_object().and_then(|fields| fields.values().next()).cloned().unwrap_or_default();
        if payload.get("userErrors").is_some() {
            assert_eq!(payload["userErrors"], json!([]), "{name}: {data}");
        }
        payload
    };

    let draft = run(
        "create-a-draft.graphql",
        json!({ "input": { "slug": "sample-bonded-warehouse-pilot", "collection": "wic-cbec-2025",
            "category": "logistics-integration", "isSample": true,
            "translations": [{ "locale": "en", "title": "[Sample] Bonded warehouse pilot" },
                             { "locale": "ar", "title": "[عينة] مستودع" }] } }),
    )
    .await;
    let id = draft["case"]["id"].clone();
    let fixed = run(
        "fix-a-translation.graphql",
        json!({ "id": id, "expectedVersion": 1, "title": "[عينة] تجربة المستودع الجمركي" }),
    )
    .await;
    assert_eq!(fixed["case"]["version"], 2);
    let published = run("publish-a-case.graphql", json!({ "id": id, "expectedVersion": 2 })).await;
    assert_eq!(published["case"]["status"], "PUBLISHED");
    let action = run(
        "add-a-follow-up-action.graphql",
        json!({ "input": { "slug": "sample-warehouse-showcase", "kind": "SHOWCASE", "status": "PLANNED",
            "collection": "wic-cbec-2025", "isSample": true, "cases": ["sample-bonded-warehouse-pilot"],
            "translations": [{ "locale": "en", "title": "[Sample] Warehouse showcase" }] } }),
    )
    .await;
    assert_eq!(action["followUpAction"]["cases"], json!([{ "slug": "sample-bonded-warehouse-pilot" }]));
    let edition = run(
        "open-an-edition.graphql",
        json!({ "input": { "slug": "sample-edition-2026", "year": 2026,
            "translations": [{ "locale": "en", "title": "[Sample] Practice cases, 2026 edition" }],
            "categories": [{ "slug": "logistics-integration", "position": 1,
                             "translations": [{ "locale": "en", "name": "Logistics integration" }] }] } }),
    )
    .await;
    assert_eq!(edition["collection"]["year"], 2026);

    let organisation = "mutation M($input: CreateOrganisationInput!) { createOrganisation(input: $input) { organisation { id } userErrors { message } } }";
    let mut organisation_ids = Vec::new();
    for slug in ["sample-harbour-logistics", "sample-harbour-logistics-co"] {
        let input = json!({ "slug": slug, "type": "LOGISTICS", "isSample": true,
            "translations": [{ "locale": "en", "name": "[Sample] Harbour Logistics" }] });
        let data = editor.call(organisation, json!({ "input": input })).await;
        organisation_ids.push(data["createOrganisation"]["organisation"]["id"].clone());
    }
    let merged = run(
        "merge-duplicates.graphql",
        json!({ "keepId": organisation_ids[0], "expectedVersion": 1, "mergeIds": [organisation_ids[1]] }),
    )
    .await;
    assert_eq!(merged["mergedOrganisationIds"], json!([organisation_ids[1]]));
    let audit = run("read-the-audit-log.graphql", json!({ "subject": id })).await;
    let actions: Vec<&str> =
        audit["nodes"].as_array().expect("nodes").iter().filter_map(|node| node["action"].as_str()).collect();
    assert_eq!(actions, ["publishCase", "updateCase", "createCase"]);

    let mut files: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mutations"))
            .expect("examples/mutations")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".graphql"))
            .collect();
    files.sort();
    let mut ran: Vec<String> = ran.into_iter().map(str::to_owned).collect();
    ran.sort();
    assert_eq!(ran, files, "every example is run");
}
