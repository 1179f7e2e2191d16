//! The facts the spec states about a field beside its type (format, the
//! kind of object a DON ID names, bounds, default), kept on each planned
//! field ([`Field::facts`](super::Field::facts)), and which operations'
//! answers reach each model ([`returns`], kept in [`Plan::returns`]). Plain
//! data: the text of the fact docs is `write/facts.rs`. Never the spec's
//! prose (`description`, `summary`): only what its keys state.

use std::collections::{BTreeMap, BTreeSet};

use super::{Endpoint, Kind, Plan, Ty};
use crate::spec::Schema;

/// What a property's schema states beside its type: the plan keeps it on
/// each field ([`Field::facts`](super::Field::facts)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// `format` of the value, or of a list's items (`id`, `text`, `sort-by`, ...).
    pub format: Option<String>,
    /// What a DON ID names (`part`, `Dev user`), read from the prefix of the
    /// spec's example ID (`PROD-12345`, `don:...:webhook/...`).
    pub id_of: Option<String>,
    pub minimum: Option<serde_json::Number>,
    pub maximum: Option<serde_json::Number>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// `default`, as JSON.
    pub default: Option<String>,
}

/// Display-ID prefixes of DevRev's objects and what they name.
pub const ID_PREFIXES: &[(&str, &str)] = &[
    ("ACC", "an account"),
    ("ARTICLE", "an article"),
    ("ARTIFACT", "an artifact"),
    ("CAPL", "a part"),
    ("DEV", "a Dev org"),
    ("DEVU", "a Dev user"),
    ("ENH", "a part"),
    ("FEAT", "a part"),
    ("ISS", "a work item"),
    ("OPP", "a work item"),
    ("PROD", "a part"),
    ("REV", "a rev org"),
    ("REVU", "a rev user"),
    ("TAG", "a tag"),
    ("TASK", "a work item"),
    ("TKT", "a work item"),
    ("VISTA", "a vista"),
];

/// What the example ID `example` names: `PROD-12345` -> `a part`,
/// `don:core:...:webhook/1` -> `a webhook`.
pub fn id_of(example: &str) -> Option<String> {
    if let Some(don) = example.strip_prefix("don:") {
        let kind = don.rsplit(':').next()?.split('/').next()?;
        if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return None;
        }
        let words = kind.replace('_', " ");
        let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        return Some(format!("{article} {words}"));
    }
    let prefix = example.split('-').next()?;
    ID_PREFIXES.iter().find(|(p, _)| *p == prefix).map(|(_, what)| (*what).to_owned())
}

fn example_text(value: &serde_yaml_ng::Value) -> Option<&str> {
    match value {
        serde_yaml_ng::Value::String(s) => Some(s),
        serde_yaml_ng::Value::Sequence(items) => items.first().and_then(example_text),
        _ => None,
    }
}

impl Facts {
    /// The facts of a property's (or query parameter's) schema.
    pub fn of(schema: &Schema) -> Facts {
        let item = schema.items.as_deref();
        let format = schema.format.clone().or_else(|| item.and_then(|i| i.format.clone()));
        let id_of = (format.as_deref() == Some("id"))
            .then(|| schema.example.as_ref().or(item.and_then(|i| i.example.as_ref())))
            .flatten()
            .and_then(example_text)
            .and_then(id_of);
        Facts {
            format,
            id_of,
            minimum: schema.minimum.clone().or_else(|| item.and_then(|i| i.minimum.clone())),
            maximum: schema.maximum.clone().or_else(|| item.and_then(|i| i.maximum.clone())),
            min_length: schema.min_length.or_else(|| item.and_then(|i| i.min_length)),
            max_length: schema.max_length.or_else(|| item.and_then(|i| i.max_length)),
            min_items: schema.min_items,
            max_items: schema.max_items,
            default: schema.default.as_ref().and_then(|d| serde_json::to_string(d).ok()),
        }
    }
}

/// Where a model is found in answers, by operation (`works.get`).
#[derive(Debug, Clone, Default)]
pub struct Returns {
    /// Operations whose answer is this type.
    pub answer_of: BTreeSet<String>,
    /// Operations whose answer holds it in a field (operation, field).
    pub held: BTreeSet<(String, String)>,
    /// Operations whose answer reaches it deeper.
    pub within: BTreeSet<String>,
}

/// [`Returns`] of every planned type, by key.
pub fn returns(plan: &Plan) -> BTreeMap<String, Returns> {
    let mut out: BTreeMap<String, Returns> = BTreeMap::new();
    for endpoint in plan.endpoints() {
        let (op, response) = match endpoint {
            Endpoint::Single { op, response, .. } => (op, response),
            Endpoint::Twin { post, response, .. } => (post, response),
            Endpoint::Skipped { .. } => continue,
        };
        let name = op.path.trim_start_matches('/').to_owned();
        out.entry(response.clone()).or_default().answer_of.insert(name.clone());
        let mut held = BTreeSet::new();
        if let Kind::Struct(fields) = &plan.types[response].kind {
            for f in fields {
                let mut refs = Vec::new();
                named(&f.ty, &mut refs);
                for key in refs {
                    held.insert(key.clone());
                    out.entry(key).or_default().held.insert((name.clone(), f.wire.clone()));
                }
            }
        }
        // Everything else the answer reaches.
        let mut seen: BTreeSet<String> = BTreeSet::from([response.clone()]);
        let mut stack: Vec<String> = plan.edges(response).into_iter().map(|(k, _)| k).collect();
        while let Some(key) = stack.pop() {
            if seen.insert(key.clone()) {
                if !held.contains(&key) {
                    out.entry(key.clone()).or_default().within.insert(name.clone());
                }
                stack.extend(plan.edges(&key).into_iter().map(|(k, _)| k));
            }
        }
    }
    out
}

fn named(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Named(key) => out.push(key.clone()),
        Ty::Vec(inner) | Ty::Map(inner) => named(inner, out),
        _ => {}
    }
}
