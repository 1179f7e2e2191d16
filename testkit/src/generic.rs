//! The engine: one set of rules for every family the spec gives, on the one
//! store ([`crate::store`]); a family with richer rules (accounts and rev
//! orgs) adds them as hooks ([`crate::families`]) on the same store. The
//! request was validated already, and every ID it names checked.
//!
//! A family is the operations that share a path up to the verb
//! (`works.create`, `works.get`, ...; `states.custom.create`, ...): nested
//! families are families like any other. What each verb does:
//!
//! - `create` stores the object: made up from the schema, with the fields the
//!   request sent that fit the object's schema (an ID sent where the object
//!   holds a summary becomes that summary, filled from the stored object;
//!   `{"set": [...]}` sets a list), a fresh DON ID and display ID, the `type`
//!   the request chose, `created_date`/`modified_date` from the server's one
//!   clock ([`crate::clock`]) and `created_by`/`modified_by` (the token's dev
//!   user); a work without a stage gets its type's start stage;
//! - `get` answers the object asked for by DON or display ID, else 404
//!   `not_found` (also in a family that creates nothing: the server never
//!   answers a made-up object for an ID it was given);
//! - `list` pages over what is stored ([`crate::pagination`]: cursors end),
//!   with the spec's filters applied by [`crate::filters`] or refused with a
//!   typed 400; a family that creates nothing lists nothing;
//! - `export` is the list under the same filters, without paging (`first`
//!   items at most); `count` counts what the list pages through;
//! - `update` merges the fields sent and keeps the object's union variant
//!   (a request without `type` gets the stored one); `delete` removes;
//! - any other verb given the ID of a stored object (`slas.transition`,
//!   `dev-orgs.auth-connections.toggle`, `dev-users.self.update`, ...)
//!   merges the fields sent into that object and answers it; `add` and
//!   `remove` (`groups.members.add`) store and remove the pair they name;
//! - `search.core` and `search.hybrid` find stored objects whose text holds
//!   the query, in the namespaces asked;
//! - anything else is synthesized from the answer's schema
//!   ([`crate::synth`]), without a cursor that leads anywhere.
//!
//! The store indexes objects by ID and display ID, so a get, update,
//! delete or reference check costs the same with ten objects stored or a
//! hundred thousand, and by the fields lists filter on most, so a filtered
//! list walks an index rather than the family. Each change is published on
//! [`crate::events::Events`] with the object's type as DevRev names it in event types (`work`, `tag`, `part`,
//! `timeline_entry`). Every answer is checked against its schema before it
//! is sent; a merged field that would break it is left out.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::dev_user::DevUser;
use crate::error::ApiError;
use crate::events::{Change, Events, ObjectChange};
use crate::families::works::stages;
use crate::family::{any_property, family_and_verb, first_property, Family};
use crate::input::Input;
use crate::pagination::Paging;
use crate::spec::API;
use crate::store::{Answer, Caller, State};
use crate::synth::{self, Synth};
use crate::validate;

/// A dev user's summary, as objects embed it (`created_by`, `owned_by`).
fn user_summary(user: &DevUser) -> Value {
    serde_json::to_value(user.summary()).unwrap_or_default()
}

/// The fields every created object gets: `created_date` and `modified_date`
/// at `now`, and `created_by` and `modified_by` when a user made it.
pub(crate) fn creation_stamps(now: &Value, user: Option<&DevUser>) -> Vec<(String, Value)> {
    let mut stamps = vec![("created_date".to_owned(), now.clone()), ("modified_date".to_owned(), now.clone())];
    if let Some(user) = user {
        stamps.extend([("created_by".to_owned(), user_summary(user)), ("modified_by".to_owned(), user_summary(user))]);
    }
    stamps
}

fn id_of(object: &Value) -> Option<&str> {
    object.get("id").and_then(Value::as_str)
}

