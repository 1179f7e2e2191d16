//! The error model: every way a call can fail, typed.
//!
//! [`Error`] is an enum users can match on (`#[non_exhaustive]`), with query
//! methods so most callers need no matching at all: [`Error::status`],
//! [`Error::error_type`], [`Error::retry_after`], [`Error::reference_id`],
//! [`Error::kind`], [`Error::attempts`], [`Error::rate_limit`]. Nothing here
//! ever holds or prints the API token; text a server echoes it in is scrubbed.
//!
//! Bad input from the server is never a panic: an HTML page from a proxy, an
//! empty body, JSON that is not an error object, or a `type` this crate does
//! not know, each becomes an [`ApiError`] with the status and a bounded
//! excerpt of what was received.

use std::fmt;
use std::time::Duration;

use crate::error_body::{DecodedErrorBody, DevRevError, ErrorKind};
use crate::response::{RateLimit, ResponseMeta};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many bytes of an unexpected body an error keeps for display.
pub(crate) const EXCERPT_BYTES: usize = 512;

/// Everything that can go wrong with a DevRev call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// DevRev, or a proxy in front of it, answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// A success answer whose body does not decode into the response type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The request could not be sent, or the connection failed before the
    /// answer was complete; [`TransportError::kind`] says which, and tells a
    /// server certificate the client does not trust (never retried) apart.
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// The call ran out of time.
    #[error(transparent)]
    Timeout(Box<TimeoutError>),
    /// DevRev answered with a redirect (3xx), which is never followed.
    #[error(transparent)]
    Redirect(Box<RedirectError>),
    /// The answer's body was larger than the client's cap.
    #[error(transparent)]
    BodyTooLarge(Box<BodyTooLargeError>),
    /// The client is misconfigured.
    #[error(transparent)]
    Config(Box<ConfigError>),
    /// The request could not be encoded (a value JSON or a query string cannot hold).
    #[error("the request could not be encoded: {0}")]
    Encode(String),
    /// A paginated listing went wrong.
    #[error(transparent)]
    Pagination(Box<PaginationError>),
    /// A storage URL (where files are uploaded to and downloaded from, not
    /// DevRev's API) answered with an error status or could not be used; see
    /// the `storage` module (feature `storage`).
    #[error(transparent)]
    Storage(Box<StorageError>),
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(Box::new(e))
    }
}

impl From<PaginationError> for Error {
    fn from(e: PaginationError) -> Self {
        Error::Pagination(Box::new(e))
    }
}

