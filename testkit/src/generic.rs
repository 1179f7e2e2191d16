//! Every operation no family module takes over: the request was validated
//! already; the answer is synthesized from the operation's answer schema
//! ([`crate::synth`]).
//!
//! Families that have `create`, `get` and `list` (works, parts, tags,
//! timeline entries, ...) keep what was created:
//! - `create` stores the object: made up from the schema, with the fields the
//!   request sent that fit the object's schema (an ID sent where the object
//!   holds a summary becomes that summary, filled from the stored object or
//!   the dev user when there is one; `{"set": [...]}` sets a list), a fresh
//!   DON ID and display ID, the `type` the request chose, and where the
//!   schema has them `created_date`/`modified_date` (a logical clock from
//!   2024-01-24T00:00:00Z, one second a step, so answers are the same for a
//!   seed) and `created_by`/`modified_by` (the token's dev user);
//! - `get` returns it by DON or display ID, 404 `not_found` once deleted;
//! - `list` pages through them with `limit` (default 50, at most 100),
//!   `cursor` and `mode` (`after`, `before`), in creation order or by
//!   `sort_by` (`field:asc` or `field:desc`, several allowed, any field of
//!   the object, dotted for a nested one; ties in creation order); list
//!   filters that are lists of values keep the objects whose field (or its
//!   `id`, `display_id` or `name`) is one of them; date filters
//!   (`created_date`, `modified_date`, any other date field: `after` and
//!   `before`, both inclusive, with or without `"type": "range"`, or a
//!   `last_n_days`/`next_n_days` preset around the logical clock's now) keep
//!   the objects whose date is in range, also from a query string
//!   (`created_date.after=...`); other filters are ignored;
//! - `update` merges the fields sent, `delete` removes it.
//!
//! `dev-users.self` answers the token's own dev user (the one `created_by`
//! names, on these objects and on accounts and rev orgs), and `dev-users.get`
//! answers it for its ID.
//!
//! Each change is published on [`crate::events::Events`] with the object's
//! type as DevRev names it in event types (`work`, `tag`, `part`,
//! `timeline_entry`). Every answer is checked against its schema before it
//! is sent; a merged field that would break it is left out.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::events::{Change, Events, ObjectChange};
use crate::input::{DateFilter, Input};
use crate::pagination::{Listed, Paging, SortField};
use crate::spec::{Api, Operation, API};
use crate::store::DevUser;
use crate::synth::{self, Synth};
use crate::validate;

/// What a stateful family stores, read from its operations' schemas.
#[derive(Debug, Clone)]
pub(crate) struct Family {
    /// The object's key in `create`/`get`/`update` answers, and its type in events (`work`).
    pub(crate) key: String,
    /// The list's key in `list` answers (`works`).
    list_key: String,
}

/// The families that keep state, by family name (`works`).
fn families(api: &Api) -> HashMap<String, Family> {
    let mut out = HashMap::new();
    let mut by_family: HashMap<&str, HashMap<&str, &Operation>> = HashMap::new();
    for op in api.operations.iter().filter(|op| op.method == "POST" && op.is_direct()) {
        by_family.entry(op.family()).or_default().insert(op.verb(), op);
    }
    for (family, verbs) in by_family {
        let (Some(create), Some(_), Some(list)) = (verbs.get("create"), verbs.get("get"), verbs.get("list")) else {
            continue;
        };
        let Some(key) = create.response.as_ref().and_then(|r| first_property(api, r, "object")) else { continue };
        let Some(list_key) = list.response.as_ref().and_then(|r| first_property(api, r, "array")) else { continue };
        out.insert(family.to_owned(), Family { key, list_key });
    }
    out
}

/// The first required property of an object schema whose type is `ty`.
fn first_property(api: &Api, schema: &Value, ty: &str) -> Option<String> {
    let schema = api.resolve(schema);
    let required = schema.get("required")?.as_array()?;
    required
        .iter()
        .filter_map(Value::as_str)
        .find(|name| api.property(schema, name).is_some_and(|p| is_type(api, p, ty)))
        .map(str::to_owned)
}