impl State {
    /// Stores an artifact `artifacts.prepare` handed out, so `artifacts.get`
    /// and `artifacts.list` answer it, and references to it are checked.
    pub(crate) fn store_artifact(
        &mut self,
        id: &str,
        file_name: &str,
        file_type: Option<&str>,
        user: Option<&DevUser>,
    ) {
        let Some((op, _)) = API.find("POST", "/artifacts.get") else { return };
        let mut answer = synthesize(self, op, None);
        let now = json!(self.tick());
        let mut file = json!({ "name": file_name });
        if let Some(file_type) = file_type {
            file["type"] = json!(file_type);
        }
        let mut fields = vec![("id".to_owned(), json!(id)), ("file".to_owned(), file)];
        fields.extend(creation_stamps(&now, user));
        if let Some(Value::Object(object)) = answer.get_mut("artifact") {
            object.remove("display_id");
        }
        stamp(op, "artifact", &mut answer, fields.iter().map(|(k, v)| (k, v)));
        let n = self.next;
        self.next += 1;
        if let Some(object) = answer.get("artifact").cloned() {
            self.put("artifacts", n, object);
        }
    }

    /// Stores the tokens' dev users as `dev-users` objects, once.
    pub(crate) fn store_users(&mut self, caller: Caller<'_>) {
        if self.users_stored == caller.users.len() {
            return;
        }
        let mut users: Vec<&DevUser> = caller.users.values().collect();
        users.sort_by_key(|u| u.num);
        let Some((op, _)) = API.find("POST", "/dev-users.get") else { return };
        for user in users.into_iter().skip(self.users_stored) {
            let mut answer = synthesize(self, op, None);
            let fields = user_summary(user);
            stamp(op, "dev_user", &mut answer, fields.as_object().into_iter().flatten());
            let n = self.next;
            self.next += 1;
            if let Some(object) = answer.get("dev_user").cloned() {
                self.put("dev-users", n, object);
            }
        }
        self.users_stored = caller.users.len();
    }
}

/// The ID a request names as the object it acts on: the field named after
/// the family's object (`dev_user`, `rev_user_id`), else `id`
/// (`dev-users.identities.link` has both: `id` is the identity's).
fn target<'a>(input: &'a Value, family: &Family) -> Option<&'a str> {
    let key = family.key.as_deref().unwrap_or("");
    [key.to_owned(), format!("{key}_id"), "id".to_owned()]
        .iter()
        .find_map(|name| input.get(name.as_str()).and_then(Value::as_str))
}

/// Before the request is validated: an `update` (or other change by ID)
/// without `type` gets the stored object's, since the server knows its
/// variant and the spec requires only `id`.
pub(crate) fn fill_variant(state: &State, op_index: usize, input: &mut Value) {
    let op = &API.operations[op_index];
    let (family, verb) = family_and_verb(op);
    if matches!(verb, "create" | "list" | "get" | "delete" | "export" | "count") || input.get("type").is_some() {
        return;
    }
    let request = API.resolve(&op.request);
    if synth::union_branches(request).is_empty() {
        return;
    }
    let Some(id) = input.get("id").and_then(Value::as_str) else { return };
    let Some((_, object)) = state.find(family, id) else { return };
    if let (Some(ty), Value::Object(fields)) = (object.get("type").cloned(), input) {
        fields.insert("type".into(), ty);
    }
}

