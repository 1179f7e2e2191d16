//! What tests of a webhook receiver rely on: the embedded server holds
//! webhook secrets to DevRev's spec (8 to 32 bytes, one made up when none is
//! sent), delays, reorders and redelivers deliveries on request, and records
//! each attempt with its body, signature, attempt and timing; and
//! `devrev::webhooks::testing::TestEvent` signs a delivery for a handler's
//! unit test. Loopback only.
//! `cargo test -p devrev --features axum --test webhooks webhooks_testing::`.
#![cfg(all(feature = "axum", feature = "accounts"))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrev::accounts::AccountsCreateRequest;
use devrev::models::{WebhookEventType, WebhookStatus};
use devrev::webhooks::axum::{answer_at_least_once, Receiver};
use devrev::webhooks::testing::TestEvent;
use devrev::webhooks::{
    sign, Event, Verifier, WebhookError, WebhookSecret, WebhooksCreateRequest, WebhooksGetQueryRequest,
    WebhooksUpdateRequest,
};
use devrev_testkit::{TestServer, TestServerBuilder, WebhookDelivery};

const SECRET: &str = "testing-secret-0123456789";

async fn start(builder: TestServerBuilder) -> (TestServer, devrev::Client) {
    let server = builder.start().await.unwrap();
    let client = devrev::Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .retry_policy(devrev::RetryPolicy::none())
        .build()
        .unwrap();
    (server, client)
}

