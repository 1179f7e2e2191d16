//! Cursor pagination: against wiremock and the embedded server.
//!
//! One test binary for the area (each file a module, its tests named
//! `<file>::<test>`): the crate and its dependencies are linked once, not once
//! per file. Run one file with `cargo test -p devrev --test pagination <file>::`.

#[path = "../common/mod.rs"]
mod common;

mod pagination;
mod pagination_direction;
