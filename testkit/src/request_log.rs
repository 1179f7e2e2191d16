//! The request log: every request the server received, as tests read it.
//!
//! Each request is recorded when it arrives (method, path, query, the JSON
//! body, the headers with the `Authorization` value redacted, the operation,
//! the dev user its token acts as, the time) and completed with the answer's
//! status once there is one. Each gets a sequence number that never changes
//! or shifts, however many requests are dropped from the front of the log or
//! taken with [`TestServer::take_requests`](crate::TestServer::take_requests).

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};

/// How many requests the request log keeps, so a long-running server's
/// memory stays bounded; the counts per path are exact regardless.
pub const KEPT_REQUESTS: usize = 10_000;

/// What the log shows instead of the `Authorization` header's value.
pub const REDACTED: &str = "<redacted>";

/// A request the server received, as recorded for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The request's number on this server: 1 for the first, then 2, ...
    /// It never changes, so it stays a valid mark however many requests
    /// come after ([`TestServer::requests_after`](crate::TestServer::requests_after)).
    pub seq: u64,
    /// The method, such as `POST`.
    pub method: String,
    /// The path, such as `/rev-orgs.create`.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// The operation the request was served as: a DevRev operation named by
    /// its path without the leading `/` (`works.create`, for a `GET` or a
    /// `POST`), or the path of a [custom route](crate::TestServer::route)
    /// the same way (`jobs.list`); `None` for a path the server does not serve.
    pub operation: Option<String>,
    /// The JSON body: `None` when there was none (a `GET`, an empty body)
    /// or it was not JSON (a multipart upload is not read into the log).
    pub body: Option<serde_json::Value>,
    /// The headers, names in lowercase, in the order received; the
    /// `Authorization` value is [`REDACTED`].
    pub headers: Vec<(String, String)>,
    /// The dev user the request's token acts as
    /// ([`DEFAULT_USER`](crate::DEFAULT_USER) for the main token); `None`
    /// without a valid token.
    pub user: Option<String>,
    /// The answer's status; `None` when the connection was dropped without
    /// an answer (or the answer is not written yet).
    pub status: Option<u16>,
    /// When the request arrived, by the server's clock (the one that dates
    /// objects: fixed, stepped or moved by the test, the wall clock by default).
    pub time: DateTime<Utc>,
}

impl RecordedRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The value of query parameter `name`, percent-decoded (the first, if
    /// it is repeated).
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key) == name).then(|| decode(value))
        })
    }

    /// Whether the request was served as `operation` (`works.create`; a
    /// leading `/` is ignored).
    pub fn is(&self, operation: &str) -> bool {
        self.operation.as_deref() == Some(operation.trim_start_matches('/'))
    }
}

fn decode(text: &str) -> String {
    let text = text.replace('+', " ");
    percent_encoding::percent_decode_str(&text).decode_utf8_lossy().into_owned()
}

/// The requests received: the latest [`KEPT_REQUESTS`], and a count per path.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    latest: VecDeque<RecordedRequest>,
    counts: HashMap<String, usize>,
    last_seq: u64,
}

impl RequestLog {
    /// Records a request that arrived; returns its sequence number.
    pub(crate) fn record(&mut self, mut request: RecordedRequest) -> u64 {
        self.last_seq += 1;
        request.seq = self.last_seq;
        *self.counts.entry(request.path.clone()).or_default() += 1;
        if self.latest.len() == KEPT_REQUESTS {
            self.latest.pop_front();
        }
        self.latest.push_back(request);
        self.last_seq
    }

    /// Sets the status of request `seq`, if the log still holds it.
    pub(crate) fn complete(&mut self, seq: u64, status: u16) {
        // Answers come soon after their request: look from the back.
        if let Some(request) = self.latest.iter_mut().rev().take_while(|r| r.seq >= seq).find(|r| r.seq == seq) {
            request.status = Some(status);
        }
    }

    pub(crate) fn latest(&self) -> impl Iterator<Item = &RecordedRequest> {
        self.latest.iter()
    }

    /// Empties the log (the counts per path stay).
    pub(crate) fn take(&mut self) -> Vec<RecordedRequest> {
        self.latest.drain(..).collect()
    }

    pub(crate) fn count(&self, path: &str) -> usize {
        self.counts.get(path).copied().unwrap_or(0)
    }

    pub(crate) fn last_seq(&self) -> u64 {
        self.last_seq
    }
}

