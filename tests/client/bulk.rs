//! Bulk work against the embedded server: pacing keeps a bulk create within
//! the rate limit, `send_all` bounds what is in flight, and with
//! reconciliation a bulk create whose calls fail after (or before) they were
//! applied leaves every row exactly once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use devrev::accounts::{AccountsCreateRequest, AccountsListQueryRequest};
use devrev::bulk::{BulkResult, Lookup, Outcome};
use devrev::reconcile::{AccountsByExternalRef, RevOrgsByExternalRef};
use devrev::rev_orgs::{RevOrgsCreateRequest, RevOrgsCreateResponse, RevOrgsListQueryRequest};
use devrev::{Client, Error, RetryPolicy, TimeoutKind};
use devrev_testkit::{Fault, TestServer};
use serde_json::json;

fn builder(server: &TestServer) -> devrev::ClientBuilder {
    Client::builder().token(server.token()).base_url(server.base_url())
}

async fn account(client: &Client) -> String {
    AccountsCreateRequest::new("Bulk").send(client).await.unwrap().account.display_id.unwrap()
}

fn creates(acc: &str, n: usize, prefix: &str) -> Vec<RevOrgsCreateRequest> {
    (0..n).map(|i| RevOrgsCreateRequest::new(acc, format!("org {i}")).external_ref(format!("{prefix}-{i}"))).collect()
}

async fn collect<T, S: futures_util::Stream<Item = Outcome<T>> + Unpin>(mut outcomes: S) -> Vec<Outcome<T>> {
    let mut all = Vec::new();
    while let Some(outcome) = futures_util::StreamExt::next(&mut outcomes).await {
        all.push(outcome);
    }
    all
}

#[tokio::test]
async fn with_pacing_a_bulk_create_draws_no_429() {
    let server = TestServer::builder().rate_limit(50, Duration::from_secs(1)).start().await.unwrap();
    // No retries: a 429 would be a failed outcome.
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let acc = account(&client).await; // the first answer tells the budget
    assert_eq!(client.rate_limit_budget().limit, Some(50));

    let started = Instant::now();
    let outcomes = collect(client.send_all(creates(&acc, 500, "paced")).concurrency(16)).await;
    let elapsed = started.elapsed();
    assert_eq!(outcomes.len(), 500);
    let failed: Vec<String> = outcomes.iter().filter_map(|o| o.result.error()).map(ToString::to_string).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(server.rate_limited_count(), 0, "pacing drew a 429");
    // 501 requests at 50 per second take at least nine window changes.
    assert!(elapsed >= Duration::from_secs(9), "{elapsed:?}");
    for i in 0..500 {
        assert_eq!(server.creates_with_external_ref(&format!("paced-{i}")), 1);
    }
}

#[tokio::test]
async fn without_pacing_429s_are_drawn_and_retried() {
    let server = TestServer::builder().rate_limit(50, Duration::from_secs(1)).start().await.unwrap();
    let client = builder(&server)
        .pacing(false)
        .retry_policy(RetryPolicy::new().max_attempts(30).base_delay(Duration::from_millis(50)))
        .build()
        .unwrap();
    let acc = account(&client).await;
    let outcomes = collect(client.send_all(creates(&acc, 200, "unpaced")).concurrency(16)).await;
    assert!(outcomes.iter().all(|o| matches!(o.result, BulkResult::Sent(_))), "every create succeeds through retries");
    assert!(server.rate_limited_count() > 0, "without pacing the limit is found by 429s");
    assert_eq!(client.rate_limit_budget().limit, None, "pacing off keeps no budget");
}

#[tokio::test]
async fn a_paced_wait_past_the_deadline_returns_at_once_for_every_clone() {
    let server = TestServer::builder().rate_limit(2, Duration::from_secs(60)).start().await.unwrap();
    let client = builder(&server).deadline(Duration::from_secs(2)).build().unwrap();
    AccountsListQueryRequest::new().send(&client).await.unwrap();
    AccountsListQueryRequest::new().send(&client).await.unwrap();
    // The budget is spent; the window ends up to a minute away, past the deadline.
    for c in [client.clone(), client.with_timeout(Duration::from_secs(1))] {
        let started = Instant::now();
        let err = AccountsListQueryRequest::new().send(&c).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
        match &err {
            Error::Timeout(t) => assert_eq!(t.kind(), TimeoutKind::RateLimitWindow),
            other => panic!("expected a pacing timeout, got {other:?}"),
        }
        assert_eq!(err.attempts(), 0);
    }
    assert_eq!(server.rate_limited_count(), 0, "nothing was sent to draw a 429");
    assert_eq!(server.request_count("/accounts.list"), 2);
}

