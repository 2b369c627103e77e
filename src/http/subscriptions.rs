//! Subscriptions over the graphql-transport-ws protocol at `/graphql/ws` (what the
//! `graphql-ws` client speaks).
//!
//! The handshake is ours: the first message must be `connection_init` within
//! [`INIT_TIMEOUT`] (else close 4408); its payload's `Authorization` (`Bearer <key>`) is
//! checked like an HTTP request's header (a bad key closes with 4403; none is anonymous
//! when the server allows it), and `Accept-Language` picks the texts. Then async-graphql
//! runs the protocol. Each `subscribe` is checked first against the query limits and
//! charged its static cost to the caller's budget once; a caller holds at most
//! [`MAX_CONNECTIONS`] connections and each at most [`MAX_SUBSCRIPTIONS`] subscriptions.
//! The server pings every [`PING_EVERY`]; on shutdown every connection is closed with
//! 1001 (going away).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::futures_util::{SinkExt, StreamExt, stream};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use async_graphql::{Data, Variables};
use axum::extract::ws::{CloseFrame, Message, WebSocket as Socket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::AppState;
use crate::error::{Error, code};
use crate::graphql::access::Access;
use crate::graphql::loaders::Loaders;
use crate::keys::Scope;
use crate::locale::LocalePreference;
use crate::protection::budget::Charge;
use crate::protection::gate::{Caller, Identity};
use crate::store::journal::Actor;
use crate::telemetry::metrics;

/// The only subprotocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";
/// Wait for `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Open connections per caller (API key, or anonymous IP address).
pub const MAX_CONNECTIONS: usize = 16;
/// Running subscriptions per connection.
pub const MAX_SUBSCRIPTIONS: usize = 10;
/// Interval of the server's `ping`.
pub const PING_EVERY: Duration = Duration::from_secs(15);

/// Open connections per caller, shared by every connection of the process.
#[derive(Clone, Debug, Default)]
pub struct Connections(Arc<Mutex<HashMap<String, usize>>>);

/// One admitted connection; frees its place when dropped.
struct Admitted {
    connections: Connections,
    caller: String,
}

impl Connections {
    fn admit(&self, caller: &str) -> Option<Admitted> {
        let mut open = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(caller.to_owned()).or_default();
        if *count >= MAX_CONNECTIONS {
            return None;
        }
        *count += 1;
        metrics::record_subscriber(1.0);
        Some(Admitted { connections: self.clone(), caller: caller.to_owned() })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.connections.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.caller) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.caller);
            }
        }
        metrics::record_subscriber(-1.0);
    }
}

/// `GET /graphql/ws`: upgrades to a WebSocket speaking graphql-transport-ws.
pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let address = SocketAddr::new(state.trusted_proxies.client(peer.ip(), &headers), peer.port());
    upgrade.protocols([PROTOCOL]).on_upgrade(move |socket| async move {
        let offered = socket.protocol().is_some();
        let mut socket = socket;
        if !offered {
            close(&mut socket, 4406, "Subprotocol not acceptable: use graphql-transport-ws").await;
            return;
        }
        serve(state, address, socket).await;
    })
}

async fn close(socket: &mut Socket, code: u16, reason: &str) {
    let frame = CloseFrame { code, reason: reason.into() };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// The `connection_init` payload, or the close code and reason to answer with.
async fn handshake(socket: &mut Socket) -> Result<Value, (u16, &'static str)> {
    let first = tokio::time::timeout(INIT_TIMEOUT, socket.next()).await;
    let Ok(Some(Ok(Message::Text(text)))) = first else {
        return Err((4408, "Connection initialisation timeout"));
    };
    let message: Value = serde_json::from_str(text.as_str()).map_err(|_| (4400, "Invalid message"))?;
    if message["type"] != "connection_init" {
        return Err((4401, "Unauthorized: connection_init first"));
    }
    Ok(message.get("payload").cloned().unwrap_or(Value::Null))
}

/// A header-like entry of the init payload, whatever its case.
fn payload_entry<'a>(payload: &'a Value, name: &str) -> Option<&'a str> {
    payload.as_object()?.iter().find(|(key, _)| key.eq_ignore_ascii_case(name))?.1.as_str()
}

async fn serve(state: AppState, address: SocketAddr, mut socket: Socket) {
    let payload = match handshake(&mut socket).await {
        Ok(payload) => payload,
        Err((code, reason)) => return close(&mut socket, code, reason).await,
    };
    let authorization = payload_entry(&payload, "authorization").map(str::as_bytes);
    let identity = match state.gate.identify(authorization, address.ip()).await {
        Ok(identity) => identity,
        Err(_) => {
            return close(&mut socket, 4403, "Forbidden: the API key is malformed, unknown or revoked").await;
        }
    };
    let Some(_admitted) = state.subscribers.admit(&identity.bucket) else {
        return close(&mut socket, 4429, "Too many connections for this caller").await;
    };
    let locale = payload_entry(&payload, "accept-language")
        .map(LocalePreference::from_accept_language)
        .unwrap_or_default();
    let data = connection_data(&state, &identity, locale);
    run(state, identity, socket, data).await;
}

/// What every subscription of the connection resolves with.
fn connection_data(state: &AppState, identity: &Identity, locale: LocalePreference) -> Data {
    let access = Access {
        read_drafts: identity.scopes.has(Scope::ReadDrafts),
        write: identity.scopes.has(Scope::Write),
        admin: identity.scopes.has(Scope::Admin),
    };
    let mut data = Data::default();
    if let Caller::Key { id, prefix, name } = &identity.caller {
        data.insert(Actor::key(*id, prefix.clone(), name.clone()));
    }
    data.insert(locale);
    data.insert(access);
    data.insert(Loaders::new(&state.store, access.visible_statuses()));
    data.insert(state.store.clone());
    data
}

