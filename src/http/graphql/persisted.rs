//! Automatic persisted queries (Apollo's protocol): a client sends the SHA-256 of a query
//! instead of its text; an unknown hash is answered `PERSISTED_QUERY_NOT_FOUND`, and the
//! client sends the text with the hash once, which the server checks and remembers. GET
//! requests with only a hash are short enough for CDNs to cache.
//!
//! Queries are kept in memory (at most [`CAPACITY_BYTES`] of text, least recently used
//! first out) and, when `--redis-url` is set, in Redis for [`KEPT_IN_REDIS`], so that any
//! replica answers a hash another learned. Redis down: each replica learns on its own
//! (a client then sends the text once more); no request fails for it.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;
use redis::aio::ConnectionManager;

use super::transport::{RawRequest, Refusal};
use crate::config::TrustedDocuments;
use crate::http::trusted::sha256;
use crate::store::Store;

/// Most query text kept in memory, in bytes.
pub const CAPACITY_BYTES: u64 = 32 * 1024 * 1024;
/// How long Redis keeps a query after it was last sent in full.
pub const KEPT_IN_REDIS: Duration = Duration::from_secs(30 * 24 * 3600);
/// The only version of the protocol.
const VERSION: i64 = 1;

/// The queries known by hash.
#[derive(Clone)]
pub struct PersistedQueries {
    memory: Cache<String, Arc<str>>,
    redis: Option<ConnectionManager>,
    /// Where trusted documents are registered, and what they are to the server.
    store: Store,
    trusted: TrustedDocuments,
    /// Hashes found registered (registrations are read from the database on a miss, so a
    /// document added on the command line runs at once on every replica).
    registered: Cache<String, ()>,
}

impl std::fmt::Debug for PersistedQueries {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PersistedQueries")
            .field("in_memory", &self.memory.entry_count())
            .field("redis", &self.redis.is_some())
            .finish()
    }
}

impl PersistedQueries {
    /// Queries in memory, and in Redis at `redis_url` when given (unreachable: memory only);
    /// trusted documents in `store`, used as `trusted` says.
    pub async fn new(redis_url: Option<&str>, store: Store, trusted: TrustedDocuments) -> Self {
        let memory = Cache::builder()
            .weigher(|hash: &String, query: &Arc<str>| {
                u32::try_from(hash.len() + query.len()).unwrap_or(u32::MAX)
            })
            .max_capacity(CAPACITY_BYTES)
            .build();
        let redis = match redis_url {
            None => None,
            Some(url) => match redis::Client::open(url) {
                Ok(client) => match ConnectionManager::new(client).await {
                    Ok(connection) => Some(connection),
                    Err(error) => {
                        tracing::warn!(%error, "Redis unreachable: persisted queries are kept per replica");
                        None
                    }
                },
                Err(error) => {
                    tracing::warn!(%error, "bad Redis URL: persisted queries are kept per replica");
                    None
                }
            },
        };
        Self { memory, redis, store, trusted, registered: Cache::new(100_000) }
    }

    /// Whether `hash` names a registered document (`None` when trusted documents are off).
    async fn registered_text(&self, hash: &str) -> Option<String> {
        if self.trusted == TrustedDocuments::Off {
            return None;
        }
        match self.store.trusted_document(hash).await {
            Ok(found) => {
                if found.is_some() {
                    self.registered.insert(hash.to_owned(), ()).await;
                }
                found
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read trusted documents");
                None
            }
        }
    }

    async fn is_registered(&self, hash: &str) -> bool {
        self.registered.contains_key(hash) || self.registered_text(hash).await.is_some()
    }

    /// Fills in the text of `request`'s persisted query, or learns it; notes in
    /// `request.refused` why it cannot run (unknown hash, hash not the text's, version).
    pub async fn resolve(&self, request: &mut RawRequest, admin: bool) {
        let restricted = self.trusted == TrustedDocuments::Require && !admin;
        let Some(persisted) = request.persisted.clone() else {
            if restricted && !self.is_registered(&sha256(&request.query)).await {
                request.refused = Some(Refusal::NotTrusted);
            }
            return;
        };
        if persisted.version != VERSION {
            request.refused = Some(Refusal::BadUserInput(format!(
                "persisted query version {} is not supported: use {VERSION}",
                persisted.version
            )));
            return;
        }
        let hash = persisted.sha256_hash;
        if restricted && !self.is_registered(&hash).await {
            request.refused = Some(Refusal::NotTrusted);
            return;
        }
        if request.query.is_empty() {
            match self.find(&hash).await {
                Some(query) => request.query = query.to_string(),
                None => match self.registered_text(&hash).await {
                    Some(query) => {
                        self.memory.insert(hash, Arc::from(query.as_str())).await;
                        request.query = query;
                    }
                    None => request.refused = Some(Refusal::PersistedQueryNotFound),
                },
            }
            return;
        }
        let actual = sha256(&request.query);
        if actual != hash {
            request.refused = Some(Refusal::BadUserInput(format!(
                "the persisted query's sha256Hash {hash} is not the SHA-256 of its text ({actual})"
            )));
            return;
        }
        self.learn(hash, &request.query).await;
    }

    async fn find(&self, hash: &str) -> Option<Arc<str>> {
        if let Some(query) = self.memory.get(hash).await {
            return Some(query);
        }
        let mut redis = self.redis.clone()?;
        let found: Option<String> =
            redis::cmd("GET").arg(key(hash)).query_async(&mut redis).await.ok().flatten();
        let query: Arc<str> = Arc::from(found?);
        self.memory.insert(hash.to_owned(), query.clone()).await;
        Some(query)
    }

    async fn learn(&self, hash: String, query: &str) {
        if self.memory.contains_key(&hash) {
            return;
        }
        if let Some(mut redis) = self.redis.clone() {
            let stored: Result<(), redis::RedisError> = redis::cmd("SET")
                .arg(key(&hash))
                .arg(query)
                .arg("EX")
                .arg(KEPT_IN_REDIS.as_secs())
                .query_async(&mut redis)
                .await;
            if let Err(error) = stored {
                tracing::warn!(%error, "cannot keep a persisted query in Redis; kept in memory");
            }
        }
        self.memory.insert(hash, Arc::from(query)).await;
    }
}

fn key(hash: &str) -> String {
    format!("casegraph:apq:{hash}")
}
