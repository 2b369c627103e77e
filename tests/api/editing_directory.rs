//! Editing organisations, follow-up actions, collections and categories through the API,
//! and the audit of the other writers (`casegraph import`, `casegraph keys`,
//! `createApiKey`). The data is synthetic test data.

use serde_json::{Value, json};

use crate::editing::{Editor, change_rows, create_case, new_case};
use crate::helpers::{TestApp, casegraph_ok};

const ORGANISATION: &str =
    "mutation M($input: CreateOrganisationInput!) { createOrganisation(input: $input) {
    organisation { id slug version name } userErrors { field code message } } }";
const DELETE_ORGANISATION: &str =
    "mutation M($input: OrganisationVersionInput!) { deleteOrganisation(input: $input) {
    deletedOrganisationId userErrors { field code message } } }";
const MERGE: &str = "mutation M($input: MergeOrganisationsInput!) { mergeOrganisations(input: $input) {
    organisation { slug version cases(filter: { statuses: [DRAFT] }) { nodes { slug } } }
    mergedOrganisationIds userErrors { field code message } } }";
const ACTION: &str = "mutation M($input: CreateFollowUpActionInput!) { createFollowUpAction(input: $input) {
    followUpAction { id slug version organiser { slug } cases(statuses: [DRAFT]) { slug } } userErrors { field code message } } }";
const UPDATE_ACTION: &str =
    "mutation M($input: UpdateFollowUpActionInput!) { updateFollowUpAction(input: $input) {
    followUpAction { version status place title } userErrors { field code message } } }";
const LINK: &str = "mutation M($input: FollowUpActionCasesInput!) { linkFollowUpActionCases(input: $input) {
    followUpAction { version cases(statuses: [DRAFT]) { slug } } userErrors { field code message } } }";
const UNLINK: &str =
    "mutation M($input: FollowUpActionCasesInput!) { unlinkFollowUpActionCases(input: $input) {
    followUpAction { version cases(statuses: [DRAFT]) { slug } } userErrors { field code message } } }";
const DELETE_ACTION: &str =
    "mutation M($input: FollowUpActionVersionInput!) { deleteFollowUpAction(input: $input) {
    deletedFollowUpActionId userErrors { field code message } } }";
const CASE_ORGANISATIONS: &str =
    "query Q($slug: String!) { case(slug: $slug) { version organisations { role organisation { slug } } } }";
const AUDIT: &str = "query Audit($filter: AuditLogFilter) { auditLog(filter: $filter, first: 100) {
    nodes { action subjectType subjectLabel actor { name keyPrefix } changes { field old new } } } }";

fn organisation(slug: &str, name: &str) -> Value {
    json!({ "slug": slug, "type": "LOGISTICS", "country": "CN", "website": "https://logistics.example",
            "isSample": true, "translations": [{ "locale": "en", "name": name }] })
}

