//! Cursor pagination: streams of pages and of items for list endpoints.
//!
//! DevRev lists are cursor-paged: a request takes `cursor` (and `limit`,
//! `mode`), an answer carries `next_cursor`, absent on the last page, and
//! `prev_cursor`. A list response implements [`Page`] (derive it with
//! `#[derive(devrev::Page)]`), a list request implements [`Paginated`] (the
//! attribute's `paginate` option), and then [`Pages`] and [`Items`] follow
//! the cursor:
//!
//! - the first request carries the caller's own cursor, if set, so a listing
//!   can resume where an earlier one stopped ([`Pages::cursor`],
//!   [`Items::resume_point`]);
//! - a request whose `mode` is `before` reads backwards: the streams follow
//!   each page's `prev_cursor` instead of its `next_cursor` (without a cursor,
//!   DevRev starts such a listing from its end);
//! - an absent or empty cursor (`""`) ends the listing;
//! - an error is yielded once and ends the stream;
//! - a cursor seen before is [`PaginationError::RepeatedCursor`] rather than
//!   an endless loop (only a 64-bit hash per page is kept);
//! - one page is held at a time, so memory does not grow with the listing.
//!
//! Both streams implement [`futures_core::Stream`] for combinators, and have
//! inherent [`next`](Pages::next) and [`try_next`](Pages::try_next) methods,
//! so a plain `while let Some(org) = items.try_next().await? { .. }` loop
//! needs no extra crate.

use std::collections::HashSet;
use std::future::{poll_fn, Future};
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::stream::FusedStream;
use futures_core::Stream;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::{Error, PaginationError, Result};
use crate::transport::send;

/// A page of a cursor-paged listing.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a page of results, so its request cannot use `paginate`",
    label = "this response type does not implement `devrev::Page`",
    note = "add `#[derive(devrev::Page)]` to `{Self}` (a `#[derive(Page)]` needs `use devrev::Page;`): it needs a `next_cursor: Option<String>` field and a `Vec` of items"
)]
pub trait Page {
    /// One item of the listing.
    type Item;
    /// Not part of the API. The `paginate` option names the response's
    /// [`Paginated::Page`] through this constant, so that a response that
    /// is not a `Page` is reported once, on `paginate`, and not again at
    /// every use of its items.
    #[doc(hidden)]
    const __PAGE: usize = 0;
    /// The cursor of the next page; `None` on the last page.
    fn next_cursor(&self) -> Option<&str>;
    /// The cursor of the previous page, which a listing read with
    /// `mode = before` follows; `None` when there is none. The derive
    /// implements it when the struct has a `prev_cursor: Option<String>`
    /// field; the default says there is none.
    fn prev_cursor(&self) -> Option<&str> {
        None
    }
    /// The page's items.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A list request whose cursor can be set, implemented by the attribute's
/// `paginate` option (it needs a `cursor: Option<String>` field).
///
/// Written by hand, for a request whose response implements [`Page`]:
///
/// ```
/// # use devrev_runtime::{Endpoint, Method, Page, Paginated, DevRevError};
/// # #[derive(serde::Serialize)]
/// # struct TagsListRequest { cursor: Option<String> }
/// # struct TagsListResponse { tags: Vec<String>, next_cursor: Option<String> }
/// # impl Page for TagsListResponse {
/// #     type Item = String;
/// #     fn next_cursor(&self) -> Option<&str> { self.next_cursor.as_deref() }
/// #     fn into_items(self) -> Vec<String> { self.tags }
/// # }
/// # impl<'de> serde::Deserialize<'de> for TagsListResponse {
/// #     fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> { unimplemented!() }
/// # }
/// # impl Endpoint for TagsListRequest {
/// #     type Response = TagsListResponse;
/// #     type Error = DevRevError;
/// #     const METHOD: Method = Method::Get;
/// #     const PATH: &'static str = "/tags.list";
/// #     const IDEMPOTENT: bool = true;
/// # }
/// impl Paginated for TagsListRequest {
///     type Page = TagsListResponse;
///     fn cursor(&self) -> Option<&str> {
///         self.cursor.as_deref()
///     }
///     fn set_cursor(&mut self, cursor: Option<String>) {
///         self.cursor = cursor;
///     }
/// }
/// ```
pub trait Paginated: Endpoint<Response = <Self as Paginated>::Page> {
    /// The response, as a page of results: always the same type as
    /// [`Endpoint::Response`].
    type Page: Page;
    /// The cursor the request carries.
    fn cursor(&self) -> Option<&str>;
    /// Sets the cursor the request carries.
    fn set_cursor(&mut self, cursor: Option<String>);
}

/// Not part of the API: how the `paginate` option names a request's
/// [`Paginated::Page`]. It writes
/// `<[Response; <Response as Page>::__PAGE] as PageOf>::Page`, which is
/// `Response` when it implements [`Page`]. When it does not, the constant
/// is reported once, where the option is written, and the type becomes an
/// error the compiler reports nowhere else: not at `pages` or `items`
/// calls, nor where the items are used.
#[doc(hidden)]
pub trait PageOf {
    /// The page type.
    type Page: Page;
}

impl<R: Page, const N: usize> PageOf for [R; N] {
    type Page = R;
}

/// Not part of the API: how the `paginate` option checks, once, that the
/// request is `Clone` (the streams keep a copy to ask for each page). The
/// streams' request type is `<[Request; <Request as PagedClone>::__CLONE] as
/// CloneOf>::Request`: the request when it is `Clone`; otherwise the one
/// error, on `paginate`, and an error type, so `try_next` and the loops over
/// the items add none.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a `paginate` request must be `Clone`, and `{Self}` is not",
    label = "the page streams keep a copy of the request to ask for each page"
)]
pub trait PagedClone {
    #[doc(hidden)]
    const __CLONE: usize;
}