/// A receiver that records the IDs of the events it gets, in order of arrival.
async fn receiver() -> (String, Arc<Mutex<Vec<Event>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let route = Receiver::new(Verifier::new(WebhookSecret::new(SECRET))).at_least_once(move |event| {
        let log = Arc::clone(&log);
        async move {
            log.lock().unwrap().push(event);
            Ok::<(), String>(())
        }
    });
    let app = axum::Router::new().route("/hook", route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn register(client: &devrev::Client, url: String) -> String {
    let created = WebhooksCreateRequest::new(url)
        .secret(SECRET)
        .event_types([WebhookEventType::AccountCreated])
        .send(client)
        .await
        .unwrap();
    for _ in 0..300 {
        let hook = WebhooksGetQueryRequest::new(created.webhook.id.clone()).send(client).await.unwrap().webhook;
        if hook.status == WebhookStatus::Active {
            return hook.id;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("not activated");
}

/// The `account_created` attempts, once there are `n`.
async fn account_deliveries(server: &TestServer, n: usize) -> Vec<WebhookDelivery> {
    for _ in 0..500 {
        let seen: Vec<_> =
            server.webhook_deliveries().into_iter().filter(|d| d.event_type == "account_created").collect();
        if seen.len() >= n {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("fewer than {n} deliveries: {:?}", server.webhook_deliveries());
}

#[tokio::test]
async fn webhook_secrets_are_held_to_8_to_32_bytes_and_made_up_when_absent() {
    let (_server, client) = start(TestServer::builder()).await;
    let url = "http://127.0.0.1:9/hook";
    for len in [0, 5, 7, 33, 100] {
        let e = WebhooksCreateRequest::new(url).secret("s".repeat(len)).send(&client).await.unwrap_err();
        assert_eq!(e.status(), Some(400), "{len} bytes");
        assert_eq!(e.error_type(), Some("invalid_field"), "{len} bytes");
        assert!(e.to_string().contains(&format!("{len} bytes")), "{e}");
    }
    for len in [8, 32] {
        let created = WebhooksCreateRequest::new(url).secret("s".repeat(len)).send(&client).await.unwrap();
        assert_eq!(created.webhook.secret.expose_secret(), "s".repeat(len));
    }
    // None sent: one is made up, within the bounds, and answered.
    let made_up = WebhooksCreateRequest::new(url).send(&client).await.unwrap().webhook;
    assert_eq!(made_up.secret.expose_secret().len(), 32);
    assert!(!format!("{made_up:?}").contains(made_up.secret.expose_secret()), "never printed");
    // The answered secret is the verifier's key as it is.
    let verifier = Verifier::new(made_up.secret.clone().into());
    let signed = TestEvent::verify("c").sign(&WebhookSecret::new(made_up.secret.expose_secret()));
    assert_eq!(verifier.verify(&signed.headers(), &signed.body).unwrap().challenge(), Some("c"));

    // Update: the same bounds; an empty secret asks for a new one.
    let e = WebhooksUpdateRequest::new(made_up.id.clone()).secret("short").send(&client).await.unwrap_err();
    assert_eq!(e.error_type(), Some("invalid_field"));
    let renewed = WebhooksUpdateRequest::new(made_up.id.clone()).secret("").send(&client).await.unwrap().webhook;
    assert_eq!(renewed.secret.expose_secret().len(), 32);
    assert_ne!(renewed.secret, made_up.secret);
    let set = WebhooksUpdateRequest::new(made_up.id).secret("eight-by").send(&client).await.unwrap().webhook;
    assert_eq!(set.secret.expose_secret(), "eight-by");
}

#[tokio::test]
async fn each_attempt_is_recorded_with_its_body_signature_and_timing() {
    let (server, client) = start(TestServer::builder()).await;
    let (url, seen) = receiver().await;
    let webhook_id = register(&client, url).await;
    let before = chrono::Utc::now();
    AccountsCreateRequest::new("Acme").send(&client).await.unwrap();
    let sent = account_deliveries(&server, 1).await;
    let d = &sent[0];
    assert_eq!((d.webhook_id.as_str(), d.attempt, d.redelivery, d.status), (webhook_id.as_str(), 1, 0, Some(200)));
    // The body is exactly what the receiver verified, signed with the webhook's secret.
    assert_eq!(d.signature, sign(&WebhookSecret::new(SECRET), d.body.as_bytes()));
    let event = Event::parse(d.body.as_bytes()).unwrap();
    assert_eq!(event.id, d.event_id);
    assert_eq!(seen.lock().unwrap()[0], event);
    assert!(d.sent_at >= before && d.sent_at <= chrono::Utc::now(), "{:?}", d.sent_at);
    assert!(d.elapsed < Duration::from_secs(3));
}

#[tokio::test]
async fn a_delay_holds_each_event_before_its_first_attempt() {
    let (server, client) = start(TestServer::builder().webhook_delay(Duration::from_millis(300))).await;
    let (url, _) = receiver().await;
    register(&client, url).await;
    let before = chrono::Utc::now();
    AccountsCreateRequest::new("Acme").send(&client).await.unwrap();
    let sent = account_deliveries(&server, 1).await;
    let waited = (sent[0].sent_at - before).to_std().unwrap();
    assert!(waited >= Duration::from_millis(300), "sent after {waited:?}");
    assert_eq!(sent[0].status, Some(200));
}

#[tokio::test]
async fn reordered_events_arrive_newest_first_in_each_batch() {
    let (server, client) = start(TestServer::builder().webhook_reorder(3)).await;
    let (url, seen) = receiver().await;
    register(&client, url).await;
    let mut created = Vec::new();
    for name in ["first", "second", "third", "fourth"] {
        created.push(AccountsCreateRequest::new(name).send(&client).await.unwrap().account.id);
    }
    // Three fill a batch; the fourth goes out alone once the server is quiet.
    account_deliveries(&server, 4).await;
    let arrived: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|e| match &e.kind {
            devrev::webhooks::EventKind::AccountCreated(c) => c.account.id.clone(),
            other => panic!("{}", other.event_type()),
        })
        .collect();
    let expected = [&created[2], &created[1], &created[0], &created[3]];
    assert_eq!(arrived.iter().collect::<Vec<_>>(), expected, "newest first within the batch of three");
}

#[tokio::test]
async fn accepted_events_are_redelivered_as_asked_with_the_same_body() {
    let (server, client) = start(TestServer::builder().webhook_redeliver(2, Duration::from_millis(100))).await;
    let (url, seen) = receiver().await;
    register(&client, url).await;
    AccountsCreateRequest::new("Acme").send(&client).await.unwrap();
    let sent = account_deliveries(&server, 3).await;
    let summary: Vec<_> = sent.iter().map(|d| (d.redelivery, d.attempt, d.status)).collect();
    assert_eq!(summary, [(0, 1, Some(200)), (1, 1, Some(200)), (2, 1, Some(200))]);
    assert!(sent.iter().all(|d| d.event_id == sent[0].event_id && d.body == sent[0].body));
    for pair in sent.windows(2) {
        let gap = (pair[1].sent_at - pair[0].sent_at).to_std().unwrap();
        assert!(gap >= Duration::from_millis(100), "redelivered {gap:?} later");
    }
    // This receiver does not de-duplicate: it saw the event three times.
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_signed_test_event_drives_a_handler_unit_test() {
    let secret = WebhookSecret::new(SECRET);
    let verifier = Verifier::new(secret.clone()).dedupe(10);
    let delivery =
        TestEvent::new("account_deleted", serde_json::json!({ "id": "don:identity:dvrv-us-1:devo/1:account/9" }))
            .id("evt-9")
            .webhook_id("wh-1")
            .sign(&secret);
    assert_eq!(delivery.signature, sign(&secret, &delivery.body));
    let headers = delivery.headers();
    assert_eq!(headers["x-devrev-signature"], delivery.signature.as_str());
    let request = delivery.request("/hook").unwrap();
    assert_eq!((request.method().as_str(), request.body()), ("POST", &delivery.body));

    // At least once: a failing handler answers 500 and the redelivery is handled, then acknowledged once.
    let fail = |_: Event| async { Err::<(), _>("down") };
    let answer = answer_at_least_once(&verifier, &headers, &delivery.body, Duration::from_secs(1), fail).await;
    assert_eq!(answer.status(), 500);
    let handled = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&handled);
    let ok = move |event: Event| async move {
        log.lock().unwrap().push(event.id);
        Ok::<(), String>(())
    };
    let answer = answer_at_least_once(&verifier, &headers, &delivery.body, Duration::from_secs(1), ok.clone()).await;
    assert_eq!(answer.status(), 200);
    let answer = answer_at_least_once(&verifier, &headers, &delivery.body, Duration::from_secs(1), ok).await;
    assert_eq!(answer.status(), 200, "a duplicate is acknowledged");
    assert_eq!(*handled.lock().unwrap(), ["evt-9"], "and not handled again");

    // An old timestamp is refused by the verifier's tolerance.
    let stale = TestEvent::new("account_deleted", serde_json::json!({ "id": "x" }))
        .timestamp(chrono::Utc::now() - chrono::TimeDelta::hours(1))
        .sign(&secret);
    assert!(matches!(verifier.verify(&stale.headers(), &stale.body), Err(WebhookError::Stale { .. })));
}