/// Runs the protocol on `socket` until either side closes or the server stops.
async fn run(state: AppState, identity: Identity, socket: Socket, data: Data) {
    let (mut sink, source) = socket.split();
    let (replies, mut direct) = mpsc::channel::<String>(16);
    let active: Arc<Mutex<HashSet<String>>> = Arc::default();
    // The init message again, for async-graphql to acknowledge; then every client message
    // that passes the checks.
    let init = stream::once(async { json!({ "type": "connection_init" }).to_string() });
    let checked = {
        let active = active.clone();
        let state = state.clone();
        async_graphql::futures_util::stream::unfold(
            (source, replies, active, state, identity),
            |(mut source, replies, active, state, identity)| async move {
                loop {
                    let text = match source.next().await? {
                        Ok(Message::Text(text)) => text.to_string(),
                        Ok(Message::Close(_)) | Err(_) => return None,
                        Ok(_) => continue,
                    };
                    match admit(&state, &identity, &active, &text).await {
                        Ok(()) => return Some((text, (source, replies, active, state, identity))),
                        Err(reply) => {
                            if replies.send(reply).await.is_err() {
                                return None;
                            }
                        }
                    }
                }
            },
        )
    };
    let incoming = init.chain(checked);
    let protocol =
        WebSocket::new(state.schemas.strict.clone(), Box::pin(incoming), WebSocketProtocols::GraphQLWS)
            .on_connection_init(move |_| async move { Ok(data) });
    let mut protocol = std::pin::pin!(protocol);
    let mut stopping = state.stopping.clone();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        let message = tokio::select! {
            message = protocol.next() => match message {
                Some(WsMessage::Text(text)) => {
                    forget_finished(&active, &text);
                    Message::Text(text.into())
                }
                Some(WsMessage::Close(code, reason)) => Message::Close(Some(CloseFrame { code, reason: reason.into() })),
                None => break,
            },
            Some(reply) = direct.recv() => Message::Text(reply.into()),
            _ = ping.tick() => Message::Text(json!({ "type": "ping" }).to_string().into()),
            _ = stopping.changed() => Message::Close(Some(CloseFrame { code: 1001, reason: "server shutting down".into() })),
        };
        let closing = matches!(message, Message::Close(_));
        if sink.send(message).await.is_err() || closing {
            break;
        }
    }
}

/// Checks a client message before async-graphql sees it: a `subscribe` must fit the
/// limits, the caller's budget and the connection's room; a `complete` frees its place.
/// Returns the `error` message to answer instead when it does not pass.
async fn admit(
    state: &AppState,
    identity: &Identity,
    active: &Mutex<HashSet<String>>,
    text: &str,
) -> Result<(), String> {
    let Ok(message) = serde_json::from_str::<Value>(text) else { return Ok(()) };
    let id = message["id"].as_str().unwrap_or_default().to_owned();
    match message["type"].as_str() {
        Some("complete") => {
            active.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&id);
            Ok(())
        }
        Some("subscribe") => {
            let refuse = |(message, code): (String, &str)| {
                json!({ "type": "error", "id": id, "payload": [{ "message": message, "extensions": { "code": code } }] })
                    .to_string()
            };
            let running = active.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len();
            if running >= MAX_SUBSCRIPTIONS {
                let message = format!(
                    "a connection runs at most {MAX_SUBSCRIPTIONS} subscriptions: complete one first"
                );
                return Err(refuse((message, code::QUERY_TOO_COMPLEX)));
            }
            check(state, identity, &message["payload"]).await.map_err(refuse)?;
            active.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The query limits and the budget, for one `subscribe` payload: the problem and its code
/// when it does not pass.
async fn check(state: &AppState, identity: &Identity, payload: &Value) -> Result<(), (String, &'static str)> {
    let refused = |error: Error| (error.to_string(), error.code());
    let query = payload["query"].as_str().unwrap_or_default();
    let limits = &state.gate.limits;
    limits.check_text(query).map_err(refused)?;
    // What does not parse or validate is async-graphql's to report.
    let Ok(document) = async_graphql::parser::parse_query(query) else { return Ok(()) };
    let variables = Variables::from_json(payload["variables"].clone());
    let operation_name = payload["operationName"].as_str();
    crate::protection::limits::check_no_nul(&document, &variables).map_err(refused)?;
    let Some(analysis) = state.gate.cost_model.analyse(&document, operation_name, &variables) else {
        return Ok(());
    };
    limits.check_analysis(&analysis).map_err(refused)?;
    match state.gate.charge(identity, analysis.cost).await {
        Charge::Granted(_) => Ok(()),
        Charge::Throttled { retry_after, .. } => Err((
            format!(
                "subscribing costs {} points, more than the caller's budget holds now: retry in {retry_after:.0} s",
                analysis.cost
            ),
            code::THROTTLED,
        )),
    }
}

/// Frees the place of a subscription the server ended (`complete` or `error`).
fn forget_finished(active: &Mutex<HashSet<String>>, text: &str) {
    if let Ok(message) = serde_json::from_str::<Value>(text)
        && matches!(message["type"].as_str(), Some("complete" | "error"))
        && let Some(id) = message["id"].as_str()
    {
        active.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(id);
    }
}
