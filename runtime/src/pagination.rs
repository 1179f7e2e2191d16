//! Cursor pagination: streams of pages and of items for list endpoints.
//!
//! DevRev lists are cursor-paged: a request takes `cursor` (and `limit`,
//! `mode`), an answer carries `next_cursor`, absent on the last page. A list
//! response implements [`Page`] (derive it with `#[derive(devrev::Page)]`), a
//! list request implements [`Paginated`] (the attribute's `paginate` option),
//! and then [`Pages`] and [`Items`] follow the cursor:
//!
//! - the first request carries the caller's own cursor, if set, so a listing
//!   can resume where an earlier one stopped ([`Pages::cursor`]);
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

use futures_core::Stream;

use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::{Error, PaginationError, Result};
use crate::transport::send;

/// A page of a cursor-paged listing.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a page of results, so its request cannot use `paginate`",
    label = "this response type does not implement `devrev::Page`",
    note = "add `#[derive(devrev::Page)]` to `{Self}`: it needs a `next_cursor: Option<String>` field and a `Vec` of items"
)]
pub trait Page {
    /// One item of the listing.
    type Item;
    /// The cursor of the next page; `None` on the last page.
    fn next_cursor(&self) -> Option<&str>;
    /// The page's items.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A list request whose cursor can be set, implemented by the attribute's
/// `paginate` option (it needs a `cursor: Option<String>` field).
pub trait Paginated: Endpoint<Response: Page> {
    /// The cursor the request carries.
    fn cursor(&self) -> Option<&str>;
    /// Sets the cursor the request carries.
    fn set_cursor(&mut self, cursor: Option<String>);
}

type PageFuture<R> = Pin<Box<dyn Future<Output = Result<R>> + Send>>;

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
}

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
        Pages { client: client.clone(), request, in_flight: None, seen, hasher, pages: 0, state: State::Running }
    }

    /// The cursor that fetches the page after the last one yielded; `None`
    /// once the last page was read. Set it on a new request to resume.
    pub fn cursor(&self) -> Option<&str> {
        self.request.cursor()
    }

    /// How many pages were yielded.
    pub fn pages_read(&self) -> u64 {
        self.pages
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

impl<E> Pages<E>
where
    E: Paginated + Clone + Send + Sync + Unpin + 'static,
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
    E: Paginated + Clone + Send + Sync + Unpin + 'static,
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
                match page.next_cursor() {
                    None => {
                        this.request.set_cursor(None);
                        this.state = State::Done;
                    }
                    Some(next) => {
                        if !this.seen.insert(this.hasher.hash_one(next)) {
                            this.state = State::Failing(
                                PaginationError::RepeatedCursor { cursor: next.to_owned(), pages: this.pages }.into(),
                            );
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

/// A stream of the items of every page of a listing, one at a time.
#[must_use = "streams do nothing unless polled"]
pub struct Items<E: Paginated> {
    pages: Pages<E>,
    buffer: std::vec::IntoIter<<E::Response as Page>::Item>,
}

impl<E: Paginated + Clone + Send + Sync + 'static> Items<E> {
    /// A stream of the items of `request`'s listing, starting at its own cursor.
    pub fn new(client: &Client, request: E) -> Self {
        Items { pages: Pages::new(client, request), buffer: Vec::new().into_iter() }
    }

    /// The cursor that fetches the page after the one whose items are being
    /// yielded; see [`Pages::cursor`].
    pub fn cursor(&self) -> Option<&str> {
        self.pages.cursor()
    }

    /// The items of the current page not yet yielded.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }
}

impl<E> Items<E>
where
    E: Paginated + Clone + Send + Sync + Unpin + 'static,
    E::Response: Send + 'static,
    <E::Response as Page>::Item: Unpin,
{
    /// The next item: `None` after the last one, or after an error was yielded.
    pub async fn next(&mut self) -> Option<Result<<E::Response as Page>::Item>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next item, with the error as `Err`: `Ok(None)` after the last one.
    ///
    /// # Errors
    /// The error that ended the listing.
    pub async fn try_next(&mut self) -> Result<Option<<E::Response as Page>::Item>> {
        self.next().await.transpose()
    }
}

impl<E> Stream for Items<E>
where
    E: Paginated + Clone + Send + Sync + Unpin + 'static,
    E::Response: Send + 'static,
    <E::Response as Page>::Item: Unpin,
{
    type Item = Result<<E::Response as Page>::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffer = page.into_items().into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}
