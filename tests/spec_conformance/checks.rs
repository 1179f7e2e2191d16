//! The checks themselves, generic over the Rust types, for the hand-written
//! check (`tests/spec_conformance.rs`) and the generated one
//! (`tests/generated_conformance.rs`): a request against its operation's
//! body schema or query parameters, a type's fields against a schema's
//! properties, spec-shaped instances against a type, and the enums and
//! unions value by value. Each check notes its mismatches in `out`.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use devrev::Endpoint;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::introspect::wire_fields;
use super::openapi::{check_value_within, diff, Param, Spec};

/// The environment variable naming the spec file.
pub const SPEC_VAR: &str = "DEVREV_OPENAPI_SPEC";

/// Writes a line straight to stderr, past the test harness's capture, so it
/// shows in a plain `cargo test` run.
pub fn loud(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The spec named by `DEVREV_OPENAPI_SPEC`, parsed once per test binary;
/// `None` (after one loud skip line) when the variable is unset.
pub fn spec() -> Option<&'static Spec> {
    static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
    SPEC.get_or_init(|| match std::env::var_os(SPEC_VAR).filter(|v| !v.is_empty()) {
        None => {
            loud(&format!(
                "SKIPPED: set {SPEC_VAR}=/path/to/openapi-beta.yaml to check the crate against DevRev's spec"
            ));
            None
        }
        Some(path) => Some(Spec::load(&PathBuf::from(path)).unwrap_or_else(|e| panic!("{SPEC_VAR}: {e}"))),
    })
    .as_ref()
}

/// Passes with a one-line summary, or fails listing every mismatch (each
/// once). A mismatch containing the first part of an `exceptions` entry is
/// known (the spec contradicts itself there; the second part says how) and
/// does not fail; an exception that matches nothing fails, so the list
/// cannot go stale.
pub fn finish(what: &str, checked: usize, problems: &[String], exceptions: &[(&str, &str)]) {
    assert!(checked > 0, "{what}: nothing was checked");
    let mut seen = BTreeSet::new();
    let mut used = BTreeSet::new();
    let mut failing = Vec::new();
    for problem in problems.iter().filter(|p| seen.insert(p.as_str())) {
        match exceptions.iter().position(|(pattern, _)| problem.contains(pattern)) {
            Some(i) => {
                used.insert(i);
            }
            None => failing.push(problem.clone()),
        }
    }
    for (i, (pattern, reason)) in exceptions.iter().enumerate() {
        if !used.contains(&i) {
            failing.push(format!("a known exception matched nothing (remove it): `{pattern}` ({reason})"));
        }
    }
    if !failing.is_empty() {
        panic!(
            "{} mismatch(es) between the crate and DevRev's spec ({what}):\n  {}",
            failing.len(),
            failing.join("\n  ")
        );
    }
    let known = if used.is_empty() { String::new() } else { format!(" ({} known spec exceptions)", used.len()) };
    loud(&format!("spec conformance: {what}: {checked} checked, all match{known}"));
}