impl Error {
    /// The HTTP status of the answer, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.meta.status),
            Error::Redirect(e) => Some(e.meta.status),
            Error::BodyTooLarge(e) => Some(e.status),
            Error::Storage(e) => e.status,
            _ => None,
        }
    }

    /// The wire `type` of an API error, such as `"not_found"`.
    pub fn error_type(&self) -> Option<&str> {
        self.api().and_then(ApiError::error_type)
    }

    /// The typed DevRev error, for API errors with DevRev's error body.
    pub fn kind(&self) -> Option<&ErrorKind> {
        self.api().and_then(ApiError::kind)
    }

    /// The API error's message.
    pub fn message(&self) -> Option<&str> {
        self.api().and_then(ApiError::message)
    }

    /// How long DevRev asked the caller to wait (429): the larger of the
    /// `Retry-After` header and the body's `retry_after`; for a storage
    /// error, its `Retry-After` header.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Storage(e) => e.retry_after,
            _ => self.api().and_then(ApiError::retry_after),
        }
    }

    /// The ID to quote to DevRev's support (500 errors).
    pub fn reference_id(&self) -> Option<&str> {
        self.api().and_then(ApiError::reference_id)
    }

    /// The API error, if this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The storage error, if this is one (an upload or download URL
    /// answered with an error status, or was refused).
    pub fn storage(&self) -> Option<&StorageError> {
        match self {
            Error::Storage(e) => Some(e),
            _ => None,
        }
    }

    /// The rate-limit headers of the last answer, if there was one.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.meta().map(|m| &m.rate_limit)
    }

    /// How many attempts the call made before failing (0 when it never started).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.meta.attempts,
            Error::Decode(e) => e.meta.attempts,
            Error::Redirect(e) => e.meta.attempts,
            Error::BodyTooLarge(e) => e.attempts,
            Error::Transport(e) => e.attempts,
            Error::Timeout(e) => e.attempts,
            Error::Storage(e) => e.attempts,
            _ => 0,
        }
    }

    /// Whether the request may have been applied although the call failed:
    /// the last attempt reached the server and its outcome is unknown (a
    /// connection dropped or an attempt timed out after sending, a 500, 502,
    /// 503 or 504), or the server answered 2xx with a body that could not be
    /// read. For a request that is not idempotent (a create), resending it
    /// blindly may duplicate it; [`Client::send_all`](crate::Client::send_all)
    /// reports such outcomes as unknown and can reconcile them.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 500 | 502 | 503 | 504),
            Error::Storage(e) => matches!(e.status, Some(500 | 502 | 503 | 504)),
            Error::Transport(e) => e.sent,
            Error::Timeout(e) => e.sent,
            Error::Decode(e) => (200..300).contains(&e.meta.status),
            Error::BodyTooLarge(e) => (200..300).contains(&e.status),
            _ => false,
        }
    }

    /// Whether the failure is transient: the same request may succeed if it
    /// is sent again later. Exactly the failures the client's retry rule
    /// ([`retry`](crate::retry)) retries for an idempotent endpoint: a 408,
    /// a 429, a 500, 502, 503 or 504, a request that could not be sent
    /// (connection refused, DNS; not a server certificate the client does
    /// not trust, which is permanent), a connection dropped after sending,
    /// and every timeout.
    ///
    /// By the time a call returns such an error the client has already
    /// retried it up to its [`RetryPolicy`](crate::RetryPolicy)'s attempts
    /// (an endpoint that is not idempotent only while
    /// [`may_have_been_applied`](Self::may_have_been_applied) is false), so
    /// "retryable" means "worth another try later", such as on a sync's next
    /// run. For a create, check `may_have_been_applied()` first: a retryable
    /// error that may have been applied is resent safely only after looking
    /// the object up ([`Client::send_reconciled`](crate::Client::send_reconciled)).
    ///
    /// Never true together with [`is_permanent`](Self::is_permanent); both
    /// are false for an answer that arrived but could not be read
    /// ([`Error::Decode`], [`Error::BodyTooLarge`]) and for
    /// [`Error::Pagination`].
    pub fn is_retryable(&self) -> bool {
        self.failure().is_some_and(|failure| crate::retry::is_retryable(failure, true))
    }

    /// Whether the failure is permanent: sending the same request again
    /// fails the same way, so the request (or the client's configuration)
    /// must change. An error status the retry rule never retries (400, 401,
    /// 403, 404, 409 and every other 4xx but 408 and 429; a 5xx other than
    /// 500, 502, 503 and 504, such as 501), a redirect, a server
    /// certificate the client does not trust ([`TransportKind::Certificate`]),
    /// an [`Error::Config`], an [`Error::Encode`], and a storage URL refused
    /// before sending.
    ///
    /// Never true together with [`is_retryable`](Self::is_retryable).
    pub fn is_permanent(&self) -> bool {
        match self {
            Error::Config(_) | Error::Encode(_) => true,
            Error::Storage(e) if e.status.is_none() => true,
            _ => {
                use crate::retry::Failure;
                matches!(self.failure(), Some(f @ (Failure::Status(_) | Failure::Certificate)) if !crate::retry::is_retryable(f, true))
            }
        }
    }

    /// What the retry rule knows of this failure: the status of an error
    /// answer, or whether a failed request may have been sent. `None` for
    /// errors the rule never sees (decode, body cap, configuration, encoding,
    /// pagination, a refused storage URL).
    pub(crate) fn failure(&self) -> Option<crate::retry::Failure> {
        use crate::retry::Failure;
        let sent = |sent: bool| if sent { Failure::MaybeSent } else { Failure::NotSent };
        match self {
            Error::Api(e) => Some(Failure::Status(e.status)),
            Error::Redirect(e) => Some(Failure::Status(e.meta.status)),
            Error::Storage(e) => e.status.map(Failure::Status),
            Error::Transport(e) if e.kind == TransportKind::Certificate => Some(Failure::Certificate),
            Error::Transport(e) => Some(sent(e.sent)),
            Error::Timeout(e) => Some(sent(e.sent)),
            Error::Decode(_) | Error::BodyTooLarge(_) | Error::Config(_) | Error::Encode(_) | Error::Pagination(_) => {
                None
            }
        }
    }

    /// Whether the call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }

    /// Whether the answer was a 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The `Location` of a redirect.
    pub fn location(&self) -> Option<&str> {
        match self {
            Error::Redirect(e) => e.location.as_deref(),
            _ => None,
        }
    }

    fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Error::Api(e) => Some(&e.meta),
            Error::Decode(e) => Some(&e.meta),
            Error::Redirect(e) => Some(&e.meta),
            _ => None,
        }
    }
}

