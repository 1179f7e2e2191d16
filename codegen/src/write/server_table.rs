//! Writes `testkit/src/spec/devrev-api.json`: the compact description of
//! DevRev's operations and schemas that the embedded server (`devrev-testkit`)
//! validates requests against and synthesizes answers from.
//!
//! It carries the spec's facts only (paths, methods, success statuses, the
//! beta and streaming marks, required sets, types, enum values and
//! discriminators), never its prose, and is written from the spec, not from
//! the client's Rust types, so that a mistake shared by a generated model and
//! the generator cannot hide from the server.
//!
//! The form is JSON Schema (draft 7) that a stock validator reads:
//! - every operation has a `request` schema (the JSON body; for a `GET` an
//!   object of its query parameters, dotted names such as
//!   `created_date.after` nested as objects) and a `response` schema (absent
//!   for a 204), each a `$ref` into the shared `definitions`;
//! - OpenAPI's `nullable` becomes a `null` in `type` (or in `enum`);
//! - `additionalProperties: false` is dropped (beside `allOf` it would refuse
//!   the other members' fields);
//! - a `oneOf` with a `discriminator` becomes the tag property's `enum` plus
//!   one `if {tag: const} then {$ref: variant}` per mapping entry, so a
//!   validator names the exact field that is wrong in the chosen variant
//!   rather than "matches none of the variants".
//!
//! - bounds are kept (`minLength`, `maxLength`, `minItems`, `maxItems`,
//!   `minimum`, `maximum`), and an integer's `int32`/`int64` format becomes
//!   its range as `minimum`/`maximum`;
//! - every operation lists the statuses the spec documents for it in
//!   `statuses`, and the answer schema of each error status in `errors`
//!   (`{"404": {"$ref": "#/definitions/error-not-found"}}`), so a client's
//!   test can hold any answer to the spec.
//!
//! `description`, examples, vendor keys and every `format` but `date-time`,
//! `date` and `id` are left out.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::plan::{Plan, Source};
use crate::spec::{ref_key, AdditionalProperties, Operation, Schema};

/// Where the description goes, relative to the workspace root.
pub const PATH: &str = "testkit/src/spec/devrev-api.json";

/// The first key of the file: what wrote it.
pub const GENERATED: &str =
    "by `cargo run -p devrev-codegen -- <path/to/openapi-beta.yaml> .` from DevRev's OpenAPI spec: do not edit";

/// The file's text: one line per operation and per definition, so diffs stay readable.
pub fn tables(plan: &Plan) -> Result<String, String> {
    let source = &plan.source;
    let mut operations = Vec::new();
    for (path, item) in &source.paths {
        for (method, op) in item.operations() {
            operations.push(operation(source, path, method, op)?);
        }
    }
    // Only the definitions the operations reach.
    let mut reached = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    for op in &operations {
        collect_refs(op, &mut todo);
    }
    let mut definitions = BTreeMap::new();
    while let Some(key) = todo.pop() {
        if !reached.insert(key.clone()) {
            continue;
        }
        let schema = source.schemas.get(&key).ok_or_else(|| format!("$ref to unknown schema `{key}`"))?;
        let converted = convert(schema)?;
        collect_refs(&converted, &mut todo);
        definitions.insert(key, converted);
    }

    let mut out = String::from("{\n");
    out.push_str(&format!("\"@generated\": {},\n", Value::String(GENERATED.to_owned())));
    out.push_str("\"operations\": [\n");
    let ops: Vec<String> = operations.iter().map(Value::to_string).collect();
    out.push_str(&ops.join(",\n"));
    out.push_str("\n],\n\"definitions\": {\n");
    let defs: Vec<String> = definitions.iter().map(|(k, v)| format!("{}: {}", Value::String(k.clone()), v)).collect();
    out.push_str(&defs.join(",\n"));
    out.push_str("\n}\n}\n");
    Ok(out)
}

