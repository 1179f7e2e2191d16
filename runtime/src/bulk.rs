//! Bulk sends: many requests of one endpoint, with bounded concurrency,
//! and an outcome for each that loses and duplicates nothing.
//!
//! [`Client::send_all`] (or [`Client::send_all_stream`]) takes any iterator
//! or stream of requests and yields one [`Outcome`] per request, with its
//! index in the input:
//!
//! - at most [`concurrency`](SendAll::concurrency) requests are in flight
//!   (8 by default), and the input is read only as they finish, so memory
//!   is bounded by the concurrency, never by the input's size;
//! - outcomes come as they complete, or in input order with
//!   [`in_order`](SendAll::in_order);
//! - each outcome is [`Sent`](BulkResult::Sent), [`Failed`](BulkResult::Failed)
//!   (a typed error; the request was not applied, or is idempotent), or
//!   [`Unknown`](BulkResult::Unknown): a request that is not idempotent
//!   failed after it may have been applied ([`Error::may_have_been_applied`]).
//!   An unknown outcome is never resent blindly;
//! - with [`reconcile`](SendAll::reconcile), an unknown outcome is settled:
//!   the object is looked up by its natural key ([`Reconcile`]) and the
//!   request is resent only if the object is absent. Found, it is
//!   [`AlreadyPresent`](BulkResult::AlreadyPresent); with
//!   [`reconcile_with`](SendAll::reconcile_with), a closure's lookup, what
//!   it found may be of any type (the `Work` a list answered, say);
//! - [`progress`](SendAll::progress) is a watch channel of [`Progress`]
//!   (done, failed, in flight, rate, time left).
//!
//! Every call goes through the client as usual: its retries, deadlines and
//! [pacing](crate::pacing), which keeps a bulk job within the rate limit.
//! Reconciliation is traced (`tracing` events at `info` level).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_core::Stream;
use futures_util::stream::{BoxStream, StreamExt};
use tokio::sync::watch;

use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::transport::send;

/// The concurrency of [`SendAll`] unless [`SendAll::concurrency`] says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How many times reconciliation looks an object up and resends it, for one request.
const RECONCILE_ROUNDS: usize = 3;

/// What happened to one request of a bulk send. `T` is the endpoint's
/// response; `A`, what a lookup finds, is `T` too unless
/// [`SendAll::reconcile_with`]'s lookup finds another type.
#[derive(Debug)]
#[non_exhaustive]
pub struct Outcome<T, A = T> {
    /// The request's position in the input, from 0.
    pub index: usize,
    /// What happened.
    pub result: BulkResult<T, A>,
}

/// The result of one request of a bulk send: the answer `T`, or what a
/// lookup found, `A` (by default the answer's type too).
#[derive(Debug)]
#[non_exhaustive]
pub enum BulkResult<T, A = T> {
    /// The call succeeded (possibly after reconciliation found the object
    /// absent and resent the request).
    Sent(T),
    /// Reconciliation found the object the request would create: an earlier
    /// attempt was applied, or the object existed before.
    AlreadyPresent(A),
    /// The call failed, and was not applied (or is idempotent, so a later
    /// retry is safe).
    Failed(Error),
    /// A request that is not idempotent failed after it may have been
    /// applied, and was not resent; without reconciliation (or when the
    /// lookup could not settle it) the caller must decide.
    Unknown(Error),
}

impl<T> BulkResult<T> {
    /// The value, for [`Sent`](Self::Sent) and [`AlreadyPresent`](Self::AlreadyPresent).
    pub fn value(&self) -> Option<&T> {
        match self {
            BulkResult::Sent(v) | BulkResult::AlreadyPresent(v) => Some(v),
            _ => None,
        }
    }
}

impl<T, A> BulkResult<T, A> {
    /// The error, for [`Failed`](Self::Failed) and [`Unknown`](Self::Unknown).
    pub fn error(&self) -> Option<&Error> {
        match self {
            BulkResult::Failed(e) | BulkResult::Unknown(e) => Some(e),
            _ => None,
        }
    }

