//! Pacing: holding calls back so they stay within DevRev's rate limit,
//! instead of drawing 429s.
//!
//! DevRev reports the budget on every answer: `X-Ratelimit-Limit` requests
//! per window, `X-Ratelimit-Remaining` of them left, and the window's end in
//! `X-Ratelimit-Reset` (Unix seconds). The client keeps one budget,
//! shared by all its clones and derived clients (they share the token, so
//! they share the budget). Each attempt takes one request from the budget
//! before it is sent; when none is left, the call waits until the window
//! resets. A call whose wait would pass its deadline returns
//! [`TimeoutKind::RateLimitWindow`](crate::TimeoutKind::RateLimitWindow) at
//! once, as a retry would.
//!
//! **On by default.** A 429 costs a round trip and then the same wait; a
//! client that knows the budget can take the wait without the round trip,
//! and a bulk job at full concurrency draws no 429 storm. Until the first
//! answer tells the budget, calls go as they come. The budget the server
//! reports wins over the client's own count, so other processes using the
//! same token are accounted for as soon as their use shows in an answer.
//! Turn it off with [`ClientBuilder::pacing`](crate::ClientBuilder::pacing)
//! (for example, when a proxy in front of DevRev rewrites the headers).
//! A 429 is still handled as before: retried after `Retry-After`.
//!
//! How the count works:
//! - an attempt reserves one request; the reservation ends when the attempt does;
//! - an answer for a newer window sets what is left to what the server says,
//!   less the other attempts still in flight (the server may not have counted
//!   them yet); an answer for the same window can only lower it;
//! - when the window's end passes (by this machine's clock, or after a wait
//!   for it), the full limit is available again until an answer says otherwise;
//! - with nothing left and no known end, a call waits for the next answer.
//!
//! ## Where the budget lives
//!
//! The budget sits behind the [`PacingBudget`] trait. The default is
//! [`LocalBudget`], in the client's memory: one process, no dependency.
//! Several processes that send with one token (workers of a job queue, pods
//! of a deployment) each pace themselves to the whole limit with it, and so
//! send several times too much together. For them, the feature `redis`
//! adds [`RedisBudget`]: one budget kept on a Redis server and shared by
//! every client that names the same organisation and token, chosen with
//! [`ClientBuilder::pacing_budget`](crate::ClientBuilder::pacing_budget).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

use crate::response::RateLimit;

#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
pub use self::redis::{RedisBudget, RedisBudgetError};

/// A boxed future, as the [`PacingBudget`] trait's methods return them.
pub type BudgetFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a client takes one request from the rate-limit budget before each
/// attempt, and tells what the answer said after it.
///
/// [`LocalBudget`] (the default) keeps the budget in the process;
/// [`RedisBudget`] (feature `redis`) on a Redis server, shared by processes.
/// The transport calls [`acquire`](Self::acquire) before each attempt and
/// [`release`](Self::release) exactly once for each [`Admission::Go`] when
/// the attempt ends.
pub trait PacingBudget: Send + Sync + fmt::Debug {
    /// Asks to send one request now.
    fn acquire(&self) -> BudgetFuture<'_, Admission>;

    /// The attempt that [`acquire`](Self::acquire) let go with `slot` has
    /// ended; `rate` is what its answer's `X-Ratelimit-*` headers said, if
    /// there was an answer.
    fn release(&self, slot: Slot, rate: Option<&RateLimit>);

    /// A wait for the window that ends at `reset` (Unix seconds) is over.
    fn window_passed(&self, reset: u64);

    /// Resolves when the budget may have changed (an answer, a finished
    /// attempt); already listening when returned, so a change between this
    /// call and the next [`acquire`](Self::acquire) is not missed.
    fn changed(&self) -> BudgetFuture<'_, ()>;

    /// What the budget knows now: limit, remaining, reset.
    fn snapshot(&self) -> RateLimit;
}

/// One request taken from a budget by [`PacingBudget::acquire`], to be
/// given back with [`PacingBudget::release`]. The tag tells an
/// implementation where the request was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(u8);

impl Slot {
    /// A slot with an implementation's own tag.
    pub const fn new(tag: u8) -> Self {
        Slot(tag)
    }