/// Runs `check` on a thread with a large stack: the samples, requests and
/// their checks recurse through deep schemas, with debug builds' big frames.
pub fn on_big_stack(check: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new().stack_size(256 << 20).spawn(check).expect("a checking thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

/// The last segment of a type's path, for messages.
pub fn short_name<T: ?Sized>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// `E`'s operation in the spec.
pub fn operation<E: Endpoint>(spec: &Spec) -> Option<&Value> {
    spec.operation(E::PATH, &E::METHOD.as_str().to_ascii_lowercase())
}

/// A request with `new(..)` and every setter applied (`full`, complete down
/// to `levels` nested objects) sends only the spec's fields, each of them,
/// with the spec's JSON types; `minimal` (`new(..)` alone) sends exactly the
/// required ones; `more` are other instances, checked for unknown fields and
/// types only. A `GET` is checked against the operation's query parameters.
pub fn request<E: Endpoint + Serialize>(
    spec: &Spec,
    full: &E,
    minimal: &E,
    more: &[E],
    levels: usize,
    out: &mut Vec<String>,
) {
    let label = format!("{} {}", E::METHOD, E::PATH);
    let Some(op) = operation::<E>(spec) else {
        return out.push(format!("{label}: not an operation of the spec"));
    };
    if E::METHOD.uses_query() {
        query(spec, op, &label, full, minimal, more, out);
    } else {
        body(spec, op, &label, full, minimal, more, levels, out);
    }
}

#[allow(clippy::too_many_arguments)]
fn body<E: Endpoint + Serialize>(
    spec: &Spec,
    op: &Value,
    label: &str,
    full: &E,
    minimal: &E,
    more: &[E],
    levels: usize,
    out: &mut Vec<String>,
) {
    let schema = match spec.request_body_schema(op) {
        Ok(schema) => schema,
        Err(e) => return out.push(format!("{label}: {e}")),
    };
    let body = |request: &E| wire_value(request).map_err(|e| format!("{label}: does not serialize: {e}"));
    match body(full) {
        Ok(value) => check_value_within(spec, &value, schema, &format!("{label} body"), levels, out),
        Err(e) => out.push(e),
    }
    for request in more {
        match body(request) {
            Ok(value) => check_value_within(spec, &value, schema, &format!("{label} body"), 0, out),
            Err(e) => out.push(e),
        }
    }
    match body(minimal) {
        Ok(value) => {
            check_value_within(spec, &value, schema, &format!("{label} body"), 0, out);
            match spec.flatten_for(schema, &value) {
                Ok(flat) => {
                    let sent = value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
                    compare_required(label, &sent, &flat.required, out);
                }
                Err(e) => out.push(format!("{label}: {e}")),
            }
        }
        Err(e) => out.push(e),
    }
}

fn query<E: Endpoint + Serialize>(
    spec: &Spec,
    op: &Value,
    label: &str,
    full: &E,
    minimal: &E,
    more: &[E],
    out: &mut Vec<String>,
) {
    let params = match spec.query_parameters(E::PATH, op) {
        Ok(params) => params,
        Err(e) => return out.push(format!("{label}: {e}")),
    };
    let params: BTreeMap<&str, &Param> = params.iter().map(|p| (p.name, p)).collect();
    // The spec parameters a request covers; a name the spec lacks is noted.
    let covered = |request: &E, out: &mut Vec<String>| -> Option<BTreeSet<&str>> {
        let query = match devrev::query::to_query_string(request) {
            Ok(query) => query,
            Err(e) => {
                out.push(format!("{label}: does not encode: {e}"));
                return None;
            }
        };
        let mut covered = BTreeSet::new();
        for (name, values) in query_pairs(&query) {
            match spec_parameter(spec, &params, &name) {
                Some(param) => {
                    covered.insert(param);
                    // A dotted name under an object parameter is free-form.
                    if param == name {
                        if let Err(e) = check_query_values(spec, params[param].schema, &values) {
                            out.push(format!("{label} query `{name}`: {e}"));
                        }
                    }
                }
                None => out.push(format!("{label} query `{name}`: we send it, but the spec does not list it")),
            }
        }
        Some(covered)
    };
    if let Some(sent) = covered(full, out) {
        for (name, param) in &params {
            if !sent.contains(name) {
                let deprecated = spec.flatten(param.schema).is_ok_and(|p| p.deprecated);
                let note = if deprecated { " (deprecated there)" } else { "" };
                out.push(format!(
                    "{label} query `{name}`: in the spec{note}, but our request with every setter applied does not send it"
                ));
            }
        }
    }
    for request in more {
        covered(request, out);
    }
    if let Some(sent) = covered(minimal, out) {
        let required = params.values().filter(|p| p.required).map(|p| p.name).collect();
        compare_required(label, &sent, &required, out);
    }
}

/// A query string's parameters, in order: each name with its values (a
/// literal comma separates the values of an array; a comma inside a value
/// is percent-encoded), decoded.
pub fn query_pairs(query: &str) -> Vec<(String, Vec<String>)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), value.split(',').map(percent_decode).collect())
        })
        .collect()
}

