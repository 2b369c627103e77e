//! Trusted documents in the database: operations registered from clients' manifests.

use chrono::Utc;
use entity::trusted_document;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::Store;
use crate::error::Result;

/// A document to register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDocument {
    /// Lower-case hex SHA-256 of `body`.
    pub hash: String,
    pub name: Option<String>,
    pub body: String,
}

impl Store {
    /// Registers `documents` for `client` (an existing hash keeps its text, gets the new
    /// client and name); returns how many were given.
    pub async fn add_trusted_documents(
        &self,
        client: Option<&str>,
        documents: Vec<NewDocument>,
    ) -> Result<usize> {
        let count = documents.len();
        let now = Utc::now();
        let rows: Vec<trusted_document::ActiveModel> = documents
            .into_iter()
            .map(|document| trusted_document::ActiveModel {
                hash: Set(document.hash),
                client: Set(client.map(str::to_owned)),
                name: Set(document.name),
                body: Set(document.body),
                created_at: Set(now),
            })
            .collect();
        if rows.is_empty() {
            return Ok(0);
        }
        let conflict = OnConflict::column(trusted_document::Column::Hash)
            .update_columns([trusted_document::Column::Client, trusted_document::Column::Name])
            .to_owned();
        trusted_document::Entity::insert_many(rows)
            .on_conflict(conflict)
            .exec_without_returning(self.pool())
            .await?;
        Ok(count)
    }

    /// Every registered document, by client then name.
    pub async fn trusted_documents(&self) -> Result<Vec<trusted_document::Model>> {
        Ok(trusted_document::Entity::find()
            .order_by_asc(trusted_document::Column::Client)
            .order_by_asc(trusted_document::Column::Name)
            .all(self.connection())
            .await?)
    }

    /// The text registered under `hash`.
    pub async fn trusted_document(&self, hash: &str) -> Result<Option<String>> {
        Ok(trusted_document::Entity::find_by_id(hash.to_owned())
            .one(self.pool())
            .await?
            .map(|document| document.body))
    }

    /// Removes the document `hash`, or every document of a client; returns how many.
    pub async fn remove_trusted_documents(&self, hash: Option<&str>, client: Option<&str>) -> Result<u64> {
        let mut delete = trusted_document::Entity::delete_many();
        if let Some(hash) = hash {
            delete = delete.filter(trusted_document::Column::Hash.eq(hash));
        }
        if let Some(client) = client {
            delete = delete.filter(trusted_document::Column::Client.eq(client));
        }
        Ok(delete.exec(self.pool()).await?.rows_affected)
    }
}
