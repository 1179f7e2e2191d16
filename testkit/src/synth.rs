//! Spec-valid answers made up from a schema: every required field, optional
//! scalars near the top, one element per list near the top, an enum value and
//! a union variant drawn from a seeded generator (so a given seed gives the
//! same answers for the same requests), DON IDs
//! (`don:core:dvrv-us-1:devo/1:issue/17`) with display IDs (`ISS-17`), dates
//! in RFC 3339.

use serde_json::{Map, Value};

use crate::spec::Api;

/// Below this depth only required fields are made up.
const OPTIONAL_DEPTH: usize = 3;
/// Below this depth lists are empty.
const LIST_DEPTH: usize = 3;
/// Past this depth objects are left empty (the spec has no required cycles this deep).
const MAX_DEPTH: usize = 24;

/// The service, DON type and display prefix of an object type (`issue`, `dev_user`, ...).
pub(crate) fn id_parts(object_type: &str) -> (&'static str, String, String) {
    let t = object_type.trim_end_matches("_summary").trim_end_matches("_base");
    let known: Option<(&str, &str, &str)> = match t {
        "issue" | "work" => Some(("core", "issue", "ISS")),
        "ticket" => Some(("core", "ticket", "TKT")),
        "task" => Some(("core", "task", "TASK")),
        "opportunity" => Some(("core", "opportunity", "OPP")),
        "product" | "part" => Some(("core", "product", "PROD")),
        "capability" => Some(("core", "capability", "CAPL")),
        "feature" => Some(("core", "feature", "FEAT")),
        "enhancement" => Some(("core", "enhancement", "ENH")),
        "tag" => Some(("core", "tag", "TAG")),
        "timeline_entry" | "timeline_comment" => Some(("core", "comment", "COMMENT")),
        "conversation" => Some(("core", "conversation", "CONV")),
        "article" => Some(("core", "article", "ART")),
        "dev_user" | "user" => Some(("identity", "devu", "DEVU")),
        "rev_user" => Some(("identity", "revu", "REVU")),
        "sys_user" => Some(("identity", "sysu", "SYSU")),
        "service_account" => Some(("identity", "svcacc", "SVCACC")),
        "account" => Some(("identity", "account", "ACC")),
        "rev_org" | "org" => Some(("identity", "revo", "REV")),
        "dev_org" => Some(("identity", "devo", "DEVO")),
        "group" => Some(("identity", "group", "GRP")),
        _ => None,
    };
    match known {
        Some((service, segment, prefix)) => (service, segment.to_owned(), prefix.to_owned()),
        None => {
            let segment: String = t.chars().filter(char::is_ascii_alphanumeric).collect();
            let segment = if segment.is_empty() { "object".to_owned() } else { segment };
            let prefix = segment.chars().take(4).collect::<String>().to_ascii_uppercase();
            ("core", segment, prefix)
        }
    }
}

/// The DON ID and display ID of object number `n` of `object_type`.
pub(crate) fn ids(object_type: &str, n: u64) -> (String, String) {
    let (service, segment, prefix) = id_parts(object_type);
    (format!("don:{service}:dvrv-us-1:devo/1:{segment}/{n}"), format!("{prefix}-{n}"))
}

/// `#/definitions/dev-user-summary` -> `dev_user`.
fn hint_of(reference: &str) -> String {
    let key = reference.rsplit('/').next().unwrap_or(reference);
    key.trim_end_matches("-summary").replace('-', "_")
}

/// Makes up values; holds the seeded generator and the time answers carry.
pub(crate) struct Synth<'a> {
    pub(crate) api: &'a Api,
    pub(crate) rng: &'a mut fastrand::Rng,
    /// RFC 3339 time for `date-time` fields.
    pub(crate) now: String,
    /// A union tag to choose where it is one of the choices (the `type` a create sent).
    pub(crate) prefer_tag: Option<String>,
}

