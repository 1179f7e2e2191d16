//! Property tests of the decoding path `send` uses, without a network:
//! `devrev::__private::decode_answer` maps (status, headers, body) to the
//! same `Result` a call returns. Arbitrary bytes and arbitrary JSON, as
//! success and as error bodies, with any status and any headers, never panic,
//! and always land in the error variant the status calls for.

use crate::reliability_support;

use std::time::Duration;

use devrev::__private::{decode_answer, HeaderMap, HeaderName, HeaderValue};
use devrev::rev_orgs::RevOrgsCreateResponse;
use devrev::{DevRevError, Error, ErrorBody, Result};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use reliability_support::{EmptyResponse, ThingResponse};
use serde::Deserialize;
use serde_json::Value;

/// A custom error body, as a user's endpoint may declare with `error = ...`.
#[derive(Debug, Deserialize)]
struct GatewayError {
    code: u32,
    hint: Option<String>,
    wait_seconds: Option<u64>,
}

impl ErrorBody for GatewayError {
    fn message(&self) -> Option<&str> {
        self.hint.as_deref()
    }
    fn retry_after(&self) -> Option<Duration> {
        self.wait_seconds.map(Duration::from_secs)
    }
}

const KEYS: &[&str] = &[
    "type",
    "message",
    "detail",
    "retry_after",
    "reference_id",
    "field_name",
    "allowed_values",
    "value",
    "actual",
    "expected",
    "dependencies",
    "errors",
    "existing_parent",
    "is_same",
    "subtype",
    "reason",
    "thing",
    "id",
    "state",
    "rev_org",
    "created_by",
    "display_name",
    "created_date",
    "tags",
    "code",
    "hint",
    "wait_seconds",
];

const TYPES: &[&str] = &[
    "bad_request",
    "artifact_already_attached_to_a_parent",
    "customization_validation_error",
    "invalid_api_version",
    "invalid_enum_value",
    "invalid_field",
    "invalid_id",
    "merge_works_error",
    "missing_dependency",
    "missing_required_field",
    "parse_error",
    "stale_schema_fragments",
    "unexpected_id_type",
    "unexpected_json_type",
    "value_not_permitted",
    "workflow_component_validation_errors",
    "unauthenticated",
    "forbidden",
    "not_found",
    "conflict",
    "too_many_requests",
    "internal_error",
    "service_unavailable",
    "dev_user",
    "rev_user",
    "account",
    "active",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => proptest::sample::select(KEYS).prop_map(str::to_owned), 1 => ".{0,12}"]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        proptest::sample::select(TYPES).prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object shaped like a DevRev error: a known `type` and random fields.
