//! End to end: every error the embedded server produces arrives as the
//! right typed error (`kind()`, `status()`, and the kind's fields).

use crate::common;

use devrev::accounts::AccountsCreateRequest;
use devrev::models::OrgEnvironment;
use devrev::rev_orgs::{RevOrgsCreateRequest, RevOrgsCreateResponse, RevOrgsGetQueryRequest, RevOrgsListQueryRequest};
use devrev::{devrev_endpoint, Client, Error};
use devrev_testkit::TestServer;
use serde::Serialize;

fn client_with_token(server: &TestServer, token: &str) -> Client {
    common::builder(server.base_url(), token).build().unwrap()
}

/// A create whose body is a JSON array: the server cannot parse it as a request.
#[devrev_endpoint(POST, "/rev-orgs.create", response = RevOrgsCreateResponse)]
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
struct ArrayBody {
    items: Vec<u32>,
}

/// A create whose `display_name` can be any JSON.
#[devrev_endpoint(POST, "/rev-orgs.create", response = RevOrgsCreateResponse)]
#[derive(Debug, Clone, Serialize)]
struct LooseCreate {
    account: String,
    display_name: serde_json::Value,
}

/// An endpoint the server does not have.
#[devrev_endpoint(POST, "/rev-orgs.frobnicate", response = RevOrgsCreateResponse)]
#[derive(Debug, Clone, Serialize)]
struct Frobnicate {
    id: String,
}

/// Checks status and kind (as its `Debug`, which names every field: the
/// variants are `#[non_exhaustive]`, so a test cannot build them), and that
/// the error carries DevRev's message.
fn check(err: &Error, status: u16, kind: &str) {
    assert_eq!(err.status(), Some(status), "{err}");
    assert_eq!(err.kind().map(|k| format!("{k:?}")).as_deref(), Some(kind), "{err}");
    assert!(err.message().is_some_and(|m| !m.is_empty()), "{err}");
}

#[tokio::test]
async fn every_server_error_is_typed() {
    let server = TestServer::start().await;
    let client = client_with_token(&server, server.token());
    let account = AccountsCreateRequest::new("Acme").send(&client).await.unwrap().account;
    let acc = account.display_id.unwrap();

    // 401: a token the server does not know.
    let err = RevOrgsListQueryRequest::new().send(&client_with_token(&server, "not-the-token")).await.unwrap_err();
    check(&err, 401, "Unauthenticated");

    // 400 parse_error: a body that is not a JSON object.
    let err = ArrayBody { items: vec![1, 2] }.send(&client).await.unwrap_err();
    check(&err, 400, "ParseError");

    // 400 missing_required_field: a blank name.
    let err = RevOrgsCreateRequest::new(acc.clone(), " ").send(&client).await.unwrap_err();
    check(&err, 400, r#"MissingRequiredField { field_name: "display_name" }"#);
    // 400 bad_request: a get naming nothing (the spec requires neither `id` nor `account`).
    let err = RevOrgsGetQueryRequest::new().send(&client).await.unwrap_err();
    check(&err, 400, "BadRequest");

    // 400 unexpected_json_type: a number where a string belongs.
    let err =
        LooseCreate { account: acc.clone(), display_name: serde_json::json!(42) }.send(&client).await.unwrap_err();
    check(&err, 400, r#"UnexpectedJsonType { actual: Number, expected: String, field_name: "display_name" }"#);

    // 400 invalid_enum_value: an environment the server does not know.
    let err = RevOrgsCreateRequest::new(acc.clone(), "x")
        .environment(OrgEnvironment::Unknown("prod".into()))
        .send(&client)
        .await
        .unwrap_err();
    check(
        &err,
        400,
        r#"InvalidEnumValue { allowed_values: ["production", "staging", "test"], field_name: "environment", value: "prod" }"#,
    );

    // 400 invalid_id and unexpected_id_type.
    let err = RevOrgsCreateRequest::new("not an id", "x").send(&client).await.unwrap_err();
    check(&err, 400, r#"InvalidId { field_name: "account" }"#);
    let err = RevOrgsGetQueryRequest::by_id(acc.clone()).send(&client).await.unwrap_err();
    check(&err, 400, r#"UnexpectedIdType { field_name: "id" }"#);

    // 400 invalid_field, value_not_permitted, bad_request: list parameters.
    let err = RevOrgsListQueryRequest::new().sort_by(["colour"]).send(&client).await.unwrap_err();
    check(&err, 400, r#"InvalidField { field_name: "sort_by" }"#);
    let err = RevOrgsListQueryRequest::new().limit(0).send(&client).await.unwrap_err();
    check(
        &err,
        400,
        r#"ValueNotPermitted { allowed_values: [], field_name: "limit", reason: Some("limit must be at least 1") }"#,
    );
    let err = RevOrgsListQueryRequest::new().cursor("not-a-cursor").send(&client).await.unwrap_err();
    check(&err, 400, "BadRequest");

    // 404 not_found: an account or rev org that does not exist.
    let err = RevOrgsCreateRequest::new("ACC-Missing1", "x").send(&client).await.unwrap_err();
    check(&err, 404, "NotFound");
    let err = RevOrgsGetQueryRequest::by_id("REV-Missing1").send(&client).await.unwrap_err();
    check(&err, 404, "NotFound");
    assert!(err.is_not_found());

    // 409 conflict: a second rev org with the same external_ref.
    RevOrgsCreateRequest::new(acc.clone(), "first").external_ref("dup").send(&client).await.unwrap();
    let err = RevOrgsCreateRequest::new(acc.clone(), "second").external_ref("dup").send(&client).await.unwrap_err();
    check(&err, 409, "Conflict");

    // 404 for a path the server does not serve: typed `not_found`, like every other error.
    let err = Frobnicate { id: acc }.send(&client).await.unwrap_err();
    check(&err, 404, "NotFound");
    assert!(err.is_not_found());
    assert_eq!(err.error_type(), Some("not_found"));
    assert_eq!(err.message(), Some("route not found"));

    // Every error also carries the rate-limit headers of its answer.
    assert_eq!(err.rate_limit().unwrap().limit, Some(devrev_testkit::RateLimit::default().requests.into()));
}
