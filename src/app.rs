//! Builds the whole application once; the binary and the tests build the same [`App`].

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Config, ServeArgs};
use crate::delivery;
use crate::error::{Error, Result};
use crate::graphql::{SchemaOptions, build_schemas};
use crate::http::{AppState, router};
use crate::protection::cost::CostModel;
use crate::protection::gate::Gate;
use crate::protection::limits::Limits;
use crate::reference::Reference;
use crate::store::Store;
use crate::store::change_stream::ChangeStream;
use crate::synthetic::{self, SyntheticOptions};
use crate::telemetry;
use crate::telemetry::metrics::Metrics;

/// Synthetic cases created on an empty database so a newcomer sees a working API.
pub const SAMPLE_CASES: u64 = 60;
/// Random seed of that sample set.
pub const SAMPLE_SEED: u64 = 2024;

/// A ready-to-serve Casegraph: database migrated and loaded, listeners bound.
pub struct App {
    state: AppState,
    /// Turned true to stop: servers and WebSockets watch it.
    stop: watch::Sender<bool>,
    /// The change events of the database, broadcast to this process's subscriptions.
    change_stream: ChangeStream,
    /// A store of its own for the background work (following the feed, sending webhooks),
    /// so that none of it counts as a request's statements.
    background: Store,
    /// How webhooks are sent.
    webhooks: delivery::Settings,
    /// The PostgreSQL URL whose notifications wake the follower (none on SQLite).
    listen_url: Option<String>,
    /// How long the change feed keeps its events.
    change_retention: std::time::Duration,
    /// Longest wait for in-flight requests after the shutdown signal.
    drain: std::time::Duration,
    listener: TcpListener,
    metrics: Metrics,
    /// `/metrics` on an address of its own (`--metrics-bind`); on `listener` when absent.
    metrics_listener: Option<TcpListener>,
}

impl App {
    /// Prepares the database, then binds `serve.bind` and `serve.metrics_bind` (port 0
    /// picks a free port).
    pub async fn build(config: &Config, serve: &ServeArgs) -> Result<Self> {
        // First, so the statements of migrations and loading are counted too.
        let metrics = Metrics::install();
        // A request's wait for a pooled connection is bounded by its own time limit (a typed
        // TIMEOUT), so the pool waits as long as a request may run, and never less than 10 s
        // (migrations and loading wait too). Loader batches run in tasks of their own and
        // outlive a request that timed out only by as much.
        let mut config = config.clone();
        config.acquire_timeout =
            Some(Limits::from(&serve.protection).timeout.max(std::time::Duration::from_secs(10)));
        let store = prepare_store(&config)
            .await?
            .cache_catalogue(std::time::Duration::from_secs(serve.catalogue_cache_seconds));
        if !serve.no_samples && store.case_count().await? == 0 {
            let report =
                synthetic::generate(&store, &SyntheticOptions { cases: SAMPLE_CASES, seed: SAMPLE_SEED })
                    .await?;
            tracing::info!(cases = report.cases, "empty database: created the synthetic sample set");
        }
        let listener = TcpListener::bind(serve.bind).await?;
        let metrics_listener = match serve.metrics_bind {
            Some(address) => Some(TcpListener::bind(address).await?),
            None => None,
        };
        let protection = &serve.protection;
        let persisted = crate::http::PersistedQueries::new(
            protection.redis_url.as_deref(),
            store.clone(),
            protection.trusted_documents,
        )
        .await;
        let change_stream = ChangeStream::default();
        let (stop, _) = watch::channel(false);
        // Connections of its own, so background work is nobody's request.
        let mut background_config = config.clone();
        background_config.database_connections = Some(2);
        let background = Store::connect(&background_config).await?;
        let schemas = build_schemas(
            store.clone(),
            SchemaOptions {
                introspection: protection.introspection.is_on(),
                max_page: protection.max_page,
                change_retention: std::time::Duration::from_secs(serve.change_retention_days * 24 * 3600),
                change_stream: change_stream.clone(),
                webhook_allow_private_targets: serve.webhook_allow_private_targets,
            },
        );
        let cost_model = CostModel::from_sdl(&schemas.strict.sdl())
            .map_err(|error| Error::Internal(format!("cannot read the schema for costs: {error}")))?
            .with_max_page(protection.max_page);
        let gate = Gate::new(store.clone(), protection, cost_model).await?;
        let cors_origins = protection.cors_origins.clone();
        Ok(Self {
            state: AppState {
                store,
                schemas,
                gate,
                cors_origins,
                documents: Default::default(),
                subscribers: Default::default(),
                stopping: stop.subscribe(),
                persisted,
                trusted_proxies: crate::http::client_ip::TrustedProxies::parse(&protection.trusted_proxies)?,
                cache: crate::http::CachePolicy {
                    max_age: serve.cache_max_age,
                    stale_while_revalidate: serve.cache_stale_while_revalidate,
                },
            },
            stop,
            change_stream,
            background,
            webhooks: delivery::Settings {
                allow_private_targets: serve.webhook_allow_private_targets,
                retry_delays: serve
                    .webhook_retry_seconds
                    .iter()
                    .map(|seconds| {
                        let seconds = if seconds.is_finite() { seconds.clamp(0.0, 86_400.0) } else { 0.0 };
                        std::time::Duration::from_secs_f64(seconds)
                    })
                    .collect(),
            },
            listen_url: config.database_url.starts_with("postgres").then(|| config.database_url.clone()),
            change_retention: std::time::Duration::from_secs(serve.change_retention_days * 24 * 3600),
            drain: std::time::Duration::from_secs(serve.drain_seconds),
            listener,
            metrics,
            metrics_listener,
        })
    }

