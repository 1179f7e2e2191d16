//! End to end: the embedded server holds the operations it serves from
//! DevRev's spec (works, tags, ...) to their schemas, and the client surfaces
//! its answers as typed errors and typed values. The requests are written
//! here by hand (no generated family needed), so they can be wrong on purpose.

use crate::common;

use common::testkit_client;
use devrev::{devrev_endpoint, Error};
use devrev_testkit::TestServer;
use serde::{Deserialize, Serialize};

/// `works.create` with any JSON in its fields.
#[devrev_endpoint(POST, "/works.create", response = serde_json::Value)]
#[derive(Debug, Clone, Serialize)]
struct LooseWorksCreate {
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

/// `tags.create`, typed.
#[devrev_endpoint(POST, "/tags.create", builder)]
#[derive(Debug, Clone, Serialize)]
struct TagsCreateRequest {
    name: String,
}

#[derive(Debug, Deserialize)]
struct TagsCreateResponse {
    tag: Tag,
}

#[derive(Debug, Deserialize)]
struct Tag {
    id: String,
    name: String,
}

/// `tags.get` as a GET.
#[devrev_endpoint(GET, "/tags.get", response = TagsCreateResponse)]
#[derive(Debug, Clone, Serialize)]
struct TagsGet {
    id: String,
}

fn kind(err: &Error) -> String {
    assert_eq!(err.status(), Some(400), "{err}");
    err.kind().map(|k| format!("{k:?}")).unwrap_or_default()
}

fn works_create(fields: serde_json::Value) -> LooseWorksCreate {
    LooseWorksCreate { fields: fields.as_object().cloned().unwrap_or_default() }
}

#[tokio::test]
async fn spec_violations_are_typed_errors() {
    let server = TestServer::start().await;
    let client = testkit_client(&server);
    // The server checks references: the part must exist.
    let part = server
        .insert("/parts.create", serde_json::json!({"type": "product", "name": "App", "owned_by": ["DEVU-1"]}))
        .unwrap();
    let valid = serde_json::json!({
        "type": "issue", "title": "Crash", "applies_to_part": part["part"]["display_id"], "owned_by": ["DEVU-1"]
    });
    let created = works_create(valid.clone()).send(&client).await.unwrap();
    assert_eq!(created["work"]["title"], "Crash");

    let mut missing = valid.clone();
    missing.as_object_mut().unwrap().remove("owned_by");
    let err = works_create(missing).send(&client).await.unwrap_err();
    assert_eq!(kind(&err), r#"MissingRequiredField { field_name: "owned_by" }"#);

    let mut wrong = valid.clone();
    wrong["title"] = serde_json::json!(["not", "a", "string"]);
    let err = works_create(wrong).send(&client).await.unwrap_err();
    assert_eq!(kind(&err), r#"UnexpectedJsonType { actual: Array, expected: String, field_name: "title" }"#);

    let mut unknown = valid.clone();
    unknown["type"] = serde_json::json!("epic");
    let err = works_create(unknown).send(&client).await.unwrap_err();
    assert_eq!(
        kind(&err),
        r#"InvalidEnumValue { allowed_values: ["issue", "opportunity", "task", "ticket"], field_name: "type", value: "epic" }"#
    );

    let mut bad_date = valid.clone();
    bad_date["target_close_date"] = serde_json::json!("next tuesday");
    let err = works_create(bad_date).send(&client).await.unwrap_err();
    assert_eq!(kind(&err), r#"InvalidField { field_name: "target_close_date" }"#);
}

#[tokio::test]
async fn state_round_trips_through_typed_calls() {
    let server = TestServer::start().await;
    let client = testkit_client(&server);
    let created = TagsCreateRequest::new("vip").send(&client).await.unwrap();
    assert_eq!(created.tag.name, "vip");
    let got = TagsGet { id: created.tag.id.clone() }.send(&client).await.unwrap();
    assert_eq!((got.tag.id, got.tag.name), (created.tag.id, "vip".to_owned()));
    let err = TagsGet { id: "TAG-999999".into() }.send(&client).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.error_type(), Some("not_found"));
}
