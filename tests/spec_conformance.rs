//! Opt-in: the built-in endpoints and models checked against DevRev's
//! OpenAPI spec. The spec is not part of this repository, so the check runs
//! only when `DEVREV_OPENAPI_SPEC` names a copy of it:
//!
//! ```sh
//! DEVREV_OPENAPI_SPEC=/path/to/openapi-beta.yaml cargo test --test spec_conformance
//! ```
//!
//! Without it the spec tests print a `SKIPPED` line and pass; the tests of the
//! checker itself (at the end, against a small spec written here) always run.
//!
//! What is checked, for the rev-orgs and accounts endpoints (both forms of
//! the reads):
//! 1. each endpoint's method and path are an operation of the spec, and each
//!    method the spec has for those paths has a Rust form;
//! 2. a request with `new(..)` and every setter applied sends exactly the
//!    spec's fields, all the way down, with the spec's JSON types (for `GET`,
//!    exactly the spec's query parameters; `created_date.after` and
//!    `custom_fields.<name>` map to theirs); a request built with `new(..)`
//!    alone sends exactly the spec's required fields;
//! 3. each answer and model has exactly the spec's properties (field names
//!    read from serde, so renames count), a spec-shaped instance with every
//!    property decodes and encodes back unchanged, and one with only the
//!    required properties decodes; the unions decode each of the spec's
//!    variants into the right payload type;
//! 4. every enum the checked schemas use decodes each of its values into a
//!    known variant.

#[path = "spec_conformance/introspect.rs"]
mod introspect;
#[path = "spec_conformance/openapi.rs"]
mod openapi;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use devrev::accounts::{
    AccountsCreateRequest, AccountsDeleteRequest, AccountsGetPostRequest, AccountsGetRequest, AccountsListPostRequest,
    AccountsListRequest, AccountsUpdateRequest,
};
use devrev::models::{
    Account, AccountSummary, AccountsUpdateRequestArtifacts, AccountsUpdateRequestWebsites, ArtifactFileSummary,
    ArtifactSummary, CustomFields, CustomSchemaSpec, CustomSchemaSpecDrop, DateTimeFilter, ListMode, OrgEnvironment,
    OrgSummary, RevOrg, RevOrgsUpdateRequestArtifacts, SetTagWithValue, TagStyleSummary, TagSummary, TagWithValue,
    Timestamp, UserState, UserSummary,
};
use devrev::rev_orgs::{
    RevOrgsCreateRequest, RevOrgsDeleteRequest, RevOrgsGetPostRequest, RevOrgsGetRequest, RevOrgsListPostRequest,
    RevOrgsListRequest, RevOrgsUpdateRequest,
};
use devrev::{Endpoint, Method};
use introspect::{wire_fields, wire_fields_of_val};
use openapi::{check_value, diff, Param, Spec};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// The environment variable naming the spec file.
const SPEC_VAR: &str = "DEVREV_OPENAPI_SPEC";

// ---------------------------------------------------------------------------
// Running the checks
// ---------------------------------------------------------------------------

/// Writes a line straight to stderr, past the test harness's capture, so it
/// shows in a plain `cargo test` run.
fn loud(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The spec named by `DEVREV_OPENAPI_SPEC`, parsed once for every test of
/// this binary; `None` (after one loud skip line) when the variable is unset.
fn spec() -> Option<&'static Spec> {
    static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
    SPEC.get_or_init(|| match std::env::var_os(SPEC_VAR).filter(|v| !v.is_empty()) {
        None => {
            loud(&format!(
                "SKIPPED: set {SPEC_VAR}=/path/to/openapi-beta.yaml to check the models against DevRev's spec"
            ));
            None
        }
        Some(path) => {
            let path = PathBuf::from(path);
            Some(Spec::load(&path).unwrap_or_else(|e| panic!("{SPEC_VAR}: {e}")))
        }
    })
    .as_ref()
}

/// Passes with a one-line summary, or fails listing every mismatch (each once).
fn finish(what: &str, checked: usize, problems: &[String]) {
    assert!(checked > 0, "{what}: nothing was checked");
    let mut seen = BTreeSet::new();
    let problems: Vec<&String> = problems.iter().filter(|p| seen.insert(p.as_str())).collect();
    if !problems.is_empty() {
        panic!(
            "{} mismatch(es) between the crate and DevRev's spec ({what}):\n  {}",
            problems.len(),
            problems.iter().map(|p| p.as_str()).collect::<Vec<_>>().join("\n  ")
        );
    }
    loud(&format!("spec conformance: {what}: {checked} checked, all match"));
}

/// The last segment of a type's path, for messages.
fn short_name<T: ?Sized>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

// ---------------------------------------------------------------------------
// Endpoints: one case per request type
// ---------------------------------------------------------------------------

type Check = Box<dyn Fn(&Spec, &mut Vec<String>)>;

/// One request type: how to check what it sends and what it decodes.
struct Case {
    label: String,
    method: Method,
    path: &'static str,
    request: Check,
    answer: Check,
}

