//! What every connection of a running server shares: the one store, the
//! tokens, the rate limits, faults, the request log, webhooks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::custom_routes::CustomRoutes;
use crate::dev_user::DevUser;
use crate::faults::Faults;
use crate::ratelimit::Limiter;
use crate::request_log::RequestLog;

/// State shared by every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) tokens: HashMap<String, DevUser>,
    pub(crate) limiter: Limiter,
    pub(crate) faults: Faults,
    pub(crate) requests: Mutex<RequestLog>,
    /// How many requests were answered 429 by the rate limit.
    pub(crate) rate_limited: std::sync::atomic::AtomicUsize,
    pub(crate) print_requests: bool,
    /// Changes to objects, for webhook delivery.
    pub(crate) events: crate::events::Events,
    /// The objects of the families the generic handler serves (works, tags, parts, ...).
    pub(crate) generic: Mutex<crate::store::State>,
    /// The one clock every family's dates come from.
    pub(crate) time: Arc<crate::clock::Time>,
    /// Webhooks and their deliveries.
    pub(crate) webhooks: Arc<crate::webhooks::Webhooks>,
    /// Handlers a test gave paths ([`crate::TestServer::route`]).
    pub(crate) custom_routes: CustomRoutes,
    /// `"https"` when the server serves TLS, else `"http"`: the scheme of
    /// the URLs it hands out (artifact storage).
    pub(crate) scheme: &'static str,
}

/// Closes the connection a request came on, without an answer.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionKiller(pub(crate) Arc<Notify>);
