//! The client itself: beta scope, query encoding, streamed answers, bulk work, testing helpers, the README's code.
//!
//! One test binary for the area (each file a module, its tests named
//! `<file>::<test>`): the crate and its dependencies are linked once, not once
//! per file. Run one file with `cargo test -p devrev --test client <file>::`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/wire.rs"]
mod wire_support;

mod beta_scope;
mod bulk;
mod query_encoding;
mod readme;
mod sse;
mod testing_client;
