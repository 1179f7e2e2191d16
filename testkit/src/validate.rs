//! Holds a request (or an answer) to its operation's schema with the
//! `jsonschema` crate, and turns the first violation into DevRev's error
//! body: `missing_required_field` (`field_name`), `unexpected_json_type`
//! (`field_name`, `actual`, `expected`, the types named in DevRev's words:
//! `array`, `bool`, `null`, `number`, `object`, `string`),
//! `invalid_enum_value` (`field_name`, `value`, `allowed_values`),
//! `invalid_field` (`field_name`: a date that is not one, a number outside
//! its `minimum`/`maximum` or its `int32`/`int64` range, a fraction where an
//! integer belongs, a string or array shorter or longer than its bounds),
//! else `bad_request`.
//!
//! Field names are dotted paths from the top of the request, array
//! positions left out (`stage.name`, `tags.id`), as DevRev names them.
//!
//! A `GET`'s query string becomes a JSON object first, read with the
//! schema's types: arrays are comma-joined values, `a.b` nests `b` in `a`,
//! integers, numbers and booleans are parsed (a value that does not parse
//! stays a string, and fails as the wrong type).

use std::sync::{Arc, LazyLock, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, JsonType, Resource, ValidationError, Validator};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::spec::{Api, API};

/// The URI the description is registered under.
const BASE: &str = "urn:devrev-api";

/// The registry holding the description, built once.
static REGISTRY: LazyLock<Option<jsonschema::Registry>> = LazyLock::new(|| {
    let resource = Resource::from_contents(API.document.clone()).ok()?;
    jsonschema::Registry::options().draft(Draft::Draft7).build([(BASE, resource)]).ok()
});

/// One validator per operation and side, compiled on first use.
struct Compiled {
    requests: Vec<OnceLock<Option<Arc<Validator>>>>,
    responses: Vec<OnceLock<Option<Arc<Validator>>>>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| Compiled {
    requests: (0..API.operations.len()).map(|_| OnceLock::new()).collect(),
    responses: (0..API.operations.len()).map(|_| OnceLock::new()).collect(),
});

fn compile(pointer: String) -> Option<Arc<Validator>> {
    let registry = REGISTRY.as_ref()?.clone();
    let schema = serde_json::json!({ "$ref": format!("{BASE}#{pointer}") });
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .with_registry(registry)
        .should_validate_formats(true)
        .build(&schema)
        .ok()
        .map(Arc::new)
}

/// The validator of operation `op`'s request.
pub(crate) fn request_validator(op: usize) -> Option<Arc<Validator>> {
    COMPILED.requests.get(op)?.get_or_init(|| compile(format!("/operations/{op}/request"))).clone()
}

/// The validator of operation `op`'s answer (none for a 204).
pub(crate) fn response_validator(op: usize) -> Option<Arc<Validator>> {
    API.operations.get(op)?.response.as_ref()?;
    COMPILED.responses.get(op)?.get_or_init(|| compile(format!("/operations/{op}/response"))).clone()
}

/// Checks `input` against operation `op`'s request schema.
pub(crate) fn check_request(op: usize, input: &Value) -> Result<(), ApiError> {
    let Some(validator) = request_validator(op) else {
        return Err(ApiError::bad_request("the server cannot check this request", "its schema did not compile"));
    };
    let mut first: Option<ValidationError> = None;
    for error in validator.iter_errors(input) {
        let better = match &first {
            None => true,
            Some(current) => rank(&error) < rank(current),
        };
        if better {
            first = Some(error);
        }
    }
    match first {
        None => Ok(()),
        Some(error) => Err(to_api_error(&error)),
    }
}

/// Whether `answer` is what operation `op` may answer.
pub(crate) fn answer_is_valid(op: usize, answer: &Value) -> bool {
    response_validator(op).is_none_or(|v| v.is_valid(answer))
}

/// The violations of `answer` against operation `op`'s answer schema, as text (for tests).
#[cfg(test)]
pub(crate) fn answer_errors(op: usize, answer: &Value) -> Vec<String> {
    match response_validator(op) {
        None => vec![],
        Some(v) => v.iter_errors(answer).map(|e| format!("{}: {e}", e.instance_path)).collect(),
    }
}

