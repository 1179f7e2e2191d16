//! The engine: the store's objects and their state, operation by operation and swept over the spec.
//!
//! One test binary for the area (each file a module, its tests named
//! `<file>::<test>`): the crate and its dependencies are linked once, not once
//! per file. Run one file with `cargo test -p testkit --test engine <file>::`.

#[path = "../common/mod.rs"]
mod common;

mod auth_tokens;
mod engine;
mod engine_sweep;
mod generic_state;
