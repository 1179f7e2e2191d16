//! Fault injection: for the next requests that match (a path, an
//! operation, the nth call, a predicate on the body), answer with a given
//! status and body, wait before answering, or drop the connection.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::request_log::RecordedRequest;

type Predicate = Arc<dyn Fn(&RecordedRequest) -> bool + Send + Sync>;

/// What the server does instead of (or before) answering normally.
///
/// Queue faults with [`TestServer::inject`](crate::TestServer::inject) (by
/// path) or [`TestServer::inject_operation`](crate::TestServer::inject_operation)
/// (by operation). Which requests a fault applies to:
///
/// - those to its path or operation that pass its predicates
///   ([`when_body`](Fault::when_body), [`when`](Fault::when));
/// - from the [`nth`](Fault::nth) such request on (counted from when it was
///   queued, including requests an earlier fault answered; the first by
///   default), for [`times`](Fault::times) requests (one by default);
/// - when several faults match a request, the first queued applies.
///
/// Canned answers (and every other fault) still need a valid token, as
/// DevRev's own answers do: a request without one gets DevRev's 401
/// `unauthenticated`, and the fault stays queued (the paths that take no
/// token, such as the artifact storage paths, need none). With
/// [`without_auth`](Fault::without_auth) the fault applies before
/// authentication, as a proxy failing in front of DevRev would. A fault's
/// answer does not count against the rate limit; it still carries the
/// rate-limit headers.
#[derive(Clone)]
pub struct Fault {
    pub(crate) action: Action,
    pub(crate) times: u32,
    pub(crate) after_applying: bool,
    pub(crate) nth: u32,
    pub(crate) without_auth: bool,
    predicates: Vec<Predicate>,
}

impl fmt::Debug for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fault")
            .field("action", &self.action)
            .field("times", &self.times)
            .field("after_applying", &self.after_applying)
            .field("nth", &self.nth)
            .field("without_auth", &self.without_auth)
            .field("predicates", &self.predicates.len())
            .finish()
    }
}

/// Two faults are equal when they do the same to the same requests (their
/// predicates are the same closures).
impl PartialEq for Fault {
    fn eq(&self, other: &Self) -> bool {
        self.action == other.action
            && self.times == other.times
            && self.after_applying == other.after_applying
            && self.nth == other.nth
            && self.without_auth == other.without_auth
            && self.predicates.len() == other.predicates.len()
            && self.predicates.iter().zip(&other.predicates).all(|(a, b)| Arc::ptr_eq(a, b))
    }
}

impl Eq for Fault {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Respond { status: u16, content_type: Option<String>, body: Vec<u8>, headers: Vec<(String, String)> },
    Delay(Duration),
    Drop,
}

impl Fault {
    fn new(action: Action) -> Self {
        Fault { action, times: 1, after_applying: false, nth: 1, without_auth: false, predicates: Vec::new() }
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

    /// Lets the first `n - 1` matching requests through and applies from
    /// the `n`th on (`nth(2)`: "the second create"). `nth(1)`, the default,
    /// applies at once; 0 is read as 1.
    pub fn nth(mut self, n: u32) -> Self {
        self.nth = n.max(1);
        self
    }

    /// Applies only to requests whose JSON body passes `predicate` (a
    /// request without a JSON body, such as a `GET`, is seen as `null`):
    /// `Fault::status(400).when_body(|body| body["title"] == "broken")`.
    pub fn when_body(self, predicate: impl Fn(&serde_json::Value) -> bool + Send + Sync + 'static) -> Self {
        self.when(move |request| predicate(request.body.as_ref().unwrap_or(&serde_json::Value::Null)))
    }

    /// Applies only to requests that pass `predicate`, which sees the
    /// request as the log records it (body, query, headers, user; no status yet).
    pub fn when(mut self, predicate: impl Fn(&RecordedRequest) -> bool + Send + Sync + 'static) -> Self {
        self.predicates.push(Arc::new(predicate));
        self
    }

    /// Applies before authentication: a request without a valid token gets
    /// the fault too, as from a proxy failing in front of DevRev.
    pub fn without_auth(mut self) -> Self {
        self.without_auth = true;
        self
    }
}

/// Which requests a queued fault is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Requests to this path (no query string).
    Path(String),
    /// Requests served as this operation (`works.create`).
    Operation(String),
}

impl Target {
    fn matches(&self, request: &RecordedRequest) -> bool {
        match self {
            Target::Path(path) => request.path == *path,
            Target::Operation(operation) => request.is(operation),
        }
    }
}

#[derive(Debug)]
struct Queued {
    target: Target,
    fault: Fault,
    /// Matching requests seen since it was queued.
    seen: u32,
}

