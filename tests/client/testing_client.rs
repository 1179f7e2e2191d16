//! The client side of testing, against the embedded server: the
//! `RecordingSleeper`, `Error::is_retryable` / `is_permanent` agreeing with
//! what the client actually retries, `Client::send_reconciled`'s exact
//! sequence of requests when a create's connection drops,
//! `send_all(..).reconcile_with` with a lookup that finds a model (written
//! as a user's crate writes it), number setters taking literals, and typed
//! fixtures (`TestServer::insert_request`) held to the rules of a create.

use std::time::Duration;

use devrev::accounts::{AccountsCreateRequest, AccountsCreateResponse, AccountsListQueryRequest};
use devrev::bulk::{BulkResult, Lookup, Outcome, Reconciled};
use devrev::models::Account;
use devrev::reconcile::RevOrgsByExternalRef;
use devrev::rev_orgs::{RevOrgsCreateRequest, RevOrgsGetQueryRequest, RevOrgsListQueryRequest};
use devrev::testing::RecordingSleeper;
use devrev::{Client, Error, RetryPolicy};
use devrev_testkit::{Fault, RecordedRequest, TestServer};
use serde_json::json;

fn client(server: &TestServer, sleeper: &RecordingSleeper, attempts: u32) -> Client {
    Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::new().max_attempts(attempts))
        .sleeper(sleeper.clone())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

/// (method, operation, status) of each request, for comparing sequences.
fn steps(requests: &[RecordedRequest]) -> Vec<(String, Option<String>, Option<u16>)> {
    requests.iter().map(|r| (r.method.clone(), r.operation.clone(), r.status)).collect()
}

#[tokio::test]
async fn the_recording_sleeper_gets_every_wait_and_sleeps_none() {
    let server = TestServer::start().await;
    let sleeper = RecordingSleeper::new();
    let client = client(&server, &sleeper, 3);
    server.inject("/rev-orgs.list", Fault::json(429, json!({"type": "too_many_requests"})).header("retry-after", "7"));
    server.inject("/rev-orgs.list", Fault::status(503));
    let started = std::time::Instant::now();
    RevOrgsListQueryRequest::new().send(&client).await.unwrap();
    // The 429's Retry-After as asked, then a backoff within the second retry's ceiling (2 s).
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert_eq!(waits[0], Duration::from_secs(7));
    assert!(waits[1] <= Duration::from_secs(2), "{waits:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "nothing slept 7 s");
    assert_eq!(
        steps(&server.take_requests()).iter().map(|s| s.2).collect::<Vec<_>>(),
        [Some(429), Some(503), Some(200)]
    );
    assert_eq!(sleeper.take_waits().len(), 2);
    assert_eq!(sleeper.total(), Duration::ZERO);
}

/// What the client did with one failure, seen from both ends.
struct Observed {
    error: Error,
    /// Requests the server received for the call.
    sent: usize,
}

async fn fail_get(server: &TestServer, client: &Client, fault: Fault) -> Observed {
    server.take_requests();
    server.inject("/rev-orgs.get", fault.times(2));
    let error = RevOrgsGetQueryRequest::new().id("REV-1").send(client).await.unwrap_err();
    server.clear_faults();
    Observed { error, sent: server.take_requests().len() }
}

async fn fail_create(server: &TestServer, client: &Client, fault: Fault) -> Observed {
    server.take_requests();
    server.inject("/rev-orgs.create", fault.times(2));
    let error = RevOrgsCreateRequest::new("ACC-1", "Acme").send(client).await.unwrap_err();
    server.clear_faults();
    Observed { error, sent: server.take_requests().len() }
}

#[tokio::test]
async fn is_retryable_is_what_the_client_retries() {
    let server = TestServer::start().await;
    let sleeper = RecordingSleeper::new();
    let client = client(&server, &sleeper, 2);
    let mut faults: Vec<(String, Fault, bool)> = [400, 401, 403, 404, 408, 409, 422, 429, 500, 501, 502, 503, 504]
        .into_iter()
        .map(|s| (s.to_string(), Fault::json(s, json!({"type": "x"})), [408, 429, 500, 502, 503, 504].contains(&s)))
        .collect();
    faults.push(("dropped".into(), Fault::drop_connection(), true));
    faults.push(("timeout".into(), Fault::delay(Duration::from_secs(2)), true));
    faults.push(("redirect".into(), Fault::status(301).header("location", "/elsewhere"), false));

    for (name, fault, transient) in faults {
        // An idempotent read: every retryable failure is retried.
        let get = fail_get(&server, &client, fault.clone()).await;
        assert_eq!(get.error.is_retryable(), transient, "{name}: {:?}", get.error);
        assert_eq!(get.error.is_permanent(), !transient, "{name}: {:?}", get.error);
        let retried = get.error.attempts() == 2;
        assert_eq!(retried, get.error.is_retryable(), "{name}: the client's retries and is_retryable disagree");
        assert_eq!(get.sent, get.error.attempts() as usize, "{name}");

        // A create: retried only while it cannot have been applied.
        let create = fail_create(&server, &client, fault).await;
        assert_eq!(create.error.is_retryable(), transient, "{name}");
        let retried = create.error.attempts() == 2;
        assert_eq!(
            retried,
            create.error.is_retryable() && !create.error.may_have_been_applied(),
            "{name}: the client's retries of a create and is_retryable/may_have_been_applied disagree"
        );
        assert_eq!(create.sent, create.error.attempts() as usize, "{name}");
    }
}

#[tokio::test]
async fn errors_that_never_reach_the_retry_rule() {
    let server = TestServer::start().await;
    let sleeper = RecordingSleeper::new();
    // Connection refused: nothing was sent, so it is retried and retryable.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let refused = Client::builder()
        .token("t")
        .base_url(format!("http://{closed}"))
        .retry_policy(RetryPolicy::new().max_attempts(2))
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    let err = RevOrgsCreateRequest::new("ACC-1", "Acme").send(&refused).await.unwrap_err();
    assert!((err.is_retryable(), err.is_permanent(), err.may_have_been_applied()) == (true, false, false), "{err:?}");
    assert_eq!(err.attempts(), 2, "a refused connection is retried, create or not");

    // A configuration error is permanent.
    let err = Client::builder().token("").build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.is_permanent() && !err.is_retryable(), "{err:?}");

    // An answer that arrived but does not decode is neither: not retried, not the request's fault.
    let client = client(&server, &sleeper, 2);
    server.inject("/rev-orgs.get", Fault::json(200, json!({"not": "a rev org"})));
    let err = RevOrgsGetQueryRequest::new().id("REV-1").send(&client).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!((err.is_retryable(), err.is_permanent(), err.attempts()), (false, false, 1));
}

