//! `POST /tags.create`, declared in this crate with a nested JSON body: the
//! body on the wire byte for byte, the decoded tag, and the retry rule for a
//! request that is not idempotent.

mod common;

use common::{client, header, only_request, requests, retrying_client, RecordingSleeper, TOKEN};
use devrev::ErrorKind;
use devrev_downstream_example::tags::{TagStyle, TagsCreateRequest};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CREATED: &str = r##"{
  "tag": {
    "id": "don:core:dvrv-us-1:devo/0:tag/12",
    "display_id": "TAG-12",
    "name": "vip",
    "allowed_values": ["gold", "silver"],
    "description": "Key accounts",
    "style_new": {"color": "#ff8800"},
    "created_date": "2024-05-01T12:00:00.5Z",
    "created_by": {"type": "dev_user", "id": "don:identity:dvrv-us-1:devo/0:devu/7"}
  }
}"##;

async fn server_answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/tags.create"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

fn full_request() -> TagsCreateRequest {
    TagsCreateRequest {
        allowed_values: Some(vec!["gold".into(), "silver".into()]),
        description: Some("Key accounts".into()),
        style_new: Some(TagStyle { color: Some("#ff8800".into()) }),
        ..TagsCreateRequest::new("vip")
    }
}

#[tokio::test]
async fn nested_body_on_the_wire() {
    let server = server_answering(201, CREATED).await;

    full_request().send(&client(&server)).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/tags.create");
    assert_eq!(request.url.query(), None);
    assert_eq!(header(&request, "authorization"), Some(format!("Bearer {TOKEN}")));
    assert_eq!(header(&request, "content-type").as_deref(), Some("application/json"));
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        r##"{"name":"vip","allowed_values":["gold","silver"],"description":"Key accounts","style_new":{"color":"#ff8800"}}"##
    );
}

#[tokio::test]
async fn unset_fields_are_left_out_of_the_body() {
    let server = server_answering(201, CREATED).await;

    TagsCreateRequest::new("vip").send(&client(&server)).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(std::str::from_utf8(&request.body).unwrap(), r#"{"name":"vip"}"#);
}

#[tokio::test]
async fn created_tag_decodes() {
    let server = server_answering(201, CREATED).await;

    let answer = full_request().send_with_meta(&client(&server)).await.unwrap();

    assert_eq!(answer.status(), 201);
    let tag = answer.into_value().tag;
    assert_eq!(tag.id, "don:core:dvrv-us-1:devo/0:tag/12");
    assert_eq!(tag.display_id.as_deref(), Some("TAG-12"));
    assert_eq!(tag.name, "vip");
    assert_eq!(tag.allowed_values, Some(vec!["gold".to_owned(), "silver".to_owned()]));
    assert_eq!(tag.description.as_deref(), Some("Key accounts"));
    assert_eq!(tag.style_new, Some(TagStyle { color: Some("#ff8800".into()) }));
    assert_eq!(tag.created_date.unwrap().timestamp_millis(), 1_714_564_800_500);
}

#[tokio::test]
async fn conflict_is_devrevs_typed_error() {
    let server = server_answering(409, r#"{"type":"conflict","message":"a tag named vip exists"}"#).await;

    let err = TagsCreateRequest::new("vip").send(&client(&server)).await.unwrap_err();

    assert_eq!(err.status(), Some(409));
    assert_eq!(err.kind(), Some(&ErrorKind::Conflict));
    assert_eq!(err.message(), Some("a tag named vip exists"));
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_503() {
    // POST is not idempotent by default: the request may have been processed,
    // so a 503 is returned at once, as for the built-in endpoints.
    let server = server_answering(503, r#"{"type":"service_unavailable"}"#).await;
    let sleeper = RecordingSleeper::default();

    let err = TagsCreateRequest::new("vip").send(&retrying_client(&server, &sleeper)).await.unwrap_err();

    assert_eq!(err.kind(), Some(&ErrorKind::ServiceUnavailable));
    assert_eq!(err.attempts(), 1);
    assert_eq!(requests(&server).await.len(), 1);
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn a_post_is_retried_after_a_429() {
    // 429 proves the request was not processed, so even a POST is retried.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/tags.create"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "3")
                .set_body_raw(r#"{"type":"too_many_requests","message":"slow down"}"#, "application/json"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/tags.create"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(CREATED, "application/json"))
        .mount(&server)
        .await;
    let sleeper = RecordingSleeper::default();

    let tag = TagsCreateRequest::new("vip").send(&retrying_client(&server, &sleeper)).await.unwrap().tag;

    assert_eq!(tag.display_id.as_deref(), Some("TAG-12"));
    assert_eq!(sleeper.waits(), [std::time::Duration::from_secs(3)]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|r| r.body == br#"{"name":"vip"}"#));
}
