//! The endpoints of a crate that depends on `devrev` as `devrev2`, on the
//! wire: the request each sends, the decoded answer, the custom error body,
//! the `idempotent` option's retries, and the `paginate` streams.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrev2::{Client, RetryPolicy, Sleeper};
use devrev_downstream_renamed::{TagName, TagsDeleteRequest, TagsError, TagsListPostRequest, WhoAmI};
use wiremock::matchers::{body_string, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[derive(Debug, Clone, Default)]
struct RecordingSleeper(Arc<Mutex<Vec<Duration>>>);

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

fn client(server: &MockServer, sleeper: &RecordingSleeper) -> Client {
    Client::builder()
        .token("renamed-token")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::new().max_attempts(3))
        .sleeper(sleeper.clone())
        .build()
        .unwrap()
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

fn bodies(requests: &[Request]) -> Vec<&str> {
    requests.iter().map(|r| std::str::from_utf8(&r.body).unwrap()).collect()
}

#[tokio::test]
async fn unit_struct_with_a_named_response_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/dev-users.self"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"dev_user": {"id": "don:identity:dvrv-us-1:devo/0:devu/7", "display_name": "grace"}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;

    let me = WhoAmI.send(&client(&server, &RecordingSleeper::default())).await.unwrap();

    assert_eq!(me.dev_user.id, "don:identity:dvrv-us-1:devo/0:devu/7");
    assert_eq!(me.dev_user.display_name.as_deref(), Some("grace"));
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "GET");
    assert_eq!(sent[0].url.query(), None);
    assert_eq!(sent[0].headers.get("authorization").unwrap(), "Bearer renamed-token");
}

#[tokio::test]
async fn post_listing_streams_every_page_with_the_cursor_in_the_body() {
    let server = MockServer::start().await;
    for (body, answer) in [
        (
            r#"{"limit":2,"name":["a","b","c"]}"#,
            r#"{"tags": [{"id": "t1", "name": "a"}, {"id": "t2", "name": "b"}], "next_cursor": "c1"}"#,
        ),
        (r#"{"cursor":"c1","limit":2,"name":["a","b","c"]}"#, r#"{"tags": [{"id": "t3", "name": "c"}]}"#),
    ] {
        Mock::given(method("POST"))
            .and(path("/tags.list"))
            .and(body_string(body))
            .respond_with(ResponseTemplate::new(200).set_body_raw(answer, "application/json"))
            .expect(1)
            .mount(&server)
            .await;
    }
    let request =
        TagsListPostRequest { limit: Some(2), name: vec!["a".into(), "b".into(), "c".into()], ..Default::default() };

    let mut items = request.items(&client(&server, &RecordingSleeper::default()));
    let mut tags: Vec<TagName> = Vec::new();
    while let Some(tag) = items.try_next().await.unwrap() {
        tags.push(tag);
    }

    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let sent = requests(&server).await;
    assert!(sent.iter().all(|r| r.method.as_str() == "POST" && r.url.path() == "/tags.list"));
    assert_eq!(
        bodies(&sent),
        [r#"{"limit":2,"name":["a","b","c"]}"#, r#"{"cursor":"c1","limit":2,"name":["a","b","c"]}"#]
    );
}

#[tokio::test]
async fn idempotent_post_is_retried_and_its_error_is_the_crates_own_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/tags.list"))
        .respond_with(ResponseTemplate::new(503).set_body_raw(
            r#"{"type":"service_unavailable","message":"try later","reference_id":"r-1"}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();

    let err = TagsListPostRequest::default().send(&client(&server, &sleeper)).await.unwrap_err();

    // `idempotent` makes a POST retryable on 503, like a GET.
    assert_eq!(err.attempts(), 3);
    assert_eq!(requests(&server).await.len(), 3);
    assert_eq!(sleeper.0.lock().unwrap().len(), 2);
    assert_eq!(
        err.api().unwrap().body::<TagsError>(),
        Some(&TagsError { kind: "service_unavailable".into(), message: "try later".into(), retry_after: None })
    );
    assert_eq!(err.error_type(), Some("service_unavailable"));
    assert_eq!(err.kind(), None);
}

#[tokio::test]
async fn retry_after_from_the_custom_body_paces_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/tags.list"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_raw(r#"{"type":"too_many_requests","retry_after":4}"#, "application/json"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/tags.list"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"tags": [{"id": "t1", "name": "a"}]}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();

    let mut pages = TagsListPostRequest::default().pages(&client(&server, &sleeper));
    let first = pages.next().await.unwrap().unwrap();

    assert_eq!(first.tags, [TagName { id: "t1".into(), name: "a".into() }]);
    assert!(pages.next().await.is_none());
    assert_eq!(*sleeper.0.lock().unwrap(), [Duration::from_secs(4)]);
    assert_eq!(bodies(&requests(&server).await), ["{}", "{}"]);
}

#[tokio::test]
async fn empty_answer_decodes_into_an_empty_struct() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/tags.delete"))
        .and(body_string(r#"{"id":"TAG-12"}"#))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let answer =
        TagsDeleteRequest { id: "TAG-12".into() }.send_with_meta(&client(&server, &RecordingSleeper::default())).await;

    assert_eq!(answer.unwrap().status(), 204);
}
