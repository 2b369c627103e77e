//! Statistics rollups: every write path keeps them equal to a recomputation from the base
//! tables (`casegraph verify`), and the statistics read from them equal the statistics
//! computed from the base tables.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::editing::{Editor, create_case, update_case};
use crate::helpers::{TestApp, casegraph, casegraph_ok};

const COUNTRIES: [&str; 6] = ["CN", "US", "DE", "BR", "KE", "AE"];
const TAGS: [&str; 4] = ["payments", "logistics", "returns", "training"];
const TYPES: [&str; 4] = ["LOGISTICS", "SELLER", "FINANCE", "TRADING_PLATFORM"];

const DASHBOARD: &str = "query Dashboard($filter: CaseFilter) { statistics(filter: $filter) {
    caseCount organisationCount countryCount
    byCategory { category { slug } count share }
    byOrganisationType { type count share }
    byCountry(first: 4) { country { code } count }
    byCollection { collection { slug } count }
    byPublished: byMonth(field: PUBLISHED_AT) { month count }
    byCreated: byMonth(field: CREATED_AT) { month count }
    byTag(first: 3) { tag count }
    followUpActions { total byKind { kind count } byStatus { status count } } } }";

/// What the test knows of one object it made.
#[derive(Clone, Debug)]
struct Made {
    id: String,
    slug: String,
    version: i64,
    status: String,
}

struct World<'a> {
    editor: Editor<'a>,
    random: ChaCha8Rng,
    categories: Vec<String>,
    cases: Vec<Made>,
    organisations: Vec<Made>,
    actions: Vec<Made>,
    serial: u32,
}

fn pick<'b, T>(random: &mut ChaCha8Rng, items: &'b [T]) -> &'b T {
    &items[random.random_range(0..items.len())]
}

fn some<T: Clone>(random: &mut ChaCha8Rng, items: &[T], most: usize) -> Vec<T> {
    let count = random.random_range(0..=most.min(items.len()));
    let mut chosen: Vec<T> = Vec::new();
    let mut indexes: Vec<usize> = (0..items.len()).collect();
    for _ in 0..count {
        let index = indexes.remove(random.random_range(0..indexes.len()));
        chosen.push(items[index].clone());
    }
    chosen
}

fn made(payload: &Value, key: &str) -> Made {
    let object = &payload[key];
    Made {
        id: object["id"].as_str().expect("id").to_owned(),
        slug: object["slug"].as_str().expect("slug").to_owned(),
        version: object["version"].as_i64().expect("version"),
        status: object["status"].as_str().unwrap_or_default().to_owned(),
    }
}