/// An error answer: status, the decoded body, and what came with it.
pub struct ApiError {
    pub(crate) status: u16,
    pub(crate) decoded: Option<DecodedErrorBody>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) excerpt: Option<String>,
    pub(crate) meta: ResponseMeta,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }
    /// The wire `type`, if the body had one.
    pub fn error_type(&self) -> Option<&str> {
        self.decoded.as_ref()?.error_type.as_deref()
    }
    /// The body's message.
    pub fn message(&self) -> Option<&str> {
        self.decoded.as_ref()?.message.as_deref()
    }
    /// The body's detail.
    pub fn detail(&self) -> Option<&str> {
        self.decoded.as_ref()?.detail.as_deref()
    }
    /// The larger of the `Retry-After` header and the body's `retry_after`.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
    /// The ID to quote to support.
    pub fn reference_id(&self) -> Option<&str> {
        self.decoded.as_ref()?.reference_id.as_deref()
    }
    /// DevRev's typed error, when the endpoint uses DevRev's error body.
    pub fn kind(&self) -> Option<&ErrorKind> {
        self.body::<DevRevError>().map(|b| &b.kind)
    }
    /// The decoded body as the endpoint's declared error type `T`.
    pub fn body<T: 'static>(&self) -> Option<&T> {
        self.decoded.as_ref()?.body.as_any().downcast_ref::<T>()
    }
    /// The start of the body, when it did not decode as the declared error
    /// type (an HTML page, an empty body, ...).
    pub fn excerpt(&self) -> Option<&str> {
        self.excerpt.as_deref()
    }
    /// Status, headers, rate limit and attempts.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("body", &self.decoded.as_ref().map(|d| &d.body))
            .field("retry_after", &self.retry_after)
            .field("excerpt", &self.excerpt)
            .field("rate_limit", &self.meta.rate_limit)
            .field("attempts", &self.meta.attempts)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DevRev answered {}", self.status)?;
        match &self.decoded {
            Some(d) => {
                if let Some(t) = &d.error_type {
                    write!(f, " {t}")?;
                }
                if let Some(m) = d.message.as_deref().filter(|m| !m.is_empty()) {
                    write!(f, ": {m}")?;
                }
                // DevRev's detail often repeats what the message says (the
                // missing object's ID): print it only when it adds something.
                let message = d.message.as_deref().unwrap_or_default();
                if let Some(detail) = d.detail.as_deref().filter(|m| !m.is_empty() && !message.contains(*m)) {
                    write!(f, " ({detail})")?;
                }
                if let Some(id) = &d.reference_id {
                    write!(f, " [reference id {id}]")?;
                }
            }
            None => match self.excerpt.as_deref() {
                Some("") | None => write!(f, " with an empty body")?,
                Some(excerpt) => write!(f, " with a body that is not a DevRev error: {excerpt:?}")?,
            },
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; retry after {}s", wait.as_secs())?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A success answer whose body did not decode into the response type.
#[derive(Debug, thiserror::Error)]
#[error(
    "the {status} answer did not decode into the response type{at}: {message}; body starts {excerpt:?}",
    status = meta.status,
    at = path.as_deref().map(|p| format!(" at `{p}`")).unwrap_or_default()
)]
pub struct DecodeError {
    pub(crate) message: String,
    pub(crate) path: Option<String>,
    pub(crate) excerpt: String,
    pub(crate) meta: ResponseMeta,
}

impl DecodeError {
    /// What the decoder said (serde_json's message, with line and column).
    pub fn message(&self) -> &str {
        &self.message
    }
    /// Where in the body the decoder failed, as a field path such as
    /// `works[3].owned_by[0].id`; `None` when the body as a whole is at
    /// fault (not JSON, or not an object).
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }
    /// The start of the body, at most 512 bytes.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
    /// Status, headers, rate limit and attempts.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }
}

