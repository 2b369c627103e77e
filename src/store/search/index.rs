//! Keeps the full-text indexes in step with the content. Writers call these inside their
//! own transaction, so an index never disagrees with the rows it describes.

use std::collections::{BTreeMap, HashMap};

use entity::{
    case, case_organisation, case_translation, follow_up_action, follow_up_action_translation,
    organisation_translation,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect};

use super::matching::Indexed;
use super::syntax::quote_lexeme;
use crate::error::Result;
use crate::store::sql::bulk::{Load, copy_escaped};
use crate::text::{terms, tokenize};

/// Ids per statement when reading sources or deleting index rows.
const CHUNK: usize = 2_000;
/// Largest position PostgreSQL keeps in a tsvector.
const MAX_POSITION: usize = 16_383;

/// The raw texts of one object, per indexed field (every locale concatenated).
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub id: i64,
    pub fields: Vec<String>,
    /// A case's status (SQLite indexes it as a token of its own column: see
    /// [`Indexed::status_column`]); `None` for other kinds.
    pub status: Option<String>,
}

/// Rebuilds the index rows of these cases from their translations and organisations.
pub async fn reindex_cases<C: ConnectionTrait + 'static>(connection: &C, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(CHUNK) {
        let documents = case_documents(connection, chunk).await?;
        replace(connection, Indexed::Case, documents).await?;
    }
    Ok(())
}

/// The documents of the cases `chunk` (at most [`CHUNK`] ids), from their translations and
/// organisations' names.
async fn case_documents<C: ConnectionTrait + 'static>(
    connection: &C,
    chunk: &[i64],
) -> Result<Vec<Document>> {
    {
        let mut documents: BTreeMap<i64, Document> = chunk
            .iter()
            .map(|id| (*id, Document { id: *id, fields: vec![String::new(); 4], status: None }))
            .collect();
        let statuses = case::Entity::find()
            .select_only()
            .column(case::Column::Id)
            .column(case::Column::Status)
            .filter(case::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple::<(i64, String)>()
            .all(connection)
            .await?;
        for (id, status) in statuses {
            if let Some(document) = documents.get_mut(&id) {
                document.status = Some(status.to_lowercase());
            }
        }
        let texts = case_translation::Entity::find()
            .filter(case_translation::Column::CaseId.is_in(chunk.iter().copied()))
            .all(connection)
            .await?;
        for text in texts {
            if let Some(document) = documents.get_mut(&text.case_id) {
                append(&mut document.fields[0], &text.title);
                append(&mut document.fields[1], text.summary.as_deref().unwrap_or_default());
                append(&mut document.fields[2], text.body.as_deref().unwrap_or_default());
            }
        }
        let names = Query::select()
            .column((case_organisation::Entity, case_organisation::Column::CaseId))
            .column((organisation_translation::Entity, organisation_translation::Column::Name))
            .from(case_organisation::Entity)
            .inner_join(
                organisation_translation::Entity,
                Expr::col((
                    organisation_translation::Entity,
                    organisation_translation::Column::OrganisationId,
                ))
                .equals((case_organisation::Entity, case_organisation::Column::OrganisationId)),
            )
            .and_where(
                Expr::col((case_organisation::Entity, case_organisation::Column::CaseId))
                    .is_in(chunk.iter().copied()),
            )
            .to_owned();
        let names: Vec<(i64, String)> = connection
            .query_all(&names)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("", "case_id")?, row.try_get("", "name")?)))
            .collect::<Result<_>>()?;
        for (case_id, name) in names {
            if let Some(document) = documents.get_mut(&case_id) {
                append(&mut document.fields[3], &name);
            }
        }
        Ok(documents.into_values().collect())
    }
}

/// Rebuilds the index rows of `case_ids` and of every case naming one of `organisation_ids`
/// (a case's entry carries its organisations' names).
pub async fn reindex_cases_of_organisations<C: ConnectionTrait + 'static>(
    connection: &C,
    organisation_ids: &[i64],
    case_ids: &[i64],
) -> Result<()> {
    let mut ids: std::collections::BTreeSet<i64> = case_ids.iter().copied().collect();
    for chunk in organisation_ids.chunks(CHUNK) {
        let select = Query::select()
            .column(case_organisation::Column::CaseId)
            .from(case_organisation::Entity)
            .and_where(Expr::col(case_organisation::Column::OrganisationId).is_in(chunk.iter().copied()))
            .to_owned();
        for row in connection.query_all(&select).await? {
            ids.insert(row.try_get("", "case_id")?);
        }
    }
    reindex_cases(connection, &ids.into_iter().collect::<Vec<_>>()).await
}

/// Rebuilds the index rows of these organisations.
pub async fn reindex_organisations<C: ConnectionTrait + 'static>(connection: &C, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(CHUNK) {
        let documents = organisation_documents(connection, chunk).await?;
        replace(connection, Indexed::Organisation, documents).await?;
    }
    Ok(())
}

