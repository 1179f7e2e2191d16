//! Opt-in: regenerating from DevRev's spec (`DEVREV_OPENAPI_SPEC`) gives
//! exactly the checked-in `src/generated/`, `tests/generated_wire.rs`,
//! `tests/generated_webhook_events.rs`, `tests/generated_conformance.rs`,
//! `tests/generated_secrets.rs`, the
//! feature block of the root `Cargo.toml` and the family table of
//! `README.md`. Without the variable it prints a skip line.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

const SPEC_VAR: &str = "DEVREV_OPENAPI_SPEC";

fn files_under(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), text);
            }
        }
    }
    out
}

fn feature_block(toml: &str) -> &str {
    let start = toml.find(devrev_codegen::write::crate_source::FEATURES_BEGIN).expect("feature block start");
    let end = toml.find(devrev_codegen::write::crate_source::FEATURES_END).expect("feature block end");
    &toml[start..end]
}

#[test]
fn checked_in_output_matches_a_fresh_run() {
    let Some(spec) = std::env::var_os(SPEC_VAR).filter(|v| !v.is_empty()) else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: set {SPEC_VAR}=/path/to/openapi-beta.yaml to check src/generated/ against a fresh generator run"
        );
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let tmp = std::env::temp_dir().join(format!("devrev-codegen-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    for file in ["Cargo.toml", "rustfmt.toml", "README.md"] {
        std::fs::copy(repo.join(file), tmp.join(file)).unwrap();
    }
    // The hand-written companions decide which generated families re-export them,
    // and which generated models declare theirs (`src/models/`).
    for dir in ["src/extras", "src/models"] {
        std::fs::create_dir_all(tmp.join(dir)).unwrap();
        for entry in std::fs::read_dir(repo.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                std::fs::copy(&path, tmp.join(dir).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    // The generated conformance test names the checker's modules, which rustfmt follows.
    std::fs::create_dir_all(tmp.join("tests/spec_conformance")).unwrap();
    for entry in std::fs::read_dir(repo.join("tests/spec_conformance")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, tmp.join("tests/spec_conformance").join(path.file_name().unwrap())).unwrap();
    }
    devrev_codegen::run(Path::new(&spec), &tmp).unwrap();

    let fresh = files_under(&tmp.join("src/generated"));
    let checked_in = files_under(&repo.join("src/generated"));
    let mut problems = Vec::new();
    for (path, text) in &fresh {
        match checked_in.get(path) {
            None => problems.push(format!("missing from src/generated: {}", path.display())),
            Some(old) if old != text => problems.push(format!("differs: src/generated/{}", path.display())),
            Some(_) => {}
        }
    }
    for path in checked_in.keys().filter(|p| !fresh.contains_key(*p)) {
        problems.push(format!("not generated any more: src/generated/{}", path.display()));
    }
    for wire in [
        "tests/generated_wire.rs",
        "tests/generated_webhook_events.rs",
        "tests/generated_conformance.rs",
        "tests/generated_secrets.rs",
    ] {
        if std::fs::read_to_string(tmp.join(wire)).unwrap()
            != std::fs::read_to_string(repo.join(wire)).unwrap_or_default()
        {
            problems.push(format!("differs: {wire}"));
        }
    }
    let tables = devrev_codegen::write::server_table::PATH;
    if std::fs::read_to_string(tmp.join(tables)).unwrap()
        != std::fs::read_to_string(repo.join(tables)).unwrap_or_default()
    {
        problems.push(format!("differs: {tables}"));
    }
    let toml_fresh = std::fs::read_to_string(tmp.join("Cargo.toml")).unwrap();
    let toml_repo = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    if feature_block(&toml_fresh) != feature_block(&toml_repo) {
        problems.push("the feature block of Cargo.toml differs".to_owned());
    }
    let readme_fresh = std::fs::read_to_string(tmp.join("README.md")).unwrap();
    let readme_repo = std::fs::read_to_string(repo.join("README.md")).unwrap();
    if readme_fresh != readme_repo {
        problems.push("the family table of README.md differs".to_owned());
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        problems.is_empty(),
        "regenerate with `cargo run -p devrev-codegen -- $DEVREV_OPENAPI_SPEC .` and review the diff:\n{}",
        problems.join("\n")
    );
}
