//! The public GraphQL contract: schema, types, resolvers and loaders.

pub mod access;
pub mod connection;
pub mod cost_directives;
pub mod directory;
pub mod id;
pub mod inputs;
pub mod loaders;
pub mod mutation;
pub mod nodes;
pub mod prefetch;
pub mod query;
pub mod search;
pub mod statistics;
pub mod subscription;
pub mod types;

use async_graphql::{Context, Schema};

use crate::store::Store;
use types::{Localised, Node};

/// Casegraph's executable schema.
pub type CasegraphSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// Schema-wide settings from the server's configuration.
#[derive(Clone, Debug)]
pub struct SchemaOptions {
    /// Serve `__schema`/`__type` (and suggest field names in errors).
    pub introspection: bool,
    /// Largest `first`/`last` of a connection.
    pub max_page: u64,
    /// How long the change feed keeps its events.
    pub change_retention: std::time::Duration,
    /// The change events of this process, for subscriptions.
    pub change_stream: crate::store::change_stream::ChangeStream,
    /// Webhooks may point at private addresses (`--webhook-allow-private-targets`).
    pub webhook_allow_private_targets: bool,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        Self {
            introspection: true,
            max_page: crate::store::sql::page::MAX_PAGE_SIZE,
            change_retention: std::time::Duration::from_secs(
                crate::config::defaults::CHANGE_RETENTION_DAYS * 24 * 3600,
            ),
            change_stream: Default::default(),
            webhook_allow_private_targets: false,
        }
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
    build_schemas(store, options).strict
}

/// The schema twice, over the same store and statistics cache, differing only in how much
/// of GraphQL validation they run.
///
/// Partners send the same few documents over and over with other variables, and
/// validating one was about a tenth of a case-by-slug request. The rules read the document
/// and the schema, and of the variables only their values; so an operation that passed
/// every rule once passes again whenever its variables' values are valid. The HTTP layer
/// remembers, per kept document, the operations that passed on [`Schemas::strict`], and
/// runs one again on [`Schemas::fast`] only when it has checked the variables itself (see
/// `http::graphql::variables`). Two schemas rather than an extension: any async-graphql
/// extension sends every field of every response through its hooks, which cost a fifth
/// of the throughput of a statistics request when measured.
#[derive(Clone)]
pub struct Schemas {
    /// Every validation rule (the GraphQL specification's `ValidationMode::Strict`).
    pub strict: CasegraphSchema,
    /// `ValidationMode::Fast`: fragment cycles and uploads only; for operations that
    /// passed `strict` before, with variables checked.
    pub fast: CasegraphSchema,
}

/// Builds [`Schemas`]; per-request data (locale, loaders, caller) is added by the HTTP layer.
pub fn build_schemas(store: Store, options: SchemaOptions) -> Schemas {
    let statistics = statistics::StatisticsCache::new();
    let build = |mode: async_graphql::ValidationMode| {
        let mut builder = builder()
            .data(store.clone())
            .data(statistics.clone())
            .data(MaxPage(options.max_page))
            .data(types::change::Retention(options.change_retention))
            .data(options.change_stream.clone())
            .data(types::webhook::PrivateTargets(options.webhook_allow_private_targets))
            .validation_mode(mode);
        if !options.introspection {
            builder = builder.disable_introspection().disable_suggestions();
        }
        builder.finish()
    };
    Schemas {
        strict: build(async_graphql::ValidationMode::Strict),
        fast: build(async_graphql::ValidationMode::Fast),
    }
}

/// The types of the schema and their descriptions, shared by the server and [`sdl`].
fn builder() -> async_graphql::SchemaBuilder<query::Query, mutation::Mutation, subscription::Subscription> {
    Schema::build(query::Query, mutation::Mutation::default(), subscription::Subscription)
        .register_output_type::<Node>()
        .register_output_type::<Localised>()
        .override_output_type_description::<query::Query>(query::description())
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

    use crate::config::defaults;

    /// The number after `marker` in `text` (commas between thousands allowed).
    fn number_after(text: &str, marker: &str) -> Option<u64> {
        let start = text.find(marker)? + marker.len();
        let digits: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .filter(|c| *c != ',')
            .collect();
        digits.parse().ok()
    }

    /// Every "default N" and "at most N" an argument's description states is the size the
    /// server applies: the field's `@listSize`/`@maxItems`, the connection defaults, or the
    /// search text limit. A description with a number of its own fails here.
    #[test]
    fn argument_descriptions_state_the_sizes_the_server_applies() {
        let sdl = super::sdl();
        let document = async_graphql::parser::parse_schema(&sdl).expect("sdl parses");
        let mut checked = 0;
        let mut wrong = Vec::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else { continue };
            let TypeKind::Object(object) = &definition.node.kind else { continue };
            for field in &object.fields {
                let field = &field.node;
                let annotation = |directive: &str, argument: &str| {
                    field
                        .directives
                        .iter()
                        .find(|found| found.node.name.node == directive)
                        .and_then(|found| found.node.get_argument(argument))
                        .and_then(|value| match &value.node {
                            async_graphql::Value::Number(number) => number.as_u64(),
                            _ => None,
                        })
                };
                let connection = field.ty.node.to_string().trim_end_matches('!').ends_with("Connection");
                for argument in &field.arguments {
                    let argument = &argument.node;
                    let Some(description) = argument.description.as_ref().map(|text| text.node.as_str())
                    else {
                        continue;
                    };
                    let (default, most) = if description.contains(" characters") {
                        (None, Some(crate::text::MAX_SEARCH_CHARS as u64))
                    } else if connection {
                        (Some(defaults::PAGE), Some(defaults::MAX_PAGE))
                    } else {
                        (annotation("listSize", "assumedSize"), annotation("maxItems", "value"))
                    };
                    for (marker, expected) in [("default ", default), ("at most ", most)] {
                        if let Some(stated) = number_after(description, marker) {
                            checked += 1;
                            if Some(stated) != expected {
                                wrong.push(format!(
                                    "{}.{}({}): states {marker}{stated}, the server applies {expected:?}",
                                    definition.node.name.node, field.name.node, argument.name.node
                                ));
                            }
                        }
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "descriptions that drifted:\n{}", wrong.join("\n"));
        assert!(checked >= 20, "only {checked} stated sizes found: has the wording changed?");
    }
}
