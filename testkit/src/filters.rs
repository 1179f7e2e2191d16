//! List filters, one rule for every family: a filter the spec gives either
//! works on what is stored or is refused with a typed 400 (`bad_request`
//! naming the filter), never silently ignored.
//!
//! A filter named after a field of the family's objects keeps the objects
//! whose field is one of the values (a summary by its `id`, `display_id` or
//! `name`; an ID in either form; a list by any of its items); a nested
//! filter applies field by field; a date filter (`after`/`before`, both
//! inclusive, or a `last_n_days`/`next_n_days` preset around the clock's
//! now) keeps the objects whose date is in range. A filter named after a
//! union variant (`ticket`, `issue`) keeps objects of that variant whose
//! fields pass its nested filters. A filter on a field the object does not
//! show but its create request sent (`parent_part`, a membership's `group`)
//! reads the request. Families with filters of their own: links (`object`,
//! `direction`, `types`, `object_types`) and works (`state`, from the
//! stage). Custom fields (`custom_fields`, `custom_field_filter`) filter by
//! [`crate::custom_fields::Filter`], a field no fragment declares refused.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::error::ApiError;
use crate::families::works::stages;
use crate::family::Family;
use crate::input::{DateFilter, Input};
use crate::spec::API;
use crate::store::{Row, State};

/// The paging fields of a list request, which are not filters.
const PAGING: [&str; 5] = ["cursor", "limit", "mode", "sort_by", "first"];

/// One filter, read.
enum Rule<'a> {
    /// A date range on a date field.
    Date(&'a str, DateFilter),
    /// A field of the objects.
    Field(&'a str, &'a Value),
    /// A variant's nested filters (`ticket: {severity: [...]}`).
    Variant(&'a str, &'a Value),
    /// A field of the create request.
    Sent(&'a str, &'a Value),
    /// A family's own filter.
    Own(&'a str, &'a Value),
    /// A filter on custom fields (`custom_fields`, `custom_field_filter`).
    Custom(crate::custom_fields::Filter),
}

/// The stored objects of `family_name` that pass every filter of `input`, in creation order.
pub(crate) fn select<'a>(
    state: &'a State,
    family_name: &str,
    family: &Family,
    input: &'a Value,
) -> Result<Vec<Row<'a>>, ApiError> {
    if !family.kept {
        // A family that creates nothing lists nothing, whatever the filters.
        return Ok(Vec::new());
    }
    let fields = Input::from_body(input.to_string().as_bytes())?;
    let create_request = API.find("POST", &format!("/{family_name}.create")).map(|(_, op)| &op.request);
    let add_request = API.find("POST", &format!("/{family_name}.add")).map(|(_, op)| &op.request);
    let mut rules = Vec::new();
    for (name, filter) in input.as_object().into_iter().flatten() {
        let name = name.as_str();
        if PAGING.contains(&name) || is_empty(filter) {
            continue;
        }
        if matches!(name, "custom_fields" | "custom_field_filter") {
            let custom = crate::custom_fields::Filter::of(name, filter)?;
            custom.check(&state.custom, &crate::custom_fields::leaves_of(family))?;
            rules.push(Rule::Custom(custom));
            continue;
        }
        if let Some(range) = date_filter(state, &fields, name, filter)? {
            rules.push(Rule::Date(name, range));
            continue;
        }
        let own = match family_name {
            "links" => matches!(name, "object" | "direction" | "types" | "object_types"),
            "works" => name == "state",
            "parts" => name == "parent_part",
            "artifacts" => name == "parent_id",
            _ => false,
        };
        let sent = |request: Option<&Value>| request.is_some_and(|r| API.property(r, name).is_some());
        let rule = if own {
            Rule::Own(name, filter)
        } else if family.variants.contains(name) && filter.is_object() {
            Rule::Variant(name, filter)
        } else if family.fields.contains(name) {
            Rule::Field(name, filter)
        } else if sent(create_request) || sent(add_request) {
            Rule::Sent(name, filter)
        } else {
            return Err(ApiError::bad_request(
                format!("the embedded server cannot apply the filter `{name}` of `{family_name}.list`"),
                "it filters on what it stores; drop the filter, or test it against DevRev",
            ));
        };
        rules.push(rule);
    }
    let Some(objects) = state.objects_of(family_name) else { return Ok(Vec::new()) };
    let keep = |(n, object): (&u64, &'a Value)| {
        rules.iter().all(|rule| passes(state, family_name, *n, object, rule, input)).then_some(Row { seq: *n, object })
    };
    // A filter on an indexed field: walk the index's objects, not the family.
    let walked = rules.iter().find_map(|rule| match rule {
        Rule::Field(name, filter) => candidates(state, family_name, name, filter),
        _ => None,
    });
    let rows = match walked {
        Some(numbers) => numbers.iter().filter_map(|n| objects.get_key_value(n)).filter_map(keep).collect(),
        None => objects.iter().filter_map(keep).collect(),
    };
    Ok(rows)
}

