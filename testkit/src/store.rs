//! The one store: every family's objects (accounts and rev orgs among
//! them), by number in creation order, indexed by DON ID and display ID
//! and by the fields lists filter on most ([`INDEXED`]), so a get, update,
//! delete or reference check costs O(log n) or better, and a filtered list
//! walks an index rather than the family.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::clock::Time;
use crate::dev_user::DevUser;
use crate::family::{families, Family};
use crate::pagination::{Listed, SortField};
use crate::spec::API;

/// Where a stored object is: its family and its number.
type Place = (String, u64);

/// The fields every family's objects are indexed by, besides their IDs:
/// what list filters name most (the type, owners, creators, the part or
/// account an object belongs to, external references).
pub(crate) const INDEXED: [&str; 9] = [
    "type",
    "owned_by",
    "created_by",
    "applies_to_part",
    "account",
    "rev_org",
    "external_ref",
    "external_refs",
    "tags",
];

/// The index keys of a field's value: a scalar as text; a summary by its
/// `id`, `display_id` and `name` (a tag with its value by its tag's); a
/// list by each item's. A superset of what the list filters match on.
fn index_keys(value: Option<&Value>) -> Vec<String> {
    let mut keys = Vec::new();
    let mut push = |v: &Value| match v {
        Value::String(s) => keys.push(s.clone()),
        Value::Bool(_) | Value::Number(_) => keys.push(v.to_string()),
        _ => {}
    };
    let mut item = |v: &Value| {
        push(v);
        for name in ["id", "display_id", "name"] {
            if let Some(inner) = v.get(name) {
                push(inner);
            }
        }
        if let Some(inner) = v.as_object().and_then(|o| o.values().find(|x| x.get("id").is_some())) {
            for name in ["id", "name"] {
                if let Some(x) = inner.get(name) {
                    push(x);
                }
            }
        }
    };
    match value {
        Some(Value::Array(items)) => items.iter().for_each(&mut item),
        Some(other) => item(other),
        None => {}
    }
    keys
}

/// Every family's objects, their indexes, and the seeded generator.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) rng: fastrand::Rng,
    pub(crate) families: HashMap<String, Family>,
    /// Objects by family, by number (creation order).
    pub(crate) objects: HashMap<String, BTreeMap<u64, Value>>,
    /// The request each object was created with, by number: what a filter
    /// on a field the object does not show (`parent_part`, `group`) reads.
    pub(crate) inputs: HashMap<u64, Value>,
    /// Every stored object by DON ID and by display ID.
    pub(crate) index: HashMap<String, Place>,
    /// Tag names in use, for their uniqueness.
    pub(crate) tag_names: HashMap<String, u64>,
    /// Secondary indexes, by family, by indexed field ([`INDEXED`]): each
    /// value an object's field holds (an ID in either form, a summary's
    /// name, a type) to the numbers of the objects that hold it. A list
    /// filtered on one of these walks the index, not the family.
    by_field: HashMap<String, HashMap<&'static str, BTreeMap<String, BTreeSet<u64>>>>,
    /// What the server keeps of an object but does not answer (a rev org's
    /// `environment`, an account's default rev org), by number.
    hidden: HashMap<u64, Map<String, Value>>,
    /// How many objects were created with each external reference, deleted
    /// ones included (what `TestServer::creates_with_external_ref` answers).
    pub(crate) creates_by_ref: HashMap<String, usize>,
    /// The next object number (for IDs and display IDs).
    pub(crate) next: u64,
    /// The server's one clock.
    pub(crate) time: Arc<Time>,
    /// How many of the tokens' dev users are stored.
    pub(crate) users_stored: usize,
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

