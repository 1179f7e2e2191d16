//! Typed custom fields: a tenant's schema as Rust types.
//!
//! DevRev objects carry the fields a tenant adds in `custom_fields`, a JSON
//! object keyed by wire names: `tnt__<name>` for the tenant fragment of a
//! leaf type (`ticket`, `issue`, `account`, ...), `ctype__<name>` for a
//! subtype's custom type fragment. `#[derive(devrev::CustomFields)]` turns a
//! struct into such a set of fields and implements [`CustomFields`]:
//!
//! - reading: [`CustomFields::from_custom_fields`] (and `custom::<T>()` on
//!   every generated model with `custom_fields`) decodes the fields it knows
//!   and ignores every other key, so a field the tenant adds later breaks
//!   nothing; a field that does not fit is a [`CustomFieldsError`] naming it;
//! - writing: [`CustomFields::to_custom_fields`] (and `.custom(&fields)` on
//!   every generated request with `custom_fields`) writes only the fields that
//!   are set: an `Option` field left `None` is not sent, which makes partial
//!   updates; to clear a field (send it as `null`, which DevRev reads as
//!   "empty it"), wrap the fields in a [`Patch`] and name it with
//!   [`Patch::clear`];
//! - the schema: [`CustomFields::fragment`] is the `schemas.custom.set`
//!   request that declares the fields, and [`CustomFields::diff`] lists how a
//!   live fragment (from `schemas.custom.get`, see [`GetFragment`]) differs.
//!
//! Field types follow from the Rust types through [`CustomValue`]: `String`
//! is `text`, `i64` `int`, `f64` `double`, `bool` `bool`, a
//! `#[derive(devrev::CustomEnum)]` enum `enum` (with its allowed values),
//! `chrono::NaiveDate` `date`, `chrono::DateTime<Utc>` `timestamp`, [`Id`]
//! `id`, and a `Vec` of any of these an `array` of it. `Option<T>` makes a
//! field optional; any other field is required (`is_required`).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::endpoint::{Endpoint, Method};
use crate::error_body::DevRevError;

/// The prefix of tenant fields on the wire (`tnt__severity`).
pub const TENANT_PREFIX: &str = "tnt__";
/// The prefix of subtype (custom type fragment) fields on the wire (`ctype__build`).
pub const SUBTYPE_PREFIX: &str = "ctype__";

/// A DevRev field type, as `schemas.custom.set` names it (`field_type`, or
/// `base_type` inside an `array`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldType {
    /// `text`: a string.
    Text,
    /// `int`: a 64-bit integer.
    Int,
    /// `double`: a number.
    Double,
    /// `bool`.
    Bool,
    /// `enum`: one of the field's allowed values.
    Enum,
    /// `date`: `YYYY-MM-DD`.
    Date,
    /// `timestamp`: RFC 3339.
    Timestamp,
    /// `id`: the DON of an object.
    Id,
}

impl FieldType {
    /// The name DevRev uses for it (`"text"`, `"int"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Int => "int",
            FieldType::Double => "double",
            FieldType::Bool => "bool",
            FieldType::Enum => "enum",
            FieldType::Date => "date",
            FieldType::Timestamp => "timestamp",
            FieldType::Id => "id",
        }
    }

    /// The type DevRev names `name`, if this crate maps it to a Rust type.
    pub fn from_name(name: &str) -> Option<FieldType> {
        Some(match name {
            "text" => FieldType::Text,
            "int" => FieldType::Int,
            "double" => FieldType::Double,
            "bool" => FieldType::Bool,
            "enum" => FieldType::Enum,
            "date" => FieldType::Date,
            "timestamp" => FieldType::Timestamp,
            "id" => FieldType::Id,
            _ => return None,
        })
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field of a [`CustomFields`] struct, as the derive declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The name in the fragment, without prefix (`severity`).
    pub name: &'static str,
    /// The key in an object's `custom_fields`, with prefix (`tnt__severity`).
    pub wire: &'static str,
    /// The field's type; for a list, the type of its items.
    pub field_type: FieldType,
    /// A list (`array` with `base_type` = [`FieldSpec::field_type`]).
    pub array: bool,
    /// Not an `Option`: `is_required` in the fragment, and a decode error when absent.
    pub required: bool,
    /// `is_filterable` in the fragment (`#[custom(filterable)]`).
    pub filterable: bool,
    /// For an `enum` field, its allowed values.
    pub allowed_values: &'static [&'static str],
}

