//! Reading a request: a JSON body (POST) or a query string (GET) becomes one
//! JSON object, which the handlers read field by field with DevRev's errors.
//!
//! Query strings follow DevRev's rules: an array is one parameter with
//! comma-joined values (each value percent-encoded on its own, so an encoded
//! comma stays inside its value), and nested objects use dotted names
//! (`created_date.after=...`).

use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// A request's fields, from its body or its query string.
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    fields: Map<String, Value>,
    /// Whether the fields came from a query string, where every scalar is a string.
    from_query: bool,
}

/// A date range filter: `after` and `before`, both inclusive (as DevRev documents them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DateFilter {
    pub(crate) after: Option<DateTime<Utc>>,
    pub(crate) before: Option<DateTime<Utc>>,
}

impl DateFilter {
    /// Whether `t` is inside the range.
    pub(crate) fn contains(&self, t: DateTime<Utc>) -> bool {
        self.after.is_none_or(|a| t >= a) && self.before.is_none_or(|b| t <= b)
    }
}

/// A tag to set: its ID and optional value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagInput {
    pub(crate) id: String,
    pub(crate) value: Option<String>,
}

fn decode(raw: &str) -> String {
    // `+` is a space in form encoding; a literal plus arrives as `%2B`.
    let raw = raw.replace('+', " ");
    percent_decode_str(&raw).decode_utf8_lossy().into_owned()
}

impl Input {
    /// Reads a JSON body. An empty body is an empty object, so `curl -X POST`
    /// without `-d` gets the missing-field error rather than a parse error.
    pub(crate) fn from_body(body: &[u8]) -> Result<Input, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input::default());
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(fields)) => Ok(Input { fields, from_query: false }),
            Ok(other) => Err(ApiError::parse_error(format!(
                "the body must be a JSON object, not {}",
                crate::error::json_kind(&other)
            ))),
            Err(e) => Err(ApiError::parse_error(format!("invalid JSON: {e}"))),
        }
    }

    /// Reads a query string; `arrays` names the parameters that are arrays.
    pub(crate) fn from_query(query: Option<&str>, arrays: &[&str]) -> Input {
        let mut fields = Map::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(raw_key);
            let value = if arrays.contains(&key.as_str()) {
                let values = raw_value.split(',').filter(|v| !v.is_empty()).map(|v| Value::String(decode(v)));
                match fields.get_mut(&key) {
                    // A repeated parameter adds to the array.
                    Some(Value::Array(existing)) => {
                        existing.extend(values);
                        continue;
                    }
                    _ => Value::Array(values.collect()),
                }
            } else {
                Value::String(decode(raw_value))
            };
            match key.split_once('.') {
                Some((outer, inner)) => {
                    let entry = fields.entry(outer.to_owned()).or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(map) = entry {
                        map.insert(inner.to_owned(), value);
                    }
                }
                None => {
                    fields.insert(key, value);
                }
            }
        }
        Input { fields, from_query: true }
    }

    /// A field's value; JSON `null` counts as absent.
    fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    /// An optional string.
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(ApiError::wrong_type(name, other, "string")),
        }
    }

    /// A string that may be sent as `null` to clear it: `None` when absent,
    /// `Some(None)` for `null`.
    pub(crate) fn nullable_string(&self, name: &str) -> Result<Option<Option<String>>, ApiError> {
        match self.fields.get(name) {
            Some(Value::Null) => Ok(Some(None)),
            _ => self.string(name).map(|s| s.map(Some)),
        }
    }

    /// A required string; an absent or blank value is `missing_required_field`.
    pub(crate) fn required_string(&self, name: &str) -> Result<String, ApiError> {
        match self.string(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ApiError::missing_field(name)),
        }
    }

    /// An optional array of strings.
    pub(crate) fn strings(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        strings_of(name, self.get(name))
    }

    /// An optional `{ "set": [...] }` of strings (how updates replace a list).
    pub(crate) fn set_of_strings(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => {
                let field = format!("{name}.set");
                Ok(Some(strings_of(&field, map.get("set").filter(|v| !v.is_null()))?.unwrap_or_default()))
            }
            Some(other) => Err(ApiError::wrong_type(name, other, "object")),
        }
    }

    /// An optional JSON object.
    pub(crate) fn object(&self, name: &str) -> Result<Option<Map<String, Value>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            Some(other) => Err(ApiError::wrong_type(name, other, "object")),
        }
    }

    /// An optional integer (from a query string, a decimal string).
    pub(crate) fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                n.as_i64().map(Some).ok_or_else(|| ApiError::invalid_field(name, "not an integer"))
            }
            Some(Value::String(s)) if self.from_query => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::invalid_field(name, format!("`{s}` is not an integer"))),
            Some(other) => Err(ApiError::wrong_type(name, other, "number")),
        }
    }

    /// An optional string that must be one of `allowed`.
    pub(crate) fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.string(name)? {
            Some(v) if !allowed.contains(&v.as_str()) => Err(ApiError::invalid_enum(name, &v, allowed)),
            other => Ok(other),
        }
    }

    /// An optional date filter: `{ "after": RFC 3339, "before": RFC 3339 }`.
    pub(crate) fn date_filter(&self, name: &str) -> Result<Option<DateFilter>, ApiError> {
        let Some(map) = self.object(name)? else { return Ok(None) };
        let bound = |which: &str| -> Result<Option<DateTime<Utc>>, ApiError> {
            let field = format!("{name}.{which}");
            match map.get(which).filter(|v| !v.is_null()) {
                None => Ok(None),
                Some(Value::String(s)) => DateTime::parse_from_rfc3339(s.trim())
                    .map(|t| Some(t.with_timezone(&Utc)))
                    .map_err(|_| ApiError::invalid_field(&field, format!("`{s}` is not an RFC 3339 date and time"))),
                Some(other) => Err(ApiError::wrong_type(&field, other, "string")),
            }
        };
        Ok(Some(DateFilter { after: bound("after")?, before: bound("before")? }))
    }

    /// An optional array of tags to set: `[{ "id": ..., "value": ... }]`.
    pub(crate) fn tags(&self, name: &str) -> Result<Option<Vec<TagInput>>, ApiError> {
        let Some(value) = self.get(name) else { return Ok(None) };
        let Value::Array(items) = value else { return Err(ApiError::wrong_type(name, value, "array")) };
        let mut tags = Vec::with_capacity(items.len());
        for item in items {
            let Value::Object(tag) = item else { return Err(ApiError::wrong_type(name, item, "object")) };
            let id = match tag.get("id") {
                Some(Value::String(id)) if !id.trim().is_empty() => id.clone(),
                Some(Value::String(_)) | Some(Value::Null) | None => {
                    return Err(ApiError::missing_field(&format!("{name}.id")))
                }
                Some(other) => return Err(ApiError::wrong_type(&format!("{name}.id"), other, "string")),
            };
            let value = match tag.get("value") {
                None | Some(Value::Null) => None,
                Some(Value::String(v)) => Some(v.clone()),
                Some(other) => return Err(ApiError::wrong_type(&format!("{name}.value"), other, "string")),
            };
            tags.push(TagInput { id, value });
        }
        Ok(Some(tags))
    }
}

