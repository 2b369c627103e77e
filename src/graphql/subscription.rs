//! Subscriptions (graphql-transport-ws at `/graphql/ws`): the change feed as it happens.

use std::sync::Arc;

use async_graphql::futures_util::Stream;
use async_graphql::futures_util::stream;
use async_graphql::{Context, Result, Subscription as SubscriptionObject};
use entity::change_event;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::error::Error;
use crate::graphql::access::Access;
use crate::graphql::types::change::{ChangeEvent, ChangeFilter, audience};
use crate::store::change_stream::ChangeStream;
use crate::store::changes::{Audience, FeedFilter};

/// Live updates.
#[derive(Default)]
pub struct Subscription;

/// What one subscription stream holds between events.
struct Following {
    receiver: broadcast::Receiver<Arc<change_event::Model>>,
    audience: Audience,
    filter: FeedFilter,
    ended: bool,
}

#[SubscriptionObject]
impl Subscription {
    /// Every change from now on, as it is committed, with the same events and visibility as
    /// `Query.changes` (without `read:drafts`: nothing of drafts, and a case leaving the
    /// published set as `REMOVED`). A subscriber that falls more than 4,096 events behind
    /// gets an error and the stream ends: catch up with `Query.changes(after)` from the last
    /// event's cursor, then subscribe again.
    async fn changes(
        &self,
        context: &Context<'_>,
        #[graphql(desc = "Which events.")] filter: Option<ChangeFilter>,
    ) -> Result<impl Stream<Item = Result<ChangeEvent>>> {
        let changes =
            context.data::<ChangeStream>().map_err(|_| Error::Internal("no change stream".to_owned()))?;
        let following = Following {
            receiver: changes.subscribe(),
            audience: audience(Access::of(context)),
            filter: filter.unwrap_or_default().into_store(),
            ended: false,
        };
        Ok(stream::unfold(following, |mut following| async move {
            if following.ended {
                return None;
            }
            loop {
                match following.receiver.recv().await {
                    Ok(event) if following.filter.keeps(&event, following.audience) => {
                        crate::telemetry::metrics::record_subscription_event();
                        let event = ChangeEvent { event: (*event).clone(), audience: following.audience };
                        return Some((Ok(event), following));
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(missed)) => {
                        following.ended = true;
                        let error = Error::BadUserInput(format!(
                            "this subscription fell {missed} events behind and ends: catch up with \
                             `changes(after: <last cursor>)`, then subscribe again"
                        ));
                        return Some((Err(error.into()), following));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }
}
