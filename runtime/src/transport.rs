//! Transport: one call, from a typed request to a typed answer.
//!
//! [`send`] and [`send_with_meta`] are the generic functions the attribute's
//! generated code calls. The generic part is small (encode the request,
//! decode the answer); the attempt loop, retries, timeouts, the body cap and
//! the error mapping live in one non-generic function compiled once, so a
//! crate with hundreds of endpoints pays for it once.
//!
//! What an answer means is decided in one place, `classify`: a 2xx is a
//! success to decode (an empty body decodes as `{}`, then as `null`), a 3xx
//! is [`Error::Redirect`] and is never followed, anything else is an
//! [`Error::Api`] with the endpoint's error body decoded if it decodes and a
//! bounded excerpt if not. The network path and [`decode_answer`] (the same
//! mapping without a network, for property tests and fuzzing) both use it.
//!
//! Each call runs in a `devrev.call` tracing span (`method`, `path`,
//! `attempts`), each attempt in a `devrev.attempt` span (`attempt`, `status`,
//! `elapsed_ms`, `backoff_ms`). Neither the token nor any header value is
//! ever recorded, and the token is scrubbed from any error text the server
//! echoes it in.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, LOCATION};
use reqwest::Body;
use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument;

use crate::client::Client;
use crate::endpoint::{Endpoint, Method};
use crate::error::{
    excerpt, ApiError, BodyTooLargeError, ConfigError, DecodeError, Error, RedirectError, Result, TimeoutError,
    TimeoutKind, TransportError, TransportKind,
};
use crate::error_body::{decode_error_body, ErrorBody, ErrorDecoder};
use crate::json_path;
use crate::pacing::{Admission, PacingBudget, Slot};
use crate::query;
use crate::redact::{scrub_bytes, scrub_headers};
use crate::response::{RateLimit, Response, ResponseMeta};
use crate::retry::{is_retryable, retry_after_header, Failure};

/// Sends `request` and decodes the answer into the endpoint's response type.
///
/// # Errors
/// Any [`Error`]: see the crate's error model.
pub async fn send<E: Endpoint + ?Sized>(client: &Client, request: &E) -> Result<E::Response> {
    let raw = call(client, request).await?;
    // Straight into the value: no `ResponseMeta` (and no rate-limit parsing)
    // unless the caller asks for it with `send_with_meta`.
    match decode_value(&raw.body) {
        Ok(value) => Ok(value),
        Err(e) => Err(raw.decode_error(e, client.config.token.expose_secret())),
    }
}

/// Like [`send`], also returning status, headers, rate limit and attempts.
///
/// # Errors
/// Any [`Error`]: see the crate's error model.
pub async fn send_with_meta<E: Endpoint + ?Sized>(client: &Client, request: &E) -> Result<Response<E::Response>> {
    let raw = call(client, request).await?;
    decode(raw, client.config.token.expose_secret())
}

/// Encodes the request and runs the attempt loop; the generic part is this
/// function's few lines, the loop is compiled once.
async fn call<E: Endpoint + ?Sized>(client: &Client, request: &E) -> Result<RawResponse> {
    call_with(client, request, false).await
}

/// [`call`], for an answer read whole, or (`stream`) one whose success body
/// is left open to be read as it comes.
pub(crate) async fn call_with<E: Endpoint + ?Sized>(client: &Client, request: &E, stream: bool) -> Result<RawResponse> {
    let payload = encode(E::METHOD, request)?;
    let call = Call {
        method: E::METHOD,
        path: E::PATH,
        idempotent: E::IDEMPOTENT,
        beta: E::BETA,
        stream,
        decode_error: decode_error_body::<E::Error>,
    };
    // Boxed: the attempt loop's state (reqwest's request, the timer, the
    // spans) lives on the heap once per call, so the future of each
    // endpoint's `send` stays small and cheap to move and spawn.
    Box::pin(client.execute(call, payload)).await
}

/// The request on the wire: a query string or a JSON body.
pub(crate) enum Payload {
    Query(String),
    Json(Bytes),
}

