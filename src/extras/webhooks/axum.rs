//! The webhook receiver as an axum handler (feature `axum`), in two modes.
//!
//! Both verify each delivery with a [`Verifier`], answer DevRev's `verify`
//! challenge themselves, acknowledge a duplicate with 200 without handling
//! it again, and answer a refused delivery with [`WebhookError::status`] and
//! a JSON `{"error": "..."}`. They differ in when your function runs:
//!
//! | | [`Receiver::acknowledge_first`] (at most once) | [`Receiver::at_least_once`] |
//! |---|---|---|
//! | your function | `async fn(Event)`, on a task of its own | `async fn(Event) -> Result<(), E>` |
//! | the answer | 200 at once, before it runs | after it: 200 on `Ok`; 500 on `Err`, a panic, or no result within the [deadline](Receiver::deadline) (default [`DEFAULT_DEADLINE`], 2.5 s) |
//! | a failure | the event is lost (it was acknowledged) | DevRev retries (immediately, 30 s, 3 min) and the [`Verifier::forget`]s it, so the retry is handled |
//! | fits | quick or durable work: push to a queue, write a row | work that must happen and finishes well within 3 s |
//!
//! DevRev retries a delivery not answered within 3 seconds, so in the
//! at-least-once mode the deadline must stay below that; a handler still
//! running at the deadline is dropped (cancelled at its next `.await`) and
//! the event handled again on the retry, so write it to be safe to repeat.
//! A handler that can take longer belongs in the first mode, behind a
//! durable queue.
//!
//! **Body limit.** The receiver reads at most [`DEFAULT_BODY_LIMIT`] (32 MiB)
//! of a delivery, not axum's default 2 MB: DevRev accepts request bodies up
//! to 8 MiB, and an update event carries the object twice (`work` and
//! `old_work`). Change it with [`Receiver::body_limit`]. A larger body is
//! answered 413 and logged with `tracing` (a `warn` event with the limit),
//! never dropped silently. The limit replaces axum's `DefaultBodyLimit` for
//! this route only.
//!
//! ```no_run
//! use devrev::webhooks::axum::Receiver;
//! use devrev::webhooks::{EventKind, Verifier, WebhookSecret};
//!
//! # async fn escalate(_: &devrev::models::Work) -> Result<(), std::io::Error> { Ok(()) }
//! # async fn run() -> std::io::Result<()> {
//! let verifier = Verifier::new(WebhookSecret::new(std::env::var("DEVREV_WEBHOOK_SECRET").unwrap())).dedupe(10_000);
//! let app = axum::Router::new()
//!     // At most once: answered at once, the work runs afterwards.
//!     .route(
//!         "/devrev/log",
//!         Receiver::new(verifier.clone()).acknowledge_first(|event| async move {
//!             println!("event {} of type {}", event.id, event.kind.event_type());
//!         }),
//!     )
//!     // At least once: answered after the work; an error or a timeout is retried by DevRev.
//!     .route(
//!         "/devrev/escalate",
//!         Receiver::new(verifier).body_limit(64 << 20).at_least_once(|event| async move {
//!             match &event.kind {
//!                 EventKind::WorkCreated(created) => escalate(&created.work).await,
//!                 _ => Ok(()),
//!             }
//!         }),
//!     );
//! # let _: axum::Router = app;
//! # Ok(()) }
//! ```
//!
//! [`receiver`] is `Receiver::new(verifier).acknowledge_first(on_event)`, and
//! [`answer`] / [`answer_at_least_once`] are the two modes for one request
//! inside your own handler (there the body limit is yours to set).

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use ::axum::body::{Body, Bytes};
use ::axum::extract::DefaultBodyLimit;
use ::axum::http::{header, HeaderMap, StatusCode};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{post, MethodRouter};
use futures_core::Stream;

use super::{Event, Verifier, WebhookError};

/// How many bytes of a delivery the receiver reads by default: 32 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 32 << 20;

/// How long the at-least-once mode waits for your function by default:
/// 2.5 s, below the 3 s after which DevRev retries.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(2_500);

/// A `POST` route that verifies deliveries and calls `on_event` with each
/// accepted one on a spawned task, answering at once (at most once; see the
/// [module docs](self)). The same as
/// `Receiver::new(verifier).acknowledge_first(on_event)`.
pub fn receiver<S, F, Fut>(verifier: Verifier, on_event: F) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Receiver::new(verifier).acknowledge_first(on_event)
}

/// The receiver's settings: the verifier, the body limit and (for the
/// at-least-once mode) the deadline. Finish with
/// [`acknowledge_first`](Self::acknowledge_first) or
/// [`at_least_once`](Self::at_least_once), which give the route.
#[derive(Debug, Clone)]
pub struct Receiver {
    verifier: Verifier,
    body_limit: usize,
    deadline: Duration,
}

impl Receiver {
    /// A receiver with [`DEFAULT_BODY_LIMIT`] and [`DEFAULT_DEADLINE`].
    pub fn new(verifier: Verifier) -> Self {
        Receiver { verifier, body_limit: DEFAULT_BODY_LIMIT, deadline: DEFAULT_DEADLINE }
    }

