//! An embedded DevRev-compatible server (work in progress).
