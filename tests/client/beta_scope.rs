//! `beta` on the wire: a beta endpoint carries `X-Devrev-Scope: beta`, any
//! other endpoint does not.

use crate::common;

use common::client;
use devrev::{devrev_endpoint, Client, RetryPolicy};
use serde::{Deserialize, Serialize};
use wiremock::MockServer;

use crate::wire_support;
use wire_support::{json_body, mount, only_request};

#[devrev_endpoint(POST, "/works.create", beta)]
#[derive(Debug, Serialize)]
struct WorksCreateRequest {
    title: String,
}

#[derive(Debug, Deserialize)]
struct WorksCreateResponse {
    id: String,
}

#[devrev_endpoint(GET, "/works.get", beta = true)]
#[derive(Debug, Serialize)]
struct WorksGetRequest {
    id: String,
}

#[derive(Debug, Deserialize)]
struct WorksGetResponse {
    id: String,
}

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Debug, Serialize)]
struct TagsCreateRequest {
    name: String,
}

#[devrev_endpoint(POST, "/tags.delete", beta = false)]
#[derive(Debug, Serialize)]
struct TagsDeleteRequest {
    id: String,
}

#[derive(Debug, Deserialize)]
struct TagsCreateResponse {}

#[derive(Debug, Deserialize)]
struct TagsDeleteResponse {}

/// Every value of `name` in the request's headers.
fn header_values(request: &wiremock::Request, name: &str) -> Vec<String> {
    request.headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn beta_post_sends_the_scope_header_once() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/works.create", 201, r#"{"id":"ISS-1"}"#).await;

    let created = WorksCreateRequest { title: "crash".into() }.send(&client(server.uri())).await.unwrap();
    assert_eq!(created.id, "ISS-1");

    let request = only_request(&server).await;
    assert_eq!(header_values(&request, "x-devrev-scope"), ["beta"]);
    assert_eq!(json_body(&request), serde_json::json!({"title": "crash"}));
}

#[tokio::test]
async fn beta_get_sends_the_scope_header() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/works.get", 200, r#"{"id":"ISS-2"}"#).await;

    let got = WorksGetRequest { id: "ISS-2".into() }.send(&client(server.uri())).await.unwrap();
    assert_eq!(got.id, "ISS-2");

    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("id=ISS-2"));
    assert_eq!(header_values(&request, "x-devrev-scope"), ["beta"]);
}

#[tokio::test]
async fn other_endpoints_send_no_scope_header() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/tags.create", 201, "{}").await;

    TagsCreateRequest { name: "vip".into() }.send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert!(request.headers.get("x-devrev-scope").is_none(), "{:?}", request.headers);
}

#[tokio::test]
async fn beta_false_sends_no_scope_header() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/tags.delete", 200, "{}").await;

    TagsDeleteRequest { id: "TAG-1".into() }.send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert!(request.headers.get("x-devrev-scope").is_none(), "{:?}", request.headers);
}

#[tokio::test]
async fn beta_endpoint_on_a_beta_client_sends_the_header_once() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/works.create", 201, r#"{"id":"ISS-3"}"#).await;
    let client = Client::builder()
        .token("beta-test-token")
        .base_url(server.uri())
        .beta(true)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    WorksCreateRequest { title: "crash".into() }.send(&client).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(header_values(&request, "x-devrev-scope"), ["beta"]);
}