    /// What the lookup found, for [`AlreadyPresent`](Self::AlreadyPresent).
    pub fn already_present(&self) -> Option<&A> {
        match self {
            BulkResult::AlreadyPresent(found) => Some(found),
            _ => None,
        }
    }
}

/// What a lookup by natural key found.
#[derive(Debug)]
#[non_exhaustive]
pub enum Lookup<T> {
    /// The object exists; here as the response the request would have had.
    Found(T),
    /// No such object: resending the request is safe.
    Absent,
    /// The request carries no natural key (say, a rev org without
    /// `external_ref`): the outcome stays unknown.
    NoKey,
}

/// The future a [`Reconcile::find`] returns.
pub type FindFuture<'a, T> = Pin<Box<dyn Future<Output = Result<Lookup<T>>> + Send + 'a>>;

/// Settles unknown outcomes of a bulk send for endpoint `E`: finds the object
/// a request would have created, by a natural key the request carries, as
/// the response the request would have had.
///
/// Implement it for your own create endpoints, or pass a closure to
/// [`SendAll::reconcile_with`] (whose lookup may answer any type, which
/// suits a generated response you cannot build). The crate implements it
/// for rev orgs and accounts by `external_ref` (`devrev::reconcile`).
pub trait Reconcile<E: Endpoint>: Send + Sync + 'static {
    /// Looks up the object `request` would create.
    fn find<'a>(&'a self, client: &'a Client, request: &'a E) -> FindFuture<'a, E::Response>;
}

/// The lookup a [`SendAll`] runs, finding an `A`: a [`Reconcile`]
/// ([`ByReconcile`], finding the response) or a closure ([`ReconcileFn`]).
trait Finder<E, A>: Send + Sync + 'static {
    fn find<'a>(&'a self, client: &'a Client, request: &'a E) -> FindFuture<'a, A>;
}

/// A [`Reconcile`] as a [`Finder`] of the endpoint's response.
struct ByReconcile<R>(R);

impl<E: Endpoint, R: Reconcile<E>> Finder<E, E::Response> for ByReconcile<R> {
    fn find<'a>(&'a self, client: &'a Client, request: &'a E) -> FindFuture<'a, E::Response> {
        self.0.find(client, request)
    }
}

/// A [`Finder`] from a closure over owned copies of the client and the request.
struct ReconcileFn<F>(F);

impl<E, A, F, Fut> Finder<E, A> for ReconcileFn<F>
where
    E: Endpoint + Clone + Send + Sync + 'static,
    F: Fn(Client, E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Lookup<A>>> + Send + 'static,
{
    fn find<'a>(&'a self, client: &'a Client, request: &'a E) -> FindFuture<'a, A> {
        Box::pin((self.0)(client.clone(), request.clone()))
    }
}

/// Where a bulk send stands; see [`SendAll::progress`].
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// How many requests the input holds, when its size hint says exactly.
    pub total: Option<usize>,
    /// Outcomes that are [`Sent`](BulkResult::Sent) or [`AlreadyPresent`](BulkResult::AlreadyPresent).
    pub done: usize,
    /// Outcomes that are [`Failed`](BulkResult::Failed).
    pub failed: usize,
    /// Outcomes that are [`Unknown`](BulkResult::Unknown).
    pub unknown: usize,
    /// Of `done`, the outcomes settled by reconciliation.
    pub reconciled: usize,
    /// Requests being sent (or reconciled) now.
    pub in_flight: usize,
    /// Outcomes per second since the first request.
    pub rate: f64,
    /// Time left at the current rate, when `total` is known.
    pub eta: Option<Duration>,
}

impl Progress {
    /// Outcomes so far, of every kind.
    pub fn finished(&self) -> usize {
        self.done + self.failed + self.unknown
    }
}

