//! Writes `tests/generated_wire.rs`: one wire test per generated operation.
//! Each builds the request with `new(..)` from synthesized values, sends it
//! to wiremock (which only answers the operation's method and path), checks
//! the beta scope header and that the required fields went out, and decodes a
//! spec-valid answer, synthesized from the spec itself (not from the
//! generated types: every field near the top, required ones below), with an
//! unknown extra field, into the response type. Then it sends the same
//! request to the embedded server (`devrev-testkit`), which holds it to the
//! spec independently of the client's types, and decodes its answer.

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use super::crate_source::header;
use crate::plan::Source;
use crate::plan::{module_name, query_form, Endpoint, Home, Kind, Op, Plan, Ty, TypeDef};
use crate::spec::{ref_key, Schema};

/// How deep the synthesizers follow nested objects before giving up.
const MAX_DEPTH: usize = 10;

/// Down to this depth (counting `$ref`s and `allOf`s) a sample has its optional
/// fields too; below it, the required ones only.
const OPTIONAL_DEPTH: usize = 7;

/// A spec-valid instance of `schema`: every field down to `OPTIONAL_DEPTH`, then the required ones (lists
/// get one element while the depth allows). With `unknown`, every string enum
/// value and union tag is one no schema lists, as DevRev may send tomorrow.
pub fn sample(source: &Source, schema: &Schema, depth: usize, unknown: bool) -> Value {
    if depth > MAX_DEPTH * 2 {
        return json!({});
    }
    if let Some(r) = &schema.reference {
        return match ref_key(r).ok().and_then(|k| source.schemas.get(k)) {
            Some(target) => sample(source, target, depth + 1, unknown),
            None => Value::Null,
        };
    }
    let mut object = Map::new();
    for member in &schema.all_of {
        if let Value::Object(fields) = sample(source, member, depth + 1, unknown) {
            object.extend(fields);
        }
    }
    if let Some(disc) = &schema.discriminator {
        if let Some((tag, target)) = disc.mapping.iter().next() {
            if let Some(variant) = ref_key(target).ok().and_then(|k| source.schemas.get(k)) {
                if let Value::Object(fields) = sample(source, variant, depth + 1, unknown) {
                    object.extend(fields);
                }
            }
            let tag = if unknown { "zz_unknown_tag".to_owned() } else { tag.clone() };
            object.insert(disc.property_name.clone(), Value::String(tag));
        }
    }
    if let Some(values) = &schema.enum_values {
        if let Some(serde_yaml_ng::Value::String(first)) = values.first() {
            return Value::String(if unknown { "zz_unknown_value".to_owned() } else { first.clone() });
        }
    }
    match schema.ty.as_deref() {
        Some("string") => {
            return Value::String(
                match schema.format.as_deref() {
                    Some("date-time") => "2024-01-01T00:00:00Z",
                    Some("date") => "2024-01-01",
                    _ => "x",
                }
                .to_owned(),
            )
        }
        Some("integer") => return json!(1),
        Some("number") => return json!(1.5),
        Some("boolean") => return json!(true),
        Some("array") => {
            let items = schema.items.as_deref().cloned().unwrap_or_default();
            return if depth < MAX_DEPTH { json!([sample(source, &items, depth + 1, unknown)]) } else { json!([]) };
        }
        _ => {}
    }
    // The tag, when a mapping gave it, is in already.
    for name in &schema.required {
        if object.contains_key(name) {
            continue;
        }
        if let Some(prop) = schema.properties.get(name) {
            object.insert(name.clone(), sample(source, prop, depth + 1, unknown));
        }
    }
    // Near the top, the optional fields too, so their types are decoded as well.
    if depth < OPTIONAL_DEPTH {
        for (name, prop) in &schema.properties {
            if !object.contains_key(name) {
                object.insert(name.clone(), sample(source, prop, depth + 1, unknown));
            }
        }
    }
    Value::Object(object)
}

pub(crate) fn type_path(t: &TypeDef) -> String {
    match &t.home {
        Home::Family(family) => format!("devrev::{}::{}", module_name(family), t.name),
        Home::FamilyModels(_) | Home::Shared(_) => format!("devrev::models::{}", t.name),
    }
}

pub(crate) struct Writer<'a> {
    pub(crate) source: &'a Source,
    pub(crate) plan: &'a Plan,
}

