//! `/dashboard` in a real browser: headless Chromium loads the page from a test app, waits
//! for the charts, and the numbers drawn (each bar's `data-count`) must equal the API's.
//! Also: the filter bar's query, Arabic laid out right to left, screenshots under target/.
//! Every app here is started exactly as shipped (anonymous budget and limits included): the
//! page must work for a visitor who has no key. Reloading it 30 times a minute in one
//! browser is `scripts/dashboard-browser.sh` (run by `.ci/run`); the budget arithmetic of
//! a load is tests/api/journeys.rs.
//!
//! Needs Debian's `chromium` package; without it these tests fail and say how to install it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The page's own query (byCountry: top 15), as the API answers it.
const PAGE_QUERY: &str = "query($filter: CaseFilter) { statistics(filter: $filter) {
    caseCount organisationCount countryCount
    byCategory { category { id } count }
    byOrganisationType { type label count }
    byCountry(first: 15) { country { code } count }
    byCollection { collection { slug } count }
    byMonth(field: PUBLISHED_AT) { month count }
    followUpActions { total byKind { kind count } byStatus { status count } } } }";

/// How long one Chromium run may take before the test gives up on it.
const BROWSER_DEADLINE: Duration = Duration::from_secs(90);

fn chromium() -> PathBuf {
    let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
    let found = candidates.iter().map(PathBuf::from).find(|path| path.exists()).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths).map(|dir| dir.join("chromium")).find(|path| path.exists())
        })
    });
    found.unwrap_or_else(|| {
        panic!(
            "headless Chromium is needed for the dashboard tests but was not found. Install it \
             (Debian package `chromium`): apt-get update && apt-get install -y chromium"
        )
    })
}