fn operation(source: &Source, path: &str, method: &str, op: &Operation) -> Result<Value, String> {
    let (status, response) = op
        .responses
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .ok_or_else(|| format!("{method} {path}: no success answer"))?;
    let status: u16 = status.parse().map_err(|_| format!("{method} {path}: status `{status}`"))?;
    let response = response
        .content
        .as_ref()
        .and_then(|c| c.get("application/json"))
        .and_then(|m| m.schema.as_ref())
        .map(convert)
        .transpose()?;
    let request = if method == "GET" {
        query_schema(op)?
    } else {
        match op.request_body.as_ref().and_then(|b| b.content.get("application/json")).and_then(|m| m.schema.as_ref()) {
            Some(schema) => convert(schema)?,
            None => json!({"type": "object"}),
        }
    };
    let mut out = Map::new();
    out.insert("method".into(), json!(method));
    out.insert("path".into(), json!(path));
    out.insert("status".into(), json!(status));
    if op.availability.as_deref() == Some("beta") {
        out.insert("beta".into(), json!(true));
    }
    if op.streaming.is_some() {
        out.insert("streaming".into(), json!(true));
    }
    if op.security.as_ref().is_some_and(Vec::is_empty) {
        out.insert("auth".into(), json!(false));
    }
    out.insert("request".into(), request);
    if let Some(response) = response {
        out.insert("response".into(), response);
    }
    let mut statuses = Vec::new();
    let mut errors = Map::new();
    for (code, answer) in &op.responses {
        let code_number: u16 = code.parse().map_err(|_| format!("{method} {path}: status `{code}`"))?;
        statuses.push(code_number);
        if code.starts_with('2') {
            continue;
        }
        let answer = match &answer.reference {
            Some(r) => {
                let key = r.strip_prefix("#/components/responses/").ok_or_else(|| format!("answer $ref `{r}`"))?;
                source.responses.get(key).ok_or_else(|| format!("$ref to unknown answer `{key}`"))?
            }
            None => answer,
        };
        let schema = answer.content.as_ref().and_then(|c| c.get("application/json")).and_then(|m| m.schema.as_ref());
        if let Some(schema) = schema {
            errors.insert(code.clone(), convert(schema)?);
        }
    }
    statuses.sort_unstable();
    out.insert("statuses".into(), json!(statuses));
    if !errors.is_empty() {
        out.insert("errors".into(), Value::Object(errors));
    }
    Ok(Value::Object(out))
}

/// A `GET`'s query parameters as one object schema; `a.b` nests `b` in `a`.
fn query_schema(op: &Operation) -> Result<Value, String> {
    let mut root = Map::new();
    let mut required = BTreeSet::new();
    for param in op.parameters.iter().filter(|p| p.location == "query") {
        let schema = match &param.schema {
            Some(s) => convert(s)?,
            None => json!({"type": "string"}),
        };
        match param.name.split_once('.') {
            Some((outer, inner)) => {
                let parent =
                    root.entry(outer.to_owned()).or_insert_with(|| json!({"type": "object", "properties": {}}));
                parent["properties"][inner] = schema;
                if param.required {
                    required.insert(outer.to_owned());
                    push_required(parent, inner);
                }
            }
            None => {
                if param.required {
                    required.insert(param.name.clone());
                }
                root.insert(param.name.clone(), schema);
            }
        }
    }
    let mut out = json!({"type": "object", "properties": Value::Object(root)});
    if !required.is_empty() {
        out["required"] = json!(required);
    }
    Ok(out)
}

fn push_required(parent: &mut Value, name: &str) {
    if let Some(object) = parent.as_object_mut() {
        if let Value::Array(list) = object.entry("required").or_insert_with(|| json!([])) {
            list.push(json!(name));
        }
    }
}

/// `#/components/schemas/x` -> `#/definitions/x`.
fn reference(r: &str) -> Result<Value, String> {
    Ok(json!({"$ref": format!("#/definitions/{}", ref_key(r)?)}))
}

/// The spec's bounds, kept as JSON Schema has them: `minLength`/`maxLength`,
/// `minItems`/`maxItems`, `minimum`/`maximum`, and the range of an integer's
/// `format` (`int32`, `int64`) as `minimum`/`maximum` (the tighter bound wins).
fn bounds(schema: &Schema, out: &mut Map<String, Value>) {
    for (key, value) in [
        ("minLength", schema.min_length),
        ("maxLength", schema.max_length),
        ("minItems", schema.min_items),
        ("maxItems", schema.max_items),
    ] {
        if let Some(value) = value {
            out.insert(key.into(), json!(value));
        }
    }
    let (low, high) = match schema.format.as_deref() {
        Some("int32") => (Some(i64::from(i32::MIN)), Some(i64::from(i32::MAX))),
        Some("int64") => (Some(i64::MIN), Some(i64::MAX)),
        _ => (None, None),
    };
    let tighter = |spec: Option<&serde_json::Number>, format: Option<i64>, lower: bool| -> Option<Value> {
        match (spec, format) {
            (Some(n), Some(f)) => {
                let n_f = n.as_f64().unwrap_or_default();
                #[allow(clippy::cast_precision_loss)] // bounds of int32/int64 compared as f64
                let f_f = f as f64;
                let spec_wins = if lower { n_f >= f_f } else { n_f <= f_f };
                Some(if spec_wins { Value::Number(n.clone()) } else { json!(f) })
            }
            (Some(n), None) => Some(Value::Number(n.clone())),
            (None, Some(f)) => Some(json!(f)),
            (None, None) => None,
        }
    };
    if let Some(low) = tighter(schema.minimum.as_ref(), low, true) {
        out.insert("minimum".into(), low);
    }
    if let Some(high) = tighter(schema.maximum.as_ref(), high, false) {
        out.insert("maximum".into(), high);
    }
}

