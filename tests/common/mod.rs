//! Helpers shared by the integration tests: clients for the loopback servers
//! they run against (wiremock's, or the embedded `devrev-testkit`), and the
//! recorded DevRev answers of `tests/fixtures/`. A test file declares
//! `mod common;` and uses what it needs. The themed helpers are files beside
//! this one, which the test binaries that need them declare with `#[path]`:
//! `reliability.rs` (endpoints, a recording sleeper, a raw TCP server),
//! `wire.rs` (mounting recorded answers on wiremock and checking the one
//! request) and `redis.rs` (a real `redis-server` child process).
#![allow(dead_code)] // each test file uses some of them

use devrev::{Client, ClientBuilder, RetryPolicy};
use devrev_testkit::TestServer;

/// The token of clients against wiremock servers, which accept any.
pub const TOKEN: &str = "test-token-b7";

/// A builder for `base_url` with `token` and one attempt per call; a test of
/// retries, pacing or a header sets its own on top.
pub fn builder(base_url: impl Into<String>, token: &str) -> ClientBuilder {
    Client::builder().token(token).base_url(base_url).retry_policy(RetryPolicy::none())
}

/// A client for a wiremock server at `base_url`: [`TOKEN`], one attempt per call.
pub fn client(base_url: impl Into<String>) -> Client {
    builder(base_url, TOKEN).build().expect("a client for a loopback server builds")
}

/// A client for the embedded server with its token, one attempt per call.
pub fn testkit_client(server: &TestServer) -> Client {
    testkit_builder(server).build().expect("a client for the embedded server builds")
}

/// [`testkit_client`]'s builder, for a test that sets more.
pub fn testkit_builder(server: &TestServer) -> ClientBuilder {
    builder(server.base_url(), server.token())
}

/// Recorded DevRev answers (`tests/fixtures/`).
pub mod fixtures {
    /// `accounts.create`'s answer.
    pub const ACCOUNT_CREATED: &str = include_str!("../fixtures/account_created.json");
    /// `accounts.get`'s answer.
    pub const ACCOUNT_FETCHED: &str = include_str!("../fixtures/account_fetched.json");
    /// A page of `accounts.list`.
    pub const ACCOUNTS_PAGE: &str = include_str!("../fixtures/accounts_page.json");
    /// `rev-orgs.create`'s answer.
    pub const REV_ORG_CREATED: &str = include_str!("../fixtures/rev_org_created.json");
    /// `rev-orgs.get`'s answer.
    pub const REV_ORG_FETCHED: &str = include_str!("../fixtures/rev_org_fetched.json");
    /// A page of `rev-orgs.list`.
    pub const REV_ORGS_PAGE: &str = include_str!("../fixtures/rev_orgs_page.json");
}
