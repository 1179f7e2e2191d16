//! A minimal HTTP/1.1 server on loopback (hyper, keep-alive), running on its
//! own tokio runtime and thread so that it does not share the client's.
//!
//! A [`Handler`] maps a request to a status and a JSON body. The server can
//! record the requests it receives, so a benchmark can check that the two
//! clients it compares put the same request on the wire.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use crate::BoxError;

/// What the server answers: a status and a JSON body.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body, sent as `application/json`.
    pub body: Bytes,
}

impl Reply {
    /// A reply with `status` and `body`.
    pub fn json(status: u16, body: impl Into<Bytes>) -> Self {
        Reply { status, body: body.into() }
    }
}

/// Maps a request (its head and its whole body) to the reply.
pub type Handler = Arc<dyn Fn(&Parts, &Bytes) -> Reply + Send + Sync>;

/// A request the server received while recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The method.
    pub method: String,
    /// The path and query.
    pub uri: String,
    /// Every header, lowercase name and value, sorted.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

/// A running server; it lives until the process ends.
pub struct Server {
    addr: SocketAddr,
    recording: Arc<AtomicBool>,
    recorded: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    /// Starts a server on `127.0.0.1` with a runtime of `threads` workers.
    ///
    /// # Errors
    /// When the port cannot be bound or the runtime cannot start.
    pub fn start(threads: usize, handler: Handler) -> Result<Server, BoxError> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("bench-server")
            .enable_all()
            .build()?;
        let recording = Arc::new(AtomicBool::new(false));
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let state = (Arc::clone(&recording), Arc::clone(&recorded));
        std::thread::Builder::new().name("bench-server-accept".into()).spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    eprintln!("bench server: cannot register the listener");
                    return;
                };
                loop {
                    let Ok((stream, _)) = listener.accept().await else { continue };
                    let _ = stream.set_nodelay(true);
                    let handler = Arc::clone(&handler);
                    let (recording, recorded) = (Arc::clone(&state.0), Arc::clone(&state.1));
                    tokio::spawn(async move {
                        let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                            let handler = Arc::clone(&handler);
                            let (recording, recorded) = (Arc::clone(&recording), Arc::clone(&recorded));
                            async move {
                                let (parts, body) = request.into_parts();
                                let body = match body.collect().await {
                                    Ok(collected) => collected.to_bytes(),
                                    Err(_) => Bytes::new(),
                                };
                                if recording.load(Ordering::Relaxed) {
                                    if let Ok(mut log) = recorded.lock() {
                                        log.push(received(&parts, &body));
                                    }
                                }
                                let reply = handler(&parts, &body);
                                let mut response = Response::new(Full::new(reply.body));
                                *response.status_mut() =
                                    StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                                response
                                    .headers_mut()
                                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                                Ok::<_, Infallible>(response)
                            }
                        });
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                    });
                }
            });
        })?;
        Ok(Server { addr, recording, recorded })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts or stops recording requests.
    pub fn record(&self, on: bool) {
        self.recording.store(on, Ordering::Relaxed);
    }

    /// The requests recorded so far, emptying the log.
    pub fn take_recorded(&self) -> Vec<Received> {
        self.recorded.lock().map(|mut log| std::mem::take(&mut *log)).unwrap_or_default()
    }
}

fn received(parts: &Parts, body: &Bytes) -> Received {
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    headers.sort();
    Received { method: parts.method.to_string(), uri: parts.uri.to_string(), headers, body: body.clone() }
}