/// A success answer: status and body (`None` for a 204).
pub(crate) type Answer = (StatusCode, Option<Value>);

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
            by_field: HashMap::new(),
            hidden: HashMap::new(),
            creates_by_ref: HashMap::new(),
            next: 1,
            time,
            users_stored: 0,
            custom: crate::custom_fields::Fragments::default(),
        }
    }

    /// The time of a change, as the answers write it.
    pub(crate) fn tick(&mut self) -> String {
        crate::clock::format(self.time.tick())
    }

    /// The time now, without stamping a change.
    pub(crate) fn now_text(&self) -> String {
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

    /// A fresh object number, for IDs and the listing order.
    pub(crate) fn next_number(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// Whether an object is stored under this DON or display ID.
    pub(crate) fn has_id(&self, id: &str) -> bool {
        self.index.contains_key(id.trim())
    }

    /// A stored object of `family` by DON or display ID.
    pub(crate) fn find(&self, family: &str, id: &str) -> Option<(u64, &Value)> {
        let (f, n) = self.index.get(id.trim())?;
        if f != family {
            return None;
        }
        self.objects.get(family)?.get(n).map(|o| (*n, o))
    }

    /// Stores `object` as number `n` of `family` (in place of the one stored
    /// there), indexed by its IDs and its [`INDEXED`] fields.
    pub(crate) fn put(&mut self, family: &str, n: u64, object: Value) {
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
        if let Some(old) = self.objects.get(family).and_then(|o| o.get(&n)).cloned() {
            self.unindex_fields(family, n, &old);
        }
        self.index_fields(family, n, &object);
        self.objects.entry(family.to_owned()).or_default().insert(n, object);
    }

    /// Removes object `n` of `family` and its index entries.
    pub(crate) fn remove(&mut self, family: &str, n: u64) -> Option<Value> {
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
        self.unindex_fields(family, n, &object);
        self.inputs.remove(&n);
        self.hidden.remove(&n);
        Some(object)
    }

    /// Adds object `n`'s [`INDEXED`] fields to its family's indexes.
    pub(crate) fn index_fields(&mut self, family: &str, n: u64, object: &Value) {
        let indexes = self.by_field.entry(family.to_owned()).or_default();
        for field in INDEXED {
            for key in index_keys(object.get(field)) {
                indexes.entry(field).or_default().entry(key).or_default().insert(n);
            }
        }
    }

    fn unindex_fields(&mut self, family: &str, n: u64, object: &Value) {
        let Some(indexes) = self.by_field.get_mut(family) else { return };
        for field in INDEXED {
            let Some(index) = indexes.get_mut(field) else { continue };
            for key in index_keys(object.get(field)) {
                if let Some(numbers) = index.get_mut(&key) {
                    numbers.remove(&n);
                    if numbers.is_empty() {
                        index.remove(&key);
                    }
                }
            }
        }
    }

    /// The numbers of `family`'s objects whose `field` (one of [`INDEXED`])
    /// holds `value` (an ID in either form, a name, a type), in creation
    /// order; `None` when the field is not indexed.
    pub(crate) fn indexed(&self, family: &str, field: &str, value: &str) -> Option<BTreeSet<u64>> {
        let field = INDEXED.iter().find(|f| **f == field)?;
        let index = self.by_field.get(family).and_then(|i| i.get(field));
        let mut found = BTreeSet::new();
        let mut keys = vec![value.trim().to_owned()];
        // An ID in the other form: the stored object's DON and display IDs.
        if let Some(object) = self.lookup(value) {
            keys.extend(["id", "display_id"].iter().filter_map(|k| object.get(*k)?.as_str().map(str::to_owned)));
        }
        for key in keys {
            if let Some(numbers) = index.and_then(|i| i.get(&key)) {
                found.extend(numbers.iter().copied());
            }
        }
        Some(found)
    }

    /// What the server keeps of object `n` without answering it.
    pub(crate) fn hidden(&self, n: u64) -> Option<&Map<String, Value>> {
        self.hidden.get(&n)
    }

    /// Keeps `value` as the hidden field `name` of object `n`.
    pub(crate) fn set_hidden(&mut self, n: u64, name: &str, value: Value) {
        self.hidden.entry(n).or_default().insert(name.to_owned(), value);
    }

    /// The number of the tag named `name`, if one is.
    pub(crate) fn tag_named(&self, name: &str) -> Option<u64> {
        self.tag_names.get(name).copied()
    }
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

/// A stored object as [`Paging`](crate::pagination::Paging) lists it.
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
    use serde_json::json;

    use super::*;

    fn numbers(state: &State, field: &str, value: &str) -> Vec<u64> {
        state.indexed("works", field, value).expect("an indexed field").into_iter().collect()
    }

    /// The indexes follow every put and remove: nothing stale is left to walk.
    #[test]
    fn indexes_follow_puts_and_removes() {
        let mut state = State::new(0, Arc::new(Time::new(crate::clock::Clock::Wall)));
        let work = |part: &str| {
            json!({
                "id": "don:core:dvrv-us-1:devo/1:issue/7", "display_id": "ISS-7", "type": "issue",
                "applies_to_part": {"id": format!("don:core:dvrv-us-1:devo/1:product/{part}"), "display_id": format!("PROD-{part}")},
                "owned_by": [{"id": "don:identity:dvrv-us-1:devo/1:devu/1", "display_id": "DEVU-1"}],
            })
        };
        state.put("works", 7, work("1"));
        assert_eq!(numbers(&state, "applies_to_part", "PROD-1"), [7]);
        assert_eq!(numbers(&state, "applies_to_part", "don:core:dvrv-us-1:devo/1:product/1"), [7]);
        assert_eq!(numbers(&state, "owned_by", "DEVU-1"), [7]);
        assert_eq!(numbers(&state, "type", "issue"), [7]);
        // A work's own IDs name it in either form, through the ID index.
        assert_eq!(state.find("works", "ISS-7").map(|(n, _)| n), Some(7));

        state.put("works", 7, work("2"));
        assert!(numbers(&state, "applies_to_part", "PROD-1").is_empty());
        assert_eq!(numbers(&state, "applies_to_part", "PROD-2"), [7]);

        state.remove("works", 7);
        assert!(numbers(&state, "applies_to_part", "PROD-2").is_empty());
        assert!(numbers(&state, "type", "issue").is_empty());
        assert!(state.lookup("ISS-7").is_none());
        // A field that is not indexed: the caller scans.
        assert!(state.indexed("works", "title", "x").is_none());
    }
}
