//! The variables of an operation, checked before it runs: a variable of a non-null type with
//! no default must be given (GraphQL, CoerceVariableValues). async-graphql reports a missing
//! one only when a field reads it, as that field's error beside the others' data; the
//! operation must instead fail as a whole, as the client's error.

use async_graphql::Variables;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};

use crate::error::Error;

/// Refuses the operation `operation_name` of `document` (the only one when `None`) when a
/// variable it requires is missing from `variables` or null. An operation that cannot be
/// picked is left for the engine to report.
pub fn check_required(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Result<(), Error> {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return Ok(()),
        },
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            match operations.values().next() {
                Some(operation) => operation,
                None => return Ok(()),
            }
        }
        (DocumentOperations::Multiple(_), None) => return Ok(()),
    };
    for definition in &operation.node.variable_definitions {
        let definition = &definition.node;
        if definition.var_type.node.nullable || definition.default_value.is_some() {
            continue;
        }
        let name = definition.name.node.as_str();
        match variables.get(name) {
            Some(value) if *value != async_graphql::Value::Null => {}
            given => {
                let how = if given.is_some() { "is null" } else { "was not provided" };
                return Err(Error::BadUserInput(format!(
                    "variable ${name} of required type {} {how}",
                    definition.var_type.node
                )));
            }
        }
    }
    Ok(())
}
