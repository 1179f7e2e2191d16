//! The fidelity suite (issue 27): the server held to DevRev's spec by a
//! client that shares nothing with the crate's typed requests.
//!
//! Generated from the operation table (`testkit/src/spec/devrev-api.json`,
//! which the generator writes from DevRev's OpenAPI spec: paths, schemas, the
//! statuses each operation documents): for every family with a `create`,
//! each on a server of its own, over raw HTTP (reqwest and
//! `serde_json::Value`):
//!
//! - the objects a create refers to exist first: each field the request
//!   schema marks `format: id` gets the ID of a real object of the kind its
//!   name says (`applies_to_part` a part, `account` an account, `state` a
//!   custom state), made on the same server; a small table covers the names
//!   that say a role, not a family (`owned_by` the caller, from
//!   `dev-users.self`; a link's `source` a work);
//! - create, then get returns the same `id` with the fields sent;
//! - list gains exactly that object; with more objects, every listing (GET
//!   and POST, both `mode`s) holds them all and ends within
//!   ceil(n / limit) + 1 pages, as every unfiltered listing of an empty
//!   server does;
//! - update shows in get; delete makes get 404 and list omit it;
//! - a get of an ID the server never issued is 404;
//! - export equals list under the same filter; count equals what list pages
//!   through; search finds what was created;
//! - a create whose answer holds no object with an `id` (`auth-tokens.create`
//!   answers a token): every text field it answers is filled in, and a second
//!   create issues another `access_token`; what needs the object's ID (get,
//!   update, delete, the list's hold on it) is printed as `SKIPPED`, each
//!   with its reason;
//! - every answer is valid against the spec's schema for its status (the
//!   success answer, or the documented error), compiled here with
//!   `jsonschema` (not the server's code), and its status is one the spec
//!   documents for the operation. One exception, by the project's rule
//!   (a user's test should fail early rather than pass wrongly): a get,
//!   update or delete of an object never issued is 404 `not_found` on every
//!   operation, so there 404 is accepted where the operation does not list
//!   it, its body held to the table's common `error-not-found` schema.
//!
//! With `DEVREV_OPENAPI_SPEC` set to DevRev's OpenAPI file (CI sets it),
//! every answer is also held to that file itself, read here (not through the
//! generator): the statuses it documents per operation and its schemas,
//! `#/components/schemas/...` references resolved by a `jsonschema`
//! registry over the whole file. Without it that second reading is skipped,
//! and the test says so.
//!
//! Every failure is collected, printed per operation and grouped by check,
//! and the test fails at the end if there was any.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

use devrev_testkit::TestServer;
use jsonschema::{Draft, Resource, Validator};
use serde_json::{json, Map, Value};

/// The operation table, as the generator wrote it from DevRev's spec.
const TABLE: &str = include_str!("../src/spec/devrev-api.json");
const BASE: &str = "urn:devrev-fidelity";
/// The page size of every walk: small, so listings take several pages.
const LIMIT: usize = 2;
/// A walk that has not ended after this many pages is reported as endless.
const MAX_PAGES: usize = 60;
/// Objects created beyond the first in each family, so listings take several pages.
const EXTRA_OBJECTS: usize = 4;

struct Op {
    method: String,
    path: String,
    status: u16,
    statuses: Vec<u16>,
    request: Value,
    index: usize,
    has_response: bool,
    has_errors: BTreeSet<String>,
}

struct Table {
    document: Value,
    ops: Vec<Op>,
    registry: jsonschema::Registry,
}

static TABLE_PARSED: LazyLock<Table> = LazyLock::new(|| {
    let document: Value = serde_json::from_str(TABLE).expect("the table is JSON");
    let ops = document["operations"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(index, op)| Op {
            method: op["method"].as_str().unwrap().to_owned(),
            path: op["path"].as_str().unwrap().to_owned(),
            status: u16::try_from(op["status"].as_u64().unwrap()).unwrap(),
            statuses: op["statuses"]
                .as_array()
                .expect("the table lists each operation's statuses")
                .iter()
                .map(|s| u16::try_from(s.as_u64().unwrap()).unwrap())
                .collect(),
            request: op["request"].clone(),
            index,
            has_response: op.get("response").is_some(),
            has_errors: op["errors"].as_object().map(|e| e.keys().cloned().collect()).unwrap_or_default(),
        })
        .collect();
    let resource = Resource::from_contents(document.clone()).unwrap();
    let registry = jsonschema::Registry::options().draft(Draft::Draft7).build([(BASE, resource)]).unwrap();
    Table { document, ops, registry }
});

static VALIDATORS: LazyLock<std::sync::Mutex<BTreeMap<String, Arc<Validator>>>> = LazyLock::new(Default::default);

/// The validator of the schema at `pointer` in the table.
fn validator(pointer: &str) -> Arc<Validator> {
    let mut cache = VALIDATORS.lock().unwrap();
    if let Some(v) = cache.get(pointer) {
        return Arc::clone(v);
    }
    let schema = json!({ "$ref": format!("{BASE}#{pointer}") });
    let v = Arc::new(
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .with_registry(TABLE_PARSED.registry.clone())
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{pointer}: {e}")),
    );
    cache.insert(pointer.to_owned(), Arc::clone(&v));
    v
}

fn find(method: &str, path: &str) -> Option<&'static Op> {
    TABLE_PARSED.ops.iter().find(|o| o.method == method && o.path == path)
}

fn definitions() -> &'static Map<String, Value> {
    TABLE_PARSED.document["definitions"].as_object().unwrap()
}

fn resolve(mut schema: &Value) -> &Value {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/definitions/")) {
            Some(key) => schema = &definitions()[key],
            None => break,
        }
    }
    schema
}

fn first_type(schema: &Value) -> Option<&str> {
    match resolve(schema).get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// The properties and required names of an object schema, through `allOf`
/// members (not the `if`/`then` ones).
fn object_parts(schema: &Value) -> (Map<String, Value>, Vec<String>) {
    let schema = resolve(schema);
    let mut props = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        if member.get("if").is_some() {
            continue;
        }
        let (p, r) = object_parts(member);
        for (k, v) in p {
            props.entry(k).or_insert(v);
        }
        required.extend(r);
    }
    (props, required)
}

/// The `then` branches of a discriminated object whose `if` holds for `value`.
fn chosen_branches<'a>(schema: &'a Value, value: &Map<String, Value>) -> Vec<&'a Value> {
    let schema = resolve(schema);
    let mut out = Vec::new();
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        if let (Some(cond), Some(then)) = (member.get("if"), member.get("then")) {
            let holds = cond["properties"]
                .as_object()
                .is_some_and(|p| p.iter().all(|(k, c)| c.get("const").is_some_and(|c| value.get(k) == Some(c))));
            if holds {
                out.push(then);
            }
        } else {
            out.extend(chosen_branches(member, value));
        }
    }
    out
}