/// Why a value does not fit its field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required field is absent (or `null`).
    Missing,
    /// The JSON value has another type than the field.
    WrongType {
        /// What the field takes (`int`, `array of text`, ...).
        expected: String,
        /// What the value is (`string`, `number`, `object`, ...), or for a
        /// string of the wrong form (a date, a timestamp), the string.
        found: String,
    },
    /// An enum value outside the allowed ones.
    NotAllowed {
        /// The value found.
        value: String,
        /// The values the field allows.
        allowed: Vec<String>,
    },
    /// [`Patch::clear`] named a field the struct does not declare.
    NoSuchField,
    /// [`Patch::clear`] named a required field: DevRev refuses to clear one.
    CannotClearRequired,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("required but absent"),
            Problem::NoSuchField => f.write_str("not a field of this struct"),
            Problem::CannotClearRequired => f.write_str("required: it cannot be cleared"),
            Problem::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            Problem::NotAllowed { value, allowed } => {
                write!(f, "`{value}` is not one of the allowed values (")?;
                for (i, a) in allowed.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{a}`")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// A custom field that does not fit its Rust type: names the field (its
/// wire name, `tnt__severity`) and says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("custom field `{field}`: {problem}")]
pub struct CustomFieldsError {
    /// The wire name of the field (`tnt__severity`).
    pub field: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl CustomFieldsError {
    /// An error about the field `field` (its wire name).
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        CustomFieldsError { field: field.into(), problem }
    }
}

/// The JSON type of a value, as errors name it.
fn json_type(value: &Value) -> String {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
    .to_owned()
}

fn wrong_type(expected: impl Into<String>, value: &Value) -> Problem {
    Problem::WrongType { expected: expected.into(), found: json_type(value) }
}

/// A Rust type a custom field can have (one value, not a list): the derive
/// maps each field through it. Implemented for `String`, `i64`, `f64`,
/// `bool`, `chrono::NaiveDate`, `chrono::DateTime<Utc>`, [`Id`], and by
/// `#[derive(devrev::CustomEnum)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a DevRev custom field type",
    label = "not a custom field type",
    note = "custom fields are `String`, `i64`, `f64`, `bool`, `chrono::NaiveDate`, `chrono::DateTime<Utc>`, \
            `devrev::custom_fields::Id`, a `#[derive(devrev::CustomEnum)]` enum, or a `Vec` of one, in `Option` \
            when optional"
)]
pub trait CustomScalar: Sized {
    /// The field type it declares.
    const FIELD_TYPE: FieldType;
    /// For an enum, its allowed values; empty otherwise.
    const ALLOWED_VALUES: &'static [&'static str] = &[];
    /// The value as sent in `custom_fields`.
    fn to_json(&self) -> Value;
    /// The value read from `custom_fields`.
    fn from_json(value: &Value) -> Result<Self, Problem>;
}

/// A field's Rust type once `Option` is taken off: a [`CustomScalar`] or a
/// `Vec` of one. The derive names this trait, so a type that is neither is
/// one compile error on the field's type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a DevRev custom field type",
    label = "not a custom field type",
    note = "custom fields are `String`, `i64`, `f64`, `bool`, `chrono::NaiveDate`, `chrono::DateTime<Utc>`, \
            `devrev::custom_fields::Id`, a `#[derive(devrev::CustomEnum)]` enum, or a `Vec` of one, in `Option` \
            when optional"
)]
pub trait CustomValue: Sized {
    /// The field type; for a list, the type of its items.
    const FIELD_TYPE: FieldType;
    /// A list (`array`).
    const ARRAY: bool;
    /// For an enum (or a list of one), the allowed values.
    const ALLOWED_VALUES: &'static [&'static str];
    /// The value as sent in `custom_fields`.
    fn to_json(&self) -> Value;
    /// The value read from `custom_fields`.
    fn from_json(value: &Value) -> Result<Self, Problem>;
}

impl<T: CustomScalar> CustomValue for T {
    const FIELD_TYPE: FieldType = T::FIELD_TYPE;
    const ARRAY: bool = false;
    const ALLOWED_VALUES: &'static [&'static str] = T::ALLOWED_VALUES;
    fn to_json(&self) -> Value {
        CustomScalar::to_json(self)
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        <T as CustomScalar>::from_json(value)
    }
}