impl Writer<'_> {
    /// A JSON instance of a planned type, from the spec where it has the schema.
    pub(crate) fn json_of(&self, key: &str) -> Option<Value> {
        if let Some(schema) = self.source.schemas.get(key) {
            return Some(sample(self.source, schema, 0, false));
        }
        match &self.plan.types.get(key)?.kind {
            // A union flattened into its parent (`<key>-kind`): its first variant, tagged.
            Kind::Union { tag, variants } => {
                let first = variants.first()?;
                let Ty::Named(variant) = &first.ty else { return None };
                let mut value = self.json_of(variant)?;
                value.as_object_mut()?.insert(tag.clone(), Value::String(first.wire.clone()));
                Some(value)
            }
            _ => None,
        }
    }

    /// A Rust expression of type `ty` (or convertible into it with `Into`).
    fn expr(&self, ty: &Ty, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match ty {
            Ty::String | Ty::Secret => "\"x\"".to_owned(),
            Ty::Bool => "true".to_owned(),
            Ty::I32 | Ty::I64 => "1".to_owned(),
            Ty::F32 | Ty::F64 => "1.5".to_owned(),
            Ty::DateTime => "\"2024-01-01T00:00:00Z\".parse::<devrev::models::Timestamp>().unwrap()".to_owned(),
            Ty::Date => "\"2024-01-01\".parse::<chrono::NaiveDate>().unwrap()".to_owned(),
            Ty::Json => "serde_json::json!({})".to_owned(),
            Ty::JsonMap => "serde_json::Map::new()".to_owned(),
            Ty::Map(_) => "std::collections::BTreeMap::new()".to_owned(),
            Ty::Vec(item) => format!("vec![{}]", self.expr(item, depth + 1)?),
            Ty::Named(key) => {
                let t = self.plan.types.get(key)?;
                let path = type_path(t);
                match &t.kind {
                    Kind::Enum(values) => format!("{:?}.parse::<{path}>().unwrap()", values.first()?.1),
                    Kind::Alias(inner) => self.expr(inner, depth + 1)?,
                    Kind::Struct(_) if t.ser => format!("{path}::new({})", self.args(t, depth + 1)?),
                    _ => {
                        let json = self.json_of(key)?;
                        format!("serde_json::from_str::<{path}>({}).unwrap()", raw_string(&json.to_string()))
                    }
                }
            }
        })
    }

    /// The arguments of `new(..)`: one per required field.
    pub(crate) fn args(&self, t: &TypeDef, depth: usize) -> Option<String> {
        let Kind::Struct(fields) = &t.kind else { return Some(String::new()) };
        let mut args = Vec::new();
        for f in fields.iter().filter(|f| f.required) {
            args.push(match &f.ty {
                Ty::Vec(item) => format!("[{}]", self.expr(item, depth + 1)?),
                ty => self.expr(ty, depth + 1)?,
            });
        }
        Some(args.join(", "))
    }

    fn test(&self, op: &Op, struct_name: &str, request: &TypeDef, response: &str, out: &mut String) {
        let family = module_name(&op.family);
        let fn_name = module_name(&format!("{}_{}", op.method, op.path.trim_start_matches('/'))).to_lowercase();
        let Some(args) = self.args(request, 0) else {
            let _ = writeln!(out, "\n// {} {}: no sample request could be built (too deep).", op.method, op.path);
            return;
        };
        let answer = match op.response.as_deref() {
            Some(_) => match self.json_of(response) {
                Some(Value::Object(mut fields)) => {
                    fields.insert("zz_field_from_the_future".to_owned(), json!(1));
                    Value::Object(fields).to_string()
                }
                Some(other) => other.to_string(),
                None => "{}".to_owned(),
            },
            None => String::new(),
        };
        let unknown = match (op.response.as_deref(), self.source.schemas.get(response)) {
            (Some(_), Some(schema)) => {
                let value = sample(self.source, schema, 0, true);
                format!(
                    "    // Unknown enum values and union tags decode too.\n    decodes::<{}>({});\n",
                    type_path(&self.plan.types[response]),
                    raw_string(&value.to_string())
                )
            }
            _ => String::new(),
        };
        let required: Vec<String> = match &request.kind {
            Kind::Struct(fields) => {
                fields.iter().filter(|f| f.required && !f.flatten).map(|f| format!("{:?}", f.wire)).collect()
            }
            _ => vec![],
        };
        let helper = if op.streaming { "check_stream" } else { "check" };
        let _ = write!(
            out,
            "\n#[tokio::test]\nasync fn {fn_name}() {{\n    let request = devrev::{family}::{struct_name}::new({args});\n    {helper}(&request, {:?}, {:?}, {}, &[{}], {}, {}).await;\n    embedded(&request, {:?}, {:?}, {}).await;\n{unknown}}}\n",
            op.method,
            op.path,
            op.beta,
            required.join(", "),
            op.status,
            raw_string(&answer),
            op.method,
            op.path,
            embedded_expectation(op),
        );
    }
}

/// What the embedded server may answer a request of made-up values besides
/// success: any refusal but one of the request's shape. The server checks
/// every ID a request names against what it holds, so a made-up `"x"` where
/// an ID belongs is `invalid_id`, and an ID it never issued is `not_found`;
/// the request's shape is still never refused.
fn embedded_expectation(_op: &Op) -> &'static str {
    "Accept::Refusal"
}