/// A case for `E`: `full` has `new(..)` and every setter applied, `minimal`
/// only `new(..)`; `more` are other instances worth sending (a `null`, an
/// empty replacement list), checked for unknown fields and types only.
fn case<E>(full: E, minimal: E, more: Vec<E>) -> Case
where
    E: Endpoint + 'static,
    E::Response: Serialize,
{
    Case {
        label: format!("{} {}", E::METHOD, E::PATH),
        method: E::METHOD,
        path: E::PATH,
        request: Box::new(move |spec, out| check_request(spec, &full, &minimal, &more, out)),
        answer: Box::new(|spec, out| check_answer::<E>(spec, out)),
    }
}

fn operation<'s>(spec: &'s Spec, method: Method, path: &str) -> Option<&'s Value> {
    spec.operation(path, &method.as_str().to_ascii_lowercase())
}

fn check_request<E: Endpoint>(spec: &Spec, full: &E, minimal: &E, more: &[E], out: &mut Vec<String>) {
    let label = format!("{} {}", E::METHOD, E::PATH);
    let Some(op) = operation(spec, E::METHOD, E::PATH) else {
        return out.push(format!("{label}: not an operation of the spec"));
    };
    if E::METHOD.uses_query() {
        check_query(spec, op, &label, full, minimal, more, out);
    } else {
        check_body(spec, op, &label, full, minimal, more, out);
    }
}

fn check_body<E: Endpoint>(
    spec: &Spec,
    op: &Value,
    label: &str,
    full: &E,
    minimal: &E,
    more: &[E],
    out: &mut Vec<String>,
) {
    let schema = match spec.request_body_schema(op) {
        Ok(schema) => schema,
        Err(e) => return out.push(format!("{label}: {e}")),
    };
    let body = |request: &E| serde_json::to_value(request).map_err(|e| format!("{label}: does not serialize: {e}"));
    match body(full) {
        Ok(value) => check_value(spec, &value, schema, &format!("{label} body"), true, out),
        Err(e) => out.push(e),
    }
    for request in more {
        match body(request) {
            Ok(value) => check_value(spec, &value, schema, &format!("{label} body"), false, out),
            Err(e) => out.push(e),
        }
    }
    match (body(minimal), spec.flatten(schema)) {
        (Ok(value), Ok(flat)) => {
            check_value(spec, &value, schema, &format!("{label} body"), false, out);
            let sent = value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
            compare_required(label, &sent, &flat.required, out);
        }
        (Err(e), _) | (_, Err(e)) => out.push(e),
    }
}

