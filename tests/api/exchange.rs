//! `casegraph export` and `casegraph import`: round trips, idempotence, updates in place,
//! rejected files that write nothing, CSV cases, and the JSON Schema of the format.

// A failed expectation in a test is the test failing.
#![allow(clippy::expect_used)]

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::helpers::{TestDatabase, casegraph, casegraph_ok};

/// A small, realistic file: three locales, missing translations, links in a given order,
/// timestamps given for some rows and left out for others.
fn fixture() -> Value {
    json!({
        "format": "casegraph",
        "formatVersion": 1,
        "organisations": [
            {
                "slug": "hangzhou-comprehensive-pilot-zone",
                "organisationType": "GOVERNMENT",
                "country": "CN",
                "region": "Zhejiang",
                "website": "https://example.org/hangzhou",
                "createdAt": "2024-03-01T08:00:00Z",
                "updatedAt": "2024-03-02T08:00:00.250Z",
                "texts": {
                    "en": { "name": "Hangzhou Comprehensive Pilot Zone", "description": "A pilot zone." },
                    "zh": { "name": "杭州综试区" }
                }
            },
            {
                "slug": "gulf-logistics",
                "organisationType": "LOGISTICS",
                "country": "AE",
                "texts": {
                    "ar": { "name": "الخليج للخدمات اللوجستية" },
                    "en": { "name": "Gulf Logistics" }
                }
            },
            {
                "slug": "silk-road-payments",
                "organisationType": "FINANCE",
                "isSample": true,
                "texts": { "zh": { "name": "丝路支付", "description": "跨境支付服务" } }
            }
        ],
        "cases": [
            case("bonded-warehouse-in-dubai", "wic-cbec-2024", "logistics-integration", &[
                ("gulf-logistics", "LEAD"), ("hangzhou-comprehensive-pilot-zone", "PARTNER"),
            ]),
            case("one-stop-customs-clearance", "wic-cbec-2024", "government-coordination", &[
                ("hangzhou-comprehensive-pilot-zone", "LEAD"),
            ]),
            json!({
                "slug": "mobile-payments-for-small-sellers",
                "collection": "wic-cbec-2025",
                "category": "financial-empowerment",
                "status": "DRAFT",
                "industryChainLink": "FINANCE",
                "coverImageUrl": "https://example.org/cover.png",
                "createdAt": "2025-01-05T10:30:00+08:00",
                "updatedAt": "2025-01-06T10:30:00+08:00",
                "version": 3,
                "texts": { "zh": { "title": "小卖家移动支付" } },
                "organisations": [
                    { "organisation": "silk-road-payments", "role": "LEAD" },
                    { "organisation": "gulf-logistics", "role": "PARTNER" }
                ],
                "countries": ["SA", "AE"],
                "tags": ["payments"]
            }),
            json!({
                "slug": "archived-showroom",
                "collection": "wic-cbec-2024",
                "category": "brand-incubation",
                "status": "ARCHIVED",
                "isSample": true,
                "texts": { "en": { "title": "An archived showroom", "summary": "" } }
            })
        ],
        "followUpActions": [
            {
                "slug": "xian-showcase-2024",
                "kind": "SHOWCASE",
                "status": "DONE",
                "startsOn": "2024-04-16",
                "endsOn": "2024-04-17",
                "place": "Xi'an",
                "organiser": "hangzhou-comprehensive-pilot-zone",
                "collection": "wic-cbec-2024",
                "cases": ["one-stop-customs-clearance", "bonded-warehouse-in-dubai"],
                "texts": {
                    "en": { "title": "Showcase in Xi'an", "description": "Selected cases on stage." },
                    "zh": { "title": "西安展示" }
                }
            },
            {
                "slug": "training-for-sellers",
                "kind": "TRAINING_COURSE",
                "status": "PLANNED",
                "texts": { "ar": { "title": "دورة تدريبية للبائعين" } }
            }
        ]
    })
}

