//! A request's body and fields: read at most [`MAX_BODY_BYTES`], as one
//! JSON object, `null`s read as DevRev reads them.

use axum::body::{Body, Bytes};

use crate::error::ApiError;

/// The largest request body read; a larger one is 400 `bad_request`.
pub(crate) const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The request's fields as one JSON object: the JSON body of a `POST` (an
/// empty body is `{}`), the query string of a `GET` read with the
/// operation's schema; `null` fields are kept as sent
/// ([`drop_nulls`] reads them as DevRev does). Not JSON, or not an
/// object: 400 `parse_error`.
pub(crate) fn read_input(
    op: &crate::spec::Operation,
    query: Option<&str>,
    body: &[u8],
) -> Result<serde_json::Value, ApiError> {
    if op.method == "GET" {
        return Ok(crate::validate::query_to_json(&crate::spec::API, &op.request, query));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::json!({}));
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value),
        Ok(other) => Err(ApiError::parse_error(format!(
            "the body must be a JSON object, not {}",
            crate::error::json_kind(&other)
        ))),
        Err(e) => Err(ApiError::parse_error(format!("invalid JSON: {e}"))),
    }
}

/// Removes the fields whose value is `null`: DevRev reads them as absent
/// (a required one is then `missing_required_field`). Inside
/// `custom_fields`, `null` clears a field, so it stays.
pub(crate) fn drop_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.iter_mut().filter(|(k, _)| *k != "custom_fields").for_each(|(_, v)| drop_nulls(v));
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Reads a request's body, at most [`MAX_BODY_BYTES`].
pub(crate) async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::bad_request(
            "the request body is too large or could not be read",
            format!("send at most {MAX_BODY_BYTES} bytes"),
        )
    })
}