fn is_type(api: &Api, schema: &Value, ty: &str) -> bool {
    match api.type_of(schema) {
        Some(t) => t == ty,
        // An object schema without `type` (a union, an allOf).
        None => {
            ty == "object"
                && api
                    .resolve(schema)
                    .as_object()
                    .is_some_and(|o| o.contains_key("allOf") || o.contains_key("properties"))
        }
    }
}

/// The generic families' objects, and the seeded generator.
#[derive(Debug)]
pub(crate) struct State {
    rng: fastrand::Rng,
    families: HashMap<String, Family>,
    /// Objects by family, by sequence number (creation order).
    objects: HashMap<String, BTreeMap<u64, Value>>,
    /// The next object number (for IDs and display IDs).
    next: u64,
    /// Seconds past the logical clock's start, one per change.
    clock: i64,
    /// The dev users the server's tokens act as, as user summaries.
    users: Vec<Value>,
}

/// Who sent a request: the token's dev user (`None` for an operation that
/// takes no token), and every dev user the server's tokens act as.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub(crate) user: Option<&'a DevUser>,
    pub(crate) users: &'a HashMap<String, DevUser>,
}

/// A dev user's summary, as objects embed it (`created_by`, `owned_by`).
fn user_summary(user: &DevUser) -> Value {
    serde_json::to_value(user.summary()).unwrap_or_default()
}

impl State {
    /// Empty, with the generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> State {
        State {
            rng: fastrand::Rng::with_seed(seed),
            families: families(&API),
            objects: HashMap::new(),
            next: 1,
            clock: 0,
            users: Vec::new(),
        }
    }

    /// The logical clock's start.
    fn epoch() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_706_054_400, 0).unwrap_or_default()
    }

    /// The logical clock's time now (the last change's).
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        State::epoch() + chrono::Duration::seconds(self.clock)
    }

    /// The time of the next change: a logical clock from 2024-01-24, one
    /// second a step, so answers are the same for the same seed and requests.
    fn tick(&mut self) -> String {
        self.clock += 1;
        self.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    /// A stored object by DON or display ID, in any family, or a dev user's summary.
    fn lookup(&self, id: &str) -> Option<&Value> {
        self.objects.values().flat_map(BTreeMap::values).chain(&self.users).find(|o| matches_id(o, id))
    }
}

fn matches_id(object: &Value, id: &str) -> bool {
    object.get("id").and_then(Value::as_str) == Some(id) || object.get("display_id").and_then(Value::as_str) == Some(id)
}

/// A success answer: status and body (`None` for a 204).
pub(crate) type Answer = (StatusCode, Option<Value>);

/// Answers operation `op` (index into [`API`]) for a validated `input` from `caller`.
pub(crate) fn handle(
    state: &mut State,
    events: &Events,
    op_index: usize,
    input: &Value,
    caller: Caller<'_>,
) -> Result<Answer, ApiError> {
    if state.users.len() != caller.users.len() {
        let mut users: Vec<&DevUser> = caller.users.values().collect();
        users.sort_by_key(|u| u.num);
        state.users = users.into_iter().map(user_summary).collect();
    }
    let op = &API.operations[op_index];
    let status = StatusCode::from_u16(op.status).unwrap_or(StatusCode::OK);
    let family = state.families.get(op.family()).cloned().filter(|_| op.is_direct());
    let id = input.get("id").and_then(Value::as_str).unwrap_or_default();
    let dev_user = match op.path.as_str() {
        "/dev-users.self" => caller.user,
        "/dev-users.get" => caller.users.values().find(|u| u.don() == id || u.display_id() == id),
        _ => None,
    };
    let answer = match (family, op.verb()) {
        _ if dev_user.is_some() => {
            let mut answer = synthesize(state, op_index, None);
            if let Some(user) = dev_user {
                let fields = user_summary(user);
                stamp(op_index, "dev_user", &mut answer, fields.as_object().into_iter().flatten());
            }
            answer
        }
        (Some(family), "create") => create(state, events, op_index, op.family(), &family, input, caller)?,
        (Some(family), "get") => {
            let object = find(state, op.family(), id).map(|(_, o)| o.clone()).ok_or_else(|| not_found(&family, id))?;
            json!({ family.key.clone(): object })
        }
        (Some(family), "list") => {
            // The other fields the answer requires (a `total`, say), made up, then the page.
            let mut answer = synthesize(state, op_index, None);
            let page = list(state, op.family(), &family, input)?;
            if let (Value::Object(answer), Value::Object(page)) = (&mut answer, page) {
                answer.remove("next_cursor");
                answer.remove("prev_cursor");
                answer.extend(page);
            }
            answer
        }
        (Some(family), "update") => update(state, events, op_index, op.family(), &family, input, caller)?,
        (Some(family), "delete") => {
            let id = input.get("id").and_then(Value::as_str).unwrap_or_default();
            let seq = find(state, op.family(), id).map(|(seq, _)| seq).ok_or_else(|| not_found(&family, id))?;
            let removed = state.objects.get_mut(op.family()).and_then(|m| m.remove(&seq));
            if let Some(object) = removed {
                events.publish(ObjectChange {
                    change: Change::Deleted,
                    object_type: family.key.clone(),
                    object,
                    old: None,
                });
            }
            synthesize(state, op_index, None)
        }
        _ => synthesize(state, op_index, None),
    };
    if op.response.is_none() || op.status == 204 {
        return Ok((status, None));
    }
    Ok((status, Some(answer)))
}

