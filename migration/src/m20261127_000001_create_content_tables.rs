//! Collections, categories, organisations, cases, follow-up actions, their links and their
//! per-locale translations, with the indexes the read API filters, orders and pages by.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order; `down` drops them in reverse.
const TABLES: [&str; 15] = [
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

fn name(table: &str) -> Alias {
    Alias::new(table)
}

fn id() -> ColumnDef {
    big_pk_auto(name("id"))
}

fn locale() -> ColumnDef {
    string_len(name("locale"), 16)
}

fn created_updated(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table.col(timestamp_with_time_zone(name("created_at"))).col(timestamp_with_time_zone(name("updated_at")))
}

/// A foreign key from `table.column` to `target.id`.
fn reference(
    table: &str,
    column: &str,
    target: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(name(table), name(column))
        .to(name(target), name("id"))
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A translation table: (owner_id, locale) primary key, cascading from its owner.
fn translation(owner: &str, texts: &[ColumnDef]) -> TableCreateStatement {
    let table = format!("{owner}_translation");
    let owner_column = format!("{owner}_id");
    let owner_table = if owner == "case" { "cases" } else { owner };
    let mut statement = Table::create();
    statement.table(name(&table)).col(big_integer(name(&owner_column))).col(locale());
    for text in texts {
        statement.col(text.clone());
    }
    statement
        .primary_key(Index::create().col(name(&owner_column)).col(name("locale")))
        .foreign_key(&mut reference(&table, &owner_column, owner_table, ForeignKeyAction::Cascade))
        .to_owned()
}

fn index(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(format!("ix_{table}_{}", columns.join("_"))).table(name(table));
    for column in columns {
        statement.col(name(column));
    }
    statement.to_owned()
}

fn unique_index(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut statement = index(table, columns);
    statement.name(format!("ux_{table}_{}", columns.join("_"))).unique();
    statement
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        created_updated(
            Table::create()
                .table(name("collection"))
                .col(id())
                .col(string_len_uniq(name("slug"), 120))
                .col(integer(name("year")))
                .col(text_null(name("publisher")))
                .col(date_null(name("released_on")))
                .col(text_null(name("released_at_event")))
                .col(integer_null(name("declared_case_count")))
                .col(string_len_null(name("call_for_cases_started"), 16))
                .col(json(name("sources")))
                .col(json(name("themes"))),
        )
        .to_owned(),
        translation("collection", &[text(name("title"))]),
        Table::create()
            .table(name("category"))
            .col(id())
            .col(big_integer(name("collection_id")))
            .col(string_len(name("slug"), 120))
            .col(integer(name("position")))
            .foreign_key(&mut reference("category", "collection_id", "collection", ForeignKeyAction::Cascade))
            .to_owned(),
        translation("category", &[text(name("name")), text_null(name("description"))]),
        created_updated(
            Table::create()
                .table(name("organisation"))
                .col(id())
                .col(string_len_uniq(name("slug"), 160))
                .col(string_len(name("organisation_type"), 40))
                .col(string_len_null(name("country"), 2))
                .col(text_null(name("region")))
                .col(text_null(name("website")))
                .col(boolean(name("is_sample"))),
        )
        .to_owned(),
        translation("organisation", &[text(name("name")), text_null(name("description"))]),
        Table::create()
            .table(name("cases"))
            .col(id())
            .col(string_len_uniq(name("slug"), 160))
            .col(big_integer(name("collection_id")))
            .col(big_integer(name("category_id")))
            .col(string_len_null(name("industry_chain_link"), 40))
            .col(string_len_null(name("sourcing_method"), 32))
            .col(text_null(name("cover_image_url")))
            .col(string_len(name("status"), 16))
            .col(boolean(name("is_sample")))
            .col(timestamp_with_time_zone_null(name("published_at")))
            .col(timestamp_with_time_zone(name("created_at")))
            .col(timestamp_with_time_zone(name("updated_at")))
            .col(integer(name("version")))
            .foreign_key(&mut reference("cases", "collection_id", "collection", ForeignKeyAction::Restrict))
            .foreign_key(&mut reference("cases", "category_id", "category", ForeignKeyAction::Restrict))
            .to_owned(),
        translation("case", &[text(name("title")), text_null(name("summary")), text_null(name("body"))]),
        Table::create()
            .table(name("case_organisation"))
            .col(big_integer(name("case_id")))
            .col(big_integer(name("organisation_id")))
            .col(string_len(name("role"), 16))
            .col(integer(name("position")))
            .primary_key(Index::create().col(name("case_id")).col(name("organisation_id")))
            .foreign_key(&mut reference("case_organisation", "case_id", "cases", ForeignKeyAction::Cascade))
            .foreign_key(&mut reference(
                "case_organisation",
                "organisation_id",
                "organisation",
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(name("case_country"))
            .col(big_integer(name("case_id")))
            .col(string_len(name("country_code"), 2))
            .primary_key(Index::create().col(name("case_id")).col(name("country_code")))
            .foreign_key(&mut reference("case_country", "case_id", "cases", ForeignKeyAction::Cascade))
            .to_owned(),
        Table::create().table(name("tag")).col(id()).col(string_len_uniq(name("name"), 80)).to_owned(),
        Table::create()
            .table(name("case_tag"))
            .col(big_integer(name("case_id")))
            .col(big_integer(name("tag_id")))
            .primary_key(Index::create().col(name("case_id")).col(name("tag_id")))
            .foreign_key(&mut reference("case_tag", "case_id", "cases", ForeignKeyAction::Cascade))
            .foreign_key(&mut reference("case_tag", "tag_id", "tag", ForeignKeyAction::Cascade))
            .to_owned(),
        created_updated(
            Table::create()
                .table(name("follow_up_action"))
                .col(id())
                .col(string_len_uniq(name("slug"), 160))
                .col(string_len(name("kind"), 32))
                .col(string_len(name("status"), 16))
                .col(date_null(name("starts_on")))
                .col(date_null(name("ends_on")))
                .col(text_null(name("place")))
                .col(big_integer_null(name("organiser_id")))
                .col(big_integer_null(name("collection_id")))
                .col(boolean(name("is_sample")))
                .foreign_key(&mut reference(
                    "follow_up_action",
                    "organiser_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut reference(
                    "follow_up_action",
                    "collection_id",
                    "collection",
                    ForeignKeyAction::SetNull,
                )),
        )
        .to_owned(),
        translation("follow_up_action", &[text(name("title")), text_null(name("description"))]),
        Table::create()
            .table(name("follow_up_action_case"))
            .col(big_integer(name("follow_up_action_id")))
            .col(big_integer(name("case_id")))
            .primary_key(Index::create().col(name("follow_up_action_id")).col(name("case_id")))
            .foreign_key(&mut reference(
                "follow_up_action_case",
                "follow_up_action_id",
                "follow_up_action",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut reference(
                "follow_up_action_case",
                "case_id",
                "cases",
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique_index("category", &["collection_id", "slug"]),
        index("category", &["collection_id", "position"]),
        index("organisation", &["organisation_type", "id"]),
        index("organisation", &["country", "id"]),
        index("organisation", &["created_at", "id"]),
        // Case listings: status is always filtered; each order key ends with id (tiebreak).
        index("cases", &["status", "published_at", "id"]),
        index("cases", &["status", "updated_at", "id"]),
        index("cases", &["status", "created_at", "id"]),
        index("cases", &["updated_at", "id"]),
        index("cases", &["category_id", "status", "published_at", "id"]),
        index("cases", &["collection_id", "status", "published_at", "id"]),
        index("cases", &["industry_chain_link"]),
        index("case_translation", &["locale", "title"]),
        index("case_organisation", &["organisation_id", "case_id"]),
        index("case_country", &["country_code", "case_id"]),
        index("case_tag", &["tag_id", "case_id"]),
        index("follow_up_action", &["kind", "id"]),
        index("follow_up_action", &["status", "id"]),
        index("follow_up_action", &["starts_on", "id"]),
        index("follow_up_action", &["created_at", "id"]),
        index("follow_up_action", &["organiser_id"]),
        index("follow_up_action", &["collection_id"]),
        index("follow_up_action_case", &["case_id", "follow_up_action_id"]),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(name(table)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
