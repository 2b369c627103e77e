//! Builds the whole application once; the binary and the tests build the same [`App`].

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::{Config, ServeArgs};
use crate::error::Result;
use crate::graphql::build_schema;
use crate::http::{AppState, router};
use crate::reference::Reference;
use crate::store::Store;
use crate::store::synthetic::{self, SyntheticOptions};

/// Synthetic cases created on an empty database so a newcomer sees a working API.
pub const SAMPLE_CASES: u64 = 60;
/// Random seed of that sample set.
pub const SAMPLE_SEED: u64 = 2024;

/// A ready-to-serve Casegraph: database migrated and loaded, listener bound.
pub struct App {
    state: AppState,
    listener: TcpListener,
}

impl App {
    /// Prepares the database, then binds `serve.bind` (port 0 picks a free port).
    pub async fn build(config: &Config, serve: &ServeArgs) -> Result<Self> {
        let store = prepare_store(config).await?;
        if !serve.no_samples && store.case_count().await? == 0 {
            let report =
                synthetic::generate(&store, &SyntheticOptions { cases: SAMPLE_CASES, seed: SAMPLE_SEED })
                    .await?;
            tracing::info!(cases = report.cases, "empty database: created the synthetic sample set");
        }
        let listener = TcpListener::bind(serve.bind).await?;
        let schema = build_schema(store.clone());
        Ok(Self { state: AppState { store, schema }, listener })
    }

    /// The app's data store (shared with the server).
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests.
    pub async fn serve(self) -> Result<()> {
        self.serve_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn serve_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let address = self.local_addr()?;
        tracing::info!(%address, "serving GraphQL at http://{address}/graphql");
        let store = self.state.store.clone();
        axum::serve(self.listener, router(self.state)).with_graceful_shutdown(shutdown).await?;
        store.close().await?;
        tracing::info!("shut down cleanly");
        Ok(())
    }
}

/// Connects, migrates and loads the reference data: what every command does first.
pub async fn prepare_store(config: &Config) -> Result<Store> {
    let store = Store::connect(config).await?;
    store.migrate().await?;
    store.load_reference(Reference::embedded()?).await?;
    Ok(store)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