/// The request could not be sent, or the connection broke before the answer was complete.
///
/// [`kind`](Self::kind) says which: no connection, a server certificate the
/// client does not trust, or a connection that failed once open. The HTTP
/// stack's error is the [`source`](std::error::Error::source), with its own
/// causes below it (for a certificate, the TLS library's error).
#[derive(Debug, thiserror::Error)]
#[error("{}: {message} (after {attempts} attempt{})", self.headline(), if *.attempts == 1 { "" } else { "s" })]
pub struct TransportError {
    pub(crate) kind: TransportKind,
    pub(crate) message: String,
    pub(crate) sent: bool,
    pub(crate) attempts: u32,
    #[source]
    pub(crate) source: Option<reqwest::Error>,
}

/// What kind of failure a [`TransportError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be made: refused, unreachable, a host name that
    /// does not resolve, a TLS handshake that failed for a reason other than
    /// the certificate. Nothing was sent; retried for every endpoint.
    Connect,
    /// The server's TLS certificate is not trusted: issued by an authority
    /// the client does not trust, expired or not yet valid, made out for
    /// another host name, revoked or malformed. Nothing was sent, and it is
    /// never retried: every attempt would fail the same way until the
    /// server's certificate or the client's roots
    /// ([`ClientBuilder::add_root_certificate`](crate::ClientBuilder::add_root_certificate))
    /// change. The TLS library's error (`rustls::Error::InvalidCertificate`
    /// and the reason) is in the source chain.
    Certificate,
    /// The connection failed once made: reset, or closed before the whole
    /// answer arrived. Retried for every endpoint when the request cannot
    /// have reached the server ([`TransportError::maybe_sent`] is false),
    /// otherwise only for idempotent ones.
    Connection,
}

impl TransportError {
    /// Which kind of failure this is: match on it to tell a certificate
    /// problem from a network one.
    pub fn kind(&self) -> TransportKind {
        self.kind
    }
    fn headline(&self) -> &'static str {
        match self.kind {
            TransportKind::Certificate => "the server's TLS certificate is not trusted, so the request was not sent",
            _ if self.sent => "the connection failed after the request was sent",
            _ => "the request could not be sent",
        }
    }
    /// Whether the request may have reached the server (a connection reset
    /// after sending), as opposed to never leaving (connection refused).
    pub fn maybe_sent(&self) -> bool {
        self.sent
    }
    /// Attempts made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// Which time limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Connecting took longer than the connect timeout.
    Connect,
    /// One attempt (headers and body) took longer than the attempt timeout.
    Attempt,
    /// The whole call, retries included, ran past its deadline.
    Deadline,
    /// Pacing held the call for the rate-limit window to reset, and the
    /// window ends past the call's deadline: returned at once, without
    /// waiting (see [`pacing`](crate::pacing)). The limit is the deadline.
    RateLimitWindow,
}

/// The call ran out of time.
#[derive(Debug, thiserror::Error)]
#[error("{}", timeout_message(self))]
pub struct TimeoutError {
    pub(crate) kind: TimeoutKind,
    pub(crate) limit: Duration,
    pub(crate) attempts: u32,
    pub(crate) sent: bool,
}

impl TimeoutError {
    /// Whether the attempt that timed out may have reached the server (its
    /// body was being sent), as opposed to timing out while connecting or
    /// before it started.
    pub fn maybe_sent(&self) -> bool {
        self.sent
    }
    /// Which limit ran out.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }
    /// The limit that ran out.
    pub fn limit(&self) -> Duration {
        self.limit
    }
}

/// DevRev answered with a redirect. DevRev uses 301 when an object's ID
/// changed; the new location is here, and the request was not re-sent.
#[derive(Debug, thiserror::Error)]
#[error("DevRev answered {} with a redirect to {}; redirects are not followed", meta.status, location.as_deref().unwrap_or("nowhere"))]
pub struct RedirectError {
    pub(crate) location: Option<String>,
    pub(crate) meta: ResponseMeta,
}

impl RedirectError {
    /// The `Location` header.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
    /// Status, headers, rate limit and attempts.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }
}

/// The answer's body passed the cap, and was read no further.
#[derive(Debug, thiserror::Error)]
#[error("the {status} answer's body is larger than the {limit}-byte cap")]
pub struct BodyTooLargeError {
    pub(crate) status: u16,
    pub(crate) limit: usize,
    pub(crate) attempts: u32,
}

impl BodyTooLargeError {
    /// The cap in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// Which way a storage transfer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transfer {
    /// A multipart `POST` of a file to a storage URL.
    Upload,
    /// A `GET` of a file from a storage URL.
    Download,
}

