//! Benchmarks of the devrev crate (work in progress).
