//! The `Node` interface: objects with a global ID.

use async_graphql::{ID, Interface};

use super::{Case, Category, Collection, FollowUpAction, Organisation};

/// An object with a globally unique, opaque ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Collection(Collection),
    Category(Category),
    Organisation(Organisation),
    Case(Case),
    FollowUpAction(FollowUpAction),
}
