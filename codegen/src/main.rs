//! `cargo run -p devrev-codegen -- <path/to/openapi-beta.yaml> <crate-dir>`:
//! regenerates `<crate-dir>/src/generated/` and the feature block of
//! `<crate-dir>/Cargo.toml` from DevRev's OpenAPI spec.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [spec, crate_dir] = args.as_slice() else {
        eprintln!("usage: devrev-codegen <path/to/openapi-beta.yaml> <crate-dir>");
        return ExitCode::from(2);
    };
    let started = std::time::Instant::now();
    match devrev_codegen::run(&PathBuf::from(spec), &PathBuf::from(crate_dir)) {
        Ok(summary) => {
            // A closed stdout (`| head`) is not an error of the generator.
            let _ = writeln!(std::io::stdout(), "{summary}\ndone in {:.2?}", started.elapsed());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
