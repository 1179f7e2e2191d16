//! References: every ID a request names (a field the spec marks
//! `format: id`) is checked before the request is served.
//!
//! - An ID that is neither a DON ID (`don:core:dvrv-us-1:devo/1:issue/3`)
//!   nor a display ID (`ISS-3`) is 400 `invalid_id` naming the field, in
//!   any request (a list filter too: a quoted `"PROD-1"` matches nothing on
//!   DevRev, so it is refused here rather than silently matching nothing).
//! - In a request that changes something (`create`, `update`, `add`, ...),
//!   an ID of a kind the server keeps (works, parts, tags, dev users,
//!   accounts, rev orgs, ...) must name an object it holds: else 404
//!   `not_found` naming the field. IDs of kinds the server only synthesizes
//!   are accepted as they are.
//! - Fields that name one kind of object (`applies_to_part`, `parent_part`,
//!   `owned_by`, `account`, `rev_org`, `tags`) refuse an ID of another kind
//!   with 400 `unexpected_id_type`.
//! - A work's `stage.name` must be a stage of its type's stage diagram (or
//!   a custom stage created with `stages.custom.create`): else 400
//!   `invalid_field`.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde_json::Value;

use crate::error::ApiError;
use crate::families::works::stages;
use crate::family::family_and_verb;
use crate::generic::property_in;
use crate::spec::API;
use crate::store::State;
use crate::synth;

/// Every DON type segment and display prefix the server gives its objects,
/// with whether it keeps objects of that kind.
struct Kinds {
    kept: HashSet<String>,
    known: HashSet<String>,
}

static KINDS: LazyLock<Kinds> = LazyLock::new(|| {
    let state = State::new(0, std::sync::Arc::new(crate::clock::Time::new(crate::clock::Clock::Wall)));
    let mut kept = HashSet::new();
    let mut known = HashSet::new();
    for family in state.families.values() {
        let Some(key) = family.key.as_deref() else { continue };
        let types: Vec<&str> =
            if family.variants.is_empty() { vec![key] } else { family.variants.iter().map(String::as_str).collect() };
        for ty in types {
            let (_, segment, prefix) = synth::id_parts(ty);
            known.insert(segment.clone());
            known.insert(prefix.clone());
            if family.kept {
                kept.insert(segment);
                kept.insert(prefix);
            }
        }
    }
    for kind in ["account", "ACC", "revo", "REV", "devu", "DEVU"] {
        kept.insert(kind.to_owned());
        known.insert(kind.to_owned());
    }
    Kinds { kept, known }
});

/// The kind an ID names: its DON type segment (`issue`) or display prefix (`ISS`).
/// `None` for a string that is neither form.
pub(crate) fn kind_of(id: &str) -> Option<&str> {
    let id = id.trim();
    if let Some(rest) = id.strip_prefix("don:") {
        let parts: Vec<&str> = rest.split(':').collect();
        let well_formed = parts.len() >= 4
            && parts[..3].iter().all(|p| !p.is_empty())
            && parts[2].starts_with("devo/")
            && parts[3..].iter().all(|p| p.split_once('/').is_some_and(|(s, k)| !s.is_empty() && !k.is_empty()));
        return if well_formed { parts.last()?.split_once('/').map(|(segment, _)| segment) } else { None };
    }
    let (prefix, key) = id.split_once('-')?;
    let prefix_ok = !prefix.is_empty()
        && prefix.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && prefix.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let key_ok = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (prefix_ok && key_ok).then_some(prefix)
}

