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

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

use crate::response::RateLimit;

/// The budget shared by a client and its clones.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
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

/// What an attempt must do before it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Send now; the reservation is held until [`Pacer::finish`].
    Go,
    /// Wait this long, for the window to reset, then ask again.
    WaitForReset(Duration),
    /// Nothing left and no known reset: wait for an answer, then ask again.
    WaitForAnswer,
}

fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// How long until `reset` (Unix seconds), from now; zero if it passed.
fn until(reset: u64) -> Duration {
    let at = UNIX_EPOCH.checked_add(Duration::from_secs(reset)).unwrap_or(UNIX_EPOCH);
    at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO)
}

impl Pacer {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks to send one request now.
    pub(crate) fn admit(&self) -> Admission {
        let mut s = self.lock();
        let Some(limit) = s.limit else {
            s.in_flight += 1;
            return Admission::Go;
        };
        if s.reset.is_some_and(|reset| now_unix() >= reset) {
            s.remaining = limit;
            s.reset = None;
        }
        if s.remaining > 0 {
            s.remaining -= 1;
            s.in_flight += 1;
            return Admission::Go;
        }
        match s.reset {
            Some(reset) => Admission::WaitForReset(until(reset)),
            // Answers are on their way: one of them will tell.
            None if s.in_flight > 0 => Admission::WaitForAnswer,
            // Nothing will tell: go, and let the answer correct the count.
            None => {
                s.in_flight += 1;
                Admission::Go
            }
        }
    }

    /// After a wait for the window's end: the full limit is there again.
    pub(crate) fn window_passed(&self, waited_for: Option<u64>) {
        let mut s = self.lock();
        if let (Some(limit), true) = (s.limit, s.reset == waited_for) {
            s.remaining = limit;
            s.reset = None;
        }
    }

    /// The attempt that [`admit`](Self::admit) let go has ended; `rate` is
    /// what its answer said, if there was an answer.
    pub(crate) fn finish(&self, rate: Option<&RateLimit>) {
        {
            let mut s = self.lock();
            s.in_flight = s.in_flight.saturating_sub(1);
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

    /// Resolves on the next answer or finished attempt (call `enable` on it
    /// before asking [`admit`](Self::admit), so nothing in between is missed).
    pub(crate) fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }

    /// What the pacer knows now: limit, remaining, reset; for tests and progress.
    pub(crate) fn snapshot(&self) -> RateLimit {
        let s = self.lock();
        RateLimit { limit: s.limit, remaining: s.limit.map(|_| s.remaining), reset: s.reset }
    }

    /// The window end a [`Admission::WaitForReset`] was computed from.
    pub(crate) fn reset(&self) -> Option<u64> {
        self.lock().reset
    }
}

/// A shared pacer, or none when pacing is off.
pub(crate) type SharedPacer = Option<Arc<Pacer>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(limit: u64, remaining: u64, reset: u64) -> RateLimit {
        RateLimit { limit: Some(limit), remaining: Some(remaining), reset: Some(reset) }
    }

    #[test]
    fn unknown_budget_lets_calls_go() {
        let p = Pacer::default();
        for _ in 0..100 {
            assert_eq!(p.admit(), Admission::Go);
        }
    }

    #[test]
    fn counts_down_then_waits_for_the_reset() {
        let p = Pacer::default();
        let reset = now_unix() + 60;
        assert_eq!(p.admit(), Admission::Go);
        p.finish(Some(&rate(3, 2, reset)));
        assert_eq!(p.admit(), Admission::Go);
        assert_eq!(p.admit(), Admission::Go);
        match p.admit() {
            Admission::WaitForReset(d) => assert!(d > Duration::from_secs(58) && d <= Duration::from_secs(60), "{d:?}"),
            other => panic!("expected a wait, got {other:?}"),
        }
        // After the wait, the full limit is there.
        p.window_passed(Some(reset));
        for _ in 0..3 {
            assert_eq!(p.admit(), Admission::Go);
        }
        // Nothing left and no known reset, with attempts in flight: wait for an answer.
        assert_eq!(p.admit(), Admission::WaitForAnswer);
    }

    #[test]
    fn the_server_count_wins_and_in_flight_attempts_count() {
        let p = Pacer::default();
        let reset = now_unix() + 60;
        for _ in 0..5 {
            assert_eq!(p.admit(), Admission::Go);
        }
        // The first answer: 10 left by the server's count, 4 others in flight.
        p.finish(Some(&rate(50, 10, reset)));
        assert_eq!(p.snapshot().remaining, Some(6));
        // Another client used the token: the server says fewer.
        p.finish(Some(&rate(50, 2, reset)));
        assert_eq!(p.snapshot().remaining, Some(2));
        // A higher figure for the same window does not raise it.
        p.finish(Some(&rate(50, 40, reset)));
        assert_eq!(p.snapshot().remaining, Some(2));
        // An answer from an older window is ignored.
        p.finish(Some(&rate(50, 49, reset - 60)));
        assert_eq!(p.snapshot().remaining, Some(2));
        // A newer window resets the count.
        p.finish(Some(&rate(50, 45, reset + 60)));
        assert_eq!(p.snapshot(), rate(50, 45, reset + 60));
    }

    #[test]
    fn a_passed_reset_restores_the_limit() {
        let p = Pacer::default();
        assert_eq!(p.admit(), Admission::Go);
        p.finish(Some(&rate(2, 0, now_unix().saturating_sub(1))));
        // The window already ended: the limit is available again.
        assert_eq!(p.admit(), Admission::Go);
        assert_eq!(p.admit(), Admission::Go);
    }
}
