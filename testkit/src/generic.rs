//! The engine: one store and one set of rules for every family the spec
//! gives (all but accounts and rev orgs, which [`crate::api`] serves with
//! their richer rules, dated by the same clock). The request was validated
//! already, and every ID it names checked ([`crate::references`]).
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
//! Objects are indexed by ID and display ID, so a get, update, delete or
//! reference check costs the same with ten objects stored or a hundred
//! thousand. Each change is published on [`crate::events::Events`] with the
//! object's type as DevRev names it in event types (`work`, `tag`, `part`,
//! `timeline_entry`). Every answer is checked against its schema before it
//! is sent; a merged field that would break it is left out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::clock::Time;
use crate::error::ApiError;
use crate::events::{Change, Events, ObjectChange};
use crate::input::Input;
use crate::pagination::{Listed, Paging, SortField};
use crate::spec::{Api, Operation, API};
use crate::store::DevUser;
use crate::synth::{self, Synth};
use crate::validate;

/// What a family stores, read from its operations' schemas.
#[derive(Debug, Clone)]
pub(crate) struct Family {
    /// The object's key in `create`/`get`/`update` answers, and its type in events (`work`).
    pub(crate) key: Option<String>,
    /// The list's key in `list` answers (`works`).
    pub(crate) list_key: Option<String>,
    /// Whether the family creates objects (`create`, or `add` for a
    /// membership such as `groups.members`).
    pub(crate) kept: bool,
    /// Every property the family's objects can have, in any union variant.
    pub(crate) fields: BTreeSet<String>,
    /// The union variants of the family's objects (`issue`, `ticket`, ...).
    pub(crate) variants: BTreeSet<String>,
}

/// The family (`works`, `states.custom`) and verb (`create`) of an operation.
pub(crate) fn family_and_verb(op: &Operation) -> (&str, &str) {
    let path = op.path.trim_start_matches('/');
    match path {
        "dev-users.self" => ("dev-users", "self"),
        "dev-users.self.update" => ("dev-users", "self-update"),
        _ => path.rsplit_once('.').unwrap_or((path, "")),
    }
}

/// The families, by name (`works`, `states.custom`).
fn families(api: &Api) -> HashMap<String, Family> {
    let mut by_family: HashMap<&str, HashMap<&str, &Operation>> = HashMap::new();
    for op in api.operations.iter().filter(|op| op.method == "POST") {
        let (family, verb) = family_and_verb(op);
        by_family.entry(family).or_default().insert(verb, op);
    }
    let mut out = HashMap::new();
    for (family, verbs) in by_family {
        let key = ["create", "get", "update"]
            .iter()
            .filter_map(|v| verbs.get(v))
            .find_map(|op| op.response.as_ref().and_then(|r| first_property(api, r, "object")))
            .or_else(|| {
                // A family of changes only (`dev-users.identities.link`): the object its answers hold.
                let mut names: Vec<&&str> = verbs.keys().collect();
                names.sort();
                names
                    .into_iter()
                    .find_map(|v| verbs[*v].response.as_ref().and_then(|r| first_property(api, r, "object")))
            });
        let list = verbs.get("list").and_then(|op| op.response.as_ref());
        let list_key = list.and_then(|r| first_property(api, r, "array").or_else(|| any_property(api, r, "array")));
        // Kept: a `create` whose answer holds the object (not `auth-tokens.create`'s token).
        let create_key =
            verbs.get("create").and_then(|op| op.response.as_ref()).and_then(|r| first_property(api, r, "object"));
        let kept = (create_key.is_some() && create_key == key) || (verbs.contains_key("add") && list_key.is_some());
        // The objects' schema: the list's items, or the object in a get's answer.
        let item = match (list, &list_key) {
            (Some(r), Some(k)) => api.property(r, k).and_then(|a| api.resolve(a).get("items")).cloned(),
            _ => None,
        };
        let item = item.or_else(|| {
            let key = key.as_ref()?;
            ["get", "create"]
                .iter()
                .filter_map(|v| verbs.get(v))
                .find_map(|op| op.response.as_ref().and_then(|r| api.property(r, key)).cloned())
        });
        let mut fields = BTreeSet::new();
        let mut variants = BTreeSet::new();
        if let Some(item) = &item {
            collect_fields(api, item, &mut fields, &mut variants, 0);
        }
        out.insert(family.to_owned(), Family { key, list_key, kept, fields, variants });
    }
    out
}

