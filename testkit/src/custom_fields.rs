//! Custom fields as DevRev enforces them: the schema fragments
//! `schemas.custom.set` declares, and the check of an object's
//! `custom_fields` against the fragments that apply. The engine's store
//! ([`crate::store::State`]) holds the [`Fragments`]; the engine
//! ([`crate::generic`]) calls the hooks here, after the token, the rate
//! limit and the spec's check of the request, like every other rule, for
//! every family: its own creates, updates and lists call them, and so do
//! the family hooks that serve a verb themselves (accounts and rev orgs,
//! [`crate::families::accounts`]); `schemas.custom.*` and the upgrade of
//! every answer are [`crate::generic::handle`]'s.
//!
//! - [`Fragments`] stores fragments per (fragment type, leaf type, subtype):
//!   each `set` is a new version with a new ID, chained to the one it
//!   replaces (`old_fragment_ref`); a version that drops a field must name it
//!   in `deleted_fields` (else 400 `customization_validation_error`,
//!   subtype `field_dropped`); `deprecated: true` retires the fragment.
//!   [`schemas`] serves `schemas.custom.set`, `.get` and `.list` from them
//!   (the list paged with the engine's cursors, [`crate::pagination`]).
//! - [`check`] is the pure rule: tenant fields (`tnt__<name>`) must be in the
//!   leaf type's tenant fragment, subtype fields (`ctype__<name>`) in the
//!   named subtype's fragment, each value must fit its field's type (an enum
//!   value one of the allowed ones), and on create every required field must
//!   be there. `null` clears a field (an update's way to empty it); a
//!   required field cannot be cleared. Each failure is DevRev's 400
//!   `customization_validation_error` with `subtype` (`field_not_in_schema`,
//!   `wrong_type`, `enum_out_of_range`, `field_required`, `date_parse_error`,
//!   `timestamp_parse_error`, `id_parse_error`, `fragment_not_found`) and the
//!   field's wire name in `field_name`. Until a fragment is declared for a
//!   leaf type, its `custom_fields` are free-form.
//! - [`Fragments::write`] is the hook of a create or update: the check, then
//!   the object's custom fields after the write ([`merge`]: the keys sent
//!   replace the stored ones, `null` removes one); [`Fragments::apply`] puts
//!   them on the stored object and remembers its leaf type and subtype, so
//!   reads ([`Fragments::upgrade_answer`]) answer them upgraded to the latest
//!   fragments (a field deleted since is left out).
//! - [`Filter`] is a list's filter on custom fields, in both of DevRev's
//!   forms: `custom_fields` (`{"tnt__tier": ["gold"]}`, or
//!   `custom_fields.tnt__tier=gold` in a query string) and `custom_field_filter`
//!   (`["tnt__tier:gold,silver"]`, or one `custom_field_filter=` parameter per
//!   field). A field no fragment of the listed leaf types declares is a 400
//!   `field_not_in_schema`, and so is one whose definitions all leave out
//!   `is_filterable: true` (400 `invalid_field`, DevRev filters on filterable
//!   fields only) ([`Filter::check`]); the engine applies it with its other
//!   filters, before paging ([`crate::filters`]).

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::error::{json_kind, ApiError};
use crate::family::Family;
use crate::input::Input;
use crate::pagination::Paging;
use crate::store::Row;

/// The wire prefix of tenant fields.
const TENANT: &str = "tnt__";
/// The wire prefix of subtype fields.
const SUBTYPE: &str = "ctype__";

/// One field definition of a fragment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldDef {
    pub(crate) name: String,
    pub(crate) field_type: String,
    pub(crate) base_type: Option<String>,
    pub(crate) allowed_values: Vec<String>,
    pub(crate) required: bool,
    /// `is_filterable: true`: lists may filter on the field. The spec gives
    /// no default, so a field that does not say so is not filterable.
    pub(crate) filterable: bool,
}

/// One version of a fragment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fragment {
    pub(crate) id: String,
    /// `tenant_fragment`, `custom_type_fragment` or `app_fragment`.
    pub(crate) kind: String,
    pub(crate) leaf_type: String,
    pub(crate) subtype: Option<String>,
    pub(crate) fields: Vec<FieldDef>,
    pub(crate) deprecated: bool,
    /// The request as sent, answered back by `schemas.custom.get`.
    pub(crate) body: Map<String, Value>,
    pub(crate) old: Option<String>,
}

/// The fragments `schemas.custom.set` declared, every version kept.
#[derive(Debug, Default)]
pub(crate) struct Fragments {
    versions: Vec<Fragment>,
    /// (kind, leaf type, subtype) -> index of the latest version.
    latest: HashMap<(String, String, Option<String>), usize>,
    /// The leaf type and subtype of each object written with custom fields,
    /// by ID and display ID: what a read upgrades its fields with.
    objects: HashMap<String, (String, Option<String>)>,
    /// How many fragment versions were stored (for their IDs).
    count: u64,
}

fn customization(subtype: &str, field: &str, reason: impl Into<String>) -> ApiError {
    let reason = reason.into();
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({
            "type": "customization_validation_error",
            "message": format!("custom field `{field}`: {reason}"),
            "detail": reason,
            "subtype": subtype,
            "field_name": field,
            "reason": reason,
        }),
        retry_after: None,
    }
}

/// 400 `invalid_field`: a list filters on a declared custom field whose
/// definition is not `is_filterable: true`.
fn not_filterable(field: &str) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({
            "type": "invalid_field",
            "message": format!("custom field `{field}` is not filterable"),
            "detail": "lists filter only on custom fields declared with `is_filterable: true` in their fragment",
            "field_name": field,
        }),
        retry_after: None,
    }
}

