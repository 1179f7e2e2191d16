//! End to end with the embedded server: a receiver (the `axum` integration)
//! registers with `webhooks.create`, answers the verify challenge, and
//! receives the created/updated/deleted events of a work item, signed; a
//! duplicate delivery is detected and a failed delivery retried. Loopback only.
//! `cargo test -p devrev --features works,parts,dev-users,axum --test webhooks webhooks_receiver::`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use devrev::dev_users::DevUsersSelfQueryRequest;
use devrev::models::{
    Part, PartSummary, PartsCreateRequestProduct, UserSummary, WebhookEventType, WebhookStatus, Work,
    WorksCreateRequestIssue, WorksUpdateRequestIssue,
};
use devrev::parts::PartsCreateRequest;
use devrev::webhooks::{
    Event, EventKind, Verifier, WebhookSecret, WebhooksCreateRequest, WebhooksDeleteRequest, WebhooksGetQueryRequest,
};
use devrev::works::{WorksCreateRequest, WorksDeleteRequest, WorksUpdateRequest};
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
/// first delivery of a `work_created` event to force a retry.
async fn receiver() -> Receiver {
    let verifier = Verifier::new(WebhookSecret::new(SECRET)).dedupe(1_000);
    let (tx, events) = mpsc::unbounded_channel();
    let hits = Arc::new(AtomicUsize::new(0));
    let failed_once = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let handler = move |headers: HeaderMap, body: Bytes| async move {
        counter.fetch_add(1, Ordering::SeqCst);
        let is_created = std::str::from_utf8(&body).is_ok_and(|b| b.contains(r#""type":"work_created""#));
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
async fn register_verify_and_receive_a_work_items_lifecycle() {
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
        .event_types([WebhookEventType::WorkCreated, WebhookEventType::WorkUpdated, WebhookEventType::WorkDeleted])
        .send(&client)
        .await
        .unwrap();
    let webhook_id = created.webhook.id.clone();
    assert_eq!(created.webhook.status, WebhookStatus::Unverified);
    let mut status = created.webhook.status;
    for _ in 0..200 {
        status = WebhooksGetQueryRequest::new(webhook_id.clone()).send(&client).await.unwrap().webhook.status;
        if status == WebhookStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, WebhookStatus::Active, "the verify challenge was answered");

    // A work item's lifecycle: an issue in a part, created, renamed, deleted.
    let me = DevUsersSelfQueryRequest::new().send(&client).await.unwrap().dev_user;
    let part = PartsCreateRequest::new("Payments", [me.id.clone()], PartsCreateRequestProduct::new())
        .send(&client)
        .await
        .unwrap()
        .part;
    let Part::Product(part) = part else { panic!("a product was asked for: {part:?}") };
    let work =
        WorksCreateRequest::new(part.id.clone(), [me.id.clone()], "Checkout fails", WorksCreateRequestIssue::new())
            .body("The pay button spins forever.")
            .send(&client)
            .await
            .unwrap()
            .work;
    let Work::Issue(issue) = work else { panic!("an issue was asked for: {work:?}") };
    let renamed = WorksUpdateRequest::new(issue.id.clone(), WorksUpdateRequestIssue::new())
        .title("Checkout fails on Safari")
        .send(&client)
        .await
        .unwrap()
        .work;
    WorksDeleteRequest::new(issue.id.clone()).send(&client).await.unwrap();

    let mut events = vec![next(&mut rx.events).await, next(&mut rx.events).await, next(&mut rx.events).await];
    // Deliveries are concurrent; the timestamps order them.
    events.sort_by_key(|e| e.timestamp);
    for e in &events {
        assert_eq!(e.webhook_id, webhook_id);
    }
    let dev_user_id = |user: &Option<UserSummary>| match user {
        Some(UserSummary::DevUser(u)) => Some(u.id.clone()),
        _ => None,
    };
    match &events[0].kind {
        // The work item as works.create answered it.
        EventKind::WorkCreated(created) => match &created.work {
            Work::Issue(created) => {
                assert_eq!(*created, issue);
                assert_eq!(created.title, "Checkout fails");
                assert_eq!(created.body.as_deref(), Some("The pay button spins forever."));
                match &created.applies_to_part {
                    Some(PartSummary::Product(p)) => assert_eq!(p.id, part.id),
                    other => panic!("the issue is in the part it was created in: {other:?}"),
                }
                assert_eq!(dev_user_id(&created.created_by), Some(me.id.clone()), "created by the token's user");
            }
            other => panic!("work_created holds another kind of work: {other:?}"),
        },
        other => panic!("first: {:?}", other.event_type()),
    }
    match &events[1].kind {
        // The work item after the update (as works.update answered it) and before it.
        EventKind::WorkUpdated(updated) => {
            assert_eq!(updated.work, renamed);
            let (Work::Issue(after), Some(Work::Issue(before))) = (&updated.work, &updated.old_work) else {
                panic!("work_updated holds an issue and the issue before: {updated:?}")
            };
            assert_eq!((after.id.as_str(), after.title.as_str()), (issue.id.as_str(), "Checkout fails on Safari"));
            assert_eq!(before, &issue, "old_work is the issue as it was");
            assert_eq!(after.body, issue.body, "fields not sent are kept");
        }
        other => panic!("second: {:?}", other.event_type()),
    }
    match &events[2].kind {
        EventKind::WorkDeleted(deleted) => {
            assert_eq!(deleted.id, issue.id);
            match &deleted.old_work {
                Some(Work::Issue(old)) => assert_eq!(old.title, "Checkout fails on Safari"),
                other => panic!("work_deleted's old_work is the deleted issue: {other:?}"),
            }
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
    // The failed first delivery of work_created was retried, with the same event ID.
    let created_attempts: Vec<_> = deliveries.iter().filter(|d| d.event_id == events[0].id).collect();
    assert_eq!(created_attempts[0].status, Some(500));
    assert_eq!(created_attempts[0].attempt, 1);
    assert_eq!(created_attempts[1].status, Some(200));
    assert_eq!(created_attempts[1].attempt, 2);

    // After the webhook is deleted, nothing more is delivered.
    WebhooksDeleteRequest::new(webhook_id).send(&client).await.unwrap();
    let hits = rx.hits.load(Ordering::SeqCst);
    WorksCreateRequest::new(part.id.clone(), [me.id.clone()], "Later", WorksCreateRequestIssue::new())
        .send(&client)
        .await
        .unwrap();
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
    assert!(!created.webhook.secret.expose_secret().is_empty(), "a secret is generated");
    for _ in 0..200 {
        if server.webhook_deliveries().len() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let attempts = server.webhook_deliveries();
    assert_eq!(attempts.iter().map(|d| d.attempt).collect::<Vec<_>>(), [1, 2, 3, 4], "the first try and three retries");
    assert!(attempts.iter().all(|d| d.event_type == "verify" && d.status.is_none()));
    let status = WebhooksGetQueryRequest::new(created.webhook.id).send(&client).await.unwrap().webhook.status;
    assert_eq!(status, WebhookStatus::Unverified);
}
