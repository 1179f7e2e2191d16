//! A downstream user's crate (work in progress).
