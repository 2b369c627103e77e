//! Casegraph: a GraphQL API serving the World Internet Conference's Cross-Border E-Commerce
//! Practice Case Collections to partner sites, dashboards, mobile apps and editors.
//!
//! Data flows one way: [`http`] → [`graphql`] → [`store`] → `entity`. [`config`],
//! [`error`], [`locale`] and [`telemetry`] are leaves.

pub mod app;
pub mod cli;
pub mod config;
pub mod countries;
pub mod error;
pub mod graphql;
pub mod http;
pub mod locale;
pub mod protection;
pub mod reference;
pub mod store;
pub mod telemetry;

pub use app::App;
pub use config::Config;
pub use error::Error;