/// Runs headless Chromium on `url` with `extra` arguments; returns its standard output.
async fn browse(url: String, extra: Vec<String>) -> String {
    let binary = chromium();
    tokio::task::spawn_blocking(move || {
        let profile = tempfile::tempdir().expect("profile folder");
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--virtual-time-budget=10000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(&extra)
            .arg(&url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        let started = Instant::now();
        loop {
            if child.try_wait().expect("chromium status").is_some() {
                break;
            }
            if started.elapsed() > BROWSER_DEADLINE {
                let _ = child.kill();
                panic!("chromium did not finish {url} within {BROWSER_DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let output = child.wait_with_output().expect("chromium output");
        String::from_utf8_lossy(&output.stdout).into_owned()
    })
    .await
    .expect("browser task")
}

/// The page's DOM once its script ran.
async fn dom(app: &TestApp, path: &str) -> String {
    let dom = browse(format!("{}{path}", app.address), vec!["--dump-dom".to_owned()]).await;
    assert!(dom.contains("data-state=\"ready\""), "the dashboard did not finish drawing {path}:\n{dom}");
    dom
}

/// Saves a screenshot of `path` as `target/NAME` in the workspace.
async fn screenshot(app: &TestApp, path: &str, name: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).expect("target folder");
    let file = target.join(name);
    let _ = std::fs::remove_file(&file);
    let arguments = vec![format!("--screenshot={}", file.display()), "--window-size=1280,1900".to_owned()];
    browse(format!("{}{path}", app.address), arguments).await;
    assert!(
        std::fs::metadata(&file).is_ok_and(|meta| meta.len() > 10_000),
        "no screenshot at {}",
        file.display()
    );
    file
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The attributes of an element's start tag, by name.
fn attributes(tag: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut rest = tag;
    while let Some(equals) = rest.find("=\"") {
        let name = rest[..equals].rsplit(|c: char| c.is_whitespace()).next().unwrap_or_default().to_owned();
        let value_start = equals + 2;
        let value_end = rest[value_start..].find('"').map_or(rest.len(), |end| value_start + end);
        found.insert(name, unescape(&rest[value_start..value_end]));
        rest = &rest[(value_end + 1).min(rest.len())..];
    }
    found
}

/// Start tags of `element` carrying `marker`.
fn tags<'a>(dom: &'a str, element: &str, marker: &str) -> Vec<&'a str> {
    let opening = format!("<{element} ");
    dom.match_indices(&opening)
        .filter_map(|(start, _)| dom[start..].find('>').map(|end| &dom[start..start + end]))
        .filter(|tag| tag.contains(marker))
        .collect()
}

/// chart → key → (count, label), as drawn.
type Drawn = BTreeMap<String, BTreeMap<String, (u64, String)>>;

fn drawn(dom: &str) -> (Drawn, BTreeMap<String, u64>) {
    let mut charts = Drawn::new();
    for tag in tags(dom, "g", "data-chart=") {
        let attributes = attributes(tag);
        let count = attributes["data-count"].parse().expect("numeric data-count");
        charts
            .entry(attributes["data-chart"].clone())
            .or_default()
            .insert(attributes["data-key"].clone(), (count, attributes["data-label"].clone()));
    }
    let mut totals = BTreeMap::new();
    for tag in tags(dom, "strong", "data-stat=") {
        let attributes = attributes(tag);
        totals.insert(
            attributes["data-stat"].clone(),
            attributes["data-count"].parse().expect("numeric total"),
        );
    }
    (charts, totals)
}

/// The same numbers from the API: chart → key → count.
async fn expected(app: &TestApp, filter: Value, locale: &str) -> (Value, Drawn, BTreeMap<String, u64>) {
    let body =
        app.graphql_with(PAGE_QUERY, json!({ "filter": filter }), &[("Accept-Language", locale)]).await;
    assert!(body["errors"].is_null(), "{body}");
    let stats = body["data"]["statistics"].clone();
    let mut charts = Drawn::new();
    let mut add = |chart: &str, rows: &Value, key: &dyn Fn(&Value) -> String| {
        let entry = charts.entry(chart.to_owned()).or_default();
        for row in rows.as_array().expect("rows") {
            let label = row["label"].as_str().unwrap_or_default().to_owned();
            entry.insert(key(row), (row["count"].as_u64().expect("count"), label));
        }
    };
    let text = |value: &Value| value.as_str().expect("key").to_owned();
    add("byCategory", &stats["byCategory"], &|row| text(&row["category"]["id"]));
    add("byOrganisationType", &stats["byOrganisationType"], &|row| text(&row["type"]));
    add("byCountry", &stats["byCountry"], &|row| text(&row["country"]["code"]));
    add("byCollection", &stats["byCollection"], &|row| text(&row["collection"]["slug"]));
    add("byMonth", &stats["byMonth"], &|row| text(&row["month"]));
    add("followUpActionsByKind", &stats["followUpActions"]["byKind"], &|row| text(&row["kind"]));
    add("followUpActionsByStatus", &stats["followUpActions"]["byStatus"], &|row| text(&row["status"]));
    charts.retain(|_, rows| !rows.is_empty());
    let totals = BTreeMap::from([
        ("caseCount".to_owned(), stats["caseCount"].as_u64().expect("caseCount")),
        ("organisationCount".to_owned(), stats["organisationCount"].as_u64().expect("organisations")),
        ("countryCount".to_owned(), stats["countryCount"].as_u64().expect("countries")),
        ("followUpActionCount".to_owned(), stats["followUpActions"]["total"].as_u64().expect("total")),
    ]);
    (stats, charts, totals)
}

/// Compares counts chart by chart (labels are the page's, except where the API gives them).
fn assert_same_numbers(drawn: &Drawn, expected: &Drawn) {
    let counts = |charts: &Drawn| -> BTreeMap<String, BTreeMap<String, u64>> {
        charts
            .iter()
            .map(|(chart, rows)| {
                (chart.clone(), rows.iter().map(|(key, (count, _))| (key.clone(), *count)).collect())
            })
            .collect()
    };
    assert_eq!(counts(drawn), counts(expected), "numbers drawn differ from the API's");
}

#[tokio::test]
async fn the_dashboard_draws_the_numbers_the_api_gives() {
    let app = TestApp::spawn_as_shipped().await;
    let dom = dom(&app, "/dashboard").await;
    let (charts, totals) = drawn(&dom);
    let (_, expected_charts, expected_totals) = expected(&app, Value::Null, "en").await;
    for chart in
        ["byCategory", "byOrganisationType", "byCountry", "byCollection", "byMonth", "followUpActionsByKind"]
    {
        assert!(charts.get(chart).is_some_and(|rows| !rows.is_empty()), "no bars in {chart}");
    }
    assert_same_numbers(&charts, &expected_charts);
    assert_eq!(totals, expected_totals);
    assert!(charts["byCountry"].len() <= 15, "top 15 countries only");
    screenshot(&app, "/dashboard", "dashboard.png").await;
}

#[tokio::test]
async fn the_filter_bar_queries_by_collection_category_and_country() {
    let app = TestApp::spawn_as_shipped().await;
    let top = app.graphql("{ statistics(filter: { collections: [\"wic-cbec-2025\"] }) { byCountry(first: 1) { country { code } } } }").await;
    let country =
        top["data"]["statistics"]["byCountry"][0]["country"]["code"].as_str().expect("a country").to_owned();

    let filters = [
        ("/dashboard?collection=wic-cbec-2025".to_owned(), json!({ "collections": ["wic-cbec-2025"] })),
        (
            format!("/dashboard?collection=wic-cbec-2025&country={country}"),
            json!({ "collections": ["wic-cbec-2025"], "countries": [country] }),
        ),
        (
            "/dashboard?category=logistics-integration".to_owned(),
            json!({ "categories": ["logistics-integration"] }),
        ),
    ];
    let (_, _, unfiltered) = expected(&app, Value::Null, "en").await;
    for (path, filter) in filters {
        let (charts, totals) = drawn(&dom(&app, &path).await);
        let (_, expected_charts, expected_totals) = expected(&app, filter, "en").await;
        assert_same_numbers(&charts, &expected_charts);
        assert_eq!(totals, expected_totals, "{path}");
        assert!(totals["caseCount"] < unfiltered["caseCount"], "{path} narrows the cases");
    }
}

#[tokio::test]
async fn the_dashboard_in_arabic_is_right_to_left_with_arabic_labels() {
    let app = TestApp::spawn_as_shipped().await;
    let dom = dom(&app, "/dashboard?lang=ar").await;
    let html = tags(&dom, "html", "lang=");
    let root = attributes(html.first().expect("<html> start tag"));
    assert_eq!(root.get("dir").map(String::as_str), Some("rtl"), "{root:?}");
    assert_eq!(root.get("lang").map(String::as_str), Some("ar"), "{root:?}");
    let (charts, totals) = drawn(&dom);
    let (_, expected_charts, expected_totals) = expected(&app, Value::Null, "ar").await;
    assert_same_numbers(&charts, &expected_charts);
    assert_eq!(totals, expected_totals);
    // Labels the API localises are drawn as the API gave them for Accept-Language: ar.
    for (key, (_, label)) in &expected_charts["byOrganisationType"] {
        assert_eq!(&charts["byOrganisationType"][key].1, label, "{key}");
        assert!(label.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)), "Arabic label: {label}");
    }
    screenshot(&app, "/dashboard?lang=ar", "dashboard-ar.png").await;
}

#[tokio::test]
async fn the_dashboard_is_served_with_its_assets_and_loads_nothing_from_elsewhere() {
    let app = TestApp::spawn().await;
    for (path, content_type) in [
        ("/dashboard", "text/html"),
        ("/dashboard/dashboard.js", "text/javascript"),
        ("/dashboard/dashboard.css", "text/css"),
    ] {
        let response = app.get(path, &[]).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert!(
            headers["content-type"].to_str().is_ok_and(|value| value.starts_with(content_type)),
            "{path}"
        );
        assert!(
            headers["content-security-policy"].to_str().is_ok_and(|csp| csp.contains("default-src 'none'"))
        );
        let body = response.text().await.expect("body");
        // The one absolute URL is the SVG namespace, a name rather than an address.
        let addresses = body.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !addresses.contains("http://") && !addresses.contains("https://"),
            "{path} names another site"
        );
    }
}
