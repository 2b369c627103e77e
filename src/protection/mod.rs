//! Protection of the public API: who may call, how much, and how big a request may be.
//!
//! - [`keys`]: API keys and scopes;
//! - [`cost`]: static analysis of an operation (depth, aliases, directives, cost);
//! - [`gate`]: authentication, scopes and budget charging per request;
//! - [`limits`]: the configured limits and how a request is checked against them;
//! - [`budget`]: per-client point budgets, in memory or in Redis.
pub mod budget;
pub mod cost;
pub mod gate;
pub mod keys;
pub mod limits;
