//! End to end: rate limiting and injected faults (an error answer, a delay,
//! a dropped connection) against the embedded server, as the client's typed
//! errors and retries see them. Nothing sleeps for real: retries go through
//! an injected `Sleeper`.

use crate::common;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrev::accounts::{AccountsCreateRequest, AccountsListQueryRequest};
use devrev::rev_orgs::RevOrgsListQueryRequest;
use devrev::{Client, Error, ErrorKind, RetryPolicy, Sleeper, TimeoutKind};
use devrev_testkit::{Fault, TestServer};
use serde_json::json;

/// Records each wait instead of sleeping, and tells the server the rate
/// window has passed, as it would have after a real wait.
#[derive(Debug, Clone)]
struct FastForward {
    server: Arc<TestServer>,
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl Sleeper for FastForward {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.waits.lock().unwrap().push(duration);
        self.server.reset_rate_limits();
        Box::pin(std::future::ready(()))
    }
}

fn fast_forward(server: &Arc<TestServer>) -> FastForward {
    FastForward { server: Arc::clone(server), waits: Arc::default() }
}

/// A client with up to `attempts` attempts, waits going through `sleeper`.
/// Pacing is off: these tests draw 429s on purpose, to see how they are
/// handled (`tests/client/bulk.rs` covers the pacing that avoids them).
fn client(server: &TestServer, attempts: u32, sleeper: FastForward) -> Client {
    common::testkit_builder(server)
        .retry_policy(RetryPolicy::new().max_attempts(attempts))
        .sleeper(sleeper)
        .pacing(false)
        .build()
        .unwrap()
}

#[tokio::test]
async fn over_the_rate_limit_is_a_typed_429() {
    let server = TestServer::builder().rate_limit(2, Duration::from_secs(60)).start().await.unwrap();
    let client = Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .pacing(false)
        .build()
        .unwrap();

    let first = RevOrgsListQueryRequest::new().send_with_meta(&client).await.unwrap();
    let limit = first.rate_limit();
    assert_eq!((limit.limit, limit.remaining), (Some(2), Some(1)));
    let reset = limit.reset.expect("X-Ratelimit-Reset");
    AccountsListQueryRequest::new().send(&client).await.unwrap();

    let err = RevOrgsListQueryRequest::new().send(&client).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    let Some(ErrorKind::TooManyRequests { retry_after: Some(secs), .. }) = err.kind() else {
        panic!("expected too_many_requests with retry_after, got {err:?}")
    };
    assert!((1..=60).contains(secs), "{secs}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(*secs)));
    let limit = err.rate_limit().unwrap();
    assert_eq!((limit.limit, limit.remaining, limit.reset), (Some(2), Some(0), Some(reset)));
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn a_429_is_retried_after_the_servers_wait() {
    let server = Arc::new(TestServer::builder().rate_limit(1, Duration::from_secs(60)).start().await.unwrap());
    let sleeper = fast_forward(&server);
    let client = client(&server, 2, sleeper.clone());

    RevOrgsListQueryRequest::new().send(&client).await.unwrap();
    // Over the limit: the client waits what the server asked, then succeeds.
    let answer = RevOrgsListQueryRequest::new().send_with_meta(&client).await.unwrap();
    assert_eq!(answer.attempts(), 2);
    let waits = sleeper.waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] >= Duration::from_secs(1) && waits[0] <= Duration::from_secs(60), "{waits:?}");
    assert_eq!(waits[0].subsec_nanos(), 0, "the server's whole seconds: {waits:?}");
    assert_eq!(server.request_count("/rev-orgs.list"), 3);
}

