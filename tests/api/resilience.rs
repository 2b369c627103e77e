//! Failure behaviour: a database that stops answering gets `UNAVAILABLE` (HTTP 503 with
//! `Retry-After`) at once, `/readyz` says not ready, and the server recovers by itself when
//! the database answers again. The database is reached through a TCP relay the test cuts
//! and restores (PostgreSQL only: SQLite runs in the server's process and cannot vanish).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::editing::{Editor, create_case, new_case};
use crate::helpers::{TestApp, TestDatabase, error_code, serve_args};

/// A TCP relay to the database that can be cut (every connection dropped, new ones
/// refused) and restored.
struct Relay {
    address: SocketAddr,
    open: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn to(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let address = listener.local_addr().expect("relay address");
        let open = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (accepting, kept) = (Arc::clone(&open), Arc::clone(&links));
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.load(Ordering::Acquire) {
                    continue; // dropped: the connection is closed at once
                }
                let target = target.clone();
                kept.lock().await.push(tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }));
            }
        });
        Self { address, open, links }
    }

    async fn cut(&self) {
        self.open.store(false, Ordering::Release);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.open.store(true, Ordering::Release);
    }
}

/// `url` with its host and port replaced by `address`.
fn through(url: &str, address: SocketAddr) -> (String, String) {
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..end];
    let (user, host) = match authority.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), authority),
    };
    (format!("{scheme}://{user}{address}{}", &rest[end..]), host.to_owned())
}

const COUNT: &str = "{ cases(first: 1) { totalCount } }";

