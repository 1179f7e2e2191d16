//! Streamed answers: endpoints that answer with server-sent events.
//!
//! DevRev's `recommendations.chat.completions` answers `text/event-stream`:
//! events, each one or more `data:` lines ended by a blank line. An endpoint
//! declared with the attribute's `stream` option gets a `send` that returns
//! an [`EventStream`] once the answer's headers arrive; each event's data is
//! decoded as JSON into the endpoint's response type as it comes, so the
//! first tokens of a long completion are there before the last are written.
//!
//! - The call is made like any other: retries, deadline and pacing apply
//!   until the answer's headers arrive; an error status is a typed
//!   [`Error`] from `send`, as usual.
//! - Then each wait for more bytes is bounded by the client's attempt
//!   timeout ([`TimeoutKind::Attempt`]).
//! - An event whose data does not decode is an [`Error::Decode`] for that
//!   event; the stream goes on with the next one. A data of `[DONE]` ends the
//!   stream, as does the server closing it; a connection that breaks is an
//!   [`Error::Transport`] and ends it.
//! - An event (or a line) larger than the client's body cap is
//!   [`Error::BodyTooLarge`] and ends the stream: memory stays bounded
//!   whatever the server sends. (This bound is why the parser is our own:
//!   the SSE crates buffer a line of any length.)
//! - `event:` names the event (see [`EventStream::last_event_type`]); `id:`,
//!   `retry:` and comments (`:`) are read and ignored.
//! - The server streams only when the request asks for it (DevRev's
//!   `stream: true`); otherwise it answers one `application/json` object.
//!   Any answer that is not `text/event-stream` is read whole (bounded by the
//!   body cap) and yielded as one final event, decoded the same way, so one
//!   typed call serves both forms. An empty body yields no event.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::{
    excerpt, BodyTooLargeError, DecodeError, Error, Result, TimeoutError, TimeoutKind, TransportError, TransportKind,
};
use crate::response::ResponseMeta;
use crate::transport::call_with;

/// Sends `request` and returns the stream of its answer's events, decoded
/// into the endpoint's response type. Generated code calls it for endpoints
/// declared with `stream`.
///
/// # Errors
/// Any [`Error`] of the call, until the answer's headers arrive; the
/// stream's own errors come from the stream.
pub async fn send_stream<E: Endpoint + ?Sized>(client: &Client, request: &E) -> Result<EventStream<E::Response>> {
    let mut raw = call_with(client, request, true).await?;
    let response = raw.stream.take().map(|r| *r);
    let meta = raw.into_meta();
    Ok(EventStream::new(client, response, meta))
}

type Read = (reqwest::Response, std::result::Result<reqwest::Result<Option<Bytes>>, tokio::time::error::Elapsed>);

/// The events of a streamed answer, each decoded into `T`; see the
/// [module docs](self). Implements [`Stream`], and has inherent
/// [`next`](Self::next) and [`try_next`](Self::try_next).
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<T> {
    /// The body, between reads (moved into `reading` while a read is pending).
    response: Option<reqwest::Response>,
    reading: Option<Pin<Box<dyn Future<Output = Read> + Send>>>,
    /// Received bytes not yet split into lines.
    pending: Bytes,
    /// The current line, not yet complete.
    line: Vec<u8>,
    /// A `\r` ended the last line: a `\n` right after it belongs to it.
    after_cr: bool,
    /// The current event's data lines, joined by `\n`.
    data: String,
    has_data: bool,
    event_type: Option<String>,
    last_event_type: Option<String>,
    idle: Duration,
    cap: usize,
    secret: String,
    meta: ResponseMeta,
    done: bool,
    /// The answer is not an event stream (`application/json`): its whole
    /// body, gathered in `data`, is one final event.
    whole_body: bool,
    _event: PhantomData<fn() -> T>,
}

