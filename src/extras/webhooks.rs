//! Receiving DevRev's webhooks: the signature check, the verify challenge,
//! de-duplication of retried deliveries, and the typed event.
//!
//! DevRev POSTs each event as one JSON object (`id`, `webhook_id`,
//! `timestamp`, `type`, and a field named after the type with the event's
//! data), signed in `X-DevRev-Signature`: the lowercase hex HMAC-SHA256 of the
//! raw body, keyed with the secret `webhooks.create` returned. A [`Verifier`]
//! checks that signature in constant time, rejects a `timestamp` further than
//! its tolerance (default [`DEFAULT_TOLERANCE`]) from now in either
//! direction, optionally reports a delivery it has seen before as
//! [`WebhookError::Duplicate`], and decodes the rest into an [`Event`] whose
//! [`EventKind`] has one variant per event type of DevRev's spec. Every
//! failure is its own [`WebhookError`]; no input panics.
//!
//! ```
//! use devrev::webhooks::{sign, EventKind, Verifier, WebhookSecret, SIGNATURE_HEADER};
//!
//! let verifier = Verifier::new(WebhookSecret::new("the secret webhooks.create returned"))
//!     .tolerance(Some(std::time::Duration::from_secs(300)))
//!     .dedupe(10_000);
//! # let now = chrono::Utc::now().to_rfc3339();
//! # let body = format!(r#"{{"id":"evt-1","webhook_id":"wh-1","timestamp":"{now}","type":"verify","verify":{{"challenge":"abc"}}}}"#);
//! # let mut headers = http::HeaderMap::new();
//! # headers.insert(SIGNATURE_HEADER, sign(&WebhookSecret::new("the secret webhooks.create returned"), body.as_bytes()).parse().unwrap());
//! // In your HTTP handler, with the request's headers and raw body:
//! match verifier.verify(&headers, body.as_bytes()) {
//!     Ok(event) => match event.challenge_answer() {
//!         Some(answer) => { /* answer 200 with `answer` as the JSON body */ }
//!         None => { /* answer 200 now, handle `event.kind` in the background */ }
//!     },
//!     Err(e) => { /* answer e.status(): 200 for a duplicate, 401 or 400 otherwise */ }
//! }
//! ```
//!
//! With the `axum` feature, `axum::Receiver` is all of this as a handler, in
//! two modes (acknowledge first, or at least once). For unit tests of a
//! handler, [`testing::TestEvent`] builds and signs a delivery.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

pub use crate::generated::webhook_event::{EventKind, EVENT_TYPES};

#[cfg(feature = "axum")]
pub mod axum;
pub mod testing;

/// The header DevRev signs deliveries in (header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "x-devrev-signature";

/// How far a delivery's `timestamp` may be from now, either way, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// A webhook's secret (returned once by `webhooks.create`). It prints as
/// `WebhookSecret(<redacted>)` in `Debug` and `<redacted>` in `Display`.
#[derive(Clone)]
pub struct WebhookSecret(SecretString);

impl WebhookSecret {
    /// Wraps a secret, as DevRev returned it (no trimming: every byte is key).
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookSecret(SecretString::from(secret.into()))
    }

    /// The secret's value. Never log what it returns.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length: this cannot fail.
        Hmac::<Sha256>::new_from_slice(self.0.expose_secret().as_bytes()).expect("HMAC accepts any key length")
    }
}