/// Answers operation `op` (index into [`API`]) for a validated `input`
/// (`sent`: the same as sent, `null`s included) from `caller`: the
/// family's hooks ([`crate::families`]) first, then the engine's verb
/// unless a hook serves it, then the hooks' follow-ups.
pub(crate) fn handle(
    state: &mut State,
    events: &Events,
    op_index: usize,
    input: &Value,
    sent: &Value,
    caller: Caller<'_>,
) -> Result<Answer, ApiError> {
    state.store_users(caller);
    let op = &API.operations[op_index];
    let (family_name, verb) = family_and_verb(op);
    // `schemas.custom.set`, `.get` and `.list`: the engine's custom-field fragments.
    if let Some(answer) = crate::custom_fields::schemas(&mut state.custom, &op.path, input) {
        return Ok((StatusCode::from_u16(op.status).unwrap_or(StatusCode::OK), Some(answer?)));
    }
    let mut input = input.clone();
    if matches!(verb, "self" | "self-update") {
        if let (Some(user), Value::Object(fields)) = (caller.user, &mut input) {
            fields.insert("id".into(), json!(user.don()));
        }
    }
    let hooks = crate::families::hooks(family_name);
    let call = crate::families::Call { op: op_index, family: family_name, verb, input: &input, sent, caller, events };
    for hook in hooks {
        hook.before(state, &call)?;
    }
    let served = hooks.iter().find_map(|hook| hook.serve(state, &call));
    let mut answer = match served {
        Some(answer) => answer?,
        None => engine(state, events, op_index, &input, caller)?,
    };
    for hook in hooks {
        hook.after(state, &call, &mut answer)?;
    }
    // Every answer's objects, whoever served them, with their custom fields
    // upgraded to the latest fragments.
    if let Some(body) = &mut answer.1 {
        state.custom.upgrade_answer(body);
    }
    Ok(answer)
}

/// The engine's verbs, for every family.
fn engine(
    state: &mut State,
    events: &Events,
    op_index: usize,
    input: &Value,
    caller: Caller<'_>,
) -> Result<Answer, ApiError> {
    let op = &API.operations[op_index];
    let status = StatusCode::from_u16(op.status).unwrap_or(StatusCode::OK);
    let (family_name, verb) = family_and_verb(op);
    let family = state.families.get(family_name).cloned();
    let input = input.clone();
    let answer = match (family, verb) {
        (Some(family), "create") if family.kept => {
            create(state, events, op_index, family_name, &family, &input, caller)?
        }
        (Some(family), "add") if family.kept => add(state, events, family_name, &family, &input)?,
        (Some(family), "remove") if family.kept && target(&input, &family).is_none() => {
            remove_pair(state, events, op_index, family_name, &family, &input)
        }
        (Some(family), "get" | "self") if target(&input, &family).is_some() => {
            let id = target(&input, &family).unwrap_or_default();
            let key = family.key.clone().unwrap_or_default();
            let object = state.find(family_name, id).map(|(_, o)| o.clone()).ok_or_else(|| not_found(&key, id))?;
            json!({ key: object })
        }
        (Some(family), "list") => {
            // The other fields the answer requires (a `total`, say), made up, then the page.
            let mut answer = synthesize(state, op_index, None);
            let page = list(state, family_name, &family, &input, op_index)?;
            if let (Value::Object(answer), Value::Object(page)) = (&mut answer, page) {
                answer.remove("next_cursor");
                answer.remove("prev_cursor");
                answer.extend(page);
            }
            answer
        }
        (Some(family), "export") => export(state, family_name, &family, &input, op_index)?,
        (Some(family), "count") => {
            let count = crate::filters::select(state, family_name, &family, &input)?.len();
            let mut answer = synthesize(state, op_index, None);
            if let Value::Object(fields) = &mut answer {
                fields.insert("count".into(), json!(count));
            }
            answer
        }
        (Some(family), "delete") if target(&input, &family).is_some() => {
            let id = target(&input, &family).unwrap_or_default();
            let key = family.key.clone().unwrap_or_default();
            let n = state.find(family_name, id).map(|(n, _)| n).ok_or_else(|| not_found(&key, id))?;
            if let Some(object) = state.remove(family_name, n) {
                events.publish(ObjectChange { change: Change::Deleted, object_type: key, object, old: None });
            }
            strip_cursors(synthesize(state, op_index, None))
        }
        (Some(family), _) if family.key.is_some() && target(&input, &family).is_some() => {
            update(state, events, op_index, family_name, &family, &input, caller)?
        }
        _ if matches!(op.path.as_str(), "/search.core" | "/search.hybrid") => search(state, op_index, &input),
        _ => strip_cursors(synthesize(state, op_index, None)),
    };
    if op.response.is_none() || op.status == 204 {
        return Ok((status, None));
    }
    Ok((status, Some(answer)))
}