/// The names of a query string's parameters, decoded, in order.
pub fn query_names(query: &str) -> Vec<String> {
    query_pairs(query).into_iter().map(|(name, _)| name).collect()
}

/// The values of one query parameter against its schema: one value unless
/// it is an array, each of the item type (integers, booleans, date-times,
/// enum members).
pub fn check_query_values(spec: &Spec, schema: &Value, values: &[String]) -> Result<(), String> {
    let flat = spec.flatten(schema)?;
    let item = if flat.kind() == Some("array") {
        spec.flatten(flat.items.ok_or("the spec's array has no `items`")?)?
    } else if values.len() == 1 {
        flat
    } else {
        return Err(format!("the spec wants one value, we send {}", values.len()));
    };
    for value in values {
        let fits = match (item.kind(), item.format) {
            (Some("integer"), _) => value.parse::<i64>().is_ok(),
            (Some("number"), _) => value.parse::<f64>().is_ok(),
            (Some("boolean"), _) => value == "true" || value == "false",
            (Some("string"), Some("date-time")) => chrono::DateTime::parse_from_rfc3339(value).is_ok(),
            (Some("object" | "array"), _) => false,
            _ => true,
        };
        if !fits {
            let (kind, format) = (item.kind().unwrap_or("?"), item.format.unwrap_or("-"));
            return Err(format!("we send `{value}`, not a value of the spec's type {kind} (format {format})"));
        }
        if let Some(allowed) = item.enum_values {
            if !allowed.iter().any(|a| a.as_str() == Some(value)) {
                return Err(format!(
                    "we send `{value}`, which is not one of the spec's values {}",
                    Value::Array(allowed.to_vec())
                ));
            }
        }
    }
    Ok(())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The spec parameter a query name stands for: the same name, or for a
/// dotted name (`custom_fields.tier_code`) the object parameter before the
/// first dot, when the spec has no parameter of the full name.
pub fn spec_parameter<'p>(spec: &Spec, params: &BTreeMap<&'p str, &Param>, name: &str) -> Option<&'p str> {
    if let Some((&known, _)) = params.get_key_value(name) {
        return Some(known);
    }
    let (head, _) = name.split_once('.')?;
    let (&known, param) = params.get_key_value(head)?;
    let is_object = spec.flatten(param.schema).is_ok_and(|p| p.kind() == Some("object"));
    is_object.then_some(known)
}

/// `new(..)` alone must send exactly the spec's required fields.
pub fn compare_required(label: &str, sent: &BTreeSet<&str>, required: &BTreeSet<&str>, out: &mut Vec<String>) {
    for name in required.difference(sent) {
        out.push(format!("{label}: `{name}` is required by the spec, but `new(..)` does not set it"));
    }
    for name in sent.difference(required) {
        out.push(format!("{label}: `new(..)` sends `{name}`, which the spec does not require"));
    }
}

// ---------------------------------------------------------------------------
// Answers and models
// ---------------------------------------------------------------------------

/// How many nested objects of a sample have every property (below: the
/// required ones only), so samples of deep schemas stay small.
pub const SAMPLE_LEVELS: usize = 4;

/// The JSON schema of an operation's success answer (its lowest 2xx): the
/// `application/json` body, or the event of a `text/event-stream`; `None`
/// when it has no body.
pub fn answer_schema<'s>(spec: &'s Spec, op: &'s Value) -> Result<Option<&'s Value>, String> {
    let response = spec.success_response(op)?;
    let Some(content) = response.get("content") else { return Ok(None) };
    ["/application~1json/schema", "/text~1event-stream/schema"]
        .iter()
        .find_map(|pointer| content.pointer(pointer))
        .map(Some)
        .ok_or_else(|| "the success answer is neither JSON nor server-sent events".to_owned())
}