fn encode<E: serde::Serialize + ?Sized>(method: Method, request: &E) -> Result<Payload> {
    if method.uses_query() {
        query::to_query_string(request).map(Payload::Query).map_err(|e| Error::Encode(e.to_string()))
    } else {
        let mut body = serde_json::to_vec(request).map_err(|e| Error::Encode(e.to_string()))?;
        if body == b"null" {
            // A unit struct: an endpoint without parameters still sends an object.
            body = b"{}".to_vec();
        }
        Ok(Payload::Json(Bytes::from(body)))
    }
}

/// A success answer, read in full (or, for a streamed call, with its body
/// still open in `stream`).
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
    pub(crate) stream: Option<Box<reqwest::Response>>,
}

impl RawResponse {
    pub(crate) fn into_meta(self) -> ResponseMeta {
        ResponseMeta::new(self.status, self.headers, self.attempts)
    }

    /// The typed error for a success body that did not decode. The token is
    /// scrubbed from the body before the excerpt is cut, so a token that
    /// straddles the cut cannot survive in part.
    ///
    /// The field at fault is found from the decoder's position, after the
    /// fact ([`json_path`](crate::json_path)): nothing is tracked while
    /// decoding, so the success path pays nothing for it.
    fn decode_error(self, e: serde_json::Error, secret: &str) -> Error {
        let excerpt = excerpt(&scrub_bytes(&self.body, secret));
        // An empty body was decoded as `{}`: the position is not in the body.
        let path = if self.body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            json_path::path_at(&self.body, e.line(), e.column())
        };
        let message = e.to_string();
        Error::Decode(Box::new(DecodeError { message, path, excerpt, meta: self.into_meta() })).scrub(secret)
    }
}

/// Decodes a success body. An empty body (a 204, or an empty 200) decodes as
/// `{}`, then as `null`, so a type with no required fields, or `()`, accepts it.
fn decode_value<T: DeserializeOwned>(body: &[u8]) -> std::result::Result<T, serde_json::Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_slice(b"{}").or_else(|first| serde_json::from_slice(b"null").map_err(|_| first));
    }
    serde_json::from_slice(body)
}

fn decode<T: DeserializeOwned>(raw: RawResponse, secret: &str) -> Result<Response<T>> {
    match decode_value(&raw.body) {
        Ok(value) => Ok(Response { value, meta: raw.into_meta() }),
        Err(e) => Err(raw.decode_error(e, secret)),
    }
}

/// What a complete answer means for the call.
pub(crate) enum Answer {
    /// A 2xx, to decode into the response type.
    Success(RawResponse),
    /// Anything else: the error to return, what the retry rule needs to know,
    /// and the wait the server asked for (`Retry-After`, body `retry_after`).
    Failed { failure: Failure, error: Error, wait: Option<Duration> },
}

/// Maps one complete answer to a success or a typed error; the one place
/// that decides what a status and a body mean. Never panics, whatever the bytes.
pub(crate) fn classify(
    decode_error: ErrorDecoder,
    secret: &str,
    status: u16,
    mut headers: HeaderMap,
    body: Bytes,
    attempts: u32,
) -> Answer {
    // A header that echoes the token (a `Location` carrying it, a proxy's
    // `X-Echo-Authorization`) must not reach `headers()`, `Debug` or a log.
    scrub_headers(&mut headers, secret);
    if (200..300).contains(&status) {
        return Answer::Success(RawResponse { status, headers, body, attempts, stream: None });
    }
    let meta = ResponseMeta::new(status, headers, attempts);
    if (300..400).contains(&status) {
        let location = meta.headers.get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let error = Error::Redirect(Box::new(RedirectError { location, meta }));
        return Answer::Failed { failure: Failure::Status(status), error, wait: None };
    }
    let api = api_error(decode_error, status, meta, &scrub_bytes(&body, secret));
    let wait = api.retry_after;
    Answer::Failed { failure: Failure::Status(status), error: Error::Api(Box::new(api)), wait }
}

/// Maps a complete answer (status, headers, body) to what `send_with_meta`
/// would return for an endpoint answering `T` with error body `B`, without a
/// network: the same [`classify`] and decoding the transport uses. For
/// property tests and fuzzing; not a public API.
///
/// # Errors
/// [`Error::Decode`], [`Error::Redirect`] or [`Error::Api`], as `send` would.
#[doc(hidden)]
pub fn decode_answer<T: DeserializeOwned, B: ErrorBody>(
    status: u16,
    headers: HeaderMap,
    body: &[u8],
) -> Result<Response<T>> {
    match classify(decode_error_body::<B>, "", status, headers, Bytes::copy_from_slice(body), 1) {
        Answer::Success(raw) => decode(raw, ""),
        Answer::Failed { error, .. } => Err(error),
    }
}

