//! Migrations apply, roll back and apply again on SQLite and PostgreSQL.

use casegraph::store::Store;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::TestDatabase;

async fn table_answers(store: &Store, table: &str) -> bool {
    let backend = store.backend();
    store
        .connection()
        .query_one_raw(Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")))
        .await
        .is_ok()
}

#[tokio::test]
async fn migrations_apply_roll_back_and_apply_again() {
    let database = TestDatabase::new().await;
    let store = Store::connect(&database.config()).await.expect("connect");
    let tables = [
        "collection",
        "collection_translation",
        "category",
        "category_translation",
        "organisation",
        "organisation_translation",
        "cases",
        "case_translation",
        "case_organisation",
        "case_country",
        "tag",
        "case_tag",
        "follow_up_action",
        "follow_up_action_translation",
        "follow_up_action_case",
    ];

    store.migrate().await.expect("up");
    for table in tables {
        assert!(table_answers(&store, table).await, "{table} missing after up");
    }
    store.migrate().await.expect("up again is a no-op");

    store.migrate_down().await.expect("down");
    for table in tables {
        assert!(!table_answers(&store, table).await, "{table} still there after down");
    }

    store.migrate().await.expect("up after down");
    for table in tables {
        assert!(table_answers(&store, table).await, "{table} missing after second up");
    }
}