/// A raw string literal holding `text`.
pub(crate) fn raw_string(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

const PRELUDE: &str = r#"//! One wire test per generated operation (`--features full`): the request built
//! with `new(..)` from synthesized values goes to the operation's method and
//! path, with `X-Devrev-Scope: beta` exactly on beta operations and its
//! required fields on the wire; a spec-valid answer (every field near the top,
//! required ones deeper, plus an unknown field) decodes into the response type.
//! The same request then goes to the embedded server (`devrev-testkit`),
//! which checks it against DevRev's spec and answers from it: it must be
//! accepted, and the answer must decode.
#![cfg(feature = "full")]
// Generated requests and answers name DevRev's deprecated operations too.
#![allow(deprecated)]

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What the embedded server may answer besides success (see `embedded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accept {
    /// Any error but a refusal of the request's shape: the made-up values
    /// name objects the server does not hold (`invalid_id`, `not_found`).
    Refusal,
}

/// Sends `request` to the embedded server: it must not refuse the request's
/// shape, and a success must decode into the response type (or, streaming,
/// yield its event).
async fn embedded<E: devrev::Endpoint>(request: &E, verb: &str, endpoint: &str, accept: Accept) {
    let server = devrev_testkit::TestServer::start().await;
    let client = devrev::Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .retry_policy(devrev::RetryPolicy::none())
        .build()
        .unwrap();
    let result = if endpoint == "/recommendations.chat.completions" {
        match devrev::send_stream(&client, request).await {
            Ok(mut events) => events.try_next().await.map(|_| ()),
            Err(e) => Err(e),
        }
    } else {
        devrev::send(&client, request).await.map(|_| ())
    };
    let Err(e) = result else { return };
    let shape = matches!(
        e.error_type(),
        Some("missing_required_field" | "unexpected_json_type" | "invalid_enum_value" | "parse_error")
    );
    let allowed = match accept {
        Accept::Refusal => !shape && e.status().is_some_and(|s| (400..500).contains(&s)),
    };
    assert!(allowed, "embedded server: {verb} {endpoint}: {e}");
}

fn decodes<T: serde::de::DeserializeOwned>(answer: &str) {
    if let Err(e) = serde_json::from_str::<T>(answer) {
        panic!("{}: {e}", std::any::type_name::<T>());
    }
}

/// For an operation that answers with server-sent events: `answer` is the
/// data of the one event before `[DONE]`.
async fn check_stream<E: devrev::Endpoint>(request: &E, verb: &str, endpoint: &str, beta: bool, required: &[&str], status: u16, answer: &str) {
    let server = MockServer::start().await;
    let body = format!("data: {answer}\n\ndata: [DONE]\n\n");
    Mock::given(method(verb))
        .and(path(endpoint))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "text/event-stream"))
        .mount(&server)
        .await;
    let client = devrev::Client::builder().token("test-token").base_url(server.uri()).build().unwrap();
    let mut events = devrev::send_stream(&client, request).await.unwrap_or_else(|e| panic!("{verb} {endpoint}: {e}"));
    assert!(events.try_next().await.unwrap_or_else(|e| panic!("{verb} {endpoint}: {e}")).is_some(), "{verb} {endpoint}: one event");
    assert!(events.try_next().await.unwrap().is_none(), "{verb} {endpoint}: [DONE] ends the stream");
    let sent = server.received_requests().await.unwrap();
    let scope = sent[0].headers.get("x-devrev-scope").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(scope.as_deref(), beta.then_some("beta"), "{verb} {endpoint}: the beta scope header");
    let body: serde_json::Value = serde_json::from_slice(&sent[0].body).unwrap();
    for field in required {
        assert!(body.get(field).is_some(), "{verb} {endpoint}: `{field}` not in the body {body}");
    }
}

async fn check<E: devrev::Endpoint>(request: &E, verb: &str, endpoint: &str, beta: bool, required: &[&str], status: u16, answer: &str) {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(endpoint))
        .respond_with(ResponseTemplate::new(status).set_body_raw(answer.to_owned(), "application/json"))
        .mount(&server)
        .await;
    let client = devrev::Client::builder().token("test-token").base_url(server.uri()).build().unwrap();
    if let Err(e) = devrev::send(&client, request).await {
        panic!("{verb} {endpoint}: {e}");
    }
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1, "{verb} {endpoint}");
    let scope = sent[0].headers.get("x-devrev-scope").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(scope.as_deref(), beta.then_some("beta"), "{verb} {endpoint}: the beta scope header");
    if verb == "GET" {
        let query: Vec<String> = sent[0].url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        for field in required {
            assert!(query.iter().any(|k| k == field || k.starts_with(&format!("{field}."))), "{verb} {endpoint}: `{field}` not in the query {query:?}");
        }
    } else {
        let body: serde_json::Value = serde_json::from_slice(&sent[0].body).unwrap();
        for field in required {
            assert!(body.get(field).is_some(), "{verb} {endpoint}: `{field}` not in the body {body}");
        }
    }
}
"#;

/// The test file's text.
pub fn wire_tests(plan: &Plan) -> String {
    let writer = Writer { source: &plan.source, plan };
    let mut out = header();
    out.push_str(PRELUDE);
    for endpoint in plan.endpoints() {
        match endpoint {
            Endpoint::Single { op, request, response } => {
                let t = &plan.types[request];
                writer.test(op, &t.name, t, response, &mut out);
            }
            Endpoint::Twin { get, post, request, response } => {
                let t = &plan.types[request];
                writer.test(get, &query_form(&t.name), t, response, &mut out);
                writer.test(post, &t.name, t, response, &mut out);
            }
            Endpoint::Skipped { .. } => {}
        }
    }
    out
}