/// Reads a request as the log records it. A JSON body (or one without a
/// `Content-Type`) is read, at most [`MAX_BODY_BYTES`](crate::body::MAX_BODY_BYTES),
/// and put back for the routes; any other body (a multipart upload) is
/// left to stream. A body too large to read is answered 400 `bad_request`
/// here, as the routes would.
/// `user` is the name of the token's dev user, `time` the server's clock now.
pub(crate) async fn read(
    user: Option<String>,
    time: chrono::DateTime<chrono::Utc>,
    request: axum::extract::Request,
    custom: bool,
) -> Result<(axum::extract::Request, RecordedRequest), (RecordedRequest, axum::response::Response)> {
    use axum::response::IntoResponse;

    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let operation = if custom || crate::spec::API.find(&method, &path).is_some() {
        Some(path.trim_start_matches('/').to_owned())
    } else {
        None
    };
    let mut recorded = RecordedRequest {
        seq: 0,
        method,
        path,
        query: request.uri().query().map(str::to_owned),
        operation,
        body: None,
        headers: recorded_headers(request.headers()),
        user,
        status: None,
        time,
    };
    let json = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|c| c.to_str().is_ok_and(|c| c.to_ascii_lowercase().contains("json")));
    if !json {
        return Ok((request, recorded));
    }
    let (parts, body) = request.into_parts();
    match crate::body::read_body(body).await {
        Ok(bytes) => {
            recorded.body = serde_json::from_slice(&bytes).ok();
            Ok((axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes)), recorded))
        }
        Err(e) => Err((recorded, e.into_response())),
    }
}

/// Whether a request to `path` is served without a token: the artifact
/// storage paths, and the operations that need none (`keyrings.authorize`).
pub(crate) fn takes_no_token(method: &str, path: &str) -> bool {
    path.starts_with("/__storage/") || crate::spec::API.find(method, path).is_some_and(|(_, op)| !op.auth)
}

/// The headers as recorded: lowercase names, the `Authorization` value redacted.
pub(crate) fn recorded_headers(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if name == axum::http::header::AUTHORIZATION {
                REDACTED.to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, query: usize) -> RecordedRequest {
        RecordedRequest {
            seq: 0,
            method: "GET".into(),
            path: path.into(),
            query: Some(query.to_string()),
            operation: None,
            body: None,
            headers: Vec::new(),
            user: None,
            status: None,
            time: Utc::now(),
        }
    }

    #[test]
    fn the_log_keeps_the_latest_and_counts_all() {
        let mut log = RequestLog::default();
        for i in 0..KEPT_REQUESTS + 5 {
            let path = if i % 2 == 0 { "/a" } else { "/b" };
            log.record(request(path, i));
        }
        assert_eq!(log.latest.len(), KEPT_REQUESTS);
        let first = log.latest.front().unwrap();
        assert_eq!((first.query.as_deref(), first.seq), (Some("5"), 6));
        assert_eq!(log.count("/a") + log.count("/b"), KEPT_REQUESTS + 5);
        assert_eq!(log.count("/a"), (KEPT_REQUESTS + 5).div_ceil(2));
        // Sequence numbers do not shift when the front is dropped or taken.
        log.complete(KEPT_REQUESTS as u64, 201);
        let taken = log.take();
        assert_eq!(taken.iter().find(|r| r.seq == KEPT_REQUESTS as u64).unwrap().status, Some(201));
        assert!(log.latest().next().is_none());
        assert_eq!(log.record(request("/a", 0)), KEPT_REQUESTS as u64 + 6);
        assert_eq!(log.count("/a"), (KEPT_REQUESTS + 5).div_ceil(2) + 1);
    }

    #[test]
    fn query_params_decode_and_headers_redact() {
        let mut r = request("/a", 0);
        r.query = Some("limit=10&name=a%20b+c&flag".into());
        assert_eq!(r.query_param("limit").as_deref(), Some("10"));
        assert_eq!(r.query_param("name").as_deref(), Some("a b c"));
        assert_eq!(r.query_param("flag").as_deref(), Some(""));
        assert_eq!(r.query_param("missing"), None);
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("authorization", "Bearer s3cr3t".parse().unwrap());
        headers.insert("X-Devrev-Version", "2024-01-24".parse().unwrap());
        r.headers = recorded_headers(&headers);
        assert_eq!(r.header("AUTHORIZATION"), Some(REDACTED));
        assert_eq!(r.header("x-devrev-version"), Some("2024-01-24"));
        assert!(!format!("{r:?}").contains("s3cr3t"));
    }
}