/// A made-up answer leads nowhere: no cursor to made-up pages.
fn strip_cursors(mut answer: Value) -> Value {
    if let Value::Object(fields) = &mut answer {
        fields.remove("next_cursor");
        fields.remove("prev_cursor");
    }
    answer
}

fn not_found(key: &str, id: &str) -> ApiError {
    let what = if key.is_empty() { "object".to_owned() } else { key.replace('_', " ") };
    ApiError::not_found(&what, id)
}

/// An answer made up from the schema of operation `op`.
fn synthesize(state: &mut State, op: usize, prefer_tag: Option<String>) -> Value {
    let now = state.now_text();
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
    let key = family.key.clone().unwrap_or_default();
    let tag = input.get("type").and_then(Value::as_str).map(str::to_owned);
    rules_of_create(state, family_name, input)?;
    let custom = crate::custom_fields::before_create(&state.custom, family, input)?;
    let mut input = input.clone();
    // A work without a stage starts in its type's start stage.
    if family_name == "works" && input.get("stage").is_none() {
        if let (Some((start, _)), Value::Object(fields)) =
            (tag.as_deref().and_then(stages).and_then(|s| s.first()), &mut input)
        {
            fields.insert("stage".into(), json!({ "name": start }));
        }
    }
    let mut answer = synthesize(state, op, tag);
    let n = state.next;
    state.next += 1;
    if let Some(object) = answer.get_mut(&key) {
        let object_type = object.get("type").and_then(Value::as_str).unwrap_or(&key).to_owned();
        let (id, display_id) = synth::ids(&object_type, n);
        if let Value::Object(fields) = object {
            fields.insert("id".into(), json!(id));
            fields.insert("display_id".into(), json!(display_id));
        }
    }
    if !validate::answer_is_valid(op, &answer) {
        // A made-up display ID the schema has no place for: drop it.
        if let Some(Value::Object(fields)) = answer.get_mut(&key) {
            fields.remove("display_id");
        }
    }
    let stamps = creation_stamps(&json!(state.tick()), caller.user);
    stamp(op, &key, &mut answer, stamps.iter().map(|(k, v)| (k, v)));
    merge_fields(state, op, &key, &mut answer, &input);
    state.custom.apply(answer.get_mut(&key), custom);
    let object = answer.get(&key).cloned().unwrap_or_default();
    state.inputs.insert(n, input);
    state.put(family_name, n, object.clone());
    events.publish(ObjectChange { change: Change::Created, object_type: key, object, old: None });
    Ok(answer)
}

/// The values a family refuses on create: a tag without a name or with
/// one in use, a work without a title or owner.
fn rules_of_create(state: &State, family_name: &str, input: &Value) -> Result<(), ApiError> {
    let blank = |name: &str| input.get(name).and_then(Value::as_str).is_some_and(|s| s.trim().is_empty());
    match family_name {
        "tags" => {
            if blank("name") {
                return Err(ApiError::not_permitted("name", "a tag's name cannot be empty"));
            }
            let name = input.get("name").and_then(Value::as_str).unwrap_or_default();
            if state.tag_named(name).is_some() {
                return Err(ApiError::bad_request(
                    format!("a tag named `{name}` already exists"),
                    "tag names are unique; use the existing tag's ID",
                ));
            }
        }
        "works" => {
            if blank("title") {
                return Err(ApiError::not_permitted("title", "a work's title cannot be empty"));
            }
            if input.get("owned_by").and_then(Value::as_array).is_some_and(Vec::is_empty) {
                return Err(ApiError::not_permitted("owned_by", "a work needs at least one owner"));
            }
        }
        _ => {}
    }
    Ok(())
}

