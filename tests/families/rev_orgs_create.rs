//! `rev-orgs.create` on the wire: the exact request, the decoded answer, and
//! every documented error answer mapped to its typed error.

use crate::common;

use devrev::models::{OrgEnvironment, OrgSummary, SetTagWithValue, UserState, UserSummary};
use devrev::rev_orgs::RevOrgsCreateRequest;
use devrev::{Client, Error, ErrorKind};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::wire_support;
use wire_support::only_request;

const TOKEN: &str = "test-token-3f9a";
const CREATED: &str = common::fixtures::REV_ORG_CREATED;

fn client(server: &MockServer) -> Client {
    common::builder(server.uri(), TOKEN).api_version("2024-01-24").build().unwrap()
}

#[tokio::test]
async fn minimal_request_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rev-orgs.create"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(CREATED, "application/json"))
        .mount(&server)
        .await;

    RevOrgsCreateRequest::new("ACC-12345", "Acme Staging").send(&client(&server)).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/rev-orgs.create");
    assert_eq!(request.url.query(), None);
    let h = |name: &str| request.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(h("authorization").as_deref(), Some("Bearer test-token-3f9a"));
    assert_eq!(h("accept").as_deref(), Some("application/json"));
    assert_eq!(h("content-type").as_deref(), Some("application/json"));
    assert_eq!(h("x-devrev-version").as_deref(), Some("2024-01-24"));
    assert_eq!(h("user-agent").as_deref(), Some(concat!("devrev-rust/", env!("CARGO_PKG_VERSION"))));
    // Unset optionals are absent, not null.
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body, json!({"account": "ACC-12345", "display_name": "Acme Staging"}));
}

#[tokio::test]
#[allow(deprecated)]
async fn fully_filled_request_on_the_wire() {
    let server = MockServer::start().await;
    let expected = json!({
        "account": "ACC-12345",
        "artifacts": ["ARTIFACT-1", "ARTIFACT-2"],
        "custom_fields": {"tier_code": "gold"},
        "custom_schema_fragments": ["don:core:dvrv-us-1:devo/0:custom_type_fragment/5"],
        "description": "Staging workspace",
        "display_name": "Acme Staging",
        "domain": "acme.example",
        "environment": "staging",
        "external_ref": "acme-staging",
        "tags": [{"id": "TAG-9", "value": "platinum"}, {"id": "TAG-10"}],
        "tier": "gold"
    });
    Mock::given(method("POST"))
        .and(path("/rev-orgs.create"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(201).set_body_raw(CREATED, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let mut custom = serde_json::Map::new();
    custom.insert("tier_code".into(), json!("gold"));
    RevOrgsCreateRequest::new("ACC-12345", "Acme Staging")
        .artifacts(["ARTIFACT-1", "ARTIFACT-2"])
        .custom_fields(custom)
        .custom_schema_fragments(["don:core:dvrv-us-1:devo/0:custom_type_fragment/5"])
        .description("Staging workspace")
        .domain("acme.example")
        .environment(OrgEnvironment::Staging)
        .external_ref("acme-staging")
        .tags([SetTagWithValue::with_value("TAG-9", "platinum"), SetTagWithValue::new("TAG-10")])
        .tier("gold")
        .send(&client(&server))
        .await
        .unwrap();
}

#[tokio::test]
#[allow(deprecated)] // `domain`: deprecated by DevRev, still decoded
async fn seed_shaped_answer_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rev-orgs.create"))
        .and(header("authorization", "Bearer test-token-3f9a"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(CREATED, "application/json"))
        .mount(&server)
        .await;

    let org = RevOrgsCreateRequest::new("ACC-12345", "Acme Staging").send(&client(&server)).await.unwrap().rev_org;

    assert_eq!(org.id, "don:identity:dvrv-us-1:devo/0:revo/Xy12Zw9Q");
    assert_eq!(org.display_id.as_deref(), Some("REV-Xy12Zw9Q"));
    assert_eq!(org.display_name.as_deref(), Some("Acme Staging"));
    assert_eq!(org.created_date.unwrap().to_rfc3339(), "2024-03-05T09:15:00.250+00:00");
    assert_eq!(org.modified_date.unwrap().timestamp(), 1_709_719_200);
    match org.created_by.as_ref().unwrap() {
        UserSummary::DevUser(user) => {
            assert_eq!(user.display_name.as_deref(), Some("ada"));
            assert_eq!(user.state, Some(UserState::Active));
            assert_eq!(user.display_picture.as_ref().unwrap().file.as_ref().unwrap().size, Some(20480));
        }
        other => panic!("expected a dev user, got {other:?}"),
    }
    // An enum value this crate does not know decodes, keeping the string.
    match org.modified_by.as_ref().unwrap() {
        UserSummary::ServiceAccount(user) => {
            assert_eq!(user.state, Some(UserState::Unknown("hibernating".into())));
        }
        other => panic!("expected a service account, got {other:?}"),
    }
    assert_eq!(org.account.as_ref().unwrap().display_id.as_deref(), Some("ACC-12345"));
    assert_eq!(org.artifacts.as_ref().unwrap()[0].file.as_ref().unwrap().name.as_deref(), Some("contract.pdf"));
    assert_eq!(org.custom_fields.as_ref().unwrap()["seats"], 120);
    assert_eq!(org.custom_schema_fragments.as_ref().unwrap().len(), 1);
    assert_eq!(org.description.as_deref(), Some("Staging workspace for Acme"));
    assert_eq!(org.domain.as_deref(), Some("acme.example"));
    assert_eq!(org.external_ref.as_deref(), Some("acme-staging"));
    match org.primary_rev_org.as_ref().unwrap() {
        OrgSummary::Account(acc) => assert_eq!(acc.display_name.as_deref(), Some("Acme")),
        other => panic!("expected an account, got {other:?}"),
    }
    assert_eq!(org.stock_schema_fragment.as_deref(), Some("don:core:dvrv-us-1:devo/0:custom_type_fragment/1"));
    assert_eq!(org.subtype.as_deref(), Some("enterprise"));
    let tag = &org.tags.as_ref().unwrap()[0];
    assert_eq!(tag.tag.name, "vip");
    assert_eq!(tag.tag.style_new.as_ref().unwrap().color.as_deref(), Some("#ff8800"));
    assert_eq!(tag.value.as_deref(), Some("platinum"));
}

#[tokio::test]
async fn unknown_summary_type_decodes_to_fallback() {
    let server = MockServer::start().await;
    let body = json!({"rev_org": {
        "id": "don:identity:dvrv-us-1:devo/0:revo/1",
        "created_by": {"type": "robot_user", "id": "don:robot/1", "display_name": "r2"},
        "primary_rev_org": {"type": "galaxy_org", "id": "don:galaxy/1"}
    }});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201).set_body_json(body)).mount(&server).await;
    let org = RevOrgsCreateRequest::new("ACC-1", "x").send(&client(&server)).await.unwrap().rev_org;
    let created_by = org.created_by.unwrap();
    assert_eq!(created_by.type_name(), "robot_user");
    assert_eq!(created_by.id(), Some("don:robot/1"));
    assert_eq!(created_by.display_name(), Some("r2"));
    assert_eq!(org.primary_rev_org.unwrap().type_name(), "galaxy_org");
}

/// Sends a create against a server answering `status` with `body`, returns the error.
async fn error_for(status: u16, body: &str) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rev-orgs.create"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    RevOrgsCreateRequest::new("ACC-12345", "Acme").send(&client(&server)).await.unwrap_err()
}