/// A value valid for `schema`, with only the required fields of objects.
fn example(schema: &Value, field: &str, depth: usize) -> Value {
    let schema = resolve(schema);
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null);
    }
    match first_type(schema) {
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2024-06-01T00:00:00.000Z"),
            Some("date") => json!("2024-06-01"),
            _ if field == "url" || field.ends_with("_url") || field == "uri" => {
                json!("https://example.invalid/fidelity")
            }
            _ => {
                let max = schema.get("maxLength").and_then(Value::as_u64).map_or(usize::MAX, |m| m as usize);
                let mut text = format!("fidelity {field}");
                text.truncate(max.max(1));
                json!(text)
            }
        },
        Some("integer") => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1).max(1)),
        Some("number") => json!(1.0),
        Some("boolean") => json!(true),
        Some("array") => {
            // A required list of references names one object at least (a work's owner).
            let of_ids = schema.get("items").map(resolve).and_then(|i| i.get("format")) == Some(&json!("id"));
            let n = schema.get("minItems").and_then(Value::as_u64).unwrap_or(u64::from(of_ids));
            let item = schema.get("items").cloned().unwrap_or(json!({}));
            Value::Array((0..n).map(|_| example(&item, field, depth + 1)).collect())
        }
        _ if depth > 8 => json!({}),
        _ => Value::Object(fill(schema, &Map::new(), depth)),
    }
}

/// An object for `schema` with its required fields (those of the variant
/// its tag chooses too), each from `known` when it has it, else made up.
fn fill(schema: &Value, known: &Map<String, Value>, depth: usize) -> Map<String, Value> {
    let (props, required) = object_parts(schema);
    let mut out = Map::new();
    for name in &required {
        if let Some(p) = props.get(name) {
            out.insert(name.clone(), known.get(name).cloned().unwrap_or_else(|| example(p, name, depth + 1)));
        }
    }
    // A tag narrowed by an `allOf` member (the mapped variants) takes a value
    // it allows; the variant it chooses adds its required fields, and may
    // itself be a union on another tag.
    narrow(schema, &mut out);
    let mut todo = chosen_branches(schema, &out.clone());
    let mut seen = 0;
    while let Some(branch) = todo.pop() {
        seen += 1;
        if seen > 16 {
            break;
        }
        let (props, required) = object_parts(branch);
        for name in required {
            if let (false, Some(p)) = (out.contains_key(&name), props.get(&name)) {
                out.insert(name.clone(), known.get(&name).cloned().unwrap_or_else(|| example(p, &name, depth + 1)));
            }
        }
        narrow(branch, &mut out);
        todo.extend(chosen_branches(branch, &out.clone()));
    }
    out
}

/// Values of `out` that an `enum` of the schema or of one of its `allOf`
/// members (not the `if`/`then` ones) does not allow become its first value.
fn narrow(schema: &Value, out: &mut Map<String, Value>) {
    let schema = resolve(schema);
    for (name, p) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let p = resolve(p);
        if let (Some(allowed), Some(value)) = (p.get("enum").and_then(Value::as_array), out.get(name)) {
            if !allowed.contains(value) {
                if let Some(first) = allowed.iter().find(|v| !v.is_null()) {
                    out.insert(name.clone(), first.clone());
                }
            }
        }
    }
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        if member.get("if").is_none() {
            narrow(member, out);
        }
    }
}

/// One answer.
struct Answer {
    status: u16,
    body: Value,
}

/// A raw client that checks every answer against the table and records failures.
struct Probe {
    http: reqwest::Client,
    base: String,
    token: String,
    failures: BTreeMap<String, Vec<(String, String)>>,
    /// The ID of the one object made (or looked up) for each source of
    /// references: a family's prefix (`/parts`), or `dev-users.self`.
    references: BTreeMap<String, String>,
    /// The sources of references being made now (against cycles).
    making: BTreeSet<String>,
}

impl Probe {
    fn new(server: &TestServer) -> Probe {
        Probe {
            http: reqwest::Client::new(),
            base: server.base_url(),
            token: server.token().to_owned(),
            failures: BTreeMap::new(),
            references: BTreeMap::new(),
            making: BTreeSet::new(),
        }
    }

    fn fail(&mut self, op: &str, check: &str, what: impl Into<String>) {
        self.failures.entry(op.to_owned()).or_default().push((check.to_owned(), what.into()));
    }

    /// Sends `body` to `path` (as a JSON body, or for `GET` as a query
    /// string) and checks the answer's status and schema.
    async fn call(&mut self, method: &str, path: &str, body: &Value) -> Option<Answer> {
        let name = format!("{method} {path}");
        let op = find(method, path)?;
        let request = if method == "GET" {
            self.http.get(format!("{}{path}?{}", self.base, query_string(body)))
        } else {
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .body(body.to_string())
        };
        let response = match request.header("authorization", format!("Bearer {}", self.token)).send().await {
            Ok(r) => r,
            Err(e) => {
                self.fail(&name, "transport", e.to_string());
                return None;
            }
        };
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(_) => {
                    self.fail(&name, "answer not JSON", format!("{status}: {}", excerpt(&text)));
                    return Some(Answer { status, body: Value::Null });
                }
            }
        };
        // An object never issued is 404 on every get, update and delete (the
        // project's rule), even where the operation does not list 404: then
        // the answer must still be DevRev's `not_found` error.
        let unknown_object = status == 404 && !op.statuses.contains(&404) && acts_on_one_object(path);
        if !op.statuses.contains(&status) && !unknown_object {
            self.fail(
                &name,
                "status not documented",
                format!("{status} (documented: {:?}): {}", op.statuses, excerpt(&body.to_string())),
            );
        }
        // A 204 has no body (HTTP), whatever schema the spec puts beside it.
        let pointer = if status == 204 {
            None
        } else if status == op.status {
            op.has_response.then(|| format!("/operations/{}/response", op.index))
        } else if unknown_object {
            Some("/definitions/error-not-found".to_owned())
        } else {
            op.has_errors.contains(&status.to_string()).then(|| format!("/operations/{}/errors/{status}", op.index))
        };
        if let Some(pointer) = pointer {
            let v = validator(&pointer);
            let errors: Vec<String> =
                v.iter_errors(&body).take(3).map(|e| format!("{}: {e}", e.instance_path)).collect();
            if !errors.is_empty() {
                self.fail(&name, "answer not valid per the spec", format!("{status}: {}", errors.join("; ")));
            }
        }
        if let Some(openapi) = OPENAPI.as_ref() {
            self.check_openapi(openapi, method, path, status, &body, unknown_object);
        }
        Some(Answer { status, body })
    }

    /// The same answer held to DevRev's OpenAPI file itself: its status is
    /// one the file documents for the operation (or the 404 of an unknown
    /// object), its body valid against the file's schema for that status.
    fn check_openapi(&mut self, openapi: &OpenApi, method: &str, path: &str, status: u16, body: &Value, unknown: bool) {
        let name = format!("{method} {path}");
        let Some(responses) = openapi.responses(method, path) else {
            self.fail(&name, "OpenAPI: operation not in DevRev's file", String::new());
            return;
        };
        let pointer = match responses.get(&status) {
            Some(pointer) => pointer.clone(),
            None if unknown || (status == 404 && acts_on_one_object(path)) => {
                Some("/components/schemas/error-not-found".to_owned())
            }
            None => {
                let documented: Vec<&u16> = responses.keys().collect();
                self.fail(
                    &name,
                    "OpenAPI: status not documented",
                    format!("{status} (documented: {documented:?}): {}", excerpt(&body.to_string())),
                );
                return;
            }
        };
        let Some(pointer) = pointer.filter(|_| status != 204) else { return };
        let v = openapi.validator(&pointer);
        let errors: Vec<String> = v.iter_errors(body).take(3).map(|e| format!("{}: {e}", e.instance_path)).collect();
        if !errors.is_empty() {
            self.fail(&name, "OpenAPI: answer not valid per DevRev's file", format!("{status}: {}", errors.join("; ")));
        }
    }
}

