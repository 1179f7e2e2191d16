//! Rate limiting per token: a fixed number of requests per window.
//!
//! DevRev limits each user over a five-minute window and reports the budget
//! on every answer in `X-Ratelimit-Limit`, `X-Ratelimit-Remaining` and
//! `X-Ratelimit-Reset` (Unix seconds). Over the limit the answer is 429
//! `too_many_requests`, with `retry_after` (seconds) in the body and a
//! `Retry-After` header.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;

/// A rate limit: `requests` per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in one window.
    pub requests: u32,
    /// The window's length.
    pub window: Duration,
}

impl RateLimit {
    /// `requests` per `window`.
    pub fn new(requests: u32, window: Duration) -> Self {
        RateLimit { requests, window }
    }
}

impl Default for RateLimit {
    /// 10,000 requests per five minutes: generous enough that examples and
    /// tests that do not configure a limit never meet it.
    fn default() -> Self {
        RateLimit { requests: 10_000, window: Duration::from_secs(300) }
    }
}

/// What the rate-limit headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    limit: u32,
    remaining: u32,
    /// When the window ends, in Unix seconds.
    reset: u64,
}

impl Budget {
    /// Sets the three `X-Ratelimit-*` headers on `response`.
    pub(crate) fn apply(self, response: &mut Response) {
        let headers = response.headers_mut();
        headers.insert(HeaderName::from_static("x-ratelimit-limit"), HeaderValue::from(self.limit));
        headers.insert(HeaderName::from_static("x-ratelimit-remaining"), HeaderValue::from(self.remaining));
        headers.insert(HeaderName::from_static("x-ratelimit-reset"), HeaderValue::from(self.reset));
    }
}

#[derive(Debug)]
struct Bucket {
    /// When the window ends.
    ends: SystemTime,
    /// The window's end in Unix seconds, rounded up.
    reset: u64,
    used: u32,
}

/// The end of a window that starts at `now`. A window of whole seconds starts
/// at the whole second `now` falls in, so its end is a whole second and
/// `X-Ratelimit-Reset` says it exactly: a client that waits until the reset
/// meets the new window, not the old one. (It is up to a second shorter than
/// `window`; windows still start with a token's first request after the last
/// one ended, so a test that takes less than the window sees no boundary.)
fn window_end(now: SystemTime, window: Duration) -> SystemTime {
    if window.as_secs() > 0 && window.subsec_nanos() == 0 {
        let secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        UNIX_EPOCH + Duration::from_secs(secs) + window
    } else {
        now + window
    }
}

/// The limits and every token's use of them.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    default: RateLimit,
    per_token: HashMap<String, RateLimit>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

fn unix_ceil(t: SystemTime) -> u64 {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl Limiter {
    pub(crate) fn new(default: RateLimit, per_token: HashMap<String, RateLimit>) -> Self {
        Limiter { default, per_token, buckets: Mutex::new(HashMap::new()) }
    }

    fn limit_for(&self, token: &str) -> RateLimit {
        self.per_token.get(token).copied().unwrap_or(self.default)
    }

    fn with_bucket<T>(&self, token: &str, f: impl FnOnce(&mut Bucket, RateLimit) -> T) -> T {
        let limit = self.limit_for(token);
        let now = SystemTime::now();
        let fresh = || {
            let ends = window_end(now, limit.window);
            Bucket { ends, reset: unix_ceil(ends), used: 0 }
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(token.to_owned()).or_insert_with(fresh);
        if now >= bucket.ends {
            *bucket = fresh();
        }
        f(bucket, limit)
    }

    /// Counts one request of `token`: its budget after it, or, over the
    /// limit, the budget and how many seconds to wait.
    pub(crate) fn take(&self, token: &str) -> Result<Budget, (Budget, u64)> {
        self.with_bucket(token, |bucket, limit| {
            if bucket.used >= limit.requests {
                let left = bucket.ends.duration_since(SystemTime::now()).unwrap_or_default();
                let wait = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                let budget = Budget { limit: limit.requests, remaining: 0, reset: bucket.reset };
                return Err((budget, wait.max(1)));
            }
            bucket.used += 1;
            Ok(Budget { limit: limit.requests, remaining: limit.requests - bucket.used, reset: bucket.reset })
        })
    }

    /// Forgets every token's use: each starts a new window with its next request.
    pub(crate) fn reset(&self) {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The budget of `token` without counting a request; for answers that
    /// are not counted (unauthenticated requests, unknown paths, faults).
    pub(crate) fn peek(&self, token: Option<&str>) -> Budget {
        match token {
            Some(token) => self.with_bucket(token, |bucket, limit| Budget {
                limit: limit.requests,
                remaining: limit.requests.saturating_sub(bucket.used),
                reset: bucket.reset,
            }),
            None => Budget {
                limit: self.default.requests,
                remaining: self.default.requests,
                reset: unix_ceil(window_end(SystemTime::now(), self.default.window)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_token() {
        let mut per_token = HashMap::new();
        per_token.insert("slow".to_owned(), RateLimit::new(1, Duration::from_secs(60)));
        let limiter = Limiter::new(RateLimit::new(2, Duration::from_secs(60)), per_token);
        assert_eq!(limiter.take("a").unwrap().remaining, 1);
        assert_eq!(limiter.take("a").unwrap().remaining, 0);
        let (budget, wait) = limiter.take("a").unwrap_err();
        assert_eq!(budget.remaining, 0);
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(limiter.take("b").unwrap().limit, 2);
        assert_eq!(limiter.take("slow").unwrap().limit, 1);
        assert!(limiter.take("slow").is_err());
        assert_eq!(limiter.peek(Some("b")).remaining, 1);
        assert_eq!(limiter.peek(None).remaining, 2);
    }

    #[test]
    fn a_new_window_resets_the_count() {
        let limiter = Limiter::new(RateLimit::new(1, Duration::ZERO), HashMap::new());
        assert!(limiter.take("a").is_ok());
        // A zero window has always ended: every request starts a new one.
        assert!(limiter.take("a").is_ok());
    }
}