impl fmt::Display for Transfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transfer::Upload => "upload",
            Transfer::Download => "download",
        })
    }
}

/// A storage URL (an artifact's upload or download URL, which belongs to a
/// storage service, not to DevRev's API) answered with an error status, or
/// was refused before anything was sent.
///
/// It names the URL's scheme and host only: the path and query of such a
/// URL often carry a signature, and are never printed. S3-style XML error
/// bodies are read for their `Code` and `Message`; any other body is kept as
/// a bounded excerpt.
#[derive(Debug)]
pub struct StorageError {
    pub(crate) transfer: Transfer,
    pub(crate) origin: String,
    pub(crate) status: Option<u16>,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) excerpt: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) attempts: u32,
}

impl StorageError {
    /// The upload or the download.
    pub fn transfer(&self) -> Transfer {
        self.transfer
    }
    /// The HTTP status; `None` when the URL was refused before sending
    /// (not http(s), or plain http to a host that is not loopback).
    pub fn status(&self) -> Option<u16> {
        self.status
    }
    /// The storage service's error code, such as S3's `AccessDenied`.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
    /// The storage service's message, or why the URL was refused.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    /// The start of a body that was not an S3-style error document.
    pub fn excerpt(&self) -> Option<&str> {
        self.excerpt.as_deref()
    }
    /// The URL's scheme and host (`https://bucket.s3.amazonaws.com`), never its path or query.
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// Attempts made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(status) = self.status else {
            let reason = self.message.as_deref().unwrap_or("refused");
            return write!(f, "the {} URL at {} was not used: {reason}", self.transfer, self.origin);
        };
        write!(f, "the storage server at {} answered {status} to the {}", self.origin, self.transfer)?;
        if let Some(code) = &self.code {
            write!(f, ": {code}")?;
        }
        if let Some(message) = self.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, " ({message})")?;
        }
        if let Some(excerpt) = self.excerpt.as_deref().filter(|e| !e.is_empty()) {
            write!(f, " with the body {excerpt:?}")?;
        }
        write!(f, " after {} attempt{}", self.attempts, if self.attempts == 1 { "" } else { "s" })
    }
}

impl std::error::Error for StorageError {}

/// The client or an endpoint is misconfigured; found at `build()` or
/// `from_env()`, or, for [`ConfigError::InvalidEndpointPath`], when a call starts.
///
/// Its `Debug` carries the message too (`MissingToken("no DevRev token: set
/// DEVREV_TOKEN or call ClientBuilder::token")`), so a `main` that returns
/// the error, which prints `Debug`, still says what to do.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No token was given (`DEVREV_TOKEN` unset for `from_env`).
    #[error("no DevRev token: set DEVREV_TOKEN or call ClientBuilder::token")]
    MissingToken,
    /// The token is empty.
    #[error("the DevRev token is empty")]
    EmptyToken,
    /// The token holds characters a header cannot carry.
    #[error("the DevRev token holds characters that cannot be sent in a header")]
    InvalidToken,
    /// The base URL does not parse.
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The base URL is not https and its host is not loopback.
    #[error("the base URL {url:?} must use https (plain http is allowed only for loopback hosts)")]
    InsecureBaseUrl {
        /// The URL as given.
        url: String,
    },
    /// A header value (user agent, API version) cannot be sent.
    #[error("invalid header value for {name}")]
    InvalidHeader {
        /// The header.
        name: &'static str,
    },
    /// A setting is out of range.
    #[error("invalid setting {name}: {reason}")]
    InvalidSetting {
        /// The setting.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    Http(String),
    /// An endpoint's path cannot be sent safely: it does not start with `/`
    /// or holds characters that would change where the request goes. Found
    /// when the call starts, before anything is sent; the attribute refuses
    /// such paths at compile time, so only a hand-written
    /// [`Endpoint`](crate::Endpoint) can meet it.
    #[error("the endpoint path {path:?} cannot be sent: {reason}")]
    InvalidEndpointPath {
        /// The endpoint's `PATH`.
        path: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variant = match self {
            ConfigError::MissingToken => "MissingToken",
            ConfigError::EmptyToken => "EmptyToken",
            ConfigError::InvalidToken => "InvalidToken",
            ConfigError::InvalidBaseUrl { .. } => "InvalidBaseUrl",
            ConfigError::InsecureBaseUrl { .. } => "InsecureBaseUrl",
            ConfigError::InvalidHeader { .. } => "InvalidHeader",
            ConfigError::InvalidSetting { .. } => "InvalidSetting",
            ConfigError::Http(_) => "Http",
            ConfigError::InvalidEndpointPath { .. } => "InvalidEndpointPath",
        };
        f.debug_tuple(variant).field(&self.to_string()).finish()
    }
}