/// Which violation to report first: DevRev's typed ones, then the rest.
fn rank(error: &ValidationError) -> u8 {
    match error.kind {
        ValidationErrorKind::Required { .. } => 0,
        ValidationErrorKind::Type { .. } => 1,
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => 2,
        ValidationErrorKind::Format { .. }
        | ValidationErrorKind::Minimum { .. }
        | ValidationErrorKind::Maximum { .. }
        | ValidationErrorKind::MinLength { .. }
        | ValidationErrorKind::MaxLength { .. }
        | ValidationErrorKind::MinItems { .. }
        | ValidationErrorKind::MaxItems { .. } => 3,
        _ => 4,
    }
}

/// `/stage/name`, `/tags/0/id` -> `stage.name`, `tags.id`.
fn field_name(pointer: &str) -> String {
    pointer
        .split('/')
        .filter(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// A JSON type in DevRev's words (`error-bad-request-unexpected-json-type-type`:
/// `array`, `bool`, `null`, `number`, `object`, `string`): an integer is a
/// `number`, a boolean a `bool`.
fn devrev_type(t: JsonType) -> &'static str {
    match t {
        JsonType::Array => "array",
        JsonType::Boolean => "bool",
        JsonType::Integer | JsonType::Number => "number",
        JsonType::Null => "null",
        JsonType::Object => "object",
        JsonType::String => "string",
    }
}

fn to_api_error(error: &ValidationError) -> ApiError {
    let at = field_name(error.instance_path.as_str());
    let join = |name: &str| if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") };
    match &error.kind {
        ValidationErrorKind::Required { property } => ApiError::missing_field(&join(property.as_str().unwrap_or(""))),
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => *t,
                TypeKind::Multiple(set) => set.iter().find(|t| *t != JsonType::Null).unwrap_or(JsonType::Null),
            };
            // A fraction where an integer belongs is the right JSON type, the wrong value.
            if expected == JsonType::Integer && error.instance.is_number() {
                return ApiError::invalid_field(&at, format!("`{}` is not a whole number", error.instance));
            }
            ApiError::wrong_type(&at, &error.instance, devrev_type(expected))
        }
        ValidationErrorKind::Minimum { limit } => {
            ApiError::invalid_field(&at, format!("`{}` is less than the minimum, {limit}", error.instance))
        }
        ValidationErrorKind::Maximum { limit } => {
            ApiError::invalid_field(&at, format!("`{}` is more than the maximum, {limit}", error.instance))
        }
        ValidationErrorKind::MinLength { limit } => {
            ApiError::invalid_field(&at, format!("at least {limit} characters are required"))
        }
        ValidationErrorKind::MaxLength { limit } => {
            ApiError::invalid_field(&at, format!("at most {limit} characters are allowed"))
        }
        ValidationErrorKind::MinItems { limit } => {
            ApiError::invalid_field(&at, format!("at least {limit} items are required"))
        }
        ValidationErrorKind::MaxItems { limit } => {
            ApiError::invalid_field(&at, format!("at most {limit} items are allowed"))
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<&str> =
                options.as_array().map(|o| o.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let value = match error.instance.as_ref() {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            ApiError::invalid_enum(&at, &value, &allowed)
        }
        ValidationErrorKind::Constant { expected_value } => {
            let value = error.instance.as_str().map_or_else(|| error.instance.to_string(), str::to_owned);
            ApiError::invalid_enum(&at, &value, &[expected_value.as_str().unwrap_or_default()])
        }
        ValidationErrorKind::Format { format } => ApiError::invalid_field(&at, format!("not a valid {format}")),
        _ => ApiError::bad_request(format!("the field `{at}` is invalid"), error.to_string()),
    }
}

fn decode(raw: &str) -> String {
    percent_decode_str(&raw.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// A query string as the JSON object operation `schema` describes.
pub(crate) fn query_to_json(api: &Api, schema: &Value, query: Option<&str>) -> Value {
    let mut fields = Map::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(raw_key);
        let (outer, inner) = match key.split_once('.') {
            Some((outer, inner)) => (outer.to_owned(), Some(inner.to_owned())),
            None => (key.clone(), None),
        };
        let outer_schema = api.property(schema, &outer);
        let field_schema = match (&inner, outer_schema) {
            (Some(inner), Some(s)) => api.property(s, inner),
            (None, s) => s,
            _ => None,
        };
        let value = typed(api, field_schema, raw_value);
        let slot = match inner {
            Some(inner) => {
                let entry = fields.entry(outer).or_insert_with(|| Value::Object(Map::new()));
                match entry {
                    Value::Object(map) => map.entry(inner),
                    _ => continue,
                }
            }
            None => fields.entry(outer),
        };
        match (slot, value) {
            // A repeated array parameter adds to the array.
            (serde_json::map::Entry::Occupied(mut o), Value::Array(more)) => {
                if let Value::Array(existing) = o.get_mut() {
                    existing.extend(more);
                } else {
                    o.insert(Value::Array(more));
                }
            }
            (serde_json::map::Entry::Occupied(mut o), v) => {
                o.insert(v);
            }
            (serde_json::map::Entry::Vacant(v), value) => {
                v.insert(value);
            }
        }
    }
    Value::Object(fields)
}

fn typed(api: &Api, schema: Option<&Value>, raw: &str) -> Value {
    let scalar = |ty: Option<&str>, text: String| -> Value {
        match ty {
            // An integer too large for i64 stays a number, so its range is what fails.
            Some("integer") => match text.trim().parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => text
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::String(text), Value::Number),
            },
            Some("number") => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::String(text), Value::Number),
            Some("boolean") => match text.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(text),
            },
            _ => Value::String(text),
        }
    };
    match schema.and_then(|s| api.type_of(s)) {
        Some("array") => {
            let item_type = schema.map(|s| api.resolve(s)).and_then(|s| s.get("items")).and_then(|i| api.type_of(i));
            Value::Array(raw.split(',').filter(|v| !v.is_empty()).map(|v| scalar(item_type, decode(v))).collect())
        }
        ty => scalar(ty, decode(raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_dotted_without_positions() {
        assert_eq!(field_name("/stage/name"), "stage.name");
        assert_eq!(field_name("/tags/0/id"), "tags.id");
        assert_eq!(field_name(""), "");
    }

    #[test]
    fn every_schema_compiles() {
        for i in 0..API.operations.len() {
            assert!(request_validator(i).is_some(), "{}", API.operations[i].path);
            if API.operations[i].response.is_some() {
                assert!(response_validator(i).is_some(), "{}", API.operations[i].path);
            }
        }
    }

    #[test]
    fn made_up_answers_are_valid_for_every_operation_and_seed() {
        for seed in 0..3 {
            let mut rng = fastrand::Rng::with_seed(seed);
            for (i, op) in API.operations.iter().enumerate() {
                let Some(schema) = &op.response else { continue };
                let now = "2024-01-24T00:00:00.000Z".to_owned();
                let answer = crate::synth::Synth { api: &API, rng: &mut rng, now, prefer_tag: None }.value(schema, 0);
                let errors = answer_errors(i, &answer);
                assert!(errors.is_empty(), "{} {} (seed {seed}): {errors:?}\n{answer}", op.method, op.path);
            }
        }
    }

    #[test]
    fn query_strings_follow_the_schema() {
        let (i, op) = API.find("GET", "/works.list").unwrap();
        let _ = i;
        let q = query_to_json(&API, &op.request, Some("limit=5&type=issue,task&stage.name=triage&owned_by=A%2CB"));
        assert_eq!(q["limit"], 5);
        assert_eq!(q["type"], serde_json::json!(["issue", "task"]));
        assert_eq!(q["stage"]["name"], serde_json::json!(["triage"]));
        assert_eq!(q["owned_by"], serde_json::json!(["A,B"]));
    }
}
