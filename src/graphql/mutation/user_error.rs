//! `UserError`: one problem with a mutation's input, where it is and what is wrong.

use async_graphql::{Enum, SimpleObject};

use crate::editorial::{Problem, ProblemCode};

/// What is wrong with an input value.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A required value is missing or empty.
    Required,
    /// The value is not valid for its field (format, length, characters, range, URL
    /// scheme).
    Invalid,
    /// The object the value names does not exist.
    NotFound,
    /// The value is taken (a slug in use) or given twice.
    Duplicate,
    /// The object changed since the `expectedVersion` sent: `currentVersion` says where it
    /// is now. Read it again, reapply the change and retry.
    VersionConflict,
    /// The change does not apply to the object's current state (publishing a published
    /// case, deleting a published one).
    InvalidTransition,
    /// The object is still referred to (`message` names by what).
    InUse,
}

impl From<ProblemCode> for UserErrorCode {
    fn from(code: ProblemCode) -> Self {
        match code {
            ProblemCode::Required => Self::Required,
            ProblemCode::Invalid => Self::Invalid,
            ProblemCode::NotFound => Self::NotFound,
            ProblemCode::Duplicate => Self::Duplicate,
            ProblemCode::VersionConflict => Self::VersionConflict,
            ProblemCode::InvalidTransition => Self::InvalidTransition,
            ProblemCode::InUse => Self::InUse,
        }
    }
}

/// One problem with a mutation's input. Nothing was written when a payload carries any.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct UserError {
    /// Path of the input value, from the argument: `["input", "translations", "2",
    /// "title"]` (list positions are written as strings).
    pub field: Vec<String>,
    /// What is wrong.
    pub code: UserErrorCode,
    /// The problem, for people.
    pub message: String,
    /// With `VERSION_CONFLICT`: the object's version now.
    pub current_version: Option<i32>,
}

impl UserError {
    /// A problem with `input.<path…>`.
    pub fn at(path: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        let field = std::iter::once("input").chain(path.iter().copied()).map(str::to_owned).collect();
        Self { field, code, message: message.into(), current_version: None }
    }
}

impl From<Problem> for UserError {
    fn from(problem: Problem) -> Self {
        let field = std::iter::once("input".to_owned()).chain(problem.path).collect();
        Self {
            field,
            code: problem.code.into(),
            message: problem.message,
            current_version: problem.current_version,
        }
    }
}

/// Every problem as a user error.
pub fn user_errors(problems: Vec<Problem>) -> Vec<UserError> {
    problems.into_iter().map(UserError::from).collect()
}
