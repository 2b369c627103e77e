//! `ApiKey`: a partner key as an administrator sees it, never its secret (only a digest of
//! it is stored; `createApiKey` shows the secret once).

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::graphql::connection::PageInfo;
use crate::graphql::id::{self, NodeKind};
use crate::keys::Scope;
use crate::store::api_keys::ApiKey as KeyRecord;

/// What a key may do. `ADMIN` holds every scope; `READ_DRAFTS` holds `READ`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ApiKeyScope {
    /// Read published content.
    Read,
    /// Read DRAFT and ARCHIVED cases too.
    ReadDrafts,
    /// Change content (editorial mutations).
    Write,
    /// Everything, including managing keys.
    Admin,
}

impl From<ApiKeyScope> for Scope {
    fn from(scope: ApiKeyScope) -> Self {
        match scope {
            ApiKeyScope::Read => Self::Read,
            ApiKeyScope::ReadDrafts => Self::ReadDrafts,
            ApiKeyScope::Write => Self::Write,
            ApiKeyScope::Admin => Self::Admin,
        }
    }
}

impl From<Scope> for ApiKeyScope {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::Read => Self::Read,
            Scope::ReadDrafts => Self::ReadDrafts,
            Scope::Write => Self::Write,
            Scope::Admin => Self::Admin,
        }
    }
}

/// A partner API key: who it is for, what it may do, its budget, and whether it still works.
/// Its secret is never returned after `createApiKey`.
#[derive(Clone, Debug)]
pub struct ApiKey(pub KeyRecord);

#[Object]
impl ApiKey {
    /// Global ID (for `revokeApiKey`).
    async fn id(&self) -> ID {
        id::encode(NodeKind::ApiKey, self.0.id)
    }

    /// Who the key is for.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The key's public part (`cg_` and 8 characters): not a secret, it names the key in
    /// lists and logs.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// The scopes it was given.
    async fn scopes(&self) -> Vec<ApiKeyScope> {
        self.0.scopes.iter().map(Into::into).collect()
    }

    /// Its budget in points; null: the server's default for keys.
    async fn budget(&self) -> Option<f64> {
        self.0.budget
    }

    /// Points per second refilled into its budget; null: the server's default for keys.
    async fn refill(&self) -> Option<f64> {
        self.0.refill
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was revoked; null while it works.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// Whether it still works (every server refuses a revoked key once its cached
    /// verification expires: `--key-cache-seconds`).
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none()
    }
}

/// A page of API keys, oldest first, revoked ones included.
#[derive(SimpleObject)]
pub struct ApiKeyConnection {
    /// The keys of the page with their cursors.
    pub edges: Vec<ApiKeyEdge>,
    /// The keys of the page.
    pub nodes: Vec<ApiKey>,
    /// Where the page sits in the list.
    pub page_info: PageInfo,
    /// Keys in the whole list.
    pub total_count: i32,
}

/// A key and its cursor.
#[derive(SimpleObject)]
pub struct ApiKeyEdge {
    /// Pass as `after` to continue after this key.
    pub cursor: String,
    /// The key.
    pub node: ApiKey,
}

impl ApiKeyConnection {
    /// The page of `keys` (every key, oldest first) after the cursor `after`, at most
    /// `first` long; a cursor that is no key's is an error.
    pub fn page(keys: Vec<KeyRecord>, first: usize, after: Option<&str>) -> Result<Self, Error> {
        let total_count = i32::try_from(keys.len()).unwrap_or(i32::MAX);
        let start = match after {
            None => 0,
            Some(cursor) => match id::decode(cursor) {
                Some((NodeKind::ApiKey, key)) => keys.iter().take_while(|record| record.id <= key).count(),
                _ => {
                    return Err(Error::BadUserInput(format!(
                        "`after` is not a cursor of this list: {cursor:?}"
                    )));
                }
            },
        };
        let page: Vec<KeyRecord> = keys.iter().skip(start).take(first).cloned().collect();
        let has_next_page = start + page.len() < keys.len();
        let cursor = |record: &KeyRecord| id::encode(NodeKind::ApiKey, record.id).0;
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: start > 0,
            start_cursor: page.first().map(cursor),
            end_cursor: page.last().map(cursor),
        };
        let edges = page
            .iter()
            .map(|record| ApiKeyEdge { cursor: cursor(record), node: ApiKey(record.clone()) })
            .collect();
        let nodes = page.into_iter().map(ApiKey).collect();
        Ok(Self { edges, nodes, page_info, total_count })
    }
}