/// One request taken from the pacing budget, given back when the attempt
/// ends: with its answer's rate-limit headers, or without (on drop).
struct Reservation<'p> {
    pacer: Option<(&'p dyn PacingBudget, Slot)>,
}

impl Reservation<'_> {
    fn finish(mut self, rate: Option<&RateLimit>) {
        if let Some((pacer, slot)) = self.pacer.take() {
            pacer.release(slot, rate);
        }
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if let Some((pacer, slot)) = self.pacer.take() {
            pacer.release(slot, None);
        }
    }
}

/// The header DevRev's early-access endpoints require ([`Endpoint::BETA`]).
const BETA_SCOPE: (&str, &str) = ("x-devrev-scope", "beta");

/// The non-generic facts about one call.
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) idempotent: bool,
    /// Sends `X-Devrev-Scope: beta` ([`Endpoint::BETA`]).
    pub(crate) beta: bool,
    /// A success answer's body is left open ([`send_stream`](crate::sse::send_stream)).
    pub(crate) stream: bool,
    pub(crate) decode_error: ErrorDecoder,
}

/// How one attempt ended with an answer.
enum Answered {
    /// Status, headers and the whole body.
    Whole(u16, HeaderMap, Bytes),
    /// A success of a streamed call: the body is read by the caller.
    Open(reqwest::Response),
}

/// How one attempt ended, short of a complete answer.
enum AttemptError {
    /// Could not connect: nothing was sent.
    Connect(reqwest::Error),
    /// Failed after the request may have been sent.
    Sent(reqwest::Error),
    /// The body passed the cap.
    TooLarge { status: u16 },
}

impl Client {
    pub(crate) async fn execute(&self, call: Call, payload: Payload) -> Result<RawResponse> {
        let span =
            tracing::info_span!("devrev.call", method = call.method.as_str(), path = call.path, attempts = Empty);
        self.execute_inner(call, payload, span.clone()).instrument(span).await
    }

