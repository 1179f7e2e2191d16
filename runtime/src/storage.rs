//! Storage transfers: files to and from the URLs an API hands out for them
//! (DevRev's `artifacts.prepare` and `artifacts.locate`), streamed both ways.
//!
//! Such a URL belongs to a storage service (an S3 bucket behind a POST
//! policy, a signed download link), not to DevRev's API. What is decided here:
//!
//! - **No DevRev token.** Transfers go through a second HTTP client with no
//!   `Authorization` header (built on first use, sharing nothing with the API
//!   client but its connect timeout and user agent): the token never reaches
//!   a storage host. Only `https` URLs are used, and plain `http` for
//!   loopback hosts (a local test server); anything else is refused before
//!   sending, as [`Error::Storage`] without a status.
//! - **Nothing printed that signs.** Errors and `Debug` name a URL's scheme
//!   and host only; its path and query, and the form's field values (the
//!   policy and its signature), are never printed.
//! - **Streamed, bounded memory.** An upload reads its [`UploadSource`] a
//!   chunk at a time ([`CHUNK_BYTES`] for a file) as the connection takes
//!   it; a [`Download`] yields the body as it arrives. Neither holds the file.
//! - **The form's order.** [`UploadForm`] sends its fields in the order they
//!   were added and the file last, which an S3 POST policy requires.
//! - **Typed errors.** An error status is [`Error::Storage`] with the status
//!   and S3's `Code` and `Message` when the body is an S3 error document
//!   (`AccessDenied` on a 403); connection failures are [`Error::Transport`],
//!   without the URL.
//! - **Retries only where safe,** with the client's [`RetryPolicy`](crate::RetryPolicy)
//!   and waits: a connection that could not be opened, 408 and 429 always;
//!   500, 502, 503, 504 and connections lost after sending only when the
//!   source can be sent again: bytes and files can (a second POST to the same
//!   policy writes the same object), a stream can only if the failed attempt
//!   never read from it. A download is retried like an idempotent call until
//!   its body starts; a body that breaks midway is an error, not a restart.
//!   A 3xx is never followed (a download's is an error; an upload's counts as
//!   success only when the form asked for one with `success_action_redirect`).
//! - **Time limits.** The connect timeout applies; a download waits at most
//!   the attempt timeout for each chunk. An upload has no total limit (a
//!   large file may take long): wrap it in `tokio::time::timeout` to bound it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::BytesMut;

/// The chunks uploads take and downloads yield (the `bytes` crate's).
pub use bytes::Bytes;
use futures_core::Stream;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use tracing::Instrument;

use crate::client::{Client, USER_AGENT_PREFIX};
use crate::error::{excerpt, ConfigError, Error, Result, StorageError, TimeoutError, TimeoutKind, Transfer};
use crate::response::ResponseMeta;
use crate::retry::{is_retryable, retry_after_header, Failure};
use crate::transport::transport_failure;

/// How many bytes a file source reads at a time: what an upload holds of it.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// How much of an error answer's body is read to find its code and message.
const ERROR_BODY_BYTES: usize = 16 * 1024;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ByteStream = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, BoxError>> + Send>>;

/// What an upload sends: bytes in memory, a file read as it is sent, or a
/// stream of chunks.
///
/// Bytes and files can be sent again, so a failed upload of one is retried
/// where the retry rule allows (see the [module docs](self)); a stream is
/// retried only if the failed attempt never read from it.
///
/// ```
/// use devrev_runtime::storage::UploadSource;
///
/// let in_memory = UploadSource::from(b"hello".to_vec());
/// let file = UploadSource::file("report.pdf");
/// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("a")), Ok("b".into())]);
/// let streamed = UploadSource::stream(chunks).with_length(2);
/// # let _ = (in_memory, file, streamed);
/// ```
pub struct UploadSource {
    kind: SourceKind,
    length: Option<u64>,
}

enum SourceKind {
    Bytes(Bytes),
    File(PathBuf),
    Stream(Arc<Mutex<Slot>>),
}

/// A stream being sent, shared by the request body and the retry loop: the
/// loop resends it only if `started` is still false after a failure.
struct Slot {
    stream: ByteStream,
    started: bool,
}