type Input<E> = BoxStream<'static, E>;
type OutcomeFuture<T, A> = Pin<Box<dyn Future<Output = Outcome<T, A>> + Send>>;

/// A bulk send being set up, then run: a [`Stream`] of [`Outcome`]s. Made by
/// [`Client::send_all`] and [`Client::send_all_stream`]; nothing is sent
/// until it is polled. `A` is what a lookup finds: the response, unless
/// [`reconcile_with`](Self::reconcile_with)'s lookup finds another type.
#[must_use = "streams do nothing unless polled"]
pub struct SendAll<E: Endpoint, A = <E as Endpoint>::Response> {
    client: Client,
    input: Option<Input<E>>,
    concurrency: usize,
    ordered: bool,
    reconcile: Option<Arc<dyn Finder<E, A>>>,
    progress: Arc<watch::Sender<Progress>>,
    running: Option<BoxStream<'static, Outcome<E::Response, A>>>,
}

impl<E: Endpoint, A> fmt::Debug for SendAll<E, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendAll")
            .field("concurrency", &self.concurrency)
            .field("ordered", &self.ordered)
            .field("reconcile", &self.reconcile.is_some())
            .field("progress", &*self.progress.borrow())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Sends every request of `requests` (any iterator), with bounded
    /// concurrency; see [`crate::bulk`].
    ///
    /// ```no_run
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Debug, Clone, Serialize)]
    /// # struct TagsCreateRequest { name: String }
    /// # #[derive(Debug, Deserialize)]
    /// # struct TagsCreateResponse {}
    /// # impl devrev_runtime::Endpoint for TagsCreateRequest {
    /// #     type Response = TagsCreateResponse;
    /// #     type Error = devrev_runtime::DevRevError;
    /// #     const METHOD: devrev_runtime::Method = devrev_runtime::Method::Post;
    /// #     const PATH: &'static str = "/tags.create";
    /// #     const IDEMPOTENT: bool = false;
    /// # }
    /// # async fn run(client: devrev_runtime::Client) {
    /// // In the `devrev` crate: `devrev::bulk::BulkResult`, and the request
    /// // declared with `#[devrev_endpoint(POST, "/tags.create")]`.
    /// use devrev_runtime::bulk::BulkResult;
    ///
    /// let requests = (0..1_000).map(|i| TagsCreateRequest { name: format!("tag-{i}") });
    /// let mut outcomes = client.send_all(requests).concurrency(16);
    /// while let Some(outcome) = outcomes.next().await {
    ///     match outcome.result {
    ///         BulkResult::Sent(_) => {}
    ///         BulkResult::Unknown(e) => eprintln!("#{}: may have been applied: {e}", outcome.index),
    ///         other => eprintln!("#{}: {:?}", outcome.index, other.error()),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn send_all<E, I>(&self, requests: I) -> SendAll<E>
    where
        E: Endpoint + Clone + Send + Sync + 'static,
        E::Response: Send + 'static,
        I: IntoIterator<Item = E>,
        I::IntoIter: Send + 'static,
    {
        let iter = requests.into_iter();
        let total = match iter.size_hint() {
            (low, Some(high)) if low == high => Some(low),
            _ => None,
        };
        SendAll::new(self, futures_util::stream::iter(iter).boxed(), total)
    }

    /// Sends every request of `requests` (any stream), like [`send_all`](Self::send_all).
    pub fn send_all_stream<E, S>(&self, requests: S) -> SendAll<E>
    where
        E: Endpoint + Clone + Send + Sync + 'static,
        E::Response: Send + 'static,
        S: Stream<Item = E> + Send + 'static,
    {
        SendAll::new(self, requests.boxed(), None)
    }
}