    async fn execute_inner(&self, call: Call, payload: Payload, span: tracing::Span) -> Result<RawResponse> {
        let config = &self.config;
        check_path(call.path)?;
        let mut url = String::with_capacity(config.base_url.len() + call.path.len() + 1 + query_len(&payload));
        url.push_str(&config.base_url);
        url.push_str(call.path);
        if let Payload::Query(q) = &payload {
            if !q.is_empty() {
                url.push('?');
                url.push_str(q);
            }
        }
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            span.record("attempts", attempt);
            let remaining = config.deadline.saturating_sub(started.elapsed());
            if remaining.is_zero() {
                return Err(timeout(TimeoutKind::Deadline, config.deadline, attempt - 1));
            }
            // The error reports the limit the caller set (the deadline, or
            // the attempt timeout), never what was left of the deadline.
            let (limit, limit_kind, reported) = if remaining < config.attempt_timeout {
                (remaining, TimeoutKind::Deadline, config.deadline)
            } else {
                (config.attempt_timeout, TimeoutKind::Attempt, config.attempt_timeout)
            };
            let attempt_span =
                tracing::debug_span!("devrev.attempt", attempt, status = Empty, elapsed_ms = Empty, backoff_ms = Empty);
            // Pacing: take one request from the rate-limit budget, or wait
            // for the window to reset (within the deadline).
            let reservation = match &config.pacer {
                Some(pacer) => Some(self.pace(pacer.as_ref(), started, attempt).await?),
                None => None,
            };
            let attempt_started = Instant::now();
            let body_read = Arc::new(AtomicBool::new(false));
            let outcome = tokio::time::timeout(limit, self.attempt_once(&call, &url, &payload, &body_read))
                .instrument(attempt_span.clone())
                .await;
            attempt_span.record("elapsed_ms", millis(attempt_started.elapsed()));

            // Decide: done, or a failure with the error to return if it is not retried.
            let (failure, error, server_wait) = match outcome {
                Ok(Ok(Answered::Open(mut response))) => {
                    let status = response.status().as_u16();
                    attempt_span.record("status", status);
                    let mut headers = std::mem::take(response.headers_mut());
                    if let Some(reservation) = reservation {
                        reservation.finish(Some(&RateLimit::from_headers(&headers)));
                    }
                    scrub_headers(&mut headers, config.token.expose_secret());
                    let body = Bytes::new();
                    return Ok(RawResponse {
                        status,
                        headers,
                        body,
                        attempts: attempt,
                        stream: Some(Box::new(response)),
                    });
                }
                Ok(Ok(Answered::Whole(status, headers, body))) => {
                    attempt_span.record("status", status);
                    if let Some(reservation) = reservation {
                        reservation.finish(Some(&RateLimit::from_headers(&headers)));
                    }
                    match classify(call.decode_error, config.token.expose_secret(), status, headers, body, attempt) {
                        Answer::Success(raw) => return Ok(raw),
                        Answer::Failed { failure, error, wait } => (failure, error, wait),
                    }
                }
                Ok(Err(AttemptError::TooLarge { status })) => {
                    attempt_span.record("status", status);
                    return Err(Error::BodyTooLarge(Box::new(BodyTooLargeError {
                        status,
                        limit: config.max_body_bytes,
                        attempts: attempt,
                    })));
                }
                Ok(Err(AttemptError::Connect(e))) if e.is_timeout() => {
                    (Failure::NotSent, timeout(TimeoutKind::Connect, config.connect_timeout, attempt), None)
                }
                // Refused, or a server certificate the client does not
                // trust: `transport_failure` tells the two apart.
                Ok(Err(AttemptError::Connect(e))) => {
                    let (failure, error) = transport_failure(e, false, attempt);
                    (failure, error, None)
                }
                Ok(Err(AttemptError::Sent(e))) => {
                    let (failure, error) = transport_failure(e, maybe_sent(&payload, &body_read), attempt);
                    (failure, error, None)
                }
                Err(_elapsed) => {
                    let sent = maybe_sent(&payload, &body_read);
                    let error = Error::Timeout(Box::new(TimeoutError {
                        kind: limit_kind,
                        limit: reported,
                        attempts: attempt,
                        sent,
                    }));
                    (if sent { Failure::MaybeSent } else { Failure::NotSent }, error, None)
                }
            };
            let error = error.scrub(config.token.expose_secret());

            if attempt >= config.retry.attempts() || !is_retryable(failure, call.idempotent) {
                return Err(error);
            }
            let wait = server_wait.unwrap_or_else(|| config.retry.backoff(attempt));
            // A server may ask for any wait (`Retry-After: 99999999999`): add without overflowing.
            if started.elapsed().checked_add(wait).is_none_or(|end| end > config.deadline) {
                // Sleeping would pass the deadline: give the caller the error
                // (with its retry_after) now rather than a timeout later.
                tracing::debug!(parent: &attempt_span, wait_ms = millis(wait), "wait passes the deadline; not retrying");
                return Err(error);
            }
            attempt_span.record("backoff_ms", millis(wait));
            tracing::debug!(parent: &attempt_span, error = %error, "retrying");
            config.sleeper.sleep(wait).await;
        }
    }

    /// Waits until the rate-limit budget has room for one more request;
    /// the reservation is given back when the attempt ends.
    async fn pace<'p>(&self, pacer: &'p dyn PacingBudget, started: Instant, attempt: u32) -> Result<Reservation<'p>> {
        let deadline = self.config.deadline;
        loop {
            // Listen before asking, so an answer between the two is not missed.
            let changed = pacer.changed();
            let admission = pacer.acquire().await;
            let left = deadline.saturating_sub(started.elapsed());
            match admission {
                Admission::Go(slot) => return Ok(Reservation { pacer: Some((pacer, slot)) }),
                Admission::WaitForReset { wait, reset } => {
                    if wait > left {
                        tracing::debug!(
                            wait_ms = millis(wait),
                            "rate-limit window ends past the deadline; not waiting"
                        );
                        return Err(timeout(TimeoutKind::RateLimitWindow, deadline, attempt - 1));
                    }
                    tracing::info!(wait_ms = millis(wait), "pacing: waiting for the rate-limit window to reset");
                    self.config.sleeper.sleep(wait).await;
                    pacer.window_passed(reset);
                }
                Admission::WaitForAnswer => {
                    if tokio::time::timeout(left, changed).await.is_err() {
                        return Err(timeout(TimeoutKind::RateLimitWindow, deadline, attempt - 1));
                    }
                }
            }
        }
    }

    async fn attempt_once(
        &self,
        call: &Call,
        url: &str,
        payload: &Payload,
        body_read: &Arc<AtomicBool>,
    ) -> std::result::Result<Answered, AttemptError> {
        let mut request = self.http.request(call.method.to_reqwest(), url);
        if call.beta {
            request = request.header(BETA_SCOPE.0, HeaderValue::from_static(BETA_SCOPE.1));
        }
        if let Payload::Json(body) = payload {
            let body = TrackedBody { data: Some(body.clone()), read: Arc::clone(body_read) };
            request = request.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(Body::wrap(body));
        }
        let mut response = request.send().await.map_err(|e| {
            if e.is_connect() {
                AttemptError::Connect(e)
            } else {
                AttemptError::Sent(e)
            }
        })?;
        let status = response.status().as_u16();
        if call.stream && (200..300).contains(&status) {
            return Ok(Answered::Open(response));
        }
        let cap = self.config.max_body_bytes;
        if response.content_length().is_some_and(|len| len > cap as u64) {
            return Err(AttemptError::TooLarge { status });
        }
        let headers = std::mem::take(response.headers_mut());
        if response.content_length().is_some() {
            // The length is known and within the cap (checked above), and hyper
            // stops at it: read the body whole, without copying it again.
            let body = response.bytes().await.map_err(AttemptError::Sent)?;
            return Ok(Answered::Whole(status, headers, body));
        }
        // Chunked: count as it comes and stop at the cap.
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(AttemptError::Sent)? {
            if body.len() + chunk.len() > cap {
                return Err(AttemptError::TooLarge { status });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answered::Whole(status, headers, body.freeze()))
    }
}