/// Whether the operation at `path` acts on one object named by its ID (a
/// get, update or delete), so that an ID never issued is 404.
fn acts_on_one_object(path: &str) -> bool {
    [".get", ".update", ".delete"].iter().any(|verb| path.ends_with(verb))
}

const OPENAPI_BASE: &str = "urn:devrev-openapi";

/// DevRev's OpenAPI file itself, read when `DEVREV_OPENAPI_SPEC` names it
/// (CI sets it): the independent reading every answer is also held to,
/// sharing nothing with the generator that wrote the table.
struct OpenApi {
    document: Value,
    registry: jsonschema::Registry,
    validators: std::sync::Mutex<BTreeMap<String, Arc<Validator>>>,
}

static OPENAPI: LazyLock<Option<OpenApi>> = LazyLock::new(|| {
    let path = std::env::var_os("DEVREV_OPENAPI_SPEC")?;
    let path = std::path::PathBuf::from(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("DEVREV_OPENAPI_SPEC={}: {e}", path.display()));
    let mut document: Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("DEVREV_OPENAPI_SPEC={}: {e}", path.display()));
    // Variants without fields of their own: closed and empty.
    let empty_variants: BTreeSet<String> = document["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, s)| s.get("additionalProperties") == Some(&json!(false)) && s.get("properties").is_none())
        .map(|(name, _)| format!("#/components/schemas/{name}"))
        .collect();
    as_json_schema(&mut document, &empty_variants);
    let resource = Resource::from_contents(document.clone()).expect("the OpenAPI file is a JSON Schema resource");
    let registry = jsonschema::Registry::options()
        .draft(Draft::Draft7)
        .build([(OPENAPI_BASE, resource)])
        .expect("the OpenAPI file's references resolve");
    Some(OpenApi { document, registry, validators: Default::default() })
});

impl OpenApi {
    /// The operation's documented statuses, each with the JSON pointer of
    /// its body's schema in the file (`None`: no body).
    fn responses(&self, method: &str, path: &str) -> Option<BTreeMap<u16, Option<String>>> {
        let method = method.to_lowercase();
        let responses = self.document["paths"].get(path)?.get(&method)?.get("responses")?.as_object()?;
        let escaped = path.replace('~', "~0").replace('/', "~1");
        let mut out = BTreeMap::new();
        for (status, response) in responses {
            let Ok(status) = status.parse::<u16>() else { continue };
            let (base, response) = match response.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let pointer = r.strip_prefix('#').unwrap_or(r).to_owned();
                    let target = self.document.pointer(&pointer).cloned().unwrap_or(Value::Null);
                    (pointer, target)
                }
                None => (format!("/paths/{escaped}/{method}/responses/{status}"), response.clone()),
            };
            let schema = response.pointer("/content/application~1json/schema").is_some();
            out.insert(status, schema.then(|| format!("{base}/content/application~1json/schema")));
        }
        Some(out)
    }

    /// The validator of the schema at `pointer` in the file.
    fn validator(&self, pointer: &str) -> Arc<Validator> {
        let mut cache = self.validators.lock().unwrap();
        if let Some(v) = cache.get(pointer) {
            return Arc::clone(v);
        }
        let schema = json!({ "$ref": format!("{OPENAPI_BASE}#{pointer}") });
        let v = Arc::new(
            jsonschema::options()
                .with_draft(Draft::Draft7)
                .with_registry(self.registry.clone())
                .should_validate_formats(true)
                .build(&schema)
                .unwrap_or_else(|e| panic!("OpenAPI {pointer}: {e}")),
        );
        cache.insert(pointer.to_owned(), Arc::clone(&v));
        v
    }
}

/// OpenAPI 3.0's schema forms in JSON Schema (draft 7) terms, in place: a
/// `oneOf` with a `discriminator` mapping becomes one `if`/`then` per mapped
/// value plus an `enum` of the values (the tag, not the members' shapes,
/// picks the variant, as OpenAPI says); `nullable: true` admits `null`.
///
/// A mapped variant that is closed and empty (`additionalProperties: false`
/// without `properties`, as every `error-*-not-found`-style variant is)
/// means the variant adds no field of its own; read literally in JSON
/// Schema it would refuse the tag and the base's fields too (every error
/// DevRev sends), so there it adds nothing. Anywhere else (an empty answer
/// such as `works-delete-response`) it keeps its literal meaning: `{}`.
fn as_json_schema(value: &mut Value, empty_variants: &BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([t, "null"]));
                }
                if let Some(Value::Array(values)) = map.get_mut("enum") {
                    if !values.contains(&Value::Null) {
                        values.push(Value::Null);
                    }
                }
            }
            if let Some(discriminator) = map.remove("discriminator") {
                let tag = discriminator.get("propertyName").and_then(Value::as_str);
                let mapping = discriminator.get("mapping").and_then(Value::as_object);
                if let (Some(tag), Some(mapping), true) = (tag, mapping, map.contains_key("oneOf")) {
                    map.remove("oneOf");
                    let mut all = match map.remove("allOf") {
                        Some(Value::Array(all)) => all,
                        _ => Vec::new(),
                    };
                    for (value, target) in mapping {
                        let then = match target.as_str() {
                            Some(t) if empty_variants.contains(t) => json!({ "type": "object" }),
                            _ => json!({ "$ref": target }),
                        };
                        all.push(json!({
                            "if": { "properties": { tag: { "const": value } }, "required": [tag] },
                            "then": then,
                        }));
                    }
                    let values: Vec<&String> = mapping.keys().collect();
                    all.push(json!({ "properties": { tag: { "enum": values } } }));
                    map.insert("allOf".into(), Value::Array(all));
                }
            }
            for v in map.values_mut() {
                as_json_schema(v, empty_variants);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| as_json_schema(v, empty_variants)),
        _ => {}
    }
}

fn excerpt(text: &str) -> String {
    text.chars().take(200).collect()
}

/// A flat JSON object as a query string (arrays comma-joined).
fn query_string(body: &Value) -> String {
    let mut parts = Vec::new();
    for (k, v) in body.as_object().into_iter().flatten() {
        let value = match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        let encoded: String = percent_encode(&value);
        parts.push(format!("{k}={encoded}"));
    }
    parts.join("&")
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~:/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The object an answer is about: its one object-valued field with an `id`.
fn object_of(body: &Value) -> Option<&Map<String, Value>> {
    body.as_object()?.values().find_map(|v| v.as_object().filter(|o| o.contains_key("id")))
}

/// The items of a list answer: its one array field of objects.
fn items_of(body: &Value) -> Option<&Vec<Value>> {
    body.as_object()?.iter().filter(|(k, _)| !k.ends_with("cursor")).find_map(|(_, v)| v.as_array())
}

fn ids_of(items: &[Value]) -> Vec<String> {
    items.iter().filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_owned)).collect()
}

impl Probe {
    /// The family's get of `id` (POST, else GET), with the other fields the
    /// spec requires taken from `object` (such as its `type`).
    async fn get(&mut self, path: &str, id: &str, object: &Map<String, Value>) -> Option<Answer> {
        for method in ["POST", "GET"] {
            if let Some(op) = find(method, path) {
                // Only the object's plain values: its arrays and objects are summaries, not request forms.
                let plain: Map<String, Value> = object
                    .iter()
                    .filter(|(_, v)| v.is_string() || v.is_number() || v.is_boolean())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let mut body = Value::Object(required_only(op, &plain));
                self.fill_references(&op.request, &mut body, 0).await;
                body["id"] = json!(id);
                return self.call(method, path, &body).await;
            }
        }
        None
    }