impl UploadSource {
    /// Bytes already in memory (sent without a copy).
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        UploadSource { length: Some(bytes.len() as u64), kind: SourceKind::Bytes(bytes) }
    }

    /// A file, opened and measured when the upload starts and read
    /// [`CHUNK_BYTES`] at a time as the connection takes it.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        UploadSource { kind: SourceKind::File(path.into()), length: None }
    }

    /// A stream of chunks, read as the connection takes them. Without
    /// [`with_length`](Self::with_length) the file part has no length and
    /// the request is sent chunked, which some storage services refuse (S3
    /// POST wants a `Content-Length`): give the length when it is known.
    pub fn stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = std::result::Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        let stream = MapStream { inner: Box::pin(stream) };
        UploadSource {
            kind: SourceKind::Stream(Arc::new(Mutex::new(Slot { stream: Box::pin(stream), started: false }))),
            length: None,
        }
    }

    /// The number of bytes a stream yields, so the request carries a
    /// `Content-Length`. A stream that yields more or fewer fails the upload.
    /// No effect on bytes and files, whose length is known.
    #[must_use]
    pub fn with_length(mut self, length: u64) -> Self {
        if let SourceKind::Stream(_) = self.kind {
            self.length = Some(length);
        }
        self
    }

    /// Whether a failed upload of this source can be sent again whatever
    /// happened (bytes and files); a stream only while nothing was read from it.
    pub fn is_replayable(&self) -> bool {
        match &self.kind {
            SourceKind::Bytes(_) | SourceKind::File(_) => true,
            SourceKind::Stream(slot) => !slot.lock().unwrap_or_else(|e| e.into_inner()).started,
        }
    }

    /// The file part of one attempt.
    async fn part(&self, origin: &str) -> Result<Part> {
        Ok(match &self.kind {
            SourceKind::Bytes(bytes) => {
                Part::stream_with_length(reqwest::Body::from(bytes.clone()), bytes.len() as u64)
            }
            SourceKind::File(path) => {
                let (file, length) = open(path).await.map_err(|e| {
                    refused(Transfer::Upload, origin, format!("the file {} could not be read: {e}", path.display()))
                })?;
                let slot = Slot { stream: Box::pin(FileStream { file, buf: BytesMut::new() }), started: false };
                Part::stream_with_length(reqwest::Body::wrap(SlotBody(Arc::new(Mutex::new(slot)))), length)
            }
            SourceKind::Stream(slot) => {
                let body = reqwest::Body::wrap(SlotBody(Arc::clone(slot)));
                match self.length {
                    Some(length) => Part::stream_with_length(body, length),
                    None => Part::stream(body),
                }
            }
        })
    }
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UploadSource");
        match &self.kind {
            SourceKind::Bytes(b) => d.field("bytes", &b.len()),
            SourceKind::File(p) => d.field("file", p),
            SourceKind::Stream(_) => d.field("stream", &self.length),
        };
        d.finish()
    }
}

impl From<Bytes> for UploadSource {
    fn from(bytes: Bytes) -> Self {
        UploadSource::bytes(bytes)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(bytes: Vec<u8>) -> Self {
        UploadSource::bytes(bytes)
    }
}

impl From<&'static [u8]> for UploadSource {
    fn from(bytes: &'static [u8]) -> Self {
        UploadSource::bytes(bytes)
    }
}

impl From<String> for UploadSource {
    fn from(text: String) -> Self {
        UploadSource::bytes(text)
    }
}

async fn open(path: &Path) -> std::io::Result<(tokio::fs::File, u64)> {
    let file = tokio::fs::File::open(path).await?;
    let length = file.metadata().await?.len();
    Ok((file, length))
}

/// A user's stream with its chunks and errors made uniform.
struct MapStream<S> {
    inner: Pin<Box<S>>,
}

impl<S, B, E> Stream for MapStream<S>
where
    S: Stream<Item = std::result::Result<B, E>>,
    B: Into<Bytes>,
    E: Into<BoxError>,
{
    type Item = std::result::Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx).map(|item| item.map(|r| r.map(Into::into).map_err(Into::into)))
    }
}