fn error_object() -> impl Strategy<Value = Value> {
    (proptest::sample::select(TYPES), btree_map(key(), json(), 0..8)).prop_map(|(t, fields)| {
        let mut map: serde_json::Map<String, Value> = fields.into_iter().collect();
        map.insert("type".into(), Value::from(t));
        Value::Object(map)
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..2048),
        json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        error_object().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        // JSON cut short at a random point.
        (json(), any::<prop::sample::Index>()).prop_map(|(v, at)| {
            let bytes = serde_json::to_vec(&v).unwrap();
            let end = at.index(bytes.len() + 1);
            bytes[..end].to_vec()
        }),
        Just(Vec::new()),
        Just(b"   \n".to_vec()),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => proptest::sample::select(vec![200u16, 201, 204, 301, 302, 307, 400, 401, 403, 404, 408, 409, 429, 500, 502, 503, 504]),
        1 => 100u16..1000,
        1 => any::<u16>(),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let name = prop_oneof![
        proptest::sample::select(vec![
            "retry-after",
            "location",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "content-type",
            "content-length",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z-]{1,12}",
        ".{0,8}",
    ];
    let value = prop_oneof![
        "[0-9]{1,25}".prop_map(String::into_bytes),
        Just(b"Wed, 21 Oct 2015 07:28:00 GMT".to_vec()),
        Just(b"Fri, 01 Jan 9999 00:00:00 GMT".to_vec()),
        ".{0,40}".prop_map(String::into_bytes),
        vec(any::<u8>(), 0..40),
    ];
    vec((name, value), 0..6)
}

fn header_map(pairs: &[(String, Vec<u8>)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        // Bytes a real response could not carry are skipped, as hyper would refuse them.
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(value)) {
            map.append(n, v);
        }
    }
    map
}

/// Checks what any answer must map to, and that it prints.
fn check<T: std::fmt::Debug>(status: u16, headers: &HeaderMap, result: Result<devrev::Response<T>>) {
    match result {
        Ok(response) => {
            assert!((200..300).contains(&status), "a {status} decoded as a success");
            assert_eq!(response.status(), status);
            let _ = response.rate_limit().reset_at();
            let _ = format!("{response:?}");
        }
        Err(err) => {
            let expected = match status {
                200..=299 => "decode",
                300..=399 => "redirect",
                _ => "api",
            };
            let actual = match &err {
                Error::Decode(d) => {
                    assert!(d.excerpt().len() <= 512 + '…'.len_utf8(), "excerpt of {} bytes", d.excerpt().len());
                    "decode"
                }
                Error::Redirect(r) => {
                    let location = headers.get("location").and_then(|v| v.to_str().ok());
                    assert_eq!(r.location(), location);
                    "redirect"
                }
                Error::Api(api) => {
                    assert_eq!(api.status(), status);
                    if let Some(excerpt) = api.excerpt() {
                        assert!(excerpt.len() <= 512 + '…'.len_utf8());
                    }
                    "api"
                }
                other => panic!("decoding gave {other:?}"),
            };
            assert_eq!(actual, expected, "status {status}: {err:?}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.attempts(), 1);
            let _ = (err.to_string(), format!("{err:?}"), err.error_type(), err.kind(), err.retry_after());
            let _ =
                (err.rate_limit().map(devrev::RateLimit::reset_at), err.reference_id(), err.message(), err.location());
        }
    }
}

fn run_all(status: u16, headers: &HeaderMap, body: &[u8]) {
    check(status, headers, decode_answer::<ThingResponse, DevRevError>(status, headers.clone(), body));
    check(status, headers, decode_answer::<RevOrgsCreateResponse, DevRevError>(status, headers.clone(), body));
    check(status, headers, decode_answer::<Value, DevRevError>(status, headers.clone(), body));
    check(status, headers, decode_answer::<EmptyResponse, GatewayError>(status, headers.clone(), body));
    check(status, headers, decode_answer::<(), GatewayError>(status, headers.clone(), body));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_decodes_or_is_a_typed_error(status in status(), headers in headers(), body in body()) {
        run_all(status, &header_map(&headers), &body);
    }

    #[test]
    fn retry_after_is_the_larger_of_header_and_body(header in proptest::option::of(0u64..1_000_000), body in proptest::option::of(any::<u64>())) {
        let mut headers = HeaderMap::new();
        if let Some(secs) = header {
            headers.insert("retry-after", HeaderValue::from(secs));
        }
        let mut json = serde_json::json!({"type": "too_many_requests", "message": "slow down"});
        if let Some(secs) = body {
            json["retry_after"] = Value::from(secs);
        }
        let err = decode_answer::<Value, DevRevError>(429, headers, &serde_json::to_vec(&json).unwrap()).unwrap_err();
        let expected = header.map(Duration::from_secs).max(body.map(Duration::from_secs));
        prop_assert_eq!(err.retry_after(), expected);
    }
}

#[test]
fn success_decodes_as_send_would() {
    let body = br#"{"thing":{"id":"T-1","state":"locked"}}"#;
    let ok = decode_answer::<ThingResponse, DevRevError>(201, HeaderMap::new(), body).unwrap();
    assert_eq!((ok.status(), ok.value.thing.id.as_str()), (201, "T-1"));
    let empty = decode_answer::<EmptyResponse, DevRevError>(204, HeaderMap::new(), b"").unwrap();
    assert_eq!(empty.value, EmptyResponse {});
    let unit = decode_answer::<(), DevRevError>(200, HeaderMap::new(), b"").unwrap();
    assert_eq!(unit.status(), 200);
}

#[test]
fn a_custom_error_body_is_reachable() {
    let err =
        decode_answer::<Value, GatewayError>(503, HeaderMap::new(), br#"{"code":7,"hint":"later","wait_seconds":12}"#)
            .unwrap_err();
    let body = err.api().unwrap().body::<GatewayError>().unwrap();
    assert_eq!((body.code, err.message(), err.retry_after()), (7, Some("later"), Some(Duration::from_secs(12))));
}

#[test]
fn deep_nesting_is_a_decode_error_not_a_stack_overflow() {
    let deep: Vec<u8> = std::iter::repeat_n(b'[', 100_000).collect();
    run_all(200, &HeaderMap::new(), &deep);
    run_all(500, &HeaderMap::new(), &deep);
    let nested_object = "{\"a\":".repeat(50_000);
    run_all(200, &HeaderMap::new(), nested_object.as_bytes());
    run_all(400, &HeaderMap::new(), nested_object.as_bytes());
}
