//! `UserError`: one problem with a mutation's input, where it is and what is wrong.

use async_graphql::{Enum, SimpleObject};

/// What is wrong with an input value.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A required value is missing or empty.
    Required,
    /// The value is not valid for its field (range, format, length).
    Invalid,
    /// The object the value names does not exist.
    NotFound,
}

/// One problem with a mutation's input. Nothing was written when a payload carries any.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct UserError {
    /// Path of the input value, from the argument: `["input", "scopes", 2]` is written
    /// `["input", "scopes", "2"]`.
    pub field: Vec<String>,
    /// What is wrong.
    pub code: UserErrorCode,
    /// The problem, for people.
    pub message: String,
}

impl UserError {
    /// A problem with `input.<path…>`.
    pub fn at(path: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        let field = std::iter::once("input").chain(path.iter().copied()).map(str::to_owned).collect();
        Self { field, code, message: message.into() }
    }
}
