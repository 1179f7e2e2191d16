//! The webhook receiver as an axum handler (feature `axum`).
//!
//! [`receiver`] verifies each delivery with a [`Verifier`], answers DevRev's
//! `verify` challenge itself, acknowledges a duplicate with 200 without
//! handling it again, and hands every other verified [`Event`] to your async
//! function on a task of its own, answering 200 at once: DevRev wants an
//! answer within 3 seconds and retries otherwise, so slow work must not hold
//! the answer back. A failure is answered with [`WebhookError::status`] and a
//! JSON `{"error": "..."}`.
//!
//! ```no_run
//! use devrev::webhooks::{axum::receiver, EventKind, Verifier, WebhookSecret};
//!
//! # async fn run() -> std::io::Result<()> {
//! let verifier = Verifier::new(WebhookSecret::new(std::env::var("DEVREV_WEBHOOK_SECRET").unwrap())).dedupe(10_000);
//! let app = axum::Router::new().route(
//!     "/devrev",
//!     receiver(verifier, |event| async move {
//!         if let EventKind::WorkCreated(created) = &event.kind {
//!             println!("event {}: a work item was created: {:?}", event.id, created.work);
//!         }
//!     }),
//! );
//! # let _: axum::Router = app;
//! # Ok(()) }
//! ```
//!
//! Because the answer does not wait for your function, a delivery counts as
//! handled once it is accepted: if your work can fail and must be retried,
//! record the event durably first (a queue, a table) and work from there.

use std::future::Future;

use ::axum::body::Bytes;
use ::axum::http::{header, HeaderMap, StatusCode};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{post, MethodRouter};

use super::{Event, Verifier, WebhookError};

/// A `POST` route that verifies deliveries and calls `on_event` with each
/// accepted one (on a spawned task; the answer does not wait for it).
pub fn receiver<S, F, Fut>(verifier: Verifier, on_event: F) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    post(move |headers: HeaderMap, body: Bytes| async move { answer(&verifier, &headers, &body, on_event) })
}

/// What [`receiver`] does for one request, as a plain function for use in
/// your own handler.
pub fn answer<F, Fut>(verifier: &Verifier, headers: &HeaderMap, body: &[u8], on_event: F) -> Response
where
    F: FnOnce(Event) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    match verifier.verify(headers, body) {
        Ok(event) => match event.challenge_answer() {
            Some(challenge) => json(StatusCode::OK, challenge),
            None => {
                tokio::spawn(on_event(event));
                json(StatusCode::OK, "{}".to_owned())
            }
        },
        // Seen before: acknowledged, so DevRev stops retrying, and not handled again.
        Err(WebhookError::Duplicate { .. }) => json(StatusCode::OK, "{}".to_owned()),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            json(status, serde_json::json!({ "error": e.to_string() }).to_string())
        }
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
