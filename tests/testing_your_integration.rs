//! Testing your integration: a test file to copy into your own crate's
//! `tests/`. It needs these dev-dependencies beside `devrev` and `serde`:
//!
//! ```toml
//! [dev-dependencies]
//! devrev-testkit = "0.1"
//! serde_json = "1"
//! chrono = "0.4"   # the server's clock
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! Each test starts its own server (a free port, empty state), seeds it
//! with typed fixtures if it needs data, points a client at it with a
//! `RecordingSleeper` (retries wait for nothing), runs the code under test,
//! and asserts what went over the wire from the server's request log.
//! README: "Testing your integration".

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use devrev::accounts::{AccountsCreateRequest, AccountsListQueryRequest, AccountsUpdateRequest};
use devrev::models::DateTimeFilter;
use devrev::rev_orgs::RevOrgsCreateRequest;
use devrev::testing::RecordingSleeper;
use devrev::Client;
use devrev_testkit::{Clock, Fault, Reply, TestServer};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A client for `server` whose waits are recorded, not slept.
fn client(server: &TestServer, sleeper: &RecordingSleeper) -> Client {
    Client::builder().token(server.token()).base_url(server.base_url()).sleeper(sleeper.clone()).build().unwrap()
}

/// The code under test: creates a rev org for a customer of your CRM.
async fn onboard(client: &Client, account: &str, name: &str, crm_id: &str) -> devrev::Result<String> {
    let created = RevOrgsCreateRequest::new(account, name).external_ref(crm_id).send(client).await?;
    Ok(created.rev_org.id)
}

#[tokio::test]
async fn onboarding_sends_the_crm_id() {
    let server = TestServer::start().await;
    let sleeper = RecordingSleeper::new();
    let client = client(&server, &sleeper);
    // A typed fixture: stored as a create stores it, without a request.
    let account = server.insert_request(&AccountsCreateRequest::new("Acme")).unwrap().account.id;

    let id = onboard(&client, &account, "Acme EU", "crm-7").await.unwrap();

    // Exactly one request, with exactly these fields.
    let requests = server.take_requests();
    assert_eq!(requests.len(), 1);
    let create = &requests[0];
    assert_eq!(create.operation.as_deref(), Some("rev-orgs.create"));
    assert_eq!(create.body, Some(json!({"account": account, "display_name": "Acme EU", "external_ref": "crm-7"})));
    assert_eq!(create.status, Some(201));
    assert_eq!(create.header("authorization"), Some(devrev_testkit::REDACTED));
    assert!(id.contains(":revo/"), "{id}");
}

#[tokio::test]
async fn a_busy_server_is_retried_and_a_bad_request_is_not() {
    let server = TestServer::start().await;
    let sleeper = RecordingSleeper::new();
    let client = client(&server, &sleeper);
    let account = server.insert_request(&AccountsCreateRequest::new("Acme")).unwrap().account.id;

    // A 429 asking for 2 s: the client waits (recorded, not slept) and tries again.
    server.inject_operation(
        "rev-orgs.create",
        Fault::json(429, json!({"type": "too_many_requests"})).header("retry-after", "2"),
    );
    onboard(&client, &account, "Acme US", "crm-8").await.unwrap();
    assert_eq!(sleeper.take_waits(), [Duration::from_secs(2)]);

    // The second create after this point is refused: a permanent error, not retried.
    server
        .inject_operation("rev-orgs.create", Fault::json(400, json!({"type": "bad_request", "message": "no"})).nth(2));
    onboard(&client, &account, "Acme FR", "crm-9").await.unwrap();
    let err = onboard(&client, &account, "Acme DE", "crm-10").await.unwrap_err();
    assert!(err.is_permanent() && !err.is_retryable(), "{err:?}");
    assert_eq!(server.requests_for("rev-orgs.create").last().and_then(|r| r.status), Some(400));
    assert!(sleeper.waits().is_empty());
}