#[tokio::test]
async fn injected_error_answers_are_typed_and_retried_only_when_safe() {
    let server = Arc::new(TestServer::start().await);
    let sleeper = fast_forward(&server);
    let client = client(&server, 3, sleeper.clone());
    let unavailable = json!({"type": "service_unavailable", "message": "maintenance", "detail": "back soon"});

    // A create (POST, not idempotent) is not retried on 503.
    server.inject("/accounts.create", Fault::json(503, unavailable.clone()));
    let err = AccountsCreateRequest::new("Acme").send(&client).await.unwrap_err();
    assert_eq!((err.status(), err.kind()), (Some(503), Some(&ErrorKind::ServiceUnavailable)));
    assert_eq!(err.message(), Some("maintenance"));
    assert_eq!((err.attempts(), server.request_count("/accounts.create")), (1, 1));

    // A list (GET, idempotent) is retried through two 503s and succeeds.
    server.inject("/rev-orgs.list", Fault::json(503, unavailable).times(2));
    let answer = RevOrgsListQueryRequest::new().send_with_meta(&client).await.unwrap();
    assert_eq!(answer.attempts(), 3);
    assert_eq!(sleeper.waits.lock().unwrap().len(), 2);

    // 500 with a reference ID to quote to support.
    let body = json!({"type": "internal_error", "message": "oops", "reference_id": "ref-0042"});
    server.inject("/accounts.create", Fault::json(500, body));
    let err = AccountsCreateRequest::new("Acme").send(&client).await.unwrap_err();
    assert_eq!(
        err.kind().map(|k| format!("{k:?}")).as_deref(),
        Some(r#"InternalError { reference_id: Some("ref-0042") }"#)
    );
    assert_eq!(err.reference_id(), Some("ref-0042"));

    // A proxy's HTML page: typed by status, with an excerpt.
    server.inject("/accounts.create", Fault::raw(502, "text/html", "<html><h1>502 Bad Gateway</h1></html>"));
    let err = AccountsCreateRequest::new("Acme").send(&client).await.unwrap_err();
    assert_eq!((err.status(), err.error_type()), (Some(502), None));
    assert_eq!(err.api().unwrap().excerpt(), Some("<html><h1>502 Bad Gateway</h1></html>"));

    // A 429 injected with a Retry-After header: the header's wait is used.
    let waits_before = sleeper.waits.lock().unwrap().len();
    server.inject(
        "/rev-orgs.list",
        Fault::json(429, json!({"type": "too_many_requests", "retry_after": 7})).header("retry-after", "7"),
    );
    RevOrgsListQueryRequest::new().send(&client).await.unwrap();
    assert_eq!(sleeper.waits.lock().unwrap()[waits_before], Duration::from_secs(7));
}

#[tokio::test]
async fn a_delay_longer_than_the_client_timeout_is_a_timeout() {
    let server = Arc::new(TestServer::start().await);
    let sleeper = fast_forward(&server);
    let base = client(&server, 2, sleeper.clone());
    let client = base.with_timeout(Duration::from_millis(250));

    // Not idempotent: one attempt, a typed timeout.
    server.inject("/accounts.create", Fault::delay(Duration::from_secs(10)));
    let err = AccountsCreateRequest::new("Acme").send(&client).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    match &err {
        Error::Timeout(t) => {
            assert_eq!(t.kind(), TimeoutKind::Attempt);
            assert_eq!(t.limit(), Duration::from_millis(250));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(err.attempts(), 1);

    // Idempotent: the second attempt (no delay queued) succeeds.
    server.inject("/accounts.list", Fault::delay(Duration::from_secs(10)));
    let answer = AccountsListQueryRequest::new().send_with_meta(&client).await.unwrap();
    assert_eq!(answer.attempts(), 2);
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let server = Arc::new(TestServer::start().await);
    let sleeper = fast_forward(&server);
    let client = client(&server, 2, sleeper);

    // A create: the request may have been processed, so it is not re-sent.
    server.inject("/accounts.create", Fault::drop_connection());
    let err = AccountsCreateRequest::new("Acme").send(&client).await.unwrap_err();
    match &err {
        Error::Transport(t) => {
            assert!(t.maybe_sent(), "{err}");
            assert_eq!(t.attempts(), 1);
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(err.status(), None);
    assert_eq!(server.request_count("/accounts.create"), 1);
    // The fault answered nothing and created nothing.
    assert!(AccountsListQueryRequest::new().send(&client).await.unwrap().accounts.is_empty());

    // A list is retried on a fresh connection and succeeds.
    server.inject("/rev-orgs.list", Fault::drop_connection());
    let answer = RevOrgsListQueryRequest::new().send_with_meta(&client).await.unwrap();
    assert_eq!(answer.attempts(), 2);
    assert_eq!(server.request_count("/rev-orgs.list"), 2);
}
