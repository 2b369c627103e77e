//! `schema.graphql` is generated from the code and must not drift from it.

use std::path::Path;

#[test]
fn schema_graphql_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let generated = casegraph::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|value| value == "1") {
        std::fs::write(&path, &generated).expect("write schema.graphql");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test --test api schema` and review the diff"
    );
}