impl World<'_> {
    /// `made` with its current version and status (other writes may have changed them).
    async fn current(&self, made: &Made) -> Made {
        let query = "query($id: ID!) { node(id: $id) {
            ... on Case { id slug version status }
            ... on Organisation { id slug version }
            ... on FollowUpAction { id slug version } } }";
        let data = self.editor.call(query, json!({ "id": made.id })).await;
        self::made(&data, "node")
    }

    fn next_slug(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!("{prefix}-{}", self.serial)
    }

    fn case_links(&mut self) -> Value {
        let organisations: Vec<Value> = some(&mut self.random, &self.organisations, 3)
            .into_iter()
            .enumerate()
            .map(|(index, organisation)| {
                json!({ "organisation": organisation.slug, "role": if index == 0 { "LEAD" } else { "PARTNER" } })
            })
            .collect();
        json!({
            "category": pick(&mut self.random, &self.categories).clone(),
            "industryChainLink": if self.random.random_bool(0.3) { Value::Null } else { json!(pick(&mut self.random, &TYPES)) },
            "organisations": organisations,
            "countries": some(&mut self.random, &COUNTRIES, 3),
            "tags": some(&mut self.random, &TAGS, 3),
        })
    }

    async fn create_organisation(&mut self) {
        let slug = self.next_slug("synthetic-organisation");
        let query = "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) {
            organisation { id slug version } userErrors { field code message } } }";
        let kind = *pick(&mut self.random, &TYPES);
        let input = json!({ "slug": slug, "type": kind, "isSample": true,
            "translations": [{ "locale": "en", "name": format!("[Synthetic] {slug}") }] });
        let payload = self.editor.ok("createOrganisation", query, input).await;
        self.organisations.push(made(&payload, "organisation"));
    }

    async fn create_case(&mut self) {
        let slug = self.next_slug("synthetic-case");
        let mut input = self.case_links();
        input["slug"] = json!(slug);
        input["collection"] = json!("wic-cbec-2025");
        input["isSample"] = json!(true);
        input["translations"] = json!([{ "locale": "en", "title": format!("[Synthetic] {slug}"), "summary": "[Synthetic] A test case." }]);
        let payload = self.editor.ok("createCase", &create_case(), input).await;
        self.cases.push(made(&payload, "case"));
    }

    async fn update_case(&mut self) {
        let index = self.random.random_range(0..self.cases.len());
        let mut input = self.case_links();
        // Change only some of the fields.
        for field in ["category", "industryChainLink", "organisations", "countries", "tags"] {
            if self.random.random_bool(0.5) {
                input.as_object_mut().expect("object").remove(field);
            }
        }
        if input.get("category").is_none() && input.get("industryChainLink") == Some(&Value::Null) {
            input.as_object_mut().expect("object").remove("industryChainLink");
        }
        self.cases[index] = self.current(&self.cases[index]).await;
        input["id"] = json!(self.cases[index].id);
        input["expectedVersion"] = json!(self.cases[index].version);
        let payload = self.editor.ok("updateCase", &update_case(), input).await;
        self.cases[index] = made(&payload, "case");
    }

    async fn step_case(&mut self) {
        let index = self.random.random_range(0..self.cases.len());
        self.cases[index] = self.current(&self.cases[index]).await;
        let name = match self.cases[index].status.as_str() {
            "DRAFT" => "publishCase",
            "PUBLISHED" if self.random.random_bool(0.6) => return self.update_case().await,
            "PUBLISHED" => *pick(&mut self.random, &["unpublishCase", "archiveCase"]),
            _ => "restoreCase",
        };
        let query = format!(
            "mutation($input: CaseVersionInput!) {{ {name}(input: $input) {{
                case {{ id slug version status }} userErrors {{ field code message }} }} }}"
        );
        let input = json!({ "id": self.cases[index].id, "expectedVersion": self.cases[index].version });
        let payload = self.editor.ok(name, &query, input).await;
        self.cases[index] = made(&payload, "case");
    }

    async fn delete_case(&mut self) {
        // Only drafts can be deleted (a published case is archived instead).
        let drafts: Vec<usize> =
            (0..self.cases.len()).filter(|index| self.cases[*index].status == "DRAFT").collect();
        if drafts.is_empty() {
            return self.create_case().await;
        }
        let index = *pick(&mut self.random, &drafts);
        let case = self.cases.remove(index);
        let case = self.current(&case).await;
        let query = "mutation($input: CaseVersionInput!) { deleteCase(input: $input) { userErrors { field code message } } }";
        self.editor.ok("deleteCase", query, json!({ "id": case.id, "expectedVersion": case.version })).await;
    }

    async fn create_action(&mut self) {
        let slug = self.next_slug("synthetic-action");
        let cases: Vec<String> =
            some(&mut self.random, &self.cases, 4).into_iter().map(|case| case.slug).collect();
        let query = "mutation($input: CreateFollowUpActionInput!) { createFollowUpAction(input: $input) {
            followUpAction { id slug version } userErrors { field code message } } }";
        let kind = *pick(&mut self.random, &["EXPERIENCE_SUMMARY", "SHOWCASE", "INTERNATIONAL_EXCHANGE"]);
        let status = *pick(&mut self.random, &["PLANNED", "IN_PROGRESS", "DONE"]);
        let input = json!({ "slug": slug, "kind": kind, "status": status, "isSample": true, "cases": cases,
            "translations": [{ "locale": "en", "title": format!("[Synthetic] {slug}") }] });
        let payload = self.editor.ok("createFollowUpAction", query, input).await;
        self.actions.push(made(&payload, "followUpAction"));
    }

    async fn relink_action(&mut self) {
        let index = self.random.random_range(0..self.actions.len());
        self.actions[index] = self.current(&self.actions[index]).await;
        let name = *pick(&mut self.random, &["linkFollowUpActionCases", "unlinkFollowUpActionCases"]);
        let cases: Vec<String> =
            some(&mut self.random, &self.cases, 3).into_iter().map(|case| case.slug).collect();
        let query = format!(
            "mutation($input: FollowUpActionCasesInput!) {{ {name}(input: $input) {{
                followUpAction {{ id slug version }} userErrors {{ field code message }} }} }}"
        );
        let input = json!({ "id": self.actions[index].id, "expectedVersion": self.actions[index].version, "cases": cases });
        let data = self.editor.call(&query, json!({ "input": input })).await;
        let errors = &data[name]["userErrors"];
        // Linking a case twice or unlinking one that is not linked is refused as a whole.
        if errors == &json!([]) {
            self.actions[index] = made(&data[name], "followUpAction");
        }
    }

    async fn delete_action(&mut self) {
        let index = self.random.random_range(0..self.actions.len());
        let action = self.actions.remove(index);
        let action = self.current(&action).await;
        let query = "mutation($input: FollowUpActionVersionInput!) { deleteFollowUpAction(input: $input) { userErrors { field code message } } }";
        self.editor
            .ok("deleteFollowUpAction", query, json!({ "id": action.id, "expectedVersion": action.version }))
            .await;
    }

    async fn remove_organisation(&mut self) {
        if self.organisations.len() >= 2 && self.random.random_bool(0.5) {
            let gone = self.organisations.remove(self.random.random_range(0..self.organisations.len()));
            let gone = self.current(&gone).await;
            let index = self.random.random_range(0..self.organisations.len());
            self.organisations[index] = self.current(&self.organisations[index]).await;
            let query = "mutation($input: MergeOrganisationsInput!) { mergeOrganisations(input: $input) {
                organisation { id slug version } userErrors { field code message } } }";
            let input = json!({ "keepId": self.organisations[index].id,
                "expectedVersion": self.organisations[index].version, "mergeIds": [gone.id] });
            let payload = self.editor.ok("mergeOrganisations", query, input).await;
            self.organisations[index] = made(&payload, "organisation");
        } else {
            let index = self.random.random_range(0..self.organisations.len());
            let gone = self.current(&self.organisations[index]).await;
            let query = "mutation($input: OrganisationVersionInput!) { deleteOrganisation(input: $input) { userErrors { field code message } } }";
            let input = json!({ "input": { "id": gone.id, "expectedVersion": gone.version } });
            let data = self.editor.call(query, input).await;
            // An organisation that cases still list is refused (IN_USE) and stays.
            match data["deleteOrganisation"]["userErrors"][0]["code"].as_str() {
                None => {
                    self.organisations.remove(index);
                }
                Some(code) => assert_eq!(code, "IN_USE", "{data}"),
            }
        }
    }

    /// One random write.
    async fn step(&mut self) {
        let choice = self.random.random_range(0..100);
        match choice {
            0..10 => self.create_organisation().await,
            _ if self.organisations.is_empty() => self.create_organisation().await,
            10..30 => self.create_case().await,
            _ if self.cases.is_empty() => self.create_case().await,
            30..50 => self.update_case().await,
            50..70 => self.step_case().await,
            70..75 => self.delete_case().await,
            75..83 => self.create_action().await,
            _ if self.actions.is_empty() => self.create_action().await,
            83..91 => self.relink_action().await,
            91..95 => self.delete_action().await,
            _ => self.remove_organisation().await,
        }
    }
}