fn bad_request(message: String) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({"type": "bad_request", "message": message, "detail": message}),
        retry_after: None,
    }
}

fn parse_field(value: &Value) -> Result<FieldDef, ApiError> {
    let name = value.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.is_empty() {
        return Err(bad_request("every field of a fragment needs a `name`".into()));
    }
    let Some(field_type) = value.get("field_type").and_then(Value::as_str) else {
        return Err(customization("invalid_argument", name, "a field needs a `field_type`"));
    };
    let base_type = value.get("base_type").and_then(Value::as_str).map(str::to_owned);
    if field_type == "array" && base_type.is_none() {
        return Err(customization("invalid_argument", name, "an `array` field needs a `base_type`"));
    }
    let allowed_values: Vec<String> = value
        .get("allowed_values")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let is_enum = field_type == "enum" || (field_type == "array" && base_type.as_deref() == Some("enum"));
    if is_enum && allowed_values.is_empty() {
        return Err(customization("invalid_argument", name, "an `enum` field needs `allowed_values`"));
    }
    Ok(FieldDef {
        name: name.to_owned(),
        field_type: field_type.to_owned(),
        base_type,
        allowed_values,
        required: value.get("is_required").and_then(Value::as_bool).unwrap_or(false),
        filterable: value.get("is_filterable").and_then(Value::as_bool).unwrap_or(false),
    })
}

