//! End to end with the embedded server: a receiver (the `axum` integration)
//! registers with `webhooks.create`, answers the verify challenge, and
//! receives the created/updated/deleted events of an account, signed; a
//! duplicate delivery is detected and a failed delivery retried. Loopback only.
//! `cargo test -p devrev --features webhooks,axum --test webhooks_e2e`.
#![cfg(feature = "axum")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use devrev::accounts::{AccountsCreateRequest, AccountsDeleteRequest, AccountsUpdateRequest};
use devrev::models::{WebhookEventType, WebhookStatus};
use devrev::webhooks::{
    Event, EventKind, Verifier, WebhookSecret, WebhooksCreateRequest, WebhooksDeleteRequest, WebhooksGetRequest,
};
use devrev_testkit::TestServer;
use tokio::sync::mpsc;

const SECRET: &str = "e2e-secret-0123456789abcdef";

struct Receiver {
    url: String,
    events: mpsc::UnboundedReceiver<Event>,
    /// Requests that reached the receiver, verify included.
    hits: Arc<AtomicUsize>,
}

/// Serves `devrev::webhooks::axum::answer` on loopback, answering 500 to the
/// first delivery of an `account_created` event to force a retry.
async fn receiver() -> Receiver {
    let verifier = Verifier::new(WebhookSecret::new(SECRET)).dedupe(1_000);
    let (tx, events) = mpsc::unbounded_channel();
    let hits = Arc::new(AtomicUsize::new(0));
    let failed_once = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let handler = move |headers: HeaderMap, body: Bytes| async move {
        counter.fetch_add(1, Ordering::SeqCst);
        let is_created = std::str::from_utf8(&body).is_ok_and(|b| b.contains(r#""type":"account_created""#));
        if is_created && failed_once.fetch_add(1, Ordering::SeqCst) == 0 {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        let tx = tx.clone();
        devrev::webhooks::axum::answer(&verifier, &headers, &body, move |event| async move {
            let _ = tx.send(event);
        })
    };
    let app = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, events, hits }
}

async fn next(events: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("an event within 10 s").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_verify_and_receive_an_accounts_lifecycle() {
    let server = TestServer::builder()
        .webhook_retry_delays([Duration::from_millis(20), Duration::from_millis(20)])
        .webhook_duplicates(true)
        .start()
        .await
        .unwrap();
    let client = devrev::Client::builder().token(server.token()).base_url(server.base_url()).build().unwrap();
    let mut rx = receiver().await;

    // Register: unverified until the challenge is echoed, then active.
    let created = WebhooksCreateRequest::new(rx.url.clone())
        .secret(SECRET)
        .event_types([
            WebhookEventType::AccountCreated,
            WebhookEventType::AccountUpdated,
            WebhookEventType::AccountDeleted,
        ])
        .send(&client)
        .await
        .unwrap();
    let webhook_id = created.webhook.id.clone();
    assert_eq!(created.webhook.status, WebhookStatus::Unverified);
    let mut status = created.webhook.status;
    for _ in 0..200 {
        status = WebhooksGetRequest::new(webhook_id.clone()).send(&client).await.unwrap().webhook.status;
        if status == WebhookStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, WebhookStatus::Active, "the verify challenge was answered");

    // An account's lifecycle: created, updated, deleted.
    let account = AccountsCreateRequest::new("Acme").send(&client).await.unwrap().account;
    AccountsUpdateRequest::new(account.id.clone()).display_name("Acme Corp").send(&client).await.unwrap();
    AccountsDeleteRequest::new(account.id.clone()).send(&client).await.unwrap();

    let mut events = vec![next(&mut rx.events).await, next(&mut rx.events).await, next(&mut rx.events).await];
    // Deliveries are concurrent; the timestamps order them.
    events.sort_by_key(|e| e.timestamp);
    for e in &events {
        assert_eq!(e.webhook_id, webhook_id);
    }
    match &events[0].kind {
        EventKind::AccountCreated(created) => assert_eq!(created.account.id, account.id),
        other => panic!("first: {:?}", other.event_type()),
    }
    match &events[1].kind {
        EventKind::AccountUpdated(updated) => {
            assert_eq!(updated.account.display_name.as_deref(), Some("Acme Corp"));
            assert_eq!(updated.old_account.as_ref().and_then(|a| a.display_name.as_deref()), Some("Acme"));
        }
        other => panic!("second: {:?}", other.event_type()),
    }
    match &events[2].kind {
        EventKind::AccountDeleted(deleted) => {
            assert_eq!(deleted.id, account.id);
            assert_eq!(deleted.old_account.as_ref().map(|a| a.id.as_str()), Some(account.id.as_str()));
        }
        other => panic!("third: {:?}", other.event_type()),
    }

    // Each event went out twice (duplicates on) and the receiver handed it on once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.events.try_recv().is_err(), "a duplicate delivery reached the handler");
    let deliveries = server.webhook_deliveries();
    for e in &events {
        let accepted = deliveries.iter().filter(|d| d.event_id == e.id && d.status == Some(200)).count();
        assert_eq!(accepted, 2, "{}: delivered and duplicated, both acknowledged", e.kind.event_type());
    }
    // The failed first delivery of account_created was retried, with the same event ID.
    let created_attempts: Vec<_> = deliveries.iter().filter(|d| d.event_id == events[0].id).collect();
    assert_eq!(created_attempts[0].status, Some(500));
    assert_eq!(created_attempts[0].attempt, 1);
    assert_eq!(created_attempts[1].status, Some(200));
    assert_eq!(created_attempts[1].attempt, 2);

    // After the webhook is deleted, nothing more is delivered.
    WebhooksDeleteRequest::new(webhook_id).send(&client).await.unwrap();
    let hits = rx.hits.load(Ordering::SeqCst);
    AccountsCreateRequest::new("Later").send(&client).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.hits.load(Ordering::SeqCst), hits);
}

#[tokio::test]
async fn a_receiver_that_never_answers_is_tried_on_the_schedule_and_stays_unverified() {
    let server = TestServer::builder()
        .webhook_retry_delays([Duration::ZERO, Duration::from_millis(10), Duration::from_millis(10)])
        .start()
        .await
        .unwrap();
    let client = devrev::Client::builder().token(server.token()).base_url(server.base_url()).build().unwrap();
    // A port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let created = WebhooksCreateRequest::new(url).send(&client).await.unwrap();
    assert!(!created.webhook.secret.is_empty(), "a secret is generated");
    for _ in 0..200 {
        if server.webhook_deliveries().len() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let attempts = server.webhook_deliveries();
    assert_eq!(attempts.iter().map(|d| d.attempt).collect::<Vec<_>>(), [1, 2, 3, 4], "the first try and three retries");
    assert!(attempts.iter().all(|d| d.event_type == "verify" && d.status.is_none()));
    let status = WebhooksGetRequest::new(created.webhook.id).send(&client).await.unwrap().webhook.status;
    assert_eq!(status, WebhookStatus::Unverified);
}