fn not_found(family: &Family, id: &str) -> ApiError {
    ApiError::not_found(&family.key.replace('_', " "), id)
}

fn find<'a>(state: &'a State, family: &str, id: &str) -> Option<(u64, &'a Value)> {
    state.objects.get(family)?.iter().find(|(_, o)| matches_id(o, id)).map(|(seq, o)| (*seq, o))
}

/// An answer made up from the schema of operation `op`.
fn synthesize(state: &mut State, op: usize, prefer_tag: Option<String>) -> Value {
    let now = state.tick();
    let Some(schema) = API.operations[op].response.as_ref() else { return json!({}) };
    Synth { api: &API, rng: &mut state.rng, now, prefer_tag }.value(schema, 0)
}

fn create(
    state: &mut State,
    events: &Events,
    op: usize,
    family_name: &str,
    family: &Family,
    input: &Value,
    caller: Caller<'_>,
) -> Result<Value, ApiError> {
    let tag = input.get("type").and_then(Value::as_str).map(str::to_owned);
    let mut answer = synthesize(state, op, tag);
    let n = state.next;
    state.next += 1;
    if let Some(object) = answer.get_mut(&family.key) {
        let object_type = object.get("type").and_then(Value::as_str).unwrap_or(&family.key).to_owned();
        let (id, display_id) = synth::ids(&object_type, n);
        if let Value::Object(fields) = object {
            fields.insert("id".into(), json!(id));
            fields.insert("display_id".into(), json!(display_id));
        }
    }
    if !validate::answer_is_valid(op, &answer) {
        // A made-up display ID the schema has no place for: drop it.
        if let Some(Value::Object(fields)) = answer.get_mut(&family.key) {
            fields.remove("display_id");
        }
    }
    let now = json!(state.tick());
    let mut stamps = vec![("created_date".to_owned(), now.clone()), ("modified_date".to_owned(), now)];
    if let Some(user) = caller.user {
        stamps.extend([("created_by".to_owned(), user_summary(user)), ("modified_by".to_owned(), user_summary(user))]);
    }
    stamp(op, &family.key, &mut answer, stamps.iter().map(|(k, v)| (k, v)));
    merge_fields(state, op, &family.key, &mut answer, input);
    let object = answer.get(&family.key).cloned().unwrap_or_default();
    state.objects.entry(family_name.to_owned()).or_default().insert(n, object.clone());
    events.publish(ObjectChange { change: Change::Created, object_type: family.key.clone(), object, old: None });
    Ok(answer)
}