fn check_query<E: Endpoint>(
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
fn query_pairs(query: &str) -> Vec<(String, Vec<String>)> {
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
fn query_names(query: &str) -> Vec<String> {
    query_pairs(query).into_iter().map(|(name, _)| name).collect()
}

/// The values of one query parameter against its schema: one value unless
/// it is an array, each of the item type (integers, booleans, date-times,
/// enum members).
fn check_query_values(spec: &Spec, schema: &Value, values: &[String]) -> Result<(), String> {
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
fn spec_parameter<'p>(spec: &Spec, params: &BTreeMap<&'p str, &Param>, name: &str) -> Option<&'p str> {
    if let Some((&known, _)) = params.get_key_value(name) {
        return Some(known);
    }
    let (head, _) = name.split_once('.')?;
    let (&known, param) = params.get_key_value(head)?;
    let is_object = spec.flatten(param.schema).is_ok_and(|p| p.kind() == Some("object"));
    is_object.then_some(known)
}

/// `new(..)` alone must send exactly the spec's required fields.
fn compare_required(label: &str, sent: &BTreeSet<&str>, required: &BTreeSet<&str>, out: &mut Vec<String>) {
    for name in required.difference(sent) {
        out.push(format!("{label}: `{name}` is required by the spec, but `new(..)` does not set it"));
    }
    for name in sent.difference(required) {
        out.push(format!("{label}: `new(..)` sends `{name}`, which the spec does not require"));
    }
}

fn check_answer<E>(spec: &Spec, out: &mut Vec<String>)
where
    E: Endpoint,
    E::Response: Serialize,
{
    let label = format!("{} {} answer", E::METHOD, E::PATH);
    let Some(op) = operation(spec, E::METHOD, E::PATH) else {
        return out.push(format!("{label}: not an operation of the spec"));
    };
    match spec.success_schema(op) {
        Ok(schema) => check_model::<E::Response>(spec, schema, &label, out),
        Err(e) => out.push(format!("{label}: {e}")),
    }
}

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/// `T`'s fields against the schema's properties, both ways, then the samples.
fn check_model<T: DeserializeOwned + Serialize>(spec: &Spec, schema: &Value, label: &str, out: &mut Vec<String>) {
    let flat = match spec.flatten(schema) {
        Ok(flat) => flat,
        Err(e) => return out.push(format!("{label}: cannot read the spec's schema: {e}")),
    };
    match wire_fields::<T>() {
        Ok(fields) => compare_fields(spec, label, short_name::<T>(), &flat.properties, fields, out),
        Err(e) => out.push(format!("{label}: cannot read the fields of `{}`: {e}", short_name::<T>())),
    }
    check_samples::<T>(spec, schema, None, label, out, |_| Ok(()));
}

fn compare_fields(
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

/// A spec-shaped instance with every property must decode into `T` and
/// encode back unchanged; one with only the required properties must
/// decode. `tag` is set on both (a union's variant); `accept` vets the
/// decoded value.
fn check_samples<T: DeserializeOwned + Serialize>(
    spec: &Spec,
    schema: &Value,
    tag: Option<(&str, &str)>,
    label: &str,
    out: &mut Vec<String>,
    accept: impl Fn(&T) -> Result<(), String>,
) {
    for full in [true, false] {
        let which = if full { "with every property" } else { "with only the required properties" };
        let mut sample = match spec.sample(schema, full) {
            Ok(sample) => sample,
            Err(e) => return out.push(format!("{label}: cannot build a sample {which}: {e}")),
        };
        if let (Some((name, value)), Some(object)) = (tag, sample.as_object_mut()) {
            object.insert(name.to_owned(), json!(value));
        }
        let decoded = match serde_json::from_value::<T>(sample.clone()) {
            Ok(decoded) => decoded,
            Err(e) => {
                out.push(format!(
                    "{label}: a spec-shaped instance {which} does not decode into `{}`: {e}",
                    short_name::<T>()
                ));
                continue;
            }
        };
        if let Err(e) = accept(&decoded) {
            out.push(format!("{label}: the instance {which} {e}"));
            continue;
        }
        if full {
            match serde_json::to_value(&decoded) {
                Ok(back) => diff(&sample, &back, label, out),
                Err(e) => out.push(format!("{label}: `{}` does not encode back: {e}", short_name::<T>())),
            }
        }
    }
}

/// A model check by schema name.
fn model<T: DeserializeOwned + Serialize + 'static>(name: &'static str) -> (&'static str, Check) {
    (
        name,
        Box::new(move |spec, out| match spec.schema(name) {
            Ok(schema) => check_model::<T>(spec, schema, name, out),
            Err(e) => out.push(e),
        }),
    )
}

/// A union payload's type name and wire fields.
type Fields = (&'static str, Result<&'static [&'static str], String>);

/// What a decoded union holds: its payload's type and fields, or `None` for
/// a variant the test does not know (`Unknown`).
type Payload<U> = fn(&U) -> Option<Fields>;

/// The type of `value`, by name and wire fields.
fn fields_of<T: DeserializeOwned>(value: &T) -> Fields {
    (short_name::<T>(), wire_fields_of_val(value))
}

fn user_payload(summary: &UserSummary) -> Option<Fields> {
    match summary {
        UserSummary::DevUser(p) => Some(fields_of(p)),
        UserSummary::RevUser(p) => Some(fields_of(p)),
        UserSummary::ServiceAccount(p) => Some(fields_of(p)),
        UserSummary::SysUser(p) => Some(fields_of(p)),
        _ => None,
    }
}

fn org_payload(summary: &OrgSummary) -> Option<Fields> {
    match summary {
        OrgSummary::Account(p) => Some(fields_of(p)),
        OrgSummary::DevOrg(p) => Some(fields_of(p)),
        OrgSummary::RevOrg(p) => Some(fields_of(p)),
        _ => None,
    }
}

/// Each variant of a discriminated union in the spec: it decodes into a
/// known variant of `U` whose payload has exactly the variant's properties,
/// and encodes back unchanged.
fn check_union<U: DeserializeOwned + Serialize>(
    spec: &Spec,
    name: &str,
    payload: Payload<U>,
    out: &mut Vec<String>,
) -> usize {
    let flat = match spec.schema(name).and_then(|s| spec.flatten(s)) {
        Ok(flat) => flat,
        Err(e) => {
            out.push(format!("{name}: {e}"));
            return 0;
        }
    };
    let Some((tag, mapping)) = flat.discriminator else {
        out.push(format!("{name}: not a discriminated union in the spec"));
        return 0;
    };
    for (key, target) in &mapping {
        let label = format!("{name} `{tag}: {key}` ({})", target.rsplit('/').next().unwrap_or(target));
        let variant = json!({ "$ref": target });
        match spec.flatten(&variant) {
            Ok(mut vflat) => {
                vflat.properties.remove(tag);
                let mut probe = serde_json::Map::new();
                probe.insert(tag.to_owned(), json!(key));
                probe.insert("id".to_owned(), json!("ID-1"));
                match serde_json::from_value::<U>(Value::Object(probe)).ok().as_ref().and_then(payload) {
                    Some((type_name, Ok(fields))) => {
                        compare_fields(spec, &label, type_name, &vflat.properties, fields, out);
                    }
                    Some((type_name, Err(e))) => {
                        out.push(format!("{label}: cannot read the fields of `{type_name}`: {e}"))
                    }
                    None => {} // reported by check_samples below
                }
            }
            Err(e) => out.push(format!("{label}: {e}")),
        }
        check_samples::<U>(spec, &variant, Some((tag, key)), &label, out, |u| match payload(u) {
            Some(_) => Ok(()),
            None => {
                Err(format!("decodes into a variant this test does not know (`Unknown`?) of `{}`", short_name::<U>()))
            }
        });
    }
    mapping.len()
}

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

type EnumCheck = Box<dyn Fn(&str) -> Result<(), String>>;

/// A string enum: the value decodes into a known variant and encodes back.
fn string_enum<T: DeserializeOwned + Serialize + 'static>(is_unknown: fn(&T) -> bool) -> EnumCheck {
    Box::new(move |value| {
        let decoded: T = serde_json::from_value(json!(value)).map_err(|e| format!("does not decode: {e}"))?;
        if is_unknown(&decoded) {
            return Err(format!("decodes into `{}::Unknown`", short_name::<T>()));
        }
        match serde_json::to_value(&decoded) {
            Ok(back) if back == json!(value) => Ok(()),
            Ok(back) => Err(format!("encodes back as {back}")),
            Err(e) => Err(format!("does not encode back: {e}")),
        }
    })
}

/// A union's tag: an object with that `type` decodes into a known variant.
fn union_tag<T: DeserializeOwned + 'static>(is_unknown: fn(&T) -> bool) -> EnumCheck {
    Box::new(move |value| {
        // `dev_slug`: the one other property a variant requires (`dev-org-summary`).
        let decoded: T = serde_json::from_value(json!({ "type": value, "id": "ID-1", "dev_slug": "dev-1" }))
            .map_err(|e| format!("does not decode: {e}"))?;
        if is_unknown(&decoded) {
            return Err(format!("decodes into `{}::Unknown`", short_name::<T>()));
        }
        Ok(())
    })
}

/// The enums of the spec, by schema name, and the Rust type each maps to.
fn enum_checks() -> BTreeMap<&'static str, EnumCheck> {
    BTreeMap::from([
        ("org-environment", string_enum::<OrgEnvironment>(|e| matches!(e, OrgEnvironment::Unknown(_)))),
        ("user-state", string_enum::<UserState>(|e| matches!(e, UserState::Unknown(_)))),
        ("list-mode", string_enum::<ListMode>(|e| matches!(e, ListMode::Unknown(_)))),
        ("user-type", union_tag::<UserSummary>(|u| matches!(u, UserSummary::Unknown(_)))),
        ("org-type", union_tag::<OrgSummary>(|o| matches!(o, OrgSummary::Unknown(_)))),
    ])
}