impl<E> SendAll<E>
where
    E: Endpoint + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    fn new(client: &Client, input: Input<E>, total: Option<usize>) -> Self {
        let (progress, _) = watch::channel(Progress { total, ..Progress::default() });
        SendAll {
            client: client.clone(),
            input: Some(input),
            concurrency: DEFAULT_CONCURRENCY,
            ordered: false,
            reconcile: None,
            progress: Arc::new(progress),
            running: None,
        }
    }

    /// Settles unknown outcomes with `reconcile`: the object is looked up,
    /// and the request resent only if it is absent.
    pub fn reconcile(mut self, reconcile: impl Reconcile<E>) -> Self {
        self.reconcile = Some(Arc::new(ByReconcile(reconcile)));
        self
    }
}

impl<E, A> SendAll<E, A>
where
    E: Endpoint + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
    A: Send + 'static,
{
    /// At most `n` requests in flight (at least 1); 8 by default.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Yields the outcomes in input order; by default they come as they
    /// complete. In order, a slow request holds back the ones after it
    /// (still at most `concurrency` requests in flight or waiting).
    pub fn in_order(mut self) -> Self {
        self.ordered = true;
        self
    }

    /// Like [`reconcile`](Self::reconcile), with a closure that looks the
    /// object up: `|client, request| async move { ... Ok(Lookup::Absent) }`.
    /// What it finds may be of any type `B`, and comes as
    /// [`BulkResult::AlreadyPresent`]`(B)`: the `Work` a `works.list`
    /// answered, say, where the response (`WorksCreateResponse`, which is
    /// `#[non_exhaustive]`) cannot be built outside the crate. A lookup
    /// that never returns [`Lookup::Found`] names its type:
    /// `Lookup::<()>::Absent`. Set it before the first poll, as every
    /// setting here: a send already polled has handed its requests to the
    /// running stream, and the send this returns yields nothing more.
    ///
    /// ```no_run
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Debug, Clone, Serialize)]
    /// # struct TagsCreateRequest { name: String }
    /// # #[derive(Debug, Deserialize)]
    /// # struct TagsCreateResponse { tag: Tag }
    /// # #[derive(Debug, Deserialize)]
    /// # struct Tag { id: String }
    /// # impl devrev_runtime::Endpoint for TagsCreateRequest {
    /// #     type Response = TagsCreateResponse;
    /// #     type Error = devrev_runtime::DevRevError;
    /// #     const METHOD: devrev_runtime::Method = devrev_runtime::Method::Post;
    /// #     const PATH: &'static str = "/tags.create";
    /// #     const IDEMPOTENT: bool = false;
    /// # }
    /// # async fn find_tag(client: &devrev_runtime::Client, name: &str) -> devrev_runtime::Result<Option<Tag>> { Ok(None) }
    /// # async fn run(client: devrev_runtime::Client) {
    /// // In the `devrev` crate: `devrev::bulk::{BulkResult, Lookup}`.
    /// use devrev_runtime::bulk::{BulkResult, Lookup};
    ///
    /// let requests = ["vip", "churn-risk"].map(|name| TagsCreateRequest { name: name.into() });
    /// let mut outcomes = client.send_all(requests).reconcile_with(|client, request: TagsCreateRequest| async move {
    ///     Ok(match find_tag(&client, &request.name).await? {
    ///         Some(tag) => Lookup::Found(tag),
    ///         None => Lookup::Absent,
    ///     })
    /// });
    /// while let Some(outcome) = outcomes.next().await {
    ///     let tag: Option<&Tag> = match &outcome.result {
    ///         BulkResult::Sent(created) => Some(&created.tag),
    ///         BulkResult::AlreadyPresent(tag) => Some(tag),
    ///         _ => None,
    ///     };
    ///     println!("#{}: {:?}", outcome.index, tag.map(|t| &t.id));
    /// }
    /// # }
    /// ```
    pub fn reconcile_with<B, F, Fut>(self, find: F) -> SendAll<E, B>
    where
        B: Send + 'static,
        F: Fn(Client, E) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Lookup<B>>> + Send + 'static,
    {
        SendAll {
            client: self.client,
            input: self.input,
            concurrency: self.concurrency,
            ordered: self.ordered,
            reconcile: Some(Arc::new(ReconcileFn(find))),
            progress: self.progress,
            running: None,
        }
    }

    /// A watch channel of the send's [`Progress`], updated as requests
    /// start and finish; take it before or while the stream runs.
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// The next outcome: `None` once every request has one.
    pub async fn next(&mut self) -> Option<Outcome<E::Response, A>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    fn start(&mut self) -> BoxStream<'static, Outcome<E::Response, A>> {
        let input = self.input.take().unwrap_or_else(|| futures_util::stream::empty().boxed());
        let shared = Arc::new(Shared {
            client: self.client.clone(),
            reconcile: self.reconcile.clone(),
            progress: Arc::clone(&self.progress),
            started: Instant::now(),
        });
        let jobs = input.enumerate().map(move |(index, request)| -> OutcomeFuture<E::Response, A> {
            Box::pin(Arc::clone(&shared).run(index, request))
        });
        if self.ordered {
            jobs.buffered(self.concurrency).boxed()
        } else {
            jobs.buffer_unordered(self.concurrency).boxed()
        }
    }
}

