//! Casegraph: a GraphQL API serving the World Internet Conference's Cross-Border E-Commerce
//! Practice Case Collections to partner sites, dashboards, mobile apps and editors.
//!
//! Data flows one way: [`http`] → [`protection`] → [`graphql`] → [`store`] → `entity`; the
//! mutations go through [`editorial`], which writes with the rules and writer of
//! [`exchange`] (import and export).
//! [`config`], [`error`] and [`locale`] import nothing of the crate; [`telemetry`] reads
//! only [`config`]; [`keys`] (API key material and scopes), [`reference`] (the embedded
//! reference data), [`countries`] (CLDR names) and [`text`] (tokeniser, stemmer,
//! highlighter) are leaves of the domain that several layers share. `tests/api/layering.rs` holds this direction as a table and fails on an
//! import against it.

pub mod app;
pub mod cli;
pub mod config;
pub mod countries;
pub mod delivery;
pub mod editorial;
pub mod error;
pub mod exchange;
pub mod global_id;
pub mod graphql;
pub mod http;
pub mod keys;
pub mod locale;
pub mod protection;
pub mod reference;
pub mod store;
pub mod synthetic;
pub mod telemetry;
pub mod text;

pub use app::App;
pub use config::Config;
pub use error::Error;
