//! The pacing budget on a Redis server, shared by every process that sends
//! with one organisation and token (feature `redis`).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use sha2::{Digest, Sha256};

use super::{now_unix, until, Admission, BudgetFuture, LocalBudget, PacingBudget, Slot};
use crate::response::RateLimit;

/// A slot taken on the Redis server.
const SHARED: Slot = Slot::new(1);
/// A slot taken from the local fallback budget.
const FALLBACK: Slot = Slot::new(2);

/// How long a key outlives the last window it knows of, in seconds: a
/// budget nobody uses is gone a minute after its window ends.
const KEY_TTL_SECS: u64 = 60;

/// After a fault, how long calls are paced locally before Redis is asked again.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// How long one Redis command may take before the call is paced locally.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// How often a call that waits for an answer another process will get
/// asks the shared budget again.
const ANSWER_POLL: Duration = Duration::from_millis(20);

/// Takes one request from the budget, atomically.
/// `KEYS[1]`: the budget (a hash: limit, remaining, reset, inflight, answered).
/// `ARGV[1]`: now, Unix seconds. Returns `{1, 0}` (go), `{2, reset}` (wait for
/// the reset) or `{3, 0}` (wait for an answer).
const ACQUIRE: &str = r"
local now = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'limit', 'remaining', 'reset', 'inflight', 'answered')
local limit = tonumber(v[1])
local remaining = tonumber(v[2]) or 0
local reset = tonumber(v[3])
local inflight = tonumber(v[4]) or 0
local answered = tonumber(v[5]) or 0
if not limit then
  redis.call('HINCRBY', KEYS[1], 'inflight', 1)
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
  return {1, 0}
end
if reset and now >= reset then
  remaining = limit
  reset = nil
  redis.call('HSET', KEYS[1], 'remaining', limit)
  redis.call('HDEL', KEYS[1], 'reset')
end
if remaining > 0 then
  redis.call('HINCRBY', KEYS[1], 'remaining', -1)
  redis.call('HINCRBY', KEYS[1], 'inflight', 1)
  return {1, 0}
end
if reset then
  return {2, reset}
end
if inflight > 0 and now - answered < 5 then
  return {3, 0}
end
redis.call('HINCRBY', KEYS[1], 'inflight', 1)
return {1, 0}
";

/// An attempt ended: gives its slot back (`ARGV[1]` = 1) and applies what
/// its answer said (`ARGV[2..4]`: limit, remaining, reset; empty without an
/// answer). `ARGV[5]`: now, Unix seconds; `ARGV[6]`: the key's TTL past the reset.
const RELEASE: &str = r"
if ARGV[1] == '1' then
  if redis.call('HINCRBY', KEYS[1], 'inflight', -1) < 0 then
    redis.call('HSET', KEYS[1], 'inflight', 0)
  end
end
if ARGV[2] == '' then
  return 0
end
local limit = tonumber(ARGV[2])
local remaining = tonumber(ARGV[3])
local reset = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
local v = redis.call('HMGET', KEYS[1], 'limit', 'remaining', 'reset', 'inflight')
local climit = tonumber(v[1])
local cremaining = tonumber(v[2]) or 0
local creset = tonumber(v[3])
local inflight = tonumber(v[4]) or 0
redis.call('HSET', KEYS[1], 'answered', now)
if creset and reset == creset then
  if remaining < cremaining then
    redis.call('HSET', KEYS[1], 'remaining', remaining)
  end
elseif creset and reset < creset then
  -- an answer from a window that has since passed
elseif climit and not creset and reset <= now then
  -- an answer from a window that has ended
else
  local left = remaining - inflight
  if left < 0 then left = 0 end
  redis.call('HSET', KEYS[1], 'limit', limit, 'reset', reset, 'remaining', left)
end
local ttl = reset - now
if ttl < 0 then ttl = 0 end
redis.call('EXPIRE', KEYS[1], ttl + tonumber(ARGV[6]))
return 1
";

/// A [`RedisBudget`] that could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisBudgetError {
    /// The Redis URL does not parse (`redis://host:port/db`).
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(String),
    /// The organisation is empty.
    #[error("the organisation naming the budget is empty")]
    EmptyOrg,
    /// The token is empty.
    #[error("the token naming the budget is empty")]
    EmptyToken,
    /// Not called within a Tokio runtime (the connection runs on it).
    #[error("a RedisBudget is made within a Tokio runtime")]
    NoRuntime,
}

