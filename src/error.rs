//! The one error type of Casegraph. Each variant documents the public code it maps to; the
//! mapping to GraphQL `extensions.code` happens once, in [`Error::code`] and the
//! `From<Error> for async_graphql::Error` impl. Internal errors are masked there.

use async_graphql::ErrorExtensions;

/// Public error codes (`extensions.code`), documented in the README.
pub mod code {
    /// The request is malformed or an argument is invalid.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The object asked for does not exist.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The caller may not see or do this.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// Something failed on our side; details are in the server log under the request id.
    pub const INTERNAL: &str = "INTERNAL";
    /// No valid API key: it is missing (with anonymous access off), malformed, unknown or
    /// revoked (HTTP 401).
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// The operation exceeds a limit: depth, aliases, directives, query length or cost.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// The caller's cost budget is spent; retry after `Retry-After` seconds (HTTP 429).
    pub const THROTTLED: &str = "THROTTLED";
    /// The request's cost is more than the caller's budget can ever hold, so retrying will
    /// never help: ask for fewer items, split the request, or use an API key with a larger
    /// budget. `extensions.cost` and `extensions.capacity` give both numbers (HTTP 400).
    pub const COST_EXCEEDS_CAPACITY: &str = "COST_EXCEEDS_CAPACITY";
    /// Execution took longer than the server's time limit.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The HTTP request is not a well-formed GraphQL-over-HTTP request (HTTP 400).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// The request body is larger than the server accepts (HTTP 413).
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    /// The request body's media type is not `application/json` (HTTP 415).
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    /// The client accepts no media type the server can answer in (HTTP 406).
    pub const NOT_ACCEPTABLE: &str = "NOT_ACCEPTABLE";
    /// The HTTP method cannot run this operation, e.g. a mutation over GET (HTTP 405).
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    /// The `Idempotency-Key` was used before with another request body (HTTP 422).
    pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
    /// A request with this `Idempotency-Key` is still running; retry later (HTTP 409).
    pub const IDEMPOTENCY_KEY_IN_USE: &str = "IDEMPOTENCY_KEY_IN_USE";
    /// A persisted query's hash the server does not know: send the query text with it
    /// once (Apollo's automatic persisted queries).
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// A change-feed cursor older than the feed keeps: resync from a full listing, then
    /// follow the feed from its `latestCursor`.
    pub const CURSOR_EXPIRED: &str = "CURSOR_EXPIRED";
    /// The database cannot be reached right now; nothing was done. Retry after
    /// `Retry-After` seconds (HTTP 503): the server recovers by itself when it is back.
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
}

