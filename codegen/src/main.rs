//! `devrev-codegen`: writes DevRev's API as `#[devrev_endpoint]` source.
//!
//! - `devrev-codegen <path/to/openapi-beta.yaml> <crate-dir>` regenerates the
//!   `devrev` crate itself: `<crate-dir>/src/generated/`, the feature block of
//!   its `Cargo.toml`, and the rest `devrev_codegen::run` lists.
//! - `devrev-codegen <path/to/openapi-beta.yaml> --families works,parts --out src/devrev_api
//!   [--crate ::my_devrev]` writes chosen families into a user's crate (see
//!   `devrev_codegen::run_user`).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:\n  devrev-codegen <path/to/openapi-beta.yaml> <devrev-crate-dir>\n  \
                     devrev-codegen <path/to/openapi-beta.yaml> --families <a,b,..> --out <dir> [--crate <path>]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = std::time::Instant::now();
    let result = match args.as_slice() {
        [spec, crate_dir] if !crate_dir.starts_with("--") => {
            devrev_codegen::run(&PathBuf::from(spec), &PathBuf::from(crate_dir))
        }
        [spec, rest @ ..] => match user_args(rest) {
            Ok((families, out, root)) => devrev_codegen::run_user(&PathBuf::from(spec), &out, &families, &root),
            Err(e) => Err(format!("{e}\n{USAGE}")),
        },
        [] => Err(USAGE.to_owned()),
    };
    match result {
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

/// `--families a,b --out dir [--crate path]`, in any order.
fn user_args(args: &[String]) -> Result<(Vec<String>, PathBuf, String), String> {
    let (mut families, mut out, mut root) = (None, None, "::devrev".to_owned());
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--families" => {
                let list: Vec<String> =
                    value.split(',').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect();
                if list.is_empty() {
                    return Err("--families needs at least one family (`works,parts`)".to_owned());
                }
                families = Some(list);
            }
            "--out" => out = Some(PathBuf::from(value)),
            "--crate" => {
                let path = value.trim();
                let valid = path.trim_start_matches("::").split("::").all(|seg| {
                    seg.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
                if !valid {
                    return Err(format!("--crate takes a path such as `::my_devrev`, not `{value}`"));
                }
                root = if path.starts_with("::") || path.starts_with("crate") {
                    path.to_owned()
                } else {
                    format!("::{path}")
                };
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let families = families.ok_or("--families is required")?;
    let out = out.ok_or("--out is required")?;
    Ok((families, out, root))
}
