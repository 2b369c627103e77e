//! Casegraph's integration tests: one binary, the real router over HTTP, a real database
//! per test (a temporary SQLite file, or a fresh PostgreSQL schema when
//! `TEST_DATABASE_URL` is set).

mod catalogue;
mod cli;
mod helpers;
mod http;
mod migrations;
mod schema;
