//! The committed change events of the whole database, as they come, for this process's
//! subscriptions.
//!
//! One follower task per process reads the change feed after the last event it handed on,
//! in feed order, and broadcasts each event to every subscription stream here. It reads
//! when woken and at least every [`POLL`]: woken by this process's own writes (the store's
//! change signal) and, on PostgreSQL, by every replica's (`LISTEN casegraph_changes`; the
//! writers `NOTIFY` in their transaction, so the wake-up comes with the commit). When the
//! listening connection is down the follower still polls, so subscribers get every event,
//! at most [`POLL`] late; it reconnects every few seconds.

use std::sync::Arc;
use std::time::Duration;

use entity::change_event;
use tokio::sync::{Notify, broadcast, watch};

use super::Store;
use super::changes::{Audience, FeedFilter, Position};
use super::journal::CHANNEL;

/// Longest wait between two reads of the feed.
pub const POLL: Duration = Duration::from_secs(1);
/// Events a slow subscription may fall behind before it is told to resync.
pub const BACKLOG: usize = 4_096;
/// Events read per statement.
const BATCH: u64 = 500;
/// Wait before listening again after the connection failed.
const RECONNECT: Duration = Duration::from_secs(5);

/// Where the events of this process are broadcast; cheap to clone.
#[derive(Clone, Debug)]
pub struct ChangeStream {
    sender: broadcast::Sender<Arc<change_event::Model>>,
}

impl Default for ChangeStream {
    fn default() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0 }
    }
}

impl ChangeStream {
    /// The events committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<change_event::Model>> {
        self.sender.subscribe()
    }

    /// Follows the feed with `store` (a store of its own, so its statements are nobody's
    /// request) until `stopping` turns true. `signal` wakes it after local writes;
    /// `listen_url`, a PostgreSQL URL, after any replica's.
    pub async fn follow(
        self,
        store: Store,
        signal: Arc<Notify>,
        listen_url: Option<String>,
        mut stopping: watch::Receiver<bool>,
    ) {
        let listener = listen_url.map(|url| tokio::spawn(listen(url, signal.clone())));
        let mut position: Position = loop {
            match store.latest_change().await {
                Ok(latest) => break latest.map_or((0, 0), |event| (event.seq, event.id)),
                Err(error) => {
                    tracing::warn!(%error, "the change stream cannot read the feed yet; retrying");
                    tokio::time::sleep(POLL).await;
                }
            }
        };
        loop {
            tokio::select! {
                () = signal.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = stopping.changed() => break,
            }
            if *stopping.borrow() {
                break;
            }
            position = self.hand_on(&store, position).await;
        }
        if let Some(listener) = listener {
            listener.abort();
        }
    }

    /// Broadcasts every event after `position`; returns the new position.
    async fn hand_on(&self, store: &Store, mut position: Position) -> Position {
        loop {
            match store.change_feed(Audience::Drafts, &FeedFilter::default(), Some(position), BATCH).await {
                Ok(events) => {
                    let full = events.len() as u64 == BATCH;
                    for event in events {
                        position = (event.seq, event.id);
                        // No subscriber here: nobody to tell.
                        let _ = self.sender.send(Arc::new(event));
                    }
                    if !full {
                        return position;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "the change stream could not read the feed; it tries again");
                    return position;
                }
            }
        }
    }
}

/// Wakes `signal` on every notification of the writers' channel, reconnecting forever.
async fn listen(url: String, signal: Arc<Notify>) {
    loop {
        match sea_orm::sqlx::postgres::PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    // Changes committed while it was not listening are read now.
                    signal.notify_one();
                    loop {
                        match listener.recv().await {
                            Ok(_) => signal.notify_one(),
                            Err(error) => {
                                tracing::warn!(%error, "LISTEN connection lost; polling until it is back");
                                break;
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "LISTEN failed; polling until it works"),
            },
            Err(error) => {
                tracing::warn!(%error, "cannot connect to LISTEN for changes; polling until it can")
            }
        }
        tokio::time::sleep(RECONNECT).await;
    }
}
