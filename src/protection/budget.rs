//! Point budgets per client: token buckets ("leaky buckets") like Shopify's GraphQL rate limit.
//!
//! Each bucket holds up to `maximum` points and refills continuously at `restore_rate` points
//! per second; a bucket nobody has touched is full. A request is charged its (estimated) cost up
//! front: if the bucket holds fewer points than the cost, the request is throttled, nothing is
//! taken, and the caller learns when enough points will be back. After execution, the server may
//! [refund](Budgets::refund) what it over-charged (requested cost − actual cost), never above the
//! maximum.
//!
//! Buckets live either in this process ([`Budgets::in_memory`], one budget per replica) or in
//! Redis ([`Budgets::redis`], one budget shared by every replica). When Redis stops answering,
//! each replica falls back to its own memory at once (logged, and the
//! `rate_limit_budgets_shared` gauge drops to 0): requests are neither refused nor delayed,
//! and a background probe returns the budgets to Redis when it answers again. Both are atomic per bucket:
//! concurrent charges never spend more than the bucket holds. Idle buckets are forgotten once
//! they would be full again, which changes nothing (a missing bucket is a full one) and keeps
//! memory bounded.
//!
//! Inputs are sanitised, never rejected: a negative or NaN cost or refund counts as 0, a NaN or
//! negative restore rate as 0, infinities as [`f64::MAX`]; a bucket whose maximum is not above
//! 0 throttles every request, with a retry after 1 second. Waits (`retry_after`, time to full)
//! are capped at one day, which is also the longest a bucket that never refills is remembered.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use moka::Expiry;
use moka::future::Cache;
use moka::ops::compute::Op;
use moka::policy::EvictionPolicy;
use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Most buckets kept in memory; beyond this the least recently used are forgotten (reset to full).
const MEMORY_CAPACITY: u64 = 100_000;
/// Longest wait reported, and longest an idle bucket is remembered (a day).
const MAX_WAIT: Duration = Duration::from_secs(86_400);
/// [`MAX_WAIT`] in seconds.
const MAX_WAIT_SECONDS: f64 = MAX_WAIT.as_secs_f64();
/// Shortest `retry_after` reported, so that it is always positive.
const MIN_RETRY_SECONDS: f64 = 0.001;
/// `retry_after` of a request that no wait can help (empty bucket, or full and still too small).
const NEVER_RETRY_SECONDS: f64 = 1.0;
/// How much longer than its time to full a bucket is kept, so that it is never dropped early.
const EXPIRY_MARGIN: Duration = Duration::from_secs(1);
/// Prefix of the Redis keys holding buckets.
const REDIS_KEY_PREFIX: &str = "casegraph:budget:";
/// Each attempt to reach Redis gives up after this long.
const REDIS_CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);
/// A budget operation waits at most this long for Redis (it delays a request).
const REDIS_RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);
/// Reconnection attempts before an operation fails (then the next operation tries again).
const REDIS_RETRIES: usize = 3;
/// Longest a request waits for Redis before its budget falls back to this replica's memory.
const REDIS_OPERATION_TIMEOUT: Duration = Duration::from_millis(250);
/// How often a replica whose budgets fell back to memory asks Redis whether it is back.
const REDIS_PROBE_PERIOD: Duration = Duration::from_millis(500);

/// Capacity and refill of one bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BucketSpec {
    /// Most points the bucket holds; it starts full. Not above 0: every request is throttled.
    pub maximum: f64,
    /// Points restored per second, up to the maximum. NaN or negative counts as 0 (no refill).
    pub restore_rate: f64,
}

/// A bucket after an operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BucketState {
    /// Most points the bucket holds (0 if the spec's maximum was not above 0).
    pub maximum: f64,
    /// Points available now, between 0 and `maximum`.
    pub available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

impl BucketState {
    /// Seconds until the bucket is full again (0 when full). Used for the RateLimit-Reset header.
    ///
    /// Never negative nor NaN; capped at one day (a bucket that does not refill).
    pub fn seconds_to_full(&self) -> f64 {
        let missing = self.maximum - self.available;
        if missing.is_nan() || missing <= 0.0 {
            return 0.0;
        }
        if self.restore_rate.is_nan() || self.restore_rate <= 0.0 {
            return MAX_WAIT_SECONDS;
        }
        (missing / self.restore_rate).min(MAX_WAIT_SECONDS)
    }
}

/// The outcome of a charge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Charge {
    /// The cost was taken; `state` is what is left.
    Granted(BucketState),
    /// Not enough points: nothing was taken; retry after `retry_after` seconds (>0), when `cost`
    /// points will be available. A cost above `maximum` can never be granted: retry_after is
    /// then the time to full (1 second if the bucket is already full, or holds nothing at all).
    Throttled {
        /// The bucket, untouched.
        state: BucketState,
        /// Seconds to wait before retrying: positive, finite, at most one day.
        retry_after: f64,
    },
}

/// Where budgets live.
///
/// Cheap to clone; clones share the same buckets. Bucket keys are opaque strings chosen by the
/// caller (e.g. `ip:203.0.113.7` or `key:42`); each key may be used with its own spec.
#[derive(Clone)]
pub struct Budgets {
    store: Store,
}

