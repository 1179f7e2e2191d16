//! `beta` and `builder` under a renamed dependency (`crate = devrev2`): the
//! request built with `new` and setters, on the wire with
//! `X-Devrev-Scope: beta`.

use devrev2::{Client, RetryPolicy};
use devrev_downstream_renamed::WorksCreateRequest;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn beta_request_built_with_setters() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/works.create"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(r#"{"work":{"id":"don:work/1"}}"#, "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .token("renamed-token")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    let request = WorksCreateRequest::new("issue", "Crash on save").owned_by(["DEVU-1", "DEVU-2"]);
    assert_eq!(request.body, None);
    let created = request.send(&client).await.unwrap();
    assert_eq!(created.work.id, "don:work/1");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let scope: Vec<_> = requests[0].headers.get_all("x-devrev-scope").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(scope, ["beta"]);
    // Unset options are left out; `r#type` goes on the wire as `type`.
    assert_eq!(
        std::str::from_utf8(&requests[0].body).unwrap(),
        r#"{"type":"issue","title":"Crash on save","owned_by":["DEVU-1","DEVU-2"]}"#
    );
}