/// `E`'s answer against the operation's success answer: its fields (when
/// it is a plain struct) and spec-shaped instances; without a body in the
/// spec, `{}` must decode.
pub fn answer<E: Endpoint>(spec: &Spec, out: &mut Vec<String>)
where
    E::Response: DeserializeOwned,
{
    let label = format!("{} {} answer", E::METHOD, E::PATH);
    let Some(op) = operation::<E>(spec) else {
        return out.push(format!("{label}: not an operation of the spec"));
    };
    match answer_schema(spec, op) {
        Ok(Some(schema)) => {
            if spec.flatten(schema).is_ok_and(|f| f.discriminator.is_none()) {
                fields::<E::Response>(spec, schema, &label, out);
            }
            decodes::<E::Response>(spec, schema, &label, out);
        }
        Ok(None) => {
            if let Err(e) = serde_json::from_value::<E::Response>(serde_json::json!({})) {
                out.push(format!("{label}: the spec's answer has no body, and `{{}}` does not decode: {e}"));
            }
        }
        Err(e) => out.push(format!("{label}: {e}")),
    }
}

/// `T`'s fields (names read from serde, so renames count) against the
/// schema's properties (`allOf` merged), both ways.
pub fn fields<T: DeserializeOwned>(spec: &Spec, schema: &Value, label: &str, out: &mut Vec<String>) {
    let flat = match spec.flatten(schema) {
        Ok(flat) => flat,
        Err(e) => return out.push(format!("{label}: cannot read the spec's schema: {e}")),
    };
    match wire_fields::<T>() {
        Ok(fields) => compare_fields(spec, label, short_name::<T>(), &flat.properties, fields, out),
        Err(e) => out.push(format!("{label}: cannot read the fields of `{}`: {e}", short_name::<T>())),
    }
}

/// The schema's properties against a type's wire fields, both ways.
pub fn compare_fields(
    spec: &Spec,
    label: &str,
    type_name: &str,
    properties: &BTreeMap<&str, &Value>,
    fields: &[&str],
    out: &mut Vec<String>,
) {
    let ours: BTreeSet<&str> = fields.iter().copied().collect();
    for (name, property) in properties {
        if !ours.contains(name) {
            let deprecated = spec.flatten(property).is_ok_and(|p| p.deprecated);
            let note = if deprecated { " (deprecated there)" } else { "" };
            out.push(format!("{label}: the spec's property `{name}`{note} is not a field of `{type_name}`"));
        }
    }
    for name in ours {
        if !properties.contains_key(name) {
            out.push(format!("{label}: `{type_name}` has a field `{name}` that the spec does not define"));
        }
    }
}

/// A spec-shaped instance with every property (down to [`SAMPLE_LEVELS`])
/// and one with only the required properties decode into `T`.
pub fn decodes<T: DeserializeOwned>(spec: &Spec, schema: &Value, label: &str, out: &mut Vec<String>) {
    decodes_within::<T>(spec, schema, SAMPLE_LEVELS, label, out);
}

/// [`decodes`], with every property down to `levels` nested objects.
pub fn decodes_within<T: DeserializeOwned>(
    spec: &Spec,
    schema: &Value,
    levels: usize,
    label: &str,
    out: &mut Vec<String>,
) {
    for (levels, which) in [(levels, "with every property"), (0, "with only the required properties")] {
        match spec.sample_to(schema, levels, None) {
            Ok(sample) => {
                if let Err(e) = serde_json::from_value::<T>(sample) {
                    out.push(format!(
                        "{label}: a spec-shaped instance {which} does not decode into `{}`: {e}",
                        short_name::<T>()
                    ));
                }
            }
            Err(e) => out.push(format!("{label}: cannot build a sample {which}: {e}")),
        }
    }
}