/// Whether a failed attempt may have been processed by the server. A JSON
/// body that hyper never asked for cannot have reached the server whole, and
/// DevRev does not act on a request without its body: such an attempt (one
/// that timed out while connecting, say) was not sent. A request without a
/// body gives no such signal and counts as maybe sent.
fn maybe_sent(payload: &Payload, body_read: &AtomicBool) -> bool {
    match payload {
        Payload::Json(_) => body_read.load(Ordering::Acquire),
        Payload::Query(_) => true,
    }
}

/// A JSON request body that records whether the HTTP stack has started to
/// read it, which [`maybe_sent`] turns into "sent" or "not sent".
struct TrackedBody {
    data: Option<Bytes>,
    read: Arc<AtomicBool>,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.read.store(true, Ordering::Release);
        Poll::Ready(self.data.take().map(|data| Ok(http_body::Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}

/// Checks an endpoint's path before anything is sent: the URL is the base
/// URL followed by the path, so a path that does not start with `/` (such as
/// `.evil.example/x`) would change the host the token goes to. The attribute
/// checks its paths at compile time; a hand-written [`Endpoint`] is checked here.
fn check_path(path: &'static str) -> Result<()> {
    let reason = if !path.starts_with('/') {
        Some("it must start with `/`")
    } else if path.starts_with("//") {
        Some("it must not start with `//`")
    } else if path.bytes().any(|b| !b.is_ascii_graphic() || matches!(b, b'\\' | b'?' | b'#' | b'@')) {
        Some("it must hold printable ASCII only, without `\\`, `?`, `#` or `@`")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ConfigError::InvalidEndpointPath { path, reason }.into()),
        None => Ok(()),
    }
}

fn api_error(decode_error: ErrorDecoder, status: u16, meta: ResponseMeta, body: &[u8]) -> ApiError {
    let decoded = decode_error(body);
    let header_wait = retry_after_header(&meta.headers);
    let body_wait = decoded.as_ref().and_then(|d| d.retry_after);
    let retry_after = header_wait.max(body_wait);
    let excerpt = if decoded.is_none() { Some(excerpt(body)) } else { None };
    ApiError { status, decoded, retry_after, excerpt, meta }
}

fn query_len(payload: &Payload) -> usize {
    match payload {
        Payload::Query(q) => q.len(),
        Payload::Json(_) => 0,
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn timeout(kind: TimeoutKind, limit: Duration, attempts: u32) -> Error {
    Error::Timeout(Box::new(TimeoutError { kind, limit, attempts, sent: false }))
}

/// The typed error for a request that failed short of an answer, and what
/// the retry rule makes of it: a server certificate the client does not
/// trust is [`TransportKind::Certificate`] and [`Failure::Certificate`]
/// (never retried: every attempt would fail the same way); anything else is
/// [`Failure::MaybeSent`] or [`Failure::NotSent`] as `sent` says.
pub(crate) fn transport_failure(e: reqwest::Error, sent: bool, attempts: u32) -> (Failure, Error) {
    let kind = if untrusted_certificate(&e) {
        TransportKind::Certificate
    } else if e.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Connection
    };
    let failure = match kind {
        TransportKind::Certificate => Failure::Certificate,
        _ if sent => Failure::MaybeSent,
        _ => Failure::NotSent,
    };
    // A handshake that failed sent nothing.
    let sent = sent && kind != TransportKind::Certificate;
    (failure, transport_error(e, kind, sent, attempts))
}

/// Whether the TLS library refused the server's certificate, somewhere in
/// `error`'s chain of causes: an unknown issuer, a certificate expired or
/// not yet valid, made out for another name, revoked, or none at all.
///
/// rustls's error reaches here inside an `io::Error` (the handshake runs
/// under tokio's I/O traits), and `io::Error::source` skips the error it
/// wraps, so an `io::Error` is opened with `get_ref` instead.
fn untrusted_certificate(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(cause) = next {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_)
                    | rustls::Error::NoCertificatesPresented
                    | rustls::Error::InvalidCertRevocationList(_)
            );
        }
        next = match cause.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    false
}

fn transport_error(e: reqwest::Error, kind: TransportKind, sent: bool, attempts: u32) -> Error {
    // reqwest's message names the URL, which holds no secret (the token is a
    // header). The causes below it say what happened ("connection reset by
    // peer", "invalid peer certificate: UnknownIssuer"), so the whole chain
    // goes into the message.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    Error::Transport(Box::new(TransportError { kind, message, sent, attempts, source: Some(e) }))
}

#[cfg(test)]
mod tests {
    use super::untrusted_certificate;
    use rustls::CertificateError;
    use std::error::Error as StdError;
    use std::{fmt, io};

