//! `GET /works.get`, declared in this crate with a query parameter and its own
//! error body (`error = WorksError`): the query string on the wire, the tagged
//! answer, the custom error read back, and the client's retries honouring it.

mod common;

use std::time::Duration;

use common::{client, only_request, requests, retrying_client, RecordingSleeper};
use devrev::{DevRevError, RetryPolicy};
use devrev_downstream_example::works::{Stage, Work, WorksError, WorksGetRequest};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ISSUE: &str = r#"{
  "work": {
    "type": "issue",
    "id": "don:core:dvrv-us-1:devo/0:issue/42",
    "display_id": "ISS-42",
    "title": "Login page times out",
    "owned_by": [{"type": "dev_user", "id": "don:identity:dvrv-us-1:devo/0:devu/7", "display_name": "grace"}],
    "priority": "p1",
    "stage": {"name": "triage", "notes": "ignored"}
  }
}"#;

async fn server_answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/works.get"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn id_goes_in_the_query_string() {
    let server = server_answering(200, ISSUE).await;

    WorksGetRequest::new("ISS-42").send(&client(&server)).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/works.get");
    assert_eq!(request.url.query(), Some("id=ISS-42"));
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn a_don_id_is_percent_encoded() {
    let server = server_answering(200, ISSUE).await;

    WorksGetRequest::new("don:core:dvrv-us-1:devo/0:issue/42").send(&client(&server)).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("id=don%3Acore%3Advrv-us-1%3Adevo%2F0%3Aissue%2F42"));
}

#[tokio::test]
async fn tagged_answer_decodes() {
    let server = server_answering(200, ISSUE).await;

    let work = WorksGetRequest::new("ISS-42").send(&client(&server)).await.unwrap().work;

    let Work::Issue(issue) = work else { panic!("expected an issue, got {work:?}") };
    assert_eq!(issue.id, "don:core:dvrv-us-1:devo/0:issue/42");
    assert_eq!(issue.display_id.as_deref(), Some("ISS-42"));
    assert_eq!(issue.title, "Login page times out");
    assert_eq!(issue.priority.as_deref(), Some("p1"));
    assert_eq!(issue.stage, Some(Stage { name: "triage".into() }));
    assert_eq!(issue.owned_by.len(), 1);
    assert_eq!(issue.owned_by[0].display_name(), Some("grace"));
}

#[tokio::test]
async fn other_work_types_decode() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/works.get"))
        .and(query_param("id", "TKT-7"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"work": {"type": "ticket", "id": "don:core:dvrv-us-1:devo/0:ticket/7", "display_id": "TKT-7", "title": "Refund", "severity": "high"}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/works.get"))
        .and(query_param("id", "TASK-3"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"work": {"type": "task", "id": "x", "title": "Write docs"}}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let client = client(&server);

    let ticket = WorksGetRequest::new("TKT-7").send(&client).await.unwrap().work;
    let task = WorksGetRequest::new("TASK-3").send(&client).await.unwrap().work;

    let Work::Ticket(ticket) = ticket else { panic!("expected a ticket, got {ticket:?}") };
    assert_eq!(ticket.display_id.as_deref(), Some("TKT-7"));
    assert_eq!(ticket.severity.as_deref(), Some("high"));
    assert_eq!(task, Work::Other);
}

#[tokio::test]
async fn error_answer_decodes_into_the_crates_own_error_body() {
    let server = server_answering(
        400,
        r#"{"type":"invalid_id","message":"not a work ID","detail":"ignored","field_name":"id"}"#,
    )
    .await;

    let err = WorksGetRequest::new("ACC-1").send(&client(&server)).await.unwrap_err();

    let api = err.api().expect("an API error");
    assert_eq!(api.status(), 400);
    assert_eq!(
        api.body::<WorksError>(),
        Some(&WorksError {
            error_type: "invalid_id".into(),
            message: Some("not a work ID".into()),
            field_name: Some("id".into()),
            retry_after: None,
        })
    );
    // `devrev::Error`'s query methods read through the `ErrorBody` impl...
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.error_type(), Some("invalid_id"));
    assert_eq!(err.message(), Some("not a work ID"));
    // ...and DevRev's own model is not there: the endpoint declared another.
    assert_eq!(err.kind(), None);
    assert!(api.body::<DevRevError>().is_none());
    assert_eq!(api.excerpt(), None);
    assert_eq!(err.to_string(), "DevRev answered 400 invalid_id: not a work ID");
}

#[tokio::test]
async fn error_answer_that_is_not_the_declared_body_keeps_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/works.get"))
        .respond_with(ResponseTemplate::new(404).set_body_raw("<html>no route</html>", "text/html"))
        .mount(&server)
        .await;

    let err = WorksGetRequest::new("ISS-42").send(&client(&server)).await.unwrap_err();

    assert!(err.is_not_found());
    let api = err.api().unwrap();
    assert!(api.body::<WorksError>().is_none());
    assert_eq!(api.excerpt(), Some("<html>no route</html>"));
    assert_eq!(err.error_type(), None);
}

#[tokio::test]
async fn retry_after_in_the_custom_body_paces_the_retry() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/works.get"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_raw(r#"{"type":"too_many_requests","retry_after":7}"#, "application/json"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/works.get"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ISSUE, "application/json"))
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();

    let answer = WorksGetRequest::new("ISS-42").send_with_meta(&retrying_client(&server, &sleeper)).await.unwrap();

    assert_eq!(answer.attempts(), 2);
    assert!(matches!(answer.value.work, Work::Issue(_)));
    // The wait is the one `WorksError::retry_after` gave, not the backoff.
    assert_eq!(sleeper.waits(), [Duration::from_secs(7)]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|r| r.url.query() == Some("id=ISS-42")));
}

#[tokio::test]
async fn a_get_is_retried_on_503_then_gives_the_typed_error() {
    let server = server_answering(503, r#"{"type":"service_unavailable","message":"down for maintenance"}"#).await;
    let sleeper = RecordingSleeper::default();
    let client = retrying_client(&server, &sleeper).with_retry_policy(RetryPolicy::new().max_attempts(3));

    let err = WorksGetRequest::new("ISS-42").send(&client).await.unwrap_err();

    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.api().unwrap().body::<WorksError>().unwrap().error_type, "service_unavailable");
    assert_eq!(requests(&server).await.len(), 3);
    // Two waits between three attempts, each within the policy's backoff ceiling.
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 2);
    let policy = RetryPolicy::new();
    for (retry, wait) in (1..).zip(&waits) {
        assert!(*wait <= policy.backoff_ceiling(retry), "wait {retry} was {wait:?}");
    }
}