/// `add` in a membership family (`groups.members.add`): stores the pair
/// the request names as one of the list's items.
fn add(
    state: &mut State,
    events: &Events,
    family_name: &str,
    family: &Family,
    input: &Value,
) -> Result<Value, ApiError> {
    let list_op = API.find("POST", &format!("/{family_name}.list")).map(|(i, _)| i);
    let list_key = family.list_key.clone().unwrap_or_default();
    let Some(list_op) = list_op else { return Ok(json!({})) };
    // Adding the same pair twice keeps one.
    if same_pair(state, family_name, input).is_some() {
        return Ok(json!({}));
    }
    let answer = synthesize(state, list_op, None);
    let mut item = answer.get(&list_key).and_then(|l| l.get(0)).cloned().unwrap_or_else(|| json!({}));
    if let Value::Object(fields) = &mut item {
        for (name, sent) in input.as_object().into_iter().flatten() {
            if fields.contains_key(name) {
                let mut holder = json!({ list_key.clone(): [ {} ] });
                holder[&list_key][0] = Value::Object(fields.clone());
                let schema = API.operations[list_op]
                    .response
                    .as_ref()
                    .and_then(|r| API.property(r, &list_key))
                    .and_then(|a| API.resolve(a).get("items"))
                    .cloned();
                if let Some(prop) = schema.as_ref().and_then(|s| API.property(s, name)).cloned() {
                    if let Some(value) = conform(state, &prop, sent, 0) {
                        fields.insert(name.clone(), value);
                    }
                }
            }
        }
    }
    let n = state.next;
    state.next += 1;
    state.inputs.insert(n, input.clone());
    state.index_fields(family_name, n, &item);
    state.objects.entry(family_name.to_owned()).or_default().insert(n, item.clone());
    let object_type = family_name.replace(['.', '-'], "_");
    events.publish(ObjectChange { change: Change::Created, object_type, object: item, old: None });
    Ok(json!({}))
}

/// The stored pair a membership request names (every field it sends equal).
fn same_pair(state: &State, family_name: &str, input: &Value) -> Option<u64> {
    let objects = state.objects.get(family_name)?;
    let sent = input.as_object()?;
    objects.keys().copied().find(|n| {
        let Some(Value::Object(stored)) = state.inputs.get(n) else { return false };
        sent.iter().all(|(k, v)| same_ids(state, stored.get(k), v))
    })
}

/// Whether two request values name the same thing (an ID in either form).
fn same_ids(state: &State, a: Option<&Value>, b: &Value) -> bool {
    let canonical = |v: &Value| -> Value {
        match v.as_str().and_then(|s| state.lookup(s)).and_then(id_of) {
            Some(id) => json!(id),
            None => v.clone(),
        }
    };
    a.is_some_and(|a| canonical(a) == canonical(b))
}