fn update(
    state: &mut State,
    events: &Events,
    op: usize,
    family_name: &str,
    family: &Family,
    input: &Value,
    caller: Caller<'_>,
) -> Result<Value, ApiError> {
    let id = input.get("id").and_then(Value::as_str).unwrap_or_default();
    let (seq, old) = find(state, family_name, id).map(|(s, o)| (s, o.clone())).ok_or_else(|| not_found(family, id))?;
    let mut answer = json!({ family.key.clone(): old.clone() });
    if !validate::answer_is_valid(op, &answer) {
        // The update's answer holds what the get's does; should it not, answer made up.
        answer = synthesize(state, op, None);
        if let Some(Value::Object(fields)) = answer.get_mut(&family.key) {
            fields.insert("id".into(), old["id"].clone());
        }
    }
    let mut stamps = vec![("modified_date".to_owned(), json!(state.tick()))];
    if let Some(user) = caller.user {
        stamps.push(("modified_by".to_owned(), user_summary(user)));
    }
    stamp(op, &family.key, &mut answer, stamps.iter().map(|(k, v)| (k, v)));
    merge_fields(state, op, &family.key, &mut answer, input);
    let object = answer.get(&family.key).cloned().unwrap_or_default();
    if let Some(slot) = state.objects.get_mut(family_name).and_then(|m| m.get_mut(&seq)) {
        *slot = object.clone();
    }
    events.publish(ObjectChange { change: Change::Updated, object_type: family.key.clone(), object, old: Some(old) });
    Ok(answer)
}

/// Sets each of `fields` on `answer[key]` where the object's schema has it,
/// one at a time, keeping only those that leave the answer valid.
fn stamp<'a>(op: usize, key: &str, answer: &mut Value, fields: impl IntoIterator<Item = (&'a String, &'a Value)>) {
    let Some(schema) = API.operations[op].response.as_ref().and_then(|r| API.property(r, key)).cloned() else { return };
    for (name, value) in fields {
        let Some(object) = answer.get(key) else { return };
        if property_in(&schema, object, name).is_none() {
            continue;
        }
        set_if_valid(op, key, answer, name, value.clone());
    }
}

/// Sets `answer[key][name]` to `value` unless that makes the answer invalid.
fn set_if_valid(op: usize, key: &str, answer: &mut Value, name: &str, value: Value) {
    let before = answer.get(key).and_then(|o| o.get(name)).cloned();
    if let Some(Value::Object(object)) = answer.get_mut(key) {
        object.insert(name.to_owned(), value);
    }
    if !validate::answer_is_valid(op, answer) {
        if let Some(Value::Object(object)) = answer.get_mut(key) {
            match before {
                Some(before) => object.insert(name.to_owned(), before),
                None => object.remove(name),
            };
        }
    }
}

/// Sets each request field on `answer[key]` where the object's schema has
/// it, one at a time, keeping only those that leave the answer valid.
fn merge_fields(state: &mut State, op: usize, key: &str, answer: &mut Value, input: &Value) {
    let Some(fields) = input.as_object() else { return };
    let Some(schema) = API.operations[op].response.as_ref().and_then(|r| API.property(r, key)).cloned() else { return };
    for (name, sent) in fields {
        if matches!(name.as_str(), "id" | "type" | "display_id" | "created_date" | "modified_date") {
            continue;
        }
        let Some(object) = answer.get(key) else { return };
        let Some(prop) = property_in(&schema, object, name).cloned() else { continue };
        let Some(value) = conform(state, &prop, sent, 0) else { continue };
        set_if_valid(op, key, answer, name, value);
    }
}

/// The schema of property `name` of `object`, in the union variant its tag chose.
fn property_in<'a>(schema: &'a Value, object: &Value, name: &str) -> Option<&'a Value> {
    if let Some(p) = API.property(schema, name) {
        return Some(p);
    }
    let schema = API.resolve(schema);
    for (tag, value, then) in synth::union_branches(schema) {
        if object.get(&tag).and_then(Value::as_str) == Some(value.as_str()) {
            return property_in(then, object, name);
        }
    }
    None
}

