//! Shared parts of the devrev benchmarks: realistic fixtures, a minimal
//! loopback server, the hand-written reqwest client the generated code is
//! compared with, a `rev-orgs.list` endpoint with pagination, and small
//! statistics and `/proc` helpers.
//!
//! The benchmarks themselves are `src/bin/overhead.rs` (request overhead),
//! `src/bin/stream_memory.rs` (streaming memory), `benches/decode.rs`
//! (decode throughput, criterion) and `compile/compile_bench.py` (compile
//! time); `BENCHMARKS.md` at the repository root says how to run them.

pub mod fixtures;
pub mod handwritten;
pub mod list;
pub mod server;
pub mod stats;
pub mod sys;

/// The error type of the benchmark binaries: anything printable.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