    /// Replaces every ID `value` holds (each field `schema` marks `format:
    /// id`) with the ID of a real object of the kind the field names, made
    /// (or looked up) on this server first: a work's `applies_to_part` gets
    /// a part, a comment's `object` a work, `owned_by` the caller.
    async fn fill_references(&mut self, schema: &Value, value: &mut Value, depth: usize) {
        let mut fields = BTreeSet::new();
        each_id(schema, &mut value.clone(), "", 0, &mut |field, _| {
            fields.insert(field.to_owned());
        });
        let mut ids = BTreeMap::new();
        for field in fields {
            if let Some(id) = self.reference(&field, depth).await {
                ids.insert(field, id);
            }
        }
        each_id(schema, value, "", 0, &mut |field, slot| {
            if let Some(id) = ids.get(field) {
                *slot = json!(id);
            }
        });
    }

    /// The ID of the one object this server holds for references named
    /// `field`, made on first use; `None` when the field names no family.
    fn reference<'a>(&'a mut self, field: &'a str, depth: usize) -> Pin<Box<dyn Future<Output = Option<String>> + 'a>> {
        Box::pin(async move {
            let source = source_of(field)?;
            if let Some(id) = self.references.get(&source) {
                return Some(id.clone());
            }
            if depth > 4 {
                return None;
            }
            // A family whose objects refer to their own kind (a capability's parent part) ends here.
            if !self.making.insert(source.clone()) {
                return None;
            }
            let id = self.make(&source, field, depth).await;
            self.making.remove(&source);
            let id = id?;
            self.references.insert(source, id.clone());
            Some(id)
        })
    }

    /// Makes (or for the caller, looks up) one object of `source` for the
    /// field `field`: the create's example first, then one per value of
    /// its `type` (a part that needs no parent: a product).
    async fn make(&mut self, source: &str, field: &str, depth: usize) -> Option<String> {
        if source == SELF {
            let answer = self.call("GET", SELF, &json!({})).await?;
            return object_of(&answer.body)?.get("id")?.as_str().map(str::to_owned);
        }
        let op = find("POST", &format!("{source}.create"))?;
        let mut candidates = vec![example(&op.request, "", 0)];
        let (props, _) = object_parts(&op.request);
        let types = props.get("type").map(resolve).and_then(|t| t.get("enum")).and_then(Value::as_array);
        for ty in types.into_iter().flatten().filter(|t| !t.is_null()) {
            let candidate = Value::Object(fill(&op.request, &Map::from_iter([("type".to_owned(), ty.clone())]), 0));
            if !candidates.contains(&candidate) {
                candidates.push(candidate);
            }
        }
        let mut refused = String::new();
        for mut body in candidates {
            self.fill_references(&op.request, &mut body, depth + 1).await;
            let answer = self.call("POST", &op.path, &body).await?;
            if answer.status == op.status {
                if let Some(id) = object_of(&answer.body).and_then(|o| o.get("id")).and_then(Value::as_str) {
                    return Some(id.to_owned());
                }
            }
            refused.push_str(&format!("\n    {} for {body}: {}", answer.status, excerpt(&answer.body.to_string())));
        }
        self.fail(&format!("POST {}", op.path), "create refused", format!("(for `{field}`) every form:{refused}"));
        None
    }

    /// Walks a listing to its end; returns every ID seen, or `None` when it
    /// could not list. Checks the walk ends within ceil(n / limit) + 1 pages.
    async fn walk(&mut self, method: &str, path: &str, filter: &Value, mode: &str) -> Option<Vec<String>> {
        let name = format!("{method} {path}");
        let (props, _) = object_parts(&find(method, path)?.request);
        let (takes_limit, takes_mode) = (props.contains_key("limit"), props.contains_key("mode"));
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        // Without a `limit` parameter, the page size is the server's: the largest page seen.
        let mut page_size = if takes_limit { LIMIT } else { 1 };
        loop {
            let mut body = filter.as_object().cloned().unwrap_or_default();
            if takes_limit {
                body.insert("limit".into(), json!(LIMIT));
            }
            if takes_mode {
                body.insert("mode".into(), json!(mode));
            } else if mode == "before" {
                return None;
            }
            if let Some(c) = &cursor {
                body.insert("cursor".into(), json!(c));
            }
            let answer = self.call(method, path, &Value::Object(body)).await?;
            if answer.status != 200 {
                self.fail(
                    &name,
                    "list refused",
                    format!("mode {mode}: {} {}", answer.status, excerpt(&answer.body.to_string())),
                );
                return None;
            }
            pages += 1;
            let Some(items) = items_of(&answer.body) else {
                self.fail(&name, "list has no items array", excerpt(&answer.body.to_string()));
                return None;
            };
            if takes_limit && items.len() > LIMIT {
                self.fail(&name, "page larger than limit", format!("{} items for limit {LIMIT}", items.len()));
            }
            page_size = page_size.max(items.len());
            ids.extend(ids_of(items));
            let next = if mode == "before" { "prev_cursor" } else { "next_cursor" };
            cursor = answer.body.get(next).and_then(Value::as_str).map(str::to_owned);
            if cursor.is_none() {
                break;
            }
            if pages >= MAX_PAGES {
                self.fail(
                    &name,
                    "listing never ends",
                    format!("mode {mode}: still a {next} after {pages} pages ({} items)", ids.len()),
                );
                return Some(ids);
            }
        }
        let bound = ids.len().div_ceil(page_size) + 1;
        if pages > bound {
            self.fail(
                &name,
                "listing takes too many pages",
                format!("mode {mode}: {pages} pages for {} items (at most {bound})", ids.len()),
            );
        }
        Some(ids)
    }

    /// Every listing form of `list` (GET and POST, both modes); returns the
    /// POST `after` walk's IDs.
    async fn walk_all(&mut self, prefix: &str, filter: &Value) -> Option<Vec<String>> {
        let path = format!("{prefix}.list");
        let mut main = None;
        for method in ["POST", "GET"] {
            if find(method, &path).is_none() {
                continue;
            }
            for mode in ["after", "before"] {
                let ids = self.walk(method, &path, filter, mode).await;
                if method == "POST" && mode == "after" {
                    main = ids;
                } else if let (Some(ids), Some(main)) = (ids, &main) {
                    let (a, b): (BTreeSet<_>, BTreeSet<_>) = (ids.iter().collect(), main.iter().collect());
                    if a != b {
                        self.fail(
                            &format!("{method} {path}"),
                            "listing forms disagree",
                            format!("{method} {mode}: {ids:?}, POST after: {main:?}"),
                        );
                    }
                }
            }
        }
        main
    }
}

/// The fields `op` requires, from `known` where it has them, else made up.
fn required_only(op: &Op, known: &Map<String, Value>) -> Map<String, Value> {
    fill(&op.request, known, 0)
}

/// The create request `sent` again as the `n`th object of its family: each
/// plain text field (no `format`, no `enum`) gets ` n` appended, so that
/// fields the server holds unique (a tag's name) differ.
fn another(create: &Op, sent: &Value, n: usize) -> Value {
    let mut body = sent.clone();
    let Value::Object(fields) = &mut body else { return body };
    let props = properties_of(&create.request, &fields.clone());
    for (name, value) in fields.iter_mut() {
        let plain = props.get(name).map(resolve).is_some_and(|p| {
            first_type(p) == Some("string")
                && p.get("format").is_none()
                && p.get("enum").is_none()
                && p.get("const").is_none()
        });
        if let (true, Value::String(text)) = (plain, value) {
            let max = props[name.as_str()].get("maxLength").and_then(Value::as_u64).map_or(usize::MAX, |m| m as usize);
            let suffix = format!(" {n}");
            text.truncate(max.saturating_sub(suffix.len()).max(1));
            text.push_str(&suffix);
        }
    }
    body
}