impl<T> Unpin for EventStream<T> {}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.meta.status)
            .field("last_event_type", &self.last_event_type)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// What the bytes received so far gave.
enum Parsed<T> {
    /// An event, decoded or not.
    Event(Result<T>),
    /// `data: [DONE]`, or an error that ends the stream.
    End(Option<Error>),
    /// Nothing complete yet: read more.
    NeedMore,
}

impl<T: DeserializeOwned> EventStream<T> {
    fn new(client: &Client, response: Option<reqwest::Response>, meta: ResponseMeta) -> Self {
        let config = &client.config;
        let whole_body = !is_event_stream(&meta.headers);
        EventStream {
            whole_body,
            done: response.is_none(),
            response,
            reading: None,
            pending: Bytes::new(),
            line: Vec::new(),
            after_cr: false,
            data: String::new(),
            has_data: false,
            event_type: None,
            last_event_type: None,
            idle: config.attempt_timeout,
            cap: config.max_body_bytes,
            secret: config.token.expose_secret().to_owned(),
            meta,
            _event: PhantomData,
        }
    }

    /// The answer's status, headers and attempts.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The `event:` name of the last event yielded, if it had one.
    pub fn last_event_type(&self) -> Option<&str> {
        self.last_event_type.as_deref()
    }

    /// The next event: `None` once the stream ended.
    pub async fn next(&mut self) -> Option<Result<T>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next event, with the error as `Err`: `Ok(None)` once the stream ended.
    ///
    /// # Errors
    /// The event's decode error, or the error that ended the stream.
    pub async fn try_next(&mut self) -> Result<Option<T>> {
        self.next().await.transpose()
    }

    fn too_large(&self) -> Error {
        Error::BodyTooLarge(Box::new(BodyTooLargeError {
            status: self.meta.status,
            limit: self.cap,
            attempts: self.meta.attempts,
        }))
    }

    /// Splits what was received into lines and lines into events, until an
    /// event is complete or the bytes run out. A whole-body answer only
    /// gathers its bytes (see [`finish`](Self::finish)).
    fn parse(&mut self) -> Parsed<T> {
        if self.whole_body {
            if self.line.len() + self.pending.len() > self.cap {
                return Parsed::End(Some(self.too_large()));
            }
            self.line.extend_from_slice(&self.pending);
            self.pending = Bytes::new();
            return Parsed::NeedMore;
        }
        loop {
            if self.pending.is_empty() {
                return Parsed::NeedMore;
            }
            if std::mem::take(&mut self.after_cr) && self.pending[0] == b'\n' {
                self.pending = self.pending.slice(1..);
                continue;
            }
            let Some(end) = self.pending.iter().position(|&b| b == b'\n' || b == b'\r') else {
                if self.line.len() + self.pending.len() > self.cap {
                    return Parsed::End(Some(self.too_large()));
                }
                self.line.extend_from_slice(&self.pending);
                self.pending = Bytes::new();
                return Parsed::NeedMore;
            };
            if self.line.len() + end > self.cap {
                return Parsed::End(Some(self.too_large()));
            }
            self.line.extend_from_slice(&self.pending[..end]);
            self.after_cr = self.pending[end] == b'\r';
            self.pending = self.pending.slice(end + 1..);
            let line = std::mem::take(&mut self.line);
            if let Some(parsed) = self.field(&line) {
                return parsed;
            }
        }
    }

