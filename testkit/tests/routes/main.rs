//! The server over HTTP: the endpoints, the edges, HTTPS, limits and faults, the request log, the spec table.
//!
//! One test binary for the area (each file a module, its tests named
//! `<file>::<test>`): the crate and its dependencies are linked once, not once
//! per file. Run one file with `cargo test -p testkit --test routes <file>::`.

#[path = "../common/mod.rs"]
mod common;

mod edges;
mod endpoints;
mod https;
mod limits_and_faults;
mod log_faults_routes;
mod spec_table;
