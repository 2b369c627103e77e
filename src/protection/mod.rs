//! Protection of the public API: who may call, how much, and how big a request may be.
//! (What a key and its scopes are is [`crate::keys`], shared with the data layer.)
//!
//! - [`cost`]: static analysis of an operation (depth, aliases, directives, cost);
//! - [`gate`]: authentication, scopes and budget charging per request;
//! - [`limits`]: the configured limits and how a request is checked against them;
//! - [`budget`]: per-client point budgets, in memory or in Redis.
pub mod budget;
pub mod cost;
pub mod gate;
pub mod limits;