    /// One line of the event stream; `Some` when it completes an event.
    fn field(&mut self, line: &[u8]) -> Option<Parsed<T>> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None; // a comment (a keep-alive)
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(at) => {
                let value = &line[at + 1..];
                (&line[..at], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&String::from_utf8_lossy(value));
                self.has_data = true;
                if self.data.len() > self.cap {
                    return Some(Parsed::End(Some(self.too_large())));
                }
            }
            b"event" => self.event_type = Some(String::from_utf8_lossy(value).into_owned()),
            _ => {} // `id`, `retry`, and fields the format does not define
        }
        None
    }

    /// A blank line: the event read so far, if it had data.
    fn dispatch(&mut self) -> Option<Parsed<T>> {
        let event_type = self.event_type.take();
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        let data = std::mem::take(&mut self.data);
        self.last_event_type = event_type;
        if data == "[DONE]" {
            return Some(Parsed::End(None));
        }
        Some(Parsed::Event(self.decode(&data)))
    }

    /// The end of a whole-body answer: its body as the one final event
    /// (none for an empty body).
    fn finish(&mut self) -> Option<Result<T>> {
        let body = std::mem::take(&mut self.line);
        if body.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(self.decode(&String::from_utf8_lossy(&body)))
    }

    /// One event's data, decoded; a decode error names the path and quotes
    /// the data (the token scrubbed).
    fn decode(&self, data: &str) -> Result<T> {
        serde_json::from_str(data).map_err(|e| {
            let scrubbed = crate::redact::scrub_str(data, &self.secret).into_owned();
            let path = crate::json_path::path_at(data.as_bytes(), e.line(), e.column());
            Error::Decode(Box::new(DecodeError {
                message: e.to_string(),
                path,
                excerpt: excerpt(scrubbed.as_bytes()),
                meta: self.meta.clone(),
            }))
            .scrub(&self.secret)
        })
    }

    fn read(&mut self) -> Option<Pin<Box<dyn Future<Output = Read> + Send>>> {
        let mut response = self.response.take()?;
        let idle = self.idle;
        Some(Box::pin(async move {
            let chunk = tokio::time::timeout(idle, response.chunk()).await;
            (response, chunk)
        }))
    }
}

/// Whether an answer's `Content-Type` is `text/event-stream` (parameters
/// and case aside).
fn is_event_stream(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/event-stream"))
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.parse() {
                Parsed::Event(event) => return Poll::Ready(Some(event)),
                Parsed::End(error) => {
                    this.done = true;
                    return Poll::Ready(error.map(Err));
                }
                Parsed::NeedMore => {}
            }
            if this.reading.is_none() {
                this.reading = this.read();
            }
            let Some(reading) = this.reading.as_mut() else {
                this.done = true;
                return Poll::Ready(None);
            };
            let (response, chunk) = std::task::ready!(reading.as_mut().poll(cx));
            this.reading = None;
            this.response = Some(response);
            match chunk {
                Ok(Ok(Some(bytes))) => this.pending = bytes,
                // The server closed the stream; an event left without its
                // blank line is dropped, as the format says. A whole-body
                // answer is complete: it is the one final event.
                Ok(Ok(None)) => {
                    this.done = true;
                    if this.whole_body {
                        return Poll::Ready(this.finish());
                    }
                }
                Ok(Err(e)) => {
                    this.done = true;
                    let message = format!("the event stream broke: {e}");
                    let (kind, attempts) = (TransportKind::Connection, this.meta.attempts);
                    let error = TransportError { kind, message, sent: true, attempts, source: Some(e) };
                    return Poll::Ready(Some(Err(Error::Transport(Box::new(error)).scrub(&this.secret))));
                }
                Err(_elapsed) => {
                    this.done = true;
                    let error = TimeoutError {
                        kind: TimeoutKind::Attempt,
                        limit: this.idle,
                        attempts: this.meta.attempts,
                        sent: true,
                    };
                    return Poll::Ready(Some(Err(Error::Timeout(Box::new(error)))));
                }
            }
        }
    }
}

impl<T: DeserializeOwned> futures_core::FusedStream for EventStream<T> {
    fn is_terminated(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Event {
        n: u32,
    }

    /// A stream with no body, fed by hand.
    fn stream(cap: usize) -> EventStream<Event> {
        stream_of(cap, "text/event-stream")
    }

    /// A stream with no body whose answer was of `content_type`.
    fn stream_of(cap: usize, content_type: &'static str) -> EventStream<Event> {
        let client = Client::builder().token("t").max_body_bytes(cap).build().unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_static(content_type));
        EventStream::new(&client, None, ResponseMeta::new(200, headers, 1))
    }

