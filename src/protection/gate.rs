//! The gate every GraphQL request passes: who is calling (an API key, or an anonymous
//! client by IP address), what they may see, and what the request costs their budget.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use super::budget::{BucketSpec, BucketState, Budgets, Charge};
use super::cost::CostModel;
use super::limits::Limits;
use crate::config::ProtectionArgs;
use crate::error::{Error, Result};
use crate::keys::{self, Scope, Scopes};
use crate::store::Store;
use crate::store::api_keys::ApiKey;

/// Most verified keys kept in memory.
const KEY_CACHE_CAPACITY: u64 = 10_000;

/// Who is calling.
#[derive(Clone, Debug, PartialEq)]
pub enum Caller {
    /// No key: published content only, on the anonymous budget of its IP address.
    Anonymous(IpAddr),
    /// A valid, unrevoked API key: its row id, public prefix and name.
    Key { id: i64, prefix: String, name: String },
}

/// A caller with its scopes and budget.
#[derive(Clone, Debug)]
pub struct Identity {
    pub caller: Caller,
    pub scopes: Scopes,
    /// Key of the caller's bucket.
    pub bucket: String,
    pub spec: BucketSpec,
}

/// Authentication, limits and budgets, shared by every request.
#[derive(Clone)]
pub struct Gate {
    store: Store,
    budgets: Budgets,
    /// The anonymous budget; `None` when anonymous access is off.
    anonymous: Option<BucketSpec>,
    key_default: BucketSpec,
    /// Verified, unrevoked keys by digest, trusted for `--key-cache-seconds` (unknown and
    /// revoked keys are never cached: they are asked for every time).
    verified: Option<Cache<String, Arc<ApiKey>>>,
    pub limits: Limits,
    pub cost_model: Arc<CostModel>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Gate")
            .field("budgets", &self.budgets.backend())
            .field("anonymous", &self.anonymous)
            .field("key_default", &self.key_default)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// The gate `args` configure; connects to Redis when `--redis-url` is set.
    pub async fn new(store: Store, args: &ProtectionArgs, cost_model: CostModel) -> Result<Self> {
        let budgets = match &args.redis_url {
            Some(url) => Budgets::redis(url)
                .await
                .map_err(|error| Error::Internal(format!("cannot use Redis for budgets: {error}")))?,
            None => Budgets::in_memory(),
        };
        for (label, value) in [
            ("--anonymous-budget", args.anonymous_budget),
            ("--anonymous-refill", args.anonymous_refill),
            ("--key-budget", args.key_budget),
            ("--key-refill", args.key_refill),
        ] {
            if !value.is_finite() || value <= 0.0 {
                return Err(Error::BadUserInput(format!("{label} must be a positive number, got {value}")));
            }
        }
        tracing::info!(budgets = budgets.backend(), anonymous = args.anonymous.is_on(), "access gate ready");
        Ok(Self {
            store,
            budgets,
            anonymous: args.anonymous.is_on().then_some(BucketSpec {
                maximum: args.anonymous_budget,
                restore_rate: args.anonymous_refill,
            }),
            key_default: BucketSpec { maximum: args.key_budget, restore_rate: args.key_refill },
            verified: (args.key_cache_seconds > 0).then(|| {
                Cache::builder()
                    .max_capacity(KEY_CACHE_CAPACITY)
                    .time_to_live(Duration::from_secs(args.key_cache_seconds))
                    .build()
            }),
            limits: Limits::from(args),
            cost_model: Arc::new(cost_model),
        })
    }

    /// Identifies the caller from the `Authorization` header value (if any) and the client
    /// address. A header that is present but not a valid, unrevoked key is refused: it
    /// never falls back to anonymous access.
    pub async fn identify(&self, authorization: Option<&[u8]>, address: IpAddr) -> Result<Identity> {
        let Some(authorization) = authorization else {
            return match self.anonymous {
                Some(spec) => Ok(Identity {
                    caller: Caller::Anonymous(address),
                    scopes: Scopes::anonymous(),
                    bucket: format!("ip:{address}"),
                    spec,
                }),
                None => Err(Error::Unauthenticated(
                    "this server needs an API key: send `Authorization: Bearer <key>`".to_owned(),
                )),
            };
        };
        let text = std::str::from_utf8(authorization).map_err(|_| malformed())?;
        let (scheme, key) = text.trim().split_once(' ').ok_or_else(malformed)?;
        let key = key.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || !keys::is_well_formed(key) {
            return Err(malformed());
        }
        let record = self.verified_key(keys::digest(key)).await?;
        let record = ApiKey::clone(&record);
        Ok(Identity {
            // The prefix, not the row id: unique across databases sharing one Redis.
            bucket: format!("key:{}", record.prefix),
            spec: BucketSpec {
                maximum: record.budget.unwrap_or(self.key_default.maximum),
                restore_rate: record.refill.unwrap_or(self.key_default.restore_rate),
            },
            caller: Caller::Key { id: record.id, prefix: record.prefix, name: record.name },
            scopes: record.scopes,
        })
    }

    /// The active key with this digest: from memory when it was verified less than
    /// `--key-cache-seconds` ago, else from the database.
    async fn verified_key(&self, digest: String) -> Result<Arc<ApiKey>> {
        if let Some(cached) = match &self.verified {
            Some(cache) => cache.get(&digest).await,
            None => None,
        } {
            return Ok(cached);
        }
        let Some(record) = self.store.active_api_key(&digest).await? else {
            return Err(Error::Unauthenticated("the API key is unknown or has been revoked".to_owned()));
        };
        let record = Arc::new(record);
        if let Some(cache) = &self.verified {
            cache.insert(digest, Arc::clone(&record)).await;
        }
        Ok(record)
    }

    /// Points an API key's budget holds when the key has no budget of its own.
    pub fn key_budget(&self) -> f64 {
        self.key_default.maximum
    }

    /// Refuses callers that may not read at all.
    pub fn check_read(identity: &Identity) -> Result<()> {
        if identity.scopes.has(Scope::Read) {
            Ok(())
        } else {
            Err(Error::Forbidden("queries need the `read` scope; this key does not have it".to_owned()))
        }
    }

    /// Charges `cost` points up front. A failing budget store does not take the API down:
    /// the request is let through (and the failure logged).
    pub async fn charge(&self, identity: &Identity, cost: u64) -> Charge {
        match self.budgets.charge(&identity.bucket, identity.spec, cost as f64).await {
            Ok(charge) => charge,
            Err(error) => {
                tracing::error!(%error, "budget store failed: request let through uncharged");
                Charge::Granted(BucketState {
                    maximum: identity.spec.maximum,
                    available: identity.spec.maximum,
                    restore_rate: identity.spec.restore_rate,
                })
            }
        }
    }

    /// Gives back what a request was charged but did not use.
    pub async fn refund(&self, identity: &Identity, points: u64, charged: BucketState) -> BucketState {
        if points == 0 {
            return charged;
        }
        match self.budgets.refund(&identity.bucket, identity.spec, points as f64).await {
            Ok(state) => state,
            Err(error) => {
                tracing::error!(%error, "budget store failed: refund lost");
                charged
            }
        }
    }
}

fn malformed() -> Error {
    Error::Unauthenticated("malformed Authorization header: expected `Bearer <API key>`".to_owned())
}