/// Queues one fault of each kind, three times each, on `rev-orgs.create`:
/// a 500 after the create was applied, a connection dropped after it was
/// applied, and a 503 before anything was applied.
fn inject_faults(server: &TestServer) {
    let internal = json!({"type": "internal_error", "message": "lost the answer"});
    let unavailable = json!({"type": "service_unavailable", "message": "try later"});
    for _ in 0..3 {
        server.inject("/rev-orgs.create", Fault::json(500, internal.clone()).after_applying());
        server.inject("/rev-orgs.create", Fault::drop_connection().after_applying());
        server.inject("/rev-orgs.create", Fault::json(503, unavailable.clone()));
    }
}

#[tokio::test]
async fn with_reconciliation_every_row_exists_exactly_once() {
    let server = TestServer::start().await;
    let client = builder(&server).build().unwrap();
    let acc = account(&client).await;
    inject_faults(&server);

    let send = client.send_all(creates(&acc, 30, "rec")).concurrency(4).reconcile(RevOrgsByExternalRef);
    let progress = send.progress();
    let outcomes = collect(send).await;

    let present = outcomes.iter().filter(|o| matches!(o.result, BulkResult::AlreadyPresent(_))).count();
    let sent = outcomes.iter().filter(|o| matches!(o.result, BulkResult::Sent(_))).count();
    assert_eq!((present, sent), (6, 24), "{outcomes:#?}");
    for o in &outcomes {
        let org = &o.result.value().unwrap().rev_org;
        assert_eq!(org.external_ref.as_deref(), Some(format!("rec-{}", o.index).as_str()));
    }
    for i in 0..30 {
        assert_eq!(server.creates_with_external_ref(&format!("rec-{i}")), 1, "rec-{i}");
    }
    // Three 503 rows were looked up, found absent and resent: 30 + 3 creates.
    assert_eq!(server.request_count("/rev-orgs.create"), 33);
    assert_eq!(server.request_count("/rev-orgs.list"), 9);
    let p = progress.borrow().clone();
    assert_eq!((p.total, p.done, p.failed, p.unknown, p.in_flight), (Some(30), 30, 0, 0, 0));
    // Nine faults, each met by a row's first attempt or by a resend (which
    // shares the queue): six to nine rows needed reconciling.
    assert!((6..=9).contains(&p.reconciled), "{p:?}");
    assert!(p.rate > 0.0);
    assert_eq!(p.eta, Some(Duration::ZERO));
}

#[tokio::test]
async fn without_reconciliation_unknown_rows_are_reported_and_never_resent() {
    let server = TestServer::start().await;
    let client = builder(&server).build().unwrap();
    let acc = account(&client).await;
    inject_faults(&server);

    let outcomes = collect(client.send_all(creates(&acc, 30, "norec")).concurrency(4).in_order()).await;
    assert_eq!(outcomes.iter().map(|o| o.index).collect::<Vec<_>>(), (0..30).collect::<Vec<_>>(), "in input order");
    let unknown: Vec<&Outcome<_>> = outcomes.iter().filter(|o| matches!(o.result, BulkResult::Unknown(_))).collect();
    assert_eq!(unknown.len(), 9);
    let statuses: Vec<Option<u16>> = unknown.iter().map(|o| o.result.error().unwrap().status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == Some(500)).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == Some(503)).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| s.is_none()).count(), 3, "dropped connections: {statuses:?}");
    assert_eq!(outcomes.iter().filter(|o| matches!(o.result, BulkResult::Sent(_))).count(), 21);
    // Nothing was resent: one request per row, and the applied ones exist once.
    assert_eq!(server.request_count("/rev-orgs.create"), 30);
    let applied: usize = (0..30).map(|i| server.creates_with_external_ref(&format!("norec-{i}"))).sum();
    assert_eq!(applied, 27, "21 sent and 6 applied before their answer was lost");
}