/// A published case with texts in three locales, one of them partial.
fn case(slug: &str, collection: &str, category: &str, organisations: &[(&str, &str)]) -> Value {
    let organisations: Vec<Value> = organisations
        .iter()
        .map(|(organisation, role)| json!({ "organisation": organisation, "role": role }))
        .collect();
    json!({
        "slug": slug,
        "collection": collection,
        "category": category,
        "status": "PUBLISHED",
        "industryChainLink": "LOGISTICS",
        "sourcingMethod": "FIELD_SURVEY",
        "publishedAt": "2024-04-16T09:00:00Z",
        "texts": {
            "ar": { "title": format!("حالة {slug}") },
            "en": { "title": format!("Case {slug}"), "summary": "What was done.", "body": "# Body\n\nMarkdown." },
            "zh": { "title": format!("案例 {slug}"), "summary": "做法。" }
        },
        "organisations": organisations,
        "countries": ["CN", "AE"],
        "tags": ["logistics", "customs"]
    })
}

fn write_json(db: &TestDatabase, name: &str, value: &Value) -> PathBuf {
    let path = db.file(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("JSON")).expect("file written");
    path
}

fn path_str(path: &std::path::Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Exports the database to `name` and returns the file's text.
fn export(db: &TestDatabase, name: &str) -> String {
    let path = db.file(name);
    casegraph_ok(db, &["export", path_str(&path)]);
    std::fs::read_to_string(path).expect("export written")
}

fn import(db: &TestDatabase, path: &std::path::Path) -> String {
    casegraph_ok(db, &["import", path_str(path)])
}

/// A database holding the fixture.
async fn database_with_fixture() -> TestDatabase {
    let db = TestDatabase::new().await;
    let path = write_json(&db, "fixture.json", &fixture());
    import(&db, &path);
    db
}

fn find<'a>(export: &'a Value, list: &str, slug: &str) -> &'a Value {
    export[list]
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["slug"] == slug))
        .unwrap_or_else(|| panic!("no {slug} in {list}"))
}

