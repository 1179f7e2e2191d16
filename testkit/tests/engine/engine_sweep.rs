//! Every family that creates, swept from the server's operation tables over
//! raw HTTP: create, then get answers the same `id`; list (POST and GET)
//! contains it and ends; count and export agree with list; delete makes get
//! 404 and list omit it.

use crate::common;

use common::Http;
use serde_json::{json, Map, Value};

const TABLES: &str = include_str!("../../src/spec/devrev-api.json");
const ME: &str = "don:identity:dvrv-us-1:devo/1:devu/1";

struct Sampler<'a> {
    doc: &'a Value,
    part: String,
}

impl Sampler<'_> {
    fn resolve<'b>(&'b self, mut schema: &'b Value) -> &'b Value {
        while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            schema = &self.doc["definitions"][r.trim_start_matches("#/definitions/")];
        }
        schema
    }

    fn ty<'b>(&'b self, schema: &'b Value) -> Option<&'b str> {
        match self.resolve(schema).get("type")? {
            Value::String(t) => Some(t),
            Value::Array(types) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
            _ => None,
        }
    }

    /// A minimal valid instance; IDs name real objects by the field's name.
    fn sample(&self, schema: &Value, name: &str, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values[0].clone();
        }
        match self.ty(schema) {
            Some("string") => {
                return json!(match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") => "2024-01-24T00:00:00Z".to_owned(),
                    Some("date") => "2024-01-24".to_owned(),
                    Some("id") if name.contains("part") => self.part.clone(),
                    Some("id") if name.contains("user") || name.contains("owned_by") || name == "member" => {
                        ME.to_owned()
                    }
                    Some("id") => "don:core:dvrv-us-1:devo/1:object/1".to_owned(),
                    _ => format!("sample {name}"),
                });
            }
            Some("integer") => return json!(1),
            Some("number") => return json!(1.5),
            Some("boolean") => return json!(true),
            Some("array") => return json!([self.sample(&schema["items"], name, depth + 1)]),
            _ => {}
        }
        let mut out = Map::new();
        if depth > 12 {
            return Value::Object(out);
        }
        for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if let (Some(cond), Some(then)) = (member.get("if"), member.get("then")) {
                let (tag, c) = cond["properties"].as_object().unwrap().iter().next().unwrap();
                if out.get(tag).is_none_or(|v| v == &c["const"]) && !out.contains_key("__union") {
                    if let Value::Object(fields) = self.sample(then, name, depth + 1) {
                        out.extend(fields);
                    }
                    out.insert(tag.clone(), c["const"].clone());
                    out.insert("__union".into(), json!(true));
                }
            } else if let Value::Object(fields) = self.sample(member, name, depth + 1) {
                for (k, v) in fields {
                    out.entry(k).or_insert(v);
                }
            }
        }
        out.remove("__union");
        let props = schema.get("properties").and_then(Value::as_object);
        for field in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !out.contains_key(field) {
                if let Some(prop) = props.and_then(|p| p.get(field)) {
                    out.insert(field.to_owned(), self.sample(prop, field, depth + 1));
                }
            }
        }
        Value::Object(out)
    }
}

/// The one object in an answer (`{"work": {...}}`).
fn object_of(body: &Value) -> Option<(String, Value)> {
    body.as_object()?.iter().find(|(_, v)| v.get("id").is_some()).map(|(k, v)| (k.clone(), v.clone()))
}