/// The objects an index says may pass a filter on `name` (every one that
/// does, in creation order), when `name` is indexed and the filter is a
/// value or a list of values; `None` when the family must be scanned.
fn candidates(state: &State, family_name: &str, name: &str, filter: &Value) -> Option<BTreeSet<u64>> {
    let values: Vec<&Value> = match filter {
        Value::Array(items) if !items.is_empty() => items.iter().collect(),
        Value::String(_) | Value::Bool(_) | Value::Number(_) => vec![filter],
        _ => return None,
    };
    let mut found = BTreeSet::new();
    for value in values {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Bool(_) | Value::Number(_) => value.to_string(),
            _ => return None,
        };
        found.extend(state.indexed(family_name, name, &text)?);
    }
    Some(found)
}

/// Whether a list request has a filter (a field that is not paging, and not empty).
pub(crate) fn has_filters(input: &Value) -> bool {
    input
        .as_object()
        .is_some_and(|fields| fields.iter().any(|(name, f)| !PAGING.contains(&name.as_str()) && !is_empty(f)))
}

fn is_empty(filter: &Value) -> bool {
    match filter {
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.values().all(is_empty),
        Value::Null => true,
        _ => false,
    }
}

fn passes(state: &State, family_name: &str, n: u64, object: &Value, rule: &Rule<'_>, input: &Value) -> bool {
    match rule {
        Rule::Date(name, range) => date_of(object, name).is_some_and(|t| range.contains(t)),
        Rule::Field(name, filter) => keeps(state, object.get(*name), filter),
        Rule::Variant(variant, filter) => {
            object.get("type").and_then(Value::as_str) == Some(variant) && keeps(state, Some(object), filter)
        }
        Rule::Sent(name, filter) => keeps(state, state.sent(n).and_then(|input| input.get(*name)), filter),
        Rule::Own(name, filter) => own(state, family_name, n, object, name, filter, input),
        Rule::Custom(custom) => custom.matches(object.get("custom_fields").and_then(Value::as_object)),
    }
}

/// Links' and works' own filters.
fn own(state: &State, family_name: &str, n: u64, object: &Value, name: &str, filter: &Value, input: &Value) -> bool {
    match (family_name, name) {
        ("links", "object") => {
            // `direction` says which end the object is: `is_source`, `is_target`, or either.
            let direction = input.get("direction").and_then(Value::as_str);
            let source = direction != Some("is_target") && keeps(state, object.get("source"), filter);
            let target = direction != Some("is_source") && keeps(state, object.get("target"), filter);
            source || target
        }
        // Read with `object`.
        ("links", "direction") => true,
        ("links", "types") => keeps(state, object.get("link_type"), filter),
        ("links", "object_types") => {
            let end_type = |end: &str| object.get(end).and_then(|e| e.get("type")).cloned();
            [end_type("source"), end_type("target")].iter().any(|t| keeps(state, t.as_ref(), filter))
        }
        ("works", "state") => {
            let ty = object.get("type").and_then(Value::as_str).unwrap_or_default();
            let stage = object.get("stage").and_then(|s| s.get("name")).and_then(Value::as_str);
            let state_name = stage.and_then(|s| stages(ty)?.iter().find(|(name, _)| *name == s).map(|(_, st)| *st));
            keeps(state, state_name.map(|s| Value::String(s.to_owned())).as_ref(), filter)
        }
        ("artifacts", "parent_id") => {
            // The artifacts the parent object holds.
            let Some(parent) = filter.as_str().and_then(|id| state.lookup(id)) else { return false };
            let id = object.get("id").cloned().unwrap_or_default();
            parent
                .get("artifacts")
                .and_then(Value::as_array)
                .is_some_and(|held| held.iter().any(|a| a == &id || a.get("id") == Some(&id)))
        }
        ("parts", "parent_part") => {
            let wanted = filter.get("parts").unwrap_or(filter);
            let sent = state.sent(n).and_then(|input| input.get("parent_part"));
            keeps(state, sent, wanted)
        }
        _ => false,
    }
}