impl<E: Endpoint, A> Unpin for SendAll<E, A> {}

impl<E, A> Stream for SendAll<E, A>
where
    E: Endpoint + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
    A: Send + 'static,
{
    type Item = Outcome<E::Response, A>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.running.is_none() {
            this.running = Some(this.start());
        }
        this.running.as_mut().map_or(Poll::Ready(None), |s| s.poll_next_unpin(cx))
    }
}

/// What every request of one bulk send shares.
struct Shared<E: Endpoint, A> {
    client: Client,
    reconcile: Option<Arc<dyn Finder<E, A>>>,
    progress: Arc<watch::Sender<Progress>>,
    started: Instant,
}

impl<E, A> Shared<E, A>
where
    E: Endpoint + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
    A: Send + 'static,
{
    async fn run(self: Arc<Self>, index: usize, request: E) -> Outcome<E::Response, A> {
        self.progress.send_modify(|p| p.in_flight += 1);
        let mut reconciled = false;
        let result = match send(&self.client, &request).await {
            Ok(value) => BulkResult::Sent(value),
            Err(error) if !E::IDEMPOTENT && error.may_have_been_applied() => match &self.reconcile {
                Some(reconcile) => {
                    reconciled = true;
                    settle(&self.client, &**reconcile, Some(index), &request, error).await
                }
                None => BulkResult::Unknown(error),
            },
            Err(error) => BulkResult::Failed(error),
        };
        let started = self.started;
        self.progress.send_modify(|p| {
            p.in_flight -= 1;
            match &result {
                BulkResult::Sent(_) | BulkResult::AlreadyPresent(_) => {
                    p.done += 1;
                    p.reconciled += usize::from(reconciled);
                }
                BulkResult::Failed(_) => p.failed += 1,
                BulkResult::Unknown(_) => p.unknown += 1,
            }
            let finished = p.finished();
            let secs = started.elapsed().as_secs_f64();
            p.rate = if secs > 0.0 { finished as f64 / secs } else { 0.0 };
            p.eta = p.total.filter(|_| p.rate > 0.0).map(|total| {
                Duration::from_secs_f64(total.saturating_sub(finished) as f64 / p.rate)
                    .min(Duration::from_secs(u32::MAX.into()))
            });
        });
        Outcome { index, result }
    }
}

/// Looks the object up; resends only when it is absent; repeats while the
/// resend's outcome is unknown again. `index` is the request's position in a
/// bulk send (`None` for [`Client::send_reconciled`]), for the trace.
async fn settle<E: Endpoint + Sync + 'static, A: 'static>(
    client: &Client,
    reconcile: &dyn Finder<E, A>,
    index: Option<usize>,
    request: &E,
    error: Error,
) -> BulkResult<E::Response, A> {
    match settle_by(client, index, request, error, || reconcile.find(client, request)).await {
        Settled::Sent(value) => BulkResult::Sent(value),
        Settled::Found(value) => BulkResult::AlreadyPresent(value),
        Settled::Failed(error) => BulkResult::Failed(error),
        Settled::Unknown(error) => BulkResult::Unknown(error),
    }
}

