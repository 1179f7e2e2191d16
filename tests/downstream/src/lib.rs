//! Plays a downstream user of `devrev`: endpoints the crate does not ship,
//! declared here with `#[devrev::devrev_endpoint]` on this crate's own types.
//!
//! The crate depends on `devrev` and `serde` only, names nothing from
//! `devrev`'s internal crates, and gets the same `send`, typed errors, retries
//! and pagination as the built-in endpoints. Its tests, in `tests/`, send each
//! endpoint to a local mock server and check the request on the wire.
//!
//! - [`dev_users`]: `GET /dev-users.self`, a unit struct with no parameters;
//! - [`works`]: `GET /works.get`, a query parameter and a custom error body;
//! - [`tags`]: `POST /tags.create` with a nested JSON body and `builder`'s
//!   `new` and setters, and the paginated `GET /tags.list`;
//! - [`shadowing`]: endpoints declared where `Result`, `Option`, `Vec`, ...
//!   are the user's own, which compiles only if generated code is hygienic.

pub mod dev_users;
pub mod shadowing;
pub mod tags;
pub mod works;
