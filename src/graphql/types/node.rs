//! The `Node` interface: objects with a global ID.

use async_graphql::{ID, Interface};

use super::{Category, Collection};

/// An object with a globally unique, opaque ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Collection(Collection),
    Category(Category),
}