/// The backend of [`Budgets`].
#[derive(Clone)]
enum Store {
    Memory(Memory),
    Redis(Arc<RedisStore>),
}

impl fmt::Debug for Budgets {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Budgets").field("backend", &self.backend()).finish()
    }
}

impl Budgets {
    /// Budgets in this process's memory, bounded: idle buckets are forgotten once they would be
    /// full again, and at most 100 000 buckets are kept (the least recently used are forgotten
    /// first), so memory does not grow with the number of anonymous clients.
    pub fn in_memory() -> Self {
        Self { store: Store::Memory(Memory::new(Clock::real())) }
    }

    /// Budgets in Redis at `url` (e.g. redis://127.0.0.1:6379), shared by every instance using the
    /// same Redis. Connects (with automatic reconnection later) and PINGs, failing with an error
    /// if Redis does not answer. Needs Redis 5 or later (Lua scripts that read `TIME`).
    pub async fn redis(url: &str) -> Result<Self, BudgetError> {
        let client = redis::Client::open(url).map_err(BudgetError::InvalidUrl)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_CONNECTION_TIMEOUT))
            .set_response_timeout(Some(REDIS_RESPONSE_TIMEOUT))
            .set_number_of_retries(REDIS_RETRIES)
            .set_max_delay(Duration::from_secs(1));
        let mut connection =
            ConnectionManager::new_with_config(client, config).await.map_err(BudgetError::Unavailable)?;
        let pong: String =
            redis::cmd("PING").query_async(&mut connection).await.map_err(BudgetError::Unavailable)?;
        if pong != "PONG" {
            return Err(BudgetError::BadReply(format!("PING answered {pong:?}")));
        }
        crate::telemetry::metrics::record_budgets_shared(true);
        Ok(Self { store: Store::Redis(Arc::new(RedisStore::new(connection))) })
    }

    /// Whether budgets are shared through Redis right now (false: in memory, by choice or
    /// because Redis stopped answering).
    pub fn shared(&self) -> bool {
        match &self.store {
            Store::Memory(_) => false,
            Store::Redis(redis) => redis.shared.load(Ordering::Acquire),
        }
    }

    /// Short description for logs: "memory" or "redis".
    pub fn backend(&self) -> &'static str {
        match self.store {
            Store::Memory(_) => "memory",
            Store::Redis(_) => "redis",
        }
    }

    /// Takes `cost` points from bucket `key` if that many are available.
    ///
    /// A negative or NaN cost counts as 0 (always granted, unless the maximum is not above 0).
    pub async fn charge(&self, key: &str, spec: BucketSpec, cost: f64) -> Result<Charge, BudgetError> {
        let Some(limits) = Limits::of(spec) else {
            return Ok(Charge::Throttled { state: Limits::empty(spec), retry_after: NEVER_RETRY_SECONDS });
        };
        let cost = points(cost);
        match &self.store {
            Store::Memory(memory) => memory.charge(key, limits, cost).await,
            Store::Redis(redis) => redis.charge(key, limits, cost).await,
        }
    }

    /// Gives `points` back to bucket `key` (capped at the maximum); returns the new state.
    ///
    /// Negative or NaN points count as 0 (the current state is returned).
    pub async fn refund(&self, key: &str, spec: BucketSpec, points: f64) -> Result<BucketState, BudgetError> {
        let Some(limits) = Limits::of(spec) else {
            return Ok(Limits::empty(spec));
        };
        let refunded = self::points(points);
        match &self.store {
            Store::Memory(memory) => memory.refund(key, limits, refunded).await,
            Store::Redis(redis) => redis.refund(key, limits, refunded).await,
        }
    }
}

