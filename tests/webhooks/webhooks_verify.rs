//! The webhook verifier: signatures (a known-answer vector, a changed body, the
//! wrong secret, malformed and missing headers), the timestamp tolerance, the
//! challenge answer, de-duplication, unknown event types, and no panic on any
//! input. `cargo test -p devrev --features webhooks --test webhooks webhooks_verify::`.
#![cfg(feature = "webhooks")]

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use devrev::webhooks::{
    challenge_answer, sign, Dedupe, Event, EventKind, Verifier, WebhookError, WebhookSecret, SIGNATURE_HEADER,
};
use proptest::prelude::*;

const SECRET: &str = "whsec-test-0123456789";

fn now() -> DateTime<Utc> {
    "2024-06-01T12:00:00Z".parse().unwrap()
}

fn body_at(timestamp: &str, event_type: &str, data: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"evt-1","webhook_id":"wh-1","timestamp":"{timestamp}","type":"{event_type}","{event_type}":{data}}}"#
    )
    .into_bytes()
}

fn verify_body() -> Vec<u8> {
    body_at("2024-06-01T12:00:00Z", "verify", r#"{"challenge":"c-123"}"#)
}

fn verifier() -> Verifier {
    Verifier::new(WebhookSecret::new(SECRET))
}

fn signed(body: &[u8]) -> String {
    sign(&WebhookSecret::new(SECRET), body)
}

#[test]
fn hmac_sha256_hex_known_answer() {
    // RFC 4231, test case 2.
    let signature = sign(&WebhookSecret::new("Jefe"), b"what do ya want for nothing?");
    assert_eq!(signature, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert!(Verifier::new(WebhookSecret::new("Jefe"))
        .check_signature(&signature, b"what do ya want for nothing?")
        .is_ok());
}

#[test]
fn a_signed_delivery_verifies_through_a_header_map() {
    let body = body_at(&Utc::now().to_rfc3339(), "verify", r#"{"challenge":"c-123"}"#);
    let mut headers = http::HeaderMap::new();
    headers.insert("X-DevRev-Signature", signed(&body).parse().unwrap());
    let event = verifier().verify(&headers, &body).unwrap();
    assert_eq!(event.id, "evt-1");
    assert_eq!(event.webhook_id, "wh-1");
    assert_eq!(event.challenge(), Some("c-123"));
}

#[test]
fn a_one_byte_change_to_the_body_is_a_mismatch() {
    let body = verify_body();
    let signature = signed(&body);
    for i in [0, body.len() / 2, body.len() - 1] {
        let mut changed = body.clone();
        changed[i] ^= 0x01;
        let err = verifier().verify_at(Some(&signature), &changed, now()).unwrap_err();
        assert!(matches!(err, WebhookError::SignatureMismatch), "byte {i}: {err:?}");
        assert_eq!(err.status(), 401);
    }
}

#[test]
fn the_wrong_secret_is_a_mismatch() {
    let body = verify_body();
    let signature = sign(&WebhookSecret::new("another secret"), &body);
    let err = verifier().verify_at(Some(&signature), &body, now()).unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch), "{err:?}");
}

#[test]
fn upper_case_and_truncated_signatures_are_malformed() {
    let body = verify_body();
    let signature = signed(&body);
    for bad in [signature.to_uppercase(), signature[..63].to_owned(), signature[..32].to_owned(), String::new()] {
        let err = verifier().verify_at(Some(&bad), &body, now()).unwrap_err();
        assert!(matches!(err, WebhookError::MalformedSignature { .. }), "{bad:?}: {err:?}");
        assert_eq!(err.status(), 401);
    }
}

#[test]
fn a_missing_header_is_its_own_error() {
    let err = verifier().verify(&http::HeaderMap::new(), &verify_body()).unwrap_err();
    assert!(matches!(err, WebhookError::MissingSignature), "{err:?}");
    assert_eq!(err.to_string(), "no X-DevRev-Signature header");
}

#[test]
fn stale_and_future_timestamps_are_rejected_outside_the_tolerance() {
    let v = verifier().tolerance(Some(Duration::from_secs(300)));
    let at = |offset: i64| {
        let t = (now() + TimeDelta::seconds(offset)).to_rfc3339();
        body_at(&t, "verify", r#"{"challenge":"c"}"#)
    };
    // Inside the tolerance, either way.
    for offset in [-300, -1, 0, 1, 300] {
        let body = at(offset);
        assert!(v.verify_at(Some(&signed(&body)), &body, now()).is_ok(), "offset {offset}");
    }
    let old = at(-301);
    match v.verify_at(Some(&signed(&old)), &old, now()).unwrap_err() {
        WebhookError::Stale { age, tolerance, .. } => {
            assert_eq!(age, Duration::from_secs(301));
            assert_eq!(tolerance, Duration::from_secs(300));
        }
        other => panic!("{other:?}"),
    }
    let ahead = at(301);
    match v.verify_at(Some(&signed(&ahead)), &ahead, now()).unwrap_err() {
        WebhookError::FromTheFuture { ahead, .. } => assert_eq!(ahead, Duration::from_secs(301)),
        other => panic!("{other:?}"),
    }
    // Without a tolerance, any time passes.
    assert!(v.clone().tolerance(None).verify_at(Some(&signed(&old)), &old, now()).is_ok());
}

#[test]
fn not_json_and_wrong_shapes_are_typed() {
    let v = verifier().tolerance(None);
    let check = |body: &[u8]| v.verify_at(Some(&signed(body)), body, now());
    assert!(matches!(check(b"not json").unwrap_err(), WebhookError::NotJson(_)));
    for body in [
        &b"[1,2]"[..],
        br#"{"webhook_id":"w","type":"verify","verify":{"challenge":"c"}}"#,
        br#"{"id":1,"webhook_id":"w","type":"verify"}"#,
        br#"{"id":"e","webhook_id":"w"}"#,
        br#"{"id":"e","webhook_id":"w","type":"verify"}"#,
        br#"{"id":"e","webhook_id":"w","type":"verify","verify":{"nope":1}}"#,
        br#"{"id":"e","webhook_id":"w","type":"work_created","work_created":{"work":42}}"#,
        br#"{"id":"e","webhook_id":"w","timestamp":"yesterday","type":"verify","verify":{"challenge":"c"}}"#,
    ] {
        let err = check(body).unwrap_err();
        assert!(matches!(err, WebhookError::WrongShape { .. }), "{}: {err:?}", String::from_utf8_lossy(body));
        assert_eq!(err.status(), 400);
    }
    // A tolerance needs a timestamp.
    let body = br#"{"id":"e","webhook_id":"w","type":"verify","verify":{"challenge":"c"}}"#;
    assert!(matches!(verifier().verify_at(Some(&signed(body)), body, now()), Err(WebhookError::WrongShape { .. })));
}

#[test]
fn the_challenge_answer_is_exact() {
    let event = verifier().verify_at(Some(&signed(&verify_body())), &verify_body(), now()).unwrap();
    assert!(matches!(event.kind, EventKind::Verify(_)));
    assert_eq!(event.challenge_answer().as_deref(), Some(r#"{"challenge":"c-123"}"#));
    assert_eq!(challenge_answer(r#"a"b"#), r#"{"challenge":"a\"b"}"#);
    let other = body_at("2024-06-01T12:00:00Z", "job_created", "{}");
    let event = verifier().verify_at(Some(&signed(&other)), &other, now()).unwrap();
    assert_eq!(event.challenge_answer(), None);
}

#[test]
fn a_repeated_event_id_is_a_duplicate_but_verify_never_is() {
    let v = verifier().dedupe(100);
    let body = body_at("2024-06-01T12:00:00Z", "job_created", r#"{"x":1}"#);
    assert!(v.verify_at(Some(&signed(&body)), &body, now()).is_ok());
    let err = v.clone().verify_at(Some(&signed(&body)), &body, now()).unwrap_err();
    assert!(matches!(&err, WebhookError::Duplicate { id } if id == "evt-1"), "{err:?}");
    assert_eq!(err.status(), 200, "a duplicate is acknowledged");
    // A verify event is answered every time.
    for _ in 0..2 {
        assert!(v.verify_at(Some(&signed(&verify_body())), &verify_body(), now()).is_ok());
    }
}

#[test]
fn dedupe_memory_is_bounded_by_its_capacity() {
    let seen = Dedupe::new(3);
    for id in ["a", "b", "c", "d"] {
        assert!(seen.insert(id));
    }
    assert_eq!(seen.len(), 3);
    assert!(!seen.insert("d"), "the latest is remembered");
    assert!(seen.insert("a"), "the oldest was forgotten");
}

#[test]
fn an_unknown_type_keeps_its_payload() {
    let body = br#"{"id":"e","webhook_id":"w","type":"gizmo_exploded","gizmo_exploded":{"gizmo":{"id":"G-1"}}}"#;
    let event = Event::parse(body).unwrap();
    match &event.kind {
        EventKind::Unknown { event_type, raw } => {
            assert_eq!(event_type, "gizmo_exploded");
            assert_eq!(raw["gizmo_exploded"]["gizmo"]["id"], "G-1");
            assert_eq!(raw["webhook_id"], "w");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(event.kind.event_type(), "gizmo_exploded");
}

#[test]
fn the_secret_never_prints() {
    let secret = WebhookSecret::new(SECRET);
    assert_eq!(format!("{secret:?}"), "WebhookSecret(<redacted>)");
    assert_eq!(secret.to_string(), "<redacted>");
    assert!(!format!("{:?}", verifier()).contains(SECRET));
    assert_eq!(SIGNATURE_HEADER, "x-devrev-signature");
}

proptest! {
    #[test]
    fn no_input_panics(body in proptest::collection::vec(any::<u8>(), 0..512), signature in ".{0,80}", sign_it in any::<bool>()) {
        let v = verifier().dedupe(4);
        let signature = if sign_it { signed(&body) } else { signature };
        let _ = v.verify_at(Some(&signature), &body, now());
        let _ = v.verify_at(None, &body, now());
        let _ = Event::parse(&body);
    }

    #[test]
    fn no_delivery_shaped_input_panics(
        event_type in prop_oneof![Just("verify".to_owned()), Just("work_created".to_owned()), "[a-z_]{0,20}"],
        timestamp in prop_oneof![Just("2024-06-01T12:00:00Z".to_owned()), ".{0,30}"],
        data in prop_oneof![Just("{}".to_owned()), Just("null".to_owned()), Just(r#"{"challenge":"c"}"#.to_owned()), Just("[1]".to_owned())],
    ) {
        let body = format!(
            r#"{{"id":"e","webhook_id":"w","timestamp":{},"type":{},{}:{data}}}"#,
            serde_json::Value::String(timestamp), serde_json::Value::String(event_type.clone()), serde_json::Value::String(event_type)
        );
        let _ = verifier().verify_at(Some(&signed(body.as_bytes())), body.as_bytes(), now());
    }
}
