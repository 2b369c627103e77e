//! A transaction whose written batches are indexed for full-text search on another task,
//! while the caller generates and writes the next batch. Text analysis is the costliest
//! step of a run; overlapping it with the inserts keeps both cores busy. The tasks'
//! statements take turns on the one connection, so everything stays in one transaction.

use std::collections::VecDeque;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::store::search;

/// What a batch of ids names.
#[derive(Clone, Copy, Debug)]
pub(super) enum Indexed {
    Cases,
    Organisations,
    FollowUpActions,
}

/// Batches indexed at the same time: while one task analyses its texts, another's index
/// rows are being written.
const TASKS: usize = 2;

/// A transaction plus the indexing tasks of its last batches, oldest first.
pub(super) struct IndexingTransaction {
    transaction: Arc<DatabaseTransaction>,
    running: VecDeque<JoinHandle<Result<()>>>,
}

impl std::fmt::Debug for IndexingTransaction {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("IndexingTransaction").field("indexing", &self.running.len()).finish()
    }
}

impl IndexingTransaction {
    /// Begins a transaction on `connection`.
    pub(super) async fn begin(connection: &DatabaseConnection) -> Result<Self> {
        Ok(Self { transaction: Arc::new(connection.begin().await?), running: VecDeque::new() })
    }

    /// The transaction, to write in.
    pub(super) fn connection(&self) -> &DatabaseTransaction {
        &self.transaction
    }

    /// Starts indexing `ids` (already written), first waiting for the oldest task when
    /// [`TASKS`] are running.
    pub(super) async fn index(&mut self, indexed: Indexed, ids: Vec<i64>) -> Result<()> {
        while self.running.len() >= TASKS {
            self.wait_oldest().await?;
        }
        let transaction = Arc::clone(&self.transaction);
        self.running.push_back(tokio::spawn(async move {
            let connection = transaction.as_ref();
            match indexed {
                Indexed::Cases => search::reindex_cases(connection, &ids).await,
                Indexed::Organisations => search::reindex_organisations(connection, &ids).await,
                Indexed::FollowUpActions => search::reindex_follow_up_actions(connection, &ids).await,
            }
        }));
        Ok(())
    }

    /// Waits for the indexing, then commits every batch and its index rows.
    pub(super) async fn commit(mut self) -> Result<()> {
        while !self.running.is_empty() {
            self.wait_oldest().await?;
        }
        let transaction = Arc::try_unwrap(self.transaction)
            .map_err(|_| Error::Internal("the seeding transaction is still shared".to_owned()))?;
        transaction.commit().await?;
        Ok(())
    }

    async fn wait_oldest(&mut self) -> Result<()> {
        match self.running.pop_front() {
            Some(task) => {
                task.await.map_err(|error| Error::Internal(format!("the indexing task failed: {error}")))?
            }
            None => Ok(()),
        }
    }
}
