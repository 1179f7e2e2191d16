//! The axum receiver's two modes and its body limit, against the embedded
//! server's deliveries (loopback only): a 3 MiB event reaches the handler; a
//! body over a set limit is answered 413 and logged; in the at-least-once
//! mode a failed, panicking or late handler gets its event redelivered and
//! handled once; in the acknowledge-first mode a failed handler loses it.
//! `cargo test -p devrev --features works,parts,dev-users,axum --test webhooks webhooks_receiver::`.
#![cfg(all(feature = "works", feature = "parts", feature = "dev-users", feature = "axum"))]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrev::accounts::AccountsCreateRequest;
use devrev::dev_users::DevUsersSelfQueryRequest;
use devrev::models::{Part, PartsCreateRequestProduct, WebhookEventType, WebhookStatus, Work, WorksCreateRequestIssue};
use devrev::parts::PartsCreateRequest;
use devrev::webhooks::axum::{Receiver, DEFAULT_BODY_LIMIT, DEFAULT_DEADLINE};
use devrev::webhooks::{Event, EventKind, Verifier, WebhookSecret, WebhooksCreateRequest, WebhooksGetQueryRequest};
use devrev::works::WorksCreateRequest;
use devrev_testkit::{TestServer, WebhookDelivery};
use tokio::sync::mpsc;
use tracing::field::{Field, Visit};
use tracing::{Event as TracingEvent, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

const SECRET: &str = "receiver-secret-0123456789";

/// Serves `route` at `/hook` on loopback; its URL.
async fn serve(route: axum::routing::MethodRouter) -> String {
    let app = axum::Router::new().route("/hook", route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A server with short retries, and a client for it.
async fn server(redeliver: bool) -> (TestServer, devrev::Client) {
    let server = TestServer::builder()
        .webhook_retry_delays([Duration::from_millis(20), Duration::from_millis(20), Duration::from_millis(20)])
        .webhook_duplicates(redeliver)
        .start()
        .await
        .unwrap();
    let client = devrev::Client::builder().token(server.token()).base_url(server.base_url()).build().unwrap();
    (server, client)
}

/// Registers `url` for `types` and waits until the challenge made it active.
async fn register(client: &devrev::Client, url: String, types: Vec<WebhookEventType>) -> String {
    let created = WebhooksCreateRequest::new(url).secret(SECRET).event_types(types).send(client).await.unwrap();
    let id = created.webhook.id.clone();
    for _ in 0..300 {
        if WebhooksGetQueryRequest::new(id.clone()).send(client).await.unwrap().webhook.status == WebhookStatus::Active
        {
            return id;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the webhook did not become active");
}

/// Creates an issue whose body is `body`; its ID.
/// A product part whose `description` is `description` (the spec bounds a
/// work's `body` at 64 KiB, a part's description not: this is how an event
/// grows past axum's default 2 MB limit).
async fn create_part(client: &devrev::Client, description: String) -> String {
    let me = DevUsersSelfQueryRequest::new().send(client).await.unwrap().dev_user;
    let part = PartsCreateRequest::new("Payments", [me.id], PartsCreateRequestProduct::new())
        .description(description)
        .send(client)
        .await
        .unwrap()
        .part;
    let Part::Product(part) = part else { panic!("a product") };
    part.id
}

async fn create_issue(client: &devrev::Client, body: String) -> String {
    let me = DevUsersSelfQueryRequest::new().send(client).await.unwrap().dev_user;
    let part = PartsCreateRequest::new("Payments", [me.id.clone()], PartsCreateRequestProduct::new())
        .send(client)
        .await
        .unwrap()
        .part;
    let Part::Product(part) = part else { panic!("a product") };
    let work = WorksCreateRequest::new(part.id, [me.id], "Big", WorksCreateRequestIssue::new())
        .body(body)
        .send(client)
        .await
        .unwrap()
        .work;
    let Work::Issue(issue) = work else { panic!("an issue") };
    issue.id
}

async fn next(events: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("an event within 10 s").unwrap()
}

/// The attempts of `event_id` once `n` of them were recorded.
async fn attempts(server: &TestServer, event_id: &str, n: usize) -> Vec<WebhookDelivery> {
    for _ in 0..500 {
        let seen: Vec<_> = server.webhook_deliveries().into_iter().filter(|d| d.event_id == event_id).collect();
        if seen.len() >= n {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("fewer than {n} attempts of {event_id}: {:?}", server.webhook_deliveries());
}

// The defaults, checked when this file compiles: at least the 8 MiB DevRev
// accepts, and an answer before the 3 s after which DevRev retries.
const _: () = assert!(DEFAULT_BODY_LIMIT >= 8 << 20);
const _: () = assert!(DEFAULT_DEADLINE.as_millis() < 3_000);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_3_mib_event_reaches_the_handler_with_the_default_limit() {
    let (server, client) = server(false).await;
    let (tx, mut events) = mpsc::unbounded_channel();
    let verifier = Verifier::new(WebhookSecret::new(SECRET)).dedupe(100);
    let url = serve(Receiver::new(verifier).acknowledge_first(move |event| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(event);
        }
    }))
    .await;
    register(&client, url, vec![WebhookEventType::PartCreated]).await;

    let description = "x".repeat(3 << 20);
    let id = create_part(&client, description.clone()).await;
    let event = next(&mut events).await;
    let EventKind::PartCreated(created) = &event.kind else { panic!("{:?}", event.kind.event_type()) };
    let Part::Product(part) = &created.part else { panic!("a product") };
    assert_eq!(part.id, id);
    assert_eq!(part.description.as_deref(), Some(description.as_str()), "the whole 3 MiB description");
    let sent = attempts(&server, &event.id, 1).await;
    assert_eq!(sent[0].status, Some(200));
    assert!(sent[0].body.len() > 3 << 20);
}

/// Collects the `tracing` events of the current thread as `LEVEL message {fields}`.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<String>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber> Layer<S> for Logs {
    fn on_event(&self, event: &TracingEvent<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(format!("{} {fields:?}", event.metadata().level()));
    }
}

// One thread: the subscriber set for it sees the receiver's tasks.
#[tokio::test]
async fn a_body_over_the_limit_is_answered_413_and_logged_never_handled() {
    let logs = Logs::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(logs.clone()));
    let (server, client) = server(false).await;
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&handled);
    let verifier = Verifier::new(WebhookSecret::new(SECRET));
    let url = serve(Receiver::new(verifier).body_limit(64 << 10).acknowledge_first(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        async {}
    }))
    .await;
    register(&client, url, vec![WebhookEventType::PartCreated]).await;
    create_part(&client, "y".repeat(100 << 10)).await;

    let refused: Vec<_> = loop {
        let seen: Vec<_> = server.webhook_deliveries().into_iter().filter(|d| d.event_type == "part_created").collect();
        if seen.len() == 4 {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(refused.iter().all(|d| d.status == Some(413)), "{refused:?}");
    assert_eq!(handled.load(Ordering::SeqCst), 0);
    let logs = logs.0.lock().unwrap().clone();
    let warned: Vec<_> =
        logs.iter().filter(|l| l.starts_with("WARN") && l.contains("over the receiver's limit")).collect();
    assert_eq!(warned.len(), 4, "every refusal is logged: {logs:?}");
    assert!(warned[0].contains(r#""limit_bytes": "65536""#), "{}", warned[0]);
}

/// How an at-least-once handler behaves on its first call for `work_created`.
#[derive(Clone, Copy)]
enum FirstCall {
    Fails,
    Panics,
    Hangs,
}

/// The at-least-once receiver: the first call for `work_created` goes wrong
/// as told, every later call succeeds. Counts calls and successes.
async fn at_least_once(
    client: &devrev::Client,
    first: FirstCall,
) -> (Arc<AtomicUsize>, mpsc::UnboundedReceiver<Event>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let (tx, handled) = mpsc::unbounded_channel();
    let counter = Arc::clone(&calls);
    let verifier = Verifier::new(WebhookSecret::new(SECRET)).dedupe(100);
    let route = Receiver::new(verifier).deadline(Duration::from_millis(200)).at_least_once(move |event: Event| {
        let (counter, tx) = (Arc::clone(&counter), tx.clone());
        async move {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                match first {
                    FirstCall::Fails => return Err("the escalation service is down"),
                    FirstCall::Panics => panic!("a bug in the handler"),
                    FirstCall::Hangs => tokio::time::sleep(Duration::from_secs(5)).await,
                }
            }
            let _ = tx.send(event);
            Ok(())
        }
    });
    register(client, serve(route).await, vec![WebhookEventType::WorkCreated]).await;
    (calls, handled)
}

async fn redelivered_and_handled_once(first: FirstCall) {
    // Duplicates on: the accepted delivery comes a second time, and is not handled again.
    let (server, client) = server(true).await;
    let (calls, mut handled) = at_least_once(&client, first).await;
    let id = create_issue(&client, "z".into()).await;

    let event = next(&mut handled).await;
    let EventKind::WorkCreated(created) = &event.kind else { panic!() };
    let Work::Issue(issue) = &created.work else { panic!() };
    assert_eq!(issue.id, id);
    let sent = attempts(&server, &event.id, 3).await;
    let summary: Vec<_> = sent.iter().map(|d| (d.redelivery, d.attempt, d.status)).collect();
    assert_eq!(summary, [(0, 1, Some(500)), (0, 2, Some(200)), (1, 1, Some(200))], "failed, retried, duplicated");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(handled.try_recv().is_err(), "the duplicate was handled again");
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the failed call and the retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_least_once_an_error_answers_500_and_the_retry_is_handled_once() {
    redelivered_and_handled_once(FirstCall::Fails).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_least_once_a_panic_answers_500_and_the_retry_is_handled_once() {
    redelivered_and_handled_once(FirstCall::Panics).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_least_once_a_handler_past_the_deadline_answers_500_in_time_and_the_retry_is_handled_once() {
    let (server, client) = server(false).await;
    let (_calls, mut handled) = at_least_once(&client, FirstCall::Hangs).await;
    create_issue(&client, "z".into()).await;
    let event = next(&mut handled).await;
    let sent = attempts(&server, &event.id, 2).await;
    assert_eq!(sent[0].status, Some(500));
    assert!(sent[0].elapsed >= Duration::from_millis(200), "answered at the deadline: {:?}", sent[0].elapsed);
    assert!(sent[0].elapsed < Duration::from_secs(3), "not after DevRev's 3 s: {:?}", sent[0].elapsed);
    assert_eq!(sent[1].status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledge_first_answers_200_before_the_handler_so_a_failure_is_not_retried() {
    let (server, client) = server(false).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let verifier = Verifier::new(WebhookSecret::new(SECRET)).dedupe(100);
    let url = serve(Receiver::new(verifier).acknowledge_first(move |_| {
        let counter = Arc::clone(&counter);
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            panic!("the handler fails after the answer");
        }
    }))
    .await;
    register(&client, url, vec![WebhookEventType::AccountCreated]).await;
    AccountsCreateRequest::new("Acme").send(&client).await.unwrap();
    for _ in 0..300 {
        if calls.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent: Vec<_> = server.webhook_deliveries().into_iter().filter(|d| d.event_type == "account_created").collect();
    let summary: Vec<_> = sent.iter().map(|d| (d.attempt, d.status)).collect();
    assert_eq!(summary, [(1, Some(200))], "acknowledged before the handler ran, never retried");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