/// An endpoint of your own (or a DevRev operation newer than the crate),
/// declared as the crate's own are.
#[devrev::devrev_endpoint(GET, "/jobs.list", builder)]
#[derive(Debug, Clone, Serialize)]
pub struct JobsListRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct JobsListResponse {
    pub jobs: Vec<Job>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Job {
    pub id: String,
}

#[tokio::test]
async fn your_own_endpoint_on_the_same_server() {
    let server = TestServer::start().await;
    // The handler sees the request as the log records it; the token and the
    // rate limit are checked before it runs, as for every DevRev operation.
    server.route("/jobs.list", |request| {
        let limit: usize = request.query_param("limit").and_then(|l| l.parse().ok()).unwrap_or(1);
        Reply::ok(json!({"jobs": (1..=limit).map(|i| json!({"id": format!("job-{i}")})).collect::<Vec<_>>()}))
    });
    let client = client(&server, &RecordingSleeper::new());

    let jobs = JobsListRequest::new().limit(2).send(&client).await.unwrap().jobs;
    assert_eq!(jobs, [Job { id: "job-1".into() }, Job { id: "job-2".into() }]);
    assert_eq!(server.requests_for("jobs.list")[0].query.as_deref(), Some("limit=2"));

    // Without a valid token, your endpoint answers 401 like DevRev's own.
    let stranger = Client::builder().token("wrong").base_url(server.base_url()).build().unwrap();
    let err = JobsListRequest::new().send(&stranger).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
}

/// The code under test: the accounts changed in DevRev since the last sync
/// (to copy back into your CRM), by display name.
async fn accounts_changed_since(client: &Client, last_sync: DateTime<Utc>) -> devrev::Result<Vec<String>> {
    let filter = DateTimeFilter::new().after(last_sync);
    let listed = AccountsListQueryRequest::new().modified_date(filter).send(client).await?;
    Ok(listed.accounts.into_iter().filter_map(|a| a.display_name).collect())
}

#[tokio::test]
async fn typed_fixtures_and_a_modified_since_query_on_the_servers_clock() {
    let nine = "2026-01-05T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
    let server = TestServer::builder().clock(Clock::fixed(nine)).start().await.unwrap();

    // Typed fixtures: the crate's own create requests, stored by the rules of a create
    // (IDs, dates from the server's clock, checks), answered typed, without a request.
    let acme = server.insert_request(&AccountsCreateRequest::new("Acme").external_refs(["crm-1"])).unwrap();
    let globex = server.insert_request(&AccountsCreateRequest::new("Globex")).unwrap().account;
    assert!(acme.account.id.contains(":account/"), "{:?}", acme.account.id);
    assert_eq!(acme.account.created_date, Some(nine));
    assert_eq!(acme.default_rev_org.display_name.as_deref(), Some("Acme"));
    assert!(server.requests().is_empty(), "fixtures are not requests");
    // ... and refused as a create would be, with the client's typed error.
    let taken = server.insert_request(&AccountsCreateRequest::new("Acme 2").external_refs(["crm-1"])).unwrap_err();
    assert_eq!((taken.status(), taken.is_permanent()), (Some(409), true), "{taken:?}");

    // The last sync ran at 09:30; an hour later Globex changes.
    server.set_time("2026-01-05T09:30:00Z".parse().unwrap());
    let last_sync = server.now();
    server.advance(TimeDelta::hours(1));
    let client = client(&server, &RecordingSleeper::new());
    let updated =
        AccountsUpdateRequest::new(globex.id.clone()).description("New HQ").send(&client).await.unwrap().account;
    assert_eq!(updated.modified_date, Some(last_sync + TimeDelta::hours(1)));

    // "Modified since the last sync" finds Globex only; the filter is on the wire.
    assert_eq!(accounts_changed_since(&client, last_sync).await.unwrap(), ["Globex"]);
    let list = server.requests_for("accounts.list").pop().unwrap();
    assert_eq!(list.query_param("modified_date.after").as_deref(), Some("2026-01-05T09:30:00Z"));
    // Since before the fixtures: both.
    assert_eq!(accounts_changed_since(&client, nine).await.unwrap(), ["Acme", "Globex"]);
}
