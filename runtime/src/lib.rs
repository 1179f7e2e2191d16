//! The runtime of the [`devrev`](https://docs.rs/devrev) crate: the client,
//! authentication, transport with retries and deadlines, the error model,
//! query encoding and cursor pagination.
//!
//! Use it through the `devrev` facade, which re-exports everything public
//! here. One module per concern:
//!
//! - [`client`]: [`Client`], [`ClientBuilder`] and their defaults;
//! - [`auth`]: the [`Token`], which never prints;
//! - [`endpoint`]: the [`Endpoint`] trait the attribute implements;
//! - [`transport`]: [`send`], the one generic function generated code calls;
//! - [`retry`]: which failures are retried and the backoff;
//! - [`pacing`]: holding calls within the rate limit instead of drawing 429s;
//! - [`error`] and [`error_body`]: [`Error`] and DevRev's error bodies;
//! - [`query`]: how `GET` requests become query strings;
//! - [`pagination`]: [`Page`], [`Paginated`], [`Pages`], [`Items`];
//! - [`sse`]: [`EventStream`], answers read as server-sent events;
//! - [`secret`]: [`Secret`], how models hold secrets (never printed);
//! - [`bulk`]: [`Client::send_all`], many requests with bounded concurrency;
//! - `storage` (feature `storage`): streamed uploads to and downloads from
//!   storage URLs (artifacts), without the token;
//! - [`response`]: [`Response`], [`ResponseMeta`], [`RateLimit`];
//! - [`testing`]: a [`Sleeper`] for tests that records waits and returns at once;
//! - [`custom_fields`]: [`CustomFields`], typed custom fields and their schema fragments.
//!
//! The modules form layers; read them bottom-up. Each imports only from the
//! layers below it:
//!
//! 1. `redact` (the `<redacted>` marker and token scrubbing), [`response`],
//!    [`error_body`], [`query`], [`retry`];
//! 2. [`error`], [`secret`], [`endpoint`], [`pacing`], [`testing`];
//! 3. [`auth`];
//! 4. [`client`]: the configuration;
//! 5. [`transport`]: the attempt loop, which runs on the client's configuration;
//! 6. [`pagination`], [`sse`], [`bulk`], `storage`, [`custom_fields`]: built on [`send`].

#![warn(missing_docs)]

pub mod auth;
pub mod bulk;
pub mod client;
pub mod custom_fields;
pub mod endpoint;
pub mod error;
pub mod error_body;
mod json_path;
pub mod pacing;
pub mod pagination;
pub mod query;
mod redact;
pub mod response;
pub mod retry;
pub mod secret;
pub mod sse;
#[cfg(feature = "storage")]
pub mod storage;
pub mod testing;
pub mod transport;

pub use auth::Token;
pub use client::{Client, ClientBuilder};
pub use custom_fields::{CustomFields, CustomFieldsError};
pub use endpoint::{Endpoint, Method};
pub use error::{
    ApiError, BodyTooLargeError, ConfigError, DecodeError, Error, PaginationError, RedirectError, Result, StorageError,
    TimeoutError, TimeoutKind, Transfer, TransportError, TransportKind,
};
pub use error_body::{DevRevError, ErrorBody, ErrorKind, JsonType, MissingDependency};
pub use pagination::{Items, Page, Pages, Paginated, ResumePoint};
pub use response::{RateLimit, Response, ResponseMeta};
pub use retry::{RetryPolicy, Sleeper, TokioSleeper};
pub use secret::Secret;
pub use sse::{send_stream, EventStream};
pub use transport::{send, send_with_meta};

/// Items the generated code names. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::client::Client;
    pub use crate::endpoint::{Endpoint, Method};
    pub use crate::error::{Error, Result};
    pub use crate::error_body::{DevRevError, ErrorBody, ErrorBodyCheck, ErrorOf};
    pub use crate::pagination::{CloneOf, Items, Page, PageOf, PagedClone, Pages, Paginated};
    pub use crate::response::Response;
    pub use crate::secret::Secret;
    pub use crate::sse::{send_stream, EventStream};
    pub use crate::transport::{decode_answer, send, send_with_meta};
    pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    pub use serde::Serialize;
    pub use std::string::String;
    pub use std::vec::Vec;
}
