//! An embedded DevRev-compatible server, for examples and tests.
//!
//! [`TestServer`] serves every operation of DevRev's API (the
//! [`operation_count`] of the 2024-01-24 beta spec) on 127.0.0.1 from memory:
//!
//! - every request is held to the operation's schema (the JSON body, or a
//!   `GET`'s query string): a missing required field is 400
//!   `missing_required_field` with `field_name`, a value of the wrong JSON
//!   type `unexpected_json_type` (`field_name`, `actual`, `expected`), a value
//!   outside an enum `invalid_enum_value` (`field_name`, `value`,
//!   `allowed_values`), a bad date `invalid_field`, a body that is not a JSON
//!   object `parse_error`, a body over 8 MiB `bad_request`; a method the spec
//!   does not list for a path is 404 `{"message":"route not found"}`;
//! - a valid request gets a spec-valid answer with the documented status
//!   (200, 201, 204): made up from the answer's schema with DON IDs
//!   (`don:core:dvrv-us-1:devo/1:issue/3`), display IDs (`ISS-3`), dates, enum
//!   values and union variants, the same for the same
//!   [`seed`](TestServerBuilder::seed) and requests;
//! - families with `create`, `get` and `list` (works, parts, tags, timeline
//!   entries, ...) keep what was created: `get` by DON or display ID (404
//!   `not_found` once deleted), `list` in creation order or by `sort_by` on
//!   any field, with `cursor` and `limit`, list-of-values filters and
//!   `created_date`/`modified_date` ranges, `update` merges the fields sent,
//!   `delete` removes; `created_by`, `modified_by` and `dev-users.self` are
//!   the token's dev user;
//!
//! Accounts and rev orgs keep their own, richer rules:
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
mod clock;
mod error;
mod events;
mod faults;
mod filters;
mod generic;
mod ids;
mod input;
mod pagination;
mod ratelimit;
mod references;
mod routes;
mod server;
mod spec;
mod store;
mod synth;
mod validate;
mod webhooks;
mod wire;

pub use artifacts::{ARTIFACT_DOWNLOAD_PATH, ARTIFACT_UPLOAD_PATH, MAX_ARTIFACT_BYTES};
pub use clock::Clock;
pub use faults::Fault;
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT};
pub use ratelimit::RateLimit;
pub use routes::{RecordedRequest, KEPT_REQUESTS};
pub use server::{InsertError, TestServer, TestServerBuilder, DEFAULT_USER};
pub use spec::operation_count;
pub use webhooks::WebhookDelivery;