/// The field an update changes: a plain string field of the update request
/// that the object has.
fn update_field(update: &Op, object: &Map<String, Value>) -> Option<String> {
    let (props, _) = object_parts(&update.request);
    ["title", "name", "display_name", "description", "body", "summary", "question", "answer"]
        .into_iter()
        .find(|f| {
            props.get(*f).is_some_and(|p| first_type(p) == Some("string") && resolve(p).get("enum").is_none())
                && object.contains_key(*f)
        })
        .map(str::to_owned)
}

/// An ID of the same kind as `id` that no server issued.
fn never_issued(id: &str) -> String {
    match id.rsplit_once('/') {
        Some((head, _)) => format!("{head}/NeverIssued9"),
        None => format!("{id}-never-issued"),
    }
}

/// The caller's own dev user: where references to a user come from.
const SELF: &str = "/dev-users.self";

/// Reference fields whose name does not say the family they name.
const REFERENCES_BY_ROLE: &[(&str, &str)] = &[
    // Users: the caller.
    ("owned_by", SELF),
    ("members", SELF),
    ("users", SELF),
    // What a link joins and a timeline entry is about: a work.
    ("object", "/works"),
    ("source", "/works"),
    ("target", "/works"),
    // A unit of measure's product: a part.
    ("product_id", "/parts"),
];

/// Where the object a reference field names comes from: from the field's
/// name (`applies_to_part`, `parent_part` -> `/parts`, `account` ->
/// `/accounts`, `state` -> `/states.custom`), else from the table above.
fn source_of(field: &str) -> Option<String> {
    let stem = field.trim_start_matches("applies_to_").trim_start_matches("parent_");
    let stem = stem.strip_suffix("_ids").or_else(|| stem.strip_suffix("_id")).unwrap_or(stem);
    let stem = stem.strip_suffix('s').unwrap_or(stem).replace('_', "-");
    [format!("/{stem}s"), format!("/{stem}"), format!("/{stem}s.custom")]
        .into_iter()
        .find(|family| find("POST", &format!("{family}.create")).is_some())
        .or_else(|| REFERENCES_BY_ROLE.iter().find(|(name, _)| *name == field).map(|(_, source)| (*source).to_owned()))
}

/// The properties of object `value` per `schema`: its own and those of the
/// variants its tags choose.
fn properties_of(schema: &Value, value: &Map<String, Value>) -> Map<String, Value> {
    let (mut props, _) = object_parts(schema);
    let mut todo = chosen_branches(schema, value);
    let mut seen = 0;
    while let Some(branch) = todo.pop() {
        seen += 1;
        if seen > 16 {
            break;
        }
        for (k, v) in object_parts(branch).0 {
            props.entry(k).or_insert(v);
        }
        todo.extend(chosen_branches(branch, value));
    }
    props
}

/// Calls `visit(field, slot)` for every string of `value` that `schema`
/// marks `format: id`, with the field that holds it (an object's `id`
/// inside a field counts as that field's: `tags: [{id}]` names tags).
fn each_id(schema: &Value, value: &mut Value, field: &str, depth: usize, visit: &mut dyn FnMut(&str, &mut Value)) {
    if depth > 12 {
        return;
    }
    let schema = resolve(schema);
    match value {
        Value::String(_) if schema.get("format").and_then(Value::as_str) == Some("id") => visit(field, value),
        Value::Array(items) => {
            let item = schema.get("items").cloned().unwrap_or(json!({}));
            for i in items {
                each_id(&item, i, field, depth + 1, visit);
            }
        }
        Value::Object(map) => {
            let props = properties_of(schema, map);
            for (name, v) in map.iter_mut() {
                if let Some(p) = props.get(name) {
                    let name = if name == "id" && !field.is_empty() { field } else { name.as_str() };
                    each_id(p, v, name, depth + 1, visit);
                }
            }
        }
        _ => {}
    }
}

/// The `search.core` namespace of an object, when the spec has one for it.
fn namespace_of(prefix: &str, object: &Map<String, Value>) -> Option<String> {
    let op = find("POST", "/search.core")?;
    let (props, _) = object_parts(&op.request);
    let items = resolve(props.get("namespaces")?).get("items")?.clone();
    let allowed: Vec<String> =
        resolve(&items).get("enum")?.as_array()?.iter().filter_map(Value::as_str).map(str::to_owned).collect();
    let by_type = object.get("type").and_then(Value::as_str).map(str::to_owned);
    let singular = prefix.trim_start_matches('/').trim_end_matches('s').replace('-', "_");
    by_type.into_iter().chain([singular]).find(|n| allowed.contains(n))
}

/// Adds one server's failures to the run's (`BTreeMap::append` would
/// replace an operation's list that both hold, such as `search.core`'s).
fn merge(into: &mut BTreeMap<String, Vec<(String, String)>>, from: &mut BTreeMap<String, Vec<(String, String)>>) {
    for (op, mut list) in std::mem::take(from) {
        into.entry(op).or_default().append(&mut list);
    }
}