    /// An error over another, as hyper's and reqwest's are.
    #[derive(Debug)]
    struct Over(Box<dyn StdError + Send + Sync>);

    impl fmt::Display for Over {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("client error (Connect)")
        }
    }

    impl StdError for Over {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&*self.0)
        }
    }

    /// rustls's error as reqwest hands it up: in an `io::Error` in another
    /// `io::Error`, under hyper's error.
    fn handshake(tls: rustls::Error) -> Over {
        Over(Box::new(io::Error::other(io::Error::new(io::ErrorKind::InvalidData, tls))))
    }

    #[test]
    fn a_refused_certificate_is_found_inside_an_io_error() {
        for reason in [CertificateError::UnknownIssuer, CertificateError::Expired, CertificateError::NotValidForName] {
            assert!(untrusted_certificate(&handshake(rustls::Error::InvalidCertificate(reason))));
        }
        assert!(untrusted_certificate(&handshake(rustls::Error::NoCertificatesPresented)));
        assert!(untrusted_certificate(&rustls::Error::InvalidCertificate(CertificateError::Revoked)));
    }

    #[test]
    fn other_failures_are_not_the_certificates() {
        assert!(!untrusted_certificate(&handshake(rustls::Error::General("handshake failed".into()))));
        assert!(!untrusted_certificate(&Over(Box::new(io::Error::from(io::ErrorKind::ConnectionRefused)))));
        // The words alone do not make it one.
        assert!(!untrusted_certificate(&Over(Box::new(io::Error::other("invalid peer certificate: UnknownIssuer")))));
    }
}
