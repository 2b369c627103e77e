//! One validation for every writer: a mutation with bad fields gets every problem at
//! once, each at its input path, and writes nothing (an export before and after is the
//! same file). The data is synthetic test data.

use serde_json::{Value, json};

use crate::editing::{Editor, create_case, new_case, update_case};
use crate::helpers::{TestApp, TestDatabase, casegraph_ok, error_code};

fn export(database: &TestDatabase, name: &str) -> String {
    let path = database.file(name);
    casegraph_ok(database, &["export", path.to_str().expect("UTF-8 path")]);
    std::fs::read_to_string(path).expect("export written")
}

/// The (path, code) of every user error in `payload`, sorted.
fn problems(payload: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = payload["userErrors"]
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|error| {
            let path: Vec<&str> =
                error["field"].as_array().expect("field").iter().filter_map(Value::as_str).collect();
            (path.join("."), error["code"].as_str().expect("code").to_owned())
        })
        .collect();
    found.sort();
    found
}

fn expected(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> =
        pairs.iter().map(|(path, code)| ((*path).to_owned(), (*code).to_owned())).collect();
    pairs.sort();
    pairs
}

const ORGANISATION: &str =
    "mutation M($input: CreateOrganisationInput!) { createOrganisation(input: $input) {
    organisation { id } userErrors { field code message } } }";
const ACTION: &str = "mutation M($input: CreateFollowUpActionInput!) { createFollowUpAction(input: $input) {
    followUpAction { id } userErrors { field code message } } }";
const COLLECTION: &str = "mutation M($input: CreateCollectionInput!) { createCollection(input: $input) {
    collection { id } userErrors { field code message } } }";