/// A budget store failure (Redis unreachable, bad reply). Display text must not contain secrets.
///
/// The text never contains the Redis URL (which may hold a password) nor bucket keys.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// The Redis URL could not be parsed or names an unsupported scheme.
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(#[source] redis::RedisError),
    /// Redis did not answer: connection refused or lost, timeout, authentication refused.
    #[error("Redis unavailable: {0}")]
    Unavailable(#[source] redis::RedisError),
    /// Redis answered a budget script with an error.
    #[error("Redis budget script failed: {0}")]
    Script(#[source] redis::RedisError),
    /// Redis answered something the budget scripts never return.
    #[error("unexpected reply from Redis: {0}")]
    BadReply(String),
    /// The in-memory store broke one of its own invariants (a bug).
    #[error("in-memory budget store failure: {0}")]
    Internal(&'static str),
}

impl BudgetError {
    /// Classifies a failed Redis command: unreachable server, or a script error.
    fn from_redis(error: redis::RedisError) -> Self {
        if error.is_io_error() || error.is_timeout() || error.is_connection_dropped() {
            Self::Unavailable(error)
        } else {
            Self::Script(error)
        }
    }
}

/// A non-negative, finite amount of points: NaN and negatives are 0, infinity is `f64::MAX`.
fn points(value: f64) -> f64 {
    if value > 0.0 { value.min(f64::MAX) } else { 0.0 }
}

/// A sanitised [`BucketSpec`] whose maximum is positive: every value finite, none negative.
#[derive(Clone, Copy, Debug)]
struct Limits {
    maximum: f64,
    restore_rate: f64,
}

impl Limits {
    /// The sanitised spec, or `None` if the bucket can hold nothing.
    fn of(spec: BucketSpec) -> Option<Self> {
        (spec.maximum > 0.0)
            .then(|| Self { maximum: points(spec.maximum), restore_rate: points(spec.restore_rate) })
    }

    /// The state reported for a bucket that can hold nothing.
    fn empty(spec: BucketSpec) -> BucketState {
        BucketState { maximum: 0.0, available: 0.0, restore_rate: points(spec.restore_rate) }
    }

    /// The state with `available` points (clamped between 0 and the maximum).
    fn state(self, available: f64) -> BucketState {
        BucketState {
            maximum: self.maximum,
            available: points(available).min(self.maximum),
            restore_rate: self.restore_rate,
        }
    }

    /// Points available `elapsed` seconds after `available` were left.
    fn refill(self, available: f64, elapsed: f64) -> f64 {
        (points(available) + points(elapsed) * self.restore_rate).min(self.maximum)
    }

    /// The outcome of charging `cost` (sanitised) to a bucket holding `available` points.
    fn charge(self, available: f64, cost: f64) -> Charge {
        if cost <= available {
            Charge::Granted(self.state(available - cost))
        } else {
            Charge::Throttled { state: self.state(available), retry_after: self.retry_after(available, cost) }
        }
    }

    /// Seconds until `cost` points (or the maximum, if `cost` is above it) are available.
    fn retry_after(self, available: f64, cost: f64) -> f64 {
        let missing = cost.min(self.maximum) - available;
        if missing.is_nan() || missing <= 0.0 {
            return NEVER_RETRY_SECONDS;
        }
        if self.restore_rate <= 0.0 {
            return MAX_WAIT_SECONDS;
        }
        (missing / self.restore_rate).clamp(MIN_RETRY_SECONDS, MAX_WAIT_SECONDS)
    }

    /// How long a bucket holding `available` points must be remembered: until it would be full.
    fn keep(self, available: f64) -> Duration {
        let seconds = self.state(available).seconds_to_full();
        Duration::try_from_secs_f64(seconds).unwrap_or(Duration::ZERO) + EXPIRY_MARGIN
    }
}

/// Monotonic seconds since the store was created; tests may move it by hand.
#[derive(Clone)]
enum Clock {
    Real(std::time::Instant),
    /// Microseconds, set by tests.
    #[cfg(test)]
    Manual(Arc<std::sync::atomic::AtomicU64>),
}

impl Clock {
    fn real() -> Self {
        Self::Real(std::time::Instant::now())
    }

    fn now(&self) -> f64 {
        match self {
            Self::Real(origin) => origin.elapsed().as_secs_f64(),
            #[cfg(test)]
            Self::Manual(micros) => micros.load(std::sync::atomic::Ordering::SeqCst) as f64 / 1e6,
        }
    }
}

/// A bucket in memory that is not full (full buckets are not stored).
#[derive(Clone, Copy, Debug)]
struct Stored {
    /// Points available at `at`.
    available: f64,
    /// Clock reading of the last change.
    at: f64,
    /// How long after this change the bucket is forgotten (it is full by then).
    keep: Duration,
}

/// Forgets each bucket once it would be full again.
struct UntilFull;

impl Expiry<String, Stored> for UntilFull {
    fn expire_after_create(&self, _: &String, value: &Stored, _: std::time::Instant) -> Option<Duration> {
        Some(value.keep)
    }

    fn expire_after_update(
        &self,
        _: &String,
        value: &Stored,
        _: std::time::Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.keep)
    }
}

/// Buckets in this process. Operations on one key run one at a time (moka's per-key lock).
#[derive(Clone)]
struct Memory {
    buckets: Cache<String, Stored>,
    clock: Clock,
}

impl Memory {
    fn new(clock: Clock) -> Self {
        let buckets = Cache::builder()
            .max_capacity(MEMORY_CAPACITY)
            // Plain LRU: TinyLFU could refuse to admit a new client's bucket, leaving it unlimited.
            .eviction_policy(EvictionPolicy::lru())
            .expire_after(UntilFull)
            .build();
        Self { buckets, clock }
    }

    /// Points available now in a bucket last stored as `stored` (`None`: full).
    fn available(&self, stored: Option<Stored>, limits: Limits, now: f64) -> f64 {
        match stored {
            Some(stored) => limits.refill(stored.available, now - stored.at),
            None => limits.maximum,
        }
    }

    /// The cache operation that leaves `available` points in the bucket.
    fn store(limits: Limits, available: f64, now: f64) -> Op<Stored> {
        if available >= limits.maximum {
            Op::Remove
        } else {
            Op::Put(Stored { available, at: now, keep: limits.keep(available) })
        }
    }

    async fn charge(&self, key: &str, limits: Limits, cost: f64) -> Result<Charge, BudgetError> {
        let mut outcome = None;
        self.buckets
            .entry_by_ref(key)
            .and_compute_with(|entry| {
                // Read under the key's lock, so that operations on one bucket see time advance.
                let now = self.clock.now();
                let available = self.available(entry.map(moka::Entry::into_value), limits, now);
                let charge = limits.charge(available, cost);
                let op = match charge {
                    Charge::Granted(state) => Self::store(limits, state.available, now),
                    Charge::Throttled { .. } => Op::Nop,
                };
                outcome = Some(charge);
                std::future::ready(op)
            })
            .await;
        outcome.ok_or(BudgetError::Internal("the bucket update did not run"))
    }

    async fn refund(&self, key: &str, limits: Limits, refunded: f64) -> Result<BucketState, BudgetError> {
        let mut outcome = None;
        self.buckets
            .entry_by_ref(key)
            .and_compute_with(|entry| {
                let now = self.clock.now();
                let available = self.available(entry.map(moka::Entry::into_value), limits, now);
                let state = limits.state(available + refunded);
                outcome = Some(state);
                std::future::ready(Self::store(limits, state.available, now))
            })
            .await;
        outcome.ok_or(BudgetError::Internal("the bucket update did not run"))
    }
}

/// Shared start of both scripts: reads the bucket at Redis's own time and refills it, and
/// defines `store`, which writes the bucket back (or deletes it when full) with an expiry.
///
/// KEYS[1]: the bucket. ARGV: maximum, restore rate, points (cost or refund), expiry margin
/// (ms), longest expiry (ms). Numbers go back as strings: Redis truncates Lua numbers in replies.
const SCRIPT_PRELUDE: &str = r"
local maximum = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
local margin = tonumber(ARGV[4])
local longest = tonumber(ARGV[5])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local stored = redis.call('HMGET', KEYS[1], 'available', 'updated_at_micros')
local before = tonumber(stored[1])
local at = tonumber(stored[2])
local available = maximum
if before ~= nil and at ~= nil and before == before and at == at then
  local elapsed = (now - at) / 1000000
  if elapsed < 0 then elapsed = 0 end
  if before < 0 then before = 0 end
  available = math.min(maximum, before + elapsed * rate)
end
local function number(value)
  return string.format('%.17g', value)
end
local function store(value)
  if value >= maximum then
    redis.call('DEL', KEYS[1])
    return
  end
  redis.call('HSET', KEYS[1], 'available', number(value), 'updated_at_micros', string.format('%.0f', now))
  local ttl = longest
  if rate > 0 then
    ttl = math.min(longest, math.ceil((maximum - value) / rate * 1000) + margin)
  end
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
end
";

/// Charge: takes `amount` if available. Replies {granted ('1' or '0'), available}.
const CHARGE_SCRIPT: &str = r"
if amount <= available then
  available = available - amount
  store(available)
  return {'1', number(available)}
end
return {'0', number(available)}
";

/// Refund: gives `amount` back, up to the maximum. Replies {'1', available}.
const REFUND_SCRIPT: &str = r"
available = math.min(maximum, available + amount)
store(available)
return {'1', number(available)}
";

/// Buckets in Redis, one hash per bucket; each operation is one atomic Lua script. While
/// Redis does not answer, buckets live in `fallback` (this replica's memory).
struct RedisStore {
    connection: ConnectionManager,
    charge: Script,
    refund: Script,
    fallback: Memory,
    /// Whether Redis answered the last operation (or probe).
    shared: Arc<AtomicBool>,
}

impl RedisStore {
    fn new(connection: ConnectionManager) -> Self {
        Self {
            connection,
            charge: Script::new(&format!("{SCRIPT_PRELUDE}{CHARGE_SCRIPT}")),
            refund: Script::new(&format!("{SCRIPT_PRELUDE}{REFUND_SCRIPT}")),
            fallback: Memory::new(Clock::real()),
            shared: Arc::new(AtomicBool::new(true)),
        }
    }

    /// Runs `script`, bounded by [`REDIS_OPERATION_TIMEOUT`]; `None` when Redis did not
    /// answer (the budgets have fallen back to memory then).
    async fn shared_run(
        &self,
        script: &Script,
        key: &str,
        limits: Limits,
        amount: f64,
    ) -> Result<Option<(bool, f64)>, BudgetError> {
        if !self.shared.load(Ordering::Acquire) {
            return Ok(None);
        }
        match tokio::time::timeout(REDIS_OPERATION_TIMEOUT, self.run(script, key, limits, amount)).await {
            Ok(Ok(reply)) => Ok(Some(reply)),
            Ok(Err(BudgetError::Unavailable(error))) => {
                self.fall_back(&error.to_string());
                Ok(None)
            }
            Ok(Err(error)) => Err(error),
            Err(_) => {
                self.fall_back("no answer in time");
                Ok(None)
            }
        }
    }

    /// Moves budgets to memory and starts probing Redis (once per outage).
    fn fall_back(&self, reason: &str) {
        if !self.shared.swap(false, Ordering::AcqRel) {
            return;
        }
        tracing::warn!(reason, "Redis does not answer: budgets fall back to this replica's memory");
        crate::telemetry::metrics::record_budgets_shared(false);
        let shared = Arc::clone(&self.shared);
        let mut connection = self.connection.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(REDIS_PROBE_PERIOD).await;
                let command = redis::cmd("PING");
                let ping = command.query_async::<String>(&mut connection);
                if let Ok(Ok(_)) = tokio::time::timeout(REDIS_CONNECTION_TIMEOUT, ping).await {
                    shared.store(true, Ordering::Release);
                    tracing::info!("Redis answers again: budgets are shared again");
                    crate::telemetry::metrics::record_budgets_shared(true);
                    return;
                }
            }
        });
    }

    /// Runs `script` on bucket `key`; returns (granted, available).
    async fn run(
        &self,
        script: &Script,
        key: &str,
        limits: Limits,
        amount: f64,
    ) -> Result<(bool, f64), BudgetError> {
        let longest = MAX_WAIT + EXPIRY_MARGIN;
        let mut invocation = script.prepare_invoke();
        invocation
            .key(format!("{REDIS_KEY_PREFIX}{key}"))
            // Finite decimals without exponent (Rust's `Display`), which Lua's tonumber reads.
            .arg(limits.maximum.to_string())
            .arg(limits.restore_rate.to_string())
            .arg(amount.to_string())
            .arg(EXPIRY_MARGIN.as_millis().to_string())
            .arg(longest.as_millis().to_string());
        let mut connection = self.connection.clone();
        let reply: Vec<String> =
            invocation.invoke_async(&mut connection).await.map_err(BudgetError::from_redis)?;
        let [granted, available] = reply.as_slice() else {
            return Err(BudgetError::BadReply(format!("{} values instead of 2", reply.len())));
        };
        let granted = match granted.as_str() {
            "1" => true,
            "0" => false,
            other => return Err(BudgetError::BadReply(format!("grant flag {other:?}"))),
        };
        let available = available
            .parse::<f64>()
            .ok()
            .filter(|available| available.is_finite())
            .ok_or_else(|| BudgetError::BadReply(format!("available points {available:?}")))?;
        Ok((granted, available))
    }

    async fn charge(&self, key: &str, limits: Limits, cost: f64) -> Result<Charge, BudgetError> {
        let Some((granted, available)) = self.shared_run(&self.charge, key, limits, cost).await? else {
            return self.fallback.charge(key, limits, cost).await;
        };
        Ok(if granted {
            Charge::Granted(limits.state(available))
        } else {
            Charge::Throttled {
                state: limits.state(available),
                retry_after: limits.retry_after(available, cost),
            }
        })
    }

    async fn refund(&self, key: &str, limits: Limits, refunded: f64) -> Result<BucketState, BudgetError> {
        let Some((_, available)) = self.shared_run(&self.refund, key, limits, refunded).await? else {
            return self.fallback.refund(key, limits, refunded).await;
        };
        Ok(limits.state(available))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    const SPEC: BucketSpec = BucketSpec { maximum: 100.0, restore_rate: 10.0 };
    /// Practically no refill: timing cannot change outcomes.
    const STILL: BucketSpec = BucketSpec { maximum: 100.0, restore_rate: 1e-9 };

    fn close(left: f64, right: f64) -> bool {
        (left - right).abs() < 1e-6
    }

    fn granted(charge: Charge) -> BucketState {
        match charge {
            Charge::Granted(state) => state,
            Charge::Throttled { .. } => panic!("expected a grant, got {charge:?}"),
        }
    }

    fn throttled(charge: Charge) -> (BucketState, f64) {
        match charge {
            Charge::Throttled { state, retry_after } => (state, retry_after),
            Charge::Granted(_) => panic!("expected a throttle, got {charge:?}"),
        }
    }

    /// A fresh bucket key under `prefix`.
    fn key_in(prefix: &str) -> String {
        format!("{prefix}:{}", uuid::Uuid::new_v4())
    }

    fn key() -> String {
        key_in("test")
    }

    /// In-memory budgets whose clock only moves when told to.
    fn manual() -> (Budgets, Arc<AtomicU64>) {
        let micros = Arc::new(AtomicU64::new(0));
        let budgets = Budgets { store: Store::Memory(Memory::new(Clock::Manual(Arc::clone(&micros)))) };
        (budgets, micros)
    }

    fn advance(micros: &AtomicU64, seconds: f64) {
        micros.fetch_add((seconds * 1e6) as u64, Ordering::SeqCst);
    }

    /// Budgets in the test Redis with a fresh key prefix, or `None` (with a note) when Redis is
    /// down and CI is not set.
    async fn redis() -> Option<(Budgets, String)> {
        let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
        match Budgets::redis(&url).await {
            Ok(budgets) => Some((budgets, key())),
            Err(error) if std::env::var_os("CI").is_some() => {
                panic!("Redis at REDIS_URL is required in CI: {error}")
            }
            Err(error) => {
                eprintln!("note: skipping a Redis budget test, Redis is not reachable: {error}");
                None
            }
        }
    }

    /// Deletes the buckets under `prefix` (some would otherwise stay up to a day).
    async fn forget(budgets: &Budgets, prefix: &str) {
        let mut connection = raw_connection(budgets).await;
        let pattern = format!("{REDIS_KEY_PREFIX}{prefix}:*");
        let mut cursor = 0_u64;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1_000)
                .query_async(&mut connection)
                .await
                .unwrap();
            if !keys.is_empty() {
                let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut connection).await.unwrap();
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }

    async fn raw_connection(budgets: &Budgets) -> ConnectionManager {
        match &budgets.store {
            Store::Redis(store) => store.connection.clone(),
            Store::Memory(_) => panic!("not a Redis store"),
        }
    }

    // Behaviours shared by both backends (no timing assumptions: STILL barely refills).

    async fn check_grant_then_throttle(budgets: &Budgets, prefix: &str) {
        let key = key_in(prefix);
        let state = granted(budgets.charge(&key, STILL, 60.0).await.unwrap());
        assert!(close(state.available, 40.0), "{state:?}");
        assert_eq!(state.maximum, 100.0);
        let state = granted(budgets.charge(&key, STILL, 40.0).await.unwrap());
        assert!(close(state.available, 0.0), "{state:?}");
        let (state, retry_after) = throttled(budgets.charge(&key, STILL, 1.0).await.unwrap());
        assert!(state.available < 1e-3, "{state:?}");
        assert!(retry_after > 0.0 && retry_after.is_finite());
        // Nothing was taken by the throttled charge, and other keys are independent.
        let other = granted(budgets.charge(&key_in(prefix), STILL, 100.0).await.unwrap());
        assert!(close(other.available, 0.0));
    }

    async fn check_throttle_takes_nothing(budgets: &Budgets, prefix: &str) {
        let key = key_in(prefix);
        granted(budgets.charge(&key, STILL, 70.0).await.unwrap());
        let (state, _) = throttled(budgets.charge(&key, STILL, 50.0).await.unwrap());
        assert!(close(state.available, 30.0), "{state:?}");
        let state = granted(budgets.charge(&key, STILL, 30.0).await.unwrap());
        assert!(close(state.available, 0.0), "{state:?}");
    }

    async fn check_refund_capped(budgets: &Budgets, prefix: &str) {
        let key = key_in(prefix);
        granted(budgets.charge(&key, STILL, 50.0).await.unwrap());
        let state = budgets.refund(&key, STILL, 20.0).await.unwrap();
        assert!(close(state.available, 70.0), "{state:?}");
        let state = budgets.refund(&key, STILL, 1_000.0).await.unwrap();
        assert_eq!(state.available, 100.0);
        assert_eq!(state.seconds_to_full(), 0.0);
        // A refund to a bucket never charged is capped too.
        let state = budgets.refund(&key_in(prefix), STILL, 5.0).await.unwrap();
        assert_eq!(state.available, 100.0);
    }

    async fn check_cost_above_maximum(budgets: &Budgets, prefix: &str) {
        let key = key_in(prefix);
        // Full bucket: no wait helps.
        let (state, retry_after) = throttled(budgets.charge(&key, SPEC, 150.0).await.unwrap());
        assert_eq!(state.available, 100.0);
        assert_eq!(retry_after, NEVER_RETRY_SECONDS);
        // Partly empty: the wait is the time to full (30 points at 10/s), not to 150 points.
        granted(budgets.charge(&key, SPEC, 30.0).await.unwrap());
        let (state, retry_after) = throttled(budgets.charge(&key, SPEC, 150.0).await.unwrap());
        assert!(retry_after > 0.0 && retry_after <= 3.0 + 1e-6, "{retry_after}");
        assert!((retry_after - state.seconds_to_full()).abs() < 1e-6);
    }

    async fn check_odd_inputs(budgets: &Budgets, prefix: &str) {
        let key = key_in(prefix);
        for cost in [f64::NAN, -5.0, f64::NEG_INFINITY, 0.0] {
            let state = granted(budgets.charge(&key, STILL, cost).await.unwrap());
            assert_eq!(state.available, 100.0, "cost {cost}");
        }
        let (state, retry_after) = throttled(budgets.charge(&key, STILL, f64::INFINITY).await.unwrap());
        assert_eq!(state.available, 100.0);
        assert_eq!(retry_after, NEVER_RETRY_SECONDS);
        for maximum in [0.0, -1.0, f64::NAN] {
            let spec = BucketSpec { maximum, restore_rate: 1.0 };
            let (state, retry_after) = throttled(budgets.charge(&key, spec, 0.0).await.unwrap());
            assert_eq!((state.maximum, state.available, retry_after), (0.0, 0.0, 1.0));
            assert_eq!(budgets.refund(&key, spec, 10.0).await.unwrap().available, 0.0);
        }
        // No refill at all: the wait is capped, never infinite.
        let spec = BucketSpec { maximum: 10.0, restore_rate: f64::NAN };
        let key = key_in(prefix);
        granted(budgets.charge(&key, spec, 10.0).await.unwrap());
        let (state, retry_after) = throttled(budgets.charge(&key, spec, 1.0).await.unwrap());
        assert_eq!(state.restore_rate, 0.0);
        assert_eq!(retry_after, MAX_WAIT_SECONDS);
        assert_eq!(state.seconds_to_full(), MAX_WAIT_SECONDS);
        for points in [f64::NAN, -3.0] {
            assert_eq!(budgets.refund(&key, spec, points).await.unwrap().available, 0.0);
        }
        // Infinite spec values are clamped, not propagated as NaN.
        let spec = BucketSpec { maximum: f64::INFINITY, restore_rate: f64::INFINITY };
        let state = granted(budgets.charge(&key_in(prefix), spec, 1e300).await.unwrap());
        assert!(state.available.is_finite() && state.seconds_to_full().is_finite());
    }

    async fn check_concurrent_charges(budgets: &Budgets, prefix: &str) {
        let key = key_in(prefix);
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let budgets = budgets.clone();
                let key = key.clone();
                tokio::spawn(async move { budgets.charge(&key, STILL, 10.0).await.unwrap() })
            })
            .collect();
        let mut grants = 0;
        for task in tasks {
            if matches!(task.await.unwrap(), Charge::Granted(_)) {
                grants += 1;
            }
        }
        assert_eq!(grants, 10);
    }

    async fn check_refill_over_real_time(budgets: &Budgets, prefix: &str) {
        let key = key_in(prefix);
        let spec = BucketSpec { maximum: 100.0, restore_rate: 1_000.0 };
        granted(budgets.charge(&key, spec, 100.0).await.unwrap());
        // Full again after 100 ms; wait more than twice that.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let state = granted(budgets.charge(&key, spec, 100.0).await.unwrap());
        assert!(state.available < 100.0);
        // Partial refill: 100 points/s for at least 100 ms is at least 10 points.
        let spec = BucketSpec { maximum: 100.0, restore_rate: 100.0 };
        let key = key_in(prefix);
        granted(budgets.charge(&key, spec, 100.0).await.unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
        let state = budgets.refund(&key, spec, 0.0).await.unwrap();
        assert!(state.available >= 9.9 && state.available <= 100.0, "{state:?}");
    }

    // In memory.

    #[tokio::test]
    async fn memory_grants_then_throttles() {
        check_grant_then_throttle(&Budgets::in_memory(), "test").await;
    }

    #[tokio::test]
    async fn memory_throttle_takes_nothing() {
        check_throttle_takes_nothing(&Budgets::in_memory(), "test").await;
    }

    #[tokio::test]
    async fn memory_refund_is_capped_at_maximum() {
        check_refund_capped(&Budgets::in_memory(), "test").await;
    }

    #[tokio::test]
    async fn memory_cost_above_maximum_waits_for_full() {
        check_cost_above_maximum(&Budgets::in_memory(), "test").await;
    }

    #[tokio::test]
    async fn memory_odd_inputs_do_not_panic() {
        check_odd_inputs(&Budgets::in_memory(), "test").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory_concurrent_charges_never_overspend() {
        check_concurrent_charges(&Budgets::in_memory(), "test").await;
    }

    #[tokio::test]
    async fn memory_refills_over_real_time() {
        check_refill_over_real_time(&Budgets::in_memory(), "test").await;
    }

    #[tokio::test]
    async fn memory_refills_with_time() {
        let (budgets, clock) = manual();
        let key = key();
        granted(budgets.charge(&key, SPEC, 100.0).await.unwrap());
        let (state, retry_after) = throttled(budgets.charge(&key, SPEC, 25.0).await.unwrap());
        assert_eq!(state.available, 0.0);
        assert!(close(retry_after, 2.5), "{retry_after}");
        assert!(close(state.seconds_to_full(), 10.0));
        advance(&clock, 2.0);
        let (state, retry_after) = throttled(budgets.charge(&key, SPEC, 25.0).await.unwrap());
        assert!(close(state.available, 20.0), "{state:?}");
        assert!(close(retry_after, 0.5), "{retry_after}");
        advance(&clock, 0.5);
        let state = granted(budgets.charge(&key, SPEC, 25.0).await.unwrap());
        assert!(close(state.available, 0.0), "{state:?}");
        // Refill stops at the maximum.
        advance(&clock, 3_600.0);
        let state = budgets.refund(&key, SPEC, 0.0).await.unwrap();
        assert_eq!(state.available, 100.0);
        // Refunds add to the refilled amount.
        granted(budgets.charge(&key, SPEC, 80.0).await.unwrap());
        advance(&clock, 1.0);
        let state = budgets.refund(&key, SPEC, 15.0).await.unwrap();
        assert!(close(state.available, 45.0), "{state:?}");
    }

    #[tokio::test]
    async fn memory_keeps_only_buckets_that_are_not_full() {
        let (budgets, clock) = manual();
        let Store::Memory(memory) = &budgets.store else { unreachable!() };
        let key = key();
        granted(budgets.charge(&key, SPEC, 0.0).await.unwrap());
        assert!(!memory.buckets.contains_key(&key), "a full bucket is not stored");
        granted(budgets.charge(&key, SPEC, 30.0).await.unwrap());
        let stored = memory.buckets.get(&key).await.unwrap();
        assert_eq!(stored.keep, Duration::from_secs(3) + EXPIRY_MARGIN);
        advance(&clock, 1.0);
        budgets.refund(&key, SPEC, 30.0).await.unwrap();
        assert!(!memory.buckets.contains_key(&key), "a bucket refunded to full is dropped");
    }

    #[test]
    fn seconds_to_full_is_finite_and_non_negative() {
        let state = |maximum, available, restore_rate| BucketState { maximum, available, restore_rate };
        assert_eq!(state(100.0, 100.0, 10.0).seconds_to_full(), 0.0);
        assert_eq!(state(100.0, 40.0, 10.0).seconds_to_full(), 6.0);
        assert_eq!(state(100.0, 40.0, 0.0).seconds_to_full(), MAX_WAIT_SECONDS);
        assert_eq!(state(100.0, 150.0, 10.0).seconds_to_full(), 0.0);
        assert_eq!(state(f64::NAN, 1.0, 1.0).seconds_to_full(), 0.0);
        assert_eq!(state(100.0, 0.0, f64::NAN).seconds_to_full(), MAX_WAIT_SECONDS);
    }

    // In Redis.

    #[tokio::test]
    async fn redis_grants_then_throttles() {
        let Some((budgets, prefix)) = redis().await else { return };
        assert_eq!(budgets.backend(), "redis");
        check_grant_then_throttle(&budgets, &prefix).await;
        forget(&budgets, &prefix).await;
    }

    #[tokio::test]
    async fn redis_throttle_takes_nothing() {
        let Some((budgets, prefix)) = redis().await else { return };
        check_throttle_takes_nothing(&budgets, &prefix).await;
        forget(&budgets, &prefix).await;
    }

    #[tokio::test]
    async fn redis_refund_is_capped_at_maximum() {
        let Some((budgets, prefix)) = redis().await else { return };
        check_refund_capped(&budgets, &prefix).await;
        forget(&budgets, &prefix).await;
    }

    #[tokio::test]
    async fn redis_cost_above_maximum_waits_for_full() {
        let Some((budgets, prefix)) = redis().await else { return };
        check_cost_above_maximum(&budgets, &prefix).await;
        forget(&budgets, &prefix).await;
    }

    #[tokio::test]
    async fn redis_odd_inputs_do_not_panic() {
        let Some((budgets, prefix)) = redis().await else { return };
        check_odd_inputs(&budgets, &prefix).await;
        forget(&budgets, &prefix).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn redis_concurrent_charges_never_overspend() {
        let Some((budgets, prefix)) = redis().await else { return };
        check_concurrent_charges(&budgets, &prefix).await;
        forget(&budgets, &prefix).await;
    }

    #[tokio::test]
    async fn redis_refills_over_real_time() {
        let Some((budgets, prefix)) = redis().await else { return };
        check_refill_over_real_time(&budgets, &prefix).await;
        forget(&budgets, &prefix).await;
    }

    #[tokio::test]
    async fn redis_stores_a_hash_that_expires_when_full() {
        let Some((budgets, _)) = redis().await else { return };
        let mut connection = raw_connection(&budgets).await;
        let key = key();
        let redis_key = format!("casegraph:budget:{key}");
        granted(budgets.charge(&key, SPEC, 30.0).await.unwrap());
        let (available, updated_at): (String, String) = redis::cmd("HMGET")
            .arg(&redis_key)
            .arg("available")
            .arg("updated_at_micros")
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!(close(available.parse().unwrap(), 70.0), "{available}");
        assert!(updated_at.parse::<u64>().unwrap() > 1_600_000_000_000_000, "{updated_at}");
        // Full again in 3 s: expires then, plus the margin.
        let ttl: i64 = redis::cmd("PTTL").arg(&redis_key).query_async(&mut connection).await.unwrap();
        assert!(ttl > 3_000 && ttl <= 4_000, "{ttl}");
        // Refunded to full: the hash is gone (a missing bucket is full).
        budgets.refund(&key, SPEC, 30.0).await.unwrap();
        let exists: bool = redis::cmd("EXISTS").arg(&redis_key).query_async(&mut connection).await.unwrap();
        assert!(!exists);
        // A bucket that never refills expires after the longest wait.
        let spec = BucketSpec { maximum: 10.0, restore_rate: 0.0 };
        granted(budgets.charge(&key, spec, 1.0).await.unwrap());
        let ttl: i64 = redis::cmd("PTTL").arg(&redis_key).query_async(&mut connection).await.unwrap();
        assert!(ttl > 86_000_000 && ttl <= 86_401_000, "{ttl}");
        let _: () = redis::cmd("DEL").arg(&redis_key).query_async(&mut connection).await.unwrap();
    }

    #[tokio::test]
    async fn redis_unreachable_or_invalid_url_fails_without_secrets() {
        let error = Budgets::redis("redis://casegraph:s3cret@127.0.0.1:1").await.unwrap_err();
        assert!(matches!(error, BudgetError::Unavailable(_)), "{error:?}");
        assert!(!error.to_string().contains("s3cret"), "{error}");
        assert!(!format!("{error:?}").contains("s3cret"), "{error:?}");
        let error = Budgets::redis("http://casegraph:s3cret@127.0.0.1:6379").await.unwrap_err();
        assert!(matches!(error, BudgetError::InvalidUrl(_)), "{error:?}");
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }

    #[test]
    fn in_memory_backend_is_named() {
        assert_eq!(Budgets::in_memory().backend(), "memory");
        assert_eq!(format!("{:?}", Budgets::in_memory()), r#"Budgets { backend: "memory" }"#);
    }
}
