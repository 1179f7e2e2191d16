//! The server handle, its builder, and the accept loop.
//!
//! The loop serves each connection with `hyper` directly (axum's router as
//! the service) so that a [`Fault::drop_connection`] can close the TCP
//! connection without an answer.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::app::{ConnectionKiller, Shared};
use crate::custom_routes::Reply;
use crate::dev_user::DevUser;
use crate::faults::{Fault, Faults, Target};
use crate::ratelimit::{Limiter, RateLimit};
use crate::request_log::{RecordedRequest, RequestLog};
use crate::routes;

/// The name of the dev user the main token acts as.
pub const DEFAULT_USER: &str = "testkit";

/// Options for a [`TestServer`]; start it with [`start`](Self::start).
#[derive(Debug, Clone, Default)]
pub struct TestServerBuilder {
    token: Option<String>,
    users: Vec<(String, String)>,
    rate_limit: RateLimit,
    token_limits: HashMap<String, RateLimit>,
    port: u16,
    print_requests: bool,
    seed: u64,
    webhooks: crate::webhooks::Settings,
    https: bool,
    clock: crate::clock::Clock,
}

impl TestServerBuilder {
    /// The main token (default: a random one). It acts as the dev user
    /// [`DEFAULT_USER`].
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Another valid token, acting as another dev user named `name`.
    pub fn user(mut self, token: impl Into<String>, name: impl Into<String>) -> Self {
        self.users.push((token.into(), name.into()));
        self
    }

    /// The rate limit of every token: `requests` per `window` (default:
    /// [`RateLimit::default`]).
    pub fn rate_limit(mut self, requests: u32, window: Duration) -> Self {
        self.rate_limit = RateLimit::new(requests, window);
        self
    }

    /// The rate limit of one token, overriding [`rate_limit`](Self::rate_limit).
    pub fn token_rate_limit(mut self, token: impl Into<String>, requests: u32, window: Duration) -> Self {
        self.token_limits.insert(token.into(), RateLimit::new(requests, window));
        self
    }

    /// The port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Prints one line per request to stderr (`POST /rev-orgs.create -> 201`).
    pub fn print_requests(mut self, print: bool) -> Self {
        self.print_requests = print;
        self
    }

    /// The delays before each retry of a webhook delivery that was not
    /// answered 2xx within 3 seconds (default DevRev's: immediately, 30 s,
    /// 3 min). Tests shorten them, such as `[10 ms, 10 ms]`.
    pub fn webhook_retry_delays(mut self, delays: impl IntoIterator<Item = Duration>) -> Self {
        self.webhooks.retry_delays = delays.into_iter().collect();
        self
    }

    /// Sends every accepted webhook delivery a second time (same event ID),
    /// as DevRev may, so a receiver's de-duplication can be tested.
    pub fn webhook_duplicates(mut self, duplicates: bool) -> Self {
        self.webhooks.redeliver = if duplicates { (1, Duration::ZERO) } else { (0, Duration::ZERO) };
        self
    }

    /// Sends every accepted webhook delivery again `times` times (same event
    /// ID, body and signature), each `after` the previous one was accepted,
    /// as DevRev may; each shows in
    /// [`webhook_deliveries`](TestServer::webhook_deliveries) with its
    /// `redelivery` number. `webhook_duplicates(true)` is `(1, 0 s)`.
    pub fn webhook_redeliver(mut self, times: usize, after: Duration) -> Self {
        self.webhooks.redeliver = (times, after);
        self
    }

    /// Holds every webhook event (not the `verify` challenge) this long
    /// before its first attempt (default none), as a slow DevRev would.
    pub fn webhook_delay(mut self, delay: Duration) -> Self {
        self.webhooks.delay = delay;
        self
    }

    /// Delivers each webhook's events out of order: in batches of `batch`
    /// events, newest first, the first attempts one after another (a batch
    /// that does not fill up goes out after 200 ms without a new event).
    /// `0` or `1`: in order of the changes (the default).
    pub fn webhook_reorder(mut self, batch: usize) -> Self {
        self.webhooks.reorder = batch;
        self
    }

