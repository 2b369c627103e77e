//! The write side of the API: mutations, each taking one `input` object and returning a
//! payload with the changed object and `userErrors`.
//!
//! Problems with the input are `userErrors` (a field path, a code and a message, all of
//! them at once), and nothing is written; the caller's scope and the request itself are
//! checked as errors with `extensions.code` like everywhere else. Anonymous callers get
//! HTTP 401 and keys without a write scope HTTP 403 before anything runs; a request
//! carries at most one mutation operation (see the README). The object changed is named by
//! its `id`; the objects it refers to by their slugs, as in the import format.

pub mod api_keys;
pub mod cases;
pub mod collections;
pub mod editor;
pub mod follow_up_actions;
pub mod organisations;
pub mod user_error;
pub mod webhooks;

use async_graphql::{ID, MaybeUndefined, MergedObject};

pub use self::editor::RequestId;
use crate::editorial::Patch;
use crate::graphql::id::{self, NodeKind};

/// What a content mutation costs against the caller's budget, beyond what its payload
/// selects (`@cost(weight:)` on every payload type).
pub const WRITE_COST: &str = "10";

/// Changes to the collections, their content and their partners' keys.
#[derive(Default, MergedObject)]
pub struct Mutation(
    cases::CaseMutations,
    organisations::OrganisationMutations,
    follow_up_actions::FollowUpActionMutations,
    collections::CollectionMutations,
    api_keys::ApiKeyMutations,
    webhooks::WebhookMutations,
);

/// The database id behind `id`, when it is an id of `kind`.
/// What a mutation's payload read of the object it wrote gave: the object, or (the write
/// being committed) null in the payload's `field` with the error beside it at that path,
/// so the payload itself, and with it the news of the write, reaches the caller.
fn after_write<T>(
    context: &async_graphql::Context<'_>,
    field: &str,
    read: Result<Option<T>, crate::error::Error>,
) -> Option<T> {
    match read {
        Ok(found) => found,
        Err(error) => {
            let mut error =
                context.set_error_path(async_graphql::Error::from(error).into_server_error(context.item.pos));
            error.path.push(async_graphql::PathSegment::Field(field.to_owned()));
            context.add_error(error);
            None
        }
    }
}

fn subject(id: &ID, kind: NodeKind) -> Option<i64> {
    match id::decode(id) {
        Some((found, key)) if found == kind => Some(key),
        _ => None,
    }
}

/// A GraphQL input field as a change: left out keeps, `null` clears, a value sets.
fn patch<T>(value: MaybeUndefined<T>) -> Patch<T> {
    match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(value) => Patch::Set(value),
    }
}
