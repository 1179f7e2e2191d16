//! Custom routes: a test's own handler for a path, known to the server or
//! not (a user's own endpoint, a DevRev operation newer than the server's
//! description), served behind the same token check, rate limit, faults and
//! request log as every other route.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use crate::request_log::RecordedRequest;

/// The answer of a custom route's handler; see
/// [`TestServer::route`](crate::TestServer::route).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Reply {
    /// Answers `status` with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            content_type: Some("application/json".into()),
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        }
    }

    /// Answers 200 with a JSON body.
    pub fn ok(body: serde_json::Value) -> Self {
        Reply::json(200, body)
    }

    /// Answers `status` with an empty body (a 204, say).
    pub fn status(status: u16) -> Self {
        Reply { status, content_type: None, body: Vec::new(), headers: Vec::new() }
    }

    /// Answers `status` with any body.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply { status, content_type: Some(content_type.to_owned()), body: body.into(), headers: Vec::new() }
    }

    /// Answers with DevRev's error body: `{"type": error_type, "message": message}`.
    pub fn error(status: u16, error_type: &str, message: &str) -> Self {
        Reply::json(status, serde_json::json!({"type": error_type, "message": message}))
    }

    /// Adds a header to the answer. Invalid names or values are skipped.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(content_type) = self.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().insert(header::CONTENT_TYPE, content_type);
        }
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

/// A custom route's handler.
pub(crate) type Handler = Arc<dyn Fn(&RecordedRequest) -> Reply + Send + Sync>;

/// The custom routes, by path.
#[derive(Default)]
pub(crate) struct CustomRoutes {
    routes: RwLock<HashMap<String, Handler>>,
}

impl fmt::Debug for CustomRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let routes = self.routes.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        f.debug_set().entries(routes.keys()).finish()
    }
}

impl CustomRoutes {
    pub(crate) fn insert(&self, path: &str, handler: Handler) {
        self.routes.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(path.to_owned(), handler);
    }

    pub(crate) fn remove(&self, path: &str) -> bool {
        self.routes.write().unwrap_or_else(std::sync::PoisonError::into_inner).remove(path).is_some()
    }

    /// The handler of `path`, if a test gave it one.
    pub(crate) fn get(&self, path: &str) -> Option<Handler> {
        self.routes.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(path).cloned()
    }
}