/// A file read [`CHUNK_BYTES`] at a time.
struct FileStream {
    file: tokio::fs::File,
    buf: BytesMut,
}

impl Stream for FileStream {
    type Item = std::result::Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.buf.capacity() < CHUNK_BYTES {
            this.buf.reserve(CHUNK_BYTES);
        }
        match tokio_util_poll_read_buf(Pin::new(&mut this.file), cx, &mut this.buf) {
            Poll::Ready(Ok(0)) => Poll::Ready(None),
            Poll::Ready(Ok(_)) => Poll::Ready(Some(Ok(this.buf.split().freeze()))),
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e.into()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Reads into the spare capacity of `buf` (what `tokio_util::io::poll_read_buf`
/// does, without the dependency).
fn tokio_util_poll_read_buf(
    reader: Pin<&mut tokio::fs::File>,
    cx: &mut Context<'_>,
    buf: &mut BytesMut,
) -> Poll<std::io::Result<usize>> {
    use tokio::io::AsyncRead;
    let spare = buf.capacity() - buf.len();
    let start = buf.len();
    buf.resize(start + spare, 0);
    let mut read_buf = tokio::io::ReadBuf::new(&mut buf[start..]);
    let result = reader.poll_read(cx, &mut read_buf);
    let filled = read_buf.filled().len();
    buf.truncate(start + filled);
    match result {
        Poll::Ready(Ok(())) => Poll::Ready(Ok(filled)),
        Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        Poll::Pending => Poll::Pending,
    }
}

/// The request body over a [`Slot`]: marks the slot started on the first
/// read. The mutex makes it `Sync` for reqwest; it is never contended.
struct SlotBody(Arc<Mutex<Slot>>);

impl http_body::Body for SlotBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, BoxError>>> {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slot.started = true;
        slot.stream.as_mut().poll_next(cx).map(|item| item.map(|r| r.map(http_body::Frame::data)))
    }
}

/// A multipart/form-data upload to a storage URL: the fields in the order
/// they were added, then the file as the last part (what an S3 POST policy
/// requires). Its `Debug` shows the URL's host and the field names only.
#[derive(Clone)]
pub struct UploadForm {
    url: String,
    fields: Vec<(String, String)>,
    file_field: String,
    file_name: String,
    content_type: Option<String>,
}

impl UploadForm {
    /// A form for `url`, whose file part is named `file_name`.
    pub fn new(url: impl Into<String>, file_name: impl Into<String>) -> Self {
        UploadForm {
            url: url.into(),
            fields: Vec::new(),
            file_field: "file".to_owned(),
            file_name: file_name.into(),
            content_type: None,
        }
    }

    /// Adds a text field after the ones already added.
    #[must_use]
    pub fn field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((key.into(), value.into()));
        self
    }

    /// The name of the file's field; `file` by default (S3's).
    #[must_use]
    pub fn file_field(mut self, name: impl Into<String>) -> Self {
        self.file_field = name.into();
        self
    }

    /// The file part's `Content-Type`; `application/octet-stream` by default.
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The field names, in the order they are sent (the file's is last).
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(k, _)| k.as_str()).chain(std::iter::once(self.file_field.as_str()))
    }

    fn redirects_on_success(&self) -> bool {
        self.fields.iter().any(|(k, _)| k.eq_ignore_ascii_case("success_action_redirect") || k == "redirect")
    }

    fn build(&self, file: Part) -> Result<Form> {
        let mut form = Form::new();
        for (key, value) in &self.fields {
            form = form.text(key.clone(), value.clone());
        }
        let content_type = self.content_type.as_deref().unwrap_or("application/octet-stream");
        let file = file.file_name(self.file_name.clone()).mime_str(content_type).map_err(|_| {
            refused(Transfer::Upload, &origin(&self.url), format!("invalid content type {content_type:?}"))
        })?;
        Ok(form.part(self.file_field.clone(), file))
    }
}