impl Synth<'_> {
    /// A value of `schema`.
    pub(crate) fn value(&mut self, schema: &Value, depth: usize) -> Value {
        self.make(schema, depth, "object", "")
    }

    fn make(&mut self, schema: &Value, depth: usize, hint: &str, field: &str) -> Value {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let hint = hint_of(r);
            let target = self.api.resolve(schema);
            if target.get("$ref").is_some() || depth > MAX_DEPTH {
                return Value::Object(Map::new());
            }
            return self.make(target, depth + 1, &hint, field);
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array) {
            let choices: Vec<&Value> = options.iter().filter(|v| !v.is_null()).collect();
            if !choices.is_empty() {
                return choices[self.rng.usize(..choices.len())].clone();
            }
        }
        let ty = match schema.get("type") {
            Some(Value::String(t)) => Some(t.as_str()),
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
            _ => None,
        };
        match ty {
            Some("string") => self.string(schema, hint, field),
            Some("integer") => Value::from(self.rng.u32(1..100)),
            Some("number") => Value::from(f64::from(self.rng.u32(1..100)) / 4.0),
            Some("boolean") => Value::Bool(self.rng.bool()),
            Some("array") => {
                if depth >= LIST_DEPTH {
                    return Value::Array(vec![]);
                }
                let items = schema.get("items").cloned().unwrap_or(Value::Null);
                Value::Array(vec![self.make(&items, depth + 1, hint, field)])
            }
            _ => Value::Object(self.object(schema, depth, hint)),
        }
    }

    fn string(&mut self, schema: &Value, hint: &str, field: &str) -> Value {
        match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => return Value::String(self.now.clone()),
            Some("date") => return Value::String(self.now.get(..10).unwrap_or("2024-01-24").to_owned()),
            _ => {}
        }
        let n = u64::from(self.rng.u32(1..100_000));
        Value::String(match field {
            "id" => ids(hint, n).0,
            "display_id" => ids(hint, n).1,
            "" => format!("sample {n}"),
            field => format!("sample {} {n}", field.replace('_', " ")),
        })
    }

    fn object(&mut self, schema: &Value, depth: usize, hint: &str) -> Map<String, Value> {
        let mut out = Map::new();
        if depth > MAX_DEPTH {
            return out;
        }
        let mut hint = hint.to_owned();
        // A union: choose a variant, set its tag, make the variant.
        let branches = union_branches(schema);
        if !branches.is_empty() {
            let preferred = self.prefer_tag.take();
            let i = preferred
                .as_deref()
                .and_then(|p| branches.iter().position(|(_, value, _)| *value == p))
                .unwrap_or_else(|| self.rng.usize(..branches.len()));
            let (tag, value, then) = branches[i].clone();
            if let Value::Object(fields) = self.make(then, depth + 1, &hint, "") {
                out.extend(fields);
            }
            out.insert(tag, Value::String(value.clone()));
            hint = value;
        }
        for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if member.get("if").is_some() {
                continue;
            }
            // The object's own name wins over its members' (`dev_user`, not `user_base`).
            let member_hint = match member.get("$ref").and_then(Value::as_str) {
                Some(r) if hint == "object" => hint_of(r),
                _ => hint.clone(),
            };
            let target = self.api.resolve(member);
            for (k, v) in self.object(target, depth + 1, &member_hint) {
                out.entry(k).or_insert(v);
            }
        }
        let required: Vec<&str> =
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if let Some(Value::Object(props)) = schema.get("properties") {
            for (name, prop) in props {
                if out.contains_key(name) {
                    continue;
                }
                let needed = required.contains(&name.as_str());
                let scalar = matches!(self.api.type_of(prop), Some("string" | "integer" | "number" | "boolean"));
                if needed || (depth < OPTIONAL_DEPTH && (scalar || depth == 0)) {
                    let value = self.make(prop, depth + 1, &hint, name);
                    out.insert(name.clone(), value);
                }
            }
        }
        out
    }
}

/// A union's branches: (tag property, tag value, variant schema).
pub(crate) fn union_branches(schema: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        let (Some(cond), Some(then)) = (member.get("if"), member.get("then")) else { continue };
        let Some(Value::Object(props)) = cond.get("properties") else { continue };
        for (tag, c) in props {
            if let Some(value) = c.get("const").and_then(Value::as_str) {
                out.push((tag.clone(), value.to_owned(), then));
            }
        }
    }
    out
}