/// The whole round of checks for the family at `prefix` (`/works`), on a new server.
async fn family(prefix: &str, failures: &mut BTreeMap<String, Vec<(String, String)>>) {
    let server = TestServer::builder().print_requests(false).start().await.unwrap();
    let mut probe = Probe::new(&server);
    let create = find("POST", &format!("{prefix}.create")).unwrap();
    let get_path = format!("{prefix}.get");
    let has_list =
        find("POST", &format!("{prefix}.list")).is_some() || find("GET", &format!("{prefix}.list")).is_some();

    let mut sent = example(&create.request, "", 0);
    // The objects it refers to exist first (so the listings below already hold what they bring along).
    probe.fill_references(&create.request, &mut sent, 0).await;
    // A list that requires a filter (`object`, `leaf_type`) gets it from what is created.
    let list_filter = {
        let mut known = sent.as_object().cloned().unwrap_or_default();
        if let Some(source) = known.get("source").cloned() {
            known.entry("object").or_insert(source);
        }
        let list = find("POST", &format!("{prefix}.list")).or_else(|| find("GET", &format!("{prefix}.list")));
        Value::Object(list.map(|op| required_only(op, &known)).unwrap_or_default())
    };

    // The listings before the create (on an empty server where nothing was referred to).
    let before = if has_list { probe.walk_all(prefix, &list_filter).await } else { None };

    // Create: the documented status, then the object.
    let create_name = format!("POST {prefix}.create");
    let Some(created) = probe.call("POST", &create.path, &sent).await else {
        return merge(failures, &mut probe.failures);
    };
    if created.status != create.status {
        probe.fail(
            &create_name,
            "create refused",
            format!("{} for {}: {}", created.status, sent, excerpt(&created.body.to_string())),
        );
        return merge(failures, &mut probe.failures);
    }
    let Some(object) = object_of(&created.body).cloned() else {
        // The spec's answer holds no object with an `id` (`auth-tokens.create`:
        // a token): what it answers is checked, and what needs an ID is listed
        // as skipped, with the reason.
        issued_without_id(&mut probe, create, &sent, &created).await;
        return merge(failures, &mut probe.failures);
    };
    let id = object["id"].as_str().unwrap_or_default().to_owned();

    // Get: the same id, the fields sent.
    if find("POST", &get_path).is_some() || find("GET", &get_path).is_some() {
        if let Some(answer) = probe.get(&get_path, &id, &object).await {
            let got = object_of(&answer.body).cloned().unwrap_or_default();
            if answer.status != 200 || got.get("id").and_then(Value::as_str) != Some(id.as_str()) {
                probe.fail(
                    &format!("POST {get_path}"),
                    "get after create is another object",
                    format!("asked {id}, got {} {}", answer.status, got.get("id").unwrap_or(&Value::Null)),
                );
            } else {
                for (field, value) in sent.as_object().into_iter().flatten() {
                    let scalar = value.is_string() || value.is_number() || value.is_boolean();
                    // A reference sent as an ID comes back as the object's summary.
                    let summary_of_it = got.get(field).and_then(|g| g.get("id")) == Some(value);
                    if scalar && got.contains_key(field) && got[field] != *value && !summary_of_it {
                        probe.fail(
                            &format!("POST {get_path}"),
                            "get does not show a field sent",
                            format!("{field}: sent {value}, got {}", got[field]),
                        );
                    }
                }
            }
        }
        // A get of an ID never issued is 404.
        let unknown = never_issued(&id);
        if let Some(answer) = probe.get(&get_path, &unknown, &object).await {
            if answer.status != 404 {
                probe.fail(
                    &format!("POST {get_path}"),
                    "get of an ID never issued is not 404",
                    format!("{unknown}: {} {}", answer.status, excerpt(&answer.body.to_string())),
                );
            }
        }
    }

    // List: contains it; every form ends.
    let listed = if has_list { probe.walk_all(prefix, &list_filter).await } else { None };
    if let Some(listed) = &listed {
        if !listed.contains(&id) {
            probe.fail(
                &format!("POST {prefix}.list"),
                "list does not contain the created object",
                format!("{id} not in {listed:?}"),
            );
        }
        if let Some(before) = &before {
            let new: BTreeSet<_> = listed.iter().filter(|i| !before.contains(i)).collect();
            if new.len() != 1 {
                probe.fail(
                    &format!("POST {prefix}.list"),
                    "list after one create gained other than one object",
                    format!("before {before:?}, after {listed:?}"),
                );
            }
        }
    }
    // More objects, so that every listing form takes several pages: each
    // holds them all and ends within its bound.
    let listed = match listed {
        Some(_) => {
            let mut made = vec![id.clone()];
            for n in 2..=1 + EXTRA_OBJECTS {
                // The same request again; where the server holds a field unique (a tag's name), a varied one.
                let mut body = sent.clone();
                let Some(mut answer) = probe.call("POST", &create.path, &body).await else { continue };
                if answer.status != create.status {
                    body = another(create, &sent, n);
                    let Some(again) = probe.call("POST", &create.path, &body).await else { continue };
                    answer = again;
                }
                match object_of(&answer.body).and_then(|o| o.get("id")).and_then(Value::as_str) {
                    Some(id) if answer.status == create.status => made.push(id.to_owned()),
                    _ => probe.fail(
                        &create_name,
                        "another create refused",
                        format!("{} for {body}: {}", answer.status, excerpt(&answer.body.to_string())),
                    ),
                }
            }
            let listed = probe.walk_all(prefix, &list_filter).await;
            if let Some(listed) = &listed {
                let missing: Vec<&String> = made.iter().filter(|id| !listed.contains(id)).collect();
                if !missing.is_empty() {
                    probe.fail(
                        &format!("POST {prefix}.list"),
                        "list does not contain the created objects",
                        format!("{missing:?} not in {listed:?}"),
                    );
                }
            }
            listed
        }
        None => None,
    };
    if let Some(listed) = &listed {
        // Count: what list pages through.
        if let Some(op) = find("POST", &format!("{prefix}.count")) {
            if let Some(answer) = probe.call("POST", &op.path, &list_filter).await {
                let count = answer.body.get("count").and_then(Value::as_u64);
                if count != Some(listed.len() as u64) {
                    probe.fail(
                        &format!("POST {}", op.path),
                        "count differs from list",
                        format!("count {count:?}, list {}", listed.len()),
                    );
                }
            }
        }
        // Export: the list under the same filter.
        if let Some(op) = find("POST", &format!("{prefix}.export")) {
            if let Some(answer) = probe.call("POST", &op.path, &list_filter).await {
                let exported: BTreeSet<String> =
                    items_of(&answer.body).map(|i| ids_of(i)).unwrap_or_default().into_iter().collect();
                let listed_set: BTreeSet<String> = listed.iter().cloned().collect();
                if exported != listed_set {
                    probe.fail(
                        &format!("POST {}", op.path),
                        "export differs from list",
                        format!("export {exported:?}, list {listed_set:?}"),
                    );
                }
            }
        }
    }

    // Search finds what was created.
    if let (Some(namespace), Some(text)) = (
        namespace_of(prefix, &object),
        ["title", "name", "display_name"]
            .iter()
            .find_map(|f| object.get(*f).and_then(Value::as_str).map(str::to_owned)),
    ) {
        let body = json!({"query": text, "namespaces": [namespace]});
        if let Some(answer) = probe.call("POST", "/search.core", &body).await {
            let found = answer.body["results"].as_array().into_iter().flatten().any(|r| {
                r.as_object()
                    .into_iter()
                    .flatten()
                    .any(|(_, v)| v.get("id").and_then(Value::as_str) == Some(id.as_str()))
            });
            if !found {
                probe.fail(
                    "POST /search.core",
                    "search does not find what was created",
                    format!("{prefix}: {body} -> {}", excerpt(&answer.body.to_string())),
                );
            }
        }
    }

    // Update shows in get.
    if let Some(update) = find("POST", &format!("{prefix}.update")) {
        if let Some(field) = update_field(update, &object) {
            // Only what the spec requires, plus the change.
            let mut body = required_only(update, &object);
            body.insert("id".into(), json!(id));
            body.insert(field.clone(), json!("fidelity updated"));
            if let Some(answer) = probe.call("POST", &update.path, &Value::Object(body.clone())).await {
                if answer.status != update.status {
                    probe.fail(
                        &format!("POST {}", update.path),
                        "update refused",
                        format!("{} for {}: {}", answer.status, Value::Object(body), excerpt(&answer.body.to_string())),
                    );
                } else if let Some(answer) = probe.get(&get_path, &id, &object).await {
                    let got = object_of(&answer.body).and_then(|o| o.get(&field)).cloned();
                    if got != Some(json!("fidelity updated")) {
                        probe.fail(
                            &format!("POST {}", update.path),
                            "update does not show in get",
                            format!("{field}: got {got:?}"),
                        );
                    }
                }
            }
        }
    }

    // Delete: get 404, list omits it.
    if let Some(delete) = find("POST", &format!("{prefix}.delete")) {
        if let Some(answer) = probe.call("POST", &delete.path, &json!({"id": id})).await {
            if answer.status != delete.status {
                probe.fail(
                    &format!("POST {}", delete.path),
                    "delete refused",
                    format!("{} {}", answer.status, excerpt(&answer.body.to_string())),
                );
            } else {
                if let Some(answer) = probe.get(&get_path, &id, &object).await {
                    if answer.status != 404 {
                        probe.fail(
                            &format!("POST {get_path}"),
                            "get after delete is not 404",
                            format!("{}", answer.status),
                        );
                    }
                }
                if has_list {
                    if let Some(listed) = probe.walk_all(prefix, &list_filter).await {
                        if listed.contains(&id) {
                            probe.fail(&format!("POST {prefix}.list"), "list after delete still has it", id.clone());
                        }
                    }
                }
            }
        }
    }
    merge(failures, &mut probe.failures);
}

