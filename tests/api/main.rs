//! Casegraph's integration tests: one binary, the real router over HTTP, a real database
//! per test (a temporary SQLite file, or a fresh PostgreSQL schema when
//! `TEST_DATABASE_URL` is set).

// Tests state their expectations with `expect`: a failure names what was expected.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod api_keys;
mod caching;
mod cases;
mod catalogue;
mod changes;
mod cli;
mod connections;
mod contract;
mod dashboard;
mod directory;
mod editing;
mod editing_directory;
mod editing_rules;
mod examples;
mod exchange;
mod helpers;
mod http;
mod idempotency;
mod journeys;
mod layering;
mod markdown;
mod migrations;
mod observability;
mod ordering;
mod paging;
mod persisted;
mod protection;
mod resilience;
mod rollups;
mod schema;
mod search;
mod seed;
mod statistics;
mod subscriptions;
mod trusted;
mod visibility;
mod webhooks;