/// The enums reachable from `roots` through `$ref`s: the names of schemas
/// with an `enum`, and a message for each inline enum and dangling `$ref`.
fn reachable_enums(spec: &Spec, roots: &[&Value]) -> (BTreeSet<String>, BTreeSet<String>) {
    fn walk(
        spec: &Spec,
        node: &Value,
        seen: &mut BTreeSet<String>,
        named: &mut BTreeSet<String>,
        inline: &mut BTreeSet<String>,
    ) {
        if let Some(list) = node.as_array() {
            for item in list {
                walk(spec, item, seen, named, inline);
            }
            return;
        }
        let Some(object) = node.as_object() else { return };
        if let Some(target) = object.get("$ref").and_then(Value::as_str) {
            return follow(spec, target, seen, named, inline);
        }
        if let Some(values) = object.get("enum") {
            inline.insert(format!("an inline enum {values} in the checked schemas has no Rust enum checked here"));
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in object.get(key).and_then(Value::as_array).into_iter().flatten() {
                walk(spec, part, seen, named, inline);
            }
        }
        for property in object.get("properties").and_then(Value::as_object).into_iter().flat_map(|p| p.values()) {
            walk(spec, property, seen, named, inline);
        }
        for key in ["items", "additionalProperties", "schema"] {
            if let Some(inner) = object.get(key) {
                walk(spec, inner, seen, named, inline);
            }
        }
        let mapping = object.get("discriminator").and_then(|d| d.get("mapping")).and_then(Value::as_object);
        for target in mapping.into_iter().flat_map(|m| m.values()).filter_map(Value::as_str) {
            follow(spec, target, seen, named, inline);
        }
    }
    fn follow(
        spec: &Spec,
        target: &str,
        seen: &mut BTreeSet<String>,
        named: &mut BTreeSet<String>,
        inline: &mut BTreeSet<String>,
    ) {
        if !seen.insert(target.to_owned()) {
            return;
        }
        let Ok(schema) = spec.resolve(&json!({ "$ref": target })).cloned() else {
            inline.insert(format!("`$ref: {target}` in the checked schemas points nowhere in the spec"));
            return;
        };
        if schema.get("enum").is_some() {
            named.insert(target.rsplit('/').next().unwrap_or(target).to_owned());
            return;
        }
        walk(spec, &schema, seen, named, inline);
    }
    let (mut seen, mut named, mut inline) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for root in roots {
        walk(spec, root, &mut seen, &mut named, &mut inline);
    }
    (named, inline)
}

