//! Subscriptions over graphql-transport-ws at `/graphql/ws`: the change feed as it
//! happens, with the feed's visibility; the handshake's errors close with the protocol's
//! codes. (The `graphql-ws` client from npm drives two replicas in scripts/subscriptions.sh.)

use std::time::Duration;

use async_graphql::futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::editing::{Editor, create_case, new_case};
use crate::helpers::TestApp;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const SUBSCRIBE: &str = "subscription { changes(filter: { subjects: [CASE] }) { kind cause slug version node { ... on Case { slug status } } } }";

async fn connect(app: &TestApp) -> Socket {
    let url = format!("{}/graphql/ws", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("graphql-transport-ws"));
    tokio_tungstenite::connect_async(request).await.expect("WebSocket connects").0
}

async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.expect("sent");
}

/// The next protocol message other than a ping, or the close code.
async fn receive(socket: &mut Socket) -> Result<Value, u16> {
    loop {
        let message =
            tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("a message within 5 s");
        match message {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(text.as_str()).expect("JSON");
                if value["type"] != "ping" {
                    return Ok(value);
                }
            }
            Some(Ok(Message::Close(frame))) => return Err(frame.map_or(1005, |frame| u16::from(frame.code))),
            Some(Ok(_)) => {}
            other => panic!("the socket ended: {other:?}"),
        }
    }
}

async fn subscribed(app: &TestApp, key: Option<&str>) -> Socket {
    let mut socket = connect(app).await;
    let payload = key.map_or(json!({}), |key| json!({ "Authorization": format!("Bearer {key}") }));
    send(&mut socket, json!({ "type": "connection_init", "payload": payload })).await;
    assert_eq!(receive(&mut socket).await.expect("ack")["type"], "connection_ack");
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE } })).await;
    // Let the subscription start before anything is written.
    tokio::time::sleep(Duration::from_millis(200)).await;
    socket
}

#[tokio::test]
async fn a_subscriber_gets_each_change_as_it_is_committed_with_the_feeds_visibility() {
    let app = TestApp::spawn_as_shipped().await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    let mut anonymous = subscribed(&app, None).await;
    let mut drafts = subscribed(&app, Some(&editor.key)).await;

    let created = editor.ok("createCase", &create_case(), new_case("sample-live", "[Sample] Live")).await;
    let first = receive(&mut drafts).await.expect("an event");
    assert_eq!(first["type"], "next", "{first}");
    let event = &first["payload"]["data"]["changes"];
    assert_eq!(
        (event["kind"].as_str(), event["cause"].as_str()),
        (Some("CREATED"), Some("CREATED")),
        "{first}"
    );
    assert_eq!(event["node"]["status"], "DRAFT");

    let publish =
        "mutation P($input: CaseVersionInput!) { publishCase(input: $input) { userErrors { code } } }";
    editor.ok("publishCase", publish, json!({ "id": created["case"]["id"], "expectedVersion": 1 })).await;
    // The anonymous subscriber's first event is the publication: nothing of the draft.
    let seen = receive(&mut anonymous).await.expect("an event");
    let event = &seen["payload"]["data"]["changes"];
    assert_eq!(
        (event["kind"].as_str(), event["cause"].as_str()),
        (Some("CREATED"), Some("PUBLISHED")),
        "{seen}"
    );
    assert_eq!(event["node"], json!({ "slug": "sample-live", "status": "PUBLISHED" }));
    let next = receive(&mut drafts).await.expect("an event");
    assert_eq!(next["payload"]["data"]["changes"]["cause"], "PUBLISHED");

    // Completing stops the stream; the connection stays.
    send(&mut anonymous, json!({ "id": "1", "type": "complete" })).await;
    send(&mut anonymous, json!({ "type": "ping" })).await;
    let mut answer = receive(&mut anonymous).await.expect("an answer");
    if answer["type"] == "complete" {
        answer = receive(&mut anonymous).await.expect("pong");
    }
    assert_eq!(answer["type"], "pong");
}

#[tokio::test]
async fn a_bad_key_or_a_late_init_closes_with_the_protocols_codes_and_limits_hold() {
    let app = TestApp::spawn_as_shipped().await;
    let mut socket = connect(&app).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer cg_invalid_0000" } }),
    )
    .await;
    assert_eq!(receive(&mut socket).await, Err(4403));

    let mut socket = connect(&app).await;
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE } })).await;
    assert_eq!(receive(&mut socket).await, Err(4401), "subscribe before connection_init");

    // A subscription over the query limits is refused with a typed error, the socket kept.
    let mut socket = connect(&app).await;
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut socket).await.expect("ack")["type"], "connection_ack");
    // 20 × 20 × 20 related cases per event: 8,000 objects, over the anonymous cost limit.
    let deep = "subscription { changes { node { ... on Case { relatedCases(first: 20) { relatedCases(first: 20) { relatedCases(first: 20) { slug } } } } } } }";
    send(&mut socket, json!({ "id": "deep", "type": "subscribe", "payload": { "query": deep } })).await;
    let refused = receive(&mut socket).await.expect("an error message");
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{refused}");
    for id in 0..10 {
        send(
            &mut socket,
            json!({ "id": id.to_string(), "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
        )
        .await;
    }
    send(&mut socket, json!({ "id": "eleventh", "type": "subscribe", "payload": { "query": SUBSCRIBE } }))
        .await;
    let refused = receive(&mut socket).await.expect("an error message");
    assert_eq!(
        (refused["type"].as_str(), refused["id"].as_str()),
        (Some("error"), Some("eleventh")),
        "{refused}"
    );
}

#[tokio::test]
async fn a_server_shutting_down_closes_its_subscriptions_as_going_away() {
    let app = TestApp::spawn_as_shipped().await;
    let mut socket = subscribed(&app, None).await;
    let stopped = tokio::time::timeout(Duration::from_secs(10), app.stop()).await;
    assert!(stopped.is_ok(), "the server stops with a subscription open");
    assert_eq!(receive(&mut socket).await, Err(1001));
}