    /// Feeds `chunks` one by one; what each parse gave, as text.
    fn feed(cap: usize, chunks: &[Vec<u8>]) -> Vec<String> {
        let mut s = stream(cap);
        let mut out = Vec::new();
        for chunk in chunks {
            s.pending = Bytes::copy_from_slice(chunk);
            loop {
                match s.parse() {
                    Parsed::Event(Ok(e)) => out.push(format!("event {}", e.n)),
                    Parsed::Event(Err(e)) => out.push(format!("error {}", matches!(e, Error::Decode(_)))),
                    Parsed::End(None) => return out,
                    Parsed::End(Some(_)) => {
                        out.push("end with error".into());
                        return out;
                    }
                    Parsed::NeedMore => break,
                }
            }
        }
        out
    }

    /// `bytes` cut at `cuts` (positions, any order, out of range ignored).
    fn split(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut at: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        at.sort_unstable();
        at.dedup();
        let mut out = Vec::new();
        let mut from = 0;
        for to in at.into_iter().chain([bytes.len()]) {
            out.push(bytes[from..to].to_vec());
            from = to;
        }
        out
    }

    proptest! {
        #[test]
        fn any_bytes_in_any_chunks_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), cuts in proptest::collection::vec(any::<usize>(), 0..8), cap in 1usize..256) {
            let _ = feed(cap, &split(&bytes, &cuts));
        }

        #[test]
        fn where_the_chunks_are_cut_does_not_matter(ns in proptest::collection::vec(any::<u32>(), 1..8), cuts in proptest::collection::vec(any::<usize>(), 0..12), crlf in any::<bool>()) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let text: String = ns.iter().map(|n| format!(": ping{eol}event: e{eol}data: {{\"n\":{eol}data: {n}}}{eol}{eol}")).collect();
            let whole = feed(1 << 20, &[text.clone().into_bytes()]);
            prop_assert_eq!(whole.clone(), ns.iter().map(|n| format!("event {n}")).collect::<Vec<_>>());
            prop_assert_eq!(feed(1 << 20, &split(text.as_bytes(), &cuts)), whole);
        }
    }

    #[test]
    fn only_text_event_stream_is_parsed_as_events() {
        for content_type in ["text/event-stream", "Text/Event-Stream; charset=utf-8"] {
            assert!(!stream_of(64, content_type).whole_body, "{content_type}");
        }
        for content_type in ["application/json", "application/json; charset=utf-8", "text/plain"] {
            assert!(stream_of(64, content_type).whole_body, "{content_type}");
        }
    }

    #[test]
    fn a_whole_body_is_one_event_and_bounded() {
        let mut s = stream_of(64, "application/json");
        for part in [&b"{\"n\""[..], b": 7}"] {
            s.pending = Bytes::copy_from_slice(part);
            assert!(matches!(s.parse(), Parsed::NeedMore));
        }
        assert_eq!(s.finish().unwrap().unwrap(), Event { n: 7 });
        assert!(s.finish().is_none(), "an empty body is no event");
        let mut s = stream_of(8, "application/json");
        s.pending = Bytes::from_static(b"{\"n\": 1234567}");
        assert!(matches!(s.parse(), Parsed::End(Some(Error::BodyTooLarge(_)))));
    }

    #[test]
    fn a_line_past_the_cap_ends_the_stream() {
        assert_eq!(feed(16, &[b"data: {\"n\":1}\n\n".to_vec(), vec![b'x'; 40]]), ["event 1", "end with error"]);
        assert_eq!(feed(16, &[b"data: 1234567890\ndata: 1234567890\n\n".to_vec()]), ["end with error"]);
    }
}
