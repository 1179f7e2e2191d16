//! The endpoint contract: what `#[devrev_endpoint]` implements for a request.
//!
//! An [`Endpoint`] is a `Serialize` request type that knows its HTTP method,
//! its path, whether it is safe to retry, what it answers with and what its
//! error body looks like. Everything is known at compile time; the generic
//! [`send`](crate::send) turns it into a call.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error_body::ErrorBody;

/// The HTTP methods DevRev endpoints use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: the request becomes the query string.
    Get,
    /// `POST`: the request becomes the JSON body.
    Post,
    /// `PUT`: the request becomes the JSON body.
    Put,
    /// `PATCH`: the request becomes the JSON body.
    Patch,
    /// `DELETE`: the request becomes the query string.
    Delete,
}

impl Method {
    /// The method as it goes on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether the request travels in the query string rather than a body.
    pub const fn uses_query(self) -> bool {
        matches!(self, Method::Get | Method::Delete)
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A DevRev API endpoint, implemented by `#[devrev_endpoint]`.
///
/// Implementing it by hand works too; the attribute only saves the typing
/// and checks the arguments.
pub trait Endpoint: Serialize {
    /// What a success answer decodes into.
    type Response: DeserializeOwned;
    /// What an error answer decodes into; DevRev's model by default.
    type Error: ErrorBody;
    /// The HTTP method.
    const METHOD: Method;
    /// The path below the base URL, starting with `/`.
    const PATH: &'static str;
    /// Whether sending the request twice has the effect of sending it once,
    /// which makes failures after sending safe to retry.
    const IDEMPOTENT: bool;
    /// Whether the endpoint is one of DevRev's early-access (beta) APIs, which
    /// answer only requests that carry `X-Devrev-Scope: beta`. The transport
    /// adds that header when this is `true`. Defaults to `false`.
    const BETA: bool = false;
}