/// One OpenAPI schema as JSON Schema (draft 7), facts only.
pub fn convert(schema: &Schema) -> Result<Value, String> {
    if let Some(r) = &schema.reference {
        return reference(r);
    }
    let mut out = Map::new();
    if let Some(ty) = &schema.ty {
        out.insert("type".into(), if schema.nullable { json!([ty, "null"]) } else { json!(ty) });
    }
    // Dates are kept: answers must hold real ones, and a request's bad date
    // is DevRev's `invalid_field`. `id` marks a field that names an object,
    // which the embedded server checks against what it holds.
    if let Some(format @ ("date-time" | "date" | "id")) = schema.format.as_deref() {
        out.insert("format".into(), json!(format));
    }
    bounds(schema, &mut out);
    if let Some(values) = &schema.enum_values {
        let mut list: Vec<Value> = values.iter().filter_map(|v| serde_json::to_value(v).ok()).collect();
        if schema.nullable {
            list.push(Value::Null);
        }
        out.insert("enum".into(), Value::Array(list));
    }
    if !schema.properties.is_empty() {
        let props = schema
            .properties
            .iter()
            .map(|(k, v)| Ok((k.clone(), convert(v)?)))
            .collect::<Result<Map<String, Value>, String>>()?;
        out.insert("properties".into(), Value::Object(props));
    }
    if !schema.required.is_empty() {
        out.insert("required".into(), json!(schema.required));
    }
    if let Some(items) = &schema.items {
        out.insert("items".into(), convert(items)?);
    }
    match &schema.additional_properties {
        // `false` is left out: beside `allOf` and unions it would refuse the
        // fields of the other members, which OpenAPI's composition allows.
        Some(AdditionalProperties::Bool(_)) => {}
        Some(AdditionalProperties::Schema(s)) => {
            out.insert("additionalProperties".into(), convert(s)?);
        }
        None => {}
    }
    let mut all_of = schema.all_of.iter().map(convert).collect::<Result<Vec<_>, _>>()?;
    match schema.discriminator.as_ref().filter(|d| !d.mapping.is_empty()) {
        Some(disc) => {
            let tag = &disc.property_name;
            let tags: Vec<&String> = disc.mapping.keys().collect();
            let props = out.entry("properties").or_insert_with(|| json!({}));
            if props.get(tag).is_none() {
                props[tag.as_str()] = json!({"type": "string", "enum": tags});
            }
            let mut required: Vec<Value> = out.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
            if !required.contains(&json!(tag)) {
                required.push(json!(tag));
            }
            out.insert("required".into(), Value::Array(required));
            for (value, target) in &disc.mapping {
                all_of.push(json!({
                    "if": {"properties": {tag.as_str(): {"const": value}}, "required": [tag]},
                    "then": reference(target)?,
                }));
            }
            // The tag must be one the mapping knows, even where the tag's own
            // schema (a shared enum) lists more.
            all_of.push(json!({"properties": {tag.as_str(): {"enum": tags}}}));
        }
        None => {
            for (key, list) in [("oneOf", &schema.one_of), ("anyOf", &schema.any_of)] {
                if !list.is_empty() {
                    out.insert(key.into(), Value::Array(list.iter().map(convert).collect::<Result<_, _>>()?));
                }
            }
        }
    }
    if !all_of.is_empty() {
        out.insert("allOf".into(), Value::Array(all_of));
    }
    Ok(Value::Object(out))
}

/// Pushes the definition keys `value` refers to.
fn collect_refs(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if let Some(key) = r.strip_prefix("#/definitions/") {
                    into.push(key.to_owned());
                }
            }
            map.values().for_each(|v| collect_refs(v, into));
        }
        Value::Array(list) => list.iter().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}

/// Writes the description to [`PATH`] under `root` (the workspace root).
pub fn write(plan: &Plan, root: &std::path::Path) -> Result<(), String> {
    let path = root.join(PATH);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, tables(plan)?).map_err(|e| format!("writing {}: {e}", path.display()))
}