// ---------------------------------------------------------------------------
// The requests, built by hand: `new(..)` and every setter
// ---------------------------------------------------------------------------

fn day(d: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2024, 3, d, 12, 0, 0).single().expect("a valid date")
}

fn range() -> DateTimeFilter {
    DateTimeFilter::between(day(1), day(31))
}

fn custom_fields() -> CustomFields {
    let mut fields = CustomFields::new();
    fields.insert("tier_code".to_owned(), json!("gold"));
    fields
}

fn tag() -> SetTagWithValue {
    SetTagWithValue::with_value("TAG-1", "high")
}

fn schema_spec() -> CustomSchemaSpec {
    CustomSchemaSpec::new()
        .apps(["app-billing"])
        .drop(CustomSchemaSpecDrop::new().apps(["app-legacy"]).subtype(true))
        .subtype("partner")
        .tenant_fragment(true)
        .validate_required_fields(true)
}

const FRAGMENT: &str = "don:core:dvrv-us-1:devo/1:custom_type_fragment/7";

/// Both forms of `rev-orgs.get` have the same setters.
macro_rules! rev_orgs_get_full {
    ($t:ty) => {
        <$t>::new().account("ACC-1").id("REV-1")
    };
}

macro_rules! rev_orgs_list_full {
    ($t:ty) => {
        <$t>::new()
            .account(["ACC-1"])
            .created_by(["DEVU-1"])
            .created_date(range())
            .cursor("cursor-2")
            .custom_field_filter(["tier_code:gold,silver", "region:emea"])
            .custom_fields(custom_fields())
            .display_name(["Acme"])
            .external_ref(["acme-1"])
            .limit(25)
            .mode(ListMode::Before)
            .modified_date(range())
            .sort_by(["created_date:desc"])
            .tags(["TAG-1"])
    };
}

macro_rules! accounts_list_full {
    ($t:ty) => {
        <$t>::new()
            .created_by(["DEVU-1"])
            .created_date(range())
            .cursor("cursor-2")
            .custom_fields(custom_fields())
            .display_name(["Acme"])
            .domains(["acme.example"])
            .external_refs(["crm-1"])
            .limit(25)
            .mode(ListMode::After)
            .modified_date(range())
            .owned_by(["DEVU-2"])
            .sort_by(["display_name:asc"])
            .stage(["STAGE-1"])
            .subtype(["partner"])
            .tags(["TAG-1"])
            .tier(["enterprise"])
            .websites(["www.acme.example"])
    };
}

/// Every built-in request type, fully filled and minimal.
#[allow(deprecated)] // the deprecated fields are in the spec too
fn cases() -> Vec<Case> {
    vec![
        case(
            RevOrgsCreateRequest::new("ACC-1", "Acme")
                .artifacts(["ARTIFACT-1"])
                .custom_fields(custom_fields())
                .custom_schema_fragments([FRAGMENT])
                .description("The Acme workspace")
                .domain("acme.example")
                .environment(OrgEnvironment::Staging)
                .external_ref("acme-1")
                .tags([tag()])
                .tier("gold"),
            RevOrgsCreateRequest::new("ACC-1", "Acme"),
            vec![],
        ),
        case(
            rev_orgs_get_full!(RevOrgsGetRequest),
            RevOrgsGetRequest::new(),
            vec![RevOrgsGetRequest::by_id("REV-1"), RevOrgsGetRequest::by_account("ACC-1")],
        ),
        case(rev_orgs_get_full!(RevOrgsGetPostRequest), RevOrgsGetPostRequest::new(), vec![]),
        case(rev_orgs_list_full!(RevOrgsListRequest), RevOrgsListRequest::new(), vec![]),
        case(rev_orgs_list_full!(RevOrgsListPostRequest), RevOrgsListPostRequest::new(), vec![]),
        case(
            RevOrgsUpdateRequest::new("REV-1")
                .account("ACC-2")
                .artifacts(["ARTIFACT-1"])
                .custom_schema_fragments([FRAGMENT])
                .description("Moved")
                .display_name("Acme EU")
                .domain("acme.example")
                .environment(OrgEnvironment::Test)
                .external_ref("acme-eu")
                .tags([tag()])
                .tier("silver"),
            RevOrgsUpdateRequest::new("REV-1"),
            vec![RevOrgsUpdateRequest::new("REV-1").artifacts(Vec::<String>::new())],
        ),
        case(RevOrgsDeleteRequest::new("REV-1"), RevOrgsDeleteRequest::new("REV-1"), vec![]),
        case(
            AccountsCreateRequest::new("Acme")
                .artifacts(["ARTIFACT-1"])
                .custom_fields(custom_fields())
                .custom_schema_spec(schema_spec())
                .description("A customer")
                .domains(["acme.example"])
                .external_refs(["crm-1"])
                .owned_by(["DEVU-1"])
                .schema_fragment_ids([FRAGMENT])
                .tags([tag()])
                .tier("enterprise")
                .websites(["www.acme.example"]),
            AccountsCreateRequest::new("Acme"),
            vec![],
        ),
        case(AccountsGetRequest::new("ACC-1"), AccountsGetRequest::new("ACC-1"), vec![]),
        case(AccountsGetPostRequest::new("ACC-1"), AccountsGetPostRequest::new("ACC-1"), vec![]),
        case(accounts_list_full!(AccountsListRequest), AccountsListRequest::new(), vec![]),
        case(accounts_list_full!(AccountsListPostRequest), AccountsListPostRequest::new(), vec![]),
        case(
            AccountsUpdateRequest::new("ACC-1")
                .artifacts(["ARTIFACT-1"])
                .custom_fields(custom_fields())
                .custom_schema_spec(schema_spec())
                .description("A bigger customer")
                .display_name("Acme Corp")
                .domains(["acme.example"])
                .external_refs(["crm-1"])
                .owned_by(["DEVU-1"])
                .schema_fragment_ids([FRAGMENT])
                .tags([tag()])
                .tier("enterprise")
                .websites(["www.acme.example"]),
            AccountsUpdateRequest::new("ACC-1"),
            vec![
                AccountsUpdateRequest::new("ACC-1").clear_tier(),
                AccountsUpdateRequest::new("ACC-1").artifacts(Vec::<String>::new()).websites(Vec::<String>::new()),
            ],
        ),
        case(AccountsDeleteRequest::new("ACC-1"), AccountsDeleteRequest::new("ACC-1"), vec![]),
    ]
}

