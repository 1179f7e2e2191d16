//! The parts of an OpenAPI 3.0 document this check reads: operations, their
//! request bodies, query parameters and success responses, and schemas with
//! `$ref`, `allOf` and discriminated `oneOf` resolved.
//!
//! On top of that: [`check_value`] compares a serialized request with a
//! schema, [`Spec::sample`] builds a spec-shaped instance of a schema, and
//! [`diff`] says where two JSON values part.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Map, Value};

/// How deep `$ref` chains and samples may go before the check gives up.
const MAX_DEPTH: usize = 24;

/// Stands for a union's tag when the union does not declare it as a property.
static UNION_TAG: Value = Value::Null;

/// A parsed OpenAPI document.
pub struct Spec {
    root: Value,
}

/// A schema with its `$ref`s followed and its `allOf` parts merged.
#[derive(Debug, Default)]
pub struct Flat<'a> {
    /// `type`, from the schema or one of its `allOf` parts.
    pub ty: Option<&'a str>,
    /// Every property, by name.
    pub properties: BTreeMap<&'a str, &'a Value>,
    /// The required properties.
    pub required: BTreeSet<&'a str>,
    /// `nullable: true`.
    pub nullable: bool,
    /// `format`.
    pub format: Option<&'a str>,
    /// The allowed values of an enum.
    pub enum_values: Option<&'a [Value]>,
    /// An array's item schema.
    pub items: Option<&'a Value>,
    /// `additionalProperties: false`.
    pub closed: bool,
    /// `additionalProperties` with a schema: the type of a map's values.
    pub additional: Option<&'a Value>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// A discriminated union: the tag's property name and `tag -> $ref`.
    pub discriminator: Option<(&'a str, BTreeMap<&'a str, &'a str>)>,
}

impl<'a> Flat<'a> {
    /// The type to check against: `type`, or `object` when there are properties.
    pub fn kind(&self) -> Option<&'a str> {
        self.ty.or(if self.properties.is_empty() { None } else { Some("object") })
    }
}

/// A query parameter of an operation.
pub struct Param<'a> {
    pub name: &'a str,
    pub required: bool,
    pub schema: &'a Value,
}

impl Spec {
    /// Parses the YAML (or JSON) document at `path`.
    pub fn load(path: &Path) -> Result<Spec, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Spec::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses a YAML (or JSON) document.
    pub fn parse(text: &str) -> Result<Spec, String> {
        let root: Value = serde_yaml_ng::from_str(text).map_err(|e| format!("not an OpenAPI document: {e}"))?;
        if root.get("paths").is_none_or(|p| !p.is_object()) {
            return Err("not an OpenAPI document: no `paths` object".to_owned());
        }
        Ok(Spec { root })
    }

    /// The named schema under `components/schemas`.
    pub fn schema(&self, name: &str) -> Result<&Value, String> {
        self.root
            .pointer(&format!("/components/schemas/{}", escape_pointer(name)))
            .ok_or_else(|| format!("the spec has no schema `{name}`"))
    }

    /// The operation `method` (lowercase, as in the document) of `path`.
    pub fn operation(&self, path: &str, method: &str) -> Option<&Value> {
        self.root.get("paths")?.get(path)?.get(method)
    }

    /// Follows `$ref`s until a schema without one.
    pub fn resolve<'s>(&'s self, mut schema: &'s Value) -> Result<&'s Value, String> {
        for _ in 0..MAX_DEPTH {
            let Some(target) = schema.get("$ref") else { return Ok(schema) };
            let target = target.as_str().ok_or("a `$ref` that is not a string")?;
            let pointer =
                target.strip_prefix('#').ok_or_else(|| format!("`$ref: {target}` points outside the document"))?;
            schema = self.root.pointer(pointer).ok_or_else(|| format!("`$ref: {target}` points nowhere"))?;
        }
        Err("a `$ref` chain too long (a cycle?)".to_owned())
    }

    /// `schema` with `$ref`s followed and `allOf` parts merged.
    pub fn flatten<'s>(&'s self, schema: &'s Value) -> Result<Flat<'s>, String> {
        let mut flat = Flat::default();
        self.flatten_into(schema, &mut flat, 0)?;
        Ok(flat)
    }

