//! Opt-in (`DEVREV_OPENAPI_SPEC`): the generator as a user installs and runs
//! it. `cargo install --path codegen` into a temporary root; from a fresh
//! crate outside the repository, whose only dependencies are the README's
//! (`devrev`, here renamed `my_devrev` so every path goes through `crate =
//! ...`, `serde`, `serde_json`), the installed binary answers `--help` and
//! `--version`, lists the spec's families (`families`) and writes **every**
//! family that has a typed call (`generate`); the crate builds without a
//! warning and its tests pass: a request on the wire, an answer decoded,
//! pagination wired, a `date` field (chrono, named through
//! `my_devrev::__private`) decoded and encoded. Without the variable it prints
//! a skip line.
//!
//! The install and the crate build `--offline` against the workspace's
//! `Cargo.lock`, in one target directory under `target/` (kept between runs).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

const SPEC_VAR: &str = "DEVREV_OPENAPI_SPEC";

const USER_TEST: &str = r##"
// The generated code must not warn in a user's crate.
#![deny(warnings)]

// Private, as a binary would declare it: unused generated items must not warn.
mod devrev_api;

#[cfg(test)]
mod tests {
use super::devrev_api::model::{FieldValueDateValue, WorkType, WorksCreateRequestIssue};
use super::devrev_api::works::{WorksCreateRequest, WorksListRequest, WorksListResponse};

#[test]
fn a_generated_request_serializes_as_devrev_expects() {
    let request = WorksCreateRequest::new("don:core:dvrv-us-1:devo/1:part/1", ["DEVU-1"], "Fix login", WorksCreateRequestIssue::new())
        .body("Steps to reproduce");
    let body = serde_json::to_value(&request).unwrap();
    assert_eq!(body["type"], "issue");
    assert_eq!(body["title"], "Fix login");
    assert_eq!(body["owned_by"], serde_json::json!(["DEVU-1"]));
    assert_eq!(body["body"], "Steps to reproduce");
    assert_eq!(<WorksCreateRequest as my_devrev::Endpoint>::PATH, "/works.create");
}

#[test]
fn a_generated_answer_decodes_and_pages() {
    let page: WorksListResponse = serde_json::from_str(r#"{"works": [], "next_cursor": "c2"}"#).unwrap();
    assert_eq!(my_devrev::Page::next_cursor(&page), Some("c2"));
    // Pagination is wired: `items` exists on the list request.
    fn _compiles(client: &my_devrev::Client) {
        let _ = WorksListRequest::new().items(client);
    }
    assert_eq!(WorkType::Issue.as_str(), "issue");
    assert_eq!("bug_fix".parse::<WorkType>().unwrap(), WorkType::Unknown("bug_fix".to_owned()));
}

// A `date` field is chrono's NaiveDate, which this crate reaches only through devrev.
#[test]
fn a_date_field_decodes_and_encodes_without_a_chrono_dependency() {
    let value: FieldValueDateValue = serde_json::from_str(r#"{"value": "2024-01-24"}"#).unwrap();
    assert_eq!(value.value.to_string(), "2024-01-24");
    assert_eq!(serde_json::to_value(&value).unwrap(), serde_json::json!({"value": "2024-01-24"}));
    assert!(serde_json::from_str::<FieldValueDateValue>(r#"{"value": "24.01.2024"}"#).is_err());
}
}
"##;

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn the_installed_generator_writes_every_family_into_a_crate_that_builds() {
    let Some(spec) = std::env::var_os(SPEC_VAR).filter(|v| !v.is_empty()) else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: set {SPEC_VAR}=/path/to/openapi-beta.yaml to install the generator, generate every family \
             into a temporary crate and build it"
        );
        return;
    };
    let spec = std::path::absolute(spec).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // One target directory for the install and the crate: the dependencies they share build once.
    let target = repo.join("target/user-generation");
    let tmp = std::env::temp_dir().join(format!("devrev-user-generation-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (root, dir) = (tmp.join("root"), tmp.join("my-crate"));
    std::fs::create_dir_all(dir.join("src")).unwrap();

    // The install, as the README says (`--debug` spares a release build of the
    // generator's dependencies; `--locked --offline`: the workspace's lock, no network).
    run(Command::new(&cargo)
        .args(["install", "--quiet", "--debug", "--locked", "--offline", "--path"])
        .arg(repo.join("codegen"))
        .arg("--root")
        .arg(&root)
        .env("CARGO_TARGET_DIR", &target));
    let bin = root.join("bin").join(format!("devrev-codegen{}", std::env::consts::EXE_SUFFIX));
    let codegen = |args: &[&std::ffi::OsStr]| run(Command::new(&bin).args(args).current_dir(&dir));

    let version = codegen(&["--version".as_ref()]);
    assert_eq!(String::from_utf8_lossy(&version.stdout), format!("devrev-codegen {}\n", env!("CARGO_PKG_VERSION")));
    let help = String::from_utf8_lossy(&codegen(&["--help".as_ref()]).stdout).into_owned();
    assert!(help.contains("devrev-codegen generate <SPEC> --families <FAMILIES> --out <DIR>"), "{help}");

    // Every family with an operation that is a typed call (all but keyrings, today).
    let listing = String::from_utf8_lossy(&codegen(&["families".as_ref(), spec.as_os_str()]).stdout).into_owned();
    let families: Vec<&str> = listing
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            let (name, ops) = (cols.next()?, cols.next()?.parse::<usize>().ok()?);
            (ops > 0).then_some(name)
        })
        .collect();
    assert!(families.len() >= 60 && families.contains(&"works"), "{listing}");
    let summary = listing.lines().last().unwrap();
    assert!(summary.starts_with(&format!("{} families, ", families.len() + 1)), "{listing}");

    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"user-generation-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [lib]\ndoctest = false\n\n\
             [dependencies]\nmy_devrev = {{ package = \"devrev\", path = {:?} }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n[workspace]\n",
            repo.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), USER_TEST).unwrap();

    let all = families.join(",");
    let out = codegen(&[
        "generate".as_ref(),
        spec.as_os_str(),
        "--families".as_ref(),
        all.as_ref(),
        "--crate".as_ref(),
        "my_devrev".as_ref(),
        "--out".as_ref(),
        "src/devrev_api".as_ref(),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("{} families, ", families.len())));
    let works = std::fs::read_to_string(dir.join("src/devrev_api/works/mod.rs")).unwrap();
    assert!(works.starts_with(&format!(
        "// @generated by `devrev-codegen generate <path/to/openapi-beta.yaml> --families {all} --crate ::my_devrev --out src/devrev_api`"
    )));
    assert!(works.contains("#[devrev_endpoint(POST, \"/works.create\", crate = ::my_devrev)]"));

    let output = run(Command::new(&cargo)
        .args(["test", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&dir));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("3 passed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&tmp);
}