impl<R: Clone> PagedClone for R {
    const __CLONE: usize = 0;
}

/// Not part of the API: see [`PagedClone`].
#[doc(hidden)]
pub trait CloneOf {
    /// The request type.
    type Request;
}

impl<R, const N: usize> CloneOf for [R; N] {
    type Request = R;
}

type PageFuture<R> = Pin<Box<dyn Future<Output = Result<R>> + Send>>;

/// Whether `request` reads its listing backwards: its `mode` serializes as
/// `"before"`. Checked once per stream, on the request's own serialization,
/// so any request struct with a `mode` field works, built-in or not.
fn reads_backward<E: Serialize + ?Sized>(request: &E) -> bool {
    serde_json::to_value(request)
        .ok()
        .is_some_and(|v| v.get("mode").and_then(serde_json::Value::as_str) == Some("before"))
}

/// A stream of the pages of a listing; see the [module docs](self).
#[must_use = "streams do nothing unless polled"]
pub struct Pages<E: Paginated> {
    client: Client,
    request: E,
    in_flight: Option<PageFuture<E::Response>>,
    seen: HashSet<u64>,
    hasher: RandomState,
    pages: u64,
    state: State,
    /// Follow `prev_cursor` (`mode = before`) rather than `next_cursor`.
    backward: bool,
    /// The cursor that fetched the last page yielded.
    page_cursor: Option<String>,
    /// The last page was read (as opposed to ending on an error).
    finished: bool,
}

// The streams never pin their fields: the page future is boxed and the
// request and items are only moved, so they are `Unpin` whatever `E` and the
// item type are.
impl<E: Paginated> Unpin for Pages<E> {}

enum State {
    /// More pages to fetch.
    Running,
    /// The next poll yields this error, then the stream ends.
    Failing(Error),
    /// Ended.
    Done,
}

