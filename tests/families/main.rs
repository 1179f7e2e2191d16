//! The hand-written families' calls on the wire and against the embedded server: accounts, rev orgs, explicit nulls, the edges.
//!
//! One test binary for the area (each file a module, its tests named
//! `<file>::<test>`): the crate and its dependencies are linked once, not once
//! per file. Run one file with `cargo test -p devrev --test families <file>::`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/wire.rs"]
mod wire_support;

mod accounts;
#[cfg(all(feature = "recommendations", feature = "tags"))]
mod edges_client;
#[cfg(feature = "works")]
mod explicit_null;
mod rev_orgs;
mod rev_orgs_create;
mod rev_orgs_lifecycle;
