//! A table test over every operation in the server's description of DevRev's
//! API (`src/spec/devrev-api.json`): a valid request is accepted and answered
//! per the operation's answer schema; dropping each required field gives
//! `missing_required_field` naming it; a value of the wrong JSON type gives
//! `unexpected_json_type`; a value outside an enum gives `invalid_enum_value`.
//!
//! The requests are made up here from the description, and the answers are
//! checked with a validator compiled here, independently of the server's own.

use crate::common;

use common::{Answer, Http};
use serde_json::{json, Map, Value};

const DESCRIPTION: &str = include_str!("../../src/spec/devrev-api.json");

/// Families whose operations a family module serves with richer rules
/// (IDs must name existing objects): their made-up requests may be refused
/// for what they name, never for their shape.
const RICHER: [&str; 4] = ["accounts", "rev-orgs", "webhooks", "artifacts"];

/// Operations whose made-up request leaves out what DevRev then takes from
/// the caller's token, which the server cannot do: a typed 400 `bad_request`
/// (`auth-tokens.delete` without `token_id`: the token of the request, which
/// no `auth-tokens.create` of this server issued).
const REFUSED_HERE: [&str; 1] = ["POST /auth-tokens.delete"];

struct Spec {
    doc: Value,
}

impl Spec {
    fn definitions(&self) -> &Map<String, Value> {
        self.doc["definitions"].as_object().unwrap()
    }

    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            schema = &self.definitions()[r.trim_start_matches("#/definitions/")];
        }
        schema
    }

    fn ty<'a>(&'a self, schema: &'a Value) -> Option<&'a str> {
        match self.resolve(schema).get("type")? {
            Value::String(t) => Some(t),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
            _ => None,
        }
    }

    /// A minimal valid instance: required fields only, first enum value, first union variant.
    fn sample(&self, schema: &Value, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values[0].clone();
        }
        match self.ty(schema) {
            Some("string") => {
                return json!(match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") => "2024-01-24T00:00:00Z",
                    Some("date") => "2024-01-24",
                    // A well-formed ID of an object the server does not hold.
                    Some("id") => "don:core:dvrv-us-1:devo/1:object/1",
                    _ => "x",
                });
            }
            Some("integer") => return json!(1),
            Some("number") => return json!(1.5),
            Some("boolean") => return json!(true),
            Some("array") => return json!([self.sample(&schema["items"], depth + 1)]),
            _ => {}
        }
        let mut out = Map::new();
        if depth > 20 {
            return Value::Object(out);
        }
        for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if let (Some(cond), Some(then)) = (member.get("if"), member.get("then")) {
                let (tag, c) = cond["properties"].as_object().unwrap().iter().next().unwrap();
                if out.get(tag).is_none_or(|v| v == &c["const"]) && !out.contains_key("__union") {
                    if let Value::Object(fields) = self.sample(then, depth + 1) {
                        out.extend(fields);
                    }
                    out.insert(tag.clone(), c["const"].clone());
                    out.insert("__union".into(), json!(true));
                }
            } else if let Value::Object(fields) = self.sample(member, depth + 1) {
                for (k, v) in fields {
                    out.entry(k).or_insert(v);
                }
            }
        }
        out.remove("__union");
        let props = schema.get("properties").and_then(Value::as_object);
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !out.contains_key(name) {
                if let Some(prop) = props.and_then(|p| p.get(name)) {
                    out.insert(name.to_owned(), self.sample(prop, depth + 1));
                }
            }
        }
        Value::Object(out)
    }

    /// The top-level properties of a request schema, through `allOf`s, with
    /// whether each is required.
    fn fields(&self, schema: &Value, out: &mut Vec<(String, Value)>) {
        let schema = self.resolve(schema);
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                if !out.iter().any(|(n, _)| n == k) {
                    out.push((k.clone(), v.clone()));
                }
            }
        }
        for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if member.get("if").is_none() {
                self.fields(member, out);
            }
        }
    }
}