impl<E: Paginated + Clone + Send + Sync + 'static> Pages<E> {
    /// A stream of the pages of `request`, starting at its own cursor.
    pub fn new(client: &Client, request: E) -> Self {
        let hasher = RandomState::new();
        let mut seen = HashSet::new();
        if let Some(cursor) = request.cursor() {
            seen.insert(hasher.hash_one(cursor));
        }
        let backward = reads_backward(&request);
        Pages {
            client: client.clone(),
            request,
            in_flight: None,
            seen,
            hasher,
            pages: 0,
            state: State::Running,
            backward,
            page_cursor: None,
            finished: false,
        }
    }

    fn start(&mut self) -> PageFuture<E::Response>
    where
        E::Response: Send + 'static,
    {
        let client = self.client.clone();
        let request = self.request.clone();
        Box::pin(async move { send(&client, &request).await })
    }
}

impl<E: Paginated> Pages<E> {
    /// The cursor that fetches the page after the last one yielded (before
    /// it, for `mode = before`); `None` once the last page was read. After an
    /// error it is the cursor of the page that failed. Set it on a new
    /// request to resume at a page boundary.
    pub fn cursor(&self) -> Option<&str> {
        self.request.cursor()
    }

    /// How many pages were yielded.
    pub fn pages_read(&self) -> u64 {
        self.pages
    }

    /// Whether the stream follows `prev_cursor`: the request's `mode` is `before`.
    pub fn is_backward(&self) -> bool {
        self.backward
    }
}

impl<E> Pages<E>
where
    E: Paginated + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    /// The next page: `None` after the last one, or after an error was yielded.
    pub async fn next(&mut self) -> Option<Result<E::Response>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next page, with the error as `Err`: `Ok(None)` after the last one.
    ///
    /// # Errors
    /// The error that ended the listing.
    pub async fn try_next(&mut self) -> Result<Option<E::Response>> {
        self.next().await.transpose()
    }
}

impl<E> Stream for Pages<E>
where
    E: Paginated + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    type Item = Result<E::Response>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match std::mem::replace(&mut this.state, State::Running) {
            State::Running => {}
            State::Failing(error) => {
                this.state = State::Done;
                return Poll::Ready(Some(Err(error)));
            }
            State::Done => {
                this.state = State::Done;
                return Poll::Ready(None);
            }
        }
        let mut fut = match this.in_flight.take() {
            Some(fut) => fut,
            None => this.start(),
        };
        let result = match fut.as_mut().poll(cx) {
            Poll::Ready(result) => result,
            Poll::Pending => {
                this.in_flight = Some(fut);
                return Poll::Pending;
            }
        };
        match result {
            Ok(page) => {
                this.pages += 1;
                this.page_cursor = this.request.cursor().map(str::to_owned);
                let following = if this.backward { page.prev_cursor() } else { page.next_cursor() };
                // DevRev leaves the cursor out of the last page; an empty one
                // would restart the listing if it were sent, so it ends it too.
                match following.filter(|c| !c.is_empty()) {
                    None => {
                        this.request.set_cursor(None);
                        this.finished = true;
                        this.state = State::Done;
                    }
                    Some(next) => {
                        if !this.seen.insert(this.hasher.hash_one(next)) {
                            // The error prints its cursor: not if a server echoed the token in it.
                            let secret = this.client.config.token.expose_secret();
                            let cursor = crate::redact::scrub_str(next, secret).into_owned();
                            this.state =
                                State::Failing(PaginationError::RepeatedCursor { cursor, pages: this.pages }.into());
                        }
                        this.request.set_cursor(Some(next.to_owned()));
                    }
                }
                Poll::Ready(Some(Ok(page)))
            }
            Err(error) => {
                this.state = State::Done;
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

impl<E> FusedStream for Pages<E>
where
    E: Paginated + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

/// Where to resume an item stream exactly: the cursor of the page being read
/// and how many of its items were already yielded. Get it from
/// [`Items::resume_point`], store it anywhere (it is `Serialize`), and hand
/// it to [`Items::resume_from`] on a new stream of the same request.
///
/// If the listing changed in between (items created or deleted on that
/// page), the skip counts the page as it is then: resuming is exact for a
/// listing that did not change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResumePoint {
    /// The cursor that fetches the page to resume in; `None` for the first page.
    pub cursor: Option<String>,
    /// How many items of that page to skip.
    pub skip: usize,
}

impl ResumePoint {
    /// A resume point: fetch the page at `cursor`, skip its first `skip` items.
    pub fn new(cursor: Option<String>, skip: usize) -> Self {
        ResumePoint { cursor, skip }
    }
}

/// A stream of the items of every page of a listing, one at a time.
#[must_use = "streams do nothing unless polled"]
pub struct Items<E: Paginated> {
    pages: Pages<E>,
    buffer: std::vec::IntoIter<<E::Page as Page>::Item>,
    /// Items of the current page already yielded (or skipped).
    taken: usize,
    /// Items still to skip on the first page fetched (a resume).
    skip: usize,
}

impl<E: Paginated> Unpin for Items<E> {}

impl<E: Paginated + Clone + Send + Sync + 'static> Items<E> {
    /// A stream of the items of `request`'s listing, starting at its own cursor.
    pub fn new(client: &Client, request: E) -> Self {
        Items { pages: Pages::new(client, request), buffer: Vec::new().into_iter(), taken: 0, skip: 0 }
    }

    /// This stream's request, restarted at `point`: the page at
    /// `point.cursor`, less its first `point.skip` items. Call it on a fresh
    /// stream, before reading: `request.items(&client).resume_from(saved)`.
    pub fn resume_from(self, point: ResumePoint) -> Self {
        let mut request = self.pages.request;
        request.set_cursor(point.cursor);
        let mut items = Items::new(&self.pages.client, request);
        items.skip = point.skip;
        items
    }
}

