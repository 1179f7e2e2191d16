//! Custom fields as DevRev enforces them: the schema fragments
//! `schemas.custom.set` declares, and the check of an object's
//! `custom_fields` against the fragments that apply.
//!
//! - [`Fragments`] stores fragments per (fragment type, leaf type, subtype):
//!   each `set` is a new version with a new ID, chained to the one it
//!   replaces (`old_fragment_ref`); a version that drops a field must name it
//!   in `deleted_fields` (else 400 `customization_validation_error`,
//!   subtype `field_dropped`); `deprecated: true` retires the fragment.
//! - [`check`] is the pure rule: tenant fields (`tnt__<name>`) must be in the
//!   leaf type's tenant fragment, subtype fields (`ctype__<name>`) in the
//!   named subtype's fragment, each value must fit its field's type (an enum
//!   value one of the allowed ones), and on create every required field must
//!   be there. Each failure is DevRev's 400 `customization_validation_error`
//!   with `subtype` (`field_not_in_schema`, `wrong_type`,
//!   `enum_out_of_range`, `field_required`, `date_parse_error`,
//!   `timestamp_parse_error`, `id_parse_error`, `fragment_not_found`) and the
//!   field's wire name in `field_name`. Until a fragment is declared for a
//!   leaf type, its `custom_fields` are free-form (as before this module).
//! - [`layer`] hooks both into the server in front of its routes:
//!   `schemas.custom.set` stores a fragment once the server accepted the
//!   request, `schemas.custom.get` answers a stored one, and
//!   `create`/`update` of works, parts, accounts, rev orgs and conversations
//!   are checked before the server sees them. It keeps the custom fields of
//!   the objects it let through (an update merges the keys it sends, `null`
//!   removes one) and puts them into `get` and `list` answers, upgraded to
//!   the latest fragments (a field deleted since is left out); `works.list`
//!   and `parts.list` keep the objects that match a `custom_fields` filter
//!   (`{"tnt__tier": ["gold"]}`). It keeps its own state, so the store and
//!   dispatch need not know about it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::error::{json_kind, ApiError};

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
    /// What objects created or updated with custom fields keep, by ID.
    kept: HashMap<String, Kept>,
    /// Display IDs of those objects, to their ID.
    alias: HashMap<String, String>,
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
            if creating && def.required {
                return Err(customization("field_required", wire, "required"));
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

/// The operations whose `custom_fields` are checked: (path, answer key, fixed leaf type).
const CHECKED: &[(&str, &str, Option<&str>)] = &[
    ("/works.create", "work", None),
    ("/works.update", "work", None),
    ("/parts.create", "part", None),
    ("/parts.update", "part", None),
    ("/accounts.create", "account", Some("account")),
    ("/accounts.update", "account", Some("account")),
    ("/rev-orgs.create", "rev_org", Some("rev_org")),
    ("/rev-orgs.update", "rev_org", Some("rev_org")),
    ("/conversations.create", "conversation", Some("conversation")),
    ("/conversations.update", "conversation", Some("conversation")),
];

/// The reads whose answers carry the custom fields kept here: (path, object
/// key of a `get`, list key of a `list`).
const READS: &[(&str, &str)] = &[
    ("/works.get", "work"),
    ("/works.list", "works"),
    ("/parts.get", "part"),
    ("/parts.list", "parts"),
    ("/conversations.get", "conversation"),
    ("/conversations.list", "conversations"),
    ("/accounts.get", "account"),
    ("/accounts.list", "accounts"),
    ("/rev-orgs.get", "rev_org"),
    ("/rev-orgs.list", "rev_orgs"),
];

/// The leaf type an object ID names: the type segment of a DON
/// (`don:core:dvrv-us-1:devo/1:ticket/3`).
fn leaf_of_id(id: &str) -> Option<String> {
    let last = id.rsplit(':').next()?;
    let (segment, _) = last.split_once('/')?;
    Some(segment.to_owned())
}

/// What the layer keeps of an object created or updated with custom fields.
#[derive(Debug, Clone, Default)]
struct Kept {
    leaf: String,
    subtype: Option<String>,
    fields: Map<String, Value>,
}

impl Fragments {
    fn kept(&self, id: &str) -> Option<&Kept> {
        self.kept.get(self.alias.get(id).map_or(id, String::as_str))
    }

    /// `fields` as a read answers them: without the fields the latest
    /// fragments no longer declare (reads upgrade objects to the latest versions).
    fn upgraded(&self, kept: &Kept) -> Map<String, Value> {
        if !self.has_schema(&kept.leaf) {
            return kept.fields.clone();
        }
        let tenant = self.live("tenant_fragment", &kept.leaf, None);
        let custom_type = kept.subtype.as_deref().and_then(|s| self.live("custom_type_fragment", &kept.leaf, Some(s)));
        kept.fields
            .iter()
            .filter(|(wire, _)| {
                let (fragment, name) = match (wire.strip_prefix(TENANT), wire.strip_prefix(SUBTYPE)) {
                    (Some(name), _) => (tenant, name),
                    (_, Some(name)) => (custom_type, name),
                    _ => (None, wire.as_str()),
                };
                fragment.is_some_and(|f| f.fields.iter().any(|d| d.name == name))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Puts the kept custom fields into an answered object.
    fn patch(&self, object: &mut Value) {
        let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
        if let Some(kept) = self.kept(id) {
            let fields = self.upgraded(kept);
            if let Some(map) = object.as_object_mut() {
                map.insert("custom_fields".into(), Value::Object(fields));
            }
        }
    }
}

/// A list filter on custom fields (`{"tnt__tier": ["gold"]}`): the object's
/// value (or one of its values, for a list) must be one of the given ones.
fn matches_filter(object: &Value, filter: &Map<String, Value>) -> bool {
    filter.iter().all(|(wire, wanted)| {
        let wanted: Vec<&Value> = match wanted {
            Value::Array(values) => values.iter().collect(),
            single => vec![single],
        };
        match object.get("custom_fields").and_then(|f| f.get(wire)) {
            Some(Value::Array(values)) => values.iter().any(|v| wanted.contains(&v)),
            Some(value) => wanted.contains(&value),
            None => false,
        }
    })
}

type Shared = Arc<Mutex<Fragments>>;

/// `router` with the custom-field rules in front of it (see the module docs).
pub(crate) fn layer(router: Router) -> Router {
    let fragments: Shared = Arc::default();
    router.layer(axum::middleware::from_fn(move |request: Request<Body>, next: Next| {
        let fragments = Arc::clone(&fragments);
        async move { handle(fragments, request, next).await }
    }))
}

async fn body_json(response: Response) -> (axum::http::response::Parts, Option<Value>, axum::body::Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let value = serde_json::from_slice(&bytes).ok();
    (parts, value, bytes)
}

fn json_response(mut parts: axum::http::response::Parts, value: &Value) -> Response {
    let body = value.to_string();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

fn lock(fragments: &Shared) -> std::sync::MutexGuard<'_, Fragments> {
    fragments.lock().unwrap_or_else(|e| e.into_inner())
}

async fn handle(fragments: Shared, request: Request<Body>, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let checked = CHECKED.iter().find(|(p, _, _)| *p == path);
    let read = READS.iter().find(|(p, _)| *p == path);
    if path != "/schemas.custom.set" && path != "/schemas.custom.get" && checked.is_none() && read.is_none() {
        return next.run(request).await;
    }
    let query_id = request.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("id="))
            .map(|v| percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned())
    });
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::parse_error("the body could not be read").into_response();
    };
    let sent: Option<Value> = serde_json::from_slice(&bytes).ok();
    let request = Request::from_parts(parts, Body::from(bytes));
    // An unauthenticated call is the server's to refuse (401) first.
    let authorized = request.headers().contains_key(axum::http::header::AUTHORIZATION);

    if let (Some((path, key, fixed)), Some(Value::Object(sent)), true) = (checked, &sent, authorized) {
        let creating = path.ends_with(".create");
        let id = sent.get("id").and_then(Value::as_str);
        let spec = sent.get("custom_schema_spec");
        let named_subtype = spec.and_then(|s| s.get("subtype")).and_then(Value::as_str).map(str::to_owned);
        let known = id.and_then(|id| lock(&fragments).kept(id).cloned());
        let leaf = fixed
            .map(str::to_owned)
            .or_else(|| sent.get("type").and_then(Value::as_str).map(str::to_owned))
            .or_else(|| known.as_ref().map(|k| k.leaf.clone()))
            .or_else(|| id.and_then(leaf_of_id));
        let subtype = named_subtype.or_else(|| known.as_ref().and_then(|k| k.subtype.clone()));
        let required = spec.and_then(|s| s.get("validate_required_fields")).and_then(Value::as_bool) != Some(false);
        let empty = Map::new();
        let fields = sent.get("custom_fields").and_then(Value::as_object).unwrap_or(&empty);
        if let Some(leaf) = &leaf {
            if let Err(e) = lock(&fragments).check(leaf, subtype.as_deref(), fields, creating && required) {
                return e.into_response();
            }
        }
        let response = next.run(request).await;
        let (Some(leaf), true) = (leaf, response.status().is_success()) else { return response };
        if fields.is_empty() && known.is_none() {
            return response;
        }
        let (parts, answer, bytes) = body_json(response).await;
        let Some(mut answer) = answer else { return Response::from_parts(parts, Body::from(bytes)) };
        let mut kept = known.unwrap_or_default();
        kept.leaf = leaf;
        kept.subtype = subtype;
        for (k, v) in fields {
            if v.is_null() {
                kept.fields.remove(k);
            } else {
                kept.fields.insert(k.clone(), v.clone());
            }
        }
        let mut store = lock(&fragments);
        if let Some(object) = answer.get_mut(*key) {
            let ids: Vec<String> =
                ["id", "display_id"].iter().filter_map(|k| object.get(*k)?.as_str().map(str::to_owned)).collect();
            if let Some(main) = ids.first() {
                for other in &ids[1..] {
                    store.alias.insert(other.clone(), main.clone());
                }
                store.kept.insert(main.clone(), kept);
            }
            store.patch(object);
        }
        return json_response(parts, &answer);
    }

    if let Some((path, key)) = read {
        // Works and parts: the filter is applied here, on the fields kept here, and taken out of
        // the request (the server's own store does not hold them). Accounts and rev orgs hold them.
        let generic = path.starts_with("/works") || path.starts_with("/parts");
        let filter =
            sent.as_ref().and_then(|s| s.get("custom_fields")).and_then(Value::as_object).filter(|_| generic).cloned();
        let request = match (&filter, sent.clone()) {
            (Some(_), Some(Value::Object(mut body))) => {
                body.remove("custom_fields");
                let (mut parts, _) = request.into_parts();
                parts.headers.remove(axum::http::header::CONTENT_LENGTH);
                Request::from_parts(parts, Body::from(Value::Object(body).to_string()))
            }
            _ => request,
        };
        let response = next.run(request).await;
        if !response.status().is_success() {
            return response;
        }
        let (parts, answer, bytes) = body_json(response).await;
        let Some(mut answer) = answer else { return Response::from_parts(parts, Body::from(bytes)) };
        let store = lock(&fragments);
        match answer.get_mut(*key) {
            Some(Value::Array(items)) => {
                items.iter_mut().for_each(|item| store.patch(item));
                if let Some(filter) = filter {
                    items.retain(|item| matches_filter(item, &filter));
                }
            }
            Some(object) => store.patch(object),
            None => {}
        }
        return json_response(parts, &answer);
    }

    if path == "/schemas.custom.set" {
        let response = next.run(request).await;
        if !response.status().is_success() {
            return response;
        }
        let (parts, answer, bytes) = body_json(response).await;
        let id = answer.as_ref().and_then(|a| a.get("id")).and_then(Value::as_str);
        if let (Some(id), Some(sent)) = (id, &sent) {
            if let Err(e) = lock(&fragments).set(id, sent) {
                return e.into_response();
            }
        }
        return Response::from_parts(parts, Body::from(bytes));
    }

    if path == "/schemas.custom.get" {
        let id = sent.as_ref().and_then(|s| s.get("id")).and_then(Value::as_str).map(str::to_owned).or(query_id);
        let response = next.run(request).await;
        // The engine keeps no fragments (it answers 404 for an ID it never
        // issued): after its token and rate-limit checks passed, a fragment
        // stored here is the answer.
        let answered = response.status().is_success() || response.status() == StatusCode::NOT_FOUND;
        let stored = id.and_then(|id| lock(&fragments).get(&id));
        match stored {
            Some(fragment) if answered => {
                let (mut parts, _, _) = body_json(response).await;
                parts.status = StatusCode::OK;
                return json_response(parts, &json!({ "fragment": fragment }));
            }
            _ => return response,
        }
    }
    next.run(request).await
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
                    {"name": "users", "field_type": "int"},
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
                "fields": [{"name": "started", "field_type": "timestamp", "is_required": true}]
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
        let kept = Kept { leaf: "account".into(), subtype: None, fields: map(json!({"seats": 12})) };
        assert_eq!(f.upgraded(&kept), map(json!({"seats": 12})));
    }

    #[test]
    fn leaf_of_a_don() {
        assert_eq!(leaf_of_id("don:core:dvrv-us-1:devo/1:ticket/3").as_deref(), Some("ticket"));
        assert_eq!(leaf_of_id("TKT-3"), None);
    }
}