/// The documents of the organisations `chunk` (at most [`CHUNK`] ids).
async fn organisation_documents<C: ConnectionTrait + 'static>(
    connection: &C,
    chunk: &[i64],
) -> Result<Vec<Document>> {
    {
        let mut documents: BTreeMap<i64, Document> = chunk
            .iter()
            .map(|id| (*id, Document { id: *id, fields: vec![String::new(); 2], status: None }))
            .collect();
        let texts = organisation_translation::Entity::find()
            .filter(organisation_translation::Column::OrganisationId.is_in(chunk.iter().copied()))
            .all(connection)
            .await?;
        for text in texts {
            if let Some(document) = documents.get_mut(&text.organisation_id) {
                append(&mut document.fields[0], &text.name);
                append(&mut document.fields[1], text.description.as_deref().unwrap_or_default());
            }
        }
        Ok(documents.into_values().collect())
    }
}

/// Rebuilds the index rows of these follow-up actions.
pub async fn reindex_follow_up_actions<C: ConnectionTrait + 'static>(
    connection: &C,
    ids: &[i64],
) -> Result<()> {
    for chunk in ids.chunks(CHUNK) {
        let documents = follow_up_action_documents(connection, chunk).await?;
        replace(connection, Indexed::FollowUpAction, documents).await?;
    }
    Ok(())
}

/// The documents of the follow-up actions `chunk` (at most [`CHUNK`] ids).
async fn follow_up_action_documents<C: ConnectionTrait + 'static>(
    connection: &C,
    chunk: &[i64],
) -> Result<Vec<Document>> {
    {
        let mut documents: BTreeMap<i64, Document> = chunk
            .iter()
            .map(|id| (*id, Document { id: *id, fields: vec![String::new(); 3], status: None }))
            .collect();
        let places: HashMap<i64, Option<String>> = follow_up_action::Entity::find()
            .filter(follow_up_action::Column::Id.is_in(chunk.iter().copied()))
            .all(connection)
            .await?
            .into_iter()
            .map(|action| (action.id, action.place))
            .collect();
        let texts = follow_up_action_translation::Entity::find()
            .filter(follow_up_action_translation::Column::FollowUpActionId.is_in(chunk.iter().copied()))
            .all(connection)
            .await?;
        for text in texts {
            if let Some(document) = documents.get_mut(&text.follow_up_action_id) {
                append(&mut document.fields[0], &text.title);
                append(&mut document.fields[1], text.description.as_deref().unwrap_or_default());
            }
        }
        for (id, place) in places {
            if let (Some(document), Some(place)) = (documents.get_mut(&id), place) {
                append(&mut document.fields[2], &place);
            }
        }
        Ok(documents.into_values().collect())
    }
}

/// The documents of objects a bulk load wrote, read back in its transaction.
pub async fn loaded_documents(load: &Load, indexed: Indexed, ids: &[i64]) -> Result<Vec<Document>> {
    let connection = load.connection();
    let mut documents = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        documents.extend(match indexed {
            Indexed::Case => case_documents(connection, chunk).await?,
            Indexed::Organisation => organisation_documents(connection, chunk).await?,
            Indexed::FollowUpAction => follow_up_action_documents(connection, chunk).await?,
        });
    }
    Ok(documents)
}

/// Index rows analysed and ready to write (the analysis is CPU work a loader can run on
/// another thread while the database writes the previous batch).
#[derive(Debug)]
pub struct Analysed {
    indexed: Indexed,
    rows: AnalysedRows,
}

#[derive(Debug)]
enum AnalysedRows {
    /// PostgreSQL: `owner_id<TAB>tsvector` lines for `COPY`.
    Copy(String),
    /// SQLite: the documents with their fields as terms.
    Terms(Vec<Document>),
}

/// Analyses `documents` for `backend`'s index of `indexed`.
pub fn analyse(backend: DatabaseBackend, indexed: Indexed, documents: Vec<Document>) -> Analysed {
    let rows = if backend == DatabaseBackend::Postgres {
        let mut data = String::new();
        for document in &documents {
            data.push_str(&document.id.to_string());
            data.push('\t');
            copy_escaped(&mut data, &tsvector(indexed, document));
            data.push('\n');
        }
        AnalysedRows::Copy(data)
    } else {
        AnalysedRows::Terms(
            documents
                .into_iter()
                .map(|document| Document {
                    fields: document.fields.iter().map(|field| terms(field)).collect(),
                    ..document
                })
                .collect(),
        )
    };
    Analysed { indexed, rows }
}

/// Writes analysed index rows of objects a bulk load created (they have none yet).
pub async fn write_analysed(load: &Load, analysed: Analysed) -> Result<()> {
    match analysed.rows {
        AnalysedRows::Copy(data) => {
            let statement = format!("COPY {} (owner_id, document) FROM STDIN", analysed.indexed.table());
            load.copy_text(&statement, &data).await
        }
        AnalysedRows::Terms(documents) => {
            for chunk in documents.chunks(CHUNK) {
                insert_terms(load.connection(), analysed.indexed, chunk).await?;
            }
            Ok(())
        }
    }
}