async fn account(client: &Client) -> String {
    AccountsCreateRequest::new("Acme").send(client).await.unwrap().account.id
}

#[tokio::test]
async fn send_reconciled_looks_up_instead_of_resending_an_applied_create() {
    let server = TestServer::start().await;
    let sleeper = RecordingSleeper::new();
    let client = client(&server, &sleeper, 3);
    let account = account(&client).await;
    let request = RevOrgsCreateRequest::new(account.clone(), "Acme EU").external_ref("crm-42");
    server.inject("/rev-orgs.create", Fault::drop_connection().after_applying());
    server.take_requests();

    let created = client.send_reconciled(&request, RevOrgsByExternalRef).await.unwrap();
    assert!(created.was_already_present(), "{created:?}");
    assert_eq!(created.value().rev_org.external_ref.as_deref(), Some("crm-42"));

    // On the wire: the create (applied, no answer), the lookup, nothing more.
    let requests = server.take_requests();
    assert_eq!(
        steps(&requests),
        [
            ("POST".into(), Some("rev-orgs.create".into()), None),
            ("GET".into(), Some("rev-orgs.list".into()), Some(200)),
        ]
    );
    assert_eq!(
        requests[0].body,
        Some(json!({"account": account, "display_name": "Acme EU", "external_ref": "crm-42"}))
    );
    assert_eq!(requests[1].query_param("external_ref").as_deref(), Some("crm-42"));
    assert_eq!(server.creates_with_external_ref("crm-42"), 1);
}

#[tokio::test]
async fn send_reconciled_resends_a_create_that_was_not_applied() {
    let server = TestServer::start().await;
    let sleeper = RecordingSleeper::new();
    let client = client(&server, &sleeper, 3);
    let account = account(&client).await;
    let request = RevOrgsCreateRequest::new(account, "Acme US").external_ref("crm-43");
    server.inject("/rev-orgs.create", Fault::drop_connection());
    server.take_requests();

    let created = client.send_reconciled(&request, RevOrgsByExternalRef).await.unwrap();
    assert!(matches!(created, Reconciled::Sent(_)), "{created:?}");
    assert_eq!(
        steps(&server.take_requests()),
        [
            ("POST".into(), Some("rev-orgs.create".into()), None),
            ("GET".into(), Some("rev-orgs.list".into()), Some(200)),
            ("POST".into(), Some("rev-orgs.create".into()), Some(201)),
        ]
    );
    assert_eq!(server.creates_with_external_ref("crm-43"), 1);

    // A permanent failure is returned as is: no lookup.
    server.inject("/rev-orgs.create", Fault::json(400, json!({"type": "bad_request", "message": "no"})));
    let err = client.send_reconciled(&request, RevOrgsByExternalRef).await.unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert_eq!(steps(&server.take_requests()).len(), 1);

    // A closure lookup that cannot settle it (no key): the call's error, which may have been applied.
    server.inject("/rev-orgs.create", Fault::status(503).after_applying());
    let err = client
        .send_reconciled_with(&request, |_client, _request: RevOrgsCreateRequest| async { Ok(Lookup::<()>::NoKey) })
        .await
        .unwrap_err();
    assert!(err.may_have_been_applied() && err.status() == Some(503), "{err:?}");
    assert_eq!(steps(&server.take_requests()).len(), 1, "a create's 503 is not retried, nor resent without a lookup");
}