impl fmt::Debug for UploadForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadForm")
            .field("origin", &origin(&self.url))
            .field("fields", &self.fields.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("file_field", &self.file_field)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

/// A download: the body as a stream of chunks, read as they arrive.
///
/// Read it with [`next_chunk`](Self::next_chunk), as a
/// [`Stream`] of `Result<Bytes>`, or as a
/// [`tokio::io::AsyncRead`] (`tokio::io::copy(&mut download, &mut file)`).
/// Each chunk waits at most the client's attempt timeout; a connection that
/// breaks midway ends the stream with an error.
pub struct Download {
    meta: ResponseMeta,
    response: Option<reqwest::Response>,
    reading: Option<Pin<Box<dyn std::future::Future<Output = Read> + Send>>>,
    idle: Duration,
    leftover: Bytes,
    done: bool,
}

type Read = (reqwest::Response, std::result::Result<reqwest::Result<Option<Bytes>>, tokio::time::error::Elapsed>);

impl Download {
    /// Status, headers and attempts of the answer.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The body's length, when the server sent `Content-Length`.
    pub fn content_length(&self) -> Option<u64> {
        self.meta.headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
    }

    /// The body's `Content-Type`, when the server sent one.
    pub fn content_type(&self) -> Option<&str> {
        self.meta.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// The next chunk of the body; `None` at its end.
    ///
    /// # Errors
    /// [`Error::Transport`] when the connection breaks, [`Error::Timeout`]
    /// when no chunk comes within the attempt timeout.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await.transpose()
    }

    fn read(&mut self) -> Option<Pin<Box<dyn std::future::Future<Output = Read> + Send>>> {
        let mut response = self.response.take()?;
        let idle = self.idle;
        Some(Box::pin(async move {
            let chunk = tokio::time::timeout(idle, response.chunk()).await;
            (response, chunk)
        }))
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download").field("meta", &self.meta).field("done", &self.done).finish_non_exhaustive()
    }
}

impl Stream for Download {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if !this.leftover.is_empty() {
            return Poll::Ready(Some(Ok(std::mem::take(&mut this.leftover))));
        }
        loop {
            if this.done {
                return Poll::Ready(None);
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
                Ok(Ok(Some(bytes))) if bytes.is_empty() => continue,
                Ok(Ok(Some(bytes))) => return Poll::Ready(Some(Ok(bytes))),
                Ok(Ok(None)) => {
                    this.done = true;
                    this.response = None;
                    return Poll::Ready(None);
                }
                Ok(Err(e)) => {
                    this.done = true;
                    let (_, error) = transport_failure(e.without_url(), true, this.meta.attempts);
                    return Poll::Ready(Some(Err(error)));
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

impl tokio::io::AsyncRead for Download {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.leftover.is_empty() {
            match std::task::ready!(Pin::new(&mut *this).poll_next(cx)) {
                Some(Ok(bytes)) => this.leftover = bytes,
                Some(Err(e)) => return Poll::Ready(Err(std::io::Error::other(e))),
                None => return Poll::Ready(Ok(())),
            }
        }
        let n = this.leftover.len().min(buf.remaining());
        buf.put_slice(&this.leftover.split_to(n));
        Poll::Ready(Ok(()))
    }
}

impl Client {
    /// Uploads `source` to a storage URL with `form`: a multipart POST of the
    /// form's fields in order and the file last, streamed, without the
    /// DevRev token. Returns the storage service's answer (status, headers
    /// such as `ETag` or `Location`).
    ///
    /// For DevRev's artifacts, `devrev::artifacts::ArtifactsExt::upload_artifact`
    /// runs `artifacts.prepare` and this in one call.
    ///
    /// # Errors
    /// [`Error::Storage`] for an error status (with S3's code and message) or
    /// a refused URL or unreadable file; [`Error::Transport`] when the
    /// connection fails. Retries follow the [module docs](self).
    pub async fn upload_to_storage(&self, form: &UploadForm, source: UploadSource) -> Result<ResponseMeta> {
        let origin = check_url(Transfer::Upload, &form.url)?;
        let http = self.storage_http()?;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let multipart = form.build(source.part(&origin).await?)?;
            let span = tracing::debug_span!("devrev.storage", transfer = "upload", attempt);
            let sent = http.post(&form.url).multipart(multipart).send().instrument(span).await;
            let (failure, error, wait) = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let success =
                        (200..300).contains(&status) || ((300..400).contains(&status) && form.redirects_on_success());
                    if success {
                        let headers = response.headers().clone();
                        // Drain a short answer so the connection can be reused.
                        let _ = read_capped(response, ERROR_BODY_BYTES).await;
                        return Ok(ResponseMeta::new(status, headers, attempt));
                    }
                    let wait = retry_after_header(response.headers());
                    let error = status_error(Transfer::Upload, &origin, response, attempt).await;
                    (Failure::Status(status), error, wait)
                }
                Err(e) => {
                    let sent = !e.is_connect();
                    let (failure, error) = transport_failure(e.without_url(), sent, attempt);
                    (failure, error, None)
                }
            };
            if attempt >= self.config.retry.attempts() || !is_retryable(failure, source.is_replayable()) {
                return Err(error);
            }
            let wait = wait.unwrap_or_else(|| self.config.retry.backoff(attempt));
            if wait > self.config.deadline {
                return Err(error);
            }
            tracing::debug!(error = %error, wait_ms = wait.as_millis() as u64, "storage upload: retrying");
            self.config.sleeper.sleep(wait).await;
        }
    }

    /// Downloads from a storage URL (such as the one `artifacts.locate`
    /// answers), without the DevRev token, and returns the body as a
    /// [`Download`] stream, read as it arrives.
    ///
    /// # Errors
    /// [`Error::Storage`] for an error status or a refused URL,
    /// [`Error::Transport`] or [`Error::Timeout`] when the connection fails.
    /// Retried like an idempotent call until the body starts.
    pub async fn download_from_storage(&self, url: &str) -> Result<Download> {
        let origin = check_url(Transfer::Download, url)?;
        let http = self.storage_http()?;
        let idle = self.config.attempt_timeout;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let span = tracing::debug_span!("devrev.storage", transfer = "download", attempt);
            let sent = tokio::time::timeout(idle, http.get(url).send()).instrument(span).await;
            let (failure, error, wait) = match sent {
                Ok(Ok(response)) if response.status().is_success() => {
                    let status = response.status().as_u16();
                    let meta = ResponseMeta::new(status, response.headers().clone(), attempt);
                    return Ok(Download {
                        meta,
                        response: Some(response),
                        reading: None,
                        idle,
                        leftover: Bytes::new(),
                        done: false,
                    });
                }
                Ok(Ok(response)) => {
                    let status = response.status().as_u16();
                    let wait = retry_after_header(response.headers());
                    (Failure::Status(status), status_error(Transfer::Download, &origin, response, attempt).await, wait)
                }
                Ok(Err(e)) => {
                    let sent = !e.is_connect();
                    let (failure, error) = transport_failure(e.without_url(), sent, attempt);
                    (failure, error, None)
                }
                Err(_elapsed) => {
                    let error = TimeoutError { kind: TimeoutKind::Attempt, limit: idle, attempts: attempt, sent: true };
                    (Failure::MaybeSent, Error::Timeout(Box::new(error)), None)
                }
            };
            if attempt >= self.config.retry.attempts() || !is_retryable(failure, true) {
                return Err(error);
            }
            let wait = wait.unwrap_or_else(|| self.config.retry.backoff(attempt));
            if wait > self.config.deadline {
                return Err(error);
            }
            tracing::debug!(error = %error, wait_ms = wait.as_millis() as u64, "storage download: retrying");
            self.config.sleeper.sleep(wait).await;
        }
    }

    /// The HTTP client for storage URLs: no default `Authorization` header
    /// (the API client has one), built on first use and shared by clones.
    fn storage_http(&self) -> Result<reqwest::Client> {
        if let Some(http) = self.config.storage_http.get() {
            return Ok(http.clone());
        }
        let mut http = reqwest::Client::builder()
            .user_agent(USER_AGENT_PREFIX)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.config.connect_timeout)
            .use_rustls_tls();
        for certificate in &self.config.root_certificates {
            http = http.add_root_certificate(certificate.clone());
        }
        let http = http.build().map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(self.config.storage_http.get_or_init(|| http).clone())
    }
}

