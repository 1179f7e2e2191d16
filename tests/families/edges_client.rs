//! The crate's own typed calls against the embedded server's edges: a
//! streaming operation answered as one JSON completion or as events, and the
//! validation errors of issue 27 decoded into their `ErrorKind`.

use devrev::models::{ChatCompletionsRequestMessage, ChatCompletionsRequestMessageRole};
use devrev::recommendations::{ChatCompletionsRequest, ChatCompletionsResponse, GetReplyRequest};
use devrev::{devrev_endpoint, Client, ErrorKind, JsonType, RetryPolicy};
use devrev_testkit::TestServer;
use serde::Serialize;

fn client(server: &TestServer) -> Client {
    Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn hello() -> ChatCompletionsRequest {
    ChatCompletionsRequest::new([ChatCompletionsRequestMessage::new("hello", ChatCompletionsRequestMessageRole::User)])
}

/// Every event of the typed call, the wire's content type, and the request body the server saw.
async fn events(server: &TestServer, request: ChatCompletionsRequest) -> (Vec<ChatCompletionsResponse>, String) {
    let mut stream = request.send(&client(server)).await.unwrap();
    let content_type = stream.meta().headers["content-type"].to_str().unwrap().to_owned();
    let mut out = Vec::new();
    while let Some(event) = stream.try_next().await.unwrap() {
        out.push(event);
    }
    (out, content_type)
}

#[tokio::test]
async fn the_typed_streaming_call_reads_either_form() {
    let server = TestServer::start().await;
    // No `stream`: the server answers one JSON completion, the call yields it as one event.
    let (plain, content_type) = events(&server, hello()).await;
    assert_eq!(content_type, "application/json");
    assert_eq!(plain.len(), 1, "{plain:?}");
    assert!(plain[0].text_response.as_deref().is_some_and(|t| !t.is_empty()), "{plain:?}");
    let (plain, content_type) = events(&server, hello().stream(false)).await;
    assert_eq!((content_type.as_str(), plain.len()), ("application/json", 1));
    // `stream: true`: events, then `[DONE]` ends the stream.
    let (streamed, content_type) = events(&server, hello().stream(true)).await;
    assert_eq!(content_type, "text/event-stream");
    assert!(!streamed.is_empty());
    assert!(streamed.iter().all(|e| e.text_response.is_some()), "{streamed:?}");
}

/// `tags.list` with a `limit` that can be any JSON.
#[devrev_endpoint(POST, "/tags.list", response = serde_json::Value)]
#[derive(Debug, Clone, Serialize)]
struct LooseTagsList {
    limit: serde_json::Value,
}

#[tokio::test]
async fn validation_errors_decode_into_their_kinds() {
    let server = TestServer::start().await;
    let client = client(&server);
    let err = LooseTagsList { limit: "five".into() }.send(&client).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    match err.kind() {
        Some(ErrorKind::UnexpectedJsonType { actual, expected, field_name, .. }) => {
            assert_eq!((actual, expected, field_name.as_str()), (&JsonType::String, &JsonType::Number, "limit"));
        }
        other => panic!("expected UnexpectedJsonType, got {other:?}"),
    }
    let err = LooseTagsList { limit: serde_json::json!(1u64 << 40) }.send(&client).await.unwrap_err();
    assert!(matches!(err.kind(), Some(ErrorKind::InvalidField { field_name, .. }) if field_name == "limit"), "{err:?}");
    let err = GetReplyRequest::new("").send(&client).await.unwrap_err();
    assert!(matches!(err.kind(), Some(ErrorKind::InvalidField { field_name, .. }) if field_name == "query"), "{err:?}");
}

#[tokio::test]
async fn the_client_works_over_https_trusting_the_servers_pem() {
    let server = TestServer::builder().https().start().await.unwrap();
    assert!(server.base_url().starts_with("https://"));
    let client = Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .add_root_certificate(server.ca_pem().unwrap())
        .build()
        .unwrap();
    let created = devrev::tags::TagsCreateRequest::new("over-tls").send(&client).await.unwrap();
    let got = devrev::tags::TagsGetQueryRequest::new(created.tag.id.clone()).send(&client).await.unwrap();
    assert_eq!((got.tag.id, got.tag.name), (created.tag.id, "over-tls".to_owned()));

    // Without the server's authority the call is a transport error, not a panic.
    let stranger = Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = devrev::tags::TagsListQueryRequest::new().send(&stranger).await.unwrap_err();
    assert!(matches!(err, devrev::Error::Transport(_)), "{err:?}");
    // PEM without a certificate is a configuration error.
    let err = Client::builder().token("t").add_root_certificate("not a pem").build().unwrap_err();
    assert!(format!("{err}").contains("root_certificate"), "{err}");
}