/// The named models, each against the spec schema of the same meaning.
fn models() -> Vec<(&'static str, Check)> {
    vec![
        model::<RevOrg>("rev-org"),
        model::<Account>("account"),
        model::<AccountSummary>("account-summary"),
        model::<ArtifactSummary>("artifact-summary"),
        model::<ArtifactFileSummary>("artifact-file-summary"),
        model::<TagWithValue>("tag-with-value"),
        model::<TagSummary>("tag-summary"),
        model::<TagStyleSummary>("tag-style-summary"),
        // Inputs: they decode too.
        model::<SetTagWithValue>("set-tag-with-value"),
        model::<DateTimeFilter>("date-time-filter"),
        model::<CustomSchemaSpec>("custom-schema-spec"),
        model::<CustomSchemaSpecDrop>("custom-schema-spec-drop"),
        model::<RevOrgsUpdateRequestArtifacts>("rev-orgs-update-request-artifacts"),
        model::<AccountsUpdateRequestArtifacts>("accounts-update-request-artifacts"),
        model::<AccountsUpdateRequestWebsites>("accounts-update-request-websites"),
    ]
}

// ---------------------------------------------------------------------------
// The checks against DevRev's spec (opt-in)
// ---------------------------------------------------------------------------

#[test]
fn every_endpoint_is_an_operation_of_the_spec() {
    let Some(spec) = spec() else { return };
    let cases = cases();
    let mut problems = Vec::new();
    let mut ours: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for case in &cases {
        ours.entry(case.path).or_default().insert(case.method.as_str().to_ascii_lowercase());
        if operation(spec, case.method, case.path).is_none() {
            problems.push(format!("{}: not an operation of the spec", case.label));
        }
    }
    // Each method the spec serves on our paths has a Rust form.
    for (path, methods) in &ours {
        for method in ["get", "put", "post", "delete", "patch"] {
            if spec.operation(path, method).is_some() && !methods.contains(method) {
                problems.push(format!("{} {path}: an operation of the spec with no Rust form", method.to_uppercase()));
            }
        }
    }
    finish("endpoints", cases.len(), &problems);
}

#[test]
fn requests_send_exactly_the_spec_fields() {
    let Some(spec) = spec() else { return };
    let cases = cases();
    let mut problems = Vec::new();
    for case in &cases {
        (case.request)(spec, &mut problems);
    }
    finish("requests", cases.len(), &problems);
}

#[test]
fn answers_decode_the_spec_fields() {
    let Some(spec) = spec() else { return };
    let cases = cases();
    let mut problems = Vec::new();
    for case in &cases {
        (case.answer)(spec, &mut problems);
    }
    finish("answers", cases.len(), &problems);
}

#[test]
fn models_have_the_spec_fields() {
    let Some(spec) = spec() else { return };
    let mut problems = Vec::new();
    let models = models();
    for (_, check) in &models {
        check(spec, &mut problems);
    }
    let variants = check_union::<UserSummary>(spec, "user-summary", user_payload, &mut problems)
        + check_union::<OrgSummary>(spec, "org-summary", org_payload, &mut problems);
    finish("models and union variants", models.len() + variants, &problems);
}