fn listed_ids(body: &Value) -> Vec<String> {
    body.as_object()
        .into_iter()
        .flat_map(|o| o.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|o| o.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn every_family_that_creates_keeps_what_it_created() {
    let doc: Value = serde_json::from_str(TABLES).unwrap();
    let ops: Vec<(String, String, Value)> = doc["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| {
            (op["method"].as_str().unwrap().to_owned(), op["path"].as_str().unwrap().to_owned(), op["request"].clone())
        })
        .collect();
    let has = |method: &str, path: &str| ops.iter().any(|(m, p, _)| m == method && p == path);
    let request_of = |path: &str| ops.iter().find(|(m, p, _)| m == "POST" && p == path).map(|(_, _, r)| r.clone());
    let server = devrev_testkit::TestServer::start().await;
    let http = Http::new(&server);
    let part = http.post("/parts.create", json!({"type": "product", "name": "Sweep", "owned_by": [ME]})).await;
    let sampler = Sampler { doc: &doc, part: part.body["part"]["id"].as_str().unwrap().to_owned() };

    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for (method, path, request) in ops.iter().filter(|(m, p, _)| m == "POST" && p.ends_with(".create")) {
        let family = path.trim_start_matches('/').trim_end_matches(".create");
        if matches!(family, "accounts" | "rev-orgs" | "webhooks") || method != "POST" {
            continue;
        }
        let body = sampler.sample(request, "", 0);
        let created = http.post(path, body.clone()).await;
        if created.status < 300 && object_of(&created.body).is_none() {
            // A create that answers no object (`auth-tokens.create`: a token, kept under its JWT's `jti`,
            // see `auth_tokens.rs`): nothing to sweep here.
            continue;
        }
        let Some((key, object)) = object_of(&created.body).filter(|_| created.status < 300) else {
            // A create whose made-up values name nothing real: a typed refusal, never a 5xx.
            assert!(
                created.status < 500 && created.body["type"].is_string(),
                "{path}: {} {}",
                created.status,
                created.body
            );
            refused.push(format!("{path}: {} {}", created.status, created.body["type"]));
            continue;
        };
        let id = object["id"].as_str().unwrap().to_owned();
        // A request to `verb` of the family naming the object (with the other fields it requires).
        let by_id = |verb: &str| {
            let mut body = request_of(&format!("/{family}.{verb}")).map_or(json!({}), |r| sampler.sample(&r, "", 0));
            body["id"] = json!(id);
            if let Some(ty) = object.get("type") {
                if body.get("type").is_some() {
                    body["type"] = ty.clone();
                }
            }
            body
        };
        if has("POST", &format!("/{family}.get")) {
            let got = http.post(&format!("/{family}.get"), by_id("get")).await;
            assert_eq!(got.status, 200, "{family}.get: {}", got.body);
            assert_eq!(got.body[&key]["id"], json!(id), "{family}.get answers another object");
            for (name, sent) in body.as_object().unwrap() {
                if sent.is_string() && object.get(name).is_some_and(Value::is_string) && name != "type" {
                    assert_eq!(&got.body[&key][name], sent, "{family}: `{name}` as sent");
                }
            }
        }
        let list_path = format!("/{family}.list");
        if has("POST", &list_path) {
            let sampled =
                |verb: &str| request_of(&format!("/{family}.{verb}")).map_or(json!({}), |r| sampler.sample(&r, "", 0));
            let listed = http.post(&list_path, sampled("list")).await;
            assert_eq!(listed.status, 200, "{list_path}: {}", listed.body);
            assert!(listed_ids(&listed.body).contains(&id), "{list_path} omits {id}: {}", listed.body);
            assert!(listed.body.get("next_cursor").is_none(), "{list_path}");
            if has("GET", &list_path) && sampled("list") == json!({}) {
                let by_get = http.get(&list_path).await;
                assert_eq!(listed_ids(&by_get.body), listed_ids(&listed.body), "{list_path} by GET");
            }
            if has("POST", &format!("/{family}.count")) {
                let count = http.post(&format!("/{family}.count"), sampled("count")).await;
                assert_eq!(count.body["count"].as_u64(), Some(listed_ids(&listed.body).len() as u64), "{family}.count");
            }
            if has("POST", &format!("/{family}.export")) {
                let export = http.post(&format!("/{family}.export"), sampled("export")).await;
                assert_eq!(listed_ids(&export.body), listed_ids(&listed.body), "{family}.export");
            }
        }
        if has("POST", &format!("/{family}.delete")) {
            let deleted = http.post(&format!("/{family}.delete"), by_id("delete")).await;
            assert!(deleted.status < 300, "{family}.delete: {}", deleted.body);
            if has("POST", &format!("/{family}.get")) {
                assert_eq!(http.post(&format!("/{family}.get"), by_id("get")).await.status, 404, "{family}");
            }
            if has("POST", &list_path) {
                let list_body = request_of(&list_path).map_or(json!({}), |r| sampler.sample(&r, "", 0));
                assert!(!listed_ids(&http.post(&list_path, list_body).await.body).contains(&id), "{family}");
            }
        }
        kept.push(family.to_owned());
    }
    eprintln!("kept: {kept:?}\nrefused: {refused:#?}");
    assert!(kept.len() >= 30, "{} families kept what they created; refused: {refused:#?}", kept.len());
}
