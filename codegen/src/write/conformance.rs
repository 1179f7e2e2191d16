//! Writes `tests/generated_conformance.rs`: every generated operation and
//! model checked against DevRev's spec, read at test time from
//! `DEVREV_OPENAPI_SPEC` by the checker in `tests/spec_conformance/` (not by
//! this generator's plan, so a mistake shared by the plan and a model cannot
//! hide).
//!
//! What this file decides is only which Rust type stands for which
//! operation or schema, and how to build values of the request types:
//! - each operation (both forms of a `GET`/`POST` pair; a `*QueryRequest`
//!   against its `GET`'s query parameters): a request with `new(..)` and
//!   every setter applied, nested request structs built the same way down to
//!   [`FULL_LEVELS`] objects (`full_<type>` functions), sends only the spec's
//!   fields, each of them, with the spec's JSON types and enum values;
//!   `new(..)` alone sends exactly the required fields; the answer type's
//!   fields are the success answer's properties and spec-shaped answers
//!   decode;
//! - each generated model: a struct's fields (read from serde) are exactly
//!   the schema's properties (`allOf` merged) and spec-shaped instances
//!   decode (and, for types sent in requests, encode back unchanged); a
//!   union decodes each variant as itself; an enum decodes each value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::crate_source::header;
use super::wire_tests::{raw_string, type_path, Writer};
use crate::plan::{query_form, setter_name, Endpoint, Field, Kind, Plan, Source, Ty, TypeDef};

/// The file this module writes.
pub const TEST_FILE: &str = "tests/generated_conformance.rs";

/// Nested request objects get every setter down to this many levels below
/// the request (deeper: `new(..)` only); the check expects every property
/// down to there.
pub const FULL_LEVELS: usize = 3;

/// Mismatches the check finds where the spec contradicts itself, each with
/// why the generated code is right: (a part of the message, the reason).
const EXCEPTIONS: &[(&str, &str)] = &[];

const PRELUDE: &str = r#"#![cfg(feature = "full")]
// Requests and models name DevRev's deprecated fields and operations too.
#![allow(deprecated)]

// The checker, shared with `tests/spec_conformance.rs` (each uses a part).
#[path = "spec_conformance/checks.rs"]
mod checks;
#[allow(dead_code)]
#[path = "spec_conformance/introspect.rs"]
mod introspect;
#[allow(dead_code)]
#[path = "spec_conformance/openapi.rs"]
mod openapi;

use openapi::Spec;

/// One operation: builds its requests and checks them and its answer.
type OperationCheck = fn(&Spec, &mut Vec<String>);

/// One model: (schema pointer, label, what to check).
type ModelCheck = fn(&Spec, &str, &str, &mut Vec<String>);

#[test]
fn every_operation_matches_the_spec() {
    let Some(spec) = checks::spec() else { return };
    checks::on_big_stack(move || {
        let mut problems = Vec::new();
        for (_, check) in OPERATIONS {
            check(spec, &mut problems);
        }
        checks::finish("generated operations", OPERATIONS.len(), &problems, EXCEPTIONS);
    });
}

#[test]
fn every_model_matches_the_spec() {
    let Some(spec) = checks::spec() else { return };
    checks::on_big_stack(move || {
        let mut problems = Vec::new();
        for (pointer, label, check) in MODELS {
            check(spec, pointer, label, &mut problems);
        }
        checks::finish("generated models", MODELS.len(), &problems, EXCEPTIONS);
    });
}
"#;

/// A Rust identifier for a schema key.
fn ident(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// `name` without a raw identifier's `r#`.
/// Escapes a schema key for a JSON pointer.
fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

struct Gen<'a> {
    writer: Writer<'a>,
    plan: &'a Plan,
    /// The request structs of operations (their setters may be `set_<name>`).
    endpoints: BTreeSet<String>,
}