impl Fragments {
    /// Stores a new version of the fragment `body` (a `schemas.custom.set`
    /// request) declares, under the ID `id`.
    pub(crate) fn set(&mut self, id: &str, body: &Value) -> Result<(), ApiError> {
        let Some(map) = body.as_object() else { return Err(bad_request("the body must be an object".into())) };
        let kind = map.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
        let leaf_type = map.get("leaf_type").and_then(Value::as_str).unwrap_or_default().to_owned();
        if leaf_type.is_empty() {
            return Err(bad_request("`leaf_type` is required".into()));
        }
        let subtype = match kind.as_str() {
            "custom_type_fragment" => match map.get("subtype").and_then(Value::as_str) {
                Some(s) if !s.is_empty() => Some(s.to_owned()),
                _ => return Err(bad_request("a `custom_type_fragment` needs its `subtype`".into())),
            },
            "app_fragment" => map.get("app").and_then(Value::as_str).map(str::to_owned),
            "tenant_fragment" => None,
            other => return Err(bad_request(format!("unknown fragment type `{other}`"))),
        };
        let mut fields = Vec::new();
        for value in map.get("fields").and_then(Value::as_array).into_iter().flatten() {
            let field = parse_field(value)?;
            if fields.iter().any(|f: &FieldDef| f.name == field.name) {
                return Err(customization("invalid_argument", &field.name, "declared twice"));
            }
            fields.push(field);
        }
        let deleted: Vec<&str> = map
            .get("deleted_fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let key = (kind.clone(), leaf_type.clone(), subtype.clone());
        let old = self.latest.get(&key).map(|&i| &self.versions[i]);
        if let Some(old) = old {
            for dropped in old.fields.iter().filter(|f| !fields.iter().any(|n| n.name == f.name)) {
                if !deleted.contains(&dropped.name.as_str()) {
                    return Err(customization(
                        "field_dropped",
                        &dropped.name,
                        "the new version drops this field without naming it in `deleted_fields`",
                    ));
                }
            }
        }
        let old = old.map(|o| o.id.clone());
        self.versions.push(Fragment {
            id: id.to_owned(),
            kind,
            leaf_type,
            subtype,
            fields,
            deprecated: map.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
            body: map.clone(),
            old,
        });
        self.latest.insert(key, self.versions.len() - 1);
        Ok(())
    }

    /// The fragment `id` as `schemas.custom.get` answers it.
    pub(crate) fn get(&self, id: &str) -> Option<Value> {
        let index = self.versions.iter().position(|f| f.id == id)?;
        let f = &self.versions[index];
        let mut out = f.body.clone();
        out.remove("deleted_fields");
        out.insert("id".into(), json!(f.id));
        if let Some(old) = &f.old {
            out.insert("old_fragment_ref".into(), json!({"id": old}));
        }
        let newer = self.versions[index + 1..]
            .iter()
            .find(|n| (&n.kind, &n.leaf_type, &n.subtype) == (&f.kind, &f.leaf_type, &f.subtype));
        if let Some(newer) = newer {
            out.insert("new_fragment_ref".into(), json!({"id": newer.id}));
        }
        Some(Value::Object(out))
    }

    /// The latest live fragment of a kind for a leaf type (and subtype).
    fn live(&self, kind: &str, leaf: &str, subtype: Option<&str>) -> Option<&Fragment> {
        let key = (kind.to_owned(), leaf.to_owned(), subtype.map(str::to_owned));
        self.latest.get(&key).map(|&i| &self.versions[i]).filter(|f| !f.deprecated)
    }

    /// Whether any fragment was ever declared for `leaf`: until one is, the
    /// leaf type's `custom_fields` are free-form, as the server took them
    /// before it knew fragments (tests that never declare one keep working).
    fn has_schema(&self, leaf: &str) -> bool {
        self.latest.keys().any(|(_, l, _)| l == leaf)
    }

    /// Checks `custom_fields` of an object of `leaf` (with `subtype`)
    /// against the fragments that apply.
    pub(crate) fn check(
        &self,
        leaf: &str,
        subtype: Option<&str>,
        fields: &Map<String, Value>,
        creating: bool,
    ) -> Result<(), ApiError> {
        if !self.has_schema(leaf) && subtype.is_none() {
            return Ok(());
        }
        let tenant = self.live("tenant_fragment", leaf, None);
        let custom_type = match subtype {
            Some(s) => Some(self.live("custom_type_fragment", leaf, Some(s)).ok_or_else(|| {
                customization("fragment_not_found", "subtype", format!("`{leaf}` has no subtype `{s}`"))
            })?),
            None => None,
        };
        check(tenant, custom_type, fields, creating)
    }
}

/// The pure rule: `fields` (an object's `custom_fields`) against the tenant
/// fragment and the custom type fragment that apply. `creating`: every
/// required field must be there (an update sends only what it changes).
pub(crate) fn check(
    tenant: Option<&Fragment>,
    custom_type: Option<&Fragment>,
    fields: &Map<String, Value>,
    creating: bool,
) -> Result<(), ApiError> {
    for (wire, value) in fields {
        let (fragment, name) = if let Some(name) = wire.strip_prefix(TENANT) {
            (tenant, name)
        } else if let Some(name) = wire.strip_prefix(SUBTYPE) {
            (custom_type, name)
        } else {
            (None, wire.as_str())
        };
        let Some(def) = fragment.and_then(|f| f.fields.iter().find(|d| d.name == name)) else {
            return Err(customization("field_not_in_schema", wire, "no fragment of the object declares this field"));
        };
        if value.is_null() {
            // `null` clears the field; a required one cannot be cleared.
            if def.required {
                return Err(customization("field_required", wire, "required: it cannot be cleared"));
            }
            continue;
        }
        check_value(wire, def, value)?;
    }
    if creating {
        for (prefix, fragment) in [(TENANT, tenant), (SUBTYPE, custom_type)] {
            for def in fragment.into_iter().flat_map(|f| &f.fields).filter(|d| d.required) {
                let wire = format!("{prefix}{}", def.name);
                if !fields.contains_key(&wire) {
                    return Err(customization("field_required", &wire, "required"));
                }
            }
        }
    }
    Ok(())
}

fn check_value(wire: &str, def: &FieldDef, value: &Value) -> Result<(), ApiError> {
    if def.field_type == "array" {
        let Some(items) = value.as_array() else {
            return Err(customization("wrong_type", wire, format!("expected an array, found {}", json_kind(value))));
        };
        let base = def.base_type.as_deref().unwrap_or_default();
        return items.iter().try_for_each(|item| check_scalar(wire, base, &def.allowed_values, item));
    }
    check_scalar(wire, &def.field_type, &def.allowed_values, value)
}

fn check_scalar(wire: &str, field_type: &str, allowed: &[String], value: &Value) -> Result<(), ApiError> {
    let wrong =
        |expected: &str| customization("wrong_type", wire, format!("expected {expected}, found {}", json_kind(value)));
    match field_type {
        "text" | "rich_text" | "tokens" => value.as_str().map(drop).ok_or_else(|| wrong("text")),
        "int" => value.as_i64().map(drop).ok_or_else(|| wrong("int")),
        "double" => value.as_f64().map(drop).ok_or_else(|| wrong("double")),
        "bool" => value.as_bool().map(drop).ok_or_else(|| wrong("bool")),
        "enum" => {
            let text = value.as_str().ok_or_else(|| wrong("enum"))?;
            if allowed.iter().any(|a| a == text) {
                Ok(())
            } else {
                Err(customization(
                    "enum_out_of_range",
                    wire,
                    format!("`{text}` is not one of the allowed values: {}", allowed.join(", ")),
                ))
            }
        }
        "date" => {
            let text = value.as_str().ok_or_else(|| wrong("date"))?;
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(drop)
                .map_err(|_| customization("date_parse_error", wire, format!("`{text}` is not a date (YYYY-MM-DD)")))
        }
        "timestamp" => {
            let text = value.as_str().ok_or_else(|| wrong("timestamp"))?;
            chrono::DateTime::parse_from_rfc3339(text).map(drop).map_err(|_| {
                customization("timestamp_parse_error", wire, format!("`{text}` is not an RFC 3339 timestamp"))
            })
        }
        "id" => {
            let text = value.as_str().ok_or_else(|| wrong("id"))?;
            if text.starts_with("don:") {
                Ok(())
            } else {
                Err(customization("id_parse_error", wire, format!("`{text}` is not a DON")))
            }
        }
        // `uenum`, `struct`, `composite`, `json_value`: not checked.
        _ => Ok(()),
    }
}

/// The custom fields a create or update writes: the object's leaf type and
/// subtype, and its `custom_fields` after the write (`None`: the request
/// sent none, the object keeps what it has).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Write {
    leaf: String,
    subtype: Option<String>,
    fields: Option<Map<String, Value>>,
}