/// `sent` in the shape `schema` wants, where it can be: the same scalar,
/// a list item by item, `{"set": [...]}` as its list, an ID as the summary
/// it names, an object field by field.
fn conform(state: &mut State, schema: &Value, sent: &Value, depth: usize) -> Option<Value> {
    if depth > 6 {
        return None;
    }
    let resolved = API.resolve(schema);
    if let Some(options) = resolved.get("enum").and_then(Value::as_array) {
        return options.contains(sent).then(|| sent.clone());
    }
    match (API.type_of(schema), sent) {
        (Some("string"), Value::String(_)) | (Some("boolean"), Value::Bool(_)) | (Some("number"), Value::Number(_)) => {
            Some(sent.clone())
        }
        (Some("integer"), Value::Number(n)) if n.is_i64() || n.is_u64() => Some(sent.clone()),
        (Some("array"), Value::Array(items)) => {
            let item_schema = resolved.get("items")?;
            Some(Value::Array(items.iter().filter_map(|i| conform(state, item_schema, i, depth + 1)).collect()))
        }
        (Some("array"), Value::Object(set)) => conform(state, schema, set.get("set")?, depth),
        (Some("string" | "boolean" | "number" | "integer" | "array"), _) => None,
        (_, Value::String(id)) => {
            // An ID where the object holds a summary of what it names.
            let mut summary = {
                let now = state.tick();
                Synth { api: &API, rng: &mut state.rng, now, prefer_tag: None }.value(schema, 2)
            };
            let fields = summary.as_object_mut()?;
            fields.contains_key("id").then_some(())?;
            match state.lookup(id).and_then(Value::as_object).cloned() {
                Some(stored) => {
                    if let Some(tag) = stored.get("type") {
                        // The stored object's variant: make that one.
                        let now = state.tick();
                        let mut synth =
                            Synth { api: &API, rng: &mut state.rng, now, prefer_tag: tag.as_str().map(str::to_owned) };
                        summary = synth.value(schema, 2);
                    }
                    let fields = summary.as_object_mut()?;
                    for (k, v) in fields.iter_mut() {
                        if let Some(s) = stored.get(k).filter(|s| !s.is_object() && !s.is_array()) {
                            *v = s.clone();
                        }
                    }
                }
                None => {
                    fields.insert("id".into(), json!(id));
                    fields.remove("display_id");
                }
            }
            Some(summary)
        }
        (_, Value::Object(sent_fields)) => {
            let mut made = {
                let now = state.tick();
                Synth { api: &API, rng: &mut state.rng, now, prefer_tag: None }.value(schema, 2)
            };
            for (k, v) in sent_fields {
                let target = property_in(schema, &made, k).cloned();
                match target {
                    Some(prop) => {
                        if let Some(v) = conform(state, &prop, v, depth + 1) {
                            made.as_object_mut()?.insert(k.clone(), v);
                        }
                    }
                    // `{"id": ...}` where the object nests the summary (a tag with its value).
                    None if k == "id" => {
                        let fields = made.as_object_mut()?;
                        let nested = fields.iter().find(|(_, f)| f.get("id").is_some()).map(|(name, _)| name.clone());
                        let prop = nested.as_deref().and_then(|n| API.property(schema, n)).cloned();
                        if let (Some(nested), Some(prop)) = (nested, prop) {
                            if let Some(v) = conform(state, &prop, v, depth + 1) {
                                made.as_object_mut()?.insert(nested, v);
                            }
                        }
                    }
                    None => {}
                }
            }
            Some(made)
        }
        _ => None,
    }
}