#[tokio::test]
async fn a_user_supplied_lookup_and_a_request_without_a_key() {
    let server = TestServer::start().await;
    let client = builder(&server).build().unwrap();
    let acc = account(&client).await;
    server.inject("/rev-orgs.create", Fault::json(500, json!({"type": "internal_error"})).after_applying().times(2));
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&lookups);
    // Rows keyed by display name, found with a lookup of the user's own;
    // the built-in lookup would find nothing to key on.
    let requests =
        vec![RevOrgsCreateRequest::new(acc.clone(), "keyed by name"), RevOrgsCreateRequest::new(acc.clone(), "second")];
    let outcomes = collect(client.send_all(requests).concurrency(1).reconcile_with(
        move |client, request: RevOrgsCreateRequest| {
            let counted = Arc::clone(&counted);
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                let page =
                    RevOrgsListQueryRequest::new().display_name([request.display_name.clone()]).send(&client).await?;
                Ok(match page.rev_orgs.into_iter().next() {
                    Some(rev_org) => Lookup::Found(RevOrgsCreateResponse::from(rev_org)),
                    None => Lookup::Absent,
                })
            }
        },
    ))
    .await;
    assert!(outcomes.iter().all(|o| matches!(o.result, BulkResult::AlreadyPresent(_))), "{outcomes:#?}");
    assert_eq!(lookups.load(Ordering::SeqCst), 2);

    // The built-in lookup, on a request with no external_ref: unknown.
    server.inject("/rev-orgs.create", Fault::json(500, json!({"type": "internal_error"})).after_applying());
    let outcomes =
        collect(client.send_all([RevOrgsCreateRequest::new(acc, "no key")]).reconcile(RevOrgsByExternalRef)).await;
    assert!(matches!(outcomes[0].result, BulkResult::Unknown(_)), "{outcomes:#?}");
}

#[tokio::test]
async fn accounts_reconcile_by_external_ref() {
    let server = TestServer::start().await;
    let client = builder(&server).build().unwrap();
    server.inject("/accounts.create", Fault::drop_connection().after_applying());
    let requests = (0..3).map(|i| AccountsCreateRequest::new(format!("Acme {i}")).external_refs([format!("crm-{i}")]));
    let outcomes = collect(client.send_all(requests).concurrency(1).reconcile(AccountsByExternalRef)).await;
    assert!(matches!(outcomes[0].result, BulkResult::AlreadyPresent(_)), "{outcomes:#?}");
    let found = outcomes[0].result.value().unwrap();
    assert_eq!(found.account.display_name.as_deref(), Some("Acme 0"));
    assert_eq!(found.default_rev_org.display_name.as_deref(), Some("Acme 0"));
    for i in 0..3 {
        assert_eq!(server.creates_with_external_ref(&format!("crm-{i}")), 1);
    }
}

#[tokio::test]
async fn in_flight_and_buffered_requests_never_exceed_the_concurrency() {
    let server = TestServer::start().await;
    let client = builder(&server).build().unwrap();
    for in_order in [false, true] {
        // A lazy input of 100,000 requests, counting what was taken from it.
        let pulled = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&pulled);
        let input = (0..100_000).map(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            AccountsListQueryRequest::new().limit(1)
        });
        let mut send = client.send_all(input).concurrency(16);
        if in_order {
            send = send.in_order();
        }
        let progress = send.progress();
        let mut yielded = 0;
        let mut most = 0;
        while let Some(outcome) = send.next().await {
            assert!(matches!(outcome.result, BulkResult::Sent(_)));
            yielded += 1;
            let ahead = pulled.load(Ordering::SeqCst) - yielded;
            most = most.max(ahead);
            assert!(ahead <= 16, "{ahead} requests taken from the input and not yielded");
            assert!(progress.borrow().in_flight <= 16);
            if yielded == 1_500 {
                break;
            }
        }
        assert_eq!(progress.borrow().total, Some(100_000));
        assert!(most >= 15, "the concurrency was used: {most}");
        drop(send);
        assert!(pulled.load(Ordering::SeqCst) <= 1_500 + 16, "the rest of the input was never read");
    }
}

/// Collects the message of every tracing event.
#[derive(Clone, Default)]
struct Messages(Arc<std::sync::Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Messages {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Visit(String);
        impl tracing::field::Visit for Visit {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut visit = Visit(String::new());
        event.record(&mut visit);
        self.0.lock().unwrap().push(visit.0);
    }
}

#[tokio::test]
async fn pacing_waits_and_reconciliation_are_traced() {
    use tracing_subscriber::layer::SubscriberExt;
    let messages = Messages::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(messages.clone()));

    let server = TestServer::builder().rate_limit(4, Duration::from_secs(1)).start().await.unwrap();
    let client = builder(&server).build().unwrap();
    let acc = account(&client).await;
    server.inject("/rev-orgs.create", Fault::json(500, json!({"type": "internal_error"})).after_applying());
    let outcomes =
        collect(client.send_all(creates(&acc, 6, "traced")).concurrency(1).reconcile(RevOrgsByExternalRef)).await;
    assert!(outcomes.iter().all(|o| o.result.value().is_some()), "{outcomes:#?}");
    assert_eq!(server.rate_limited_count(), 0);

    let messages = messages.0.lock().unwrap().clone();
    assert!(messages.iter().any(|m| m == "pacing: waiting for the rate-limit window to reset"), "{messages:#?}");
    assert!(messages.iter().any(|m| m == "reconcile: the object exists; not resending"), "{messages:#?}");
}