#[tokio::test]
async fn an_organisation_in_use_is_kept_and_duplicates_are_merged_into_one() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write,admin");
    let kept = editor
        .ok(
            "createOrganisation",
            ORGANISATION,
            organisation("sample-port-logistics", "[Sample] Port Logistics"),
        )
        .await;
    let duplicate = editor
        .ok(
            "createOrganisation",
            ORGANISATION,
            organisation("sample-port-logistics-ltd", "[Sample] Port Logistics Ltd"),
        )
        .await;
    let (kept_id, duplicate_id) =
        (kept["organisation"]["id"].clone(), duplicate["organisation"]["id"].clone());
    let mut case = new_case("sample-merged-links", "[Sample] Merged links");
    case["organisations"] = json!([
        { "organisation": "sample-port-logistics", "role": "PARTNER" },
        { "organisation": "sample-port-logistics-ltd", "role": "LEAD" },
    ]);
    editor.ok("createCase", &create_case(), case).await;
    let showcase = editor
        .ok(
            "createFollowUpAction",
            ACTION,
            json!({ "slug": "sample-merged-showcase", "kind": "SHOWCASE", "status": "PLANNED",
            "organiser": "sample-port-logistics-ltd", "isSample": true,
            "translations": [{ "locale": "en", "title": "[Sample] Showcase" }] }),
        )
        .await;

    let refused = editor
        .call(DELETE_ORGANISATION, json!({ "input": { "id": duplicate_id, "expectedVersion": 1 } }))
        .await;
    let error = &refused["deleteOrganisation"]["userErrors"][0];
    assert_eq!(error["code"], "IN_USE", "{refused}");
    let message = error["message"].as_str().expect("message");
    assert!(
        message.contains("sample-merged-links") && message.contains("sample-merged-showcase"),
        "{message}"
    );

    let merged = editor
        .ok(
            "mergeOrganisations",
            MERGE,
            json!({ "keepId": kept_id, "expectedVersion": 1, "mergeIds": [duplicate_id] }),
        )
        .await;
    assert_eq!(merged["mergedOrganisationIds"], json!([duplicate_id]));
    assert_eq!(merged["organisation"]["cases"]["nodes"], json!([{ "slug": "sample-merged-links" }]));
    let links = editor.call(CASE_ORGANISATIONS, json!({ "slug": "sample-merged-links" })).await;
    assert_eq!(
        links["case"]["organisations"],
        json!([{ "role": "LEAD", "organisation": { "slug": "sample-port-logistics" } }]),
        "one link, LEAD as either was"
    );
    assert_eq!(links["case"]["version"], 2);
    let gone = editor.call("query Q($id: ID!) { node(id: $id) { id } }", json!({ "id": duplicate_id })).await;
    assert!(gone["node"].is_null());
    let action = editor
        .call(
            "query Q($id: ID!) { node(id: $id) { ... on FollowUpAction { organiser { slug } version } } }",
            json!({ "id": showcase["followUpAction"]["id"] }),
        )
        .await;
    assert_eq!(action["node"], json!({ "organiser": { "slug": "sample-port-logistics" }, "version": 2 }));
    assert_eq!(
        change_rows(&app.database, "sample-port-logistics-ltd").await,
        [("CREATED".to_owned(), 1), ("MERGED".to_owned(), 1)]
    );
    let audit = editor
        .call(AUDIT, json!({ "filter": { "subject": duplicate_id, "action": "mergeOrganisations" } }))
        .await;
    let changes = &audit["auditLog"]["nodes"][0]["changes"];
    assert!(
        changes
            .as_array()
            .expect("changes")
            .iter()
            .any(|change| change["field"] == "mergedInto" && change["new"] == "sample-port-logistics"),
        "{audit}"
    );

    // Unused now: deleted.
    let unused =
        editor.ok("createOrganisation", ORGANISATION, organisation("sample-unused", "[Sample] Unused")).await;
    let deleted = editor
        .ok(
            "deleteOrganisation",
            DELETE_ORGANISATION,
            json!({ "id": unused["organisation"]["id"], "expectedVersion": 1 }),
        )
        .await;
    assert_eq!(deleted["deletedOrganisationId"], unused["organisation"]["id"]);
}

