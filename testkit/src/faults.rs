//! Fault injection: for the next requests to a path, answer with a given
//! status and body, wait before answering, or drop the connection.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

/// What the server does instead of (or before) answering normally.
///
/// Queue faults with [`TestServer::inject`](crate::TestServer::inject); each
/// request to the fault's path uses up one of its [`times`](Fault::times)
/// (one by default), then the next queued fault applies, then normal service.
/// An answered fault skips authentication and rate limiting, like a proxy
/// failing in front of DevRev; its answer still carries the rate-limit
/// headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub(crate) action: Action,
    pub(crate) times: u32,
    pub(crate) after_applying: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Respond { status: u16, content_type: Option<String>, body: Vec<u8>, headers: Vec<(String, String)> },
    Delay(Duration),
    Drop,
}

impl Fault {
    fn new(action: Action) -> Self {
        Fault { action, times: 1, after_applying: false }
    }

    /// Answers `status` with an empty body. A status outside 100..=999 is
    /// sent as 500.
    pub fn status(status: u16) -> Self {
        Fault::new(Action::Respond { status, content_type: None, body: Vec::new(), headers: Vec::new() })
    }

    /// Answers `status` with a JSON body, such as DevRev's
    /// `{"type":"service_unavailable",...}`.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Fault::new(Action::Respond {
            status,
            content_type: Some("application/json".into()),
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        })
    }

    /// Answers `status` with any body (an HTML page from a proxy, say).
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Fault::new(Action::Respond {
            status,
            content_type: Some(content_type.to_owned()),
            body: body.into(),
            headers: Vec::new(),
        })
    }

    /// Adds a header to the answer (such as `Retry-After`); no effect on a
    /// delay or a dropped connection. Invalid names or values are skipped.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Action::Respond { headers, .. } = &mut self.action {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Waits `delay`, then serves the request normally: with a client
    /// timeout shorter than the delay, the client times out.
    pub fn delay(delay: Duration) -> Self {
        Fault::new(Action::Delay(delay))
    }

    /// Closes the TCP connection without answering: the client sees the
    /// connection end after it sent the request.
    pub fn drop_connection() -> Self {
        Fault::new(Action::Drop)
    }

    /// Serves the request first (checks, state changes and all), then
    /// answers with the fault instead of the real answer, or drops the
    /// connection: a create that was applied although the client saw a 500
    /// or a dropped connection. No effect on a delay.
    pub fn after_applying(mut self) -> Self {
        self.after_applying = true;
        self
    }

    /// Applies the fault to the next `times` requests (at least one).
    pub fn times(mut self, times: u32) -> Self {
        self.times = times.max(1);
        self
    }
}

/// The queued faults, by path.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queues: Mutex<HashMap<String, VecDeque<Fault>>>,
}

impl Faults {
    pub(crate) fn push(&self, path: &str, fault: Fault) {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        queues.entry(path.to_owned()).or_default().push_back(fault);
    }

    pub(crate) fn clear(&self) {
        self.queues.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Uses up one application of the first fault queued for `path`: its
    /// action, and whether the request is served first.
    pub(crate) fn take(&self, path: &str) -> Option<(Action, bool)> {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        let queue = queues.get_mut(path)?;
        let fault = queue.front_mut()?;
        let action = (fault.action.clone(), fault.after_applying);
        fault.times -= 1;
        if fault.times == 0 {
            queue.pop_front();
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_in_order_and_run_out() {
        let faults = Faults::default();
        faults.push("/a", Fault::status(503).times(2));
        faults.push("/a", Fault::drop_connection());
        assert!(matches!(faults.take("/a"), Some((Action::Respond { status: 503, .. }, false))));
        assert_eq!(faults.take("/b"), None);
        assert!(matches!(faults.take("/a"), Some((Action::Respond { status: 503, .. }, false))));
        assert_eq!(faults.take("/a"), Some((Action::Drop, false)));
        assert_eq!(faults.take("/a"), None);
        assert_eq!(Fault::status(500).times(0).times, 1);
    }
}