/// An ID in the form the store names it by (its DON ID), or the value as it is.
fn canonical(state: &State, value: &Value) -> Value {
    match value.as_str().and_then(|s| state.lookup(s)).and_then(|o| o.get("id")) {
        Some(id) => id.clone(),
        None => value.clone(),
    }
}

/// Whether an object's field passes a list filter.
pub(crate) fn keeps(state: &State, field: Option<&Value>, filter: &Value) -> bool {
    match filter {
        Value::Array(wanted) if wanted.is_empty() => true,
        Value::Array(wanted) => {
            let Some(field) = field else { return false };
            let wanted: Vec<Value> = wanted.iter().map(|w| canonical(state, w)).collect();
            let hit = |v: &Value| -> bool {
                let mut names = vec![Some(v), v.get("id"), v.get("display_id"), v.get("name")];
                // A tag with its value: `{tag: {id, name}, value}`.
                if let Some(Value::Object(inner)) =
                    v.as_object().and_then(|o| o.values().find(|x| x.get("id").is_some()))
                {
                    names.extend([inner.get("id"), inner.get("name")]);
                }
                names.into_iter().flatten().any(|n| {
                    let n = canonical(state, n);
                    wanted.contains(&n)
                        || match &n {
                            // From a query string, every value is text.
                            Value::Bool(b) => wanted.contains(&Value::String(b.to_string())),
                            Value::Number(x) => wanted.contains(&Value::String(x.to_string())),
                            _ => false,
                        }
                })
            };
            match field {
                Value::Array(items) => items.iter().any(hit),
                other => hit(other),
            }
        }
        Value::Object(nested) => nested.iter().all(|(k, f)| {
            if is_empty(f) {
                return true;
            }
            keeps(state, field.and_then(|field| field.get(k)), f)
        }),
        Value::Null => true,
        scalar => {
            let Some(field) = field else { return false };
            let wanted = canonical(state, scalar);
            let candidates = [Some(field), field.get("id"), field.get("display_id")];
            candidates.into_iter().flatten().any(|c| {
                let c = canonical(state, c);
                c == wanted || matches!((&c, &wanted), (Value::Bool(b), Value::String(s)) if b.to_string() == *s)
            })
        }
    }
}

/// Filter `name` read as a date filter, if it is one: `after` and `before`
/// (with or without `"type": "range"`), or a `last_n_days`/`next_n_days`
/// preset around the clock's now.
pub(crate) fn date_filter(
    state: &State,
    fields: &Input,
    name: &str,
    filter: &Value,
) -> Result<Option<DateFilter>, ApiError> {
    let Some(filter) = filter.as_object() else { return Ok(None) };
    let known = |k: &String| matches!(k.as_str(), "type" | "after" | "before" | "preset_type" | "days");
    let bounded = filter.contains_key("after") || filter.contains_key("before");
    let preset = filter.get("preset_type").and_then(Value::as_str);
    if filter.is_empty() || !filter.keys().all(known) || !(bounded || preset.is_some()) {
        return Ok(None);
    }
    if let Some(preset) = preset {
        let days = filter.get("days").and_then(|d| d.as_i64().or_else(|| d.as_str()?.parse().ok())).unwrap_or(0);
        let now = state.now();
        let span = chrono::Duration::days(days);
        return Ok(Some(match preset {
            "next_n_days" => DateFilter { after: Some(now), before: Some(now + span) },
            _ => DateFilter { after: Some(now - span), before: Some(now) },
        }));
    }
    fields.date_filter(name)
}

/// An object's date field, if it holds one.
fn date_of(object: &Value, name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = object.get(name)?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&chrono::Utc))
}