impl<T: CustomScalar> CustomValue for Vec<T> {
    const FIELD_TYPE: FieldType = T::FIELD_TYPE;
    const ARRAY: bool = true;
    const ALLOWED_VALUES: &'static [&'static str] = T::ALLOWED_VALUES;
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(CustomScalar::to_json).collect())
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        let Value::Array(items) = value else {
            return Err(wrong_type(format!("array of {}", T::FIELD_TYPE), value));
        };
        items.iter().map(<T as CustomScalar>::from_json).collect()
    }
}

impl CustomScalar for String {
    const FIELD_TYPE: FieldType = FieldType::Text;
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        value.as_str().map(str::to_owned).ok_or_else(|| wrong_type("text", value))
    }
}

impl CustomScalar for i64 {
    const FIELD_TYPE: FieldType = FieldType::Int;
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        value.as_i64().ok_or_else(|| wrong_type("int", value))
    }
}

impl CustomScalar for f64 {
    const FIELD_TYPE: FieldType = FieldType::Double;
    fn to_json(&self) -> Value {
        // A NaN or an infinity has no JSON form: it is sent as `null`.
        serde_json::Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        value.as_f64().ok_or_else(|| wrong_type("double", value))
    }
}

impl CustomScalar for bool {
    const FIELD_TYPE: FieldType = FieldType::Bool;
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        value.as_bool().ok_or_else(|| wrong_type("bool", value))
    }
}

impl CustomScalar for chrono::NaiveDate {
    const FIELD_TYPE: FieldType = FieldType::Date;
    fn to_json(&self) -> Value {
        Value::String(self.format("%Y-%m-%d").to_string())
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        let text = value.as_str().ok_or_else(|| wrong_type("date", value))?;
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Problem::WrongType { expected: "date (YYYY-MM-DD)".to_owned(), found: format!("`{text}`") })
    }
}

impl CustomScalar for chrono::DateTime<chrono::Utc> {
    const FIELD_TYPE: FieldType = FieldType::Timestamp;
    fn to_json(&self) -> Value {
        Value::String(self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        let text = value.as_str().ok_or_else(|| wrong_type("timestamp", value))?;
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_utc())
            .map_err(|_| Problem::WrongType { expected: "timestamp (RFC 3339)".to_owned(), found: format!("`{text}`") })
    }
}

/// The DON of an object, in an `id` custom field
/// (`don:core:dvrv-us-1:devo/0:issue/1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(pub String);

impl Id {
    /// The DON as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Id {
    fn from(value: &str) -> Self {
        Id(value.to_owned())
    }
}

impl From<String> for Id {
    fn from(value: String) -> Self {
        Id(value)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl CustomScalar for Id {
    const FIELD_TYPE: FieldType = FieldType::Id;
    fn to_json(&self) -> Value {
        Value::String(self.0.clone())
    }
    fn from_json(value: &Value) -> Result<Self, Problem> {
        value.as_str().map(|s| Id(s.to_owned())).ok_or_else(|| wrong_type("id", value))
    }
}

/// The check an enum's `from_json` makes (the derive's `CustomEnum` calls it):
/// the index of `value` among `allowed`, or the error naming them.
pub fn enum_index(value: &Value, allowed: &'static [&'static str]) -> Result<usize, Problem> {
    let text = value.as_str().ok_or_else(|| wrong_type("enum", value))?;
    allowed.iter().position(|a| *a == text).ok_or_else(|| Problem::NotAllowed {
        value: text.to_owned(),
        allowed: allowed.iter().map(|a| (*a).to_owned()).collect(),
    })
}

/// A set of custom fields: a tenant fragment's (`tnt__`) or a subtype's
/// (`ctype__`). Implement it with `#[derive(devrev::CustomFields)]`.
pub trait CustomFields: Sized {
    /// The leaf type the fields belong to (`ticket`, `issue`, `account`, ...).
    const LEAF_TYPE: &'static str;
    /// The subtype, for a custom type fragment; `None` for a tenant fragment.
    const SUBTYPE: Option<&'static str>;
    /// The fields, in declaration order.
    const FIELDS: &'static [FieldSpec];

    /// Decodes the fields from an object's `custom_fields`; keys it does not
    /// know are ignored.
    fn from_custom_fields(map: &Map<String, Value>) -> Result<Self, CustomFieldsError>;