/// A create whose answer holds no object with an `id` (`auth-tokens.create`
/// answers a token: `access_token`, `token_type`, `expires_in`, ...): beyond
/// the status and the schema ([`Probe::call`]), every text field it answers
/// is filled in, and a second create issues other text (a token issued twice
/// is no token). The family's operations on one object (get, update,
/// delete) and its list's hold on what was created need the object's ID,
/// which the answer does not carry: they are listed as skipped, each with
/// its reason.
async fn issued_without_id(probe: &mut Probe, create: &Op, sent: &Value, created: &Answer) {
    let create_name = format!("POST {}", create.path);
    let texts = |body: &Value| -> BTreeMap<String, String> {
        body.as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| v.as_str().map(|text| (k.clone(), text.to_owned())))
            .collect()
    };
    let first = texts(&created.body);
    if first.is_empty() {
        probe.fail(&create_name, "create answers no field", excerpt(&created.body.to_string()));
    }
    for (field, text) in &first {
        if text.is_empty() {
            probe.fail(&create_name, "create answers an empty field", field.clone());
        }
    }
    if let Some(again) = probe.call("POST", &create.path, sent).await {
        if again.status != create.status {
            probe.fail(&create_name, "another create refused", format!("{} {}", again.status, again.body));
        }
        let second = texts(&again.body);
        // What is issued (`access_token`, `refresh_token`) differs; what names
        // the kind (`token_type: bearer`) may not.
        for field in ["access_token", "refresh_token"] {
            if let (Some(a), Some(b)) = (first.get(field), second.get(field)) {
                if a == b {
                    probe.fail(&create_name, "two creates issue the same value", format!("{field}: {a}"));
                }
            }
        }
    }
    let prefix = create.path.trim_end_matches(".create");
    // DevRev names a token by the `jti` claim of the JWT it issues
    // (`auth-tokens.delete`: without `token_id`, the `jti` of the caller's token).
    if let Some(id) = first.get("access_token").and_then(|t| jwt_claim(t, "jti")) {
        return by_jti(probe, prefix, &id).await;
    }
    let on_one = ["get", "update", "delete"].map(|verb| format!("{prefix}.{verb}"));
    let mut skipped: Vec<String> = on_one.into_iter().filter(|p| find("POST", p).is_some()).collect();
    if find("POST", &format!("{prefix}.list")).is_some() || find("GET", &format!("{prefix}.list")).is_some() {
        skipped.push(format!("{prefix}.list (its hold on what was created)"));
    }
    let answered: Vec<&String> = first.keys().collect();
    probe.fail(
        &create_name,
        "SKIPPED",
        format!(
            "{}: the create's answer carries no ID to name the object by, nor a JWT with a `jti` (it answers {answered:?})",
            skipped.join(", ")
        ),
    );
}

/// The field a request of `op` names its object by: its required `format:
/// id` field (`token_id`), else its first such field, else `id`.
fn id_field(op: &Op) -> String {
    let (props, required) = object_parts(&op.request);
    let by_format = |n: &&String| props.get(*n).map(resolve).and_then(|p| p.get("format")) == Some(&json!("id"));
    required.iter().find(by_format).or_else(|| props.keys().find(by_format)).cloned().unwrap_or_else(|| "id".into())
}

/// The get (POST) at `get_path` of the object `id`.
async fn get_by(probe: &mut Probe, get_path: &str, id: &str) -> Option<Answer> {
    let op = find("POST", get_path)?;
    let body = json!({ id_field(op): id });
    probe.call("POST", get_path, &body).await
}

/// A claim of a JWT (`header.claims.signature`, base64url), if `token` is one.
fn jwt_claim(token: &str, claim: &str) -> Option<String> {
    use base64::Engine as _;
    let claims = token.split('.').nth(1)?;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&claims).ok()?;
    claims.get(claim)?.as_str().map(str::to_owned)
}

/// The family at `prefix` on the object `id` (a token's `jti`): get answers
/// it, the list holds it, update shows in get, delete makes get 404 and the
/// list omit it; an ID never issued is 404. The ID goes in the field each
/// request names an object by (the required `format: id` field: `token_id`).
async fn by_jti(probe: &mut Probe, prefix: &str, id: &str) {
    let get_path = format!("{prefix}.get");
    let object_id = |answer: &Answer| object_of(&answer.body).and_then(|o| o.get("id")).cloned();
    match get_by(probe, &get_path, id).await {
        Some(answer) if answer.status == 200 && object_id(&answer) == Some(json!(id)) => {}
        Some(answer) => probe.fail(
            &format!("POST {get_path}"),
            "get of the jti is not the object",
            format!("{id}: {} {}", answer.status, excerpt(&answer.body.to_string())),
        ),
        None => {}
    }
    if let Some(answer) = get_by(probe, &get_path, &never_issued(id)).await {
        if answer.status != 404 {
            probe.fail(
                &format!("POST {get_path}"),
                "get of an ID never issued is not 404",
                format!("{}", answer.status),
            );
        }
    }
    let listed = probe.walk_all(prefix, &json!({})).await;
    if listed.as_ref().is_some_and(|l| !l.iter().any(|i| i == id)) {
        probe.fail(
            &format!("POST {prefix}.list"),
            "list does not contain the created object",
            format!("{id} not in {listed:?}"),
        );
    }
    if let Some(update) = find("POST", &format!("{prefix}.update")) {
        let mut body = required_only(update, &Map::new());
        body.insert(id_field(update), json!(id));
        let field = update_field(update, &body).or_else(|| {
            let (props, _) = object_parts(&update.request);
            props.keys().find(|k| k.ends_with("_hint") || *k == "name").cloned()
        });
        if let Some(field) = field {
            body.insert(field.clone(), json!("fidelity updated"));
            match probe.call("POST", &update.path, &Value::Object(body)).await {
                Some(answer) if answer.status == update.status => {
                    let got = get_by(probe, &get_path, id).await.and_then(|a| object_of(&a.body)?.get(&field).cloned());
                    if got != Some(json!("fidelity updated")) {
                        probe.fail(
                            &format!("POST {}", update.path),
                            "update does not show in get",
                            format!("{field}: {got:?}"),
                        );
                    }
                }
                Some(answer) => probe.fail(
                    &format!("POST {}", update.path),
                    "update refused",
                    format!("{} {}", answer.status, excerpt(&answer.body.to_string())),
                ),
                None => {}
            }
        }
    }
    if let Some(delete) = find("POST", &format!("{prefix}.delete")) {
        let body = json!({ id_field(delete): id });
        match probe.call("POST", &delete.path, &body).await {
            Some(answer) if answer.status == delete.status => {
                if let Some(answer) = get_by(probe, &get_path, id).await {
                    if answer.status != 404 {
                        probe.fail(
                            &format!("POST {get_path}"),
                            "get after delete is not 404",
                            format!("{}", answer.status),
                        );
                    }
                }
                if let Some(listed) = probe.walk_all(prefix, &json!({})).await {
                    if listed.iter().any(|i| i == id) {
                        probe.fail(&format!("POST {prefix}.list"), "list after delete still has it", id.to_owned());
                    }
                }
            }
            Some(answer) => probe.fail(
                &format!("POST {}", delete.path),
                "delete refused",
                format!("{} {}", answer.status, excerpt(&answer.body.to_string())),
            ),
            None => {}
        }
    }
}