/// `remove` in a membership family: removes the pair the request names.
fn remove_pair(
    state: &mut State,
    events: &Events,
    op: usize,
    family_name: &str,
    _family: &Family,
    input: &Value,
) -> Value {
    if let Some(n) = same_pair(state, family_name, input) {
        if let Some(object) = state.remove(family_name, n) {
            let object_type = family_name.replace(['.', '-'], "_");
            events.publish(ObjectChange { change: Change::Deleted, object_type, object, old: None });
        }
    }
    strip_cursors(synthesize(state, op, None))
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
    let key = family.key.clone().unwrap_or_default();
    let id = target(input, family).unwrap_or_default().to_owned();
    // A family that keeps nothing of its own (`dev-users.identities`) acts
    // on the stored object of the same kind (the dev user).
    let home = match state.index.get(id.trim()) {
        Some((home, _)) if !family.kept && state.families.get(home).is_some_and(|f| f.key == family.key) => {
            home.clone()
        }
        _ => family_name.to_owned(),
    };
    let family_name = home.as_str();
    let (n, old) = state.find(family_name, &id).map(|(s, o)| (s, o.clone())).ok_or_else(|| not_found(&key, &id))?;
    let custom = crate::custom_fields::before_update(&state.custom, family, &old, input)?;
    if family_name == "tags" {
        if let Some(name) = input.get("name").and_then(Value::as_str) {
            if state.tag_named(name).is_some_and(|other| other != n) {
                return Err(ApiError::bad_request(
                    format!("a tag named `{name}` already exists"),
                    "tag names are unique; pick another name",
                ));
            }
        }
    }
    // Answers that hold the object hold it as stored; others are made up around it.
    let holds_object = API.operations[op].response.as_ref().and_then(|r| API.property(r, &key)).is_some();
    let mut answer = if holds_object { json!({ key.clone(): old.clone() }) } else { synthesize(state, op, None) };
    let mut object_answer = json!({ key.clone(): old.clone() });
    let shape_op = if holds_object && validate::answer_is_valid(op, &answer) {
        op
    } else {
        // Merge with the rules of the family's `get` answer.
        API.find("POST", &format!("/{family_name}.get")).map(|(i, _)| i).unwrap_or(op)
    };
    let mut stamps = vec![("modified_date".to_owned(), json!(state.tick()))];
    if let Some(user) = caller.user {
        stamps.push(("modified_by".to_owned(), user_summary(user)));
    }
    stamp(shape_op, &key, &mut object_answer, stamps.iter().map(|(k, v)| (k, v)));
    let mut fields = input.clone();
    if let Value::Object(map) = &mut fields {
        for name in ["dev_user", "rev_user", "rev_user_id", "dev_user_id"] {
            map.remove(name);
        }
    }
    merge_fields(state, shape_op, &key, &mut object_answer, &fields);
    state.custom.apply(object_answer.get_mut(&key), custom);
    let object = object_answer.get(&key).cloned().unwrap_or_default();
    if holds_object {
        answer = object_answer;
        if !validate::answer_is_valid(op, &answer) {
            answer = strip_cursors(synthesize(state, op, None));
        }
    } else {
        answer = strip_cursors(answer);
    }
    if family_name == "tags" {
        if let Some(name) = old.get("name").and_then(Value::as_str) {
            state.tag_names.remove(name);
        }
    }
    state.put(family_name, n, object.clone());
    events.publish(ObjectChange { change: Change::Updated, object_type: key, object, old: Some(old) });
    Ok(answer)
}

/// `export`: what `list` pages through under the same filters, in one
/// answer, at most `first` items.
fn export(state: &mut State, family_name: &str, family: &Family, input: &Value, op: usize) -> Result<Value, ApiError> {
    let mut fields = input.clone();
    let first = fields
        .as_object_mut()
        .and_then(|f| f.remove("first"))
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
    let paging = Paging::from_input_any_field(&Input::from_body(fields.to_string().as_bytes())?, family_name)?;
    let first = first.and_then(|f| usize::try_from(f).ok()).unwrap_or(usize::MAX);
    let items: Vec<Value> = {
        let rows = crate::filters::select(state, family_name, family, &fields)?;
        paging.sorted(rows.iter().collect()).into_iter().take(first).map(|row| row.object.clone()).collect()
    };
    let mut answer = synthesize(state, op, None);
    let key = API.operations[op].response.as_ref().and_then(|r| first_property(&API, r, "array"));
    if let (Some(key), Value::Object(answer)) = (key, &mut answer) {
        answer.insert(key, Value::Array(items));
    }
    Ok(answer)
}