impl Gen<'_> {
    /// Whether `full_<key>` exists: a generated type a request sends.
    fn buildable(&self, key: &str) -> bool {
        self.plan.types.get(key).is_some_and(|t| {
            t.ser
                && !t.synthetic
                && match &t.kind {
                    Kind::Struct(_) => true,
                    Kind::Union { variants, .. } => !variants.is_empty(),
                    _ => false,
                }
        })
    }

    /// An expression of exactly type `ty` for a value nested at `level`
    /// (a Rust expression), with every setter applied while the level allows.
    fn exact(&self, ty: &Ty, level: &str) -> Option<String> {
        Some(match ty {
            Ty::String => "String::from(\"x\")".to_owned(),
            Ty::Secret => "devrev::Secret::from(\"x\")".to_owned(),
            Ty::Bool => "true".to_owned(),
            Ty::I32 | Ty::I64 => "1".to_owned(),
            Ty::F32 | Ty::F64 => "1.5".to_owned(),
            Ty::DateTime => "\"2024-01-01T00:00:00Z\".parse::<devrev::models::Timestamp>().unwrap()".to_owned(),
            Ty::Date => "\"2024-01-01\".parse::<chrono::NaiveDate>().unwrap()".to_owned(),
            // Any JSON: a string, which a query string can carry too.
            Ty::Json => "serde_json::json!(\"x\")".to_owned(),
            // One entry, so that a map parameter goes into a query too.
            Ty::JsonMap => "serde_json::Map::from_iter([(String::from(\"k\"), serde_json::json!(\"x\"))])".to_owned(),
            Ty::Map(inner) => {
                format!("std::collections::BTreeMap::from([(String::from(\"k\"), {})])", self.exact(inner, level)?)
            }
            Ty::Vec(item) => format!("vec![{}]", self.exact(item, level)?),
            Ty::Named(key) => {
                let t = self.plan.types.get(key)?;
                match &t.kind {
                    Kind::Enum(values) => format!("{:?}.parse::<{}>().unwrap()", values.first()?.1, type_path(t)),
                    Kind::Alias(inner) => self.exact(inner, level)?,
                    _ if self.buildable(key) => format!("full_{}({level})", ident(key)),
                    _ => {
                        let json = self.writer.json_of(key)?;
                        format!("serde_json::from_str::<{}>({}).unwrap()", type_path(t), raw_string(&json.to_string()))
                    }
                }
            }
        })
    }

    /// `full_<key>(level)`: `new(..)`, then (above [`FULL_LEVELS`]) every setter.
    fn builder(&self, t: &TypeDef, out: &mut String) -> Option<()> {
        let path = type_path(t);
        let name = ident(&t.key);
        let mut body = String::new();
        match &t.kind {
            Kind::Struct(fields) => {
                let mut args = Vec::new();
                for f in fields.iter().filter(|f| f.required) {
                    // A flattened union's fields sit in the same object.
                    let level = if f.flatten { "level" } else { "level + 1" };
                    let value = self.exact(&f.ty, level)?;
                    // A required list of a type that holds itself ends below the levels.
                    args.push(match &f.ty {
                        Ty::Vec(item) if matches!(**item, Ty::Named(_)) => {
                            format!("if level >= {FULL_LEVELS} {{ Vec::new() }} else {{ {value} }}")
                        }
                        _ => value,
                    });
                }
                let mut setters = String::new();
                for f in fields.iter().filter(|f| !f.required) {
                    let _ = write!(setters, "\n        .{}({})", self.setter(t, f), self.exact(&f.ty, "level + 1")?);
                }
                if setters.is_empty() {
                    let _ = write!(body, "{path}::new({})", args.join(", "));
                } else {
                    let _ = write!(
                        body,
                        "let value = {path}::new({});\n    if level >= {FULL_LEVELS} {{\n        return value;\n    }}\n    value{setters}",
                        args.join(", ")
                    );
                }
            }
            Kind::Union { variants, .. } => {
                let first = variants.first()?;
                let value = self.exact(&first.ty, "level")?;
                let value = if first.boxed { format!("Box::new({value})") } else { value };
                let _ = write!(body, "{path}::{}({value})", first.name);
            }
            _ => return None,
        }
        let param = if body.contains("level") { "level" } else { "_level" };
        let _ = write!(out, "\nfn full_{name}({param}: usize) -> {path} {{\n    {body}\n}}\n");
        Some(())
    }

    /// The setter of an optional field.
    fn setter(&self, owner: &TypeDef, f: &Field) -> String {
        setter_name(&f.ident, !f.nullable && self.endpoints.contains(&owner.key))
    }

    /// The check of one operation, named `name`, for the request struct
    /// `struct_path` (`convert` when it is the other form of a pair, built from
    /// the request type's `full_` function: a twin's `GET`, `{Op}QueryRequest`).
    fn operation(&self, fn_name: &str, struct_path: &str, t: &TypeDef, convert: bool, out: &mut String) -> bool {
        // At `FULL_LEVELS` a builder is `new(..)` alone, its arguments too.
        let build = |level: usize| {
            if convert {
                format!("{struct_path}::from(full_{}({level}))", ident(&t.key))
            } else {
                format!("full_{}({level})", ident(&t.key))
            }
        };
        let (full, minimal) = (build(0), build(FULL_LEVELS));
        let _ = write!(
            out,
            "\nfn {fn_name}(spec: &Spec, out: &mut Vec<String>) {{\n    let minimal = {minimal};\n    let full = {full};\n    checks::request(spec, &full, &minimal, &[], {FULL_LEVELS}, out);\n    checks::answer::<{struct_path}>(spec, out);\n}}\n"
        );
        true
    }
}