#[test]
fn enums_decode_every_spec_value() {
    let Some(spec) = spec() else { return };
    let mut problems = Vec::new();
    let checks = enum_checks();
    let mut values = 0;
    for (name, check) in &checks {
        let flat = match spec.schema(name).and_then(|s| spec.flatten(s)) {
            Ok(flat) => flat,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let Some(allowed) = flat.enum_values else {
            problems.push(format!("{name}: not an enum in the spec"));
            continue;
        };
        for value in allowed {
            values += 1;
            match value.as_str() {
                Some(text) => {
                    if let Err(e) = check(text) {
                        problems.push(format!("{name} `{text}`: {e}"));
                    }
                }
                None => problems.push(format!("{name}: the value {value} is not a string")),
            }
        }
    }
    // Every enum the checked operations and models reach has a check above.
    let mut roots = Vec::new();
    for case in cases() {
        let Some(op) = operation(spec, case.method, case.path) else { continue };
        roots.extend(spec.request_body_schema(op).ok());
        roots.extend(spec.success_schema(op).ok());
        roots.extend(op.get("parameters"));
    }
    let named: Vec<Value> =
        models().iter().map(|(name, _)| json!({ "$ref": format!("#/components/schemas/{name}") })).collect();
    roots.extend(named.iter());
    let (reached, inline) = reachable_enums(spec, &roots);
    for name in reached.iter().filter(|name| !checks.contains_key(name.as_str())) {
        problems.push(format!("{name}: an enum of the checked schemas with no Rust enum checked here"));
    }
    problems.extend(inline);
    finish("enum values", values, &problems);
}

// ---------------------------------------------------------------------------
// The checker itself, against a small spec written here (always run)
// ---------------------------------------------------------------------------

const MINI_SPEC: &str = r##"
openapi: 3.0.3
paths:
  /gadgets.create:
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: "#/components/schemas/gadget-draft" }
      responses:
        "201":
          content:
            application/json:
              schema: { $ref: "#/components/schemas/gadget" }
  /gadgets.list:
    get:
      parameters:
        - { in: query, name: kind, required: true, schema: { type: array, items: { type: string } } }
        - { in: query, name: made.after, schema: { type: string, format: date-time } }
        - { in: query, name: extras, schema: { type: object } }
        - { in: query, name: count, schema: { type: integer } }
        - { in: query, name: shade, schema: { $ref: "#/components/schemas/shade" } }
        - { in: header, name: x-trace, schema: { type: string } }
components:
  schemas:
    base:
      type: object
      required: [id]
      properties:
        id: { type: string }
    gadget-draft:
      allOf:
        - { $ref: "#/components/schemas/base" }
        - type: object
          properties:
            size: { type: integer }
            shade: { $ref: "#/components/schemas/shade" }
            note: { type: string, nullable: true }
            parts: { type: array, items: { $ref: "#/components/schemas/part" } }
            legacy: { type: string, deprecated: true }
    part:
      type: object
      required: [name]
      properties:
        name: { type: string }
        weight: { type: number }
    shade: { type: string, enum: [teal, amber] }
    gadget:
      allOf:
        - { $ref: "#/components/schemas/base" }
        - type: object
          properties:
            made: { type: string, format: date-time }
            extras: { type: object }
            closed: { type: object, additionalProperties: false }
"##;

fn mini() -> Spec {
    Spec::parse(MINI_SPEC).expect("the mini spec parses")
}

#[test]
fn introspection_reads_wire_names() {
    // `type` is the wire name of `r#type`; generated fields are in wire-name order.
    assert_eq!(wire_fields::<ArtifactFileSummary>().unwrap(), ["name", "size", "type"]);
    assert_eq!(wire_fields::<TagWithValue>().unwrap(), ["tag", "value"]);
    assert_eq!(wire_fields_of_val(&RevOrgsUpdateRequestArtifacts::from(Vec::<String>::new())).unwrap(), ["set"]);
    // Not plain structs: no field list, an error saying so.
    let err = wire_fields::<UserSummary>().unwrap_err();
    assert!(err.contains("UserSummary") && err.contains("not a plain struct"), "{err}");
    assert!(wire_fields::<Value>().is_err());
    assert!(wire_fields::<OrgEnvironment>().is_err());
}

#[test]
fn flatten_merges_all_of_and_follows_refs() {
    let spec = mini();
    let flat = spec.flatten(spec.schema("gadget-draft").unwrap()).unwrap();
    assert_eq!(flat.kind(), Some("object"));
    assert_eq!(flat.properties.keys().copied().collect::<Vec<_>>(), ["id", "legacy", "note", "parts", "shade", "size"]);
    assert_eq!(flat.required.iter().copied().collect::<Vec<_>>(), ["id"]);
    assert!(spec.schema("no-such-schema").is_err());
    assert!(Spec::parse("openapi: 3.0.3\n").is_err(), "a document without paths is refused");
}

