//! Validation remembered per operation, as an async-graphql extension.
//!
//! Partners send the same few documents over and over with other variables, and validating
//! one was about a tenth of a case-by-slug request. The GraphQL rules read the document
//! and the schema; of the variables they read only the values (`ArgumentsOfCorrectType`).
//! So an operation that passed validation once passes again whenever its variables' values
//! are valid, and the HTTP layer, which keeps parsed documents, tells this extension so
//! through a [`ValidationTicket`] in the request's data:
//!
//! - the ticket names the document's [`Validated`] operations and the operation asked for;
//! - it says whether the variables were already checked (every declared variable is of a
//!   built-in scalar type, and its value coerces to it);
//! - a remembered operation with checked variables skips the rules and takes the cache
//!   control it computed the first time; any other runs every rule, and is remembered
//!   when it passes.
//!
//! Nothing is remembered without a ticket, and an operation that fails a rule never is.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{CacheControl, ServerError, ValidationResult};

/// Operations a document remembers as valid, at most (a document names few).
const OPERATIONS_KEPT: usize = 16;

/// The operations of one document that passed validation, by operation name (`None`: the
/// document's only operation), with the cache control validation computed.
#[derive(Debug, Default)]
pub struct Validated {
    operations: Mutex<Vec<(Option<String>, CacheControl)>>,
}

impl Validated {
    fn get(&self, operation_name: Option<&str>) -> Option<CacheControl> {
        let operations = self.operations.lock().ok()?;
        operations.iter().find(|(name, _)| name.as_deref() == operation_name).map(|(_, cache)| *cache)
    }

    fn remember(&self, operation_name: Option<&str>, cache_control: CacheControl) {
        if let Ok(mut operations) = self.operations.lock()
            && operations.len() < OPERATIONS_KEPT
            && !operations.iter().any(|(name, _)| name.as_deref() == operation_name)
        {
            operations.push((operation_name.map(str::to_owned), cache_control));
        }
    }
}

/// What the HTTP layer knows of one request's operation, given to the extension as request
/// data.
#[derive(Clone, Debug)]
pub struct ValidationTicket {
    /// The valid operations of the request's document.
    pub validated: Arc<Validated>,
    /// The operation asked for, as the request names it.
    pub operation_name: Option<String>,
    /// Every variable the operation declares was checked against its type before.
    pub variables_checked: bool,
}

/// The extension's factory, given to the schema builder.
pub struct RememberValidation(Arc<RememberValidationExtension>);

impl Default for RememberValidation {
    fn default() -> Self {
        Self(Arc::new(RememberValidationExtension))
    }
}

impl ExtensionFactory for RememberValidation {
    fn create(&self) -> Arc<dyn Extension> {
        self.0.clone()
    }
}

/// Stateless: all it needs is in the request's [`ValidationTicket`].
struct RememberValidationExtension;

#[async_trait::async_trait]
impl Extension for RememberValidationExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let Some(ticket) = ctx.data_opt::<ValidationTicket>() else {
            return next.run(ctx).await;
        };
        let operation_name = ticket.operation_name.as_deref();
        if ticket.variables_checked
            && let Some(cache_control) = ticket.validated.get(operation_name)
        {
            return Ok(ValidationResult { cache_control, complexity: 0, depth: 0 });
        }
        let result = next.run(ctx).await;
        if let Ok(passed) = &result {
            ticket.validated.remember(operation_name, passed.cache_control);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Request, Schema};

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn value(&self, number: i32) -> i32 {
            number
        }
    }

    fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
        Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(RememberValidation::default())
            .finish()
    }

    fn ticket(validated: &Arc<Validated>, variables_checked: bool) -> ValidationTicket {
        ValidationTicket { validated: Arc::clone(validated), operation_name: None, variables_checked }
    }

    #[tokio::test]
    async fn an_operation_is_remembered_once_valid_and_a_failing_one_never() {
        let schema = schema();
        let validated = Arc::new(Validated::default());
        let response =
            schema.execute(Request::new("{ value(number: 2) }").data(ticket(&validated, true))).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        assert!(validated.get(None).is_some());

        let failing = Arc::new(Validated::default());
        let response =
            schema.execute(Request::new("{ value(number: \"x\") }").data(ticket(&failing, true))).await;
        assert!(!response.errors.is_empty());
        assert!(failing.get(None).is_none());
    }

    #[tokio::test]
    async fn a_remembered_operation_skips_the_rules_only_when_its_variables_were_checked() {
        let schema = schema();
        // Remembered as valid (as if its text had passed before): the rules do not run, so
        // the argument of the wrong type reaches the resolver and fails there, not in
        // validation.
        let validated = Arc::new(Validated::default());
        validated.remember(None, CacheControl::default());
        let text = "{ value(number: \"x\") }";
        let skipped = schema.execute(Request::new(text).data(ticket(&validated, true))).await;
        let checked = schema.execute(Request::new(text).data(ticket(&validated, false))).await;
        let message =
            |response: &async_graphql::Response| response.errors.first().map(|error| error.message.clone());
        assert_ne!(message(&skipped), message(&checked));
        assert!(
            checked.errors.first().is_some_and(|error| error.message.contains("Invalid value for argument"))
        );
    }
}
