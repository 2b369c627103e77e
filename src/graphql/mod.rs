//! The public GraphQL contract: schema, types, resolvers and loaders.

pub mod access;
pub mod connection;
pub mod directory;
pub mod id;
pub mod inputs;
pub mod loaders;
pub mod query;
pub mod search;
pub mod statistics;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

use crate::store::Store;
use types::{Localised, Node};

/// Casegraph's executable schema.
pub type CasegraphSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Builds the schema; per-request data (locale, loaders) is added by the HTTP layer.
pub fn build_schema(store: Store) -> CasegraphSchema {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .register_output_type::<Node>()
        .register_output_type::<Localised>()
        .data(store)
        .data(statistics::StatisticsCache::new())
        .finish()
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .register_output_type::<Node>()
        .register_output_type::<Localised>()
        .finish()
        .sdl()
}
