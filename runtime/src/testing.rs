//! Helpers for testing code that uses the client.
//!
//! [`RecordingSleeper`] replaces the client's timer: every wait the client
//! asks for (a retry's backoff, a `Retry-After`, pacing's wait for the
//! rate-limit window) is recorded and returns at once, so a test of retries
//! runs in milliseconds and can assert the waits themselves.
//!
//! In the `devrev` crate this module is `devrev::testing`.
//!
//! ```
//! use std::time::Duration;
//! use devrev_runtime::testing::RecordingSleeper; // devrev::testing::RecordingSleeper
//!
//! # fn main() -> devrev_runtime::Result<()> {
//! let sleeper = RecordingSleeper::new();
//! let client = devrev_runtime::Client::builder()
//!     .token("test-token")
//!     .base_url("http://127.0.0.1:8080") // a devrev_testkit::TestServer's base_url()
//!     .sleeper(sleeper.clone()) // clones share one record
//!     .build()?;
//! # let _ = client;
//! // ... make calls that are retried ...
//! assert_eq!(sleeper.waits(), Vec::<Duration>::new());
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::retry::Sleeper;

type Hook = Arc<dyn Fn(Duration) + Send + Sync>;

/// A [`Sleeper`] that records each wait and returns at once.
///
/// Clones share the record: give one clone to
/// [`ClientBuilder::sleeper`](crate::ClientBuilder::sleeper) and keep the
/// other to read [`waits`](Self::waits). With [`on_sleep`](Self::on_sleep)
/// a test runs code at each wait instead of letting time pass, such as
/// `devrev_testkit::TestServer::reset_rate_limits` so that pacing's wait for
/// the window to reset is over when it returns.
#[derive(Clone, Default)]
pub struct RecordingSleeper {
    waits: Arc<Mutex<Vec<Duration>>>,
    hook: Option<Hook>,
}

impl RecordingSleeper {
    /// A sleeper with no waits recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `hook` with each wait, when it is recorded (before the sleep
    /// returns).
    #[must_use]
    pub fn on_sleep(mut self, hook: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The waits asked for so far, in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.lock().clone()
    }

    /// The waits asked for so far, and forgets them.
    pub fn take_waits(&self) -> Vec<Duration> {
        std::mem::take(&mut *self.lock())
    }

    /// The sum of the waits asked for so far: how long the calls would have slept.
    pub fn total(&self) -> Duration {
        self.lock().iter().sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Duration>> {
        self.waits.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for RecordingSleeper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingSleeper")
            .field("waits", &*self.lock())
            .field("on_sleep", &self.hook.is_some())
            .finish()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.lock().push(duration);
        if let Some(hook) = &self.hook {
            hook(duration);
        }
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_in_order_and_returns_at_once() {
        let sleeper = RecordingSleeper::new();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let hooked = {
            let seen = Arc::clone(&seen);
            sleeper.clone().on_sleep(move |d| seen.lock().unwrap().push(d))
        };
        let started = std::time::Instant::now();
        hooked.sleep(Duration::from_secs(3600)).await;
        sleeper.sleep(Duration::from_millis(5)).await;
        assert!(started.elapsed() < Duration::from_secs(60));
        assert_eq!(sleeper.waits(), [Duration::from_secs(3600), Duration::from_millis(5)]);
        assert_eq!(hooked.total(), Duration::from_secs(3600) + Duration::from_millis(5));
        assert_eq!(*seen.lock().unwrap(), [Duration::from_secs(3600)]);
        assert_eq!(sleeper.take_waits().len(), 2);
        assert!(hooked.waits().is_empty());
    }
}
