//! Helpers shared by the wire tests: answer a path with a fixed body, and
//! read back the one request the client sent.

// Each test binary uses the helpers it needs.
#![allow(dead_code)]

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Answers `verb endpoint` with `status` and the JSON `body`.
pub async fn mount(server: &MockServer, verb: &str, endpoint: &str, status: u16, body: &str) {
    Mock::given(method(verb))
        .and(path(endpoint))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"))
        .mount(server)
        .await;
}

/// The only request the server received; fails if there were more or none.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

/// The request's JSON body, after checking it was sent as JSON.
pub fn json_body(request: &Request) -> serde_json::Value {
    assert_eq!(request.headers.get("content-type").unwrap(), "application/json");
    serde_json::from_slice(&request.body).unwrap()
}
