//! The command line: help, migrate, export-schema.

use crate::helpers::{TestDatabase, casegraph, casegraph_ok};

#[tokio::test]
async fn help_documents_every_option_and_command() {
    let database = TestDatabase::new().await;
    let help = casegraph_ok(&database, &["--help"]);
    for expected in [
        "--database-url",
        "DATABASE_URL",
        "--bind",
        "CASEGRAPH_BIND",
        "--log-level",
        "--log-format",
        "--no-samples",
        "serve",
        "migrate",
        "seed",
        "import",
        "export",
        "export-schema",
    ] {
        assert!(help.contains(expected), "--help lacks {expected}:\n{help}");
    }
}

#[tokio::test]
async fn migrate_prepares_a_new_database_and_is_idempotent() {
    let database = TestDatabase::new().await;
    assert!(casegraph_ok(&database, &["migrate"]).contains("up to date"));
    assert!(casegraph_ok(&database, &["migrate"]).contains("up to date"));
}

#[tokio::test]
async fn export_schema_prints_the_checked_in_schema() {
    let database = TestDatabase::new().await;
    let printed = casegraph_ok(&database, &["export-schema"]);
    assert_eq!(printed, casegraph::graphql::sdl());
}

#[tokio::test]
async fn a_bad_database_url_fails_with_a_message_not_a_panic() {
    let database = TestDatabase::new().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_casegraph"))
        .args(["migrate"])
        .env("DATABASE_URL", "nosuchdb://nowhere")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    drop(casegraph(&database, &["migrate"]));
}