#[tokio::test]
async fn an_unreachable_database_is_unavailable_at_once_and_the_server_recovers_without_a_restart() {
    let database = TestDatabase::new().await;
    if !database.is_postgres() {
        eprintln!("skipped: needs TEST_DATABASE_URL=postgres://… (SQLite cannot become unreachable)");
        return;
    }
    // The schema is made (and migrated) directly; the app reaches it through the relay.
    let relay = {
        let (_, host) = through(&database.url, "127.0.0.1:1".parse().expect("address"));
        Relay::to(host).await
    };
    let mut config = database.config();
    config.database_url = through(&database.url, relay.address).0;
    let app = TestApp::spawn_configured(database, &config, &serve_args(false)).await;
    let editor = Editor::new(&app, "desk", "read,read:drafts,write");
    editor.ok("createCase", &create_case(), new_case("before-the-cut", "[Sample] Before")).await;
    let (status, _, body) = app.exchange(COUNT, json!({}), &[]).await;
    assert_eq!(status, 200, "{body}");

    relay.cut().await;
    let started = Instant::now();
    let (status, headers, body) = app.exchange(COUNT, json!({}), &[]).await;
    assert_eq!((status, error_code(&body)), (503, Some("UNAVAILABLE")), "{body}");
    assert_eq!(headers.get("retry-after").and_then(|value| value.to_str().ok()), Some("2"));
    assert!(started.elapsed() < Duration::from_secs(12), "first refusal took {:?}", started.elapsed());
    // Known unreachable: refused without waiting for a connection.
    let started = Instant::now();
    let bearer = format!("Bearer {}", editor.key);
    let input = json!({ "input": new_case("during-the-cut", "[Sample] During") });
    let (status, _, body) =
        app.exchange(&create_case(), input.clone(), &[("Authorization", bearer.as_str())]).await;
    assert_eq!((status, error_code(&body)), (503, Some("UNAVAILABLE")), "{body}");
    assert!(started.elapsed() < Duration::from_millis(500), "refused after {:?}", started.elapsed());
    assert_eq!(app.get("/readyz", &[]).await.status().as_u16(), 503);

    relay.restore();
    let restored = Instant::now();
    loop {
        let (status, _, body) = app.exchange(COUNT, json!({}), &[]).await;
        if status == 200 {
            assert_eq!(body["data"]["cases"]["totalCount"], 0, "{body}");
            break;
        }
        assert_eq!((status, error_code(&body)), (503, Some("UNAVAILABLE")), "{body}");
        assert!(restored.elapsed() < Duration::from_secs(10), "not recovered after {:?}", restored.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.get("/readyz", &[]).await.status().as_u16(), 200);
    // The refused write did not happen; sent again, it does.
    let slugs = "{ cases(first: 10, filter: { statuses: [DRAFT] }) { nodes { slug } } }";
    let (_, _, body) = app.exchange(slugs, json!({}), &[("Authorization", bearer.as_str())]).await;
    assert_eq!(body["data"]["cases"]["nodes"], json!([{ "slug": "before-the-cut" }]), "{body}");
    let (status, _, body) = app.exchange(&create_case(), input, &[("Authorization", bearer.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["createCase"]["userErrors"], Value::Array(Vec::new()), "{body}");
}

/// `RateLimit-Remaining` of a response.
fn remaining(headers: &reqwest::header::HeaderMap) -> u64 {
    headers
        .get("ratelimit-remaining")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .expect("RateLimit-Remaining")
}

async fn fallbacks(app: &TestApp) -> f64 {
    let text = app.get("/metrics", &[]).await.text().await.expect("metrics");
    text.lines()
        .find_map(|line| line.strip_prefix("rate_limit_budget_fallbacks_total "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn without_redis_budgets_fall_back_to_memory_without_delay_and_are_shared_again_when_it_returns() {
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let relay = Relay::to(through(&redis, "127.0.0.1:1".parse().expect("address")).1).await;
    let mut serve = serve_args(false);
    serve.protection.redis_url = Some(through(&redis, relay.address).0);
    let first = TestApp::spawn_serving(TestDatabase::new().await, &serve).await;
    let second = TestApp::spawn_serving(first.database.share(), &serve).await;
    let key = crate::helpers::casegraph_ok(
        &first.database,
        &["keys", "create", "--name", "partner", "--scopes", "read", "--budget", "1000", "--refill", "0.01"],
    );
    let bearer = format!("Bearer {}", key.trim());
    let headers = [("Authorization", bearer.as_str())];
    let query = "{ collections { slug } }";
    let (_, answer, _) = first.exchange(query, json!({}), &headers).await;
    let (_, shared, _) = second.exchange(query, json!({}), &headers).await;
    assert!(remaining(&shared) < remaining(&answer), "one budget through Redis");
    let before = fallbacks(&first).await;

    relay.cut().await;
    for app in [&first, &second] {
        for request in 0..10 {
            let started = Instant::now();
            let (status, _, body) = app.exchange(query, json!({}), &headers).await;
            assert_eq!(status, 200, "{body}");
            assert!(body.get("errors").is_none(), "{body}");
            // The first request notices (at most the 250 ms Redis timeout); the rest wait for nothing.
            let limit = if request == 0 { Duration::from_millis(900) } else { Duration::from_millis(200) };
            assert!(started.elapsed() < limit, "request {request} took {:?}", started.elapsed());
        }
    }
    assert!(fallbacks(&first).await > before, "the fallback is counted on /metrics");
    // Each replica now holds its own budget in memory: spending on one is not seen by the other.
    let (_, on_first, _) = first.exchange(query, json!({}), &headers).await;
    let (_, on_second, _) = second.exchange(query, json!({}), &headers).await;
    assert!(remaining(&on_second) >= remaining(&on_first), "budgets are per replica now");

    relay.restore();
    let restored = Instant::now();
    loop {
        let (_, on_first, _) = first.exchange(query, json!({}), &headers).await;
        let (_, on_second, _) = second.exchange(query, json!({}), &headers).await;
        if remaining(&on_second) < remaining(&on_first) {
            break; // the second saw the first's spending: shared again
        }
        assert!(
            restored.elapsed() < Duration::from_secs(10),
            "not shared again after {:?}",
            restored.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens a connection and sends a POST /graphql whose body stops after `sent` bytes.
async fn unfinished_request(app: &TestApp, body: &str, sent: usize) -> TcpStream {
    use tokio::io::AsyncWriteExt;
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(&body.as_bytes()[..sent]).await.expect("half a body");
    stream
}

#[tokio::test]
async fn on_shutdown_requests_in_flight_finish_new_ones_are_refused_and_the_drain_limit_ends_the_rest() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut serve = serve_args(false);
    serve.drain_seconds = 2;
    let mut app = TestApp::spawn_serving(TestDatabase::new().await, &serve).await;
    let body = json!({ "query": "{ collections { slug } }" }).to_string();
    let mut finishing = unfinished_request(&app, &body, 10).await;
    let _stuck = unfinished_request(&app, &body, 10).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    app.signal_stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    assert!(TcpStream::connect(&address).await.is_err(), "no new connection after the signal");

    // The request in flight completes.
    finishing.write_all(&body.as_bytes()[10..]).await.expect("rest of the body");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), finishing.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("wic-cbec-2025"), "{answer}");
    // The one that never finishes does not hold the process past the drain limit.
    let started = Instant::now();
    assert!(app.ended_within(Duration::from_secs(6)).await, "still serving after the drain limit");
    assert!(
        started.elapsed() > Duration::from_secs(1),
        "ended before the drain limit: {:?}",
        started.elapsed()
    );
}