    /// Writes the fields that are set into `map` (keeping its other keys).
    fn write_custom_fields(&self, map: &mut Map<String, Value>);

    /// The fields that are set, as `custom_fields`.
    fn to_custom_fields(&self) -> Map<String, Value> {
        let mut map = Map::new();
        self.write_custom_fields(&mut map);
        map
    }

    /// The `schemas.custom.set` request declaring these fields: a
    /// `tenant_fragment` of [`Self::LEAF_TYPE`], or a
    /// `custom_type_fragment` of [`Self::SUBTYPE`].
    fn fragment() -> Fragment {
        Fragment::of::<Self>()
    }

    /// How a live fragment (the `fragment` of a `schemas.custom.get`
    /// answer) differs from these fields; empty when it declares them all
    /// alike. Fields the live fragment has beyond these are listed too.
    fn diff(live: &LiveFragment) -> Vec<FieldDiff> {
        diff_fields(Self::FIELDS, live)
    }
}

/// Decodes one field with `decode` (the derive passes
/// `<T as CustomValue>::from_json`, so the field's type is bounded in one
/// place, and an unsupported type is one compile error): `Ok(None)` when the
/// key is absent or `null`.
pub fn read_field<T>(
    map: &Map<String, Value>,
    wire: &str,
    decode: fn(&Value) -> Result<T, Problem>,
) -> Result<Option<T>, CustomFieldsError> {
    match map.get(wire) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => decode(value).map(Some).map_err(|problem| CustomFieldsError::new(wire, problem)),
    }
}

/// [`read_field`] for a required field: absent is [`Problem::Missing`].
pub fn require_field<T>(
    map: &Map<String, Value>,
    wire: &str,
    decode: fn(&Value) -> Result<T, Problem>,
) -> Result<T, CustomFieldsError> {
    read_field(map, wire, decode)?.ok_or_else(|| CustomFieldsError::new(wire, Problem::Missing))
}

/// Sets `custom_fields` on a request from typed fields, keeping the keys it
/// already has (the generated `.custom(&fields)` calls it).
pub fn merge_into<T: CustomFields>(target: &mut Option<Map<String, Value>>, fields: &T) {
    fields.write_custom_fields(target.get_or_insert_with(Map::new));
}

/// Decodes typed fields from a model's `custom_fields` (the generated
/// `custom::<T>()` calls it); an object without any decodes as an empty map.
pub fn decode_from<T: CustomFields>(source: Option<&Map<String, Value>>) -> Result<T, CustomFieldsError> {
    match source {
        Some(map) => T::from_custom_fields(map),
        None => T::from_custom_fields(&Map::new()),
    }
}

/// A partial update of a [`CustomFields`] struct's fields that can also
/// clear fields: what [`Patch::set`] holds is written as the struct writes
/// it (an `Option` left `None` is not sent), and each field named with
/// [`Patch::clear`] is sent as `null`, which empties it on the stored
/// object. It is itself a [`CustomFields`], so every generated request's
/// `.custom(&patch)` takes it.
///
/// `Patch::<TicketFields>::new().clear("affected_users")?` sends
/// `{"tnt__affected_users": null}` and nothing else;
/// `Patch::set(fields).clear("due")?` sends the fields set in `fields` and
/// `"tnt__due": null`. (An example that runs: the `CustomFields` derive's
/// documentation in the `devrev` crate.)
#[derive(Debug, Clone, PartialEq)]
pub struct Patch<T> {
    set: Option<T>,
    clear: Vec<&'static FieldSpec>,
}

impl<T> Default for Patch<T> {
    fn default() -> Self {
        Patch { set: None, clear: Vec::new() }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(fields: T) -> Self {
        Patch { set: Some(fields), clear: Vec::new() }
    }
}

impl<T: CustomFields> Patch<T> {
    /// Nothing set, nothing cleared.
    pub fn new() -> Self {
        Patch::default()
    }

    /// Writes `fields` as the struct writes them (the fields that are set).
    pub fn set(fields: T) -> Self {
        Patch::from(fields)
    }

