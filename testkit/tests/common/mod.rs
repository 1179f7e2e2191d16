//! A raw HTTP client for the server's own tests: plain reqwest, JSON read as
//! `serde_json::Value`, so the tests see exactly what is on the wire.

#![allow(dead_code)]

use reqwest::header::HeaderMap;
use serde_json::Value;

/// One answer: status, headers, body as JSON (`Value::Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Http {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Http {
    pub fn new(server: &devrev_testkit::TestServer) -> Self {
        Http { client: reqwest::Client::new(), base: server.base_url(), token: Some(server.token().to_owned()) }
    }

    pub fn with_token(&self, token: Option<&str>) -> Self {
        Http { client: self.client.clone(), base: self.base.clone(), token: token.map(str::to_owned) }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await.expect("the request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("the body arrives");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Answer { status, headers, body }
    }

    /// POSTs `body` (a JSON value) to `path`.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.post_raw(path, &body.to_string()).await
    }

    /// POSTs a raw body to `path`.
    pub async fn post_raw(&self, path: &str, body: &str) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        self.send(request).await
    }

    /// GETs `path_and_query`, such as `/rev-orgs.list?limit=2`.
    pub async fn get(&self, path_and_query: &str) -> Answer {
        self.send(self.client.get(format!("{}{path_and_query}", self.base))).await
    }

    /// Sends any method.
    pub async fn method(&self, method: reqwest::Method, path: &str) -> Answer {
        self.send(self.client.request(method, format!("{}{path}", self.base))).await
    }
}

/// The dev user summary the main token acts as.
pub fn main_user() -> Value {
    serde_json::json!({
        "type": "dev_user",
        "id": "don:identity:dvrv-us-1:devo/1:devu/1",
        "display_id": "DEVU-1",
        "display_name": "testkit",
        "email": "testkit@testkit.invalid",
        "full_name": "Testkit user testkit",
        "state": "active"
    })
}

/// Checks a DON ID of `segment` and its display ID with `prefix` name the
/// same key; returns the key.
pub fn check_ids(object: &Value, segment: &str, prefix: &str) -> String {
    let id = object["id"].as_str().expect("an id");
    let key = id
        .strip_prefix(&format!("don:identity:dvrv-us-1:devo/1:{segment}/"))
        .unwrap_or_else(|| panic!("{id} is not a {segment} DON ID"));
    assert_eq!(key.len(), 8, "{id}");
    assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    assert_eq!(object["display_id"], format!("{prefix}{key}"));
    key.to_owned()
}

/// Checks a timestamp is RFC 3339 in UTC with milliseconds; returns it.
pub fn check_time(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value.as_str().expect("a timestamp string");
    assert_eq!(text.len(), 24, "{text}");
    assert!(text.ends_with('Z'), "{text}");
    chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339").with_timezone(&chrono::Utc)
}