    /// The seed of the answers the server makes up for the operations it
    /// serves generically (IDs of embedded objects, enum values, union
    /// variants; default 0): the same seed and requests give the same answers.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Serves HTTPS instead of plain HTTP (the default): a certificate
    /// authority and a certificate for `127.0.0.1` and `localhost` are made
    /// when the server starts; trust [`TestServer::ca_pem`] in the client
    /// (`reqwest::Certificate::from_pem`, the devrev client's
    /// `ClientBuilder::add_root_certificate`). [`TestServer::base_url`] is
    /// then `https://127.0.0.1:PORT`.
    pub fn https(mut self) -> Self {
        self.https = true;
        self
    }

    /// The server's clock, which dates every family's objects (default
    /// [`Clock::Wall`](crate::Clock::Wall)): [`Clock::fixed`](crate::Clock::fixed)
    /// or [`Clock::stepped`](crate::Clock::stepped) make dates deterministic.
    pub fn clock(mut self, clock: crate::clock::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// When the port cannot be bound (already in use, say), or, with
    /// [`https`](Self::https), the certificate cannot be made.
    pub async fn start(self) -> io::Result<TestServer> {
        let tls = if self.https { Some(crate::tls::Tls::generate()?) } else { None };
        let token = self.token.unwrap_or_else(random_token);
        let mut tokens = HashMap::new();
        let mut users = Vec::new();
        for (num, (token, name)) in
            std::iter::once((token.clone(), DEFAULT_USER.to_owned())).chain(self.users).enumerate()
        {
            let user = DevUser { num: u32::try_from(num + 1).unwrap_or(u32::MAX), name };
            users.push(user.clone());
            tokens.insert(token, user);
        }
        let time = Arc::new(crate::clock::Time::new(self.clock));
        let shared = Arc::new(Shared {
            tokens,
            limiter: Limiter::new(self.rate_limit, self.token_limits),
            faults: Faults::default(),
            requests: Mutex::new(RequestLog::default()),
            rate_limited: std::sync::atomic::AtomicUsize::new(0),
            print_requests: self.print_requests,
            events: crate::events::Events::default(),
            generic: Mutex::new(crate::store::State::new(self.seed, Arc::clone(&time))),
            webhooks: Arc::new(crate::webhooks::Webhooks::new(self.webhooks, Arc::clone(&time))),
            custom_routes: crate::custom_routes::CustomRoutes::default(),
            scheme: if tls.is_some() { "https" } else { "http" },
            time,
        });
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).await?;
        let addr = listener.local_addr()?;
        let router = routes::router(Arc::clone(&shared));
        let task = tokio::spawn(accept_loop(listener, router, tls.clone()));
        Ok(TestServer { addr, token, shared, task, tls })
    }
}

fn random_token() -> String {
    let random: String = std::iter::repeat_with(fastrand::alphanumeric).take(32).collect();
    format!("testkit-{random}")
}

/// A running DevRev-compatible server on 127.0.0.1; it stops when dropped.
///
/// ```no_run
/// # async fn run() {
/// let server = devrev_testkit::TestServer::start().await;
/// let base_url = server.base_url(); // http://127.0.0.1:PORT
/// let token = server.token(); // send as `Authorization: Bearer <token>`
/// # let _ = (base_url, token); }
/// ```
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    token: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
    tls: Option<crate::tls::Tls>,
}

impl TestServer {
    /// Starts a server with the defaults on a free port.
    ///
    /// # Panics
    /// When no loopback port can be bound; use [`builder`](Self::builder)
    /// to handle that error.
    pub async fn start() -> TestServer {
        match TestServer::builder().start().await {
            Ok(server) => server,
            Err(e) => panic!("devrev-testkit: cannot bind a port on 127.0.0.1: {e}"),
        }
    }