/// The kinds a field of that name may name, if it names one kind.
fn expected(field: &str) -> Option<(&'static [&'static str], &'static str)> {
    const PART: &[&str] =
        &["product", "capability", "feature", "enhancement", "PROD", "CAPL", "FEAT", "ENH", "runnable", "linkable"];
    const USER: &[&str] = &["devu", "DEVU", "svcacc", "SVCACC", "sysu", "SYSU", "group", "GRP"];
    match field {
        "applies_to_part" | "parent_part" | "applies_to_parts" => Some((PART, "a part")),
        "owned_by" => Some((USER, "a dev user")),
        "account" => Some((&["account", "ACC"], "an account")),
        "rev_org" => Some((&["revo", "REV"], "a rev org")),
        "tags.id" | "tag" => Some((&["tag", "TAG"], "a tag")),
        _ => None,
    }
}

/// Checks every ID `input` names for operation `op_index`.
pub(crate) fn check(state: &State, op_index: usize, input: &Value) -> Result<(), ApiError> {
    let op = &API.operations[op_index];
    let (family, verb) = family_and_verb(op);
    let mut found = Vec::new();
    walk(&op.request, input, "", &mut found, 0);
    let changes = !matches!(verb, "list" | "get" | "export" | "count" | "self" | "locate" | "fetch")
        && !op.path.starts_with("/search.");
    for (field, id) in &found {
        let Some(kind) = kind_of(id) else { return Err(ApiError::invalid_id(field, id)) };
        // `owned_by.set` names what `owned_by` does.
        let segments: Vec<&str> = field.split('.').filter(|s| !matches!(*s, "set" | "add" | "remove")).collect();
        let short = segments.last().copied().unwrap_or_default();
        let name = if segments.first() == Some(&"tags") && short == "id" { "tags.id" } else { short };
        if let Some((kinds, noun)) = expected(name) {
            if KINDS.known.contains(kind) && !kinds.contains(&kind) {
                return Err(ApiError::unexpected_id_type(field, id, noun));
            }
        }
        // The object a change acts on is the handler's: 404 there.
        if !changes || field == "id" {
            continue;
        }
        if KINDS.kept.contains(kind) && state.lookup(id).is_none() {
            return Err(ApiError::not_found(&format!("object named in `{field}`"), id));
        }
    }
    if family == "works" && matches!(verb, "create" | "update") {
        check_stage(state, input)?;
    }
    Ok(())
}

/// A work's stage: one of its type's stages, or a custom stage.
fn check_stage(state: &State, input: &Value) -> Result<(), ApiError> {
    let Some(name) = input.get("stage").and_then(|s| s.get("name")).and_then(Value::as_str) else { return Ok(()) };
    let ty = match input.get("type").and_then(Value::as_str) {
        Some(ty) => ty.to_owned(),
        None => match input.get("id").and_then(Value::as_str).and_then(|id| state.lookup(id)) {
            Some(work) => work.get("type").and_then(Value::as_str).unwrap_or_default().to_owned(),
            None => return Ok(()),
        },
    };
    let Some(diagram) = stages(&ty) else { return Ok(()) };
    if diagram.iter().any(|(stage, _)| *stage == name) || state.custom_stage(name) {
        return Ok(());
    }
    let names: Vec<&str> = diagram.iter().map(|(stage, _)| *stage).collect();
    Err(ApiError::invalid_field(
        "stage.name",
        format!("`{name}` is not a stage of a {ty}; its stages are {}", names.join(", ")),
    ))
}

/// Collects `(field path, ID)` for every string `input` holds where `schema` says `format: id`.
fn walk(schema: &Value, input: &Value, at: &str, out: &mut Vec<(String, String)>, depth: usize) {
    if depth > 12 {
        return;
    }
    let resolved = API.resolve(schema);
    match input {
        Value::String(s) if resolved.get("format").and_then(Value::as_str) == Some("id") => {
            out.push((at.to_owned(), s.clone()));
        }
        Value::Array(items) => {
            if let Some(item_schema) = resolved.get("items") {
                for item in items {
                    walk(item_schema, item, at, out, depth + 1);
                }
            }
        }
        Value::Object(fields) => {
            for (name, value) in fields {
                let path = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
                if let Some(prop) = property_in(resolved, input, name) {
                    walk(prop, value, &path, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}