    /// Clears the field `name` (its name in the fragment, `affected_users`,
    /// or its wire name, `tnt__affected_users`): it is sent as `null`.
    /// A name the struct does not declare is [`Problem::NoSuchField`], a
    /// required field [`Problem::CannotClearRequired`], each naming it.
    pub fn clear(mut self, name: &str) -> Result<Self, CustomFieldsError> {
        let Some(spec) = T::FIELDS.iter().find(|f| f.name == name || f.wire == name) else {
            return Err(CustomFieldsError::new(name, Problem::NoSuchField));
        };
        if spec.required {
            return Err(CustomFieldsError::new(spec.wire, Problem::CannotClearRequired));
        }
        if !self.clear.iter().any(|c| c.wire == spec.wire) {
            self.clear.push(spec);
        }
        Ok(self)
    }

    /// The fields set, if any.
    pub fn fields(&self) -> Option<&T> {
        self.set.as_ref()
    }

    /// The wire names of the fields cleared.
    pub fn cleared(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.clear.iter().map(|f| f.wire)
    }
}

impl<T: CustomFields> CustomFields for Patch<T> {
    const LEAF_TYPE: &'static str = T::LEAF_TYPE;
    const SUBTYPE: Option<&'static str> = T::SUBTYPE;
    const FIELDS: &'static [FieldSpec] = T::FIELDS;

    /// Decodes the struct's fields: a patch that sets them, clears none.
    fn from_custom_fields(map: &Map<String, Value>) -> Result<Self, CustomFieldsError> {
        T::from_custom_fields(map).map(Patch::from)
    }

    /// The fields set, then `null` for each field cleared.
    fn write_custom_fields(&self, map: &mut Map<String, Value>) {
        if let Some(fields) = &self.set {
            fields.write_custom_fields(map);
        }
        for spec in &self.clear {
            map.insert(spec.wire.to_owned(), Value::Null);
        }
    }
}

/// A field definition of a fragment, as `schemas.custom.set` takes it and
/// `schemas.custom.get` answers it (the parts this crate models).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDefinition {
    /// The field's name, without prefix.
    pub name: String,
    /// `field_type`: `text`, `int`, ..., or `array`.
    pub field_type: String,
    /// For an `array`, the type of its items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    /// For an `enum` (or a list of one), the allowed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_values: Option<Vec<String>>,
    /// `is_required`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_required: bool,
    /// `is_filterable`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_filterable: bool,
}

impl FieldDefinition {
    fn of(spec: &FieldSpec) -> Self {
        let (field_type, base_type) = if spec.array {
            ("array".to_owned(), Some(spec.field_type.as_str().to_owned()))
        } else {
            (spec.field_type.as_str().to_owned(), None)
        };
        FieldDefinition {
            name: spec.name.to_owned(),
            field_type,
            base_type,
            allowed_values: (spec.field_type == FieldType::Enum)
                .then(|| spec.allowed_values.iter().map(|v| (*v).to_owned()).collect()),
            is_required: spec.required,
            is_filterable: spec.filterable,
        }
    }
}

/// The `schemas.custom.set` request that declares a [`CustomFields`]
/// struct's fields; send it like any request (`fragment.send(&client)`).
///
/// DevRev refuses a new version that drops a field without naming it in
/// `deleted_fields`: name them with [`Fragment::deleted_fields`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fragment {
    /// `tenant_fragment` or `custom_type_fragment`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The leaf type (`ticket`, ...).
    pub leaf_type: &'static str,
    /// A description of the fragment (required by DevRev).
    pub description: String,
    /// For a custom type fragment, the subtype.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype: Option<&'static str>,
    /// For a custom type fragment, the subtype's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype_display_name: Option<String>,
    /// The field definitions.
    pub fields: Vec<FieldDefinition>,
    /// Fields of the previous version this one drops.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deleted_fields: Vec<String>,
}

