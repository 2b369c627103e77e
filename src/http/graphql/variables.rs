//! The variables of an operation, checked before it runs: a variable of a non-null type with
//! no default must be given (GraphQL, CoerceVariableValues). async-graphql reports a missing
//! one only when a field reads it, as that field's error beside the others' data; the
//! operation must instead fail as a whole, as the client's error.

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, Type,
};
use async_graphql::{Positioned, Value, Variables};

use crate::error::Error;

/// The operation `operation_name` of `document` (the only one when `None`), when it can be
/// picked.
fn operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Refuses the operation `operation_name` of `document` (the only one when `None`) when a
/// variable it requires is missing from `variables` or null. An operation that cannot be
/// picked is left for the engine to report.
pub fn check_required(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Result<(), Error> {
    let Some(operation) = operation(document, operation_name) else {
        return Ok(());
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

/// Whether every variable the operation declares is of a built-in scalar type (`Int`,
/// `Float`, `String`, `Boolean`, `ID`, in lists or not, nullable or not) and its value, when
/// given, coerces to that type as the GraphQL specification says. Then the variables are
/// all that could make a once-valid operation invalid, and they are valid: the remembered
/// validation may be trusted (see `graphql::Schemas`). Any other declared type (an enum,
/// an input object, a custom scalar) answers `false`, and the engine validates in full.
pub fn builtin_values_coerce(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> bool {
    let Some(operation) = operation(document, operation_name) else {
        return false;
    };
    operation.node.variable_definitions.iter().all(|definition| {
        let definition = &definition.node;
        match variables.get(definition.name.node.as_str()) {
            Some(value) => coerces(&definition.var_type.node, value),
            None => is_builtin(&definition.var_type.node),
        }
    })
}

fn is_builtin(ty: &Type) -> bool {
    match &ty.base {
        BaseType::Named(name) => matches!(name.as_str(), "Int" | "Float" | "String" | "Boolean" | "ID"),
        BaseType::List(inner) => is_builtin(inner),
    }
}

/// Input coercion of `value` to `ty`, for built-in scalars only (others: `false`).
fn coerces(ty: &Type, value: &Value) -> bool {
    if *value == Value::Null {
        return ty.nullable && is_builtin(ty);
    }
    match &ty.base {
        BaseType::List(inner) => match value {
            Value::List(items) => items.iter().all(|item| coerces(inner, item)),
            // A single value given for a list is a list of one.
            single => coerces(inner, single),
        },
        BaseType::Named(name) => match (name.as_str(), value) {
            ("Int", Value::Number(number)) => number.as_i64().is_some_and(|int| i32::try_from(int).is_ok()),
            ("Float", Value::Number(number)) => number.as_f64().is_some_and(f64::is_finite),
            ("String", Value::String(_)) | ("Boolean", Value::Boolean(_)) | ("ID", Value::String(_)) => true,
            ("ID", Value::Number(number)) => number.is_i64() || number.is_u64(),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, variables: serde_json::Value) -> bool {
        let document = async_graphql::parser::parse_query(text).expect("parses");
        builtin_values_coerce(&document, None, &Variables::from_json(variables))
    }

    #[test]
    fn built_in_scalars_coerce_as_the_specification_says() {
        let query = "query($s: String!, $i: Int, $f: Float, $b: Boolean, $id: ID, $l: [Int!]) { __typename }";
        assert!(check(query, serde_json::json!({"s": "x", "i": 3, "f": 2, "b": true, "id": 7, "l": [1, 2]})));
        assert!(check(query, serde_json::json!({"s": "x", "i": null, "l": 5})));
        assert!(!check(query, serde_json::json!({"s": 3})));
        assert!(!check(query, serde_json::json!({"s": "x", "i": 2_147_483_648_i64})));
        assert!(!check(query, serde_json::json!({"s": "x", "i": 1.5})));
        assert!(!check(query, serde_json::json!({"s": "x", "b": "true"})));
        assert!(!check(query, serde_json::json!({"s": "x", "l": [1, null]})));
        assert!(!check(query, serde_json::json!({"s": "x", "id": 1.5})));
    }

    #[test]
    fn other_types_are_left_to_the_engine() {
        assert!(!check("query($o: CaseOrder) { __typename }", serde_json::json!({})));
        assert!(!check(
            "query($d: DateTime) { __typename }",
            serde_json::json!({"d": "2025-01-01T00:00:00Z"})
        ));
        assert!(check("{ __typename }", serde_json::json!({})));
    }
}