/// Where the schema of a planned type sits in the spec, as a JSON pointer:
/// a named schema; the schema holding a flattened union (`<key>-kind`); or
/// an inline property schema (`<owner>-<property>`).
fn locate(source: &Source, key: &str) -> Option<String> {
    let schemas = &source.schemas;
    if schemas.contains_key(key) {
        return Some(format!("/components/schemas/{}", pointer_segment(key)));
    }
    if let Some(owner) = key.strip_suffix("-kind") {
        if schemas.contains_key(owner) {
            return Some(format!("/components/schemas/{}", pointer_segment(owner)));
        }
    }
    // The longest schema key that, with a property name, makes `key`.
    let mut owners: Vec<&String> = schemas.keys().filter(|k| key.starts_with(&format!("{k}-"))).collect();
    owners.sort_by_key(|k| std::cmp::Reverse(k.len()));
    for owner in owners {
        let property = &key[owner.len() + 1..];
        let schema = &schemas[owner];
        if schema.properties.contains_key(property) {
            return Some(format!(
                "/components/schemas/{}/properties/{}",
                pointer_segment(owner),
                pointer_segment(property)
            ));
        }
        for (i, member) in schema.all_of.iter().enumerate() {
            if member.properties.contains_key(property) {
                return Some(format!(
                    "/components/schemas/{}/allOf/{i}/properties/{}",
                    pointer_segment(owner),
                    pointer_segment(property)
                ));
            }
        }
    }
    None
}