impl Fragment {
    /// The fragment of `T`, with a default description.
    pub fn of<T: CustomFields>() -> Self {
        let description = match T::SUBTYPE {
            Some(subtype) => format!("The fields of the `{subtype}` subtype of `{}`.", T::LEAF_TYPE),
            None => format!("The tenant fields of `{}`.", T::LEAF_TYPE),
        };
        Fragment {
            kind: if T::SUBTYPE.is_some() { "custom_type_fragment" } else { "tenant_fragment" },
            leaf_type: T::LEAF_TYPE,
            description,
            subtype: T::SUBTYPE,
            subtype_display_name: T::SUBTYPE.map(str::to_owned),
            fields: T::FIELDS.iter().map(FieldDefinition::of).collect(),
            deleted_fields: Vec::new(),
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Names the fields the previous version had and this one drops.
    #[must_use]
    pub fn deleted_fields(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.deleted_fields = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the subtype's display name (a custom type fragment's).
    #[must_use]
    pub fn subtype_display_name(mut self, name: impl Into<String>) -> Self {
        if self.subtype.is_some() {
            self.subtype_display_name = Some(name.into());
        }
        self
    }

    /// The request as JSON.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Sends it: `POST /schemas.custom.set`, answered with the new
    /// fragment's ID.
    pub async fn send(&self, client: &crate::client::Client) -> crate::error::Result<FragmentId> {
        crate::transport::send(client, self).await
    }
}

impl Endpoint for Fragment {
    type Response = FragmentId;
    type Error = DevRevError;
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/schemas.custom.set";
    const IDEMPOTENT: bool = false;
}

/// The answer of `schemas.custom.set`: the new fragment version's ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FragmentId {
    /// The fragment's DON.
    pub id: String,
}

/// `POST /schemas.custom.get`: a fragment by ID, answered with the parts a
/// [`CustomFields::diff`] compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetFragment {
    /// The fragment's DON.
    pub id: String,
}

impl GetFragment {
    /// The fragment `id`.
    pub fn new(id: impl Into<String>) -> Self {
        GetFragment { id: id.into() }
    }

    /// Sends it.
    pub async fn send(&self, client: &crate::client::Client) -> crate::error::Result<GetFragmentResponse> {
        crate::transport::send(client, self).await
    }
}

impl Endpoint for GetFragment {
    type Response = GetFragmentResponse;
    type Error = DevRevError;
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/schemas.custom.get";
    const IDEMPOTENT: bool = true;
}

/// The answer of `schemas.custom.get`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GetFragmentResponse {
    /// The fragment.
    pub fragment: LiveFragment,
}

/// A fragment as DevRev holds it (the parts [`CustomFields::diff`] compares;
/// other keys are ignored).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct LiveFragment {
    /// `tenant_fragment`, `custom_type_fragment` or `app_fragment`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The leaf type.
    #[serde(default)]
    pub leaf_type: Option<String>,
    /// For a custom type fragment, its subtype.
    #[serde(default)]
    pub subtype: Option<String>,
    /// The field definitions.
    #[serde(default)]
    pub fields: Vec<FieldDefinition>,
}

/// One difference between a struct's fields and a live fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldDiff {
    /// The struct has the field; the live fragment does not.
    Missing {
        /// The field's name.
        name: String,
    },
    /// The live fragment has a field the struct does not.
    Extra {
        /// The field's name.
        name: String,
    },
    /// Both have it, with another type (`array of text` vs `text`, ...).
    Type {
        /// The field's name.
        name: String,
        /// The struct's.
        expected: String,
        /// The live fragment's.
        live: String,
    },
    /// Both have it; `is_required` differs.
    Required {
        /// The field's name.
        name: String,
        /// The struct's.
        expected: bool,
    },
    /// Both have it as an enum, with other allowed values.
    AllowedValues {
        /// The field's name.
        name: String,
        /// The struct's.
        expected: Vec<String>,
        /// The live fragment's.
        live: Vec<String>,
    },
}

impl fmt::Display for FieldDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldDiff::Missing { name } => write!(f, "`{name}`: declared in Rust, absent from the live fragment"),
            FieldDiff::Extra { name } => write!(f, "`{name}`: in the live fragment, not declared in Rust"),
            FieldDiff::Type { name, expected, live } => write!(f, "`{name}`: {expected} in Rust, {live} live"),
            FieldDiff::Required { name, expected } => {
                let (rust, live) = if *expected { ("required", "optional") } else { ("optional", "required") };
                write!(f, "`{name}`: {rust} in Rust, {live} live")
            }
            FieldDiff::AllowedValues { name, expected, live } => {
                write!(f, "`{name}`: allowed values {expected:?} in Rust, {live:?} live")
            }
        }
    }
}

fn type_text(field_type: &str, base_type: Option<&str>) -> String {
    match (field_type, base_type) {
        ("array", Some(base)) => format!("array of {base}"),
        (t, _) => t.to_owned(),
    }
}