/// A bulk create whose lookup finds the `Account` an `accounts.list`
/// answers: a user's crate cannot build an `AccountsCreateResponse` (it is
/// `#[non_exhaustive]`), so the lookup's type is its own.
#[tokio::test]
async fn send_all_reconcile_with_a_lookup_that_finds_a_model() {
    let server = TestServer::start().await;
    let sleeper = RecordingSleeper::new();
    let client = client(&server, &sleeper, 3);
    // The second create is applied, then its connection drops: its outcome is unknown.
    server.inject_operation("accounts.create", Fault::drop_connection().after_applying().nth(2));
    let requests = ["Acme", "Globex", "Initech"]
        .map(|name| AccountsCreateRequest::new(name).external_refs([format!("crm-{name}")]));

    let mut sent = client.send_all(requests).concurrency(1).in_order().reconcile_with(
        |client, request: AccountsCreateRequest| async move {
            let Some(key) = request.external_refs.unwrap_or_default().into_iter().next() else {
                return Ok(Lookup::NoKey);
            };
            let found = AccountsListQueryRequest::new().external_refs([key]).send(&client).await?.accounts;
            Ok(found.into_iter().next().map_or(Lookup::Absent, Lookup::Found))
        },
    );
    let mut outcomes: Vec<Outcome<AccountsCreateResponse, Account>> = Vec::new();
    while let Some(outcome) = sent.next().await {
        outcomes.push(outcome);
    }

    let names: Vec<(usize, &str, Option<&str>)> = outcomes
        .iter()
        .map(|o| match &o.result {
            BulkResult::Sent(created) => (o.index, "sent", created.account.display_name.as_deref()),
            BulkResult::AlreadyPresent(account) => (o.index, "found", account.display_name.as_deref()),
            other => panic!("#{}: {other:?}", o.index),
        })
        .collect();
    assert_eq!(names, [(0, "sent", Some("Acme")), (1, "found", Some("Globex")), (2, "sent", Some("Initech"))]);
    let found = outcomes[1].result.already_present().unwrap();
    assert_eq!(found.external_refs, Some(vec!["crm-Globex".to_owned()]));
    assert!(found.id.contains(":account/"), "{found:?}");

    // On the wire: each create once (Globex's applied, unanswered, not resent), one lookup.
    let requests = server.take_requests();
    let creates: Vec<_> = requests.iter().filter(|r| r.is("accounts.create")).collect();
    assert_eq!(
        creates.iter().map(|r| (r.body.clone().unwrap()["display_name"].clone(), r.status)).collect::<Vec<_>>(),
        [(json!("Acme"), Some(201)), (json!("Globex"), None), (json!("Initech"), Some(201))]
    );
    assert_eq!(creates[1].body, Some(json!({"display_name": "Globex", "external_refs": ["crm-Globex"]})));
    let lookups: Vec<_> = requests.iter().filter(|r| r.is("accounts.list")).collect();
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].query_param("external_refs").as_deref(), Some("crm-Globex"));
    assert_eq!(server.creates_with_external_ref("crm-Globex"), 1);
}

