//! Shared by the `reliability_*` tests: endpoints declared with the
//! attribute (one idempotent, one not), a recording `Sleeper`, and a raw TCP
//! server on 127.0.0.1 for the faults wiremock cannot produce.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrev::models::UserState;
use devrev::{devrev_endpoint, Client, ClientBuilder, Response, Sleeper};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const TOKEN: &str = "tok-7e1d-SECRET-55c2";

/// A read: `GET`, idempotent by default.
#[devrev_endpoint(GET, "/things.get", response = ThingResponse)]
#[derive(Debug, Clone, Serialize)]
pub struct ThingsGetRequest {
    pub id: String,
}

/// A create: `POST`, not idempotent by default.
#[devrev_endpoint(POST, "/things.create", response = ThingResponse)]
#[derive(Debug, Clone, Serialize)]
pub struct ThingsCreateRequest {
    pub name: String,
}

/// A delete answering nothing: idempotent.
#[devrev_endpoint(DELETE, "/things.delete", response = EmptyResponse)]
#[derive(Debug, Clone, Serialize)]
pub struct ThingsDeleteRequest {
    pub id: String,
}

/// A `POST` answering nothing: not idempotent.
#[devrev_endpoint(POST, "/things.archive", response = EmptyResponse)]
#[derive(Debug, Clone, Serialize)]
pub struct ThingsArchiveRequest {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ThingResponse {
    pub thing: Thing,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Thing {
    pub id: String,
    pub state: Option<UserState>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EmptyResponse {}

/// The body of a successful answer for thing `id`.
pub fn thing_json(id: &str) -> String {
    format!(r#"{{"thing":{{"id":"{id}","state":"active"}}}}"#)
}

/// Which of the two endpoints a fault-matrix row runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ep {
    /// `GET /things.get`: idempotent.
    Get,
    /// `POST /things.create`: not idempotent.
    Create,
}

impl Ep {
    pub const BOTH: [Ep; 2] = [Ep::Get, Ep::Create];

    pub fn method(self) -> &'static str {
        match self {
            Ep::Get => "GET",
            Ep::Create => "POST",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Ep::Get => "/things.get",
            Ep::Create => "/things.create",
        }
    }

    pub fn idempotent(self) -> bool {
        self == Ep::Get
    }

    /// Requests a server sees when every attempt fails in a way retried
    /// only for idempotent endpoints (3 attempts by default).
    pub fn sends_when_idempotent_only(self) -> usize {
        if self.idempotent() {
            3
        } else {
            1
        }
    }

    pub async fn call(self, client: &Client) -> devrev::Result<Response<ThingResponse>> {
        match self {
            Ep::Get => ThingsGetRequest { id: "T-1".into() }.send_with_meta(client).await,
            Ep::Create => ThingsCreateRequest { name: "widget".into() }.send_with_meta(client).await,
        }
    }

    pub async fn call_empty(self, client: &Client) -> devrev::Result<Response<EmptyResponse>> {
        match self {
            Ep::Get => ThingsDeleteRequest { id: "T-1".into() }.send_with_meta(client).await,
            Ep::Create => ThingsArchiveRequest { id: "T-1".into() }.send_with_meta(client).await,
        }
    }

    pub fn empty_path(self) -> &'static str {
        match self {
            Ep::Get => "/things.delete",
            Ep::Create => "/things.archive",
        }
    }
}

/// A `Sleeper` that records each wait and returns at once.
#[derive(Debug, Clone, Default)]
pub struct RecordingSleeper {
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl RecordingSleeper {
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        self.waits.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// A builder for `base_url` with the test token and a recording sleeper.
pub fn builder(base_url: &str, sleeper: &RecordingSleeper) -> ClientBuilder {
    Client::builder().token(TOKEN).base_url(base_url).sleeper(sleeper.clone())
}

/// A client with the default policy (3 attempts, 120 s deadline) and a recording sleeper.
pub fn client(base_url: &str) -> (Client, RecordingSleeper) {
    let sleeper = RecordingSleeper::default();
    (builder(base_url, &sleeper).build().unwrap(), sleeper)
}

/// What the raw server does once it has read a whole request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Closes the connection with a TCP reset, answering nothing.
    Reset,
    /// Keeps the connection open and never answers.
    Silent,
    /// Sends the headers and part of the body, then keeps the connection open.
    StallBody,
    /// Sends the headers and part of the body, then closes the connection.
    CutBody,
    /// Answers 200 with a chunked body (no `Content-Length`) of the given size.
    Chunked(usize),
    /// Answers these exact bytes, then closes.
    Raw(Vec<u8>),
}

/// A raw HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose.
pub struct RawServer {
    pub url: String,
    requests: Arc<AtomicUsize>,
    written: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    /// Serves `fault` to every connection.
    pub async fn start(fault: Fault) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let written = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (r, w, s) = (requests.clone(), written.clone(), seen.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let (r, w, s, fault) = (r.clone(), w.clone(), s.clone(), fault.clone());
                tokio::spawn(async move { serve(stream, fault, r, w, s).await });
            }
        });
        RawServer { url, requests, written, seen, task }
    }

    /// Whole requests received.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Body bytes the server managed to write (for `Chunked`).
    pub fn written(&self) -> usize {
        self.written.load(Ordering::SeqCst)
    }

    /// The head (request line and headers) of every request received.
    pub fn heads(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    fault: Fault,
    requests: Arc<AtomicUsize>,
    written: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<String>>>,
) {
    let Some(head) = read_request(&mut stream).await else { return };
    seen.lock().unwrap().push(head);
    requests.fetch_add(1, Ordering::SeqCst);
    match fault {
        Fault::Reset => {
            // SO_LINGER 0: close() sends RST instead of FIN.
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        Fault::Silent => hold(stream).await,
        Fault::StallBody => {
            let _ = stream.write_all(&partial_answer()).await;
            hold(stream).await;
        }
        Fault::CutBody => {
            let _ = stream.write_all(&partial_answer()).await;
            let _ = stream.shutdown().await;
        }
        Fault::Chunked(size) => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 16 * 1024];
            let mut sent = 0;
            while sent < size {
                let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                if stream.write_all(&frame).await.is_err() {
                    break;
                }
                sent += chunk.len();
                written.store(sent, Ordering::SeqCst);
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
        Fault::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
    }
}

/// Headers promising 100 bytes, and 40 of them.
fn partial_answer() -> Vec<u8> {
    let mut answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n".to_vec();
    answer.extend_from_slice(br#"{"thing":{"id":"T-1","state":"active"},"#);
    answer
}

/// Keeps a connection open until the client goes away.
async fn hold(mut stream: TcpStream) {
    let mut sink = [0u8; 1024];
    while let Ok(n) = stream.read(&mut sink).await {
        if n == 0 {
            break;
        }
    }
}

/// Reads one request (head and `Content-Length` body); returns the head.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = stream.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>()))
        .and_then(Result::ok)
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    }
    Some(head)
}

/// A loopback URL nothing listens on.
pub async fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}