    /// A builder for a server with options (token, rate limits, port).
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// The base URL, such as `http://127.0.0.1:41234` (`https://...` with
    /// [`TestServerBuilder::https`]).
    pub fn base_url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// With [`TestServerBuilder::https`], the PEM of the certificate
    /// authority that signed the server's certificate, for a client to
    /// trust; `None` for a plain HTTP server.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|tls| tls.ca_pem.as_str())
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's clock now: what the next object created is dated.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.time.now()
    }

    /// Sets the server's clock to `t`, for every family; the clock runs on
    /// from there as it ran before (the wall clock keeps ticking, a fixed
    /// one stands).
    pub fn set_time(&self, t: chrono::DateTime<chrono::Utc>) {
        self.shared.time.set(t);
    }

    /// Moves the server's clock on by `d`, for every family, such as to see
    /// what a "modified since the last sync" query finds an hour later.
    pub fn advance(&self, d: chrono::TimeDelta) {
        self.shared.time.advance(d);
    }

    /// The main token: valid, acting as the dev user [`DEFAULT_USER`].
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Queues `fault` for the next requests to `path` (such as
    /// `/rev-orgs.create`, without a query string), known to the server or
    /// not; see [`Fault`] for which requests it applies to.
    pub fn inject(&self, path: &str, fault: Fault) {
        self.shared.faults.push(Target::Path(path.to_owned()), fault);
    }

    /// Queues `fault` for the next requests served as `operation`
    /// (`works.create`, whether sent as `GET` or `POST`; a leading `/` is
    /// ignored), a custom route's included; see [`Fault`].
    pub fn inject_operation(&self, operation: &str, fault: Fault) {
        self.shared.faults.push(Target::Operation(operation.trim_start_matches('/').to_owned()), fault);
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Starts a new rate-limit window for every token, as if the current
    /// one had ended. A test's sleeper (the devrev client's
    /// `ClientBuilder::sleeper`) can call this instead of sleeping through a
    /// `Retry-After`.
    pub fn reset_rate_limits(&self) {
        self.shared.limiter.reset();
    }

    /// The requests in the log, in the order they arrived: those received
    /// since the last [`take_requests`](Self::take_requests) (the latest
    /// [`KEPT_REQUESTS`](crate::KEPT_REQUESTS) of them). Each carries its
    /// body, headers, operation, status and time; see [`RecordedRequest`].
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log().latest().cloned().collect()
    }

    /// The requests in the log, and empties it: each call returns what
    /// arrived since the previous one, so a test reads one step at a time
    /// without counting. [`request_count`](Self::request_count) is not reset.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        self.log().take()
    }

    /// The requests in the log served as `operation` (`works.create`; a
    /// leading `/` is ignored), in order.
    pub fn requests_for(&self, operation: &str) -> Vec<RecordedRequest> {
        self.log().latest().filter(|r| r.is(operation)).cloned().collect()
    }

    /// The requests in the log that arrived after request number `seq`
    /// (see [`RecordedRequest::seq`] and [`last_seq`](Self::last_seq)).
    pub fn requests_after(&self, seq: u64) -> Vec<RecordedRequest> {
        self.log().latest().filter(|r| r.seq > seq).cloned().collect()
    }

    /// The number of the latest request received (0 before the first): a
    /// mark for [`requests_after`](Self::requests_after).
    pub fn last_seq(&self) -> u64 {
        self.log().last_seq()
    }

    fn log(&self) -> std::sync::MutexGuard<'_, RequestLog> {
        self.shared.requests.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Serves `path` (any method) with `handler`, whether the server knows
    /// the path or not (one of your own endpoints, a DevRev operation newer
    /// than the server's description), in place of the built-in route if
    /// there is one. The request passes the same checks as every other
    /// operation first: a valid token (else 401 `unauthenticated`) and the
    /// rate limit (else 429); [`Fault`]s apply to it; the log records it as
    /// operation `path` without its leading `/`; the answer carries the
    /// rate-limit headers. The handler sees the request as the log records
    /// it ([`RecordedRequest`]: method, query, JSON body, headers, user)
    /// and returns a [`Reply`]. A second `route` for the same path replaces
    /// the first.
    ///
    /// ```no_run
    /// use devrev_testkit::{Reply, TestServer};
    ///
    /// # async fn run() {
    /// let server = TestServer::start().await;
    /// server.route("/jobs.list", |request| {
    ///     let limit = request.query_param("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    ///     Reply::ok(serde_json::json!({"jobs": [], "limit": limit}))
    /// });
    /// # }
    /// ```
    pub fn route(&self, path: &str, handler: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static) {
        self.shared.custom_routes.insert(path, Arc::new(handler));
    }

    /// Removes the custom route of `path`; `false` if there was none.
    pub fn remove_route(&self, path: &str) -> bool {
        self.shared.custom_routes.remove(path)
    }

    /// How many requests the rate limit answered with 429.
    pub fn rate_limited_count(&self) -> usize {
        self.shared.rate_limited.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many rev orgs and accounts were created with this external
    /// reference (`external_ref`, or one of `external_refs`), deleted ones
    /// included: a bulk import that duplicated nothing leaves 1 for each row.
    pub fn creates_with_external_ref(&self, external_ref: &str) -> usize {
        self.shared
            .generic
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .creates_by_ref
            .get(external_ref)
            .copied()
            .unwrap_or(0)
    }

    /// Every webhook delivery attempt so far (verify challenges included),
    /// in the order they finished.
    pub fn webhook_deliveries(&self) -> Vec<crate::WebhookDelivery> {
        self.shared.webhooks.deliveries()
    }

    /// How many requests were received for `path` since the server
    /// started (exact, whatever the log keeps or was taken).
    pub fn request_count(&self, path: &str) -> usize {
        self.log().count(path)
    }

    /// Serves `body` to the operation at `path` (such as `/works.create`)
    /// as the main token's user, as an HTTP request would be served (the
    /// same validation, IDs, dates, reference checks and webhook events),
    /// but without HTTP, the request log or the rate limit: for loading
    /// fixtures fast. Every family, accounts and rev orgs included (their
    /// external references counted, an account's default rev org made);
    /// `null` fields read as absent, as in a request. The typed form is
    /// [`insert_request`](Self::insert_request).
    ///
    /// # Errors
    /// The answer DevRev would give, as [`InsertError`]: an unknown path,
    /// or the request refused.
    pub fn insert(&self, path: &str, body: serde_json::Value) -> Result<serde_json::Value, InsertError> {
        let refused = |e: crate::error::ApiError| InsertError { status: e.status.as_u16(), body: e.body };
        let (_, answer) = self.serve_fixture(path, body).map_err(refused)?;
        Ok(answer.unwrap_or(serde_json::Value::Null))
    }

    /// Puts the object `request` would create into the store, as
    /// [`insert`](Self::insert) does (the same rules as a create over HTTP:
    /// IDs, dates from the server's clock, references checked, webhook
    /// events; not in the request log, not against the rate limit), and
    /// returns the answer typed: a request of the `devrev` crate
    /// (`WorksCreateRequest`, `AccountsCreateRequest`, ...) or one declared
    /// with `#[devrev_endpoint]`, whose `Endpoint::PATH` names the
    /// operation. Building the request with its `new(..)` and setters is
    /// the easy way to a valid object; the answer holds the stored object
    /// (`.work`, `.account`, ...), its IDs and dates as the server made them.
    ///
    /// ```
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Serialize)]
    /// # struct AccountsCreateRequest { display_name: String, external_refs: Vec<String> }
    /// # impl AccountsCreateRequest {
    /// #     fn new(name: &str) -> Self { Self { display_name: name.into(), external_refs: vec![] } }
    /// #     fn external_refs<const N: usize>(mut self, r: [&str; N]) -> Self { self.external_refs = r.map(Into::into).to_vec(); self }
    /// # }
    /// # #[derive(Deserialize)]
    /// # struct AccountsCreateResponse { account: Account }
    /// # #[derive(Deserialize)]
    /// # struct Account { id: String }
    /// # impl devrev_runtime::Endpoint for AccountsCreateRequest {
    /// #     type Response = AccountsCreateResponse;
    /// #     type Error = devrev_runtime::DevRevError;
    /// #     const METHOD: devrev_runtime::Method = devrev_runtime::Method::Post;
    /// #     const PATH: &'static str = "/accounts.create";
    /// #     const IDEMPOTENT: bool = false;
    /// # }
    /// // In your tests: `use devrev::accounts::AccountsCreateRequest;`
    /// use devrev_testkit::TestServer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> devrev_runtime::Result<()> {
    /// let server = TestServer::start().await;
    /// let acme = server.insert_request(&AccountsCreateRequest::new("Acme").external_refs(["crm-1"]))?;
    /// assert!(acme.account.id.contains(":account/"));
    /// assert!(server.requests().is_empty()); // a fixture is not a request
    ///
    /// // The same typed error as a request over HTTP: the external reference is taken.
    /// let taken = server.insert_request(&AccountsCreateRequest::new("Acme 2").external_refs(["crm-1"]));
    /// assert_eq!(taken.err().and_then(|e| e.status()), Some(409));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The error [`send`](devrev_runtime::send) would return for the same
    /// request to the server over HTTP: [`Error::Api`](devrev_runtime::Error::Api)
    /// with the status and DevRev's typed error body (`404` for an unknown
    /// path or an ID never issued, `400` for a missing field, `409` for a
    /// taken external reference, ...); [`Error::Encode`](devrev_runtime::Error::Encode)
    /// for a request that does not serialize to JSON;
    /// [`Error::Decode`](devrev_runtime::Error::Decode) for an answer that
    /// does not read as `E::Response`.
    pub fn insert_request<E: devrev_runtime::Endpoint>(&self, request: &E) -> devrev_runtime::Result<E::Response> {
        let body = serde_json::to_value(request).map_err(|e| devrev_runtime::Error::Encode(e.to_string()))?;
        // A unit struct: an operation without parameters takes an empty object, as over HTTP.
        let body = if body.is_null() { serde_json::json!({}) } else { body };
        let (status, answer) = match self.serve_fixture(E::PATH, body) {
            Ok((status, answer)) => (status, answer.map(|a| a.to_string()).unwrap_or_default()),
            Err(e) => (e.status.as_u16(), e.body.to_string()),
        };
        // The client's own reading of an answer: the same typed errors as `send`.
        devrev_runtime::__private::decode_answer::<E::Response, E::Error>(
            status,
            devrev_runtime::__private::HeaderMap::new(),
            answer.as_bytes(),
        )
        .map(devrev_runtime::Response::into_value)
    }

    /// Serves a fixture: the operation at `path` (its `POST` form, else its
    /// `GET` form) for `body`, as the main token's user.
    fn serve_fixture(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<(u16, Option<serde_json::Value>), crate::error::ApiError> {
        let found = crate::spec::API.find("POST", path).or_else(|| crate::spec::API.find("GET", path));
        let Some((index, _)) = found else {
            return Err(crate::error::ApiError::route_not_found());
        };
        let Some(user) = self.shared.tokens.get(&self.token) else {
            return Err(crate::error::ApiError::route_not_found());
        };
        // Every family, accounts and rev orgs included, through the one way in (which reads `null` as absent).
        let (status, answer) = crate::routes::serve(&self.shared, index, body, Some(user))?;
        Ok((status.as_u16(), answer))
    }
}

/// Why [`TestServer::insert`] refused an object: the status and error body
/// an HTTP request would have been answered with.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InsertError {
    /// The HTTP status, such as 400.
    pub status: u16,
    /// DevRev's error body (`type`, `message`, ...).
    pub body: serde_json::Value,
}

impl std::fmt::Display for InsertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

impl std::error::Error for InsertError {}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Dropping the loop drops its connections, mid-request or not.
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, router: Router, tls: Option<crate::tls::Tls>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    match &tls {
                        None => {
                            connections.spawn(serve_connection(stream, router.clone()));
                        }
                        // The handshake runs in the connection's task; a failed one drops it.
                        Some(tls) => {
                            let (acceptor, router) = (tls.acceptor.clone(), router.clone());
                            connections.spawn(async move {
                                if let Ok(stream) = acceptor.accept(stream).await {
                                    serve_connection(stream, router).await;
                                }
                            });
                        }
                    }
                }
                // Out of file descriptors, say: back off rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection<S>(stream: S, router: Router)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let killer = ConnectionKiller(Arc::clone(&kill));
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(killer.clone());
        router.clone().oneshot(request)
    });
    let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        // A fault asked to drop the connection: dropping the future closes the socket.
        () = kill.notified() => {}
    }
}
