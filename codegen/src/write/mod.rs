//! The writers: each prints one kind of output from the plan.

pub mod conformance;
pub mod crate_source;
pub mod facts;
pub mod rust_names;
pub mod secrets;
pub mod server_table;
pub mod unions;
pub mod webhook_events;
pub mod wire_tests;