fn diff_fields(specs: &[FieldSpec], live: &LiveFragment) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    for spec in specs {
        let want = FieldDefinition::of(spec);
        let Some(have) = live.fields.iter().find(|f| f.name == spec.name) else {
            out.push(FieldDiff::Missing { name: spec.name.to_owned() });
            continue;
        };
        let (expected, got) = (
            type_text(&want.field_type, want.base_type.as_deref()),
            type_text(&have.field_type, have.base_type.as_deref()),
        );
        if expected != got {
            out.push(FieldDiff::Type { name: spec.name.to_owned(), expected, live: got });
            continue;
        }
        if want.is_required != have.is_required {
            out.push(FieldDiff::Required { name: spec.name.to_owned(), expected: want.is_required });
        }
        if let Some(expected) = want.allowed_values {
            let live = have.allowed_values.clone().unwrap_or_default();
            if expected != live {
                out.push(FieldDiff::AllowedValues { name: spec.name.to_owned(), expected, live });
            }
        }
    }
    for have in &live.fields {
        if !specs.iter().any(|s| s.name == have.name) {
            out.push(FieldDiff::Extra { name: have.name.clone() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_read_and_write() {
        assert_eq!(<i64 as CustomValue>::from_json(&json!(3)), Ok(3));
        assert_eq!(
            <i64 as CustomValue>::from_json(&json!("3")),
            Err(Problem::WrongType { expected: "int".into(), found: "string".into() })
        );
        assert_eq!(
            <Vec<String> as CustomValue>::from_json(&json!(["a", 1])),
            Err(Problem::WrongType { expected: "text".into(), found: "integer".into() })
        );
        let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(CustomScalar::to_json(&date), json!("2026-01-31"));
        assert!(matches!(
            <chrono::NaiveDate as CustomValue>::from_json(&json!("31/01/2026")),
            Err(Problem::WrongType { .. })
        ));
        let stamp = <chrono::DateTime<chrono::Utc> as CustomValue>::from_json(&json!("2026-01-31T10:00:00+01:00"));
        assert_eq!(stamp.map(|s| CustomScalar::to_json(&s)), Ok(json!("2026-01-31T09:00:00Z")));
        assert_eq!(CustomScalar::to_json(&f64::NAN), Value::Null);
    }

    #[test]
    fn enum_index_names_the_allowed_values() {
        const ALLOWED: &[&str] = &["low", "high"];
        assert_eq!(enum_index(&json!("high"), ALLOWED), Ok(1));
        let err = CustomFieldsError::new("tnt__severity", enum_index(&json!("urgent"), ALLOWED).unwrap_err());
        assert_eq!(
            err.to_string(),
            "custom field `tnt__severity`: `urgent` is not one of the allowed values (`low`, `high`)"
        );
    }

    #[test]
    fn diff_lists_every_kind_of_difference() {
        const SPECS: &[FieldSpec] = &[
            FieldSpec {
                name: "a",
                wire: "tnt__a",
                field_type: FieldType::Text,
                array: false,
                required: true,
                filterable: false,
                allowed_values: &[],
            },
            FieldSpec {
                name: "b",
                wire: "tnt__b",
                field_type: FieldType::Enum,
                array: false,
                required: false,
                filterable: false,
                allowed_values: &["x", "y"],
            },
            FieldSpec {
                name: "c",
                wire: "tnt__c",
                field_type: FieldType::Int,
                array: true,
                required: false,
                filterable: false,
                allowed_values: &[],
            },
            FieldSpec {
                name: "d",
                wire: "tnt__d",
                field_type: FieldType::Bool,
                array: false,
                required: false,
                filterable: false,
                allowed_values: &[],
            },
        ];
        let live: LiveFragment = serde_json::from_value(json!({
            "type": "tenant_fragment",
            "fields": [
                {"name": "a", "field_type": "text"},
                {"name": "b", "field_type": "enum", "allowed_values": ["x"]},
                {"name": "c", "field_type": "int"},
                {"name": "e", "field_type": "bool", "ui": {"display_name": "E"}}
            ]
        }))
        .unwrap();
        assert_eq!(
            diff_fields(SPECS, &live),
            vec![
                FieldDiff::Required { name: "a".into(), expected: true },
                FieldDiff::AllowedValues {
                    name: "b".into(),
                    expected: vec!["x".into(), "y".into()],
                    live: vec!["x".into()]
                },
                FieldDiff::Type { name: "c".into(), expected: "array of int".into(), live: "int".into() },
                FieldDiff::Missing { name: "d".into() },
                FieldDiff::Extra { name: "e".into() },
            ]
        );
    }
}