fn query_of(input: &Value) -> String {
    let mut pairs = Vec::new();
    for (k, v) in input.as_object().unwrap() {
        match v {
            Value::Object(inner) => {
                for (ik, iv) in inner {
                    pairs.push(format!("{k}.{ik}={}", scalar(iv)));
                }
            }
            v => pairs.push(format!("{k}={}", scalar(v))),
        }
    }
    pairs.join("&")
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

async fn send(http: &Http, method: &str, path: &str, input: &Value) -> Answer {
    if method == "GET" {
        http.get(&format!("{path}?{}", query_of(input))).await
    } else {
        http.post(path, input.clone()).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_held_to_the_spec() {
    let spec = Spec { doc: serde_json::from_str(DESCRIPTION).unwrap() };
    assert!(spec.doc["@generated"].as_str().unwrap().contains("devrev-codegen"));
    let server = devrev_testkit::TestServer::builder()
        .rate_limit(1_000_000, std::time::Duration::from_secs(300))
        .start()
        .await
        .unwrap();
    let http = Http::new(&server);
    let registry = jsonschema::Registry::options()
        .draft(jsonschema::Draft::Draft7)
        .build([("urn:t", jsonschema::Resource::from_contents(spec.doc.clone()).unwrap())])
        .unwrap();
    let ops = spec.doc["operations"].as_array().unwrap();
    assert_eq!(ops.len(), devrev_testkit::operation_count());
    assert!(ops.len() > 390, "{} operations", ops.len());
    let (mut accepted, mut dropped, mut typed, mut enums) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let method = op["method"].as_str().unwrap();
        let path = op["path"].as_str().unwrap();
        let family = path.trim_start_matches('/').split('.').next().unwrap();
        let valid = spec.sample(&op["request"], 0);
        let what = format!("{method} {path}");

        // A valid request.
        let answer = send(&http, method, path, &valid).await;
        let shape_error = answer.status == 400
            && matches!(
                answer.body["type"].as_str(),
                Some("missing_required_field" | "unexpected_json_type" | "invalid_enum_value" | "parse_error")
            );
        if RICHER.contains(&family) {
            // Their rules may require one of two optional fields (`rev-orgs.get`: `id` or `account`).
            let richer_rule = answer.body["type"] == "missing_required_field";
            if (shape_error && !richer_rule) || answer.status == 401 || answer.status >= 500 {
                problems.push(format!("{what}: a valid request was refused: {} {}", answer.status, answer.body));
            }
        } else if answer.status == 400 && answer.body["type"] == "bad_request" && REFUSED_HERE.contains(&what.as_str())
        {
            // What the server cannot do, refused with a type (see `REFUSED_HERE`).
        } else if answer.status == 404 {
            // An ID the server never issued: not found, as DevRev answers (any verb given one).
            if answer.body["type"] != "not_found" {
                problems.push(format!("{what}: 404 without not_found: {}", answer.body));
            }
        } else if answer.status != op["status"].as_u64().unwrap() as u16 {
            problems.push(format!("{what}: {} {} for {valid}", answer.status, answer.body));
        } else if op.get("response").is_some() && op.get("streaming").is_none() && op["status"] != 204 {
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .with_registry(registry.clone())
                .should_validate_formats(true)
                .build(&json!({"$ref": format!("urn:t#/operations/{i}/response")}))
                .unwrap();
            let errors: Vec<String> =
                validator.iter_errors(&answer.body).map(|e| format!("{}: {e}", e.instance_path)).collect();
            if errors.is_empty() {
                accepted += 1;
            } else {
                problems.push(format!("{what}: the answer breaks the schema: {errors:?}"));
            }
        } else {
            accepted += 1;
        }

        // Each required field dropped.
        let request = spec.resolve(&op["request"]);
        for name in request.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            let mut input = valid.clone();
            input.as_object_mut().unwrap().remove(name);
            let answer = send(&http, method, path, &input).await;
            if answer.status != 400
                || answer.body["type"] != "missing_required_field"
                || answer.body["field_name"] != name
            {
                problems.push(format!("{what} without `{name}`: {} {}", answer.status, answer.body));
            } else {
                dropped += 1;
            }
        }

        let mut fields = Vec::new();
        spec.fields(&op["request"], &mut fields);
        // A wrong JSON type: a number for a string (a word for a number in a query).
        let wrong = fields.iter().find_map(|(name, schema)| {
            let is_enum = spec.resolve(schema).get("enum").is_some();
            match (method, spec.ty(schema)) {
                ("GET", Some("integer" | "number" | "boolean")) => Some((name, json!("zz"), "string")),
                ("POST", Some("string")) if !is_enum => Some((name, json!(12345), "number")),
                ("POST", Some("array" | "object")) => Some((name, json!(true), "bool")),
                _ => None,
            }
        });
        if let Some((name, value, actual)) = wrong {
            let mut input = valid.clone();
            input[name.as_str()] = value;
            let answer = send(&http, method, path, &input).await;
            let body = &answer.body;
            if answer.status != 400
                || body["type"] != "unexpected_json_type"
                || body["field_name"] != name.as_str()
                || body["actual"] != actual
                || !body["expected"].is_string()
            {
                problems.push(format!("{what} with `{name}` of the wrong type: {} {body}", answer.status));
            } else {
                typed += 1;
            }
        }

        // A value outside an enum.
        let enum_field = fields.iter().find_map(|(name, schema)| {
            let s = spec.resolve(schema);
            if s.get("enum").is_some() {
                return Some((name, false));
            }
            (spec.ty(s) == Some("array") && spec.resolve(&s["items"]).get("enum").is_some()).then_some((name, true))
        });
        if let Some((name, in_array)) = enum_field {
            let mut input = valid.clone();
            input[name.as_str()] = if in_array { json!(["zz_not_a_value"]) } else { json!("zz_not_a_value") };
            let answer = send(&http, method, path, &input).await;
            let body = &answer.body;
            if answer.status != 400
                || body["type"] != "invalid_enum_value"
                || body["field_name"] != name.as_str()
                || body["value"] != "zz_not_a_value"
                || body["allowed_values"].as_array().is_none_or(|a| a.is_empty())
            {
                problems.push(format!("{what} with `{name}` outside its enum: {} {body}", answer.status));
            } else {
                enums += 1;
            }
        }
    }
    eprintln!(
        "{} operations: {accepted} answered per schema, {dropped} required fields dropped, \
         {typed} wrong types, {enums} unknown enum values",
        ops.len()
    );
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    // Fewer than all are answered: an operation given the ID of an object the server never issued is 404.
    assert!(accepted > 180 && dropped > 300 && typed > 200 && enums > 50);
}