#[tokio::test]
async fn seed_error_bodies_map_to_typed_errors() {
    let err = error_for(
        400,
        r#"{"type":"artifact_already_attached_to_a_parent","message":"already attached","detail":"ARTIFACT-1","existing_parent":"REV-9","is_same":true}"#,
    )
    .await;
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.error_type(), Some("artifact_already_attached_to_a_parent"));
    assert_eq!(err.message(), Some("already attached"));
    assert_eq!(err.api().unwrap().detail(), Some("ARTIFACT-1"));
    assert_eq!(
        err.kind().map(|k| format!("{k:?}")).as_deref(),
        Some(r#"ArtifactAlreadyAttachedToAParent { existing_parent: "REV-9", is_same: true }"#)
    );

    let err = error_for(401, r#"{"type":"unauthenticated","message":"bad token","detail":"expired"}"#).await;
    assert_eq!((err.status(), err.kind()), (Some(401), Some(&ErrorKind::Unauthenticated)));
    let err = error_for(403, r#"{"type":"forbidden","message":"no","detail":"d"}"#).await;
    assert_eq!((err.status(), err.kind()), (Some(403), Some(&ErrorKind::Forbidden)));
    let err = error_for(404, r#"{"type":"not_found","message":"no such account","detail":"d"}"#).await;
    assert_eq!((err.status(), err.kind()), (Some(404), Some(&ErrorKind::NotFound)));
    assert!(err.is_not_found());
    let err = error_for(409, r#"{"type":"conflict","message":"external_ref taken","detail":"d"}"#).await;
    assert_eq!((err.status(), err.kind()), (Some(409), Some(&ErrorKind::Conflict)));

    let err =
        error_for(429, r#"{"type":"too_many_requests","message":"slow down","detail":"d","retry_after":42}"#).await;
    assert_eq!(err.kind().map(|k| format!("{k:?}")).as_deref(), Some(r#"TooManyRequests { retry_after: Some(42) }"#));
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(42)));

    let err =
        error_for(500, r#"{"type":"internal_error","message":"oops","detail":"d","reference_id":"ref-77"}"#).await;
    assert_eq!(
        err.kind().map(|k| format!("{k:?}")).as_deref(),
        Some(r#"InternalError { reference_id: Some("ref-77") }"#)
    );
    assert_eq!(err.reference_id(), Some("ref-77"));
    assert!(err.to_string().contains("ref-77"), "{err}");

    let err = error_for(503, r#"{"type":"service_unavailable","message":"down","detail":"d"}"#).await;
    assert_eq!((err.status(), err.kind()), (Some(503), Some(&ErrorKind::ServiceUnavailable)));
}

#[tokio::test]
async fn every_bad_request_subtype_carries_its_fields() {
    // Each expected kind is written as its `Debug`, which names every field:
    // the variants are `#[non_exhaustive]`, so a test cannot build them.
    let cases: Vec<(&str, &str)> = vec![
        (r#"{"type":"bad_request","message":"m"}"#, "BadRequest"),
        (
            r#"{"type":"invalid_enum_value","allowed_values":["production","staging","test"],"field_name":"environment","value":"prod"}"#,
            r#"InvalidEnumValue { allowed_values: ["production", "staging", "test"], field_name: "environment", value: "prod" }"#,
        ),
        (r#"{"type":"invalid_field","field_name":"tier"}"#, r#"InvalidField { field_name: "tier" }"#),
        (r#"{"type":"invalid_id","field_name":"account"}"#, r#"InvalidId { field_name: "account" }"#),
        (
            r#"{"type":"missing_required_field","field_name":"display_name"}"#,
            r#"MissingRequiredField { field_name: "display_name" }"#,
        ),
        (r#"{"type":"parse_error","message":"bad json"}"#, "ParseError"),
        (r#"{"type":"stale_schema_fragments"}"#, "StaleSchemaFragments"),
        (r#"{"type":"invalid_api_version","value":"1999-01-01"}"#, r#"InvalidApiVersion { value: "1999-01-01" }"#),
        (r#"{"type":"unexpected_id_type","field_name":"account"}"#, r#"UnexpectedIdType { field_name: "account" }"#),
        (
            r#"{"type":"unexpected_json_type","actual":"number","expected":"string","field_name":"tier"}"#,
            r#"UnexpectedJsonType { actual: Number, expected: String, field_name: "tier" }"#,
        ),
        (
            r#"{"type":"value_not_permitted","field_name":"tier","reason":"locked","allowed_values":["a"]}"#,
            r#"ValueNotPermitted { allowed_values: ["a"], field_name: "tier", reason: Some("locked") }"#,
        ),
        (
            r#"{"type":"customization_validation_error","subtype":"field_required","field_name":"tnt__x","reason":"r"}"#,
            r#"CustomizationValidationError { subtype: "field_required", field_name: Some("tnt__x"), reason: Some("r") }"#,
        ),
        (
            r#"{"type":"missing_dependency","dependencies":[{"field_name":"a","field_value":"b"}],"provided_field_name":"c"}"#,
            r#"MissingDependency { dependencies: [MissingDependency { field_name: "a", field_value: "b" }], dependent_field_name: None, dependent_field_value: None, provided_field_name: Some("c"), provided_field_value: None }"#,
        ),
        (
            r#"{"type":"merge_works_error","errors":[{"work":"ISS-1","details":"closed"}]}"#,
            r#"MergeWorksError { errors: [Object {"details": String("closed"), "work": String("ISS-1")}] }"#,
        ),
        (
            r#"{"type":"workflow_component_validation_errors","errors":[{"code":"E1","message":"bad"}]}"#,
            r#"WorkflowComponentValidationErrors { errors: [Object {"code": String("E1"), "message": String("bad")}] }"#,
        ),
    ];
    for (body, expected) in cases {
        let err = error_for(400, body).await;
        assert_eq!(err.status(), Some(400), "{body}");
        assert_eq!(err.kind().map(|k| format!("{k:?}")).as_deref(), Some(expected), "{body}");
    }
}

#[tokio::test]
async fn non_json_502_is_typed_with_an_excerpt() {
    let err = error_for(502, "<html><body><h1>502 Bad Gateway</h1></body></html>").await;
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.error_type(), None);
    let api = err.api().expect("an API error");
    assert_eq!(api.excerpt(), Some("<html><body><h1>502 Bad Gateway</h1></body></html>"));
    assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
}

#[tokio::test]
async fn route_not_found_404() {
    let err = error_for(404, r#"{"message":"route not found"}"#).await;
    assert!(err.is_not_found());
    assert_eq!(err.error_type(), None);
    assert_eq!(err.message(), Some("route not found"));
    assert!(matches!(err.kind(), Some(ErrorKind::Unknown { error_type: None, .. })));
}

#[tokio::test]
async fn unknown_error_type_keeps_the_string() {
    let err = error_for(418, r#"{"type":"teapot_overflow","message":"short and stout","spout":2}"#).await;
    assert_eq!(err.status(), Some(418));
    assert_eq!(err.error_type(), Some("teapot_overflow"));
    match err.kind() {
        Some(ErrorKind::Unknown { error_type, fields, .. }) => {
            assert_eq!(error_type.as_deref(), Some("teapot_overflow"));
            assert_eq!(fields["spout"], 2);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn token_never_in_errors() {
    let err = error_for(401, r#"{"type":"unauthenticated","message":"bad"}"#).await;
    assert!(!format!("{err:?}").contains(TOKEN));
    assert!(!err.to_string().contains(TOKEN));
}