/// Indexes objects a bulk load created (they have no index rows yet): on PostgreSQL the
/// rows go in by `COPY`.
pub async fn index_loaded(load: &Load, indexed: Indexed, ids: &[i64]) -> Result<()> {
    let documents = loaded_documents(load, indexed, ids).await?;
    let analysed = analyse(load.connection().get_database_backend(), indexed, documents);
    write_analysed(load, analysed).await
}

fn append(field: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !field.is_empty() {
        field.push('\n');
    }
    field.push_str(text);
}

/// Deletes the index rows of the objects `ids` (deleted objects).
pub async fn remove<C: ConnectionTrait + 'static>(
    connection: &C,
    indexed: Indexed,
    ids: &[i64],
) -> Result<()> {
    let backend = connection.get_database_backend();
    let key = if backend == DatabaseBackend::Postgres { "owner_id" } else { "rowid" };
    for chunk in ids.chunks(CHUNK) {
        let delete = Query::delete()
            .from_table(Alias::new(indexed.table()))
            .and_where(Expr::cust(key).is_in(chunk.iter().copied()))
            .to_owned();
        connection.execute(&delete).await?;
    }
    Ok(())
}

/// Deletes and re-inserts the index rows of `documents`.
pub async fn replace<C: ConnectionTrait + 'static>(
    connection: &C,
    indexed: Indexed,
    documents: Vec<Document>,
) -> Result<()> {
    if documents.is_empty() {
        return Ok(());
    }
    let backend = connection.get_database_backend();
    let key = if backend == DatabaseBackend::Postgres { "owner_id" } else { "rowid" };
    let table = Alias::new(indexed.table());
    for chunk in documents.chunks(CHUNK) {
        let delete = Query::delete()
            .from_table(table.clone())
            .and_where(Expr::cust(key).is_in(chunk.iter().map(|document| document.id)))
            .to_owned();
        connection.execute(&delete).await?;
        insert(connection, indexed, chunk).await?;
    }
    Ok(())
}

/// Inserts the index rows of `documents` (none may have rows yet).
async fn insert<C: ConnectionTrait + 'static>(
    connection: &C,
    indexed: Indexed,
    documents: &[Document],
) -> Result<()> {
    if connection.get_database_backend() == DatabaseBackend::Postgres {
        let table = Alias::new(indexed.table());
        // Small enough statements for the bind-parameter limit.
        for rows in documents.chunks(500) {
            let mut insert = Query::insert();
            insert.into_table(table.clone()).columns([Alias::new("owner_id"), Alias::new("document")]);
            for document in rows {
                insert.values([
                    Expr::val(document.id),
                    Expr::cust_with_values("CAST($1 AS tsvector)", [tsvector(indexed, document)]),
                ])?;
            }
            connection.execute(&insert).await?;
        }
        return Ok(());
    }
    let analysed: Vec<Document> = documents
        .iter()
        .map(|document| Document {
            id: document.id,
            fields: document.fields.iter().map(|field| terms(field)).collect(),
            status: document.status.clone(),
        })
        .collect();
    insert_terms(connection, indexed, &analysed).await
}

/// Inserts SQLite index rows whose fields are already terms.
async fn insert_terms<C: ConnectionTrait + 'static>(
    connection: &C,
    indexed: Indexed,
    documents: &[Document],
) -> Result<()> {
    let table = Alias::new(indexed.table());
    let mut columns = vec![Alias::new("rowid")];
    columns.extend(indexed.fields().iter().map(|(name, _)| Alias::new(*name)));
    let status = indexed.status_column();
    columns.extend(status.map(Alias::new));
    // Small enough statements for the bind-parameter limit.
    for rows in documents.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(table.clone()).columns(columns.clone());
        for document in rows {
            let mut values = vec![Expr::val(document.id)];
            values.extend(document.fields.iter().map(|field| Expr::val(field.clone())));
            if status.is_some() {
                values.push(Expr::val(document.status.clone().unwrap_or_default()));
            }
            insert.values(values)?;
        }
        connection.execute(&insert).await?;
    }
    Ok(())
}

/// The weighted tsvector literal of a document (positions run across fields, with a gap
/// between fields so a phrase never spans two of them).
fn tsvector(indexed: Indexed, document: &Document) -> String {
    let mut lexemes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut position = 0;
    for ((_, weight), field) in indexed.fields().iter().zip(&document.fields) {
        let letter = match *weight {
            w if w >= 8.0 => 'A',
            w if w >= 4.0 => 'B',
            w if w >= 2.0 => 'C',
            _ => 'D',
        };
        for token in tokenize(field) {
            position = Ord::min(position + 1, MAX_POSITION);
            let positions = lexemes.entry(token.term).or_default();
            if positions.len() < 256 {
                positions.push(format!("{position}{letter}"));
            }
        }
        position = Ord::min(position + 1, MAX_POSITION);
    }
    lexemes
        .into_iter()
        .map(|(lexeme, positions)| format!("{}:{}", quote_lexeme(&lexeme), positions.join(",")))
        .collect::<Vec<_>>()
        .join(" ")
}