/// The `secret` of a generated model (`Webhook`, `WebhooksCreateResponse`'s
/// webhook) as the verifier's key: `Verifier::new(created.webhook.secret.into())`.
impl From<crate::Secret> for WebhookSecret {
    fn from(secret: crate::Secret) -> Self {
        WebhookSecret(secret.into_secret_string())
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The signature DevRev sends for `body`: lowercase hex of its HMAC-SHA256
/// keyed with `secret`. For tests and for servers that deliver webhooks.
pub fn sign(secret: &WebhookSecret, body: &[u8]) -> String {
    let mut mac = secret.mac();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Why a delivery was not accepted. Each case says what a receiver should
/// answer with [`status`](Self::status).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `X-DevRev-Signature` header.
    #[error("no X-DevRev-Signature header")]
    MissingSignature,
    /// The header is not 64 lowercase hex digits.
    #[error("malformed X-DevRev-Signature: {reason}")]
    MalformedSignature {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature is not the body's HMAC under this secret: a different
    /// secret, or a body changed on the way.
    #[error("the X-DevRev-Signature does not match the body")]
    SignatureMismatch,
    /// The `timestamp` is older than the tolerance: a late retry or a replay.
    #[error("stale delivery: its timestamp {timestamp} is {}s old, more than the {}s tolerance", age.as_secs(), tolerance.as_secs())]
    Stale {
        /// The delivery's timestamp.
        timestamp: DateTime<Utc>,
        /// How old it is.
        age: Duration,
        /// The verifier's tolerance.
        tolerance: Duration,
    },
    /// The `timestamp` is further in the future than the tolerance.
    #[error("delivery from the future: its timestamp {timestamp} is {}s ahead, more than the {}s tolerance", ahead.as_secs(), tolerance.as_secs())]
    FromTheFuture {
        /// The delivery's timestamp.
        timestamp: DateTime<Utc>,
        /// How far ahead of now it is.
        ahead: Duration,
        /// The verifier's tolerance.
        tolerance: Duration,
    },
    /// The body is not JSON.
    #[error("the body is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// JSON, but not a delivery: not an object, a missing or mistyped `id`,
    /// `webhook_id`, `type` or `timestamp`, or data that does not fit its type.
    #[error("not a webhook delivery: {reason}")]
    WrongShape {
        /// What does not fit.
        reason: String,
    },
    /// A delivery with this event ID was accepted already (DevRev retries
    /// until answered); answer 200 so it stops, and do not handle it again.
    #[error("duplicate delivery of event {id}")]
    Duplicate {
        /// The event's ID.
        id: String,
    },
}

impl WebhookError {
    /// The HTTP status a receiver should answer with: 200 for a
    /// [`Duplicate`](Self::Duplicate) (acknowledged, so DevRev stops
    /// retrying), 401 for a signature problem, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            WebhookError::Duplicate { .. } => 200,
            WebhookError::MissingSignature
            | WebhookError::MalformedSignature { .. }
            | WebhookError::SignatureMismatch => 401,
            _ => 400,
        }
    }
}

/// One verified webhook delivery.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// The event's ID: the same on every retry of one delivery.
    pub id: String,
    /// The webhook it was delivered for.
    pub webhook_id: String,
    /// When DevRev produced it (absent only if DevRev left it out).
    pub timestamp: Option<DateTime<Utc>>,
    /// The type and its data.
    pub kind: EventKind,
}

impl Event {
    /// Decodes a delivery's body without checking a signature or the time
    /// (for a body something else has verified, or tests).
    ///
    /// # Errors
    /// [`WebhookError::NotJson`] or [`WebhookError::WrongShape`].
    pub fn parse(body: &[u8]) -> Result<Event, WebhookError> {
        let value: serde_json::Value = serde_json::from_slice(body).map_err(WebhookError::NotJson)?;
        let serde_json::Value::Object(mut object) = value else {
            return Err(shape("the body is not a JSON object"));
        };
        let string = |object: &serde_json::Map<String, serde_json::Value>, key: &str| match object.get(key) {
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(_) => Err(shape(format!("`{key}` is not a string"))),
        };
        let id = string(&object, "id")?.ok_or_else(|| shape("no `id`"))?;
        let webhook_id = string(&object, "webhook_id")?.ok_or_else(|| shape("no `webhook_id`"))?;
        let event_type = string(&object, "type")?.ok_or_else(|| shape("no `type`"))?;
        let timestamp = match string(&object, "timestamp")? {
            None => None,
            Some(text) => Some(
                DateTime::parse_from_rfc3339(&text)
                    .map_err(|e| shape(format!("`timestamp` is not an RFC 3339 time: {e}")))?
                    .with_timezone(&Utc),
            ),
        };
        let known = EVENT_TYPES.contains(&event_type.as_str());
        let payload = if known { object.remove(&event_type) } else { object.get(&event_type).cloned() };
        let kind = EventKind::decode(&event_type, payload, || serde_json::Value::Object(object))
            .map_err(|e| shape(format!("`{event_type}`: {e}")))?;
        Ok(Event { id, webhook_id, timestamp, kind })
    }

    /// The challenge of a `verify` event, which the receiver must echo.
    pub fn challenge(&self) -> Option<&str> {
        match &self.kind {
            EventKind::Verify(verify) => Some(&verify.challenge),
            _ => None,
        }
    }

    /// For a `verify` event, the exact body to answer with (status 200,
    /// `Content-Type: application/json`): `{"challenge":"<the same>"}`.
    pub fn challenge_answer(&self) -> Option<String> {
        self.challenge().map(challenge_answer)
    }
}

/// The answer to a `verify` event with this challenge: `{"challenge":"..."}`.
pub fn challenge_answer(challenge: &str) -> String {
    serde_json::json!({ "challenge": challenge }).to_string()
}

fn shape(reason: impl Into<String>) -> WebhookError {
    WebhookError::WrongShape { reason: reason.into() }
}

/// Checks deliveries for one webhook secret; see the module docs of `devrev::webhooks`.
/// Cheap to clone (clones share the de-duplication store).
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: WebhookSecret,
    tolerance: Option<Duration>,
    dedupe: Option<Arc<Dedupe>>,
}

impl Verifier {
    /// A verifier for `secret`, with the [`DEFAULT_TOLERANCE`] and no de-duplication.
    pub fn new(secret: WebhookSecret) -> Self {
        Verifier { secret, tolerance: Some(DEFAULT_TOLERANCE), dedupe: None }
    }