/// The pacing budget on a Redis server, shared by every client, in any
/// process, made with the same Redis server, organisation and token.
///
/// DevRev's rate limit belongs to the organisation and token, not to one
/// process: workers that each pace to the whole limit send N times too
/// much together. With a `RedisBudget`, taking a request from the budget
/// is one Lua script on the server (so two workers never take the same
/// request), and each answer's `X-Ratelimit-*` headers update the shared
/// budget through another. The key is `devrev:pacing:v1:<org>:<fingerprint>`,
/// the fingerprint being the first 16 hex digits of the token's SHA-256:
/// the token itself is never sent to Redis.
///
/// **Faults.** When Redis is unreachable, slow (a command takes longer than
/// [`timeout`](Self::timeout), 250 ms by default) or restarted, calls are
/// paced by a [`LocalBudget`] that has followed every answer, with a
/// `tracing` warning once per fault and the count in
/// [`fallbacks`](Self::fallbacks); Redis is asked again after
/// [`retry_after`](Self::retry_after) (1 s by default), and the shared
/// budget is used again as soon as it answers. Falling back may let the
/// processes together send over the limit for a while: the 429s that draws
/// are retried as usual, and a bulk create's outcome stays exactly-once
/// through `send_all`'s reconciliation (a budget decides when a request
/// goes, never whether it is sent twice). A restarted Redis has lost the
/// budget: calls go until the next answer tells it again, and the scripts
/// are loaded again (`EVALSHA`, then `SCRIPT LOAD` on `NOSCRIPT`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use devrev_runtime::pacing::RedisBudget;
///
/// let token = std::env::var("DEVREV_TOKEN")?;
/// let budget = Arc::new(RedisBudget::new("redis://127.0.0.1:6379", "my-org", &token)?);
/// let client = devrev_runtime::Client::builder().token(token).pacing_budget(budget.clone()).build()?;
/// // ... send ...
/// println!("paced locally {} times", budget.fallbacks());
/// # Ok(()) }
/// ```
pub struct RedisBudget {
    conn: ConnectionManager,
    key: Arc<str>,
    acquire: Arc<Script>,
    release: Arc<Script>,
    local: LocalBudget,
    timeout: Duration,
    retry_after: Duration,
    fallbacks: AtomicU64,
    /// While falling back: when to ask Redis again.
    degraded: Arc<Mutex<Option<Instant>>>,
}

impl fmt::Debug for RedisBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the URL (it may hold a password) nor anything of the token but its fingerprint.
        f.debug_struct("RedisBudget")
            .field("key", &self.key)
            .field("timeout", &self.timeout)
            .field("retry_after", &self.retry_after)
            .field("fallbacks", &self.fallbacks())
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

/// The key of the budget of `org` and `token`: the organisation and the
/// first 16 hex digits of the token's SHA-256, never the token.
fn budget_key(org: &str, token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let fingerprint: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("devrev:pacing:v1:{org}:{fingerprint}")
}

impl RedisBudget {
    /// The budget of `org` and `token` on the Redis server at `redis_url`
    /// (`redis://[:password@]host:port[/db]`). Connects on first use, so a
    /// server that is down now is a fault paced locally, not an error.
    /// `org` is any name the workers agree on (the DevRev organisation's ID
    /// or slug); with the token's fingerprint it names the shared key.
    ///
    /// # Errors
    /// [`RedisBudgetError`] for a malformed URL, an empty organisation or
    /// token, or a call outside a Tokio runtime.
    pub fn new(redis_url: &str, org: &str, token: &str) -> Result<Self, RedisBudgetError> {
        if org.is_empty() {
            return Err(RedisBudgetError::EmptyOrg);
        }
        if token.is_empty() {
            return Err(RedisBudgetError::EmptyToken);
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(RedisBudgetError::NoRuntime);
        }
        let client = redis::Client::open(redis_url).map_err(|e| RedisBudgetError::InvalidUrl(e.to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(100));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| RedisBudgetError::InvalidUrl(e.to_string()))?;
        Ok(RedisBudget {
            conn,
            key: budget_key(org, token).into(),
            acquire: Arc::new(Script::new(ACQUIRE)),
            release: Arc::new(Script::new(RELEASE)),
            local: LocalBudget::default(),
            timeout: DEFAULT_TIMEOUT,
            retry_after: DEFAULT_RETRY_AFTER,
            fallbacks: AtomicU64::new(0),
            degraded: Arc::default(),
        })
    }

    /// How long one Redis command may take before the call is paced
    /// locally (250 ms by default).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// After a fault, how long calls are paced locally before Redis is
    /// asked again (1 s by default).
    #[must_use]
    pub fn retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The Redis key of the budget: `devrev:pacing:v1:<org>:<fingerprint>`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// How many times a Redis fault (unreachable, slow, an error) turned
    /// the budget to local pacing.
    pub fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    /// Whether calls are paced locally now, after a fault.
    pub fn is_falling_back(&self) -> bool {
        lock(&self.degraded).is_some()
    }

    /// Whether Redis is to be asked now (not within `retry_after` of a fault).
    fn use_redis(&self) -> bool {
        lock(&self.degraded).is_none_or(|until| Instant::now() >= until)
    }