#[tokio::test]
async fn a_follow_up_action_is_created_linked_changed_unlinked_and_deleted() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    editor.ok("createCase", &create_case(), new_case("sample-first", "[Sample] First")).await;
    editor.ok("createCase", &create_case(), new_case("sample-second", "[Sample] Second")).await;
    let created = editor
        .ok(
            "createFollowUpAction",
            ACTION,
            json!({ "slug": "sample-training", "kind": "TRAINING_COURSE", "status": "PLANNED",
            "startsOn": "2026-03-01", "endsOn": "2026-03-03", "collection": "wic-cbec-2025", "isSample": true,
            "cases": ["sample-first"], "translations": [{ "locale": "en", "title": "[Sample] Training" }] }),
        )
        .await;
    let id = created["followUpAction"]["id"].clone();
    assert_eq!(created["followUpAction"]["cases"], json!([{ "slug": "sample-first" }]));

    let linked = editor
        .ok(
            "linkFollowUpActionCases",
            LINK,
            json!({ "id": id, "expectedVersion": 1, "cases": ["sample-second", "sample-first"] }),
        )
        .await;
    assert_eq!(linked["followUpAction"]["version"], 2);
    assert_eq!(linked["followUpAction"]["cases"].as_array().map(Vec::len), Some(2));
    let unknown =
        editor.call(LINK, json!({ "input": { "id": id, "expectedVersion": 2, "cases": ["ghost"] } })).await;
    assert_eq!(unknown["linkFollowUpActionCases"]["userErrors"][0]["field"], json!(["input", "cases", "0"]));

    let changed = editor
        .ok(
            "updateFollowUpAction",
            UPDATE_ACTION,
            json!({ "id": id, "expectedVersion": 2, "status": "IN_PROGRESS", "place": "Wuzhen",
            "translations": [{ "locale": "zh", "title": "[示例] 培训" }] }),
        )
        .await;
    assert_eq!(changed["followUpAction"]["status"], "IN_PROGRESS");
    assert_eq!(changed["followUpAction"]["place"], "Wuzhen");
    let cleared = editor
        .ok("updateFollowUpAction", UPDATE_ACTION, json!({ "id": id, "expectedVersion": 3, "place": null }))
        .await;
    assert!(cleared["followUpAction"]["place"].is_null());

    let unlinked = editor
        .ok(
            "unlinkFollowUpActionCases",
            UNLINK,
            json!({ "id": id, "expectedVersion": 4, "cases": ["sample-first"] }),
        )
        .await;
    assert_eq!(unlinked["followUpAction"]["cases"], json!([{ "slug": "sample-second" }]));
    let deleted =
        editor.ok("deleteFollowUpAction", DELETE_ACTION, json!({ "id": id, "expectedVersion": 5 })).await;
    assert_eq!(deleted["deletedFollowUpActionId"], id);
    let kinds: Vec<String> =
        change_rows(&app.database, "sample-training").await.into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(kinds, ["CREATED", "UPDATED", "UPDATED", "UPDATED", "UPDATED", "DELETED"]);
}

const CREATE_COLLECTION: &str = "mutation M($input: CreateCollectionInput!) { createCollection(input: $input) {
    collection { id slug year version title categories { id slug position name version } } userErrors { field code message } } }";
const UPDATE_CATEGORY: &str = "mutation M($input: UpdateCategoryInput!) { updateCategory(input: $input) {
    category { version name position } userErrors { field code message } } }";
const UPDATE_COLLECTION: &str =
    "mutation M($input: UpdateCollectionInput!) { updateCollection(input: $input) {
    collection { version declaredCaseCount title } userErrors { field code message } } }";