/// What the queue says about one request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Taken {
    /// No fault applies.
    None,
    /// This action applies; `true`: after the request was served.
    Apply(Action, bool),
    /// A fault would apply, but the request has no valid token: answer 401.
    Unauthenticated,
}

/// The queued faults, in the order queued.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queue: Mutex<Vec<Queued>>,
}

impl Faults {
    pub(crate) fn push(&self, target: Target, fault: Fault) {
        self.lock().push(Queued { target, fault, seen: 0 });
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Queued>> {
        self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Uses up one application of the first fault that applies to
    /// `request`. `authenticated`: the request has a valid token, or its
    /// path takes none.
    pub(crate) fn take(&self, request: &RecordedRequest, authenticated: bool) -> Taken {
        let mut queue = self.lock();
        let mut chosen = None;
        let mut blocked = false;
        for (i, queued) in queue.iter_mut().enumerate() {
            if !queued.target.matches(request) || !queued.fault.predicates.iter().all(|p| p(request)) {
                continue;
            }
            if !authenticated && !queued.fault.without_auth {
                // Not a call the fault counts: DevRev would refuse it first.
                blocked |= chosen.is_none() && queued.seen.saturating_add(1) >= queued.fault.nth;
                continue;
            }
            queued.seen = queued.seen.saturating_add(1);
            if chosen.is_none() && queued.seen >= queued.fault.nth {
                chosen = Some(i);
            }
        }
        let Some(i) = chosen else {
            return if blocked { Taken::Unauthenticated } else { Taken::None };
        };
        let queued = &mut queue[i];
        let taken = Taken::Apply(queued.fault.action.clone(), queued.fault.after_applying);
        queued.fault.times -= 1;
        if queued.fault.times == 0 {
            queue.remove(i);
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, body: Option<serde_json::Value>) -> RecordedRequest {
        RecordedRequest {
            seq: 0,
            method: "POST".into(),
            path: path.into(),
            query: None,
            operation: Some(path.trim_start_matches('/').into()),
            body,
            headers: Vec::new(),
            user: None,
            status: None,
            time: chrono::Utc::now(),
        }
    }

    fn status(taken: Taken) -> Option<u16> {
        match taken {
            Taken::Apply(Action::Respond { status, .. }, _) => Some(status),
            _ => None,
        }
    }

    #[test]
    fn faults_apply_in_order_and_run_out() {
        let faults = Faults::default();
        let a = request("/a", None);
        faults.push(Target::Path("/a".into()), Fault::status(503).times(2));
        faults.push(Target::Path("/a".into()), Fault::drop_connection());
        assert_eq!(status(faults.take(&a, true)), Some(503));
        assert_eq!(faults.take(&request("/b", None), true), Taken::None);
        assert_eq!(status(faults.take(&a, true)), Some(503));
        assert_eq!(faults.take(&a, true), Taken::Apply(Action::Drop, false));
        assert_eq!(faults.take(&a, true), Taken::None);
        assert_eq!(Fault::status(500).times(0).times, 1);
    }

    #[test]
    fn nth_call_body_predicate_and_operation() {
        let faults = Faults::default();
        faults.push(Target::Operation("works.create".into()), Fault::status(500).nth(2));
        let create = |title: &str| request("/works.create", Some(serde_json::json!({"title": title})));
        assert_eq!(faults.take(&create("one"), true), Taken::None);
        assert_eq!(status(faults.take(&create("two"), true)), Some(500));
        assert_eq!(faults.take(&create("three"), true), Taken::None);

        faults.push(Target::Path("/works.create".into()), Fault::status(400).when_body(|b| b["title"] == "bad"));
        assert_eq!(faults.take(&create("good"), true), Taken::None);
        assert_eq!(faults.take(&request("/works.create", None), true), Taken::None);
        assert_eq!(status(faults.take(&create("bad"), true)), Some(400));
        assert_eq!(faults.take(&create("bad"), true), Taken::None);
    }

    #[test]
    fn unauthenticated_requests_do_not_use_up_a_fault() {
        let faults = Faults::default();
        let a = request("/a", None);
        faults.push(Target::Path("/a".into()), Fault::status(503));
        assert_eq!(faults.take(&a, false), Taken::Unauthenticated);
        assert_eq!(status(faults.take(&a, true)), Some(503));
        faults.push(Target::Path("/a".into()), Fault::status(502).without_auth());
        assert_eq!(status(faults.take(&a, false)), Some(502));
        // A fault waiting for its nth call does not refuse anyone.
        faults.push(Target::Path("/a".into()), Fault::status(500).nth(2));
        assert_eq!(faults.take(&a, false), Taken::None);
        assert_eq!(faults.take(&a, true), Taken::None);
        assert_eq!(faults.take(&a, false), Taken::Unauthenticated);
        assert_eq!(status(faults.take(&a, true)), Some(500));
    }
}