#[tokio::test]
async fn every_bad_field_of_every_mutation_is_reported_at_once_and_nothing_is_written() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write,admin");
    let created = editor.ok("createCase", &create_case(), new_case("sample-valid", "[Sample] Valid")).await;
    let id = created["case"]["id"].clone();
    let before = export(&app.database, "before.json");

    let case = json!({
        "slug": "Not A Slug!",
        "collection": "wic-cbec-2025",
        "category": "no-such-category",
        "coverImageUrl": "javascript:alert(1)",
        "translations": [
            { "locale": "en", "title": "  " },
            { "locale": "EN_us", "title": "[Sample] x" },
            { "locale": "ar", "title": "[عينة] escape\u{1b}[31m" },
            { "locale": "zh", "title": "[示例] ok", "summary": "长".repeat(2_001), "body": "x".repeat(200_001) },
        ],
        "organisations": [{ "organisation": "no-such-organisation", "role": "LEAD" }],
        "countries": ["cn"],
        "tags": ["t", "t"],
    });
    let data = editor.call(&create_case(), json!({ "input": case })).await;
    assert!(data["createCase"]["case"].is_null());
    assert_eq!(
        problems(&data["createCase"]),
        expected(&[
            ("input.slug", "INVALID"),
            ("input.category", "NOT_FOUND"),
            ("input.coverImageUrl", "INVALID"),
            ("input.translations.0.title", "REQUIRED"),
            ("input.translations.1.locale", "INVALID"),
            ("input.translations.2.title", "INVALID"),
            ("input.translations.3.summary", "INVALID"),
            ("input.translations.3.body", "INVALID"),
            ("input.organisations.0.organisation", "NOT_FOUND"),
            ("input.countries.0", "INVALID"),
            ("input.tags.1", "DUPLICATE"),
        ]),
        "{data}"
    );

    let update = json!({ "id": id, "expectedVersion": 1, "category": "nope",
        "coverImageUrl": "http://insecure.example/cover.png", "removeTranslations": ["en"],
        "translations": [{ "locale": "ar", "title": "[عينة] bell\u{7}" }], "countries": ["XXX"] });
    let data = editor.call(&update_case(), json!({ "input": update })).await;
    assert_eq!(
        problems(&data["updateCase"]),
        expected(&[
            ("input.category", "NOT_FOUND"),
            ("input.coverImageUrl", "INVALID"),
            ("input.removeTranslations.0", "INVALID"),
            ("input.translations.0.title", "INVALID"),
            ("input.countries.0", "INVALID"),
        ]),
        "{data}"
    );
    let stale = json!({ "id": id, "expectedVersion": 7, "tags": ["fine"] });
    let data = editor.call(&update_case(), json!({ "input": stale })).await;
    assert_eq!(problems(&data["updateCase"]), expected(&[("input.expectedVersion", "VERSION_CONFLICT")]));
    assert_eq!(data["updateCase"]["userErrors"][0]["currentVersion"], 1);

    let organisation = json!({ "slug": "", "type": "LOGISTICS", "website": "ftp://files.example", "country": "china",
        "region": "line\nbreak", "translations": [] });
    let data = editor.call(ORGANISATION, json!({ "input": organisation })).await;
    assert_eq!(
        problems(&data["createOrganisation"]),
        expected(&[
            ("input.slug", "REQUIRED"),
            ("input.website", "INVALID"),
            ("input.country", "INVALID"),
            ("input.region", "INVALID"),
            ("input.translations", "REQUIRED"),
        ]),
        "{data}"
    );

    let action = json!({ "slug": "sample-action", "kind": "SHOWCASE", "status": "PLANNED",
        "startsOn": "2025-05-01", "endsOn": "2025-04-01", "organiser": "ghost", "cases": ["ghost-case"],
        "translations": [{ "locale": "en", "title": "[Sample] two\nlines" }] });
    let data = editor.call(ACTION, json!({ "input": action })).await;
    assert_eq!(
        problems(&data["createFollowUpAction"]),
        expected(&[
            ("input.endsOn", "INVALID"),
            ("input.organiser", "NOT_FOUND"),
            ("input.cases.0", "NOT_FOUND"),
            ("input.translations.0.title", "INVALID"),
        ]),
        "{data}"
    );

    let collection = json!({ "slug": "wic-cbec-2024", "year": 1900, "sources": ["javascript:alert(1)"],
        "translations": [{ "locale": "en", "title": "" }],
        "categories": [{ "slug": "a", "position": 0, "translations": [{ "locale": "en", "name": "" }] }] });
    let data = editor.call(COLLECTION, json!({ "input": collection })).await;
    assert_eq!(
        problems(&data["createCollection"]),
        expected(&[
            ("input.slug", "DUPLICATE"),
            ("input.year", "INVALID"),
            ("input.sources.0", "INVALID"),
            ("input.translations.0.title", "REQUIRED"),
            ("input.categories.0.position", "INVALID"),
            ("input.categories.0.translations.0.name", "REQUIRED"),
        ]),
        "{data}"
    );

    // Values the schema's types rule out never reach the rules: a typed error, nothing run.
    let bearer = format!("Bearer {}", editor.key);
    let mut bad_enum = new_case("sample-typed", "[Sample] Typed");
    bad_enum["industryChainLink"] = json!("NOT_A_LINK");
    let (status, _, body) = app
        .exchange(&create_case(), json!({ "input": bad_enum }), &[("Authorization", bearer.as_str())])
        .await;
    assert_eq!((status, error_code(&body)), (200, Some("BAD_USER_INPUT")), "{body}");
    let mut bad_date = action.clone();
    bad_date["startsOn"] = json!("2025-02-30");
    let (_, _, body) =
        app.exchange(ACTION, json!({ "input": bad_date }), &[("Authorization", bearer.as_str())]).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // NUL, which PostgreSQL cannot store, is refused with the whole request.
    let nul =
        json!({ "id": id, "expectedVersion": 1, "translations": [{ "locale": "ar", "title": "nul\u{0}" }] });
    let (_, _, body) =
        app.exchange(&update_case(), json!({ "input": nul }), &[("Authorization", bearer.as_str())]).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    assert_eq!(export(&app.database, "after.json"), before, "nothing was written");
}

#[tokio::test]
async fn a_write_key_cannot_change_editions_and_an_anonymous_caller_cannot_write() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = Editor::new(&app, "desk", "read,write");
    let collection = json!({ "slug": "wic-cbec-2026", "year": 2026, "translations": [{ "locale": "en", "title": "2026" }],
        "categories": [{ "slug": "a", "position": 1, "translations": [{ "locale": "en", "name": "A" }] }] });
    let bearer = format!("Bearer {}", editor.key);
    let (status, _, body) = app
        .exchange(COLLECTION, json!({ "input": collection.clone() }), &[("Authorization", bearer.as_str())])
        .await;
    assert_eq!((status, error_code(&body)), (200, Some("FORBIDDEN")), "{body}");
    let (status, _, body) = app.exchange(COLLECTION, json!({ "input": collection }), &[]).await;
    assert_eq!((status, error_code(&body)), (401, Some("UNAUTHENTICATED")), "{body}");
    let audit = app
        .exchange("{ auditLog { nodes { action } } }", json!({}), &[("Authorization", bearer.as_str())])
        .await
        .2;
    assert_eq!(error_code(&audit), Some("FORBIDDEN"), "{audit}");
}