/// Every property of `schema`, through `$ref`s, `allOf`s and union variants.
fn collect_fields(
    api: &Api,
    schema: &Value,
    fields: &mut BTreeSet<String>,
    variants: &mut BTreeSet<String>,
    depth: usize,
) {
    if depth > 6 {
        return;
    }
    let schema = api.resolve(schema);
    if let Some(Value::Object(props)) = schema.get("properties") {
        fields.extend(props.keys().cloned());
    }
    for (_, value, then) in synth::union_branches(schema) {
        variants.insert(value);
        collect_fields(api, then, fields, variants, depth + 1);
    }
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        if member.get("if").is_none() {
            collect_fields(api, member, fields, variants, depth + 1);
        }
    }
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

/// The first property (required or not) of an object schema whose type is `ty`.
fn any_property(api: &Api, schema: &Value, ty: &str) -> Option<String> {
    let schema = api.resolve(schema);
    let props = schema.get("properties")?.as_object()?;
    props.iter().find(|(_, p)| is_type(api, p, ty)).map(|(name, _)| name.clone())
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

/// Where a stored object is: its family and its number.
type Place = (String, u64);

/// Every family's objects, their indexes, and the seeded generator.
#[derive(Debug)]
pub(crate) struct State {
    rng: fastrand::Rng,
    pub(crate) families: HashMap<String, Family>,
    /// Objects by family, by number (creation order).
    objects: HashMap<String, BTreeMap<u64, Value>>,
    /// The request each object was created with, by number: what a filter
    /// on a field the object does not show (`parent_part`, `group`) reads.
    inputs: HashMap<u64, Value>,
    /// Every stored object by DON ID and by display ID.
    index: HashMap<String, Place>,
    /// Tag names in use, for their uniqueness.
    tag_names: HashMap<String, u64>,
    /// The next object number (for IDs and display IDs).
    next: u64,
    /// The server's one clock.
    time: Arc<Time>,
    /// How many of the tokens' dev users are stored.
    users_stored: usize,
    /// The custom-field fragments `schemas.custom.set` declared, and what
    /// the objects written with custom fields were ([`crate::custom_fields`]).
    pub(crate) custom: crate::custom_fields::Fragments,
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

fn id_of(object: &Value) -> Option<&str> {
    object.get("id").and_then(Value::as_str)
}

impl State {
    /// Empty, with the generator seeded with `seed`, dated by `time`.
    pub(crate) fn new(seed: u64, time: Arc<Time>) -> State {
        let mut families = families(&API);
        // `artifacts.prepare` creates them (see `store_artifact`).
        if let Some(artifacts) = families.get_mut("artifacts") {
            artifacts.kept = true;
        }
        State {
            rng: fastrand::Rng::with_seed(seed),
            families,
            objects: HashMap::new(),
            inputs: HashMap::new(),
            index: HashMap::new(),
            tag_names: HashMap::new(),
            next: 1,
            time,
            users_stored: 0,
            custom: crate::custom_fields::Fragments::default(),
        }
    }

    /// The time of a change, as the answers write it.
    fn tick(&mut self) -> String {
        crate::clock::format(self.time.tick())
    }

    /// The time now, without stamping a change.
    fn now_text(&self) -> String {
        crate::clock::format(self.time.now())
    }

    /// The clock's time now.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.time.now()
    }

    /// A stored object by DON or display ID, in any family.
    pub(crate) fn lookup(&self, id: &str) -> Option<&Value> {
        let (family, n) = self.index.get(id.trim())?;
        self.objects.get(family)?.get(n)
    }

    /// A stored object of `family` by DON or display ID.
    fn find(&self, family: &str, id: &str) -> Option<(u64, &Value)> {
        let (f, n) = self.index.get(id.trim())?;
        if f != family {
            return None;
        }
        self.objects.get(family)?.get(n).map(|o| (*n, o))
    }

    /// Stores `object` as number `n` of `family`, indexed by its IDs.
    fn put(&mut self, family: &str, n: u64, object: Value) {
        for key in ["id", "display_id"] {
            if let Some(id) = object.get(key).and_then(Value::as_str) {
                self.index.insert(id.to_owned(), (family.to_owned(), n));
            }
        }
        if family == "tags" {
            if let Some(name) = object.get("name").and_then(Value::as_str) {
                self.tag_names.insert(name.to_owned(), n);
            }
        }
        self.objects.entry(family.to_owned()).or_default().insert(n, object);
    }

    /// Removes object `n` of `family` and its index entries.
    fn remove(&mut self, family: &str, n: u64) -> Option<Value> {
        let object = self.objects.get_mut(family)?.remove(&n)?;
        for key in ["id", "display_id"] {
            if let Some(id) = object.get(key).and_then(Value::as_str) {
                self.index.remove(id);
            }
        }
        if let Some(name) = object.get("name").and_then(Value::as_str) {
            if self.tag_names.get(name) == Some(&n) {
                self.tag_names.remove(name);
            }
        }
        self.inputs.remove(&n);
        Some(object)
    }

    /// The number of the tag named `name`, if one is.
    pub(crate) fn tag_named(&self, name: &str) -> Option<u64> {
        self.tag_names.get(name).copied()
    }

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
        let mut fields = vec![
            ("id".to_owned(), json!(id)),
            ("created_date".to_owned(), now.clone()),
            ("modified_date".to_owned(), now),
            ("file".to_owned(), file),
        ];
        if let Some(user) = user {
            fields.extend([
                ("created_by".to_owned(), user_summary(user)),
                ("modified_by".to_owned(), user_summary(user)),
            ]);
        }
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
    fn store_users(&mut self, caller: Caller<'_>) {
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

/// A success answer: status and body (`None` for a 204).
pub(crate) type Answer = (StatusCode, Option<Value>);

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

/// Answers operation `op` (index into [`API`]) for a validated `input` from `caller`.
pub(crate) fn handle(
    state: &mut State,
    events: &Events,
    op_index: usize,
    input: &Value,
    caller: Caller<'_>,
) -> Result<Answer, ApiError> {
    state.store_users(caller);
    let op = &API.operations[op_index];
    let status = StatusCode::from_u16(op.status).unwrap_or(StatusCode::OK);
    let (family_name, verb) = family_and_verb(op);
    let family = state.families.get(family_name).cloned();
    if let Some(answer) = crate::custom_fields::schemas(&mut state.custom, &op.path, input) {
        return Ok((status, Some(answer?)));
    }
    let mut input = input.clone();
    if matches!(verb, "self" | "self-update") {
        if let (Some(user), Value::Object(fields)) = (caller.user, &mut input) {
            fields.insert("id".into(), json!(user.don()));
        }
    }
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
    let mut answer = answer;
    state.custom.upgrade_answer(&mut answer);
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

/// The start stage of a work of type `ty`, and whether `stage` is one of its stages.
pub(crate) fn stages(ty: &str) -> Option<&'static [(&'static str, &'static str)]> {
    // (stage name, the state it is in), the start stage first.
    const ISSUE: &[(&str, &str)] = &[
        ("triage", "open"),
        ("backlog", "open"),
        ("prioritized", "open"),
        ("in_development", "in_progress"),
        ("in_review", "in_progress"),
        ("in_testing", "in_progress"),
        ("in_deployment", "in_progress"),
        ("completed", "closed"),
        ("won_t_fix", "closed"),
    ];
    const TICKET: &[(&str, &str)] = &[
        ("queued", "open"),
        ("work_in_progress", "in_progress"),
        ("awaiting_product_assist", "in_progress"),
        ("awaiting_development", "in_progress"),
        ("awaiting_customer_response", "in_progress"),
        ("in_development", "in_progress"),
        ("resolved", "closed"),
        ("canceled", "closed"),
    ];
    const OPPORTUNITY: &[(&str, &str)] = &[
        ("qualification", "open"),
        ("validation", "open"),
        ("negotiation", "in_progress"),
        ("contract", "in_progress"),
        ("closed_won", "closed"),
        ("closed_lost", "closed"),
    ];
    const TASK: &[(&str, &str)] =
        &[("open", "open"), ("in_progress", "in_progress"), ("completed", "closed"), ("canceled", "closed")];
    match ty {
        "issue" => Some(ISSUE),
        "ticket" => Some(TICKET),
        "opportunity" => Some(OPPORTUNITY),
        "task" => Some(TASK),
        _ => None,
    }
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
    let custom = crate::custom_fields::before_create(state, family, input)?;
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
    let now = json!(state.tick());
    let mut stamps = vec![("created_date".to_owned(), now.clone()), ("modified_date".to_owned(), now)];
    if let Some(user) = caller.user {
        stamps.extend([("created_by".to_owned(), user_summary(user)), ("modified_by".to_owned(), user_summary(user))]);
    }
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
    let custom = crate::custom_fields::before_update(state, family, &old, input)?;
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
    let paging = Paging::from_input_any_field(&Input::from_body(fields.to_string().as_bytes())?)?;
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
    let query = input.get("query").and_then(Value::as_str).unwrap_or_default().to_lowercase();
    let namespaces: Vec<String> = match input.get("namespaces").or_else(|| input.get("namespace")) {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    let limit = input.get("limit").and_then(Value::as_u64).map_or(10, |l| l as usize);
    let mut answer = strip_cursors(synthesize(state, op, None));
    let Some(results_key) = API.operations[op].response.as_ref().and_then(|r| first_property(&API, r, "array")) else {
        return answer;
    };
    if let Value::Object(fields) = &mut answer {
        fields.insert(results_key.clone(), json!([]));
    }
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found = Vec::new();
    let mut names: Vec<&String> = state.objects.keys().collect();
    names.sort();
    for family_name in names {
        let Some(family) = state.families.get(family_name) else { continue };
        let Some(key) = family.key.as_deref() else { continue };
        for object in state.objects[family_name].values() {
            let ty = object.get("type").and_then(Value::as_str).unwrap_or(key);
            let namespace_hit = namespaces.is_empty()
                || namespaces.iter().any(|ns| ns == key || ns == ty || (ns == "work" && family_name == "works"));
            if !namespace_hit {
                continue;
            }
            let text = object.to_string().to_lowercase();
            if words.iter().all(|w| text.contains(w)) {
                found.push((key.to_owned(), object.clone()));
            }
        }
    }
    let mut results = Vec::new();
    for (key, object) in found {
        if results.len() >= limit {
            break;
        }
        // The result variant named after the object, holding it as its summary.
        let mut candidate = answer.clone();
        let result = json!({ "type": key, key.clone(): object });
        candidate[&results_key] = json!([result]);
        if validate::answer_is_valid(op, &candidate) {
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
        candidate[&results_key] = json!([result]);
        if validate::answer_is_valid(op, &candidate) {
            results.push(result);
        }
    }
    answer[&results_key] = Value::Array(results);
    answer
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
    let paging = Paging::from_input_any_field(&fields)?;
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
    let mut out = Map::new();
    if let Some(next) = next {
        out.insert("next_cursor".into(), json!(next));
    }
    if let Some(prev) = prev {
        out.insert("prev_cursor".into(), json!(prev));
    }
    let key = API.operations[op]
        .response
        .as_ref()
        .and_then(|r| first_property(&API, r, "array").or_else(|| any_property(&API, r, "array")))
        .or_else(|| family.list_key.clone())
        .unwrap_or_default();
    out.insert(key, Value::Array(page));
    Ok(Value::Object(out))
}

impl State {
    /// A family's objects, by number.
    pub(crate) fn objects_of(&self, family: &str) -> Option<&BTreeMap<u64, Value>> {
        self.objects.get(family)
    }

    /// The request object `n` was created with.
    pub(crate) fn sent(&self, n: u64) -> Option<&Value> {
        self.inputs.get(&n)
    }

    /// Whether a custom stage named `name` was created.
    pub(crate) fn custom_stage(&self, name: &str) -> bool {
        self.objects
            .get("stages.custom")
            .is_some_and(|stages| stages.values().any(|s| s.get("name").and_then(Value::as_str) == Some(name)))
    }

    /// How many objects are stored, in every family.
    #[allow(dead_code)]
    pub(crate) fn len(&self) -> usize {
        self.objects.values().map(BTreeMap::len).sum()
    }
}

/// A stored object as [`Paging`] lists it.
pub(crate) struct Row<'a> {
    pub(crate) seq: u64,
    pub(crate) object: &'a Value,
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

#[cfg(test)]
mod tests {
    use super::*;

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