/// Setters of number fields take the field's own type, so literals infer:
/// `0.5` on an `f32` field (an `f64` literal does not convert into `f32`
/// through `impl Into<f32>`), `5_000_000_000` in a list of `i64` (an `i32`
/// literal would overflow), `10` on an `i32` limit. That this compiles is
/// most of the test; the values are also those on the wire.
#[cfg(all(feature = "recommendations", feature = "works"))]
#[tokio::test]
async fn number_setters_take_literals_of_the_field_type() {
    use devrev::models::{ChatCompletionsRequestMessage, ChatCompletionsRequestMessageRole};
    use devrev::recommendations::ChatCompletionsRequest;
    use devrev::works::WorksListQueryRequest;

    let chat = ChatCompletionsRequest::new([ChatCompletionsRequestMessage::new(
        "hi",
        ChatCompletionsRequestMessageRole::User,
    )])
    .temperature(0.5)
    .top_p(0.25)
    .max_tokens(10);
    assert_eq!((chat.temperature, chat.top_p, chat.max_tokens), (Some(0.5_f32), Some(0.25_f32), Some(10)));
    assert_eq!(
        serde_json::to_value(&chat).unwrap(),
        json!({"messages": [{"content": "hi", "role": "user"}], "temperature": 0.5, "top_p": 0.25, "max_tokens": 10})
    );

    let server = TestServer::start().await;
    let client = client(&server, &RecordingSleeper::new(), 1);
    // What the server makes of the filter does not matter here: the query on the wire does.
    let _ = WorksListQueryRequest::new().issue_priority_v2([5_000_000_000, 2]).limit(10).send(&client).await;
    RevOrgsListQueryRequest::new().limit(10).send(&client).await.unwrap();
    let requests = server.take_requests();
    assert_eq!(
        requests[0].query_param("issue.priority_v2").as_deref(),
        Some("5000000000,2"),
        "{:?}",
        requests[0].query
    );
    assert_eq!(requests[0].query_param("limit").as_deref(), Some("10"));
    assert_eq!(requests[1].query_param("limit").as_deref(), Some("10"));
}

/// An endpoint of the user's own whose answer does not read as the
/// response it declares.
#[devrev::devrev_endpoint(POST, "/tags.create", response = NotATag)]
#[derive(Debug, Clone, serde::Serialize)]
pub struct MistypedTagsCreate {
    pub name: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct NotATag {
    #[allow(dead_code)] // never read: decoding it is the test
    pub count: u32,
}

/// An operation the server does not know.
#[devrev::devrev_endpoint(POST, "/gadgets.create", response = NotATag)]
#[derive(Debug, Clone, serde::Serialize)]
pub struct GadgetsCreate {
    pub name: String,
}

#[tokio::test]
async fn typed_fixtures_follow_the_rules_of_a_create_outside_the_log_and_the_rate_limit() {
    // One request a minute: fixtures must not count against it.
    let server = TestServer::builder().rate_limit(1, Duration::from_secs(60)).start().await.unwrap();
    let acme = server.insert_request(&AccountsCreateRequest::new("Acme").external_refs(["crm-1"])).unwrap();
    let org = server
        .insert_request(&RevOrgsCreateRequest::new(acme.account.id.clone(), "Acme EU").external_ref("crm-eu"))
        .unwrap()
        .rev_org;
    assert!(acme.account.id.contains(":account/") && org.id.contains(":revo/"), "{acme:?} {org:?}");
    assert_eq!((org.display_name.as_deref(), org.external_ref.as_deref()), (Some("Acme EU"), Some("crm-eu")));
    assert_eq!(acme.default_rev_org.display_name.as_deref(), Some("Acme"));
    assert_eq!(server.creates_with_external_ref("crm-eu"), 1);

    // The rules of a create, each answered with the client's typed error: a taken
    // external reference, a reference to an account never issued, an unknown operation.
    let taken =
        server.insert_request(&RevOrgsCreateRequest::new(acme.account.id.clone(), "Acme FR").external_ref("crm-eu"));
    let taken = taken.unwrap_err();
    assert_eq!((taken.status(), taken.error_type()), (Some(409), Some("conflict")), "{taken:?}");
    let ghost = "don:identity:dvrv-us-1:devo/1:account/999";
    let missing = server.insert_request(&RevOrgsCreateRequest::new(ghost, "Ghost")).unwrap_err();
    assert_eq!((missing.status(), missing.error_type()), (Some(404), Some("not_found")), "{missing:?}");
    let unknown = server.insert_request(&GadgetsCreate { name: "x".into() }).unwrap_err();
    assert_eq!((unknown.status(), unknown.message()), (Some(404), Some("route not found")), "{unknown:?}");
    // An answer that does not read as the declared response: a decode error, not a panic.
    let mistyped = server.insert_request(&MistypedTagsCreate { name: "vip".into() }).unwrap_err();
    assert!(matches!(mistyped, Error::Decode(_)), "{mistyped:?}");

    // None of it is in the log or counted against the limit: the one request of the
    // minute goes through, and finds the fixture.
    assert!(server.requests().is_empty());
    let client = client(&server, &RecordingSleeper::new(), 1);
    let got = RevOrgsGetQueryRequest::new().id(org.id.clone()).send(&client).await.unwrap().rev_org;
    assert_eq!(got.id, org.id);
    assert_eq!(server.rate_limited_count(), 0);
    assert_eq!(steps(&server.take_requests()), [("GET".into(), Some("rev-orgs.get".into()), Some(200))]);
}