/// `search.core`/`search.hybrid`: the stored objects whose text fields hold
/// the query, in the namespaces asked (all when none are), as the answer's
/// result variants; none is made up.
fn search(state: &mut State, op: usize, input: &Value) -> Value {
    let mut answer = strip_cursors(synthesize(state, op, None));
    let Some(results_key) = API.operations[op].response.as_ref().and_then(|r| first_property(&API, r, "array")) else {
        return answer;
    };
    if let Value::Object(fields) = &mut answer {
        fields.insert(results_key, json!([]));
    }
    let mut found = Vec::new();
    let mut names: Vec<&String> = state.objects.keys().collect();
    names.sort();
    for family_name in names {
        let Some(family) = state.families.get(family_name) else { continue };
        let Some(key) = family.key.as_deref() else { continue };
        for object in state.objects[family_name].values() {
            // A `work` namespace holds every work type.
            let also = (family_name == "works").then_some("work");
            if search_hits(input, key, also, object) {
                found.push((key.to_owned(), object.clone()));
            }
        }
    }
    add_search_results(op, input, &mut answer, found);
    answer
}

/// Whether the search `input` finds `object` (of family key `key`, also in
/// namespace `also`): it is in a namespace asked (all when none are), and
/// its text holds every word of the query.
pub(crate) fn search_hits(input: &Value, key: &str, also: Option<&str>, object: &Value) -> bool {
    let namespaces: Vec<&str> = match input.get("namespaces").or_else(|| input.get("namespace")) {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => Vec::new(),
    };
    let ty = object.get("type").and_then(Value::as_str).unwrap_or(key);
    if !namespaces.is_empty() && !namespaces.iter().any(|ns| *ns == key || *ns == ty || Some(*ns) == also) {
        return false;
    }
    let query = input.get("query").and_then(Value::as_str).unwrap_or_default().to_lowercase();
    let text = object.to_string().to_lowercase();
    query.split_whitespace().all(|w| text.contains(w))
}

/// Appends to the search `answer` the result variant of each `(family key,
/// object)` found, up to the request's `limit` (10 by default); an object
/// no result variant can hold is left out.
pub(crate) fn add_search_results(op: usize, input: &Value, answer: &mut Value, found: Vec<(String, Value)>) {
    let Some(results_key) = API.operations[op].response.as_ref().and_then(|r| first_property(&API, r, "array")) else {
        return;
    };
    let limit = input.get("limit").and_then(Value::as_u64).map_or(10, |l| l as usize);
    let mut results = answer.get(&results_key).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut template = answer.clone();
    for (key, object) in found {
        if results.len() >= limit {
            break;
        }
        // The result variant that holds the object as its summary: the one
        // named after it (`work`), else the one whose summary is a union
        // with a variant of the object's type (a `service_account` is a
        // `user`, a `rev_org` an `org`).
        let ty = object.get("type").and_then(Value::as_str).unwrap_or(&key).to_owned();
        let Some(variant) = result_variant(op, &results_key, &key, &ty) else { continue };
        // Such a summary names its variant in `type`, which an object without one (a service account) lacks.
        let mut object = object;
        if variant != key {
            if let Value::Object(fields) = &mut object {
                fields.entry("type").or_insert_with(|| json!(ty));
            }
        }
        let key = variant;
        let result = json!({ "type": key, key.clone(): object });
        template[&results_key] = json!([result]);
        if validate::answer_is_valid(op, &template) {
            results.push(result);
            continue;
        }
        // Trim the object to what its summary allows.
        let mut slim = Map::new();
        for name in ["id", "display_id", "type", "title", "name", "display_name"] {
            if let Some(v) = object.get(name) {
                slim.insert(name.into(), v.clone());
            }
        }
        let result = json!({ "type": key, key.clone(): Value::Object(slim) });
        template[&results_key] = json!([result]);
        if validate::answer_is_valid(op, &template) {
            results.push(result);
        }
    }
    answer[&results_key] = Value::Array(results);
}

