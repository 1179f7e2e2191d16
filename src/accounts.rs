//! The accounts family (work in progress).
