//! Reliability: the fault matrix, retries, tracing and secrets, decoding properties, the testkit's faults,
//! certificates the client does not trust.
//!
//! One test binary for the area (each file a module, its tests named
//! `<file>::<test>`): the crate and its dependencies are linked once, not once
//! per file. Run one file with `cargo test -p devrev --test reliability <file>::`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/reliability.rs"]
mod reliability_support;

mod reliability_decode_props;
mod reliability_faults;
mod reliability_observability;
mod reliability_retry;
mod reliability_testkit_faults;
mod reliability_tls;