/// Whether a database error says the database cannot be reached (refused or lost
/// connection, no connection in time, server shutting down) rather than that a statement
/// failed: such requests are answered `UNAVAILABLE` and can be retried as they were.
pub fn is_unreachable(error: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            match error.as_ref() {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                // SQLSTATE class 08 (connection exception) and 57P (operator intervention:
                // the server is shutting down, restarting or not yet accepting).
                sqlx::Error::Database(error) => {
                    error.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P"))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Everything that can go wrong in Casegraph.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `BAD_USER_INPUT`: an argument or input value is invalid.
    #[error("{0}")]
    BadUserInput(String),
    /// `NOT_FOUND`: the named object does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// `FORBIDDEN`: the caller lacks a scope.
    #[error("{0}")]
    Forbidden(String),
    /// `UNAUTHENTICATED`: no valid API key.
    #[error("{0}")]
    Unauthenticated(String),
    /// `QUERY_TOO_COMPLEX`: a limit of depth, aliases, directives, length or cost.
    #[error("{0}")]
    QueryTooComplex(String),
    /// `PERSISTED_QUERY_NOT_FOUND`: an unknown persisted query hash. The message is the
    /// one Apollo's and urql's clients look for.
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
    /// `CURSOR_EXPIRED`: a change-feed cursor older than the feed's retention.
    #[error("{0}")]
    CursorExpired(String),
    /// `TIMEOUT`: execution ran out of time.
    #[error("{0}")]
    Timeout(String),
    /// Import rejected: every bad row, with its position and field. Nothing was written.
    #[error("{0}")]
    /// The report (every bad row) is the importer's own type; this leaf does not name it.
    Import(Box<dyn std::error::Error + Send + Sync>),
    /// `INTERNAL`: the database failed.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// `INTERNAL`: a transaction failed.
    #[error("database error: {0}")]
    Transaction(#[from] sea_orm::TransactionError<sea_orm::DbErr>),
    /// `INTERNAL`: a SQL statement could not be built.
    #[error("query building error: {0}")]
    Query(#[from] sea_orm::sea_query::error::Error),
    /// `INTERNAL`: reading or writing a file or socket failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// `INTERNAL`: a value could not be (de)serialised.
    #[error("serialisation error: {0}")]
    Json(#[from] serde_json::Error),
    /// `INTERNAL`: an invariant did not hold (a bug, or data written outside Casegraph).
    #[error("internal error: {0}")]
    Internal(String),
    /// `UNAVAILABLE`: the database could not be reached (a copy of a shared error: the
    /// driver's error itself cannot be cloned).
    #[error("{0}")]
    Unavailable(String),
    /// `INTERNAL`: `casegraph verify` found stored rollups that differ from the cases.
    #[error("{0}")]
    Verification(String),
}

impl Error {
    /// The public code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) | Self::Import(_) => code::BAD_USER_INPUT,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::Unauthenticated(_) => code::UNAUTHENTICATED,
            Self::QueryTooComplex(_) => code::QUERY_TOO_COMPLEX,
            Self::Timeout(_) => code::TIMEOUT,
            Self::CursorExpired(_) => code::CURSOR_EXPIRED,
            Self::PersistedQueryNotFound => code::PERSISTED_QUERY_NOT_FOUND,
            Self::Unavailable(_) => code::UNAVAILABLE,
            Self::Database(error) if is_unreachable(error) => code::UNAVAILABLE,
            Self::Transaction(
                sea_orm::TransactionError::Connection(error) | sea_orm::TransactionError::Transaction(error),
            ) if is_unreachable(error) => code::UNAVAILABLE,
            Self::Database(_)
            | Self::Transaction(_)
            | Self::Query(_)
            | Self::Io(_)
            | Self::Json(_)
            | Self::Internal(_)
            | Self::Verification(_) => code::INTERNAL,
        }
    }

    /// A copy of an error several waiters share (a batch load, a cached computation), with
    /// its public code kept: the driver's errors cannot be cloned, so their text is.
    pub fn copied(&self) -> Self {
        match self {
            Self::BadUserInput(message) => Self::BadUserInput(message.clone()),
            Self::Forbidden(message) => Self::Forbidden(message.clone()),
            Self::NotFound(message) => Self::NotFound(message.clone()),
            Self::Timeout(message) => Self::Timeout(message.clone()),
            other if other.code() == code::UNAVAILABLE => Self::Unavailable(other.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }

    /// Whether the message may be shown to API clients.
    pub fn is_public(&self) -> bool {
        self.code() != code::INTERNAL
    }
}

/// What callers read when the database cannot be reached.
pub const UNAVAILABLE_MESSAGE: &str = "the database cannot be reached right now: retry in a few seconds";

/// Result with Casegraph's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for async_graphql::Error {
    fn from(error: Error) -> Self {
        let code = error.code();
        let message = if code == code::UNAVAILABLE {
            // The driver's text names hosts and sockets: it goes to the log only.
            tracing::warn!(%error, "database unreachable while resolving a field");
            UNAVAILABLE_MESSAGE.to_owned()
        } else if error.is_public() {
            error.to_string()
        } else {
            // The detail goes to the log only; the HTTP layer adds the request id that
            // links this response to the log line.
            tracing::error!(%error, "internal error while resolving a field");
            "Internal server error".to_owned()
        };
        async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
    }
}
