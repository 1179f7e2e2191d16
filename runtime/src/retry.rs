//! Retries: which failures are retried, and how long to wait between tries.
//!
//! The rule, for every endpoint:
//!
//! | failure | retried |
//! | --- | --- |
//! | 408, 429 | always: the server says it did not process the request |
//! | connection refused, DNS, TLS handshake, connect timeout | always: nothing was sent |
//! | 500, 502, 503, 504 | only for idempotent endpoints |
//! | attempt timeout, connection dropped after sending | only for idempotent endpoints |
//! | 409 and every other 4xx, redirects | never |
//! | a server certificate the client does not trust (unknown issuer, expired, another host's name) | never: every attempt fails the same way |
//!
//! [`Error::is_retryable`](crate::Error::is_retryable) is true exactly for
//! the failures this rule retries for an idempotent endpoint, and
//! [`Error::is_permanent`](crate::Error::is_permanent) for the error
//! statuses it never retries; a test holds the client to both.
//!
//! An endpoint is idempotent when its attribute says so (`idempotent`); the
//! default is yes for `GET`, `PUT` and `DELETE` and no for `POST` and `PATCH`.
//! DevRev writes everything with `POST`, so a create is never sent twice
//! unless the failure proves it was not processed.
//!
//! Waits: when the server names one (the `Retry-After` header, in seconds or
//! as an HTTP date, or the body's `retry_after`; the larger wins; on a 429,
//! and on a retried 5xx that sends one), that wait; otherwise exponential
//! backoff with full jitter: a random wait between zero and
//! `min(max_delay, base_delay * 2^(retry - 1))`. A wait that would pass the
//! call's deadline is not slept: the last error (a 429 with its
//! `retry_after`) is returned at once.
//!
//! Defaults: 3 attempts, 1 s base delay, 30 s cap. Waits go through a
//! [`Sleeper`] (tokio's timer by default), which tests replace to record the
//! waits without sleeping: [`RecordingSleeper`](crate::testing::RecordingSleeper).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How many times a call is tried, and the backoff between tries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, base_delay: Duration::from_secs(1), max_delay: Duration::from_secs(30) }
    }
}

impl RetryPolicy {
    /// The defaults: 3 attempts, 1 s base delay, 30 s cap, full jitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// One attempt, no retries.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// The most attempts a call makes, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry, doubled for each further one.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest backoff between two attempts.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The upper bound of the jittered wait before retry number `retry` (1-based).
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// A full-jitter wait before retry number `retry`: uniform in `[0, ceiling]`.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Sleeps between attempts. The default uses tokio's timer; tests inject one
/// that records the waits and returns at once, so backoff is tested without
/// sleeping for real.
pub trait Sleeper: fmt::Debug + Send + Sync + 'static {
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The default [`Sleeper`]: `tokio::time::sleep`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// What went wrong with one attempt, as far as the retry decision goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// An error status.
    Status(u16),
    /// The request never left (connect error).
    NotSent,
    /// The request may have been processed (dropped connection, timeout).
    MaybeSent,
    /// The server's TLS certificate is not trusted: nothing was sent, and
    /// every attempt would fail the same way.
    Certificate,
}

/// Whether `failure` is retried for an endpoint that is (or is not) idempotent.
pub(crate) fn is_retryable(failure: Failure, idempotent: bool) -> bool {
    match failure {
        Failure::Status(408 | 429) | Failure::NotSent => true,
        Failure::Status(500 | 502 | 503 | 504) | Failure::MaybeSent => idempotent,
        Failure::Status(_) | Failure::Certificate => false,
    }
}

/// The `Retry-After` header: delay-seconds or an HTTP date.
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_rule() {
        for idempotent in [true, false] {
            assert!(is_retryable(Failure::Status(429), idempotent));
            assert!(is_retryable(Failure::Status(408), idempotent));
            assert!(is_retryable(Failure::NotSent, idempotent));
            assert!(!is_retryable(Failure::Status(409), idempotent));
            assert!(!is_retryable(Failure::Status(400), idempotent));
            assert!(!is_retryable(Failure::Status(404), idempotent));
            for s in [500, 502, 503, 504] {
                assert_eq!(is_retryable(Failure::Status(s), idempotent), idempotent);
            }
            assert_eq!(is_retryable(Failure::MaybeSent, idempotent), idempotent);
            assert!(!is_retryable(Failure::Certificate, idempotent), "a certificate fails the same way every time");
        }
        assert!(!is_retryable(Failure::Status(501), true));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::new();
        assert_eq!(p.backoff_ceiling(1), Duration::from_secs(1));
        assert_eq!(p.backoff_ceiling(2), Duration::from_secs(2));
        assert_eq!(p.backoff_ceiling(5), Duration::from_secs(16));
        assert_eq!(p.backoff_ceiling(6), Duration::from_secs(30));
        assert_eq!(p.backoff_ceiling(60), Duration::from_secs(30));
        for retry in 1..10 {
            assert!(p.backoff(retry) <= p.backoff_ceiling(retry));
        }
    }

    #[test]
    fn retry_after_seconds_and_date() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after_header(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        h.insert(RETRY_AFTER, HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap());
        let wait = retry_after_header(&h).unwrap();
        assert!(wait > Duration::from_secs(110) && wait <= Duration::from_secs(120), "{wait:?}");
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after_header(&h), None);
    }
}
