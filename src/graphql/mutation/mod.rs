//! The write side of the API: mutations, each taking one `input` object and returning a
//! payload with the changed object and `userErrors`.
//!
//! Problems with the input are `userErrors` (a field path, a code and a message, all of
//! them at once), and nothing is written; the caller's scope and the request itself are
//! checked as errors with `extensions.code` like everywhere else. Anonymous callers get
//! HTTP 401 and keys without a write scope HTTP 403 before anything runs; a request
//! carries at most one mutation operation (see the README).

pub mod api_keys;
pub mod user_error;

use async_graphql::MergedObject;

/// Changes to the collections, their content and their partners' keys.
#[derive(Default, MergedObject)]
pub struct Mutation(api_keys::ApiKeyMutations);