fn list(state: &State, family_name: &str, family: &Family, input: &Value) -> Result<Value, ApiError> {
    // The paging and date fields read as the accounts list reads them (a GET's query string is JSON by now).
    let fields = Input::from_body(input.to_string().as_bytes())?;
    let paging = Paging::from_input_any_field(&fields)?;
    let mut dates = Vec::new();
    for (name, filter) in input.as_object().into_iter().flatten() {
        if let Some(range) = date_filter(state, &fields, name, filter)? {
            dates.push((name.as_str(), range));
        }
    }
    let empty = BTreeMap::new();
    let objects = state.objects.get(family_name).unwrap_or(&empty);
    let filters: Vec<(&String, &Value)> = input
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| {
                    !matches!(k.as_str(), "cursor" | "limit" | "mode" | "sort_by")
                        && !dates.iter().any(|(name, _)| name == k)
                        && (v.is_array() || v.is_object())
                })
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<Row<'_>> = objects
        .iter()
        .filter(|(_, o)| filters.iter().all(|(k, f)| keeps(o.get(k.as_str()), f)))
        .filter(|(_, o)| dates.iter().all(|(name, range)| date_of(o, name).is_some_and(|t| range.contains(t))))
        .map(|(seq, object)| Row { seq: *seq, object })
        .collect();
    let (page, next, prev) = paging.page(rows.iter().collect());
    let mut out = Map::new();
    if let Some(next) = next {
        out.insert("next_cursor".into(), json!(next));
    }
    if let Some(prev) = prev {
        out.insert("prev_cursor".into(), json!(prev));
    }
    out.insert(family.list_key.clone(), Value::Array(page.into_iter().map(|row| row.object.clone()).collect()));
    Ok(Value::Object(out))
}

/// A stored object as [`Paging`] lists it.
struct Row<'a> {
    seq: u64,
    object: &'a Value,
}

impl Listed for Row<'_> {
    fn seq(&self) -> u64 {
        self.seq
    }

    fn sort_value(&self, field: SortField) -> String {
        match field {
            SortField::CreatedDate => self.field_value("created_date"),
            SortField::ModifiedDate => self.field_value("modified_date"),
            // Objects without a display name sort on their name or title.
            SortField::DisplayName => ["display_name", "name", "title"]
                .into_iter()
                .find(|name| self.object.get(name).is_some())
                .map(|name| self.field_value(name))
                .unwrap_or_default(),
        }
    }

    fn field_value(&self, name: &str) -> String {
        let value = name.split('.').try_fold(self.object, |v, part| v.get(part));
        sort_text(value)
    }
}

/// A field's value as text that sorts as the value does: strings as they
/// are (the dates this server writes have a fixed width), integers padded,
/// a summary by its name or ID, a list by its first item; absent first.
fn sort_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => format!("{:020}", i128::from(i) + i128::from(i64::MAX) + 1),
            None => n.to_string(),
        },
        Some(Value::Array(items)) => sort_text(items.first()),
        Some(object @ Value::Object(_)) => {
            let name = ["display_name", "name", "title", "display_id", "id"].into_iter().find_map(|k| object.get(k));
            sort_text(name)
        }
    }
}

/// Filter `name` read as a date filter, if it is one: `after` and `before`
/// (with or without `"type": "range"`), or a `last_n_days`/`next_n_days`
/// preset around the logical clock's now.
fn date_filter(state: &State, fields: &Input, name: &str, filter: &Value) -> Result<Option<DateFilter>, ApiError> {
    let Some(filter) = filter.as_object() else { return Ok(None) };
    let known = |k: &String| matches!(k.as_str(), "type" | "after" | "before" | "preset_type" | "days");
    let bounded = filter.contains_key("after") || filter.contains_key("before");
    let preset = filter.get("preset_type").and_then(Value::as_str);
    if filter.is_empty() || !filter.keys().all(known) || !(bounded || preset.is_some()) {
        return Ok(None);
    }
    if let Some(preset) = preset {
        let days = filter.get("days").and_then(Value::as_i64).unwrap_or(0);
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

/// Whether an object's field passes a list filter.
fn keeps(field: Option<&Value>, filter: &Value) -> bool {
    match filter {
        Value::Array(wanted) if wanted.is_empty() => true,
        Value::Array(wanted) => {
            let Some(field) = field else { return false };
            let hit = |v: &Value| -> bool {
                let names = [Some(v), v.get("id"), v.get("display_id"), v.get("name")];
                names.into_iter().flatten().any(|n| wanted.contains(n))
            };
            match field {
                Value::Array(items) => items.iter().any(hit),
                other => hit(other),
            }
        }
        Value::Object(nested) => nested.iter().all(|(k, f)| {
            if !(f.is_array() || f.is_object()) {
                return true;
            }
            match field {
                None => f.as_array().is_none_or(|a| a.is_empty()),
                Some(field) => keeps(field.get(k), f),
            }
        }),
        _ => true,
    }
}