/// How [`settle_by`] ended: the resend's answer, what the lookup found
/// (of the lookup's own type `A`), or an error.
enum Settled<S, A> {
    Sent(S),
    Found(A),
    Failed(Error),
    Unknown(Error),
}

/// [`settle`] with any lookup: `find` runs once per round.
async fn settle_by<E, A, F, Fut>(
    client: &Client,
    index: Option<usize>,
    request: &E,
    mut error: Error,
    mut find: F,
) -> Settled<E::Response, A>
where
    E: Endpoint + ?Sized,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Lookup<A>>>,
{
    // `Option<usize>` records the index when there is one, nothing otherwise.
    for round in 1..=RECONCILE_ROUNDS {
        match find().await {
            Ok(Lookup::Found(value)) => {
                tracing::info!(index, round, "reconcile: the object exists; not resending");
                return Settled::Found(value);
            }
            Ok(Lookup::Absent) => {
                tracing::info!(index, round, "reconcile: the object is absent; resending");
                match send(client, request).await {
                    Ok(value) => return Settled::Sent(value),
                    Err(again) if again.may_have_been_applied() => error = again,
                    Err(again) => return Settled::Failed(again),
                }
            }
            Ok(Lookup::NoKey) => {
                tracing::info!(index, "reconcile: the request has no natural key; outcome unknown");
                return Settled::Unknown(error);
            }
            Err(lookup) => {
                tracing::info!(index, round, error = %lookup, "reconcile: the lookup failed; outcome unknown");
                return Settled::Unknown(error);
            }
        }
    }
    Settled::Unknown(error)
}

/// What [`Client::send_reconciled`] got: the answer to the request, or the
/// object a lookup found after the request's outcome was unknown. `A`, the
/// type the lookup finds, is the response type unless
/// [`Client::send_reconciled_with`]'s lookup answers another.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Reconciled<T, A = T> {
    /// The call succeeded: at once, or resent after the lookup found the
    /// object absent.
    Sent(T),
    /// The request failed after it may have been applied, and the lookup
    /// found the object: it was not sent again.
    AlreadyPresent(A),
}

impl<T> Reconciled<T> {
    /// The answer, however it was obtained.
    pub fn into_inner(self) -> T {
        match self {
            Reconciled::Sent(v) | Reconciled::AlreadyPresent(v) => v,
        }
    }

    /// The answer, however it was obtained.
    pub fn value(&self) -> &T {
        match self {
            Reconciled::Sent(v) | Reconciled::AlreadyPresent(v) => v,
        }
    }
}

impl<T, A> Reconciled<T, A> {
    /// Whether the lookup found the object (the request was not resent).
    pub fn was_already_present(&self) -> bool {
        matches!(self, Reconciled::AlreadyPresent(_))
    }
}

impl Client {
    /// Sends one request, as `send` does, and settles an unknown outcome the
    /// way [`SendAll::reconcile`] does for each request of a bulk send: when
    /// a request that is not idempotent (a create) fails after it may have
    /// been applied ([`Error::may_have_been_applied`]: a connection dropped
    /// after sending, a 500, 502, 503 or 504, an attempt that timed out),
    /// `reconcile` looks the object up by a natural key the request carries;
    /// found, it is returned as [`Reconciled::AlreadyPresent`] and nothing
    /// is resent; absent, the request is resent (up to three lookups and
    /// resends while the outcome stays unknown).
    ///
    /// The sequence of requests on the wire, for a create whose connection
    /// drops after the server applied it: the create, then the lookup, and
    /// nothing more.
    ///
    /// # Errors
    /// The error of the call, as `send` returns it, when it failed without
    /// having been applied (or the endpoint is idempotent: the client's
    /// retries already covered it); or, when the outcome could not be
    /// settled (the request has no natural key, [`Lookup::NoKey`]; the
    /// lookup failed; three resends were unknown again), the call's last
    /// error, for which [`Error::may_have_been_applied`] is true.
    pub async fn send_reconciled<E, R>(&self, request: &E, reconcile: R) -> Result<Reconciled<E::Response>>
    where
        E: Endpoint + Sync + 'static,
        R: Reconcile<E>,
    {
        self.send_reconciled_by(request, || reconcile.find(self, request)).await
    }