#[test]
fn body_check_reports_every_kind_of_mismatch() {
    let spec = mini();
    let schema = spec.schema("gadget-draft").unwrap();
    let good = json!({
        "id": "G-1", "size": 3, "shade": "teal", "note": null, "legacy": "x",
        "parts": [{"name": "bolt", "weight": 0.5}],
    });
    let mut out = Vec::new();
    check_value(&spec, &good, schema, "body", true, &mut out);
    assert_eq!(out, Vec::<String>::new());

    let bad = json!({
        "id": 1, "size": "big", "shade": "crimson", "colour": "red",
        "parts": [{"name": "bolt", "grams": 4}],
    });
    let mut out = Vec::new();
    check_value(&spec, &bad, schema, "body", true, &mut out);
    assert_eq!(
        out,
        [
            "body.legacy: in the spec (deprecated there), but our request with every setter applied does not send it",
            "body.note: in the spec, but our request with every setter applied does not send it",
            "body.colour: we send it, but the spec does not know it",
            "body.id: the spec wants string, we send an integer",
            "body.parts[].weight: in the spec, but our request with every setter applied does not send it",
            "body.parts[].grams: we send it, but the spec does not know it",
            r#"body.shade: we send `crimson`, which is not one of the spec's values ["teal","amber"]"#,
            "body.size: the spec wants integer, we send a string",
        ]
    );

    // An incomplete instance is only checked for what it sends; a null needs `nullable`.
    let mut out = Vec::new();
    check_value(&spec, &json!({"id": "G-1", "size": null}), schema, "body", false, &mut out);
    assert_eq!(out, ["body.size: we send null, which the spec does not allow here (not nullable)"]);
}

#[test]
fn query_names_map_to_spec_parameters() {
    let spec = mini();
    let op = spec.operation("/gadgets.list", "get").unwrap();
    let params = spec.query_parameters("/gadgets.list", op).unwrap();
    assert_eq!(
        params.iter().map(|p| (p.name, p.required)).collect::<Vec<_>>(),
        [("kind", true), ("made.after", false), ("extras", false), ("count", false), ("shade", false)]
    );
    let params: BTreeMap<&str, &Param> = params.iter().map(|p| (p.name, p)).collect();
    let names = query_names("kind=a%2Cb&made.after=2024&extras.colour%5F1=red&made.before=2025&kind%2Ex=1");
    assert_eq!(names, ["kind", "made.after", "extras.colour_1", "made.before", "kind.x"]);
    let mapped: Vec<Option<&str>> = names.iter().map(|n| spec_parameter(&spec, &params, n)).collect();
    // `made.before` is not a parameter, and `kind` is not an object: no dotted names under it.
    assert_eq!(mapped, [Some("kind"), Some("made.after"), Some("extras"), None, None]);

    let values = |name: &str, query: &str| {
        let (_, values) = query_pairs(query).remove(0);
        check_query_values(&spec, params[name].schema, &values)
    };
    assert_eq!(values("kind", "kind=a%2Cb,c"), Ok(()));
    assert_eq!(values("count", "count=25"), Ok(()));
    assert_eq!(
        values("count", "count=many"),
        Err("we send `many`, not a value of the spec's type integer (format -)".to_owned())
    );
    assert_eq!(values("count", "count=1,2"), Err("the spec wants one value, we send 2".to_owned()));
    assert_eq!(values("made.after", "made.after=2024-03-01T12%3A00%3A00Z"), Ok(()));
    assert_eq!(
        values("made.after", "made.after=yesterday"),
        Err("we send `yesterday`, not a value of the spec's type string (format date-time)".to_owned())
    );
    assert_eq!(values("shade", "shade=teal"), Ok(()));
    assert_eq!(
        values("shade", "shade=mauve"),
        Err(r#"we send `mauve`, which is not one of the spec's values ["teal","amber"]"#.to_owned())
    );
}

#[test]
fn samples_follow_the_schema() {
    let spec = mini();
    let schema = spec.schema("gadget").unwrap();
    assert_eq!(
        spec.sample(schema, true).unwrap(),
        json!({"id": "sample text", "made": "2024-05-06T07:08:09Z", "extras": {"sample_key": "sample value"}, "closed": {}})
    );
    assert_eq!(spec.sample(schema, false).unwrap(), json!({"id": "sample text"}));
    let op = spec.operation("/gadgets.create", "post").unwrap();
    assert_eq!(spec.success_schema(op).unwrap(), &json!({"$ref": "#/components/schemas/gadget"}));

    // A model lacking a spec property, with one the spec does not define.
    #[derive(serde::Deserialize, Serialize)]
    struct Gadget {
        id: String,
        made: Option<Timestamp>,
        colour: Option<String>,
    }
    let mut out = Vec::new();
    check_model::<Gadget>(&spec, schema, "gadget", &mut out);
    assert_eq!(
        out,
        [
            "gadget: the spec's property `closed` is not a field of `Gadget`",
            "gadget: the spec's property `extras` is not a field of `Gadget`",
            "gadget: `Gadget` has a field `colour` that the spec does not define",
            "gadget.closed: lost on the way through our model",
            "gadget.extras: lost on the way through our model",
            "gadget.colour: added by our model",
        ]
    );
}
