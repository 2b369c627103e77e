//! The configured limits of a request, and the checks that apply them before execution.
//! Every violation is a typed error that states the limit.

use std::time::Duration;

use async_graphql::Variables;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

use super::cost::Analysis;
use crate::config::{ProtectionArgs, defaults};
use crate::error::Error;

/// Request limits (all configurable, see `ProtectionArgs`).
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Deepest field nesting.
    pub max_depth: u64,
    /// Aliased fields per document.
    pub max_aliases: u64,
    /// Directive uses per document.
    pub max_directives: u64,
    /// Characters of query text per operation.
    pub max_query_chars: usize,
    /// Operations per batch (a JSON array of requests).
    pub max_batch: usize,
    /// Bytes of request body (HTTP 413 above).
    pub max_body_bytes: usize,
    /// Wall-clock time of one request's execution.
    pub timeout: Duration,
    /// Requested cost of one operation.
    pub max_cost: u64,
    /// `first`/`last` of any connection.
    pub max_page: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self::from(&ProtectionArgs::default())
    }
}

impl From<&ProtectionArgs> for Limits {
    /// The request limits the `serve` arguments set.
    fn from(args: &ProtectionArgs) -> Self {
        Self {
            max_depth: args.max_depth,
            max_aliases: args.max_aliases,
            max_directives: args.max_directives,
            max_query_chars: args.max_query_chars,
            max_batch: args.max_batch,
            max_body_bytes: args.max_body_bytes,
            timeout: Duration::try_from_secs_f64(args.timeout)
                .unwrap_or(Duration::from_secs_f64(defaults::TIMEOUT_SECONDS)),
            max_cost: args.max_cost,
            max_page: args.max_page,
        }
    }
}

impl Limits {
    /// The query text's length (before it is parsed).
    pub fn check_text(&self, query: &str) -> Result<(), Error> {
        // Bytes bound characters from above: count only when the cheap bound is exceeded.
        if query.len() > self.max_query_chars {
            let chars = query.chars().count();
            if chars > self.max_query_chars {
                return Err(Error::QueryTooComplex(format!(
                    "the query text has {chars} characters; at most {} are accepted",
                    self.max_query_chars
                )));
            }
        }
        Ok(())
    }

    /// The number of operations in a batch.
    pub fn check_batch(&self, operations: usize) -> Result<(), Error> {
        if operations == 0 {
            return Err(Error::BadUserInput("the batch is empty: send at least one operation".to_owned()));
        }
        if operations > self.max_batch {
            return Err(Error::BadUserInput(format!(
                "the batch has {operations} operations; at most {} are accepted",
                self.max_batch
            )));
        }
        Ok(())
    }

    /// List sizes, depth, aliases, directives and cost of an analysed operation. A page
    /// over its maximum is the client's input error, whatever the cost it would have had.
    pub fn check_analysis(&self, analysis: &Analysis) -> Result<(), Error> {
        if let Some(message) = &analysis.oversized {
            return Err(Error::BadUserInput(message.clone()));
        }
        let checks = [
            ("the query is nested", "levels deep", analysis.depth, self.max_depth),
            ("the document has", "aliases", analysis.aliases, self.max_aliases),
            ("the document has", "directives", analysis.directives, self.max_directives),
        ];
        for (what, unit, value, limit) in checks {
            if value > limit {
                return Err(Error::QueryTooComplex(format!(
                    "{what} {value} {unit}; at most {limit} are allowed"
                )));
            }
        }
        if analysis.cost > self.max_cost {
            return Err(Error::QueryTooComplex(format!(
                "the query's cost is {}; the maximum is {} (ask for fewer items with first/last)",
                analysis.cost, self.max_cost
            )));
        }
        Ok(())
    }
}

/// Refuses text holding U+0000 anywhere in the variables or the document's literal values:
/// no database stores it (PostgreSQL rejects it outright), so it is the client's error.
pub fn check_no_nul(document: &ExecutableDocument, variables: &Variables) -> Result<(), Error> {
    fn has_nul(value: &async_graphql::Value) -> bool {
        match value {
            async_graphql::Value::String(text) => text.contains('\0'),
            async_graphql::Value::List(items) => items.iter().any(has_nul),
            async_graphql::Value::Object(fields) => {
                fields.iter().any(|(name, value)| name.contains('\0') || has_nul(value))
            }
            _ => false,
        }
    }
    fn set_has_nul(set: &SelectionSet) -> bool {
        set.items.iter().any(|selection| match &selection.node {
            Selection::Field(field) => {
                field.node.arguments.iter().any(|(_, value)| {
                    value
                        .node
                        .clone()
                        .into_const_with(|_| Ok::<_, ()>(async_graphql::Value::Null))
                        .is_ok_and(|value| has_nul(&value))
                }) || set_has_nul(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => set_has_nul(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => false,
        })
    }
    let in_variables = variables.iter().any(|(_, value)| has_nul(value));
    let in_document =
        document.operations.iter().any(|(_, operation)| set_has_nul(&operation.node.selection_set.node))
            || document.fragments.values().any(|fragment| set_has_nul(&fragment.node.selection_set.node));
    if in_variables || in_document {
        return Err(Error::BadUserInput("text may not contain the NUL character (U+0000)".to_owned()));
    }
    Ok(())
}