    /// The app's data store (shared with the server).
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// The address serving `/metrics` when it has one of its own (`--metrics-bind`).
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>> {
        Ok(self.metrics_listener.as_ref().map(TcpListener::local_addr).transpose()?)
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests.
    pub async fn serve(self) -> Result<()> {
        self.serve_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn serve_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let address = self.local_addr()?;
        tracing::info!(%address, "serving GraphQL at http://{address}/graphql");
        // One shutdown signal, up to two servers and every WebSocket: each waits for the flag.
        let stop = self.stop;
        let stopping = stop.subscribe();
        let signal = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            signal.send_replace(true);
        });
        let metrics_server = match self.metrics_listener {
            Some(listener) => Some(spawn_metrics_server(listener, self.metrics.clone(), stopping.clone())?),
            None => None,
        };
        let upkeep = tokio::spawn(self.metrics.clone().keep_tidy());
        let sampling = tokio::spawn(sample_pool(self.state.store.clone()));
        let pruning = tokio::spawn(prune_changes(self.state.store.clone(), self.change_retention));
        let dispatching =
            tokio::spawn(delivery::dispatch(self.background.clone(), self.webhooks, stopping.clone()));
        let following = tokio::spawn(self.change_stream.follow(
            self.background.clone(),
            self.state.store.change_signal(),
            self.listen_url,
            stopping.clone(),
        ));
        let main_metrics = metrics_server.is_none().then(|| self.metrics.clone());
        let store = self.state.store.clone();
        let app = router(self.state, main_metrics)?.into_make_service_with_connect_info::<SocketAddr>();
        let drain = self.drain;
        let drain_limit = {
            let stopping = stopping.clone();
            async move {
                stopped(stopping).await;
                tokio::time::sleep(drain).await;
            }
        };
        let serving = std::future::IntoFuture::into_future(
            axum::serve(self.listener, app).with_graceful_shutdown(stopped(stopping)),
        );
        let served = tokio::select! {
            served = serving => served,
            () = drain_limit => {
                tracing::warn!(seconds = drain.as_secs(), "drain limit reached: requests still in flight are cut");
                Ok(())
            }
        };
        // Also when the API server failed: the metrics server must not outlive it.
        stop.send_replace(true);
        let metrics_served = match metrics_server {
            Some(server) => server
                .await
                .map_err(|error| Error::Internal(format!("metrics server task failed: {error}")))
                .and_then(|served| Ok(served?)),
            None => Ok(()),
        };
        upkeep.abort();
        sampling.abort();
        pruning.abort();
        following.abort();
        dispatching.abort();
        self.background.close().await?;
        served?;
        metrics_served?;
        store.close().await?;
        telemetry::shutdown();
        tracing::info!("shut down cleanly");
        Ok(())
    }
}

/// Serves `/metrics` alone on `listener` until the shutdown flag is raised.
fn spawn_metrics_server(
    listener: TcpListener,
    metrics: Metrics,
    stopping: watch::Receiver<bool>,
) -> Result<JoinHandle<std::io::Result<()>>> {
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving metrics at http://{address}/metrics");
    let app = crate::http::metrics::router(metrics);
    Ok(tokio::spawn(
        async move { axum::serve(listener, app).with_graceful_shutdown(stopped(stopping)).await },
    ))
}

/// Publishes the request pool's usage (`db_pool_connections`) every second.
async fn sample_pool(store: Store) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        interval.tick().await;
        let (open, idle) = store.pool_usage();
        telemetry::metrics::record_pool_usage(open, idle);
    }
}

/// Completes once the shutdown flag is raised (or its sender is gone).
async fn stopped(mut stopping: watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
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

/// Deletes the change events older than `retention`, a minute after start (not during
/// it: start-up has work enough) and every hour after.
async fn prune_changes(store: Store, retention: std::time::Duration) {
    let hour = std::time::Duration::from_secs(3600);
    let first = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut hourly = tokio::time::interval_at(first, hour);
    loop {
        hourly.tick().await;
        let horizon = chrono::TimeDelta::from_std(retention).map(|kept| chrono::Utc::now() - kept);
        match horizon {
            Ok(before) => match store.prune_changes(before).await {
                Ok(0) => {}
                Ok(deleted) => {
                    tracing::info!(deleted, "pruned change events older than the feed's retention")
                }
                Err(error) => {
                    tracing::warn!(%error, "pruning the change feed failed; it is retried in an hour")
                }
            },
            Err(_) => return,
        }
    }
}