/// A spec-shaped instance with every property decodes into `T` and encodes
/// back unchanged (for types a request sends).
pub fn round_trip<T: DeserializeOwned + Serialize>(spec: &Spec, schema: &Value, label: &str, out: &mut Vec<String>) {
    round_trip_within::<T>(spec, schema, SAMPLE_LEVELS, None, label, out);
}

/// [`round_trip`], with every property down to `levels` nested objects;
/// `variant` picks a union's variant by tag (see [`Spec::sample_to`]).
pub fn round_trip_within<T: DeserializeOwned + Serialize>(
    spec: &Spec,
    schema: &Value,
    levels: usize,
    variant: Option<&str>,
    label: &str,
    out: &mut Vec<String>,
) {
    let sample = match spec.sample_to(schema, levels, variant) {
        Ok(sample) => sample,
        Err(e) => return out.push(format!("{label}: cannot build a sample: {e}")),
    };
    let Ok(decoded) = serde_json::from_value::<T>(sample.clone()) else { return }; // noted by `decodes`
    match serde_json::to_value(&decoded) {
        Ok(back) => diff(&sample, &back, label, out),
        Err(e) => out.push(format!("{label}: `{}` does not encode back: {e}", short_name::<T>())),
    }
}

/// A model by JSON pointer: its fields against the schema's properties,
/// and spec-shaped instances.
pub fn model<T: DeserializeOwned>(spec: &Spec, pointer: &str, label: &str, out: &mut Vec<String>) {
    match spec.at(pointer) {
        Ok(schema) => {
            fields::<T>(spec, schema, label, out);
            decodes::<T>(spec, schema, label, out);
        }
        Err(e) => out.push(format!("{label}: {e}")),
    }
}

/// [`model`] and [`round_trip`]: a model a request sends.
pub fn model_sent<T: DeserializeOwned + Serialize>(spec: &Spec, pointer: &str, label: &str, out: &mut Vec<String>) {
    model::<T>(spec, pointer, label, out);
    if let Ok(schema) = spec.at(pointer) {
        round_trip::<T>(spec, schema, label, out);
    }
}

/// [`decodes`] by JSON pointer: for a struct whose fields serde cannot list
/// (a union flattened in; the union is checked on its own).
pub fn decodes_at<T: DeserializeOwned>(spec: &Spec, pointer: &str, label: &str, out: &mut Vec<String>) {
    match spec.at(pointer) {
        Ok(schema) => decodes::<T>(spec, schema, label, out),
        Err(e) => out.push(format!("{label}: {e}")),
    }
}

/// [`decodes_at`] and [`round_trip`].
pub fn decodes_sent<T: DeserializeOwned + Serialize>(spec: &Spec, pointer: &str, label: &str, out: &mut Vec<String>) {
    decodes_at::<T>(spec, pointer, label, out);
    if let Ok(schema) = spec.at(pointer) {
        round_trip::<T>(spec, schema, label, out);
    }
}

/// What the client puts on the wire for `value`: its JSON, except that a
/// unit struct (a request without fields, `null` to serde) is sent as `{}`,
/// as `devrev_runtime::transport` does.
fn wire_value<T: Serialize>(value: &T) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(value).map(|v| if v.is_null() { serde_json::Value::Object(serde_json::Map::new()) } else { v })
}

/// A model only requests send (so it has no `Deserialize` to read its
/// fields from): `value`, built with every setter down to `levels` nested
/// objects, has exactly the schema's properties there, with its types.
pub fn sent<T: Serialize>(spec: &Spec, pointer: &str, label: &str, value: &T, levels: usize, out: &mut Vec<String>) {
    match (spec.at(pointer), wire_value(value)) {
        (Ok(schema), Ok(value)) => check_value_within(spec, &value, schema, label, levels, out),
        (Err(e), _) => out.push(format!("{label}: {e}")),
        (_, Err(e)) => out.push(format!("{label}: does not serialize: {e}")),
    }
}