    fn flatten_into<'s>(&'s self, schema: &'s Value, flat: &mut Flat<'s>, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("`allOf` nests too deep (a cycle?)".to_owned());
        }
        let schema = self.resolve(schema)?;
        for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.flatten_into(part, flat, depth + 1)?;
        }
        if let Some(ty) = schema.get("type").and_then(Value::as_str) {
            flat.ty = Some(ty);
        }
        if let Some(format) = schema.get("format").and_then(Value::as_str) {
            flat.format = Some(format);
        }
        flat.nullable |= schema.get("nullable") == Some(&Value::Bool(true));
        flat.deprecated |= schema.get("deprecated") == Some(&Value::Bool(true));
        flat.closed |= schema.get("additionalProperties") == Some(&Value::Bool(false));
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            flat.additional = Some(values);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            flat.enum_values = Some(values);
        }
        if let Some(items) = schema.get("items") {
            flat.items = Some(items);
        }
        for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            flat.properties.insert(name, property);
        }
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            flat.required.insert(name.as_str().ok_or("a `required` entry that is not a string")?);
        }
        if let Some(d) = schema.get("discriminator") {
            let tag = d.get("propertyName").and_then(Value::as_str).ok_or("a discriminator without `propertyName`")?;
            let mut mapping = BTreeMap::new();
            for (key, target) in d.get("mapping").and_then(Value::as_object).into_iter().flatten() {
                mapping.insert(key.as_str(), target.as_str().ok_or("a discriminator mapping that is not a `$ref`")?);
            }
            flat.discriminator = Some((tag, mapping));
        }
        Ok(())
    }

    /// The JSON request body schema of an operation.
    pub fn request_body_schema<'s>(&'s self, operation: &'s Value) -> Result<&'s Value, String> {
        let body = self.resolve(operation.get("requestBody").ok_or("the operation takes no request body")?)?;
        body.pointer("/content/application~1json/schema").ok_or_else(|| "the request body is not JSON".to_owned())
    }

    /// An operation's success answer (its lowest 2xx), `$ref` followed.
    pub fn success_response<'s>(&'s self, operation: &'s Value) -> Result<&'s Value, String> {
        let responses =
            operation.get("responses").and_then(Value::as_object).ok_or("the operation has no responses")?;
        let (_, response) = responses
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .min_by_key(|(status, _)| status.as_str())
            .ok_or("the operation has no 2xx response")?;
        self.resolve(response)
    }

    /// The JSON schema of an operation's success answer (its lowest 2xx).
    pub fn success_schema<'s>(&'s self, operation: &'s Value) -> Result<&'s Value, String> {
        let response = self.success_response(operation)?;
        response.pointer("/content/application~1json/schema").ok_or_else(|| "the success answer is not JSON".to_owned())
    }

    /// The query parameters of an operation (its path's shared ones first).
    pub fn query_parameters<'s>(&'s self, path: &str, operation: &'s Value) -> Result<Vec<Param<'s>>, String> {
        let shared = self.root.get("paths").and_then(|p| p.get(path)).and_then(|p| p.get("parameters"));
        let mut params = Vec::new();
        for list in [shared, operation.get("parameters")].into_iter().flatten() {
            for param in list.as_array().ok_or("`parameters` is not a list")? {
                let param = self.resolve(param)?;
                if param.get("in").and_then(Value::as_str) != Some("query") {
                    continue;
                }
                params.push(Param {
                    name: param.get("name").and_then(Value::as_str).ok_or("a parameter without a name")?,
                    required: param.get("required") == Some(&Value::Bool(true)),
                    schema: param.get("schema").ok_or("a parameter without a schema")?,
                });
            }
        }
        Ok(params)
    }

    /// A spec-shaped instance of `schema`: with `full`, every property set
    /// (arrays hold one item, free-form objects one entry); without, only
    /// the required properties (arrays empty). A discriminated union takes
    /// its first variant by tag, with the tag and the union's own (shared)
    /// properties set.
    pub fn sample(&self, schema: &Value, full: bool) -> Result<Value, String> {
        self.sample_at(schema, if full { usize::MAX } else { 0 }, None, 0)
    }

    /// [`Spec::sample`] with every property down to `full_levels` nested
    /// objects and the required ones below (keeps samples of deep schemas
    /// small); `variant` picks a union's variant by tag instead of the first.
    pub fn sample_to(&self, schema: &Value, full_levels: usize, variant: Option<&str>) -> Result<Value, String> {
        self.sample_at(schema, full_levels, variant, 0)
    }

    fn sample_at(&self, schema: &Value, levels: usize, variant: Option<&str>, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("the schema nests too deep for a sample (a cycle?)".to_owned());
        }
        let full = levels > 0;
        let inner = levels.saturating_sub(1);
        let flat = self.flatten(schema)?;
        // A discriminator without a mapping names no variant: the properties are all there is.
        if let Some((tag, mapping)) = flat.discriminator.as_ref().filter(|(_, m)| !m.is_empty()) {
            let (key, target) = match variant {
                Some(wanted) => {
                    mapping.get_key_value(wanted).ok_or_else(|| format!("the union has no variant `{wanted}`"))?
                }
                None => mapping.iter().next().ok_or("a discriminator with no mapping")?,
            };
            let mut object = Map::new();
            for (name, property) in flat.properties.iter().filter(|(name, _)| *name != tag) {
                if full || flat.required.contains(name) {
                    object.insert((*name).to_owned(), self.sample_at(property, inner, None, depth + 1)?);
                }
            }
            let value = self.sample_at(&json!({ "$ref": target }), levels, None, depth + 1)?;
            object.extend(value.as_object().ok_or("a union variant that is not an object")?.clone());
            object.insert((*tag).to_owned(), Value::String((*key).to_owned()));
            return Ok(Value::Object(object));
        }
        if let Some(first) = flat.enum_values.and_then(|values| values.first()) {
            return Ok(first.clone());
        }
        Ok(match flat.kind() {
            Some("object") if flat.properties.is_empty() => {
                if let (true, Some(values)) = (full, flat.additional) {
                    json!({ "sample_key": self.sample_at(values, inner, None, depth + 1)? })
                } else if full && !flat.closed {
                    json!({ "sample_key": "sample value" })
                } else {
                    json!({})
                }
            }
            Some("object") => {
                let mut object = Map::new();
                for (name, property) in &flat.properties {
                    if full || flat.required.contains(name) {
                        object.insert((*name).to_owned(), self.sample_at(property, inner, None, depth + 1)?);
                    }
                }
                Value::Object(object)
            }
            Some("array") if full => {
                let items = flat.items.ok_or("an array schema without `items`")?;
                Value::Array(vec![self.sample_at(items, levels, None, depth + 1)?])
            }
            Some("array") => json!([]),
            Some("string") => match flat.format {
                Some("date-time") => json!("2024-05-06T07:08:09Z"),
                Some("date") => json!("2024-05-06"),
                _ => json!("sample text"),
            },
            Some("integer") => json!(7),
            Some("number") => json!(2.5),
            Some("boolean") => json!(true),
            // Any value (a schema without a type, a `oneOf` without a discriminator).
            None => json!({}),
            other => return Err(format!("no sample for a schema of type {other:?}")),
        })
    }

    /// The schema at a JSON pointer (`/components/schemas/work`).
    pub fn at(&self, pointer: &str) -> Result<&Value, String> {
        self.root.pointer(pointer).ok_or_else(|| format!("the spec has nothing at `{pointer}`"))
    }

    /// `schema` flattened for `value`: for a discriminated union, the
    /// union's own properties merged with those of the variant `value`'s tag
    /// names (the tag stays a property).
    pub fn flatten_for<'s>(&'s self, schema: &'s Value, value: &Value) -> Result<Flat<'s>, String> {
        let mut flat = self.flatten(schema)?;
        // A variant may be a union itself (`date-filter` -> `date-time-preset`).
        for _ in 0..MAX_DEPTH {
            let Some((tag, mapping)) = flat.discriminator.take().filter(|(_, m)| !m.is_empty()) else { break };
            let key = value
                .get(tag)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("no string `{tag}` to pick a variant by"))?;
            let target = mapping.get(key).ok_or_else(|| format!("`{tag}: {key}` is not one of the spec's variants"))?;
            let pointer =
                target.strip_prefix('#').ok_or_else(|| format!("`$ref: {target}` points outside the document"))?;
            let variant = self.flatten(self.at(pointer)?)?;
            flat.properties.extend(variant.properties);
            flat.required.extend(variant.required);
            flat.closed |= variant.closed;
            if flat.ty.is_none() {
                flat.ty = variant.ty;
            }
            flat.properties.entry(tag).or_insert(&UNION_TAG);
            // Without its tag a union cannot be read, whether the spec lists it as required or not.
            flat.required.insert(tag);
            flat.discriminator = variant.discriminator;
        }
        Ok(flat)
    }
}

