//! Webhooks: the verifier, the receiver's modes, deliveries from the embedded server, testing a receiver.
//!
//! One test binary for the area (each file a module, its tests named
//! `<file>::<test>`): the crate and its dependencies are linked once, not once
//! per file. Run one file with `cargo test -p devrev --test webhooks <file>::`.

#[cfg(all(feature = "works", feature = "parts", feature = "dev-users", feature = "axum"))]
mod webhooks_delivery;
mod webhooks_receiver;
mod webhooks_testing;
mod webhooks_verify;
