//! The public GraphQL contract: schema, types, resolvers and loaders.

pub mod access;
pub mod connection;
pub mod directory;
pub mod id;
pub mod inputs;
pub mod loaders;
pub mod prefetch;
pub mod query;
pub mod search;
pub mod statistics;
pub mod types;
pub mod validation;

use async_graphql::{Context, EmptyMutation, EmptySubscription, Schema};

use crate::store::Store;
use types::{Localised, Node};

/// Casegraph's executable schema.
pub type CasegraphSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Schema-wide settings from the server's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemaOptions {
    /// Serve `__schema`/`__type` (and suggest field names in errors).
    pub introspection: bool,
    /// Largest `first`/`last` of a connection.
    pub max_page: u64,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        Self { introspection: true, max_page: crate::store::sql::page::MAX_PAGE_SIZE }
    }
}

/// Largest page size of a connection.
#[derive(Clone, Copy, Debug)]
struct MaxPage(u64);

/// The largest `first`/`last` the server accepts.
pub fn max_page(context: &Context<'_>) -> u64 {
    context.data_opt::<MaxPage>().map_or(crate::store::sql::page::MAX_PAGE_SIZE, |max| max.0)
}

/// The page `arguments` ask for in `ordering`, within the server's largest page size.
pub fn window(
    context: &Context<'_>,
    arguments: crate::store::sql::page::PageArguments,
    ordering: &str,
) -> crate::error::Result<crate::store::sql::page::Window> {
    let arguments = crate::store::sql::page::PageArguments { max: Some(max_page(context)), ..arguments };
    crate::store::sql::page::Window::from_arguments(&arguments, ordering)
}

/// Builds the schema; per-request data (locale, loaders, caller) is added by the HTTP layer.
pub fn build_schema(store: Store, options: SchemaOptions) -> CasegraphSchema {
    let mut builder = Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .register_output_type::<Node>()
        .register_output_type::<Localised>()
        .data(store)
        .data(statistics::StatisticsCache::new())
        .data(MaxPage(options.max_page))
        // An operation that passed validation before is checked again only when its
        // variables could change the outcome (see [`validation`]): partners send the same
        // few documents over and over, with other variables.
        .extension(validation::RememberValidation::default());
    if !options.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .register_output_type::<Node>()
        .register_output_type::<Localised>()
        .finish()
        .sdl()
}
