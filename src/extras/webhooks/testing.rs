//! Signed test deliveries, for unit tests of webhook handlers: a
//! [`TestEvent`] builds the body DevRev would POST (`id`, `webhook_id`,
//! `timestamp`, `type` and the data under the type's name) and signs it
//! with [`sign`](super::sign), so a test needs neither a server nor
//! hand-built JSON.
//!
//! ```
//! use devrev::webhooks::testing::TestEvent;
//! use devrev::webhooks::{EventKind, Verifier, WebhookSecret};
//!
//! let secret = WebhookSecret::new("a-test-secret-1234");
//! let verifier = Verifier::new(secret.clone()).dedupe(100);
//!
//! let delivery = TestEvent::new("work_deleted", serde_json::json!({ "id": "don:core:dvrv-us-1:devo/1:issue/7" }))
//!     .id("evt-7")
//!     .sign(&secret);
//! let event = verifier.verify(&delivery.headers(), &delivery.body).unwrap();
//! assert_eq!(event.id, "evt-7");
//! assert!(matches!(&event.kind, EventKind::WorkDeleted(deleted) if deleted.id.ends_with("issue/7")));
//!
//! // The challenge DevRev sends first, and a delivery signed with another secret.
//! let verify = TestEvent::verify("abc").sign(&secret);
//! assert_eq!(verifier.verify(&verify.headers(), &verify.body).unwrap().challenge(), Some("abc"));
//! let forged = TestEvent::new("work_deleted", serde_json::json!({ "id": "x" })).sign(&WebhookSecret::new("other-secret"));
//! assert_eq!(verifier.verify(&forged.headers(), &forged.body).unwrap_err().status(), 401);
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{sign, WebhookSecret, SIGNATURE_HEADER};

/// A webhook delivery to build and sign; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct TestEvent {
    id: Option<String>,
    webhook_id: String,
    timestamp: Option<DateTime<Utc>>,
    event_type: String,
    data: Value,
}

impl TestEvent {
    /// An event of `event_type` (`work_created`, ...) with `data` under the
    /// type's name (for `work_created`, `{"work": {...}}`). The ID is unique
    /// per process (`test-event-<n>`), the webhook `test-webhook`, the
    /// timestamp the time of signing.
    pub fn new(event_type: impl Into<String>, data: Value) -> Self {
        TestEvent {
            id: None,
            webhook_id: "test-webhook".to_owned(),
            timestamp: None,
            event_type: event_type.into(),
            data,
        }
    }

    /// The `verify` event DevRev sends first, with this challenge.
    pub fn verify(challenge: impl Into<String>) -> Self {
        TestEvent::new("verify", serde_json::json!({ "challenge": challenge.into() }))
    }

    /// The event ID (retries of one event share it).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The webhook's ID.
    pub fn webhook_id(mut self, id: impl Into<String>) -> Self {
        self.webhook_id = id.into();
        self
    }

    /// The `timestamp` (default: when [`sign`](Self::sign) is called); an
    /// old one tests the verifier's tolerance.
    pub fn timestamp(mut self, timestamp: DateTime<Utc>) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// The body as DevRev sends it, unsigned.
    pub fn body(&self) -> Vec<u8> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = self.id.clone().unwrap_or_else(|| format!("test-event-{}", NEXT.fetch_add(1, Ordering::Relaxed)));
        let timestamp = self.timestamp.unwrap_or_else(Utc::now);
        let mut object = Map::new();
        object.insert("id".into(), Value::String(id));
        object.insert("webhook_id".into(), Value::String(self.webhook_id.clone()));
        object
            .insert("timestamp".into(), Value::String(timestamp.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)));
        object.insert("type".into(), Value::String(self.event_type.clone()));
        object.insert(self.event_type.clone(), self.data.clone());
        serde_json::to_vec(&Value::Object(object)).unwrap_or_default()
    }

    /// The body, signed with `secret` as DevRev signs it.
    pub fn sign(&self, secret: &WebhookSecret) -> SignedDelivery {
        let body = self.body();
        let signature = sign(secret, &body);
        SignedDelivery { body, signature }
    }
}

/// A signed delivery: the body and its `X-DevRev-Signature`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedDelivery {
    /// The exact body.
    pub body: Vec<u8>,
    /// The lowercase hex HMAC-SHA256 of the body.
    pub signature: String,
}

impl SignedDelivery {
    /// The headers DevRev sends: `Content-Type` and `X-DevRev-Signature`.
    pub fn headers(&self) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
        if let Ok(value) = http::HeaderValue::from_str(&self.signature) {
            headers.insert(SIGNATURE_HEADER, value);
        }
        headers
    }

    /// As an `http::Request` POSTed to `uri` (for `tower::ServiceExt::oneshot`
    /// on an axum router, or any `http` based framework).
    ///
    /// # Errors
    /// An `http::Error` for a `uri` that is not a valid URI.
    pub fn request(&self, uri: &str) -> Result<http::Request<Vec<u8>>, http::Error> {
        let mut builder = http::Request::builder().method(http::Method::POST).uri(uri);
        for (name, value) in &self.headers() {
            builder = builder.header(name, value);
        }
        builder.body(self.body.clone())
    }
}