/// `old` (an object's custom fields) with `sent` merged in: each key sent
/// replaces the stored one, and `null` removes it. Creates and updates of
/// every family write their custom fields through it.
pub(crate) fn merge(old: Option<&Map<String, Value>>, sent: &Map<String, Value>) -> Map<String, Value> {
    let mut out = old.cloned().unwrap_or_default();
    for (key, value) in sent {
        if value.is_null() {
            out.remove(key);
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

impl Fragments {
    /// The hook of a create (`old` is `None`) or an update of an object of
    /// `leaf` (its ID `id`, for the subtype it was written with): checks the
    /// `custom_fields` of `input` against the fragments that apply, and
    /// answers what the object holds after the write.
    pub(crate) fn write(
        &self,
        leaf: &str,
        id: Option<&str>,
        old: Option<&Map<String, Value>>,
        input: &Value,
    ) -> Result<Write, ApiError> {
        let creating = id.is_none();
        let spec = input.get("custom_schema_spec");
        let named = spec.and_then(|s| s.get("subtype")).and_then(Value::as_str).filter(|s| !s.is_empty());
        let known = id.and_then(|id| self.objects.get(id)).and_then(|(_, s)| s.clone());
        let subtype = named.map(str::to_owned).or(known);
        let required = spec.and_then(|s| s.get("validate_required_fields")).and_then(Value::as_bool) != Some(false);
        let sent = input.get("custom_fields").and_then(Value::as_object);
        let empty = Map::new();
        self.check(leaf, subtype.as_deref(), sent.unwrap_or(&empty), creating && required)?;
        Ok(Write { leaf: leaf.to_owned(), subtype, fields: sent.map(|sent| merge(old, sent)) })
    }

    /// Puts what [`Fragments::write`] answered on `object` (a create or
    /// update answer's object, before it is stored), and remembers the
    /// object's leaf type and subtype by its IDs.
    pub(crate) fn apply(&mut self, object: Option<&mut Value>, write: Write) {
        let Some(Value::Object(object)) = object else { return };
        if let Some(fields) = write.fields {
            object.insert("custom_fields".into(), Value::Object(fields));
        }
        if object.contains_key("custom_fields") || write.subtype.is_some() {
            for key in ["id", "display_id"] {
                if let Some(id) = object.get(key).and_then(Value::as_str) {
                    self.objects.insert(id.to_owned(), (write.leaf.clone(), write.subtype.clone()));
                }
            }
        }
    }

    /// `fields` of an object of `leaf` (with `subtype`) as a read answers
    /// them: without the fields the latest fragments no longer declare
    /// (reads upgrade objects to the latest versions).
    fn upgraded(&self, leaf: &str, subtype: Option<&str>, fields: &mut Map<String, Value>) {
        if !self.has_schema(leaf) {
            return;
        }
        let tenant = self.live("tenant_fragment", leaf, None);
        let custom_type = subtype.and_then(|s| self.live("custom_type_fragment", leaf, Some(s)));
        fields.retain(|wire, _| {
            let (fragment, name) = match (wire.strip_prefix(TENANT), wire.strip_prefix(SUBTYPE)) {
                (Some(name), _) => (tenant, name),
                (_, Some(name)) => (custom_type, name),
                _ => (None, wire.as_str()),
            };
            fragment.is_some_and(|f| f.fields.iter().any(|d| d.name == name))
        });
    }

    /// The hook of every answer: the objects it holds (`{"work": ...}`,
    /// `{"works": [...]}`) with their custom fields upgraded.
    pub(crate) fn upgrade_answer(&self, answer: &mut Value) {
        if self.objects.is_empty() {
            return;
        }
        let Value::Object(answer) = answer else { return };
        for value in answer.values_mut() {
            match value {
                Value::Array(items) => items.iter_mut().for_each(|item| self.upgrade_object(item)),
                object => self.upgrade_object(object),
            }
        }
    }

    fn upgrade_object(&self, object: &mut Value) {
        let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
        let Some((leaf, subtype)) = self.objects.get(id) else { return };
        if let Some(Value::Object(fields)) = object.get_mut("custom_fields") {
            self.upgraded(leaf, subtype.as_deref(), fields);
        }
    }
}

/// The leaf type of a family's object (`ticket`, `product`, `account`):
/// its variant where the family has several, else the family's object.
pub(crate) fn leaf_of(family: &Family, object_or_input: &Value) -> String {
    let tag = object_or_input.get("type").and_then(Value::as_str);
    match tag {
        Some(tag) if family.variants.contains(tag) => tag.to_owned(),
        _ => family.key.clone().unwrap_or_default(),
    }
}

/// The engine's hook before a create: [`Fragments::write`] for `input`.
pub(crate) fn before_create(fragments: &Fragments, family: &Family, input: &Value) -> Result<Write, ApiError> {
    fragments.write(&leaf_of(family, input), None, None, input)
}

/// The engine's hook before an update of `old`: [`Fragments::write`] for `input`.
pub(crate) fn before_update(
    fragments: &Fragments,
    family: &Family,
    old: &Value,
    input: &Value,
) -> Result<Write, ApiError> {
    let id = old.get("id").and_then(Value::as_str).unwrap_or_default();
    let fields = old.get("custom_fields").and_then(Value::as_object);
    fragments.write(&leaf_of(family, old), Some(id), fields, input)
}

/// `schemas.custom.set`, `.get` and `.list` (the operation at `path`) served from
/// the engine's fragments; `None` for any other operation.
pub(crate) fn schemas(fragments: &mut Fragments, path: &str, input: &Value) -> Option<Result<Value, ApiError>> {
    Some(match path {
        "/schemas.custom.set" => {
            let kind = input.get("type").and_then(Value::as_str).unwrap_or("tenant_fragment");
            let id = format!("don:core:dvrv-us-1:devo/1:{kind}/{}", fragments.count + 1);
            fragments.set(&id, input).map(|()| {
                fragments.count += 1;
                json!({ "id": id })
            })
        }
        "/schemas.custom.get" => {
            let id = input.get("id").and_then(Value::as_str).unwrap_or_default();
            fragments
                .get(id)
                .map(|fragment| json!({ "fragment": fragment }))
                .ok_or_else(|| ApiError::not_found("custom schema fragment", id))
        }
        "/schemas.custom.list" => fragments.list(input),
        _ => return None,
    })
}

impl Fragments {
    /// The latest version of every fragment, as `schemas.custom.list`
    /// answers them: without deprecated ones (unless asked), under the
    /// request's `app`, `is_custom_leaf_type`, `leaf_type`, `subtype` and
    /// `types` filters, paged as every list of the engine is
    /// ([`Paging`]: `limit`, `cursor`, `mode`, `sort_by`; `next_cursor` and
    /// `prev_cursor` only where a page follows or precedes), each without
    /// its `fields` when `prune` names them.
    fn list(&self, input: &Value) -> Result<Value, ApiError> {
        let paging = Paging::from_input_any_field(&Input::from_body(input.to_string().as_bytes())?, "schemas.custom")?;
        let wanted = |name: &str| -> Option<Vec<&str>> {
            input.get(name).and_then(Value::as_array).map(|v| v.iter().filter_map(Value::as_str).collect())
        };
        let (leaves, subtypes, types, apps) = (wanted("leaf_type"), wanted("subtype"), wanted("types"), wanted("app"));
        let prune_fields = wanted("prune").is_some_and(|p| p.contains(&"fields"));
        let deprecated = ["deprecated", "is_deprecated"].iter().any(|k| input.get(*k) == Some(&Value::Bool(true)));
        let custom_leaf = input.get("is_custom_leaf_type").and_then(Value::as_bool);
        let is_custom_leaf = |f: &Fragment| f.body.get("is_custom_leaf_type").and_then(Value::as_bool).unwrap_or(false);
        let mut latest: Vec<usize> = self.latest.values().copied().collect();
        latest.sort_unstable();
        let answered: Vec<(u64, Value)> = latest
            .into_iter()
            .map(|i| (i, &self.versions[i]))
            .filter(|(_, f)| f.deprecated == deprecated)
            .filter(|(_, f)| leaves.as_ref().is_none_or(|l| l.contains(&f.leaf_type.as_str())))
            .filter(|(_, f)| types.as_ref().is_none_or(|t| t.contains(&f.kind.as_str())))
            .filter(|(_, f)| {
                let named = |kind: &str, names: &[&str]| {
                    f.kind == kind && f.subtype.as_deref().is_some_and(|x| names.contains(&x))
                };
                subtypes.as_ref().is_none_or(|s| named("custom_type_fragment", s))
                    && apps.as_ref().is_none_or(|a| named("app_fragment", a))
            })
            .filter(|&(_, f)| custom_leaf.is_none_or(|c| is_custom_leaf(f) == c))
            .filter_map(|(i, f)| Some((i as u64, self.get(&f.id)?)))
            .collect();
        let rows: Vec<Row<'_>> = answered.iter().map(|(seq, object)| Row { seq: *seq, object }).collect();
        let (page, next, prev) = paging.page(rows.iter().collect());
        let result: Vec<Value> = page
            .into_iter()
            .map(|row| {
                let mut fragment = row.object.clone();
                if let (true, Value::Object(map)) = (prune_fields, &mut fragment) {
                    map.remove("fields");
                }
                fragment
            })
            .collect();
        Ok(crate::pagination::list_answer("result", result, next, prev))
    }
}

/// A list's filter on custom fields: each wire name with the values one of
/// which the object's field must hold (any item, for a list field).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Filter {
    fields: Vec<(String, Vec<Value>)>,
}

impl Filter {
    /// `custom_fields` (an object of wire name to a value or a list of
    /// values) and `custom_field_filter` (strings `name:value,value`, a
    /// string without a name continuing the one before it, as a query
    /// string's comma-split parameter leaves it) of a list request, read as
    /// one filter.
    pub(crate) fn new(custom_fields: Option<&Map<String, Value>>, strings: &[String]) -> Result<Filter, ApiError> {
        let mut fields = Vec::new();
        for (wire, wanted) in custom_fields.into_iter().flatten() {
            let wanted = match wanted {
                Value::Array(values) => values.clone(),
                Value::Null => continue,
                single => vec![single.clone()],
            };
            if !wanted.is_empty() {
                fields.push((wire.clone(), wanted));
            }
        }
        let mut current: Option<(String, Vec<Value>)> = None;
        for item in strings {
            let named = item.split_once(':').filter(|(name, _)| is_field_name(name));
            let values = match named {
                Some((name, values)) => {
                    fields.extend(current.take());
                    current = Some((name.to_owned(), Vec::new()));
                    values
                }
                None => item.as_str(),
            };
            let Some((_, wanted)) = current.as_mut() else {
                return Err(ApiError::bad_request(
                    format!("`custom_field_filter` `{item}` names no field"),
                    "write each filter as `field_name:value1,value2`",
                ));
            };
            wanted.extend(values.split(',').filter(|v| !v.is_empty()).map(|v| Value::String(v.to_owned())));
        }
        fields.extend(current);
        Ok(Filter { fields })
    }

    /// One filter of the engine's list request (`custom_fields` or `custom_field_filter`).
    pub(crate) fn of(name: &str, filter: &Value) -> Result<Filter, ApiError> {
        match (name, filter) {
            ("custom_fields", Value::Object(map)) => Filter::new(Some(map), &[]),
            ("custom_field_filter", Value::Array(items)) => {
                let strings: Vec<String> =
                    items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect();
                Filter::new(None, &strings)
            }
            ("custom_field_filter", Value::String(one)) => Filter::new(None, std::slice::from_ref(one)),
            _ => Err(ApiError::bad_request(
                format!("`{name}` must be {}", if name == "custom_fields" { "an object" } else { "a list of strings" }),
                "filter on custom fields with `{\"tnt__name\": [values]}` or `[\"tnt__name:value\"]`",
            )),
        }
    }

    /// A field no live fragment of `leaves` declares is 400
    /// `customization_validation_error` naming it, and a field no live
    /// fragment declares `is_filterable: true` is 400 `invalid_field` naming
    /// it; while no fragment is declared for any of them, every field is
    /// free-form.
    pub(crate) fn check(&self, fragments: &Fragments, leaves: &[String]) -> Result<(), ApiError> {
        if !leaves.iter().any(|leaf| fragments.has_schema(leaf)) {
            return Ok(());
        }
        for (wire, _) in &self.fields {
            let (prefix, name) = match (wire.strip_prefix(TENANT), wire.strip_prefix(SUBTYPE)) {
                (Some(name), _) => ("tenant_fragment", name),
                (_, Some(name)) => ("custom_type_fragment", name),
                _ => ("", wire.as_str()),
            };
            let definitions: Vec<&FieldDef> = fragments
                .latest
                .values()
                .map(|&i| &fragments.versions[i])
                .filter(|f| !f.deprecated && f.kind == prefix && leaves.contains(&f.leaf_type))
                .flat_map(|f| f.fields.iter().filter(|d| d.name == name))
                .collect();
            if definitions.is_empty() {
                return Err(customization(
                    "field_not_in_schema",
                    wire,
                    "no fragment of the listed objects declares this field",
                ));
            }
            if !definitions.iter().any(|d| d.filterable) {
                return Err(not_filterable(wire));
            }
        }
        Ok(())
    }

    /// Whether an object's custom fields pass. A value from a query string
    /// is text, so a number or boolean matches its text too.
    pub(crate) fn matches(&self, fields: Option<&Map<String, Value>>) -> bool {
        self.fields.iter().all(|(wire, wanted)| {
            let hit = |have: &Value| {
                wanted.iter().any(|w| {
                    w == have
                        || match (have, w) {
                            (Value::Number(n), Value::String(text)) => n.to_string() == *text,
                            (Value::Bool(b), Value::String(text)) => b.to_string() == *text,
                            _ => false,
                        }
                })
            };
            match fields.and_then(|f| f.get(wire)) {
                Some(Value::Array(values)) => values.iter().any(hit),
                Some(value) => hit(value),
                None => false,
            }
        })
    }
}

/// Whether `name` reads as a custom field's name (`tnt__tier`, `ctype__x`,
/// `seats`), not as a value that holds a colon (a time).
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The leaf types a family's list holds: its variants, else its object.
pub(crate) fn leaves_of(family: &Family) -> Vec<String> {
    if family.variants.is_empty() {
        family.key.iter().cloned().collect()
    } else {
        family.variants.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(result: Result<(), ApiError>) -> (String, String, String) {
        let e = result.expect_err("an error");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let get = |k: &str| e.body[k].as_str().unwrap_or_default().to_owned();
        (get("type"), get("subtype"), get("field_name"))
    }

    fn store() -> Fragments {
        let mut f = Fragments::default();
        f.set(
            "don:core:dvrv-us-1:devo/1:custom_type_fragment/1",
            &json!({
                "type": "tenant_fragment", "leaf_type": "ticket", "description": "d",
                "fields": [
                    {"name": "impact", "field_type": "enum", "allowed_values": ["low", "high"], "is_required": true},
                    {"name": "users", "field_type": "int", "is_filterable": true},
                    {"name": "due", "field_type": "date"},
                    {"name": "regions", "field_type": "array", "base_type": "text"},
                ]
            }),
        )
        .unwrap();
        f.set(
            "don:core:dvrv-us-1:devo/1:custom_type_fragment/2",
            &json!({
                "type": "custom_type_fragment", "leaf_type": "ticket", "subtype": "outage", "description": "d",
                "fields": [{"name": "started", "field_type": "timestamp", "is_required": true, "is_filterable": true}]
            }),
        )
        .unwrap();
        f
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn valid_fields_pass_and_unknown_prefixes_fail() {
        let f = store();
        assert_eq!(f.check("ticket", None, &map(json!({"tnt__impact": "low", "tnt__users": 3})), true), Ok(()));
        assert_eq!(
            f.check(
                "ticket",
                Some("outage"),
                &map(json!({"tnt__impact": "high", "ctype__started": "2026-01-01T00:00:00Z"})),
                true
            ),
            Ok(())
        );
        let e = error_of(f.check("ticket", None, &map(json!({"tnt__impact": "low", "tnt__nope": 1})), true));
        assert_eq!(e, ("customization_validation_error".into(), "field_not_in_schema".into(), "tnt__nope".into()));
        // A subtype field without the subtype: no fragment declares it.
        let e = error_of(f.check("ticket", None, &map(json!({"tnt__impact": "low", "ctype__started": "x"})), true));
        assert_eq!(e.1, "field_not_in_schema");
        // Another leaf type with fragments of its own, but no tenant fragment.
        let mut f = f;
        let bug = json!({"type": "custom_type_fragment", "leaf_type": "issue", "subtype": "bug", "description": "d",
            "fields": [{"name": "build", "field_type": "text"}]});
        f.set("v3", &bug).unwrap();
        assert_eq!(
            error_of(f.check("issue", None, &map(json!({"tnt__impact": "low"})), false)).1,
            "field_not_in_schema"
        );
    }

    #[test]
    fn wrong_type_enum_and_required_name_the_field() {
        let f = store();
        let e = error_of(f.check("ticket", None, &map(json!({"tnt__impact": "low", "tnt__users": "3"})), true));
        assert_eq!((e.1.as_str(), e.2.as_str()), ("wrong_type", "tnt__users"));
        let e = error_of(f.check("ticket", None, &map(json!({"tnt__impact": "urgent"})), true));
        assert_eq!((e.1.as_str(), e.2.as_str()), ("enum_out_of_range", "tnt__impact"));
        let e = error_of(f.check("ticket", None, &map(json!({"tnt__users": 1})), true));
        assert_eq!((e.1.as_str(), e.2.as_str()), ("field_required", "tnt__impact"));
        // An update sends only what it changes.
        assert_eq!(f.check("ticket", None, &map(json!({"tnt__users": 1})), false), Ok(()));
        let e = error_of(f.check("ticket", None, &map(json!({"tnt__impact": "low", "tnt__due": "01/02/2026"})), true));
        assert_eq!((e.1.as_str(), e.2.as_str()), ("date_parse_error", "tnt__due"));
        let e = error_of(f.check("ticket", None, &map(json!({"tnt__impact": "low", "tnt__regions": ["eu", 1]})), true));
        assert_eq!((e.1.as_str(), e.2.as_str()), ("wrong_type", "tnt__regions"));
        let e = error_of(f.check("ticket", Some("outage"), &map(json!({"tnt__impact": "low"})), true));
        assert_eq!((e.1.as_str(), e.2.as_str()), ("field_required", "ctype__started"));
        let e = error_of(f.check("ticket", Some("nope"), &map(json!({})), true));
        assert_eq!(e.1, "fragment_not_found");
    }

    #[test]
    fn versions_must_name_dropped_fields_and_chain() {
        let mut f = store();
        let next = json!({"type": "tenant_fragment", "leaf_type": "ticket", "description": "d",
            "fields": [{"name": "users", "field_type": "int"}]});
        let e = error_of(f.set("v3", &next));
        assert_eq!((e.1.as_str(), e.2.as_str()), ("field_dropped", "impact"));
        let mut named = next.clone();
        named["deleted_fields"] = json!(["impact", "due", "regions"]);
        f.set("v3", &named).unwrap();
        // The new version applies: `impact` is gone, and no longer required.
        assert_eq!(f.check("ticket", None, &map(json!({"tnt__users": 1})), true), Ok(()));
        assert_eq!(
            error_of(f.check("ticket", None, &map(json!({"tnt__impact": "low"})), true)).1,
            "field_not_in_schema"
        );
        let old = f.get("don:core:dvrv-us-1:devo/1:custom_type_fragment/1").unwrap();
        assert_eq!(old["new_fragment_ref"]["id"], "v3");
        assert_eq!(f.get("v3").unwrap()["old_fragment_ref"]["id"], "don:core:dvrv-us-1:devo/1:custom_type_fragment/1");
        // Retired: no fragment applies.
        let mut retired = named;
        retired["deprecated"] = json!(true);
        f.set("v4", &retired).unwrap();
        assert_eq!(error_of(f.check("ticket", None, &map(json!({"tnt__users": 1})), true)).1, "field_not_in_schema");
    }

    #[test]
    fn malformed_fragments_are_refused() {
        let mut f = Fragments::default();
        let e = f.set("x", &json!({"type": "custom_type_fragment", "leaf_type": "issue", "description": "d"}));
        assert_eq!(error_of(e).0, "bad_request");
        let e = f.set(
            "x",
            &json!({"type": "tenant_fragment", "leaf_type": "issue", "description": "d",
            "fields": [{"name": "a", "field_type": "enum"}]}),
        );
        assert_eq!(error_of(e).1, "invalid_argument");
        let e = f.set(
            "x",
            &json!({"type": "tenant_fragment", "leaf_type": "issue", "description": "d",
            "fields": [{"name": "a", "field_type": "int"}, {"name": "a", "field_type": "text"}]}),
        );
        assert_eq!(error_of(e).2, "a");
    }

    #[test]
    fn a_leaf_type_without_fragments_is_free_form() {
        let f = store();
        assert_eq!(f.check("account", None, &map(json!({"seats": 12, "tnt__any": "x"})), true), Ok(()));
        assert_eq!(error_of(f.check("account", Some("vip"), &map(json!({})), true)).1, "fragment_not_found");
        let mut fields = map(json!({"seats": 12}));
        f.upgraded("account", None, &mut fields);
        assert_eq!(fields, map(json!({"seats": 12})));
    }

    #[test]
    fn merge_replaces_the_keys_sent_and_null_removes_one() {
        let old = map(json!({"tnt__a": 1, "tnt__b": "x", "tnt__c": true}));
        let merged = merge(Some(&old), &map(json!({"tnt__a": 2, "tnt__b": null, "tnt__d": [1]})));
        assert_eq!(merged, map(json!({"tnt__a": 2, "tnt__c": true, "tnt__d": [1]})));
        // On a create, `null` is no value.
        assert_eq!(merge(None, &map(json!({"tnt__a": null}))), Map::new());
    }

    #[test]
    fn an_update_clears_an_optional_field_but_not_a_required_one() {
        let f = store();
        let write = f
            .write(
                "ticket",
                Some("TKT-1"),
                Some(&map(json!({"tnt__impact": "low", "tnt__users": 3}))),
                &json!({"custom_fields": {"tnt__users": null}}),
            )
            .unwrap();
        assert_eq!(write.fields, Some(map(json!({"tnt__impact": "low"}))));
        let e = error_of(
            f.write("ticket", Some("TKT-1"), None, &json!({"custom_fields": {"tnt__impact": null}})).map(drop),
        );
        assert_eq!((e.1.as_str(), e.2.as_str()), ("field_required", "tnt__impact"));
        // An update without `custom_fields` leaves them as they are.
        assert_eq!(f.write("ticket", Some("TKT-1"), None, &json!({"title": "x"})).unwrap().fields, None);
    }

    #[test]
    fn filters_read_both_forms_and_regroup_split_query_values() {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let expected = Filter {
            fields: vec![
                ("tnt__tier".into(), vec![json!("gold"), json!("silver")]),
                ("tnt__seats".into(), vec![json!("40")]),
            ],
        };
        // As a client sends them (one string per field) and as a comma-split query leaves them.
        assert_eq!(Filter::new(None, &strings(&["tnt__tier:gold,silver", "tnt__seats:40"])), Ok(expected.clone()));
        assert_eq!(Filter::new(None, &strings(&["tnt__tier:gold", "silver", "tnt__seats:40"])), Ok(expected));
        // A value holding a colon (a time) continues its field.
        let at = Filter::new(None, &strings(&["tnt__at:2026-01-01T10:00:00Z"])).unwrap();
        assert_eq!(at.fields, vec![("tnt__at".to_owned(), vec![json!("2026-01-01T10:00:00Z")])]);
        assert_eq!(error_of(Filter::new(None, &strings(&["gold"])).map(drop)).0, "bad_request");

        let by_map = Filter::new(Some(&map(json!({"tnt__tier": ["gold"], "tnt__seats": 40}))), &[]).unwrap();
        assert!(by_map.matches(Some(&map(json!({"tnt__tier": "gold", "tnt__seats": 40})))));
        assert!(!by_map.matches(Some(&map(json!({"tnt__tier": "gold"})))));
        // Text from a query string matches a number or a boolean; any item of a list matches.
        let text = Filter::new(None, &strings(&["tnt__seats:40", "tnt__tags:b"])).unwrap();
        assert!(text.matches(Some(&map(json!({"tnt__seats": 40, "tnt__tags": ["a", "b"]})))));
        assert!(!text.matches(None));
    }

    #[test]
    fn a_filter_names_declared_fields_once_a_leaf_has_fragments() {
        let f = store();
        let leaves = ["ticket".to_owned(), "issue".to_owned()];
        let ok = Filter::new(Some(&map(json!({"tnt__users": [1], "ctype__started": ["x"]}))), &[]).unwrap();
        assert_eq!(ok.check(&f, &leaves), Ok(()));
        let typo = Filter::new(Some(&map(json!({"tnt__user": [1]}))), &[]).unwrap();
        let e = error_of(typo.check(&f, &leaves));
        assert_eq!((e.1.as_str(), e.2.as_str()), ("field_not_in_schema", "tnt__user"));
        // No fragment for accounts: free-form.
        assert_eq!(typo.check(&f, &["account".to_owned()]), Ok(()));
        // Declared, but not `is_filterable: true`: `invalid_field`, naming it.
        let unfilterable = Filter::new(None, &["tnt__due:2026-01-01".to_owned()]).unwrap();
        let e = error_of(unfilterable.check(&f, &leaves));
        assert_eq!((e.0.as_str(), e.2.as_str()), ("invalid_field", "tnt__due"));
        // A field some live fragment of the listed leaves declares filterable passes.
        let mut f = f;
        let issue = json!({"type": "tenant_fragment", "leaf_type": "issue", "description": "d",
            "fields": [{"name": "due", "field_type": "date", "is_filterable": true}]});
        f.set("v3", &issue).unwrap();
        assert_eq!(unfilterable.check(&f, &leaves), Ok(()));
        assert_eq!(error_of(unfilterable.check(&f, &["ticket".to_owned()])).0, "invalid_field");
    }

    #[test]
    fn schemas_set_get_and_list_from_the_fragments() {
        let mut f = Fragments::default();
        let body = json!({"type": "tenant_fragment", "leaf_type": "ticket", "description": "d",
            "fields": [{"name": "a", "field_type": "int"}]});
        let id = schemas(&mut f, "/schemas.custom.set", &body).unwrap().unwrap()["id"].as_str().unwrap().to_owned();
        assert_eq!(id, "don:core:dvrv-us-1:devo/1:tenant_fragment/1");
        let got = schemas(&mut f, "/schemas.custom.get", &json!({"id": id})).unwrap().unwrap();
        assert_eq!(got["fragment"]["fields"], body["fields"]);
        let missing = schemas(&mut f, "/schemas.custom.get", &json!({"id": "don:x"})).unwrap();
        assert_eq!(missing.map_err(|e| e.status), Err(StatusCode::NOT_FOUND));
        // A refused version takes no ID.
        assert!(schemas(&mut f, "/schemas.custom.set", &json!({"type": "tenant_fragment"})).unwrap().is_err());
        let mut retired = body.clone();
        retired["leaf_type"] = json!("issue");
        retired["deprecated"] = json!(true);
        schemas(&mut f, "/schemas.custom.set", &retired).unwrap().unwrap();
        let listed = schemas(&mut f, "/schemas.custom.list", &json!({})).unwrap().unwrap();
        assert_eq!(
            listed["result"].as_array().map(|r| r.iter().map(|x| x["id"].clone()).collect::<Vec<_>>()),
            Some(vec![json!(id)])
        );
        let by_leaf = schemas(&mut f, "/schemas.custom.list", &json!({"leaf_type": ["issue"]})).unwrap().unwrap();
        assert_eq!(by_leaf["result"], json!([]));
        assert!(schemas(&mut f, "/works.list", &json!({})).is_none());
    }
}