    /// [`send_reconciled`](Self::send_reconciled) with a closure that looks
    /// the object up: `|client, request| async move { ... Ok(Lookup::Absent) }`,
    /// as [`SendAll::reconcile_with`] takes. What it finds may be of any
    /// type `A` (the `Work` a list answered, say), returned as
    /// [`Reconciled::AlreadyPresent`]: a generated response type such as
    /// `WorksCreateResponse` is `#[non_exhaustive]` and cannot be built
    /// outside the crate.
    ///
    /// ```no_run
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Debug, Clone, Serialize)]
    /// # struct TagsCreateRequest { name: String }
    /// # #[derive(Debug, Deserialize)]
    /// # struct TagsCreateResponse { tag: Tag }
    /// # #[derive(Debug, Deserialize)]
    /// # struct Tag { id: String }
    /// # impl devrev_runtime::Endpoint for TagsCreateRequest {
    /// #     type Response = TagsCreateResponse;
    /// #     type Error = devrev_runtime::DevRevError;
    /// #     const METHOD: devrev_runtime::Method = devrev_runtime::Method::Post;
    /// #     const PATH: &'static str = "/tags.create";
    /// #     const IDEMPOTENT: bool = false;
    /// # }
    /// # async fn find_tag(client: &devrev_runtime::Client, name: &str) -> devrev_runtime::Result<Option<Tag>> { Ok(None) }
    /// # async fn run(client: devrev_runtime::Client) -> devrev_runtime::Result<()> {
    /// // In the `devrev` crate: `devrev::bulk::{Lookup, Reconciled}`.
    /// use devrev_runtime::bulk::{Lookup, Reconciled};
    ///
    /// let request = TagsCreateRequest { name: "vip".into() };
    /// let tag = match client
    ///     .send_reconciled_with(&request, |client, request: TagsCreateRequest| async move {
    ///         Ok(match find_tag(&client, &request.name).await? {
    ///             Some(tag) => Lookup::Found(tag),
    ///             None => Lookup::Absent,
    ///         })
    ///     })
    ///     .await?
    /// {
    ///     Reconciled::Sent(created) => created.tag,
    ///     Reconciled::AlreadyPresent(tag) => tag,
    ///     _ => unreachable!("a new way to settle"),
    /// };
    /// # let _ = tag; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`send_reconciled`](Self::send_reconciled).
    pub async fn send_reconciled_with<E, A, F, Fut>(&self, request: &E, find: F) -> Result<Reconciled<E::Response, A>>
    where
        E: Endpoint + Clone,
        F: Fn(Client, E) -> Fut,
        Fut: Future<Output = Result<Lookup<A>>>,
    {
        self.send_reconciled_by(request, || find(self.clone(), request.clone())).await
    }

    async fn send_reconciled_by<E, A, F, Fut>(&self, request: &E, find: F) -> Result<Reconciled<E::Response, A>>
    where
        E: Endpoint,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Lookup<A>>>,
    {
        match send(self, request).await {
            Ok(value) => Ok(Reconciled::Sent(value)),
            Err(error) if !E::IDEMPOTENT && error.may_have_been_applied() => {
                match settle_by(self, None, request, error, find).await {
                    Settled::Sent(value) => Ok(Reconciled::Sent(value)),
                    Settled::Found(value) => Ok(Reconciled::AlreadyPresent(value)),
                    Settled::Failed(error) | Settled::Unknown(error) => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }
}
