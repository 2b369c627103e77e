//! Managing partner API keys through the API (scope `admin`), as `casegraph keys` does on
//! the server's shell.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::editor::RequestId;
use super::user_error::{UserError, UserErrorCode};
use crate::graphql::access::Access;
use crate::graphql::cost_directives::{TYPICAL_USER_ERRORS, list_size};
use crate::graphql::id::{self, NodeKind};
use crate::graphql::types::{ApiKey, ApiKeyScope};
use crate::keys::Scopes;
use crate::store::Store;
use crate::store::api_keys::KeyRequest;
use crate::store::journal::{Actor, Origin};

/// Longest key name, in characters.
const MAX_NAME_CHARS: usize = 200;

/// A new key: who it is for and what it may do.
#[derive(Debug, InputObject)]
pub struct CreateApiKeyInput {
    /// Who the key is for (shown in lists), 1 to 200 characters.
    pub name: String,
    /// What it may do; at least one.
    pub scopes: Vec<ApiKeyScope>,
    /// Its budget in points (positive); the server's default for keys when left out.
    pub budget: Option<f64>,
    /// Points per second refilled into it (positive); the server's default when left out.
    pub refill: Option<f64>,
}

/// The key created, and its secret: shown here once, never again (only a digest is stored).
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The key; null when there are `userErrors`.
    pub api_key: Option<ApiKey>,
    /// The whole key, to send as `Authorization: Bearer <secret>`; null when there are
    /// `userErrors`. Store it now: it cannot be shown again.
    pub secret: Option<String>,
    /// Problems with the input; nothing was created when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// The key to revoke.
#[derive(Debug, InputObject)]
pub struct RevokeApiKeyInput {
    /// The key's `id`.
    pub id: ID,
}

/// The key revoked.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The key, now inactive (revoking twice is not an error); null when there are
    /// `userErrors`.
    pub api_key: Option<ApiKey>,
    /// Problems with the input; nothing was revoked when there are any.
    #[graphql(directive = list_size::apply(Some(TYPICAL_USER_ERRORS), None, None))]
    pub user_errors: Vec<UserError>,
}

/// Every problem with a new key's input, at once.
fn check(input: &CreateApiKeyInput) -> Vec<UserError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(UserError::at(&["name"], UserErrorCode::Required, "a key needs a name"));
    } else if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        errors.push(UserError::at(
            &["name"],
            UserErrorCode::Invalid,
            format!("a name has 1 to {MAX_NAME_CHARS} characters and no control characters"),
        ));
    }
    if input.scopes.is_empty() {
        errors.push(UserError::at(&["scopes"], UserErrorCode::Required, "a key needs at least one scope"));
    }
    for (field, value) in [("budget", input.budget), ("refill", input.refill)] {
        if value.is_some_and(|value| !value.is_finite() || value <= 0.0) {
            errors.push(UserError::at(
                &[field],
                UserErrorCode::Invalid,
                format!("{field} must be a positive number"),
            ));
        }
    }
    errors
}

/// Who changes a key, for its audit entry.
fn origin(context: &Context<'_>, action: &str) -> Result<Origin, crate::error::Error> {
    let actor = context
        .data_opt::<Actor>()
        .cloned()
        .ok_or_else(|| crate::error::Error::Unauthenticated(format!("{action} needs an API key")))?;
    Ok(Origin::new(actor, action, context.data_opt::<RequestId>().map(|id| id.0.clone())))
}

/// The key mutations.
#[derive(Default)]
pub struct ApiKeyMutations;

#[Object]
impl ApiKeyMutations {
    /// Creates an API key (scope `admin`). The payload holds its secret, once.
    async fn create_api_key(
        &self,
        context: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> async_graphql::Result<CreateApiKeyPayload> {
        Access::of(context).require_admin("createApiKey")?;
        let user_errors = check(&input);
        if !user_errors.is_empty() {
            return Ok(CreateApiKeyPayload { api_key: None, secret: None, user_errors });
        }
        let request = KeyRequest {
            name: input.name.trim().to_owned(),
            scopes: input.scopes.into_iter().map(Into::into).collect::<Scopes>(),
            budget: input.budget,
            refill: input.refill,
        };
        let origin = origin(context, "createApiKey")?;
        let (record, key) = context.data::<Store>()?.create_api_key(&request, origin).await?;
        Ok(CreateApiKeyPayload {
            api_key: Some(ApiKey(record)),
            secret: Some(key.secret),
            user_errors: Vec::new(),
        })
    }

    /// Revokes an API key (scope `admin`): every server refuses it once its cached
    /// verification expires (`--key-cache-seconds`).
    async fn revoke_api_key(
        &self,
        context: &Context<'_>,
        input: RevokeApiKeyInput,
    ) -> async_graphql::Result<RevokeApiKeyPayload> {
        Access::of(context).require_admin("revokeApiKey")?;
        let not_found = || RevokeApiKeyPayload {
            api_key: None,
            user_errors: vec![UserError::at(&["id"], UserErrorCode::NotFound, "no API key has this id")],
        };
        let Some((NodeKind::ApiKey, key_id)) = id::decode(&input.id) else {
            return Ok(not_found());
        };
        let origin = origin(context, "revokeApiKey")?;
        match context.data::<Store>()?.revoke_api_key(&key_id.to_string(), origin).await {
            Ok(record) => Ok(RevokeApiKeyPayload { api_key: Some(ApiKey(record)), user_errors: Vec::new() }),
            Err(crate::error::Error::NotFound(_)) => Ok(not_found()),
            Err(error) => Err(error.into()),
        }
    }
}