/// What ran out, its limit, and how many attempts were made: "the call ran
/// past its deadline of 120s after 3 attempts", "the call was not sent: the
/// rate-limit window resets after its deadline of 3s".
fn timeout_message(e: &TimeoutError) -> String {
    let limit = e.limit;
    let after = match e.attempts {
        0 => String::new(),
        1 => " after 1 attempt".to_owned(),
        n => format!(" after {n} attempts"),
    };
    match e.kind {
        TimeoutKind::Connect => format!("could not connect within the connect timeout of {limit:?}{after}"),
        TimeoutKind::Attempt => format!("the answer did not arrive within the attempt timeout of {limit:?}{after}"),
        TimeoutKind::Deadline => format!("the call ran past its deadline of {limit:?}{after}"),
        TimeoutKind::RateLimitWindow if e.attempts == 0 => {
            format!("the call was not sent: the rate-limit window resets after its deadline of {limit:?}")
        }
        TimeoutKind::RateLimitWindow => {
            format!("the call was not retried: the rate-limit window resets after its deadline of {limit:?}{after}")
        }
    }
}

/// A paginated listing went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The server sent a `next_cursor` it had sent before; following it would loop forever.
    #[error("the listing repeated the cursor {cursor:?} after {pages} page(s); stopping instead of looping")]
    RepeatedCursor {
        /// The repeated cursor.
        cursor: String,
        /// Pages read before it repeated.
        pages: u64,
    },
}

impl Error {
    /// Replaces every occurrence of `secret` in the text this error holds
    /// (excerpts, messages, the redirect location) with `<redacted>`. A server
    /// or proxy that echoes the request's headers back in its error page must
    /// not make the token show up in a log line. (Error bodies are scrubbed
    /// before they are decoded, so the typed body is clean too.)
    pub(crate) fn scrub(mut self, secret: &str) -> Error {
        if secret.is_empty() {
            return self;
        }
        let fix = |text: &mut String| {
            if let std::borrow::Cow::Owned(clean) = crate::redact::scrub_str(text, secret) {
                *text = clean;
            }
        };
        match &mut self {
            Error::Api(e) => {
                if let Some(text) = e.excerpt.as_mut() {
                    fix(text);
                }
                if let Some(d) = e.decoded.as_mut() {
                    for text in
                        [&mut d.error_type, &mut d.message, &mut d.detail, &mut d.reference_id].into_iter().flatten()
                    {
                        fix(text);
                    }
                }
            }
            Error::Decode(e) => {
                for text in [&mut e.message, &mut e.excerpt].into_iter().chain(e.path.as_mut()) {
                    fix(text);
                }
            }
            Error::Transport(e) => fix(&mut e.message),
            Error::Redirect(e) => {
                if let Some(location) = e.location.as_mut() {
                    fix(location);
                }
            }
            _ => {}
        }
        self
    }
}