/// The search result variant (`type`) that holds an object of family key
/// `key` and type `ty`: the variant named `key`, else the one whose summary
/// is a union with a variant `ty` (or `key`).
fn result_variant(op: usize, results_key: &str, key: &str, ty: &str) -> Option<String> {
    let results = API.operations[op].response.as_ref().and_then(|r| API.property(r, results_key))?;
    let result = API.resolve(API.resolve(results).get("items")?);
    let variants = synth::union_branches(result);
    if variants.iter().any(|(tag, value, _)| tag == "type" && value == key) {
        return Some(key.to_owned());
    }
    variants.into_iter().filter(|(tag, _, _)| tag == "type").find_map(|(_, value, then)| {
        let summary = API.resolve(API.property(then, &value)?);
        synth::union_branches(summary).iter().any(|(tag, v, _)| tag == "type" && (v == ty || v == key)).then_some(value)
    })
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
pub(crate) fn property_in<'a>(schema: &'a Value, object: &Value, name: &str) -> Option<&'a Value> {
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
                let now = state.now_text();
                Synth { api: &API, rng: &mut state.rng, now, prefer_tag: None }.value(schema, 2)
            };
            let fields = summary.as_object_mut()?;
            fields.contains_key("id").then_some(())?;
            match state.lookup(id).and_then(Value::as_object).cloned() {
                Some(stored) => {
                    // The stored object's variant (its `type`, or its family's object): make that one.
                    let family_key = state
                        .index
                        .get(id.trim())
                        .and_then(|(family, _)| state.families.get(family))
                        .and_then(|f| f.key.clone());
                    let tag = stored.get("type").and_then(Value::as_str).map(str::to_owned).or(family_key);
                    if let Some(tag) = tag {
                        let now = state.now_text();
                        let mut synth = Synth { api: &API, rng: &mut state.rng, now, prefer_tag: Some(tag) };
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
                let now = state.now_text();
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

fn list(state: &State, family_name: &str, family: &Family, input: &Value, op: usize) -> Result<Value, ApiError> {
    // The paging fields read as the accounts list reads them (a GET's query string is JSON by now).
    let fields = Input::from_body(input.to_string().as_bytes())?;
    let paging = Paging::from_input_any_field(&fields, family_name)?;
    let empty = BTreeMap::new();
    let stored = state.objects_of(family_name).unwrap_or(&empty);
    // Without filters, in creation order: a walk of the index from the cursor.
    let walked = if crate::filters::has_filters(input) { None } else { paging.page_in_order(stored) };
    let (page, next, prev): (Vec<Value>, _, _) = match walked {
        Some((page, next, prev)) => (page.into_iter().cloned().collect(), next, prev),
        None => {
            let rows = crate::filters::select(state, family_name, family, input)?;
            let (page, next, prev) = paging.page(rows.iter().collect());
            (page.into_iter().map(|row| row.object.clone()).collect(), next, prev)
        }
    };
    let key = API.operations[op]
        .response
        .as_ref()
        .and_then(|r| first_property(&API, r, "array").or_else(|| any_property(&API, r, "array")))
        .or_else(|| family.list_key.clone())
        .unwrap_or_default();
    Ok(crate::pagination::list_answer(&key, page, next, prev))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use super::*;
    use crate::clock::Time;

    /// The crate docs' table of what is kept and what is synthesized is the engine's.
    #[test]
    fn the_docs_table_says_what_the_engine_keeps() {
        let state = State::new(0, Arc::new(Time::new(crate::clock::Clock::Wall)));
        let mut listed = BTreeSet::new();
        for line in include_str!("lib.rs").lines().filter(|l| l.starts_with("//! | `")) {
            let cells: Vec<&str> = line.trim_start_matches("//! |").split('|').map(str::trim).collect();
            let name = cells[0].trim_matches('`');
            let family = state.families.get(name).unwrap_or_else(|| panic!("{name} is not a family"));
            let says_kept = cells[1].starts_with("kept");
            if !matches!(name, "accounts" | "rev-orgs" | "webhooks") && !cells[1].contains("stored") && name != "search"
            {
                assert_eq!(says_kept, family.kept, "{name}: {}", cells[1]);
            }
            listed.insert(name.to_owned());
        }
        let families: BTreeSet<String> = state.families.keys().cloned().collect();
        assert_eq!(listed, families);
    }
}
