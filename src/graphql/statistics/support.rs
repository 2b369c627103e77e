//! Small helpers of the statistics resolvers: context data, arguments, labels.

use std::collections::BTreeMap;
use std::future::Future;

use async_graphql::Context;

use super::MAX_FIRST;
use crate::error::Error;
use crate::locale::{DEFAULT_LOCALE, LocalePreference};
use crate::reference::{Reference, Vocabulary};

/// `first` of `byCountry` and `byTag` when not given.
pub const DEFAULT_FIRST: i32 = 20;

/// Shared request data, or an internal error naming what is missing.
pub(super) fn data<'a, T: Send + Sync + 'static>(context: &'a Context<'_>) -> Result<&'a T, Error> {
    context
        .data::<T>()
        .map_err(|_| Error::Internal(format!("no {} in the GraphQL context", std::any::type_name::<T>())))
}

/// Checks `first` of `byCountry` / `byTag`.
pub(super) fn first_argument(first: Option<i32>) -> Result<u64, Error> {
    let value = first.unwrap_or(DEFAULT_FIRST);
    match u64::try_from(value) {
        Ok(limit) if limit <= MAX_FIRST => Ok(limit),
        _ => Err(Error::BadUserInput(format!("`first` must be between 0 and {MAX_FIRST}, got {value}"))),
    }
}

/// The label of a vocabulary code in the preferred locale, else English, else the code.
pub(super) fn label(locale: &LocalePreference, vocabulary: Vocabulary, code: &str) -> Result<String, Error> {
    let labels: BTreeMap<&str, &str> = Reference::embedded()?.label(vocabulary, code).unwrap_or_default();
    Ok(locale
        .tags()
        .iter()
        .find_map(|tag| labels.get(tag.as_str()))
        .or_else(|| labels.get(DEFAULT_LOCALE))
        .map_or_else(|| code.to_owned(), |text| (*text).to_owned()))
}

/// Runs a group-by and the case count side by side.
pub(super) async fn futures_join<A, B>(
    group: impl Future<Output = Result<A, Error>>,
    total: impl Future<Output = Result<B, Error>>,
) -> Result<(A, B), Error> {
    let (group, total) = tokio::join!(group, total);
    Ok((group?, total?))
}
