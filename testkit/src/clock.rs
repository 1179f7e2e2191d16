//! The server's one clock: every family's dates (`created_date`,
//! `modified_date`, the dates synthesized answers carry, date presets such as
//! `last_n_days`) read it.
//!
//! The wall clock by default; [`Clock::fixed`] or [`Clock::stepped`] make
//! answers deterministic. On a running server
//! [`TestServer::now`](crate::TestServer::now),
//! [`set_time`](crate::TestServer::set_time) and
//! [`advance`](crate::TestServer::advance) move it.

use std::sync::Mutex;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};

/// How the server's clock runs; give it to
/// [`TestServerBuilder::clock`](crate::TestServerBuilder::clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Clock {
    /// The wall clock (the default).
    #[default]
    Wall,
    /// Stands at one time; only [`TestServer::set_time`](crate::TestServer::set_time)
    /// and [`TestServer::advance`](crate::TestServer::advance) move it.
    Fixed(DateTime<Utc>),
    /// Starts at `start` and moves by `step` at every change the server makes.
    Stepped {
        /// The time of the first change.
        start: DateTime<Utc>,
        /// How far each change moves the clock.
        step: TimeDelta,
    },
}

impl Clock {
    /// A clock that stands at `t`.
    pub fn fixed(t: DateTime<Utc>) -> Clock {
        Clock::Fixed(t)
    }

    /// A clock that starts at `start` and moves by `step` at every change.
    pub fn stepped(start: DateTime<Utc>, step: TimeDelta) -> Clock {
        Clock::Stepped { start, step }
    }
}

/// The running clock, shared by every family.
#[derive(Debug)]
pub(crate) struct Time {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    clock: Clock,
    /// What [`TestServer::advance`](crate::TestServer::advance) and
    /// `set_time` added to the wall clock.
    offset: TimeDelta,
    /// The last time a change was stamped with.
    last: Option<DateTime<Utc>>,
}

impl Inner {
    fn read(&self) -> DateTime<Utc> {
        let base = match self.clock {
            Clock::Wall => Utc::now(),
            Clock::Fixed(t) => t,
            Clock::Stepped { start, .. } => start,
        };
        (base + self.offset).trunc_subsecs(3)
    }
}

impl Time {
    pub(crate) fn new(clock: Clock) -> Time {
        Time { inner: Mutex::new(Inner { clock, offset: TimeDelta::zero(), last: None }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The time now, without stamping a change.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let inner = self.lock();
        let t = inner.read();
        match inner.last {
            Some(last) if last > t => last,
            _ => t,
        }
    }

    /// The time of a change: now, to the millisecond, and always later than
    /// the last change's, so two objects never share a date and date
    /// filters and sorts are exact. A stepped clock moves on by its step.
    pub(crate) fn tick(&self) -> DateTime<Utc> {
        let mut inner = self.lock();
        let mut t = inner.read();
        if let Some(last) = inner.last {
            if t <= last {
                t = last + TimeDelta::milliseconds(1);
            }
        }
        if let Clock::Stepped { step, .. } = inner.clock {
            inner.offset += step;
        }
        inner.last = Some(t);
        t
    }

    /// Sets the clock to `t`; the next change is stamped `t`.
    pub(crate) fn set(&self, t: DateTime<Utc>) {
        let mut inner = self.lock();
        let base = match inner.clock {
            Clock::Wall => Utc::now(),
            Clock::Fixed(f) => f,
            Clock::Stepped { start, .. } => start,
        };
        inner.offset = t - base;
        inner.last = None;
    }

    /// Moves the clock on by `d` (back, if negative).
    pub(crate) fn advance(&self, d: TimeDelta) {
        let mut inner = self.lock();
        inner.offset += d;
        if d < TimeDelta::zero() {
            inner.last = None;
        }
    }
}

/// RFC 3339 in UTC with milliseconds: fixed width, so it sorts as a string.
pub(crate) fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn fixed_stands_and_changes_never_share_a_time() {
        let time = Time::new(Clock::fixed(at("2025-01-01T00:00:00Z")));
        assert_eq!(time.tick(), at("2025-01-01T00:00:00Z"));
        assert_eq!(time.tick(), at("2025-01-01T00:00:00.001Z"));
        time.advance(TimeDelta::hours(1));
        assert_eq!(time.now(), at("2025-01-01T01:00:00Z"));
        time.set(at("2024-06-01T00:00:00Z"));
        assert_eq!(time.tick(), at("2024-06-01T00:00:00Z"));
    }

    #[test]
    fn stepped_moves_at_every_change() {
        let time = Time::new(Clock::stepped(at("2025-01-01T00:00:00Z"), TimeDelta::seconds(1)));
        assert_eq!(time.tick(), at("2025-01-01T00:00:00Z"));
        assert_eq!(time.tick(), at("2025-01-01T00:00:01Z"));
        assert_eq!(time.now(), at("2025-01-01T00:00:02Z"));
    }

    #[test]
    fn wall_follows_the_wall_with_an_offset() {
        let time = Time::new(Clock::Wall);
        time.advance(TimeDelta::days(2));
        let ahead = time.now() - Utc::now();
        assert!(ahead > TimeDelta::days(2) - TimeDelta::seconds(5) && ahead <= TimeDelta::days(2), "{ahead}");
    }
}