    /// How far `timestamp` may be from now, either way; `None` accepts any
    /// time (and a delivery without one).
    pub fn tolerance(mut self, tolerance: Option<Duration>) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Remembers the IDs of the last `capacity` accepted events and reports a
    /// repeat as [`WebhookError::Duplicate`] (memory stays bounded by
    /// `capacity`). `verify` events are never reported: their challenge must
    /// be answered every time.
    pub fn dedupe(mut self, capacity: usize) -> Self {
        self.dedupe = Some(Arc::new(Dedupe::new(capacity)));
        self
    }

    /// Forgets that event `id` was accepted, so its next delivery is handled
    /// rather than reported as [`WebhookError::Duplicate`]: for a receiver
    /// whose handling of the event failed and that answered an error so
    /// DevRev retries (what the `axum` receiver's at-least-once mode does). Without
    /// de-duplication it does nothing.
    pub fn forget(&self, id: &str) {
        if let Some(dedupe) = &self.dedupe {
            dedupe.forget(id);
        }
    }

    /// Verifies a delivery from its headers (`X-DevRev-Signature`) and raw body.
    ///
    /// # Errors
    /// Each check that fails, in this order: the signature (missing,
    /// malformed, mismatch), the body (not JSON, wrong shape), the time
    /// (stale, from the future), then a duplicate.
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Event, WebhookError> {
        let signature = match headers.get(SIGNATURE_HEADER) {
            None => None,
            Some(value) => Some(value.to_str().map_err(|_| WebhookError::MalformedSignature { reason: "not ASCII" })?),
        };
        self.verify_at(signature, body, Utc::now())
    }

    /// [`verify`](Self::verify) for a framework without `http::HeaderMap`:
    /// `signature` is the `X-DevRev-Signature` header's value, if any.
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_signature(&self, signature: Option<&str>, body: &[u8]) -> Result<Event, WebhookError> {
        self.verify_at(signature, body, Utc::now())
    }

    /// [`verify_signature`](Self::verify_signature) at a given time `now`.
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_at(&self, signature: Option<&str>, body: &[u8], now: DateTime<Utc>) -> Result<Event, WebhookError> {
        self.check_signature(signature.ok_or(WebhookError::MissingSignature)?, body)?;
        let event = Event::parse(body)?;
        if let Some(tolerance) = self.tolerance {
            let timestamp = event.timestamp.ok_or_else(|| shape("no `timestamp` (the verifier has a tolerance)"))?;
            match (now - timestamp).to_std() {
                Ok(age) if age > tolerance => return Err(WebhookError::Stale { timestamp, age, tolerance }),
                Ok(_) => {}
                Err(_) => {
                    let ahead = (timestamp - now).to_std().unwrap_or(Duration::MAX);
                    if ahead > tolerance {
                        return Err(WebhookError::FromTheFuture { timestamp, ahead, tolerance });
                    }
                }
            }
        }
        if let Some(dedupe) = &self.dedupe {
            if !matches!(event.kind, EventKind::Verify(_)) && !dedupe.insert(&event.id) {
                return Err(WebhookError::Duplicate { id: event.id });
            }
        }
        Ok(event)
    }

    /// Checks only the signature of `body`, in constant time.
    ///
    /// # Errors
    /// [`WebhookError::MalformedSignature`] or [`WebhookError::SignatureMismatch`].
    pub fn check_signature(&self, signature: &str, body: &[u8]) -> Result<(), WebhookError> {
        let signature = signature.trim();
        if signature.len() != 64 {
            return Err(WebhookError::MalformedSignature { reason: "not 64 hex digits (HMAC-SHA256)" });
        }
        if !signature.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(WebhookError::MalformedSignature { reason: "not lowercase hex" });
        }
        let expected = hex::decode(signature).map_err(|_| WebhookError::MalformedSignature { reason: "not hex" })?;
        let mut mac = self.secret.mac();
        mac.update(body);
        mac.verify_slice(&expected).map_err(|_| WebhookError::SignatureMismatch)
    }
}

/// A bounded set of recently seen event IDs: the oldest is forgotten when a
/// new one would exceed the capacity. Shared between threads.
#[derive(Debug)]
pub struct Dedupe {
    capacity: usize,
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl Dedupe {
    /// Remembers at most `capacity` IDs (at least one).
    pub fn new(capacity: usize) -> Self {
        Dedupe { capacity: capacity.max(1), seen: Mutex::new((HashSet::new(), VecDeque::new())) }
    }

    /// Records `id`; `false` if it was already there (a duplicate).
    pub fn insert(&self, id: &str) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if set.contains(id) {
            return false;
        }
        if order.len() == self.capacity {
            if let Some(oldest) = order.pop_front() {
                set.remove(&oldest);
            }
        }
        set.insert(id.to_owned());
        order.push_back(id.to_owned());
        true
    }

    /// Forgets `id` (nothing happens if it is not held); `true` if it was held.
    pub fn forget(&self, id: &str) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if !set.remove(id) {
            return false;
        }
        order.retain(|held| held != id);
        true
    }

    /// How many IDs it holds.
    pub fn len(&self) -> usize {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).1.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
