//! What a user installs: the workspace's publishable crates are exactly the
//! five a user adds or installs, and each package holds the license texts, the
//! changelog and a README (`cargo package --list`, which reads the files from
//! git and builds nothing). CI's `cargo package --workspace` then builds each
//! package from those files.

use std::path::Path;
use std::process::Command;

/// The crates a user adds (`cargo add devrev`, `--dev devrev-testkit`) or
/// installs (`cargo install devrev-codegen`, `devrev-testkit`), and the two
/// `devrev` depends on.
const PUBLISHED: [&str; 5] = ["devrev", "devrev-codegen", "devrev-macros", "devrev-runtime", "devrev-testkit"];

fn cargo(args: &[&str]) -> String {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_publishable_crates_are_the_five_a_user_installs() {
    let metadata: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--no-deps", "--format-version", "1", "--offline"])).unwrap();
    let mut publishable: Vec<&str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        // `publish = false` is an empty list of registries; absent (null) is crates.io.
        .filter(|p| p["publish"].as_array().is_none_or(|registries| !registries.is_empty()))
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    publishable.sort_unstable();
    assert_eq!(publishable, PUBLISHED);
    for package in metadata["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        if PUBLISHED.contains(&name) {
            assert_eq!(package["license"], "MIT OR Apache-2.0", "{name}");
            assert!(package["description"].as_str().is_some_and(|d| !d.is_empty()), "{name} has no description");
            assert!(package["readme"].as_str().is_some(), "{name} has no readme");
        }
    }
}

#[test]
fn every_package_holds_the_license_texts_the_changelog_and_a_readme() {
    for name in PUBLISHED {
        let listing = cargo(&["package", "--list", "--allow-dirty", "--offline", "-p", name]);
        let files: Vec<&str> = listing.lines().collect();
        for file in ["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md"] {
            assert!(files.contains(&file), "the {name} package lacks {file}:\n{listing}");
        }
        if name == "devrev-codegen" {
            for file in ["src/main.rs", "src/cli.rs", "src/lib.rs"] {
                assert!(files.contains(&file), "the {name} package lacks {file}:\n{listing}");
            }
        }
    }
    // The texts themselves, not empty files.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mit = std::fs::read_to_string(repo.join("codegen/LICENSE-MIT")).unwrap();
    assert!(mit.contains("Permission is hereby granted, free of charge"), "{mit}");
    let apache = std::fs::read_to_string(repo.join("codegen/LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    let changelog = std::fs::read_to_string(repo.join("codegen/CHANGELOG.md")).unwrap();
    assert!(changelog.contains("## [Unreleased]") && changelog.contains("## [0.1.0]"), "{changelog}");
}
