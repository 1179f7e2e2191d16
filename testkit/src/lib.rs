//! An embedded DevRev-compatible server, for examples and tests.
//!
//! [`TestServer`] serves DevRev's `accounts.*` and `rev-orgs.*` endpoints on
//! 127.0.0.1 from memory, with DevRev's behaviour on the wire:
//!
//! - `Authorization: Bearer <token>` on every request; without it, or with a
//!   token the server does not know, 401 `unauthenticated`;
//! - `create`, `get`, `list`, `update` and `delete` for both families, `get`
//!   and `list` also as `GET` with a query string (arrays comma-joined, date
//!   filters dotted: `created_date.after=...`); creates answer 201, deletes
//!   answer `{}`; creating an account also creates its default rev org;
//!   deleting an account deletes its rev orgs;
//! - IDs in DON form (`don:identity:dvrv-us-1:devo/1:revo/AbCdEfGh`) and
//!   display form (`REV-AbCdEfGh`, `ACC-...`), either accepted;
//!   `created_by`/`modified_by` are the token's dev user;
//! - DevRev's error bodies: `parse_error`, `missing_required_field`,
//!   `unexpected_json_type`, `invalid_enum_value`, `invalid_field`,
//!   `value_not_permitted`, `invalid_id`, `unexpected_id_type`, `bad_request`
//!   (400), `unauthenticated` (401), `not_found` (404), `conflict` (409, a
//!   second object with the same external reference), `too_many_requests`
//!   (429), and `{"message":"route not found"}` for an unknown path;
//! - cursor pagination (`limit`, default 50, at most 100; `mode`; `cursor`;
//!   `sort_by` on `created_date`, `modified_date`, `display_name` with
//!   `:asc`/`:desc`), with list filters;
//! - a rate limit per token with the `X-Ratelimit-*` headers on every answer;
//! - [`Fault`]s for tests: an answer, a delay, or a dropped connection.
//!
//! ```no_run
//! use devrev_testkit::{Fault, TestServer};
//!
//! # async fn run() {
//! let server = TestServer::start().await;
//! // Point a client at server.base_url() with server.token().
//! server.inject("/rev-orgs.list", Fault::json(503, serde_json::json!({"type": "service_unavailable"})));
//! # }
//! ```
//!
//! As a binary, `cargo run -p devrev-testkit -- --port 8080` serves until
//! Ctrl-C and prints the base URL, the token, and a `curl` line to try.

#![warn(missing_docs)]

mod api;
mod artifacts;
mod error;
mod events;
mod faults;
mod generic;
mod ids;
mod input;
mod pagination;
mod ratelimit;
mod routes;
mod server;
mod spec;
mod store;
mod synth;
mod validate;
mod webhooks;
mod wire;

pub use artifacts::{ARTIFACT_DOWNLOAD_PATH, ARTIFACT_UPLOAD_PATH, MAX_ARTIFACT_BYTES};
pub use faults::Fault;
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT};
pub use ratelimit::RateLimit;
pub use routes::{RecordedRequest, KEPT_REQUESTS};
pub use spec::operation_count;
pub use server::{TestServer, TestServerBuilder, DEFAULT_USER};
pub use webhooks::WebhookDelivery;