/// Runs an import that must fail; returns its standard error.
fn rejected_import(db: &TestDatabase, path: &std::path::Path) -> String {
    let output = casegraph(db, &["import", path_str(path)]);
    assert!(!output.status.success(), "import succeeded: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn export_then_import_into_an_empty_database_then_export_gives_the_same_bytes() {
    let source = database_with_fixture().await;
    let first = export(&source, "a.json");
    assert!(first.ends_with("}\n"), "trailing newline");
    let parsed: Value = serde_json::from_str(&first).expect("export is JSON");
    assert_eq!(parsed["cases"].as_array().map(Vec::len), Some(4));
    let target = TestDatabase::new().await;
    import(&target, &source.file("a.json"));
    let second = export(&target, "b.json");
    assert!(first == second, "exports differ:\n{first}\n---\n{second}");
}

#[tokio::test]
async fn the_export_keeps_what_the_file_said_sorted_by_slug_with_links_in_their_order() {
    let db = database_with_fixture().await;
    let export: Value = serde_json::from_str(&export(&db, "a.json")).expect("JSON");
    let slugs: Vec<&str> =
        export["cases"].as_array().expect("cases").iter().filter_map(|case| case["slug"].as_str()).collect();
    let mut sorted = slugs.clone();
    sorted.sort_unstable();
    assert_eq!(slugs, sorted);
    let payments = find(&export, "cases", "mobile-payments-for-small-sellers");
    assert_eq!(payments["createdAt"], "2025-01-05T02:30:00.000000Z");
    assert_eq!(payments["version"], 3);
    assert_eq!(payments["countries"], json!(["AE", "SA"]));
    assert_eq!(payments["organisations"][0]["organisation"], "silk-road-payments");
    assert_eq!(payments["texts"], json!({ "zh": { "title": "小卖家移动支付" } }));
    let archived = find(&export, "cases", "archived-showroom");
    assert_eq!(archived["texts"]["en"]["summary"], "", "an empty summary is not a missing one");
    assert_eq!(archived["version"], 1);
    let action = find(&export, "followUpActions", "xian-showcase-2024");
    assert_eq!(action["cases"], json!(["bonded-warehouse-in-dubai", "one-stop-customs-clearance"]));
    let organisation = find(&export, "organisations", "hangzhou-comprehensive-pilot-zone");
    assert_eq!(organisation["updatedAt"], "2024-03-02T08:00:00.250000Z");
    assert!(export["collections"][0].get("createdAt").is_none(), "no wall-clock values of collections");
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    let db = database_with_fixture().await;
    let before = export(&db, "before.json");
    let report = import(&db, &db.file("before.json"));
    assert!(report.contains("cases: 0 created, 0 updated, 4 unchanged"), "{report}");
    let report = import(&db, &db.file("fixture.json"));
    assert!(report.contains("organisations: 0 created, 0 updated, 3 unchanged"), "{report}");
    assert!(report.contains("follow-up actions: 0 created, 0 updated, 2 unchanged"), "{report}");
    assert_eq!(before, export(&db, "after.json"));
}

#[tokio::test]
async fn a_changed_case_is_updated_in_place_and_its_version_goes_up_when_not_given() {
    let db = database_with_fixture().await;
    let mut file: Value = serde_json::from_str(&export(&db, "before.json")).expect("JSON");
    let before = find(&file, "cases", "one-stop-customs-clearance").clone();
    let cases = file["cases"].as_array_mut().expect("cases");
    let case = cases.iter_mut().find(|case| case["slug"] == "one-stop-customs-clearance").expect("case");
    case["texts"]["en"]["title"] = json!("One-stop customs clearance, revised");
    case["tags"] = json!(["customs", "single-window"]);
    let object = case.as_object_mut().expect("object");
    object.remove("updatedAt");
    object.remove("version");
    let path = write_json(&db, "changed.json", &file);
    let report = import(&db, &path);
    assert!(report.contains("cases: 0 created, 1 updated, 3 unchanged"), "{report}");
    let after: Value = serde_json::from_str(&export(&db, "after.json")).expect("JSON");
    assert_eq!(after["cases"].as_array().map(Vec::len), Some(4), "no duplicate");
    let case = find(&after, "cases", "one-stop-customs-clearance");
    assert_eq!(case["texts"]["en"]["title"], "One-stop customs clearance, revised");
    assert_eq!(case["texts"]["zh"], before["texts"]["zh"]);
    assert_eq!(case["tags"], json!(["customs", "single-window"]));
    assert_eq!(case["version"], 2);
    assert_eq!(case["createdAt"], before["createdAt"]);
    assert_ne!(case["updatedAt"], before["updatedAt"]);
    let action = find(&after, "followUpActions", "xian-showcase-2024");
    assert_eq!(action["cases"].as_array().map(Vec::len), Some(2), "links to the case survive");
}

#[tokio::test]
async fn collections_and_categories_are_matched_by_slug_and_cases_may_use_new_ones() {
    let db = TestDatabase::new().await;
    let mut file = json!({
        "format": "casegraph",
        "formatVersion": 1,
        "collections": [{
            "slug": "wic-cbec-2026",
            "year": 2026,
            "texts": { "en": { "title": "Collection 2026" } },
            "sources": ["https://example.org/2026"],
            "themes": ["green trade"],
            "categories": [{
                "slug": "green-logistics",
                "position": 1,
                "texts": { "en": { "name": "Green logistics", "description": "Low-carbon delivery." } }
            }]
        }],
        "cases": [{
            "slug": "electric-last-mile",
            "collection": "wic-cbec-2026",
            "category": "green-logistics",
            "status": "DRAFT",
            "texts": { "en": { "title": "Electric last mile" } }
        }]
    });
    let report = import(&db, &write_json(&db, "first.json", &file));
    assert!(report.contains("collections: 1 created, 0 updated, 0 unchanged"), "{report}");
    assert!(report.contains("categories: 1 created, 0 updated, 0 unchanged"), "{report}");
    file["collections"][0]["texts"]["zh"] = json!({ "title": "2026 案例集" });
    file["collections"][0]["categories"][0]["position"] = json!(2);
    let report = import(&db, &write_json(&db, "second.json", &file));
    assert!(report.contains("collections: 0 created, 1 updated, 0 unchanged"), "{report}");
    assert!(report.contains("categories: 0 created, 1 updated, 0 unchanged"), "{report}");
    let export: Value = serde_json::from_str(&export(&db, "after.json")).expect("JSON");
    let collection = find(&export, "collections", "wic-cbec-2026");
    assert_eq!(collection["texts"]["zh"]["title"], "2026 案例集");
    assert_eq!(collection["themes"], json!(["green trade"]));
    assert_eq!(collection["categories"][0]["position"], 2);
    assert_eq!(collection["categories"][0]["texts"]["en"]["description"], "Low-carbon delivery.");
    assert_eq!(find(&export, "cases", "electric-last-mile")["category"], "green-logistics");
}

#[tokio::test]
async fn a_file_whose_last_case_names_an_unknown_category_writes_nothing() {
    let db = database_with_fixture().await;
    let before = export(&db, "before.json");
    let mut file = fixture();
    file["organisations"][0]["texts"]["en"]["name"] = json!("Renamed");
    let cases = file["cases"].as_array_mut().expect("cases");
    cases.push(case("new-case", "wic-cbec-2024", "brand-incubation", &[]));
    cases.push(case("last-case", "wic-cbec-2024", "no-such-category", &[]));
    let last = cases.len() - 1;
    let path = write_json(&db, "bad.json", &file);
    let errors = rejected_import(&db, &path);
    assert!(
        errors.contains(&format!(r#"cases[{last}] (slug "last-case"), field "category": unknown category"#)),
        "{errors}"
    );
    assert_eq!(before, export(&db, "after.json"), "the database is as before");
}

#[tokio::test]
async fn every_bad_row_is_reported_not_just_the_first() {
    let db = TestDatabase::new().await;
    let mut file = fixture();
    file["organisations"][1]["organisationType"] = json!("SHIPPING");
    file["organisations"][2]["slug"] = json!("gulf-logistics");
    file["cases"][0]["countries"] = json!(["cn"]);
    file["cases"][0]["organisations"][0]["organisation"] = json!("nobody");
    file["cases"][1]["slug"] = json!("Customs Clearance");
    file["cases"][2]["createdAt"] = json!("yesterday");
    file["cases"][2]["status"] = json!("LIVE");
    file["cases"][3]["texts"] = json!({ "EN": { "title": "" } });
    file["followUpActions"][1]["texts"] = json!({});
    file["followUpActions"][0]["cases"] = json!(["no-such-case"]);
    let path = write_json(&db, "bad.json", &file);
    let errors = rejected_import(&db, &path);
    for expected in [
        r#"organisations[1] (slug "gulf-logistics"), field "organisationType": "SHIPPING" is not one of"#,
        r#"organisations[2] (slug "gulf-logistics"), field "slug": duplicate slug "gulf-logistics", first at organisations[1]"#,
        r#"cases[0] (slug "bonded-warehouse-in-dubai"), field "countries[0]": "cn" is not a country code"#,
        r#"field "organisations[0].organisation": unknown organisation "nobody""#,
        r#"cases[1] (slug "Customs Clearance"), field "slug""#,
        r#"field "createdAt": "yesterday" is not an RFC 3339 timestamp"#,
        r#"field "status": "LIVE" is not one of DRAFT, PUBLISHED, ARCHIVED"#,
        r#"field "texts.EN": "EN" is not a language tag"#,
        r#"field "texts.EN.title": must not be empty"#,
        r#"followUpActions[1] (slug "training-for-sellers"), field "texts": has no text in any locale"#,
        r#"followUpActions[0] (slug "xian-showcase-2024"), field "cases[0]": unknown case "no-such-case""#,
    ] {
        assert!(errors.contains(expected), "missing {expected:?} in:\n{errors}");
    }
    assert!(errors.contains("12 problems"), "{errors}");
    let empty = export(&db, "after.json");
    assert!(!empty.contains("gulf-logistics"), "nothing was written");
}

#[tokio::test]
async fn a_json_syntax_error_is_reported_with_its_line_and_column() {
    let db = TestDatabase::new().await;
    let path = db.file("broken.json");
    std::fs::write(&path, "{\n  \"format\": \"casegraph\",\n  \"cases\": [ { \"slug\": 7 } ]\n}\n")
        .expect("file");
    let errors = rejected_import(&db, &path);
    assert!(errors.contains("line 3, column"), "{errors}");
    assert!(errors.contains("invalid type: integer `7`, expected a string"), "{errors}");
}

const CSV_HEADER: &str = "slug,collection,category,status,title_en,summary_en,body_en,title_zh,organisations,\
                          countries,tags,industry_chain_link,published_at,is_sample";

#[tokio::test]
async fn cases_are_imported_from_csv_with_any_locale_columns() {
    let db = database_with_fixture().await;
    let path = db.file("cases.csv");
    let csv = format!(
        "{CSV_HEADER},title_pt-br\n\
         csv-case-one,wic-cbec-2024,trading-platforms,PUBLISHED,Cross-border live streaming,\"Sellers, live\",\
         \"Line one\nline two\",跨境直播,gulf-logistics:LEAD;silk-road-payments:PARTNER,CN;AE,live;video,\
         TRADING_PLATFORM,2024-05-01T00:00:00Z,false,Transmissão ao vivo\n\
         csv-case-two,wic-cbec-2025,technical-support,DRAFT,Training hub,,,,,,,,,true,\n"
    );
    std::fs::write(&path, csv).expect("CSV written");
    let report = import(&db, &path);
    assert!(report.contains("cases: 2 created, 0 updated, 0 unchanged"), "{report}");
    let export: Value = serde_json::from_str(&export(&db, "after.json")).expect("JSON");
    let one = find(&export, "cases", "csv-case-one");
    assert_eq!(one["texts"]["en"]["body"], "Line one\nline two");
    assert_eq!(one["texts"]["zh"], json!({ "title": "跨境直播" }));
    assert_eq!(one["texts"]["pt-br"], json!({ "title": "Transmissão ao vivo" }));
    assert_eq!(one["organisations"][1], json!({ "organisation": "silk-road-payments", "role": "PARTNER" }));
    assert_eq!(one["countries"], json!(["AE", "CN"]));
    assert_eq!(one["version"], 1);
    let two = find(&export, "cases", "csv-case-two");
    assert_eq!(two["isSample"], true);
    assert_eq!(two["texts"], json!({ "en": { "title": "Training hub" } }));
    let again = import(&db, &path);
    assert!(again.contains("cases: 0 created, 0 updated, 2 unchanged"), "{again}");
}

#[tokio::test]
async fn a_bad_csv_row_is_reported_with_its_line_and_column() {
    let db = database_with_fixture().await;
    let before = export(&db, "before.json");
    let path = db.file("cases.csv");
    let csv = format!(
        "{CSV_HEADER}\n\
         good-case,wic-cbec-2024,trading-platforms,PUBLISHED,Fine,,,,,,,,,\n\
         bad-case,wic-cbec-2024,no-such-category,PUBLISHED,Bad,,,,nobody:LEAD;gulf-logistics,cn,,,,maybe\n"
    );
    std::fs::write(&path, csv).expect("CSV written");
    let errors = rejected_import(&db, &path);
    for expected in [
        r#"line 3, column "category": unknown category "no-such-category" in collection "wic-cbec-2024""#,
        r#"line 3, column "organisations": "gulf-logistics" is not organisation-slug:ROLE"#,
        r#"line 3, column "organisations": unknown organisation "nobody""#,
        r#"line 3, column "countries": "cn" is not a country code"#,
        r#"line 3, column "is_sample": "maybe" is not true or false"#,
    ] {
        assert!(errors.contains(expected), "missing {expected:?} in:\n{errors}");
    }
    assert!(!errors.contains("line 2"), "{errors}");
    assert_eq!(before, export(&db, "after.json"), "the good row was not written either");
}

#[tokio::test]
async fn the_export_validates_against_the_json_schema() {
    let db = database_with_fixture().await;
    let export: Value = serde_json::from_str(&export(&db, "a.json")).expect("JSON");
    let schema_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/casegraph-export.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema file"))
        .expect("schema JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema");
    let problems: Vec<String> = validator.iter_errors(&export).map(|error| error.to_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let mut broken = export.clone();
    broken["cases"][0]["status"] = json!("LIVE");
    broken["cases"][1]["countries"] = json!(["cn"]);
    assert!(!validator.is_valid(&broken), "the schema catches bad values");
}
