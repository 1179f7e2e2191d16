//! What comes back besides the decoded value: status, headers, rate limits.
//!
//! DevRev rate-limits per user over a five-minute window and reports the
//! budget on every answer in `X-Ratelimit-Limit`, `X-Ratelimit-Remaining` and
//! `X-Ratelimit-Reset` (Unix seconds). [`RateLimit`] holds them, on success
//! ([`Response`], from `send_with_meta`) and on error
//! ([`Error::rate_limit`](crate::Error::rate_limit)). A header that is absent
//! or not a whole number reads as `None`: nothing here fails or panics,
//! whatever the server sends.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName};

/// The rate-limit headers of one answer; each is `None` when absent or not a number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// `X-Ratelimit-Limit`: requests allowed in the window.
    pub limit: Option<u64>,
    /// `X-Ratelimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-Ratelimit-Reset`: when the window resets, in Unix seconds.
    pub reset: Option<u64>,
}

impl RateLimit {
    /// Reads the three headers.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        // Names built at compile time: a lookup by `&str` would parse and
        // validate the name on every answer.
        const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
        const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
        const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
        let num = |name: &HeaderName| {
            headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateLimit { limit: num(&LIMIT), remaining: num(&REMAINING), reset: num(&RESET) }
    }

    /// When the window resets, as a time; `None` when absent or past what a
    /// `SystemTime` can hold.
    pub fn reset_at(&self) -> Option<SystemTime> {
        self.reset.and_then(|secs| UNIX_EPOCH.checked_add(Duration::from_secs(secs)))
    }
}

/// Everything about an answer but its body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// The HTTP status.
    pub status: u16,
    /// The answer's headers.
    pub headers: HeaderMap,
    /// The rate-limit headers, parsed.
    pub rate_limit: RateLimit,
    /// How many attempts the call made, this one included (1 without retries).
    pub attempts: u32,
}

impl ResponseMeta {
    pub(crate) fn new(status: u16, headers: HeaderMap, attempts: u32) -> Self {
        let rate_limit = RateLimit::from_headers(&headers);
        ResponseMeta { status, headers, rate_limit, attempts }
    }
}

/// A decoded value with its [`ResponseMeta`], returned by `send_with_meta`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// Status, headers, rate limit and attempts.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The decoded body, dropping the metadata.
    pub fn into_value(self) -> T {
        self.value
    }
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.meta.status
    }
    /// The rate-limit headers, parsed.
    pub fn rate_limit(&self) -> &RateLimit {
        &self.meta.rate_limit
    }
    /// The number of attempts the call made.
    pub fn attempts(&self) -> u32 {
        self.meta.attempts
    }
    /// The answer's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn rate_limit_headers_parse_or_are_none() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from_static(" 500 "));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("-1"));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("1700000000"));
        let rate = RateLimit::from_headers(&h);
        assert_eq!((rate.limit, rate.remaining, rate.reset), (Some(500), None, Some(1_700_000_000)));
        assert_eq!(rate.reset_at(), Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("18446744073709551615"));
        let rate = RateLimit::from_headers(&h);
        assert_eq!(rate.reset, Some(u64::MAX));
        assert_eq!(rate.reset_at(), None, "past what a SystemTime holds, not a panic");
    }
}
