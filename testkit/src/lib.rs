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
//!   does not list for a path is 404 `not_found` (message `route not found`);
//! - a valid request is answered from what the server holds, by one engine
//!   with one set of rules for every family (a family is the operations that
//!   share a path up to the verb: `works`, `states.custom`, `groups.members`):
//!   `create` stores (201, with a DON ID such as
//!   `don:core:dvrv-us-1:devo/1:issue/3` and a display ID such as `ISS-3`);
//!   `get` answers the object asked for, by either ID, or 404 `not_found`,
//!   also in a family that creates nothing (the server never answers a
//!   made-up object for an ID it was given); `list` pages over what is
//!   stored and its cursors end (a family that creates nothing lists
//!   nothing); `export` is the list under the same filters, `count` counts
//!   it; `update` merges the fields sent and keeps the object's union
//!   variant (`type` may be left out); `delete` removes; other changes by ID
//!   (`slas.transition`, `dev-users.self.update`, `dev-users.identities.link`)
//!   change the stored object and answer it; `groups.members.add` and
//!   `remove` store and remove the pair; `search.core` finds stored objects
//!   whose text holds the query, in the namespaces asked;
//! - every ID a request names (a field the spec marks as an ID) is checked:
//!   not an ID is 400 `invalid_id`, an ID of another kind where one kind
//!   belongs (a dev user as `applies_to_part`) 400 `unexpected_id_type`, and
//!   in a change, an ID of a kind the server keeps that names nothing (a
//!   deleted part, a missing issue) 404 `not_found`; a work's stage must be
//!   one of its type's stages (a ticket starts `queued`, an issue `triage`)
//!   or a custom stage; tag names are unique and not empty;
//! - every list filter the spec gives works on what is stored or is refused
//!   with 400 `bad_request` naming it, never silently ignored: values of a
//!   field (IDs in either form, summaries by ID or name, tags by ID), nested
//!   and variant filters (`ticket.severity`, `issue.priority`), `state`
//!   (from the stage), date ranges and `last_n_days` presets, and what the
//!   create sent (`parent_part`, a member's `group`);
//! - one clock dates every family (the wall clock by default;
//!   [`TestServerBuilder::clock`] for a [`Clock::fixed`] or
//!   [`Clock::stepped`] one; [`TestServer::now`], [`TestServer::set_time`],
//!   [`TestServer::advance`] on a running server); `created_by` and
//!   `modified_by` are the token's dev user, which `dev-users.self`,
//!   `dev-users.get` and `dev-users.list` answer;
//! - objects are indexed by ID and display ID: a get, update, delete or
//!   reference check costs the same with ten objects or a hundred thousand;
//!   fixtures go into the store as a create puts them (IDs, dates, reference
//!   checks, webhook events), without HTTP, the request log or the rate
//!   limit: typed with [`TestServer::insert_request`] (a create request of
//!   the `devrev` crate, or one of your own `#[devrev_endpoint]` structs, in;
//!   its typed answer, or the client's typed error, out), or as JSON with
//!   [`TestServer::insert`];
//! - whatever no stored object holds is made up from the answer's schema
//!   (enum values, union variants, dates), the same for the same
//!   [`seed`](TestServerBuilder::seed), requests and clock.
//!
//! # What the server keeps, family by family
//!
//! *kept*: objects are created, stored and answered as stored (get, list,
//! update, delete, export, count, search). *synthesized*: the family
//! creates nothing here, so its lists are empty, a get by ID is 404, and
//! other answers are made up from the schema; a test can rely on their
//! shape only. Accounts and rev orgs are kept by the same store, with
//! their families' richer rules (below); webhooks by a module of their own
//! ([`WebhookDelivery`]).
//!
//! | family | what the server does | verbs |
//! | --- | --- | --- |
//! | `accounts` | kept (accounts and rev orgs rules) | create delete export get list merge update |
//! | `ai-agents.events` | synthesized | execute-async |
//! | `airdrop.sync-units` | synthesized | get history |
//! | `articles` | kept | count create delete get list update |
//! | `artifacts` | kept | get list locate prepare |
//! | `artifacts.versions` | synthesized | delete prepare |
//! | `atoms` | synthesized | get |
//! | `audit-logs` | synthesized | fetch |
//! | `auth-tokens` | stored (issued tokens, named by the `jti` of their JWT) | create delete get info list update |
//! | `auth-tokens.self` | synthesized | delete |
//! | `brands` | kept | create delete get list update |
//! | `chats` | kept | create get update |
//! | `code-changes` | kept | create delete get list update |
//! | `commands` | kept | create get list update |
//! | `content-template` | kept | create get list |
//! | `conversations` | kept | create delete export get list update |
//! | `custom-objects` | kept | count create delete get list update |
//! | `dev-orgs` | synthesized | get |
//! | `dev-orgs.auth-connections` | kept | create delete get list toggle update |
//! | `dev-users` | kept | activate create deactivate get list merge self self-update update |
//! | `dev-users.identities` | changes the stored dev user | link unlink |
//! | `directories` | kept | count create delete get list update |
//! | `engagements` | kept | count create delete get list update |
//! | `event-sources` | synthesized | get schedule unschedule |
//! | `groups` | kept | create get list update |
//! | `groups.members` | kept | add list remove |
//! | `incidents` | kept | create delete get group list update |
//! | `keyrings` | synthesized | authorize |
//! | `link-types.custom` | kept | create get list update |
//! | `links` | kept | create delete get list replace |
//! | `meetings` | kept | count create delete get list update |
//! | `metric-action` | synthesized | execute |
//! | `metric-definitions` | kept | create delete get list update |
//! | `metric-trackers` | synthesized | get |
//! | `metrics.devrev` | synthesized | ingest |
//! | `notifications` | synthesized | send |
//! | `org-schedule-fragments` | kept | create get transition |
//! | `org-schedules` | kept | create evaluate get list set-future transition update |
//! | `parts` | kept | create delete get list update |
//! | `preferences` | synthesized | get update |
//! | `question-answers` | kept | create delete get list update |
//! | `reactions` | synthesized | list update |
//! | `recommendations` | synthesized | get-reply |
//! | `recommendations.chat` | synthesized | completions |
//! | `record-templates` | synthesized | get |
//! | `rev-orgs` | kept (accounts and rev orgs rules) | create delete get list update |
//! | `rev-users` | kept | create delete delete-personal-data get link list merge personal-data scan unlink update |
//! | `rev-users.associations` | kept | add list remove |
//! | `roles` | kept | apply create |
//! | `schemas.aggregated` | synthesized | get |
//! | `schemas.custom` | stored (fragments, by the custom-field rules) | get list set |
//! | `schemas.stock` | synthesized | get list |
//! | `schemas.subtypes` | synthesized | list prepare-update |
//! | `search` | from the store | core hybrid |
//! | `service-accounts` | kept | create get update |
//! | `sla-trackers` | synthesized | get list remove-metric |
//! | `slas` | kept | assign create get list transition update |
//! | `snap-ins` | synthesized | resources update |
//! | `snap-kit-action.execute` | synthesized | deferred |
//! | `snap-widgets` | kept | create |
//! | `stage-diagrams` | kept | create get list update |
//! | `stages.custom` | kept | create get list update |
//! | `states.custom` | kept | create get list update |
//! | `subscribers` | synthesized | list update |
//! | `surveys` | kept | create delete get list send submit update |
//! | `surveys.responses` | synthesized | list update |
//! | `sys-users` | synthesized | list update |
//! | `tags` | kept | create delete get list update |
//! | `timeline-entries` | kept | create delete get list update |
//! | `track-events` | synthesized | publish |
//! | `uoms` | kept | count create delete get list update |
//! | `vistas` | kept | create delete get list |
//! | `vistas.groups` | synthesized | delete get list |
//! | `web-crawler-jobs` | kept | control create get list |
//! | `webhooks` | kept (webhook rules) | create delete event fetch get list update |
//! | `widgets` | synthesized | get |
//! | `works` | kept | create delete export get list update |
//!
//! Accounts and rev orgs keep their own, richer rules:
//!
//! - `Authorization: <token>` (as DevRev's own SDK sends it) or
//!   `Authorization: Bearer <token>` on every request; without it, or with a
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
//!   (429), and `not_found` (message `route not found`) for an unknown path;
//! - cursor pagination (`limit`, default 50, at most 100; `mode`; `cursor`;
//!   `sort_by` on `created_date`, `modified_date`, `display_name` with
//!   `:asc`/`:desc`), with list filters;
//! - a rate limit per token with the `X-Ratelimit-*` headers on every answer;
//! - [`Fault`]s for tests: an answer, a delay, or a dropped connection, for
//!   a path or an operation, from its nth call, or for bodies that match;
//! - a request log ([`TestServer::requests`], [`TestServer::take_requests`],
//!   [`TestServer::requests_for`]) with each request's JSON body, headers
//!   (the token redacted), operation, status and time;
//! - custom routes ([`TestServer::route`]): a handler for any path, behind
//!   the same token check, rate limit, faults and log.
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
//! Ctrl-C and prints the base URL, the token, and a `curl` line to try
//! (`--help` lists every flag and its `DEVREV_TESTKIT_*` variable).
//!
//! HTTP is the default; [`TestServerBuilder::https`] (the binary's `--https`)
//! serves HTTPS with a certificate made at start for `127.0.0.1` and
//! `localhost`, whose authority a client trusts through
//! [`TestServer::ca_pem`].

#![warn(missing_docs)]

mod app;
mod artifacts;
mod auth;
mod body;
mod clock;
mod custom_fields;
mod custom_routes;
mod dev_user;
mod error;
mod events;
mod families;
mod family;
mod faults;
mod filters;
mod generic;
mod ids;
mod input;
mod pagination;
mod ratelimit;
mod references;
mod request_log;
mod response;
mod routes;
mod server;
mod spec;
mod store;
mod synth;
mod tls;
mod validate;
mod webhooks;
mod wire;

pub use artifacts::{ARTIFACT_DOWNLOAD_PATH, ARTIFACT_UPLOAD_PATH, MAX_ARTIFACT_BYTES};
pub use clock::Clock;
pub use custom_routes::Reply;
pub use faults::Fault;
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT};
pub use ratelimit::RateLimit;
pub use request_log::{RecordedRequest, KEPT_REQUESTS, REDACTED};
pub use server::{InsertError, TestServer, TestServerBuilder, DEFAULT_USER};
pub use spec::operation_count;
pub use webhooks::WebhookDelivery;
