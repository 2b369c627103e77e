//! Partner API keys in the database: create, find by digest, list, revoke. The key itself
//! never reaches this layer's tables, only its digest (see `protection::keys`).

use chrono::Utc;
use entity::api_key;
use entity::enums::SubjectType;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use super::Store;
use super::journal::{self, Entry, FieldChange, Journal, Origin};
use crate::error::{Error, Result};
use crate::keys::{NewKey, Scopes};

/// A key as `keys list` shows it: everything but the secret, which is not stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: Scopes,
    pub budget: Option<f64>,
    pub refill: Option<f64>,
    pub created_at: chrono::DateTime<Utc>,
    pub revoked_at: Option<chrono::DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKey {
    fn from(model: api_key::Model) -> Self {
        Self {
            id: model.id,
            name: model.name,
            prefix: model.prefix,
            scopes: Scopes::from_stored(&model.scopes),
            budget: model.budget,
            refill: model.refill,
            created_at: model.created_at,
            revoked_at: model.revoked_at,
        }
    }
}

/// What a new key is for and what it may do.
#[derive(Clone, Debug)]
pub struct KeyRequest {
    pub name: String,
    pub scopes: Scopes,
    pub budget: Option<f64>,
    pub refill: Option<f64>,
}

impl Store {
    /// Stores the digest of a new key for `request`, with its audit entry naming `origin`;
    /// returns the record and the key, which the caller shows once.
    pub async fn create_api_key(&self, request: &KeyRequest, origin: Origin) -> Result<(ApiKey, NewKey)> {
        if request.name.trim().is_empty() {
            return Err(Error::BadUserInput("a key needs a name".to_owned()));
        }
        for (label, value) in [("budget", request.budget), ("refill", request.refill)] {
            if value.is_some_and(|value| !value.is_finite() || value <= 0.0) {
                return Err(Error::BadUserInput(format!("{label} must be a positive number")));
            }
        }
        let key = NewKey::generate();
        let transaction = self.pool().begin().await?;
        let model = api_key::ActiveModel {
            name: Set(request.name.trim().to_owned()),
            prefix: Set(key.prefix.clone()),
            secret_hash: Set(key.hash.clone()),
            scopes: Set(request.scopes.to_stored()),
            budget: Set(request.budget),
            refill: Set(request.refill),
            created_at: Set(Utc::now()),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let record = ApiKey::from(model);
        let entry = key_entry(
            &record,
            None,
            serde_json::json!({
                "name": record.name,
                "prefix": record.prefix,
                "scopes": record.scopes.to_stored(),
                "budget": record.budget,
                "refill": record.refill,
            }),
        );
        journal::record(&transaction, &Journal { origin, seq: None, now: Utc::now() }, vec![entry]).await?;
        transaction.commit().await?;
        Ok((record, key))
    }

    /// The unrevoked key whose digest is `hash`.
    pub async fn active_api_key(&self, hash: &str) -> Result<Option<ApiKey>> {
        // `all`, not `one`: the digest is unique, and a statement without LIMIT stays
        // prepared on SQLite (see `store::statement`).
        let models = api_key::Entity::find()
            .filter(api_key::Column::SecretHash.eq(hash))
            .filter(api_key::Column::RevokedAt.is_null())
            .all(self.connection())
            .await?;
        Ok(models.into_iter().next().map(ApiKey::from))
    }

    /// Every key, oldest first, revoked ones included.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let models = api_key::Entity::find().order_by_asc(api_key::Column::Id).all(self.connection()).await?;
        Ok(models.into_iter().map(ApiKey::from).collect())
    }

    /// Revokes the key with this prefix (`cg_xxxxxxxx`) or numeric id; every server sharing
    /// the database refuses it once its cached verification (`--key-cache-seconds`) expires.
    /// Revoking twice is not an error.
    pub async fn revoke_api_key(&self, key: &str, origin: Origin) -> Result<ApiKey> {
        let mut find = api_key::Entity::find();
        find = match key.parse::<i64>() {
            Ok(id) => find.filter(api_key::Column::Id.eq(id)),
            Err(_) => {
                find.filter(api_key::Column::Prefix.eq(key.split('_').take(2).collect::<Vec<_>>().join("_")))
            }
        };
        let model =
            find.one(self.connection()).await?.ok_or_else(|| Error::NotFound(format!("API key `{key}`")))?;
        if model.revoked_at.is_some() {
            return Ok(model.into());
        }
        let transaction = self.pool().begin().await?;
        let mut active: api_key::ActiveModel = model.into();
        let now = Utc::now();
        active.revoked_at = Set(Some(now));
        let record = ApiKey::from(active.update(&transaction).await?);
        let entry = key_entry(
            &record,
            Some(serde_json::json!({"revokedAt": null})),
            serde_json::json!({"revokedAt": now}),
        );
        journal::record(&transaction, &Journal { origin, seq: None, now }, vec![entry]).await?;
        transaction.commit().await?;
        Ok(record)
    }
}

/// The audit entry of a change to `key`: its fields `before` (none when created) and after.
fn key_entry(key: &ApiKey, before: Option<serde_json::Value>, after: serde_json::Value) -> Entry {
    let before = before.unwrap_or(serde_json::Value::Null);
    let changes = match (&before, &after) {
        (serde_json::Value::Object(old), serde_json::Value::Object(new)) => new
            .iter()
            .map(|(field, value)| FieldChange {
                field: field.clone(),
                old: old.get(field).cloned().unwrap_or(serde_json::Value::Null),
                new: value.clone(),
            })
            .collect(),
        (_, serde_json::Value::Object(new)) => new
            .iter()
            .map(|(field, value)| FieldChange {
                field: field.clone(),
                old: serde_json::Value::Null,
                new: value.clone(),
            })
            .collect(),
        _ => Vec::new(),
    };
    Entry {
        subject_type: SubjectType::ApiKey,
        subject_id: key.id,
        label: format!("{} ({})", key.name, key.prefix),
        version_before: None,
        version_after: None,
        changes,
        kind: None,
        visible: (false, false),
    }
}
