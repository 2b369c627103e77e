//! Global object IDs as GraphQL `ID`s (the encoding is [`crate::global_id`]'s).

use async_graphql::ID;

pub use crate::global_id::{NodeKind, decode};

/// The ID of the `kind` object with database key `key`.
pub fn encode(kind: NodeKind, key: i64) -> ID {
    ID(crate::global_id::encode(kind, key))
}
