//! `Country`: an ISO code with its name in the caller's language.

use async_graphql::{Context, Object};

use super::localised::preference;
use crate::countries::country_name;
use crate::graphql::cost_directives::cost;

/// A country or territory.
#[derive(Clone, Debug)]
pub struct Country(pub String);

#[Object(directive = cost::apply("0".to_owned()))]
impl Country {
    /// ISO 3166-1 alpha-2.
    async fn code(&self) -> &str {
        &self.0
    }

    /// Localised name (Unicode CLDR), in the request's language where CLDR has it.
    async fn name(&self, context: &Context<'_>) -> String {
        country_name(&self.0, preference(context))
    }
}