impl<E: Paginated> Items<E> {
    /// Where to resume this stream exactly, so that the item after the last
    /// one yielded comes next; `None` once every item was yielded. After an
    /// error, it resumes at the page that failed.
    pub fn resume_point(&self) -> Option<ResumePoint> {
        if self.buffer.len() > 0 {
            // Mid-page: the page's own cursor, less what was yielded of it.
            return Some(ResumePoint { cursor: self.pages.page_cursor.clone(), skip: self.taken });
        }
        if self.pages.finished {
            return None;
        }
        Some(ResumePoint { cursor: self.pages.cursor().map(str::to_owned), skip: self.skip })
    }

    /// The cursor of [`resume_point`](Self::resume_point): mid-page, the
    /// cursor of the page being read, so a new request set to it yields that
    /// page's items again rather than skipping the rest (pair it with
    /// `skip`, or use `resume_point`, to resume exactly); between pages, the
    /// next page's cursor; `None` once every item was yielded.
    pub fn cursor(&self) -> Option<&str> {
        if self.buffer.len() > 0 {
            self.pages.page_cursor.as_deref()
        } else {
            self.pages.cursor()
        }
    }

    /// The items of the current page not yet yielded.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }
}

impl<E> Items<E>
where
    E: Paginated + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    /// The next item: `None` after the last one, or after an error was yielded.
    pub async fn next(&mut self) -> Option<Result<<E::Page as Page>::Item>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next item, with the error as `Err`: `Ok(None)` after the last one.
    ///
    /// # Errors
    /// The error that ended the listing.
    pub async fn try_next(&mut self) -> Result<Option<<E::Page as Page>::Item>> {
        self.next().await.transpose()
    }
}

impl<E> Stream for Items<E>
where
    E: Paginated + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    type Item = Result<<E::Page as Page>::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                this.taken += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => {
                    this.buffer = page.into_items().into_iter();
                    this.taken = 0;
                    let skip = std::mem::take(&mut this.skip).min(this.buffer.len());
                    if skip > 0 {
                        this.buffer.nth(skip - 1);
                        this.taken = skip;
                    }
                }
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl<E> FusedStream for Items<E>
where
    E: Paginated + Clone + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    fn is_terminated(&self) -> bool {
        self.buffer.len() == 0 && self.pages.is_terminated()
    }
}
