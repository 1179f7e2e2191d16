//! What every wire test of this crate shares: a client pointed at the mock
//! server, and a `Sleeper` that records the waits instead of sleeping.
#![allow(dead_code)] // each test file uses its own subset

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrev::{Client, RetryPolicy, Sleeper};
use wiremock::{MockServer, Request};

pub const TOKEN: &str = "downstream-token-71c2";

/// A client for the mock server that never retries.
pub fn client(server: &MockServer) -> Client {
    Client::builder().token(TOKEN).base_url(server.uri()).retry_policy(RetryPolicy::none()).build().unwrap()
}

/// A client for the mock server with the default retry policy, whose waits
/// are recorded by `sleeper` rather than slept.
pub fn retrying_client(server: &MockServer, sleeper: &RecordingSleeper) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::new())
        .sleeper(sleeper.clone())
        .build()
        .unwrap()
}

/// Every request the server received, in order.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

/// The one request the server received.
pub async fn only_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request, got {}", all.len());
    all.remove(0)
}

/// A header of a request, as a string.
pub fn header(request: &Request, name: &str) -> Option<String> {
    request.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
}

/// A `Sleeper` a user writes against `devrev`'s public trait: it records each
/// wait and returns at once.
#[derive(Debug, Clone, Default)]
pub struct RecordingSleeper(Arc<Mutex<Vec<Duration>>>);

impl RecordingSleeper {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}
