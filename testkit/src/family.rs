//! What a family is: the operations that share a path up to the verb
//! (`works.create`, `works.get`, ...; `states.custom.create`, ...), and
//! what its objects are, read from those operations' schemas.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::spec::{Api, Operation};
use crate::synth;

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
pub(crate) fn families(api: &Api) -> HashMap<String, Family> {
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
pub(crate) fn first_property(api: &Api, schema: &Value, ty: &str) -> Option<String> {
    let schema = api.resolve(schema);
    let required = schema.get("required")?.as_array()?;
    required
        .iter()
        .filter_map(Value::as_str)
        .find(|name| api.property(schema, name).is_some_and(|p| is_type(api, p, ty)))
        .map(str::to_owned)
}

/// The first property (required or not) of an object schema whose type is `ty`.
pub(crate) fn any_property(api: &Api, schema: &Value, ty: &str) -> Option<String> {
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
