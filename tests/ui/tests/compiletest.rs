//! The compile-time contract of `#[devrev_endpoint]` and `#[derive(Page)]`.
//!
//! `fail/` holds one file per mistake with the exact compiler output a user
//! sees (`.stderr`); `pass/` holds every accepted shape, each calling the
//! generated methods so their signatures are checked too. Regenerate the
//! `.stderr` files after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p devrev-ui-tests`, then read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("fail/*.rs");
    t.pass("pass/*.rs");
}
