//! Error answers, shaped the way DevRev sends them.
//!
//! Every error body is a JSON object with `type`, `message` and `detail`, plus
//! the fields of its type (`field_name`, `allowed_values`, `retry_after`, ...),
//! an unknown path included (`not_found`, message `route not found`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error answer: a status and a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    /// Seconds, sent as `Retry-After` too (429 only).
    pub(crate) retry_after: Option<u64>,
}

/// The JSON kind of a value, named as DevRev names them in `unexpected_json_type`.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl ApiError {
    fn new(status: StatusCode, kind: &str, message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({"type": kind, "message": message.into(), "detail": detail.into()}),
            retry_after: None,
        }
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        if let Value::Object(map) = &mut self.body {
            map.insert(key.to_owned(), value);
        }
        self
    }

    /// 400 `parse_error`: the body is not a JSON object.
    pub(crate) fn parse_error(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "parse_error", "the request body could not be parsed", detail)
    }

    /// 400 `bad_request`.
    pub(crate) fn bad_request(message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message, detail)
    }

    /// 400 `missing_required_field`.
    pub(crate) fn missing_field(field: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "missing_required_field",
            format!("the field `{field}` is required"),
            format!("add `{field}` to the request"),
        )
        .with("field_name", json!(field))
    }

    /// 400 `unexpected_json_type`.
    pub(crate) fn wrong_type(field: &str, actual: &Value, expected: &str) -> Self {
        let actual = json_kind(actual);
        Self::new(
            StatusCode::BAD_REQUEST,
            "unexpected_json_type",
            format!("the field `{field}` must be of type {expected}, not {actual}"),
            format!("send `{field}` as {expected}"),
        )
        .with("field_name", json!(field))
        .with("actual", json!(actual))
        .with("expected", json!(expected))
    }

    /// 400 `invalid_enum_value`.
    pub(crate) fn invalid_enum(field: &str, value: &str, allowed: &[&str]) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_enum_value",
            format!("`{value}` is not a valid value for `{field}`"),
            format!("use one of: {}", allowed.join(", ")),
        )
        .with("field_name", json!(field))
        .with("value", json!(value))
        .with("allowed_values", json!(allowed))
    }

    /// 400 `invalid_field`: a value that cannot be read (a bad date, a bad number).
    pub(crate) fn invalid_field(field: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_field", format!("the field `{field}` is invalid"), detail)
            .with("field_name", json!(field))
    }

    /// 400 `value_not_permitted`.
    pub(crate) fn not_permitted(field: &str, reason: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "value_not_permitted",
            format!("the value of `{field}` is not permitted"),
            reason.to_owned(),
        )
        .with("field_name", json!(field))
        .with("reason", json!(reason))
    }

    /// 400 `invalid_id`: the ID is not in a form DevRev knows.
    pub(crate) fn invalid_id(field: &str, value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("`{value}` is not a valid ID for `{field}`"),
            "IDs are DON IDs (don:identity:...) or display IDs (ACC-..., REV-...)",
        )
        .with("field_name", json!(field))
    }

    /// 400 `unexpected_id_type`: a valid ID of another kind of object.
    pub(crate) fn unexpected_id_type(field: &str, value: &str, expected: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unexpected_id_type",
            format!("`{value}` is not the ID of {expected}"),
            format!("`{field}` takes the ID of {expected}"),
        )
        .with("field_name", json!(field))
    }

    /// 401 `unauthenticated`.
    pub(crate) fn unauthenticated(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "the request is not authenticated", detail)
    }

    /// 404 `not_found`.
    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} `{id}` does not exist"), id.to_owned())
    }

    /// 409 `conflict`.
    pub(crate) fn conflict(message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message, detail)
    }

    /// 429 `too_many_requests`, with `retry_after` in the body and the header.
    pub(crate) fn too_many_requests(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "the rate limit for this token was reached",
            format!("try again in {retry_after} seconds"),
        )
        .with("retry_after", json!(retry_after));
        e.retry_after = Some(retry_after);
        e
    }

    /// 404 `not_found` for a path (or a method of a path) the server does not
    /// serve: typed like every other error, with the gateway's message
    /// `route not found`.
    pub(crate) fn route_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "route not found",
            "the API has no operation at this method and path",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = crate::response::json_response(self.status, &self.body);
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