fn strings_of(name: &str, value: Option<&Value>) -> Result<Option<Vec<String>>, ApiError> {
    match value {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(ApiError::wrong_type(name, other, "string")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(ApiError::wrong_type(name, other, "array")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_arrays_dates_and_encoded_commas() {
        let input = Input::from_query(
            Some("account=ACC-1,ACC-2&display_name=A%26B%2C%20Inc.,x+y&created_date.after=2024-01-01T00%3A00%3A00Z&limit=5&account=ACC-3"),
            &["account", "display_name"],
        );
        assert_eq!(input.strings("account").unwrap().unwrap(), ["ACC-1", "ACC-2", "ACC-3"]);
        assert_eq!(input.strings("display_name").unwrap().unwrap(), ["A&B, Inc.", "x y"]);
        assert_eq!(input.integer("limit").unwrap(), Some(5));
        let filter = input.date_filter("created_date").unwrap().unwrap();
        assert_eq!(filter.after.unwrap().to_rfc3339(), "2024-01-01T00:00:00+00:00");
        assert_eq!(filter.before, None);
    }

    #[test]
    fn body_errors() {
        let e = Input::from_body(b"{not json").unwrap_err();
        assert_eq!(e.body["type"], "parse_error");
        let e = Input::from_body(b"[1]").unwrap_err();
        assert_eq!(e.body["type"], "parse_error");
        assert!(Input::from_body(b"  ").unwrap().fields.is_empty());

        let input = Input::from_body(br#"{"display_name": 5, "blank": " ", "limit": "5", "env": "prod"}"#).unwrap();
        let e = input.required_string("display_name").unwrap_err();
        assert_eq!(
            e.body,
            json!({"type": "unexpected_json_type", "message": e.body["message"], "detail": e.body["detail"],
            "field_name": "display_name", "actual": "number", "expected": "string"})
        );
        assert_eq!(input.required_string("blank").unwrap_err().body["type"], "missing_required_field");
        assert_eq!(input.required_string("absent").unwrap_err().body["field_name"], "absent");
        assert_eq!(input.integer("limit").unwrap_err().body["type"], "unexpected_json_type");
        let e = input.one_of("env", &["production", "staging"]).unwrap_err();
        assert_eq!(e.body["allowed_values"], json!(["production", "staging"]));
        assert_eq!(e.body["value"], "prod");
    }
}