#[tokio::test]
async fn an_administrator_opens_an_edition_and_renames_a_category_which_a_restart_keeps() {
    let app = TestApp::spawn_as_shipped().await;
    let admin = Editor::new(&app, "operations", "read,write,admin");
    let opened = admin
        .ok("createCollection", CREATE_COLLECTION, json!({ "slug": "sample-edition-2026", "year": 2026,
            "sources": ["https://www.wicinternet.org/"],
            "translations": [{ "locale": "en", "title": "[Sample] Edition 2026" }, { "locale": "zh", "title": "[示例] 2026 年版" }],
            "categories": [
                { "slug": "logistics-integration", "position": 2, "translations": [{ "locale": "en", "name": "Logistics" }] },
                { "slug": "government-coordination", "position": 1, "translations": [{ "locale": "en", "name": "Government" }] },
            ] }))
        .await;
    let collection = &opened["collection"];
    assert_eq!((collection["year"].as_i64(), collection["version"].as_i64()), (Some(2026), Some(1)));
    let positions: Vec<i64> = collection["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["position"].as_i64())
        .collect();
    assert_eq!(positions, [1, 2]);
    // A case can be filed in the new edition at once.
    let mut case = new_case("sample-2026-case", "[Sample] 2026 case");
    case["collection"] = json!("sample-edition-2026");
    admin.ok("createCase", &create_case(), case).await;
    let changed = admin
        .ok(
            "updateCollection",
            UPDATE_COLLECTION,
            json!({ "id": collection["id"], "expectedVersion": 1, "declaredCaseCount": 90 }),
        )
        .await;
    assert_eq!(
        (changed["collection"]["version"].as_i64(), changed["collection"]["declaredCaseCount"].as_i64()),
        (Some(2), Some(90))
    );

    // A reference category renamed by an editor stays renamed after a restart.
    let reference = admin
        .call(
            "{ category(slug: \"logistics-integration\", collection: \"wic-cbec-2024\") { id version } }",
            json!({}),
        )
        .await;
    let renamed = admin
        .ok(
            "updateCategory",
            UPDATE_CATEGORY,
            json!({ "id": reference["category"]["id"], "expectedVersion": 1,
            "translations": [{ "locale": "en", "name": "Logistics and warehousing" }] }),
        )
        .await;
    assert_eq!(
        renamed["category"],
        json!({ "version": 2, "name": "Logistics and warehousing", "position": 5 })
    );
    let key = admin.key.clone();
    let database = app.stop().await;
    let restarted = TestApp::spawn_on(database, true).await;
    let again = Editor { app: &restarted, key };
    let after = again
        .call(
            "{ category(slug: \"logistics-integration\", collection: \"wic-cbec-2024\") { name version } }",
            json!({}),
        )
        .await;
    assert_eq!(after["category"], json!({ "name": "Logistics and warehousing", "version": 2 }));
}

#[tokio::test]
async fn imports_and_key_changes_are_audited_with_their_actor() {
    let app = TestApp::spawn_as_shipped().await;
    let admin = Editor::new(&app, "operations", "read,admin");
    let file = json!({ "format": "casegraph", "formatVersion": 1,
        "organisations": [{ "slug": "sample-imported-organisation", "organisationType": "FINANCE", "isSample": true,
                            "texts": { "en": { "name": "[Sample] Imported" } } }] });
    let path = app.database.file("import.json");
    std::fs::write(&path, file.to_string()).expect("file written");
    casegraph_ok(&app.database, &["import", path.to_str().expect("UTF-8 path")]);
    let created = admin
        .ok("createApiKey", "mutation M($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } userErrors { field code message } } }",
            json!({ "name": "partner", "scopes": ["READ"] }))
        .await;

    let imported = admin.call(AUDIT, json!({ "filter": { "action": "import" } })).await;
    let entry = &imported["auditLog"]["nodes"][0];
    assert_eq!(entry["actor"], json!({ "name": "cli", "keyPrefix": null }));
    assert_eq!(entry["subjectLabel"], "sample-imported-organisation");
    assert_eq!(change_rows(&app.database, "sample-imported-organisation").await, [("CREATED".to_owned(), 1)]);

    let by_cli = admin.call(AUDIT, json!({ "filter": { "actor": "cli", "action": "keys create" } })).await;
    assert_eq!(
        by_cli["auditLog"]["nodes"][0]["subjectLabel"]
            .as_str()
            .map(|label| label.starts_with("operations (cg_")),
        Some(true),
        "{by_cli}"
    );
    let by_key = admin.call(AUDIT, json!({ "filter": { "subject": created["apiKey"]["id"] } })).await;
    let entry = &by_key["auditLog"]["nodes"][0];
    assert_eq!(entry["action"], "createApiKey");
    assert_eq!(entry["actor"]["name"], "operations");
    assert!(!by_key.to_string().contains("secret"), "no secret in the log: {by_key}");
}