/// The test file's text.
pub fn conformance_tests(plan: &Plan) -> String {
    let endpoints: BTreeSet<String> = plan
        .endpoints()
        .filter_map(|e| match e {
            Endpoint::Single { request, .. } | Endpoint::Twin { request, .. } => Some(request.clone()),
            Endpoint::Skipped { .. } => None,
        })
        .collect();
    let gen = Gen { writer: Writer { source: &plan.source, plan }, plan, endpoints };

    // The operations.
    let mut operations = Vec::new();
    let mut op_fns = String::new();
    for endpoint in plan.endpoints() {
        let forms = match endpoint {
            Endpoint::Single { op, request, .. } => vec![(op, request, false)],
            Endpoint::Twin { get, post, request, .. } => vec![(get, request, false), (post, request, true)],
            Endpoint::Skipped { .. } => vec![],
        };
        for (op, request, post) in forms {
            let t = &plan.types[request];
            let module = crate::plan::module_name(&op.family);
            // A twin's `GET` is `{Op}QueryRequest` (`names::query_form`); every other form is the request type's name.
            let twin_get = !post && matches!(endpoint, Endpoint::Twin { .. });
            let name = if twin_get { query_form(&t.name) } else { t.name.clone() };
            let fn_name = ident(&format!("{}_{}", op.method, op.path.trim_start_matches('/'))).to_lowercase();
            let label = format!("{} {}", op.method, op.path);
            if gen.buildable(request)
                && gen.operation(&fn_name, &format!("devrev::{module}::{name}"), t, twin_get, &mut op_fns)
            {
                operations.push((label, fn_name));
            } else {
                let _ = writeln!(op_fns, "\n// {label}: no request could be built.");
            }
        }
    }

    // The models.
    let mut models = Vec::new();
    let mut unlocated = Vec::new();
    let mut fields = 0;
    for t in plan.types.values().filter(|t| !t.synthetic) {
        let path = type_path(t);
        let sent = format!(
            "|spec, pointer, label, out| checks::sent(spec, pointer, label, &full_{}(0), {}, out)",
            ident(&t.key),
            FULL_LEVELS
        );
        let check = match &t.kind {
            Kind::Struct(list) => {
                let flattened = list.iter().any(|f| f.flatten);
                fields += list.iter().filter(|f| !f.flatten).count();
                match (t.de, flattened, t.ser) {
                    (true, false, false) => format!("checks::model::<{path}>"),
                    (true, false, true) => format!("checks::model_sent::<{path}>"),
                    (true, true, false) => format!("checks::decodes_at::<{path}>"),
                    (true, true, true) => format!("checks::decodes_sent::<{path}>"),
                    (false, ..) if gen.buildable(&t.key) => sent,
                    (false, ..) => continue,
                }
            }
            Kind::Enum(_) => format!(
                "|spec, pointer, label, out| checks::string_enum::<{path}>(spec, pointer, label, |e| matches!(e, {path}::Unknown(_)), out)"
            ),
            Kind::Union { .. } if t.de => format!(
                "|spec, pointer, label, out| checks::union::<{path}>(spec, pointer, label, |u| (!matches!(u, {path}::Unknown(_))).then(|| u.type_name().to_owned()), out)"
            ),
            Kind::Union { .. } if gen.buildable(&t.key) => sent,
            // Aliases (nothing of their own) and hand-written models.
            _ => continue,
        };
        match locate(&plan.source, &t.key) {
            Some(pointer) => models.push((pointer, t.key.clone(), check)),
            // A request of its own query parameters: checked as its operation.
            None if gen.endpoints.contains(&t.key) => {}
            None => unlocated.push(t.key.clone()),
        }
    }

    // The builders of the types a request sends, those the checks reach.
    let mut builders: BTreeMap<String, String> = BTreeMap::new();
    for t in plan.types.values().filter(|t| gen.buildable(&t.key)) {
        let mut text = String::new();
        if gen.builder(t, &mut text).is_none() {
            let _ = writeln!(text, "\n// {}: no value could be built.", t.key);
        }
        builders.insert(format!("full_{}(", ident(&t.key)), text);
    }
    let mut used = BTreeSet::new();
    let mut pending: Vec<String> = vec![op_fns.clone(), models.iter().map(|m| m.2.clone()).collect()];
    while let Some(text) = pending.pop() {
        for (call, builder) in &builders {
            if text.contains(call.as_str()) && used.insert(call.clone()) {
                pending.push(builder.clone());
            }
        }
    }
    let builders: String =
        builders.iter().filter(|(call, _)| used.contains(*call)).map(|(_, text)| text.as_str()).collect();

    let mut out = header();
    let _ = writeln!(
        out,
        "//! Opt-in (`DEVREV_OPENAPI_SPEC`, `--features full`): every generated operation \
         ({}) and model ({}, {fields} fields) checked against DevRev's spec, read at test time by \
         `tests/spec_conformance/` (see `codegen/src/write/conformance.rs` for what is checked). Without \
         the variable it prints a `SKIPPED` line and passes:\n//!\n//! ```sh\n//! \
         DEVREV_OPENAPI_SPEC=/path/to/openapi-beta.yaml cargo test -p devrev --features full --test generated_conformance\n//! ```",
        operations.len(),
        models.len()
    );
    if !unlocated.is_empty() {
        let _ = writeln!(
            out,
            "//!\n//! Not found in the spec by key (checked only through the types that hold them): {}.",
            unlocated.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        );
    }
    out.push_str(PRELUDE);
    let _ = writeln!(
        out,
        "\n/// Mismatches where the spec contradicts itself: (a part of the message, why the code is right).\nconst EXCEPTIONS: &[(&str, &str)] = &["
    );
    for (pattern, reason) in EXCEPTIONS {
        let _ = writeln!(out, "    ({pattern:?}, {reason:?}),");
    }
    out.push_str("];\n\nconst OPERATIONS: &[(&str, OperationCheck)] = &[\n");
    for (label, fn_name) in &operations {
        let _ = writeln!(out, "    ({label:?}, {fn_name}),");
    }
    out.push_str("];\n\nconst MODELS: &[(&str, &str, ModelCheck)] = &[\n");
    for (pointer, key, check) in &models {
        let _ = writeln!(out, "    ({pointer:?}, {key:?}, {check}),");
    }
    out.push_str("];\n");
    out.push_str(&op_fns);
    out.push_str(&builders);
    out
}
