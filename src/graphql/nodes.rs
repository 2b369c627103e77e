//! Objects by global ID: what `node`, `nodes` and a change event's `node` resolve.

use async_graphql::{Context, ID};

use super::access::Access;
use super::id::{self, NodeKind};
use super::loaders::{Loaders, load};
use super::types::{Case, Category, Collection, FollowUpAction, Node, Organisation};
use crate::error::Error;

/// Resolves global IDs in order, batching by type through the loaders.
pub async fn resolve_nodes(context: &Context<'_>, ids: &[ID]) -> Result<Vec<Option<Node>>, Error> {
    let loaders =
        context.data::<Loaders>().map_err(|_| Error::Internal("no loaders in context".to_owned()))?;
    let access = Access::of(context);
    let mut nodes = Vec::with_capacity(ids.len());
    for raw in ids {
        let node = match id::decode(raw) {
            None | Some((NodeKind::ApiKey, _)) => None,
            Some((NodeKind::Collection, key)) => {
                load(&loaders.collections, key).await?.map(|r| Node::Collection(Collection(r)))
            }
            Some((NodeKind::Category, key)) => {
                load(&loaders.categories, key).await?.map(|r| Node::Category(Category(r)))
            }
            Some((NodeKind::Organisation, key)) => {
                load(&loaders.organisations, key).await?.map(|r| Node::Organisation(Organisation(r)))
            }
            Some((NodeKind::FollowUpAction, key)) => {
                load(&loaders.follow_up_actions, key).await?.map(|r| Node::FollowUpAction(FollowUpAction(r)))
            }
            Some((NodeKind::Case, key)) => load(&loaders.cases, key)
                .await?
                .filter(|record| access.can_see(record.model.status))
                .map(|r| Node::Case(Case::new(r))),
        };
        nodes.push(node);
    }
    Ok(nodes)
}