/// A URL's scheme and host (and port), for messages: never its path or query.
fn origin(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => "<an invalid URL>".to_owned(),
    }
}

/// Checks a storage URL before anything is sent; returns its origin.
fn check_url(transfer: Transfer, raw: &str) -> Result<String> {
    let url =
        url::Url::parse(raw).map_err(|e| refused(transfer, "<an invalid URL>", format!("it does not parse: {e}")))?;
    let origin = url.origin().ascii_serialization();
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(refused(transfer, &origin, "plain http is used only for loopback hosts".to_owned())),
        other => return Err(refused(transfer, &origin, format!("unsupported scheme `{other}`"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused(transfer, &origin, "it carries credentials before the host".to_owned()));
    }
    Ok(origin)
}

fn refused(transfer: Transfer, origin: &str, reason: String) -> Error {
    Error::Storage(Box::new(StorageError {
        transfer,
        origin: origin.to_owned(),
        status: None,
        code: None,
        message: Some(reason),
        excerpt: None,
        retry_after: None,
        attempts: 0,
    }))
}

/// The typed error for an error answer: S3's `Code` and `Message` when the
/// body is an S3 error document, else a bounded excerpt.
async fn status_error(transfer: Transfer, origin: &str, response: reqwest::Response, attempts: u32) -> Error {
    let status = response.status().as_u16();
    let retry_after = retry_after_header(response.headers());
    let body = read_capped(response, ERROR_BODY_BYTES).await;
    let text = String::from_utf8_lossy(&body);
    let code = xml_element(&text, "Code");
    let message = xml_element(&text, "Message");
    let excerpt = if code.is_none() { Some(excerpt(&body)) } else { None };
    Error::Storage(Box::new(StorageError {
        transfer,
        origin: origin.to_owned(),
        status: Some(status),
        code,
        message,
        excerpt,
        retry_after,
        attempts,
    }))
}

/// The text of the first `<name>...</name>` element, bounded.
fn xml_element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&format!("</{name}>"))?;
    let value = text[start..end].trim();
    (!value.is_empty()).then(|| excerpt(value.as_bytes()))
}

