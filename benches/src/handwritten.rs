//! The baseline: `rev-orgs.create` written by hand with reqwest and
//! serde_json, as a user without this crate would write it.
//!
//! It does the same work as the generated `send`: the reqwest client is
//! built with the settings of `devrev::Client` (rustls, redirects off, a
//! 10 s connect timeout, the same default headers: `Authorization: Bearer`,
//! `Accept`, `User-Agent`), the request carries `Content-Type:
//! application/json` and the same JSON body, a non-2xx status is an error,
//! and the answer decodes into the same `RevOrgsCreateResponse`. What it
//! leaves out is what the crate adds: retries, the attempt timeout and
//! deadline, the body cap, typed error bodies, response metadata, tracing.

use std::fmt;
use std::time::Duration;

use devrev::rev_orgs::{RevOrgsCreateRequest, RevOrgsCreateResponse};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};

/// A hand-written client for `rev-orgs.create`.
#[derive(Debug, Clone)]
pub struct HandClient {
    http: reqwest::Client,
    create_url: String,
}

/// What can go wrong in the hand-written call.
#[derive(Debug)]
pub enum HandError {
    /// The client could not be built, or the request failed on the way.
    Http(reqwest::Error),
    /// The request did not encode.
    Encode(serde_json::Error),
    /// A non-2xx answer, with its body.
    Status(u16, bytes::Bytes),
    /// The answer did not decode.
    Decode(serde_json::Error),
    /// The token cannot go in a header.
    InvalidToken,
}

impl fmt::Display for HandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandError::Http(e) => write!(f, "http: {e}"),
            HandError::Encode(e) => write!(f, "encode: {e}"),
            HandError::Status(status, body) => write!(f, "status {status}: {}", String::from_utf8_lossy(body)),
            HandError::Decode(e) => write!(f, "decode: {e}"),
            HandError::InvalidToken => f.write_str("the token cannot be sent in a header"),
        }
    }
}

impl std::error::Error for HandError {}

impl HandClient {
    /// A client for the server at `base_url` (no trailing slash).
    ///
    /// # Errors
    /// A token that cannot be a header value, or a reqwest builder failure.
    pub fn new(base_url: &str, token: &str) -> Result<Self, HandError> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| HandError::InvalidToken)?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(devrev::client::USER_AGENT_PREFIX));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .use_rustls_tls()
            .build()
            .map_err(HandError::Http)?;
        Ok(HandClient { http, create_url: format!("{base_url}/rev-orgs.create") })
    }

    /// `POST /rev-orgs.create`, decoded.
    ///
    /// # Errors
    /// See [`HandError`].
    pub async fn create_rev_org(&self, request: &RevOrgsCreateRequest) -> Result<RevOrgsCreateResponse, HandError> {
        let body = serde_json::to_vec(request).map_err(HandError::Encode)?;
        let response = self
            .http
            .post(&self.create_url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body)
            .send()
            .await
            .map_err(HandError::Http)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(HandError::Http)?;
        if !status.is_success() {
            return Err(HandError::Status(status.as_u16(), bytes));
        }
        serde_json::from_slice(&bytes).map_err(HandError::Decode)
    }
}