fn assert_verified(app: &TestApp, context: &str) {
    let output = casegraph(&app.database, &["verify"]);
    assert!(
        output.status.success(),
        "{context}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The dashboard for `filter` from the rollups and, with a constraint they do not keep
/// that every case of the test meets (all are samples), from the base tables: the two must
/// be equal.
async fn assert_same_dashboard(app: &TestApp, key: &str, filter: Value) {
    let bearer = format!("Bearer {key}");
    let headers = [("Authorization", bearer.as_str())];
    let from_rollups = app.graphql_with(DASHBOARD, json!({ "filter": filter }), &headers).await;
    let mut fallback = filter.clone();
    fallback["isSample"] = json!(true);
    let from_tables = app.graphql_with(DASHBOARD, json!({ "filter": fallback }), &headers).await;
    assert!(from_rollups["errors"].is_null(), "{from_rollups}");
    assert!(from_rollups["data"]["statistics"]["caseCount"].as_i64() > Some(0), "{from_rollups}");
    assert_eq!(from_rollups["data"], from_tables["data"], "filter {filter}");
}

async fn random_writes(seed: u64, steps: usize) {
    let app = TestApp::spawn().await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    let key = editor.key.clone();
    let data = editor.call("{ categories(collection: \"wic-cbec-2025\") { slug } }", json!({})).await;
    let categories: Vec<String> = data["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .take(3)
        .map(|category| category["slug"].as_str().expect("slug").to_owned())
        .collect();
    let mut world = World {
        editor,
        random: ChaCha8Rng::seed_from_u64(seed),
        categories: categories.clone(),
        cases: Vec::new(),
        organisations: Vec::new(),
        actions: Vec::new(),
        serial: 0,
    };
    for step in 0..steps {
        world.step().await;
        if step % 10 == 9 {
            assert_verified(&app, &format!("seed {seed}, after step {step}"));
        }
    }
    assert_verified(&app, &format!("seed {seed}, at the end"));
    assert_same_dashboard(&app, &key, json!({})).await;
    assert_same_dashboard(&app, &key, json!({ "categories": [categories[0]] })).await;
    assert_same_dashboard(&app, &key, json!({ "collections": ["wic-cbec-2025"] })).await;
    assert_same_dashboard(&app, &key, json!({ "countries": ["cn"] })).await;
    assert_same_dashboard(
        &app,
        &key,
        json!({ "statuses": ["DRAFT", "PUBLISHED", "ARCHIVED"], "countries": ["DE"] }),
    )
    .await;
}

#[tokio::test]
async fn random_sequences_of_writes_keep_the_rollups_equal_to_a_recomputation() {
    for seed in [1, 2, 3] {
        random_writes(seed, 150).await;
    }
}

#[tokio::test]
async fn verify_reports_a_rollup_that_differs_and_exits_non_zero() {
    let app = TestApp::spawn_with_samples().await;
    casegraph_ok(&app.database, &["verify"]);
    let connection = sea_orm::Database::connect(app.database.url.as_str()).await.expect("connect");
    use sea_orm::ConnectionTrait;
    connection
        .execute_unprepared(
            "UPDATE case_tally SET tally = tally + 1 WHERE scope = 'all' AND dimension = 'cases'",
        )
        .await
        .expect("tamper");
    connection.execute_unprepared("DELETE FROM case_tally WHERE dimension = 'tag'").await.expect("tamper");
    connection.close().await.expect("close");
    let output = casegraph(&app.database, &["verify"]);
    assert!(!output.status.success());
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("all: cases"), "{printed}");
    assert!(printed.contains(" tag "), "{printed}");
}

#[tokio::test]
async fn an_import_that_moves_cases_keeps_the_rollups_exact_and_migrate_recomputes_lost_ones() {
    let database = crate::helpers::TestDatabase::new().await;
    casegraph_ok(&database, &["seed", "--synthetic", "300", "--seed", "3"]);
    casegraph_ok(&database, &["verify"]);
    let before = database.file("before.json");
    casegraph_ok(&database, &["export", before.to_str().expect("path")]);
    let mut file: Value =
        serde_json::from_str(&std::fs::read_to_string(&before).expect("export")).expect("JSON");
    let slugs: Vec<String> = file["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| case["slug"].as_str().expect("slug").to_owned())
        .collect();
    // Move every third case: other countries and tags, another status and industry link.
    for (index, case) in file["cases"].as_array_mut().expect("cases").iter_mut().enumerate() {
        if index % 3 == 0 {
            case["countries"] = json!(["DE", "KE"]);
            case["tags"] = json!(["moved-by-import"]);
            case["industryChainLink"] = json!("LOGISTICS");
            case["version"] = Value::Null;
        }
        if index % 7 == 0 && case["status"] == "DRAFT" {
            case["status"] = json!("PUBLISHED");
            case["publishedAt"] = json!("2025-06-01T00:00:00.000000Z");
        }
    }
    // Every follow-up action now concerns other cases.
    for (index, action) in file["followUpActions"].as_array_mut().expect("actions").iter_mut().enumerate() {
        action["cases"] = json!([slugs[index % slugs.len()], slugs[(index * 7 + 1) % slugs.len()]]);
        action["version"] = Value::Null;
    }
    let after = database.file("after.json");
    std::fs::write(&after, serde_json::to_vec(&file).expect("JSON")).expect("write");
    let report = casegraph_ok(&database, &["import", after.to_str().expect("path")]);
    assert!(report.contains("updated"), "{report}");
    casegraph_ok(&database, &["verify"]);

    // Some rollups lost: verify sees it. All lost (a restore of the base tables alone):
    // every command's migration computes them again.
    let connection = sea_orm::Database::connect(database.url.as_str()).await.expect("connect");
    use sea_orm::ConnectionTrait;
    connection.execute_unprepared("DELETE FROM case_tally WHERE scope = 'country'").await.expect("lose some");
    assert!(!casegraph(&database, &["verify"]).status.success(), "verify sees the loss");
    connection.execute_unprepared("DELETE FROM case_tally").await.expect("lose all");
    connection.close().await.expect("close");
    casegraph_ok(&database, &["migrate"]);
    casegraph_ok(&database, &["verify"]);
}

#[tokio::test]
async fn a_seed_of_more_cases_than_one_statement_takes_keeps_the_rollups_exact() {
    // Over 5,000 new cases: their rollups are added as one range of ids.
    let database = crate::helpers::TestDatabase::new().await;
    casegraph_ok(&database, &["seed", "--synthetic", "5100", "--seed", "5"]);
    casegraph_ok(&database, &["verify"]);
    casegraph_ok(&database, &["seed", "--synthetic", "40", "--seed", "6"]);
    casegraph_ok(&database, &["verify"]);
}