    fn fault(&self, what: &str, error: &dyn fmt::Display) {
        let mut degraded = lock(&self.degraded);
        let first = degraded.is_none();
        *degraded = Some(Instant::now() + self.retry_after);
        drop(degraded);
        if first {
            self.fallbacks.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                key = %self.key,
                %error,
                "pacing budget on Redis unavailable ({what}); pacing locally until it answers"
            );
        }
    }

    fn recovered(&self) {
        let mut degraded = lock(&self.degraded);
        if degraded.take().is_some() {
            drop(degraded);
            tracing::info!(key = %self.key, "pacing budget on Redis answers again; sharing it");
        }
    }

    async fn acquire_shared(&self) -> Result<Admission, String> {
        let mut conn = self.conn.clone();
        let mut invocation = self.acquire.key(&*self.key);
        invocation.arg(now_unix()).arg(KEY_TTL_SECS);
        let answer = tokio::time::timeout(self.timeout, invocation.invoke_async::<(u8, u64)>(&mut conn)).await;
        match answer {
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
            Ok(Err(e)) => Err(e.to_string()),
            Ok(Ok((1, _))) => Ok(Admission::Go(SHARED)),
            Ok(Ok((2, reset))) => Ok(Admission::WaitForReset { wait: until(reset), reset }),
            Ok(Ok((3, _))) => Ok(Admission::WaitForAnswer),
            Ok(Ok((code, _))) => Err(format!("unexpected answer {code} from the acquire script")),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PacingBudget for RedisBudget {
    fn acquire(&self) -> BudgetFuture<'_, Admission> {
        Box::pin(async move {
            if self.use_redis() {
                match self.acquire_shared().await {
                    Ok(admission) => {
                        self.recovered();
                        return admission;
                    }
                    Err(error) => self.fault("acquire", &error),
                }
            }
            match self.local.admit() {
                Admission::Go(_) => Admission::Go(FALLBACK),
                other => other,
            }
        })
    }

    fn release(&self, slot: Slot, rate: Option<&RateLimit>) {
        let shared = slot == SHARED;
        if shared {
            self.local.observe(rate);
        } else {
            self.local.finish(rate);
        }
        let complete = rate.and_then(|r| Some((r.limit?, r.remaining?, r.reset?)));
        // A slot taken on Redis is given back there; an answer's headers
        // update the shared budget unless Redis is known to be down.
        if !shared && (complete.is_none() || !self.use_redis()) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let mut conn = self.conn.clone();
        let script = Arc::clone(&self.release);
        let key = Arc::clone(&self.key);
        let timeout = self.timeout;
        runtime.spawn(async move {
            let mut invocation = script.key(&*key);
            invocation.arg(u8::from(shared));
            match complete {
                Some((limit, remaining, reset)) => invocation.arg(limit).arg(remaining).arg(reset),
                None => invocation.arg("").arg("").arg(""),
            };
            invocation.arg(now_unix()).arg(KEY_TTL_SECS);
            match tokio::time::timeout(timeout, invocation.invoke_async::<i64>(&mut conn)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::debug!(%key, error = %e, "pacing budget on Redis: release failed"),
                Err(_) => tracing::debug!(%key, "pacing budget on Redis: release timed out"),
            }
        });
    }

    fn window_passed(&self, reset: u64) {
        // The acquire script restores the limit once the window's end has passed.
        self.local.passed(reset);
    }

    fn changed(&self) -> BudgetFuture<'_, ()> {
        let local = self.local.changed_listening();
        if self.use_redis() {
            // Another process's answer is not signalled here: ask again soon.
            Box::pin(async move {
                let _ = tokio::time::timeout(ANSWER_POLL, local).await;
            })
        } else {
            local
        }
    }

    fn snapshot(&self) -> RateLimit {
        self.local.current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_holds_a_fingerprint_not_the_token() {
        let key = budget_key("acme", "secret-token-123");
        assert!(key.starts_with("devrev:pacing:v1:acme:"), "{key}");
        assert!(!key.contains("secret-token-123"));
        let fingerprint = key.rsplit(':').next().unwrap();
        assert_eq!(fingerprint.len(), 16);
        assert!(fingerprint.chars().all(|c| c.is_ascii_hexdigit()));
        // One token, one key; another token, another key.
        assert_eq!(key, budget_key("acme", "secret-token-123"));
        assert_ne!(key, budget_key("acme", "secret-token-124"));
        assert_ne!(key, budget_key("other", "secret-token-123"));
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert!(matches!(RedisBudget::new("redis://x", "", "t"), Err(RedisBudgetError::EmptyOrg)));
        assert!(matches!(RedisBudget::new("redis://x", "o", ""), Err(RedisBudgetError::EmptyToken)));
        assert!(matches!(RedisBudget::new("redis://x", "o", "t"), Err(RedisBudgetError::NoRuntime)));
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            assert!(matches!(RedisBudget::new("not a url", "o", "t"), Err(RedisBudgetError::InvalidUrl(_))));
        });
    }
}