    /// The tag given to [`Slot::new`].
    pub const fn tag(self) -> u8 {
        self.0
    }
}

/// What an attempt must do before it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Admission {
    /// Send now, and release the slot when the attempt ends.
    Go(Slot),
    /// Wait `wait`, for the window that ends at `reset` (Unix seconds), then
    /// call [`PacingBudget::window_passed`] and ask again.
    WaitForReset {
        /// How long until the window ends.
        wait: Duration,
        /// The window's end, Unix seconds.
        reset: u64,
    },
    /// Nothing left and no known reset: wait for [`PacingBudget::changed`]
    /// (an answer), then ask again.
    WaitForAnswer,
}

/// The budget in the client's memory, shared by the client and its clones:
/// the default.
#[derive(Debug, Default)]
pub struct LocalBudget {
    state: Mutex<State>,
    /// Woken on every answer and every finished attempt.
    changed: Notify,
}

#[derive(Debug, Default)]
struct State {
    /// The window's size, once an answer said it.
    limit: Option<u64>,
    /// Requests left in the window, by the client's count.
    remaining: u64,
    /// The window's end in Unix seconds, if known.
    reset: Option<u64>,
    /// Attempts reserved and not finished.
    in_flight: u64,
}

fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// How long until `reset` (Unix seconds), from now; zero if it passed.
fn until(reset: u64) -> Duration {
    let at = UNIX_EPOCH.checked_add(Duration::from_secs(reset)).unwrap_or(UNIX_EPOCH);
    at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO)
}

const LOCAL: Slot = Slot(0);

impl LocalBudget {
    /// A budget that knows nothing yet: calls go until an answer tells it.
    pub fn new() -> Self {
        LocalBudget::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks to send one request now.
    pub(crate) fn admit(&self) -> Admission {
        let mut s = self.lock();
        let Some(limit) = s.limit else {
            s.in_flight += 1;
            return Admission::Go(LOCAL);
        };
        if s.reset.is_some_and(|reset| now_unix() >= reset) {
            s.remaining = limit;
            s.reset = None;
        }
        if s.remaining > 0 {
            s.remaining -= 1;
            s.in_flight += 1;
            return Admission::Go(LOCAL);
        }
        match s.reset {
            Some(reset) => Admission::WaitForReset { wait: until(reset), reset },
            // Answers are on their way: one of them will tell.
            None if s.in_flight > 0 => Admission::WaitForAnswer,
            // Nothing will tell: go, and let the answer correct the count.
            None => {
                s.in_flight += 1;
                Admission::Go(LOCAL)
            }
        }
    }

    /// After a wait for the window's end: the full limit is there again.
    pub(crate) fn passed(&self, waited_for: u64) {
        let mut s = self.lock();
        if let (Some(limit), true) = (s.limit, s.reset == Some(waited_for)) {
            s.remaining = limit;
            s.reset = None;
        }
    }

    /// The attempt that [`admit`](Self::admit) let go has ended; `rate` is
    /// what its answer said, if there was an answer.
    pub(crate) fn finish(&self, rate: Option<&RateLimit>) {
        self.update(true, rate);
    }

    /// What an answer said, for an attempt this budget did not admit (one
    /// a shared budget let go): the count, without the reservation.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn observe(&self, rate: Option<&RateLimit>) {
        self.update(false, rate);
    }

    fn update(&self, finished: bool, rate: Option<&RateLimit>) {
        {
            let mut s = self.lock();
            if finished {
                s.in_flight = s.in_flight.saturating_sub(1);
            }
            if let Some(RateLimit { limit: Some(limit), remaining: Some(remaining), reset: Some(reset), .. }) = rate {
                let (limit, remaining, reset) = (*limit, *remaining, *reset);
                match s.reset {
                    // The same window: the server's count can only lower ours.
                    Some(current) if reset == current => s.remaining = s.remaining.min(remaining),
                    // An answer from a window that has since passed.
                    Some(current) if reset < current => {}
                    _ if s.limit.is_some() && s.reset.is_none() && reset <= now_unix() => {}
                    // A newer window (or the first answer): the server's count,
                    // less what is in flight and may not be counted yet.
                    _ => {
                        s.limit = Some(limit);
                        s.reset = Some(reset);
                        s.remaining = remaining.saturating_sub(s.in_flight);
                    }
                }
            }
        }
        self.changed.notify_waiters();
    }