/// Up to `cap` bytes of a body; the rest is not read.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Bytes {
    let mut body = BytesMut::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= cap {
            break;
        }
    }
    body.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_shown_without_path_or_query() {
        assert_eq!(
            check_url(Transfer::Upload, "https://b.s3.amazonaws.com/k?X-Amz-Signature=s").unwrap(),
            "https://b.s3.amazonaws.com"
        );
        assert_eq!(check_url(Transfer::Download, "http://127.0.0.1:9/x").unwrap(), "http://127.0.0.1:9");
        for bad in ["http://example.com/x", "ftp://h/x", "not a url", "https://u:p@h/x"] {
            let err = check_url(Transfer::Upload, bad).unwrap_err();
            assert_eq!(err.status(), None);
            assert!(err.storage().is_some(), "{bad}");
            assert!(!err.to_string().contains("u:p"), "{err}");
        }
        let form = UploadForm::new("https://h/path?sig=secret", "a.txt").field("policy", "secret-policy");
        let debug = format!("{form:?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert_eq!(form.field_names().collect::<Vec<_>>(), ["policy", "file"]);
    }

    #[test]
    fn s3_error_documents_are_read() {
        let body = "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Invalid according to Policy</Message></Error>";
        assert_eq!(xml_element(body, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_element(body, "Message").as_deref(), Some("Invalid according to Policy"));
        assert_eq!(xml_element("<html>", "Code"), None);
        assert_eq!(xml_element("<Code></Code>", "Code"), None);
    }

    #[test]
    fn only_streams_lose_replayability_once_read() {
        assert!(UploadSource::from(vec![1, 2]).is_replayable());
        assert!(UploadSource::file("x").is_replayable());
        let stream = UploadSource::stream(futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("a"))]));
        assert!(stream.is_replayable());
        if let SourceKind::Stream(slot) = &stream.kind {
            slot.lock().unwrap().started = true;
        }
        assert!(!stream.is_replayable());
    }
}
