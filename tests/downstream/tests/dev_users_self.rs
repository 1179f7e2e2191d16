//! `GET /dev-users.self`, declared in this crate as a unit struct: the request
//! on the wire carries no query and no body, the answer decodes into this
//! crate's types, and DevRev's error model applies by default.

mod common;

use common::{client, header, only_request, TOKEN};
use devrev::models::{UserState, UserSummary};
use devrev::ErrorKind;
use devrev_downstream_example::dev_users::DevUsersSelfRequest;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SELF: &str = r#"{
  "dev_user": {
    "type": "dev_user",
    "id": "don:identity:dvrv-us-1:devo/0:devu/7",
    "display_id": "DEVU-7",
    "display_name": "grace",
    "full_name": "Grace Hopper",
    "email": "grace@example.com",
    "state": "active",
    "phone_numbers": ["+15550100"],
    "created_date": "2023-11-02T08:30:00Z",
    "created_by": {"type": "sys_user", "id": "don:identity:dvrv-us-1:devo/0:sysu/1", "display_name": "devrev-bot"},
    "skills": [{"name": "compilers"}]
  }
}"#;

async fn server_answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/dev-users.self"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn unit_struct_sends_a_bare_get() {
    let server = server_answering(200, SELF).await;

    DevUsersSelfRequest.send(&client(&server)).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/dev-users.self");
    assert_eq!(request.url.query(), None);
    assert!(request.body.is_empty(), "a GET carries no body, got {:?}", String::from_utf8_lossy(&request.body));
    assert_eq!(header(&request, "authorization"), Some(format!("Bearer {TOKEN}")));
    assert_eq!(header(&request, "accept").as_deref(), Some("application/json"));
    assert_eq!(header(&request, "content-type"), None);
}

#[tokio::test]
async fn answer_decodes_into_the_crates_own_types() {
    let server = server_answering(200, SELF).await;

    let user = DevUsersSelfRequest.send(&client(&server)).await.unwrap().dev_user;

    assert_eq!(user.id, "don:identity:dvrv-us-1:devo/0:devu/7");
    assert_eq!(user.display_id.as_deref(), Some("DEVU-7"));
    assert_eq!(user.display_name.as_deref(), Some("grace"));
    assert_eq!(user.full_name.as_deref(), Some("Grace Hopper"));
    assert_eq!(user.email.as_deref(), Some("grace@example.com"));
    assert_eq!(user.state, Some(UserState::Active));
    assert_eq!(user.phone_numbers, ["+15550100"]);
    assert_eq!(user.created_date.unwrap().to_rfc3339(), "2023-11-02T08:30:00+00:00");
    match user.created_by.as_ref().unwrap() {
        UserSummary::SysUser(bot) => assert_eq!(bot.display_name.as_deref(), Some("devrev-bot")),
        other => panic!("expected a system user, got {other:?}"),
    }
}

#[tokio::test]
async fn send_with_meta_reports_status_and_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/dev-users.self"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(SELF, "application/json")
                .insert_header("x-ratelimit-limit", "500")
                .insert_header("x-ratelimit-remaining", "499")
                .insert_header("x-ratelimit-reset", "1700000300"),
        )
        .mount(&server)
        .await;

    let answer = DevUsersSelfRequest.send_with_meta(&client(&server)).await.unwrap();

    assert_eq!(answer.status(), 200);
    assert_eq!(answer.attempts(), 1);
    assert_eq!(answer.rate_limit().limit, Some(500));
    assert_eq!(answer.rate_limit().remaining, Some(499));
    assert_eq!(answer.rate_limit().reset, Some(1_700_000_300));
    assert_eq!(answer.into_value().dev_user.display_id.as_deref(), Some("DEVU-7"));
}

#[tokio::test]
async fn default_error_body_is_devrevs_typed_model() {
    let server =
        server_answering(401, r#"{"type":"unauthenticated","message":"the token has expired","detail":"exp"}"#).await;

    let err = DevUsersSelfRequest.send(&client(&server)).await.unwrap_err();

    assert_eq!(err.status(), Some(401));
    assert_eq!(err.kind(), Some(&ErrorKind::Unauthenticated));
    assert_eq!(err.error_type(), Some("unauthenticated"));
    assert_eq!(err.message(), Some("the token has expired"));
    let body = err.api().unwrap().body::<devrev::DevRevError>().unwrap();
    assert_eq!(body.detail.as_deref(), Some("exp"));
}

#[tokio::test]
async fn answer_that_does_not_decode_is_a_decode_error() {
    let server = server_answering(200, r#"{"dev_user": {"display_name": "no id"}}"#).await;

    let err = DevUsersSelfRequest.send(&client(&server)).await.unwrap_err();

    match &err {
        devrev::Error::Decode(decode) => {
            assert!(decode.message().contains("missing field `id`"), "{}", decode.message());
            assert_eq!(decode.meta().status, 200);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}