/// Every list operation that needs no filter, on an empty server: it ends.
async fn empty_listings(failures: &mut BTreeMap<String, Vec<(String, String)>>) {
    let server = TestServer::builder().print_requests(false).start().await.unwrap();
    let mut probe = Probe::new(&server);
    let lists: BTreeSet<(String, String)> = TABLE_PARSED
        .ops
        .iter()
        .filter(|o| o.path.ends_with(".list") && object_parts(&o.request).1.is_empty())
        .map(|o| (o.method.clone(), o.path.clone()))
        .collect();
    for (method, path) in lists {
        for mode in ["after", "before"] {
            probe.walk(&method, &path, &json!({}), mode).await;
        }
    }
    merge(failures, &mut probe.failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_is_faithful_to_the_spec_for_every_family() {
    match OPENAPI.as_ref() {
        Some(_) => println!("DevRev's OpenAPI file (DEVREV_OPENAPI_SPEC): every answer is held to it too"),
        None => eprintln!(
            "fidelity: DEVREV_OPENAPI_SPEC is not set: answers are held to the generated table only, \
             not to DevRev's OpenAPI file itself"
        ),
    }
    let prefixes: BTreeSet<String> = TABLE_PARSED
        .ops
        .iter()
        .filter(|o| o.method == "POST" && o.path.ends_with(".create"))
        .map(|o| o.path.trim_end_matches(".create").to_owned())
        .collect();
    assert!(prefixes.len() >= 40, "{prefixes:?}");
    let mut failures = BTreeMap::new();
    for prefix in &prefixes {
        family(prefix, &mut failures).await;
    }
    empty_listings(&mut failures).await;

    let skipped: Vec<String> = failures
        .iter()
        .flat_map(|(op, list)| {
            list.iter().filter(|(check, _)| check.starts_with("SKIPPED")).map(move |(_, why)| format!("{op}: {why}"))
        })
        .collect();
    for list in failures.values_mut() {
        list.retain(|(check, _)| !check.starts_with("SKIPPED"));
    }
    failures.retain(|_, list| !list.is_empty());
    println!("Skipped, each with its reason ({}):", skipped.len());
    for line in &skipped {
        println!("  SKIPPED {line}");
    }
    let mut by_check: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut report = String::new();
    let total: usize = failures.values().map(Vec::len).sum();
    for (op, list) in &failures {
        report.push_str(&format!("\n{op}\n"));
        for (check, what) in list {
            report.push_str(&format!("  [{check}] {what}\n"));
            by_check.entry(check.clone()).or_default().insert(op.clone());
        }
    }
    report.push_str("\nBy check:\n");
    for (check, ops) in &by_check {
        report.push_str(&format!(
            "  {check}: {} operations: {}\n",
            ops.len(),
            ops.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{total} failures in {} operations over {} families:{report}",
        failures.len(),
        prefixes.len()
    );
}

/// The second reading is no formality: DevRev's file, as read here, takes a
/// work as `works.get` answers it and refuses one without its `id`, a
/// `type` no variant has, or a 404 that is not DevRev's error shape.
#[test]
fn the_openapi_reading_refuses_what_the_file_refuses() {
    let Some(openapi) = OPENAPI.as_ref() else {
        eprintln!("fidelity: DEVREV_OPENAPI_SPEC is not set: the OpenAPI reading is not checked");
        return;
    };
    let responses = openapi.responses("POST", "/works.get").expect("works.get is in the file");
    let answer = openapi.validator(responses[&200].as_deref().expect("a 200 with a body"));
    let me = json!({"type": "dev_user", "id": "don:identity:dvrv-us-1:devo/1:devu/1"});
    let work = json!({"work": {
        "type": "issue", "id": "don:core:dvrv-us-1:devo/1:issue/1", "display_id": "ISS-1",
        "title": "a work", "owned_by": [me],
    }});
    assert!(answer.is_valid(&work), "{:?}", answer.iter_errors(&work).map(|e| e.to_string()).collect::<Vec<_>>());
    let mut no_id = work.clone();
    no_id["work"].as_object_mut().unwrap().remove("id");
    assert!(!answer.is_valid(&no_id));
    let mut bad_type = work.clone();
    bad_type["work"]["type"] = json!("widget");
    assert!(!answer.is_valid(&bad_type));

    let not_found = openapi.validator(responses[&404].as_deref().expect("a 404 with a body"));
    assert!(not_found.is_valid(&json!({"type": "not_found", "message": "no such work"})));
    assert!(!not_found.is_valid(&json!({"type": "conflict", "message": "no such work"})));
    assert!(!not_found.is_valid(&json!({"message": "route not found", "detail": 3})));
    // A closed, empty answer keeps its meaning: `{}`.
    let deleted = openapi.responses("POST", "/works.delete").expect("works.delete is in the file");
    let deleted = openapi.validator(deleted[&200].as_deref().expect("a 200 with a body"));
    assert!(deleted.is_valid(&json!({})));
    assert!(!deleted.is_valid(&json!({"work": {}})));
}

/// `search.core` answers each object as the result variant that holds it:
/// a service account as a `user`, a rev org as an `org` (their summaries
/// named by `type`), an account as an `account`.
#[tokio::test]
async fn search_answers_each_object_in_the_variant_that_holds_it() {
    let server = TestServer::builder().print_requests(false).start().await.unwrap();
    let mut probe = Probe::new(&server);
    let account = probe.call("POST", "/accounts.create", &json!({"display_name": "Quokka"})).await.unwrap();
    let account = account.body["account"]["id"].as_str().unwrap().to_owned();
    let org = json!({"display_name": "Narwhal", "account": account});
    let org = probe.call("POST", "/rev-orgs.create", &org).await.unwrap();
    let org = org.body["rev_org"]["id"].as_str().unwrap().to_owned();
    let bot = probe.call("POST", "/service-accounts.create", &json!({"display_name": "Axolotl"})).await.unwrap();
    let bot = bot.body["service_account"]["id"].as_str().unwrap().to_owned();

    for (query, namespace, id, variant, ty) in [
        ("axolotl", "service_account", &bot, "user", Some("service_account")),
        ("narwhal", "rev_org", &org, "org", Some("rev_org")),
        ("quokka", "account", &account, "account", None),
    ] {
        let body = json!({"query": query, "namespaces": [namespace]});
        let answer = probe.call("POST", "/search.core", &body).await.unwrap();
        assert_eq!(answer.status, 200);
        let results = answer.body["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "{namespace}: {results:?}");
        assert_eq!(results[0]["type"], variant, "{namespace}");
        assert_eq!(results[0][variant]["id"], json!(id), "{namespace}");
        if let Some(ty) = ty {
            assert_eq!(results[0][variant]["type"], ty, "{namespace}");
        }
    }
    // Without namespaces: every kind (the service account alone holds this word).
    let anywhere = probe.call("POST", "/search.core", &json!({"query": "axolotl"})).await.unwrap();
    assert_eq!(anywhere.body["results"][0]["user"]["id"], json!(bot), "{}", anywhere.body);
    assert!(probe.failures.is_empty(), "{:?}", probe.failures);
}