/// The first bytes of a body, as text, for error messages: at most
/// [`EXCERPT_BYTES`] bytes of UTF-8 (invalid bytes shown as U+FFFD), with `…`
/// after it when the body was longer.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let mut head = &bytes[..bytes.len().min(EXCERPT_BYTES)];
    if bytes.len() > EXCERPT_BYTES {
        // Do not cut a character in two: drop a sequence left incomplete at the end.
        let last_start = (head.len().saturating_sub(4)..head.len()).rev().find(|&i| head[i] & 0xC0 != 0x80);
        if let Some(i) = last_start.filter(|&i| std::str::from_utf8(&head[i..]).is_err()) {
            head = &head[..i];
        }
    }
    let mut text = String::from_utf8_lossy(head).into_owned();
    // Each invalid byte became a 3-byte U+FFFD: keep within the bound.
    let mut cut = bytes.len() > EXCERPT_BYTES;
    if text.len() > EXCERPT_BYTES {
        let mut end = EXCERPT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        cut = true;
    }
    if cut {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_stays_small() {
        assert!(std::mem::size_of::<Error>() <= 32, "{}", std::mem::size_of::<Error>());
    }

    #[test]
    fn excerpt_is_bounded() {
        let long = vec![b'x'; 10_000];
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_BYTES + 1);
        assert_eq!(excerpt(b"<html>"), "<html>");
        // Invalid bytes widen into U+FFFD; the excerpt stays within the bound.
        let invalid = vec![0x80; 600];
        let text = excerpt(&invalid);
        assert!(text.len() <= EXCERPT_BYTES + '…'.len_utf8(), "{}", text.len());
        assert!(text.starts_with('\u{FFFD}') && text.ends_with('…'));
        // A character cut at the bound is dropped, not mangled.
        let mut split = vec![b'a'; EXCERPT_BYTES - 1];
        split.extend_from_slice("é and more".as_bytes());
        assert_eq!(excerpt(&split), format!("{}…", "a".repeat(EXCERPT_BYTES - 1)));
        let exact = "é".repeat(EXCERPT_BYTES / 2);
        assert_eq!(excerpt(exact.as_bytes()), exact);
    }

    #[test]
    fn config_errors_debug_with_their_message() {
        // What `fn main() -> Result<(), Box<dyn Error>>` prints on a missing token.
        let err = Error::from(ConfigError::MissingToken);
        assert_eq!(
            format!("{err:?}"),
            r#"Config(MissingToken("no DevRev token: set DEVREV_TOKEN or call ClientBuilder::token"))"#
        );
        let err = ConfigError::InvalidSetting { name: "timeout", reason: "it must be longer than zero".into() };
        assert_eq!(format!("{err:?}"), r#"InvalidSetting("invalid setting timeout: it must be longer than zero")"#);
    }

    fn timeout(kind: TimeoutKind, secs: u64, attempts: u32) -> String {
        TimeoutError { kind, limit: Duration::from_secs(secs), attempts, sent: false }.to_string()
    }

    #[test]
    fn a_timeout_says_what_ran_out_in_words() {
        assert_eq!(
            timeout(TimeoutKind::RateLimitWindow, 3, 0),
            "the call was not sent: the rate-limit window resets after its deadline of 3s"
        );
        assert_eq!(
            timeout(TimeoutKind::RateLimitWindow, 3, 2),
            "the call was not retried: the rate-limit window resets after its deadline of 3s after 2 attempts"
        );
        assert_eq!(timeout(TimeoutKind::Deadline, 120, 3), "the call ran past its deadline of 120s after 3 attempts");
        assert_eq!(
            timeout(TimeoutKind::Attempt, 60, 1),
            "the answer did not arrive within the attempt timeout of 60s after 1 attempt"
        );
        assert_eq!(
            timeout(TimeoutKind::Connect, 10, 2),
            "could not connect within the connect timeout of 10s after 2 attempts"
        );
    }

    #[test]
    fn a_not_found_names_the_id_once() {
        let body = br#"{"type":"not_found","message":"rev org `don:identity:dvrv-us-1:devo/1:revo/9` does not exist","detail":"don:identity:dvrv-us-1:devo/1:revo/9"}"#;
        let api = ApiError {
            status: 404,
            decoded: crate::error_body::decode_error_body::<DevRevError>(body),
            retry_after: None,
            excerpt: None,
            meta: ResponseMeta::new(404, Default::default(), 1),
        };
        assert_eq!(
            api.to_string(),
            "DevRev answered 404 not_found: rev org `don:identity:dvrv-us-1:devo/1:revo/9` does not exist"
        );
        // A detail that adds something is still printed.
        let body = br#"{"type":"bad_request","message":"invalid request","detail":"limit must be at most 100"}"#;
        let api = ApiError { decoded: crate::error_body::decode_error_body::<DevRevError>(body), ..api };
        assert_eq!(api.to_string(), "DevRev answered 404 bad_request: invalid request (limit must be at most 100)");
    }

    #[test]
    fn scrub_removes_the_secret_from_error_text() {
        let api = ApiError {
            status: 502,
            decoded: None,
            retry_after: None,
            excerpt: Some("Authorization: Bearer s3cr3t".into()),
            meta: ResponseMeta::new(502, Default::default(), 1),
        };
        let err = Error::Api(Box::new(api)).scrub("s3cr3t");
        assert_eq!(err.api().unwrap().excerpt(), Some("Authorization: Bearer <redacted>"));
        assert!(!format!("{err} {err:?}").contains("s3cr3t"));
    }
}