/// Escapes a name for a JSON pointer segment.
fn escape_pointer(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The JSON kind of a value, for messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Compares a value we send with the schema it must follow, all the way
/// down, and notes every mismatch in `out` under `path`:
/// - a property we send that the schema does not know;
/// - with `complete` (the value had every setter applied): a property of the
///   schema we do not send;
/// - a value of the wrong JSON type, a string outside the enum, a `null`
///   where the schema is not nullable.
///
/// A discriminated union is checked as its own properties and those of the
/// variant its tag names.
pub fn check_value(spec: &Spec, value: &Value, schema: &Value, path: &str, complete: bool, out: &mut Vec<String>) {
    check_value_within(spec, value, schema, path, if complete { usize::MAX } else { 0 }, out);
}

/// [`check_value`], with `complete` only for the outer `complete_levels`
/// nested objects (a request built with every setter down to that depth).
pub fn check_value_within(
    spec: &Spec,
    value: &Value,
    schema: &Value,
    path: &str,
    complete_levels: usize,
    out: &mut Vec<String>,
) {
    let flat = match spec.flatten_for(schema, value) {
        Ok(flat) => flat,
        Err(e) => return out.push(format!("{path}: cannot read the spec's schema: {e}")),
    };
    if value.is_null() {
        if !flat.nullable {
            out.push(format!("{path}: we send null, which the spec does not allow here (not nullable)"));
        }
        return;
    }
    let expected = flat.kind();
    let fits = match expected {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some(other) => {
            return out.push(format!("{path}: the spec's type `{other}` is not one this check knows"));
        }
    };
    if !fits {
        let expected = expected.unwrap_or("?");
        return out.push(format!("{path}: the spec wants {expected}, we send {}", kind_of(value)));
    }
    if let (Some(allowed), Value::String(s)) = (flat.enum_values, value) {
        if !allowed.iter().any(|a| a.as_str() == Some(s)) {
            out.push(format!(
                "{path}: we send `{s}`, which is not one of the spec's values {}",
                Value::Array(allowed.to_vec())
            ));
        }
    }
    match value {
        Value::Object(object) if !flat.properties.is_empty() || flat.closed => {
            if complete_levels > 0 {
                for (name, property) in &flat.properties {
                    if !object.contains_key(*name) {
                        let deprecated = spec.flatten(property).is_ok_and(|p| p.deprecated);
                        let note = if deprecated { " (deprecated there)" } else { "" };
                        out.push(format!("{path}.{name}: in the spec{note}, but our request with every setter applied does not send it"));
                    }
                }
            }
            for (name, inner) in object {
                match flat.properties.get(name.as_str()) {
                    // The tag of a union: checked against the mapping above.
                    Some(Value::Null) => {}
                    Some(property) => check_value_within(
                        spec,
                        inner,
                        property,
                        &format!("{path}.{name}"),
                        complete_levels.saturating_sub(1),
                        out,
                    ),
                    None => out.push(format!("{path}.{name}: we send it, but the spec does not know it")),
                }
            }
        }
        Value::Array(items) => match flat.items {
            Some(item_schema) => {
                for item in items {
                    check_value_within(spec, item, item_schema, &format!("{path}[]"), complete_levels, out);
                }
            }
            None if !items.is_empty() => out.push(format!("{path}: the spec's array has no `items` to check against")),
            None => {}
        },
        _ => {}
    }
}

/// Notes in `out` every place where `actual` departs from `expected`.
pub fn diff(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (name, value) in e {
                match a.get(name) {
                    Some(other) => diff(value, other, &format!("{path}.{name}"), out),
                    None => out.push(format!("{path}.{name}: lost on the way through our model")),
                }
            }
            for name in a.keys().filter(|name| !e.contains_key(*name)) {
                out.push(format!("{path}.{name}: added by our model"));
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                diff(x, y, &format!("{path}[{i}]"), out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(format!("{path}: the spec-shaped value {expected} came back as {actual}")),
    }
}