    /// Resolves on the next answer or finished attempt, already listening.
    pub(crate) fn changed_listening(&self) -> BudgetFuture<'_, ()> {
        let mut notified = Box::pin(self.changed.notified());
        notified.as_mut().enable();
        notified
    }

    /// What the pacer knows now: limit, remaining, reset; for tests and progress.
    pub(crate) fn current(&self) -> RateLimit {
        let s = self.lock();
        RateLimit { limit: s.limit, remaining: s.limit.map(|_| s.remaining), reset: s.reset }
    }
}

impl PacingBudget for LocalBudget {
    fn acquire(&self) -> BudgetFuture<'_, Admission> {
        let admission = self.admit();
        Box::pin(std::future::ready(admission))
    }

    fn release(&self, _slot: Slot, rate: Option<&RateLimit>) {
        self.finish(rate);
    }

    fn window_passed(&self, reset: u64) {
        self.passed(reset);
    }

    fn changed(&self) -> BudgetFuture<'_, ()> {
        self.changed_listening()
    }

    fn snapshot(&self) -> RateLimit {
        self.current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(limit: u64, remaining: u64, reset: u64) -> RateLimit {
        RateLimit { limit: Some(limit), remaining: Some(remaining), reset: Some(reset) }
    }

    #[test]
    fn unknown_budget_lets_calls_go() {
        let p = LocalBudget::default();
        for _ in 0..100 {
            assert_eq!(p.admit(), Admission::Go(LOCAL));
        }
    }

    #[test]
    fn counts_down_then_waits_for_the_reset() {
        let p = LocalBudget::default();
        let reset = now_unix() + 60;
        assert_eq!(p.admit(), Admission::Go(LOCAL));
        p.finish(Some(&rate(3, 2, reset)));
        assert_eq!(p.admit(), Admission::Go(LOCAL));
        assert_eq!(p.admit(), Admission::Go(LOCAL));
        match p.admit() {
            Admission::WaitForReset { wait: d, .. } => {
                assert!(d > Duration::from_secs(58) && d <= Duration::from_secs(60), "{d:?}")
            }
            other => panic!("expected a wait, got {other:?}"),
        }
        // After the wait, the full limit is there.
        p.passed(reset);
        for _ in 0..3 {
            assert_eq!(p.admit(), Admission::Go(LOCAL));
        }
        // Nothing left and no known reset, with attempts in flight: wait for an answer.
        assert_eq!(p.admit(), Admission::WaitForAnswer);
    }

    #[test]
    fn the_server_count_wins_and_in_flight_attempts_count() {
        let p = LocalBudget::default();
        let reset = now_unix() + 60;
        for _ in 0..5 {
            assert_eq!(p.admit(), Admission::Go(LOCAL));
        }
        // The first answer: 10 left by the server's count, 4 others in flight.
        p.finish(Some(&rate(50, 10, reset)));
        assert_eq!(p.current().remaining, Some(6));
        // Another client used the token: the server says fewer.
        p.finish(Some(&rate(50, 2, reset)));
        assert_eq!(p.current().remaining, Some(2));
        // A higher figure for the same window does not raise it.
        p.finish(Some(&rate(50, 40, reset)));
        assert_eq!(p.current().remaining, Some(2));
        // An answer from an older window is ignored.
        p.finish(Some(&rate(50, 49, reset - 60)));
        assert_eq!(p.current().remaining, Some(2));
        // A newer window resets the count.
        p.finish(Some(&rate(50, 45, reset + 60)));
        assert_eq!(p.current(), rate(50, 45, reset + 60));
    }

    #[test]
    fn a_passed_reset_restores_the_limit() {
        let p = LocalBudget::default();
        assert_eq!(p.admit(), Admission::Go(LOCAL));
        p.finish(Some(&rate(2, 0, now_unix().saturating_sub(1))));
        // The window already ended: the limit is available again.
        assert_eq!(p.admit(), Admission::Go(LOCAL));
        assert_eq!(p.admit(), Admission::Go(LOCAL));
    }
}