/// Every value of the spec's enum at `pointer` decodes into a known variant
/// of `T` and encodes back as itself.
pub fn string_enum<T: DeserializeOwned + Serialize>(
    spec: &Spec,
    pointer: &str,
    label: &str,
    is_unknown: fn(&T) -> bool,
    out: &mut Vec<String>,
) {
    let values = match spec.at(pointer).and_then(|s| spec.flatten(s)) {
        Ok(flat) => match flat.enum_values {
            Some(values) => values,
            None => {
                return out.push(format!("{label}: not an enum in the spec"));
            }
        },
        Err(e) => return out.push(format!("{label}: {e}")),
    };
    for value in values {
        match serde_json::from_value::<T>(value.clone()) {
            Ok(decoded) if is_unknown(&decoded) => {
                out.push(format!("{label}: {value} decodes into `{}::Unknown`", short_name::<T>()))
            }
            Ok(decoded) => match serde_json::to_value(&decoded) {
                Ok(back) if back == *value => {}
                Ok(back) => out.push(format!("{label}: {value} encodes back as {back}")),
                Err(e) => out.push(format!("{label}: {value} does not encode back: {e}")),
            },
            Err(e) => out.push(format!("{label}: {value} does not decode: {e}")),
        }
    }
}

/// Each variant of the spec's discriminated union at `pointer`: spec-shaped
/// instances (every property, and required ones only) with its tag decode
/// into `T` as the variant of that tag (`tag_of` gives the decoded value's
/// tag, `None` for `Unknown`).
pub fn union<T: DeserializeOwned>(
    spec: &Spec,
    pointer: &str,
    label: &str,
    tag_of: fn(&T) -> Option<String>,
    out: &mut Vec<String>,
) {
    union_within::<T>(spec, pointer, label, SAMPLE_LEVELS, tag_of, out);
}

/// [`union`], with every property down to `levels` nested objects; returns
/// how many variants the spec's union has (0 when it is not one).
pub fn union_within<T: DeserializeOwned>(
    spec: &Spec,
    pointer: &str,
    label: &str,
    levels: usize,
    tag_of: fn(&T) -> Option<String>,
    out: &mut Vec<String>,
) -> usize {
    let (schema, keys) = match spec.at(pointer).and_then(|s| Ok((s, spec.flatten(s)?))) {
        Ok((schema, flat)) => match flat.discriminator {
            Some((_, mapping)) => (schema, mapping.keys().map(|k| (*k).to_owned()).collect::<Vec<_>>()),
            None => {
                out.push(format!("{label}: not a discriminated union in the spec"));
                return 0;
            }
        },
        Err(e) => {
            out.push(format!("{label}: {e}"));
            return 0;
        }
    };
    for key in &keys {
        for (levels, which) in [(levels, "with every property"), (0, "with only the required properties")] {
            let sample = match spec.sample_to(schema, levels, Some(key)) {
                Ok(sample) => sample,
                Err(e) => {
                    out.push(format!("{label} `{key}`: cannot build a sample {which}: {e}"));
                    continue;
                }
            };
            match serde_json::from_value::<T>(sample) {
                Ok(decoded) => match tag_of(&decoded) {
                    Some(tag) if tag == *key => {}
                    Some(tag) => out.push(format!("{label} `{key}`: an instance {which} decodes as `{tag}`")),
                    None => out.push(format!(
                        "{label} `{key}`: an instance {which} decodes into `{}::Unknown`",
                        short_name::<T>()
                    )),
                },
                Err(e) => out.push(format!(
                    "{label} `{key}`: an instance {which} does not decode into `{}`: {e}",
                    short_name::<T>()
                )),
            }
        }
    }
    keys.len()
}
