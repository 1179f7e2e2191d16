//! `devrev-codegen`: writes DevRev's API as `#[devrev_endpoint]` source.
//!
//! - `devrev-codegen generate <SPEC> --families works,parts --out src/devrev_api
//!   [--crate ::my_devrev]` writes chosen families into a user's crate (see
//!   `devrev_codegen::run_user`).
//! - `devrev-codegen families <SPEC>` lists the families a spec holds, with
//!   their operation counts.
//! - `devrev-codegen <SPEC> <DEVREV_CRATE_DIR>` regenerates the `devrev` crate
//!   itself: `<crate-dir>/src/generated/`, the feature block of its
//!   `Cargo.toml`, and the rest `devrev_codegen::run` lists (the command every
//!   generated file's first line names).
//!
//! The command line is in `cli.rs`.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main(std::env::args_os().collect())
}
