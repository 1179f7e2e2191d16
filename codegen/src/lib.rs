//! `devrev-codegen`: reads DevRev's OpenAPI spec and writes the `devrev`
//! crate's generated API (`src/generated/`) as `#[devrev_endpoint]` structs.
//!
//! Three steps, each testable alone: [`spec`] reads the document, [`plan`]
//! decides names, families, feature closures and derives, [`emit`] writes
//! the files. [`run`] chains them and formats the output with `rustfmt`.

pub mod emit;
pub mod events;
pub mod plan;
pub mod spec;
pub mod wire;

use std::path::Path;
use std::process::Command;

/// Generates into the crate at `crate_dir`: rewrites `src/generated/` and the
/// feature block of `Cargo.toml`. Returns a one-line summary.
pub fn run(spec_path: &Path, crate_dir: &Path) -> Result<String, String> {
    let spec = spec::Spec::load(spec_path)?;
    let mut plan = plan::plan(&spec)?;
    plan.companions = plan
        .families
        .keys()
        .filter(|family| crate_dir.join(format!("src/extras/{}.rs", plan::module_name(family))).exists())
        .cloned()
        .collect();
    let mut output = emit::emit(&plan);
    output.files.insert("tests/generated_wire.rs".to_owned(), wire::wire_tests(&spec, &plan));
    events::add(&spec, &plan, &mut output.files)?;

    let generated = crate_dir.join("src/generated");
    if generated.exists() {
        std::fs::remove_dir_all(&generated).map_err(|e| format!("removing {}: {e}", generated.display()))?;
    }
    let mut written = Vec::new();
    for (path, text) in &output.files {
        let path = crate_dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        written.push(path);
    }
    rustfmt(&written)?;
    update_features(&crate_dir.join("Cargo.toml"), &output.features)?;
    update_readme(&crate_dir.join("README.md"), &output.table)?;

    Ok(summary(&plan, output.files.len()))
}

/// What was generated, in a few lines: families, operations, types, and each
/// operation left out with its reason.
pub fn summary(plan: &plan::Plan, files: usize) -> String {
    let mut generated_ops = 0;
    let mut skipped = Vec::new();
    for endpoint in plan.endpoints() {
        match endpoint {
            plan::Endpoint::Single { .. } => generated_ops += 1,
            plan::Endpoint::Twin { .. } => generated_ops += 2,
            plan::Endpoint::Skipped { op, reason } => skipped.push(format!("  {} {}: {reason}", op.method, op.path)),
        }
    }
    let families = plan
        .families
        .values()
        .filter(|f| f.endpoints.iter().any(|e| !matches!(e, plan::Endpoint::Skipped { .. })))
        .count();
    let hand = plan.types.values().filter(|t| matches!(t.kind, plan::Kind::HandWritten)).count();
    format!(
        "{families} families, {generated_ops} operations generated ({} more in the hand-written families), \
         {} types generated and {hand} reused from src/models, {files} files\nnot generated:\n{}",
        plan.hand_written_ops,
        plan.types.len() - hand,
        skipped.join("\n"),
    )
}

fn rustfmt(paths: &[std::path::PathBuf]) -> Result<(), String> {
    if paths.is_empty() {
        return Ok(());
    }
    let status = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
        .arg("--edition")
        .arg("2021")
        .args(paths)
        .status()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("rustfmt failed: {status}"))
    }
}

/// Replaces the lines between the feature markers in `Cargo.toml` (the
/// markers must be there already, inside `[features]`).
fn update_features(path: &Path, block: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let updated = replace_features(&text, block).ok_or_else(|| {
        format!("{}: no `{}` ... `{}` lines", path.display(), emit::FEATURES_BEGIN, emit::FEATURES_END)
    })?;
    write_if_changed(path, &text, &updated)
}

/// Replaces the family table in `README.md`, if the file has its markers.
fn update_readme(path: &Path, block: &str) -> Result<(), String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(()) };
    match replace_block(&text, emit::TABLE_BEGIN, emit::TABLE_END, block) {
        Some(updated) => write_if_changed(path, &text, &updated),
        None => Ok(()),
    }
}

fn write_if_changed(path: &Path, old: &str, new: &str) -> Result<(), String> {
    if old != new {
        std::fs::write(path, new).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(())
}

/// `text` with the feature block replaced, or `None` without markers.
pub fn replace_features(text: &str, block: &str) -> Option<String> {
    replace_block(text, emit::FEATURES_BEGIN, emit::FEATURES_END, block)
}

/// `text` with the lines from the one starting `begin` to the one starting
/// `end` (both included) replaced by `block`, or `None` without them.
pub fn replace_block(text: &str, begin: &str, end: &str, block: &str) -> Option<String> {
    let start = text.find(begin)?;
    let end_marker = text[start..].find(end)? + start;
    let end = text[end_marker..].find('\n').map_or(text.len(), |i| end_marker + i + 1);
    Some(format!("{}{}{}", &text[..start], block, &text[end..]))
}