    /// The most bytes of a delivery read; a larger one is answered 413 and
    /// logged (`tracing`, level `warn`).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long [`at_least_once`](Self::at_least_once) waits for your
    /// function before answering 500 (keep it below DevRev's 3 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// At most once: answers 200 as soon as a delivery is verified and runs
    /// `on_event` on a task of its own afterwards. A failure of `on_event`
    /// loses the event (record it durably first if it must not be lost).
    pub fn acknowledge_first<S, F, Fut>(self, on_event: F) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
        F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Receiver { verifier, body_limit, .. } = self;
        route(move |headers: HeaderMap, body: Body| {
            let (verifier, on_event) = (verifier.clone(), on_event.clone());
            async move {
                match read(body, body_limit).await {
                    Ok(body) => answer(&verifier, &headers, &body, on_event),
                    Err(refusal) => refusal,
                }
            }
        })
    }

    /// At least once: runs `handler` before answering, for at most the
    /// [deadline](Self::deadline). `Ok` answers 200; an `Err` (logged with
    /// `tracing`), a panic or the deadline answers 500 and forgets the event
    /// in the verifier's de-duplication, so DevRev's retry is handled again.
    /// Give the verifier [`dedupe`](Verifier::dedupe) so an event handled
    /// once is not handled twice.
    pub fn at_least_once<S, F, Fut, E>(self, handler: F) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
        F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Display + Send + 'static,
    {
        let Receiver { verifier, body_limit, deadline } = self;
        route(move |headers: HeaderMap, body: Body| {
            let (verifier, handler) = (verifier.clone(), handler.clone());
            async move {
                match read(body, body_limit).await {
                    Ok(body) => answer_at_least_once(&verifier, &headers, &body, deadline, handler).await,
                    Err(refusal) => refusal,
                }
            }
        })
    }
}

/// A `POST` route of `handler` with axum's own body limit off (the receiver
/// applies its own while reading).
fn route<S, H, Fut>(handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    H: Fn(HeaderMap, Body) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    post(move |headers: HeaderMap, body: Body| handler(headers, body)).layer(DefaultBodyLimit::disable())
}

/// The body, read up to `limit` bytes; over it, the 413 answer (logged).
async fn read(body: Body, limit: usize) -> Result<Bytes, Response> {
    let mut stream = body.into_data_stream();
    let mut whole = Vec::new();
    loop {
        match std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
            None => return Ok(Bytes::from(whole)),
            Some(Ok(chunk)) if whole.len() + chunk.len() <= limit => whole.extend_from_slice(&chunk),
            Some(Ok(_)) => {
                tracing::warn!(limit_bytes = limit, "webhook delivery refused: its body is over the receiver's limit");
                let message = format!("the body is over the receiver's limit of {limit} bytes");
                return Err(json(StatusCode::PAYLOAD_TOO_LARGE, serde_json::json!({ "error": message }).to_string()));
            }
            Some(Err(e)) => {
                tracing::warn!(error = %e, "webhook delivery refused: its body could not be read");
                let message = "the body could not be read";
                return Err(json(StatusCode::BAD_REQUEST, serde_json::json!({ "error": message }).to_string()));
            }
        }
    }
}

/// What [`Receiver::acknowledge_first`] does for one request (already read),
/// as a plain function for use in your own handler.
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
        Err(e) => refused(&e),
    }
}

/// What [`Receiver::at_least_once`] does for one request (already read), as
/// a plain function for use in your own handler: `handler` runs on a task of
/// its own for at most `deadline`, and the answer says how it went.
pub async fn answer_at_least_once<F, Fut, E>(
    verifier: &Verifier,
    headers: &HeaderMap,
    body: &[u8],
    deadline: Duration,
    handler: F,
) -> Response
where
    F: FnOnce(Event) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Display + Send + 'static,
{
    let event = match verifier.verify(headers, body) {
        Ok(event) => event,
        Err(e) => return refused(&e),
    };
    if let Some(challenge) = event.challenge_answer() {
        return json(StatusCode::OK, challenge);
    }
    let id = event.id.clone();
    // A task of its own: a panic is a failed event, not a dropped connection.
    let mut task = tokio::spawn(handler(event));
    let failure = match tokio::time::timeout(deadline, &mut task).await {
        Ok(Ok(Ok(()))) => return json(StatusCode::OK, "{}".to_owned()),
        Ok(Ok(Err(e))) => {
            tracing::warn!(event_id = %id, error = %e, "webhook handler failed; answering 500 so DevRev retries");
            "the handler failed"
        }
        Ok(Err(join)) => {
            tracing::warn!(event_id = %id, error = %join, "webhook handler panicked; answering 500 so DevRev retries");
            "the handler failed"
        }
        Err(_) => {
            task.abort();
            tracing::warn!(event_id = %id, deadline_ms = deadline.as_millis() as u64, "webhook handler did not finish within the deadline; answering 500 so DevRev retries");
            "the handler did not finish in time"
        }
    };
    verifier.forget(&id);
    json(StatusCode::INTERNAL_SERVER_ERROR, serde_json::json!({ "error": failure }).to_string())
}

/// The answer to a delivery the verifier refused: 200 for a duplicate
/// (acknowledged, not handled again), else its status and the reason.
fn refused(e: &WebhookError) -> Response {
    if let WebhookError::Duplicate { .. } = e {
        return json(StatusCode::OK, "{}".to_owned());
    }
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    json(status, serde_json::json!({ "error": e.to_string() }).to_string())
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
